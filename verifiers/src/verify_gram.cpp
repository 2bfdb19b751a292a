#include <chrono>

#include "attncert/core/progress.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/theorems.hpp"

namespace attncert::verifiers {

core::GramHistogram gram_with_progress(const core::SignMatrix& keys, const std::string& label, const CommonOptions& opt) {
  core::Progress bar(label, "tiles", !opt.quiet && !opt.json);
  core::GramOptions go;
  go.threads = opt.threads;
  go.progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
  core::GramHistogram h = core::gram_histogram(keys, go);
  bar.finish();
  return h;
}

Outcome verify_gram(const GramParams& prm, const CommonOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  if (prm.N < 2) throw BadInput("--N must be >= 2");
  if (prm.d < 1 || prm.d > 65535) throw BadInput("--d must lie in [1, 65535]");
  if (prm.rho_max && (*prm.rho_max < -1 || *prm.rho_max > 1)) throw BadInput("--rho-max must lie in [-1, 1]");
  Outcome o;
  o.theorem = "gram";
  o.label = "N=" + std::to_string(prm.N) + " d=" + std::to_string(prm.d) + " seed=" + std::to_string(opt.seed);
  core::SignMatrix s = core::SignMatrix::random(prm.N, prm.d, opt.seed);
  core::GramHistogram h = gram_with_progress(s, "gram", opt);
  const long maxip = h.max_inner();
  auto [wi, wj] = core::max_inner_witness(s, h);  // a witness pair attaining the maximum
  core::Rational rho(maxip, static_cast<long>(prm.d));

  o.table = {{"N", std::to_string(prm.N)},
             {"d", std::to_string(prm.d)},
             {"seed", std::to_string(opt.seed)},
             {"pairs", std::to_string(prm.N * (prm.N - 1) / 2)},
             {"max <s_i,s_j>", std::to_string(maxip) + " (pair " + std::to_string(wi) + ", " + std::to_string(wj) + ")"},
             {"rho", core::to_string(rho) + " (~" + std::to_string(rho.convert_to<double>()) + ")"}};
  nlohmann::json claim = {{"kind", "max_off_diagonal_inner_product"},
                          {"max_inner", maxip},
                          {"rho", core::to_string(rho)},
                          {"witness", {wi, wj}}};
  if (prm.rho_max) {
    o.table.push_back({"rho_max", core::to_string(*prm.rho_max)});
    claim["rho_max"] = core::to_string(*prm.rho_max);
    if (rho > *prm.rho_max) {
      o.status = refuted;
      o.reason = "rows " + std::to_string(wi) + " and " + std::to_string(wj) + " have inner product " +
                 std::to_string(maxip) + " > rho_max * d";
    }
  }
  if (o.status != refuted) {
    o.status = certified;
    o.claim = "max_{i!=j} <s_i,s_j> = " + std::to_string(maxip) + ", rho = " + core::to_string(rho) +
              (prm.rho_max ? " <= " + core::to_string(*prm.rho_max) : std::string());
    o.reason = "exact histogram over all pairs";
  }
  o.certificate = certificate_header("gram");
  o.certificate["parameters"] = {{"N", std::to_string(prm.N)}, {"d", std::to_string(prm.d)}};
  o.certificate["instance"] = random_signs_instance(opt.seed);
  o.certificate["statistics"] = {{"inner_product_histogram", pair_histogram_json(h)}};
  o.certificate["claim"] = claim;
  if (o.status == refuted) o.certificate["claim"]["holds"] = false;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

}  // namespace attncert::verifiers
