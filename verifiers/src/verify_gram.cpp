#include <chrono>

#include <memory>

#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/certificate_json.hpp"
#include "attncert/reductions/limits.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/progress.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/verify_gram.hpp"

namespace attncert::verifiers {

core::GramHistogram gram_with_progress(const core::SignMatrix& keys, const std::string& label, const CommonOptions& opt) {
  Progress bar(label, "tiles", !opt.quiet && !opt.json);
  core::GramOptions go;
  go.threads = opt.threads;
  go.progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
  core::GramHistogram h = core::gram_histogram(keys, go);
  bar.finish();
  return h;
}

Outcome verify_gram(const GramParams& prm, const CommonOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  namespace lim = reductions::limits;
  if (prm.N < 2 || prm.N > lim::max_keys) throw BadInput("--N must lie in [2, " + std::to_string(lim::max_keys) + "]");
  if (prm.d < 1 || prm.d > lim::max_dim) throw BadInput("--d must lie in [1, " + std::to_string(lim::max_dim) + "]");
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
  o.certificate["instance"] = reductions::random_signs_instance(opt.seed);
  o.certificate["statistics"] = {{"inner_product_histogram", reductions::pair_histogram_json(h)}};
  o.certificate["claim"] = claim;
  if (o.status == refuted) o.certificate["claim"]["holds"] = false;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

namespace {
Runner setup(CLI::App& sub) {
  auto N = std::make_shared<std::string>("1024");
  auto d = std::make_shared<std::string>("128");
  auto rho = std::make_shared<std::string>();
  auto* rho_opt = sub.add_option("--rho-max", *rho, "certify rho <= this rational threshold (refuted otherwise)");
  sub.add_option("--N", *N, "number of sign keys N (default 1024)");
  sub.add_option("--d", *d, "dimension (default 128)");
  return [N, d, rho, rho_opt](const CommonOptions& opt) {
    namespace lim = reductions::limits;
    GramParams prm;
    prm.N = parse_count(*N, "--N", 2, lim::max_keys);
    prm.d = parse_count(*d, "--d", 1, lim::max_dim);
    if (rho_opt->count()) prm.rho_max = parse_rational_param(*rho, "--rho-max");
    return verify_gram(prm, opt);
  };
}
}  // namespace

const Theorem& theorem_gram() {
  static const Theorem t{"gram",
                         "exact inner-product statistics of seeded random sign keys (docs/theorems.md#gram)",
                         setup,
                         {{"default", {"--N 4096 --d 256 --seed 1 --rho-max 1/2", "--N 16384 --d 512 --seed 2 --rho-max 1/3"}},
                          {"quick", {"--N 512 --d 128 --seed 1 --rho-max 3/4"}}},
                         std::nullopt,
                         "check_gram"};
  return t;
}

}  // namespace attncert::verifiers
