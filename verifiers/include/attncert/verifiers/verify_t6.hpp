// t6 (docs/theorems.md#t6): statistical verification of lazy Gumbel sampling, the plain-mean
// estimator and the kNN-attention error identity (reductions/t6.hpp).
#pragma once
#include "attncert/reductions/t6.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

// Exit status: certified when (a)-(d) all pass, refuted when one fails decisively (a correct
// sampler is refuted with probability <= alpha), inconclusive otherwise.
Outcome verify_t6(const reductions::t6::Request& r, const CommonOptions& opt);

}  // namespace attncert::verifiers
