// Small-case lemmas (docs/theorems.md#lemmas), each an SMT-LIB2 script (QF_NRA) that asserts the
// hypotheses and, last, the negated conclusion: the lemma holds iff the script is unsat. The text
// is the statement: Z3 parses it, cvc5 reads the same text as a second route, certificates store
// it, and the independent checker compares it with its own copy.
#pragma once
#include <string>
#include <vector>

#include "attncert/core/z3_prover.hpp"

namespace attncert::reductions {

struct SmtLemma {
  std::string name;     // e.g. "lemma3_decoding_rel"
  std::string smtlib2;  // set-logic, declarations, asserts (negated conclusion last), check-sat
};

// Lemma 2 (sign margin) with `others` competing tokens, Lemma 3 for rel and abs, and the l2 flip
// count for two coordinates.
std::vector<SmtLemma> decoding_lemma_scripts(int others = 3);

// A script parsed into Z3: hypotheses => conclusion, universally quantified over its constants.
struct LemmaStatement {
  std::string name;
  std::vector<z3::expr> hypotheses;
  z3::expr conclusion;
};
LemmaStatement parse_lemma(z3::context& c, const SmtLemma& l);
std::vector<LemmaStatement> decoding_lemmas(z3::context& c, int others = 3);

// One lemma's verdicts by both routes.
struct LemmaProof {
  core::LemmaResult z3;  // attncert's Z3 trust policy (core/z3_prover.hpp)
  std::string cvc5;      // "unsat", "sat", "unknown" (incl. timeout), "unavailable"
};
std::vector<LemmaProof> prove_lemmas(const std::vector<SmtLemma>& lemmas, unsigned timeout_ms);
std::vector<core::LemmaResult> prove_decoding_lemmas(unsigned timeout_ms, int others = 3);  // Z3 only

}  // namespace attncert::reductions
