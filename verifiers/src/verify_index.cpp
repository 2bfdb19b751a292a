#include <chrono>

#include <memory>

#include "attncert/core/entropy.hpp"
#include "attncert/reductions/certificate_json.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/verify_index.hpp"

namespace attncert::verifiers {

Outcome verify_index(const IndexParams& prm, const CommonOptions&) {
  auto t0 = std::chrono::steady_clock::now();
  if (prm.N < 1) throw BadInput("--N must be >= 1");
  if (prm.p < 0 || prm.p * 2 > 1) throw BadInput("--p: " + core::to_string(prm.p) + " is outside [0, 1/2]");
  Outcome o;
  o.theorem = "index";
  o.label = "N=" + core::to_string(prm.N) + " p=" + core::to_string(prm.p);
  core::IndexBound b = core::index_bound(prm.N, prm.p);
  o.status = certified;
  o.claim = "every one-way protocol for INDEX_" + core::to_string(prm.N) + " with average error <= " +
            core::to_string(prm.p) + " sends >= " + core::to_string(b.bits_ceil) + " bits";
  o.reason = "H2(p) enclosed to " + std::to_string(b.precision) + " bits";
  auto approx = [](const core::Rational& r) { return std::to_string(r.convert_to<double>()); };
  o.table = {{"N", core::to_string(prm.N)},
             {"p", core::to_string(prm.p)},
             {"H2(p) in", "[" + approx(b.h2_lo) + ", " + approx(b.h2_hi) + "]"},
             {"bound N(1-H2(p)) >=", core::to_string(b.bits) + " (~" + approx(b.bits) + ")"},
             {"certified bits", core::to_string(b.bits_ceil)},
             {"bits / N", approx(b.bits / core::Rational(prm.N))}};
  o.certificate = certificate_header("index");
  o.certificate["parameters"] = {{"N", core::to_string(prm.N)}, {"p", core::to_string(prm.p)}};
  o.certificate["instance"] = nullptr;  // INDEX is a statement about all protocols: no instance
  o.certificate["derived"] = {{"H2(p)", reductions::interval_json(b.h2_lo, b.h2_hi)}};
  o.certificate["claim"] = reductions::bits_claim_json("one_way_message_bits_lower_bound", b.bits, b.bits_ceil);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

namespace {
Runner setup(CLI::App& sub) {
  auto N = std::make_shared<std::string>("100000");
  auto p = std::make_shared<std::string>("1/10");
  sub.add_option("--N", *N, "INDEX length N (default 100000)");
  sub.add_option("--p", *p, "average error probability p in [0, 1/2], exact: 0.1 or 1/10 (default 1/10)");
  return [N, p](const CommonOptions& opt) {
    IndexParams prm;
    prm.N = parse_count(*N, "--N", 1, ~std::uint64_t{0});
    prm.p = parse_rational_param(*p, "--p");
    return verify_index(prm, opt);
  };
}
}  // namespace

const Theorem& theorem_index() {
  static const Theorem t{"index",
                         "INDEX one-way communication bound N(1 - H2(p)) bits (docs/theorems.md#index)",
                         setup,
                         {{"default", {"--N 100000 --p 1/10", "--N 1000000 --p 1/100", "--N 4096 --p 1/3", "--N 1024 --p 1/2"}},
                          {"quick", {"--N 100000 --p 1/10"}}},
                         std::nullopt,
                         "check_index"};
  return t;
}

}  // namespace attncert::verifiers
