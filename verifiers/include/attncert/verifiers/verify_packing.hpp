// packing (docs/theorems.md#packing): exact small-case packing numbers P(d, t), the largest set of
// vectors in {±1}^d with pairwise inner products <= t, each with its witness and, where the solver
// proved unsat at one more, the claim that it is optimal; compared with the cited table A(d, D),
// the best linear code among T2's candidates, the greedy lexicode and random keys.
#pragma once
#include <cstdint>
#include <optional>

#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

struct PackingOptions {
  int d_min = 2, d_max = 7;   // 2 <= d_min <= d_max <= 10
  std::optional<int> t;       // one t in [-d, d-1] for every d; none: every D = 1..d (t = d - 2D)
  unsigned timeout_ms = 10000;  // per solver query
};
Outcome verify_packing(const PackingOptions& prm, const CommonOptions& opt);

}  // namespace attncert::verifiers
