// gram (docs/theorems.md#gram): near-orthogonality of seeded random sign keys, the statistic behind
// T1/T2/T5: the exact off-diagonal inner-product histogram and rho = max_{i != j} <s_i, s_j> / d,
// optionally certified against a threshold rho_max (refuted with the offending pair).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

struct GramParams {
  std::uint64_t N = 1024, d = 128;  // N keys of dimension d
  std::optional<core::Rational> rho_max;
};
Outcome verify_gram(const GramParams& prm, const CommonOptions& opt);

// The exact Gram histograms of `keys` with a progress bar on stderr (unless --quiet/--json).
core::GramHistogram gram_with_progress(const core::SignMatrix& keys, const std::string& label, const CommonOptions& opt);

}  // namespace attncert::verifiers
