#include <chrono>

#include "attncert/reductions/lemmas.hpp"
#include "attncert/verifiers/theorems.hpp"

namespace attncert::verifiers {

Outcome verify_lemmas(unsigned timeout_ms, const CommonOptions&) {
  auto t0 = std::chrono::steady_clock::now();
  Outcome o;
  o.theorem = "lemmas";
  o.label = "Z3, timeout " + std::to_string(timeout_ms) + " ms";
  auto results = reductions::prove_decoding_lemmas(timeout_ms);
  int proved = 0;
  o.status = certified;
  for (const auto& r : results) {
    o.table.push_back({r.name, std::string(core::to_string(r.verdict)) + " (" + r.reason + ")"});
    if (r.verdict == core::LemmaVerdict::proved) ++proved;
    else if (r.verdict == core::LemmaVerdict::refuted) {
      o.status = refuted;
      o.reason = r.name + " refuted: " + r.reason;
    } else if (o.status == certified) {
      o.status = inconclusive;
      o.reason = r.name + " inconclusive: " + r.reason;
    }
  }
  if (o.status == certified)
    o.claim = std::to_string(proved) + "/" + std::to_string(results.size()) + " lemmas proved (unsat of negation)";
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

}  // namespace attncert::verifiers
