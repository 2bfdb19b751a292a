// lemmas (docs/theorems.md#lemmas): the sign-margin and decoding lemmas as SMT-LIB2 scripts, proved
// by Z3 (unsat of the negation) and re-checked by cvc5 as a second route.
#pragma once
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

Outcome verify_lemmas(unsigned timeout_ms, const CommonOptions& opt);

}  // namespace attncert::verifiers
