// Lemma certificates: SMT-LIB2 scripts asserting a lemma's negation, which the producer's Z3
// proved unsat. The checker links no solver, so Z3's answer is taken on the producer's word and
// labelled as such; the second route is cvc5, run here as a separate program on the checker's
// own copy of each statement.
#include <algorithm>

#include "cert.hpp"
#include "json_strict.hpp"
#include "lemmas.hpp"

namespace attncert::checker {

namespace {
struct Lemma {
  std::string name, stored_cvc5;  // stored_cvc5: what the certificate says the producer's cvc5 did
  const LemmaStatement* statement = nullptr;
};

std::vector<Lemma> read_lemmas(const json& inst, const json& claim) {
  const json& stated = inst.at("lemmas");
  const json& claimed = claim.at("lemmas");
  if (!stated.is_array() || stated.empty()) throw Malformed("instance.lemmas must be a non-empty array");
  if (!claimed.is_array() || claimed.size() != stated.size())
    throw Malformed("claim.lemmas must list the lemmas of instance.lemmas, in the same order");
  std::vector<Lemma> out;
  for (std::size_t i = 0; i < stated.size(); ++i) {
    const std::string si = "instance.lemmas[" + std::to_string(i) + "]", ci = "claim.lemmas[" + std::to_string(i) + "]";
    expect_keys(stated[i], si, {"name", "smtlib2"});
    expect_keys(claimed[i], ci, {"name", "z3", "cvc5"});
    Lemma l{text(stated[i], si, "name"), text(claimed[i], ci, "cvc5"), nullptr};
    if (text(claimed[i], ci, "name") != l.name) throw Malformed(ci + ".name differs from " + si + ".name");
    if (std::any_of(out.begin(), out.end(), [&](const Lemma& o) { return o.name == l.name; }))
      throw Malformed(si + ".name: lemma '" + l.name + "' is listed twice");
    if (text(claimed[i], ci, "z3") != "unsat") throw Malformed(ci + ".z3 must be \"unsat\"");
    if (l.stored_cvc5 != "unsat" && l.stored_cvc5 != "unknown" && l.stored_cvc5 != "unavailable")
      throw Malformed(ci + ".cvc5 must be \"unsat\", \"unknown\" or \"unavailable\"");
    // The statement must be the checker's own: else a trivially unsat script could pose as the lemma.
    const auto& table = lemma_statements();
    auto it = std::find_if(table.begin(), table.end(), [&](const LemmaStatement& s) { return s.name == l.name; });
    if (it == table.end()) throw Rejected(si + ".name: '" + l.name + "' is not a lemma this checker knows");
    if (collapse_whitespace(text(stated[i], si, "smtlib2")) != collapse_whitespace(it->smtlib2))
      throw Rejected(si + ".smtlib2: the statement of '" + l.name + "' differs from the checker's");
    l.statement = &*it;
    out.push_back(l);
  }
  return out;
}
}  // namespace

void check_lemmas(const Cert& c) {
  c.expect_sections({});
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"timeout_ms"});
  integer_in(prm, "parameters", "timeout_ms", 1, UINT32_MAX);  // the producer's Z3 limit: read, not used
  expect_keys(c.doc.at("instance"), "instance", {"lemmas"});
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "lemmas"});
  if (text(claim, "claim", "kind") != "smt_lemmas_unsat") throw Malformed("claim.kind is not smt_lemmas_unsat");
  const std::vector<Lemma> lemmas = read_lemmas(c.doc.at("instance"), claim);

  // cvc5 on every lemma first, then the verdict: a counterexample outranks an unconfirmed claim.
  std::vector<SmtRun> runs;
  for (const Lemma& l : lemmas) runs.push_back(run_cvc5(l.statement->smtlib2, c.opt.smt_timeout_ms));
  for (std::size_t i = 0; i < lemmas.size(); ++i)
    if (runs[i].answer == SmtAnswer::sat) throw Rejected("lemma " + lemmas[i].name + ": cvc5 finds a counterexample (sat)");
  std::size_t reproved = 0;
  std::string z3_only;
  for (std::size_t i = 0; i < lemmas.size(); ++i) {
    if (runs[i].answer == SmtAnswer::unsat) {
      ++reproved;
    } else if (lemmas[i].stored_cvc5 == "unsat") {
      throw Inconclusive("lemma " + lemmas[i].name + ": the certificate says cvc5 proved it, cvc5 here: " + runs[i].detail);
    } else {
      z3_only += (z3_only.empty() ? ": " : ", ") + lemmas[i].name + " (cvc5 here: " + runs[i].detail + ")";
    }
  }
  c.summary = std::to_string(lemmas.size()) + " lemmas: " + std::to_string(reproved) +
              " re-proved by cvc5 (second route), " + std::to_string(lemmas.size() - reproved) +
              " Z3-only (the producer's word)" + z3_only;
}

}  // namespace attncert::checker
