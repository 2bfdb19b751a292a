#include "attncert/verifiers/verify_lemmas.hpp"

#include <chrono>
#include <memory>

#include "attncert/reductions/lemmas.hpp"
#include "attncert/reductions/limits.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/registry.hpp"

namespace attncert::verifiers {

Outcome verify_lemmas(unsigned timeout_ms, const CommonOptions&) {
  auto t0 = std::chrono::steady_clock::now();
  Outcome o;
  o.theorem = "lemmas";
  o.label = "Z3 + cvc5, timeout " + std::to_string(timeout_ms) + " ms";
  const auto lemmas = reductions::decoding_lemma_scripts();
  const auto proofs = reductions::prove_lemmas(lemmas, timeout_ms);
  int proved = 0, second = 0;
  std::string z3_only;
  o.status = certified;
  auto demote = [&](int status, const std::string& why) {
    if (o.status == certified || (o.status == inconclusive && status == refuted)) {
      o.status = status;
      o.reason = why;
    }
  };
  nlohmann::json inst = nlohmann::json::array(), claimed = nlohmann::json::array();
  for (std::size_t k = 0; k < lemmas.size(); ++k) {
    const auto& z = proofs[k].z3;
    const std::string& c5 = proofs[k].cvc5;
    std::string routes = "Z3 " + std::string(core::to_string(z.verdict)) + " (" + z.reason + "); cvc5 " + c5;
    if (z.verdict == core::LemmaVerdict::proved && c5 == "unsat") routes += ": both routes agree";
    else if (z.verdict == core::LemmaVerdict::proved) routes += ": Z3-only";
    o.table.push_back({lemmas[k].name, routes});
    if (z.verdict == core::LemmaVerdict::refuted) demote(refuted, lemmas[k].name + " refuted by Z3: " + z.reason);
    else if (z.verdict != core::LemmaVerdict::proved) demote(inconclusive, lemmas[k].name + " inconclusive: " + z.reason);
    else if (c5 == "sat") demote(inconclusive, lemmas[k].name + ": Z3 proves it but cvc5 finds it satisfiable (solvers disagree)");
    else {
      ++proved;
      if (c5 == "unsat") ++second;
      else z3_only += (z3_only.empty() ? "" : ", ") + lemmas[k].name;
    }
    inst.push_back({{"name", lemmas[k].name}, {"smtlib2", lemmas[k].smtlib2}});
    claimed.push_back({{"name", lemmas[k].name}, {"z3", "unsat"}, {"cvc5", c5 == "unsat" || c5 == "unavailable" ? c5 : "unknown"}});
  }
  if (o.status == certified) {
    o.claim = std::to_string(proved) + "/" + std::to_string(lemmas.size()) + " lemmas proved by Z3 (unsat of negation), " +
              std::to_string(second) + " also by cvc5" + (z3_only.empty() ? "" : "; Z3-only: " + z3_only);
    o.reason = "second route: cvc5 " + std::to_string(second) + "/" + std::to_string(lemmas.size());
    o.certificate = certificate_header("lemmas");
    o.certificate["parameters"] = {{"timeout_ms", std::to_string(timeout_ms)}};
    o.certificate["instance"] = {{"lemmas", inst}};
    o.certificate["claim"] = {{"kind", "smt_lemmas_unsat"}, {"lemmas", claimed}};
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

namespace {
Runner setup(CLI::App& sub) {
  auto timeout = std::make_shared<std::string>(std::to_string(reductions::defaults::lemma_timeout_ms));
  sub.add_option("--timeout-ms", *timeout, "time limit per lemma and solver in milliseconds (default " + *timeout + ")");
  return [timeout](const CommonOptions& opt) {
    return verify_lemmas(static_cast<unsigned>(parse_count(*timeout, "--timeout-ms", 1, 3600000)), opt);
  };
}
}  // namespace

const Theorem& theorem_lemmas() {
  static const Theorem t{"lemmas",
                         "Z3 proofs of the sign-margin and decoding lemmas, re-checked by cvc5 (docs/theorems.md#lemmas)",
                         setup,
                         {{"default", {"--timeout-ms 20000"}}, {"quick", {"--timeout-ms 20000"}}},
                         std::nullopt,
                         "check_lemmas"};
  return t;
}

}  // namespace attncert::verifiers
