#include <chrono>

#include "attncert/core/entropy.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/theorems.hpp"

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
  o.certificate["derived"] = {{"H2(p)", interval_json(b.h2_lo, b.h2_hi)}};
  o.certificate["claim"] = bits_claim_json("one_way_message_bits_lower_bound", b.bits, b.bits_ceil);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

}  // namespace attncert::verifiers
