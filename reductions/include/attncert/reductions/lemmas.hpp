// Small-case lemmas of spec §9 proved with Z3 (unsat of the negation over the reals).
#pragma once
#include <string>
#include <vector>

#include "attncert/core/z3_prover.hpp"

namespace attncert::reductions {

// hypotheses => conclusion, universally quantified over the real constants that appear.
struct LemmaStatement {
  std::string name;
  std::vector<z3::expr> hypotheses;
  z3::expr conclusion;
};

// Lemma 2 (sign margin) with `others` competing tokens, Lemma 3 for `rel` and `abs`, and the
// `l2` flip count for two coordinates, built in context `c`.
std::vector<LemmaStatement> decoding_lemmas(z3::context& c, int others = 3);

std::vector<core::LemmaResult> prove_decoding_lemmas(unsigned timeout_ms, int others = 3);

}  // namespace attncert::reductions
