// Certified attention reference: exact rational q, K, V in; an interval per output coordinate out.
// Attn(q, K, V) = sum_j e^{<q,k_j>} v_j / sum_j e^{<q,k_j>} (no 1/sqrt(d): a scale is part of q).
#pragma once
#include <vector>

#include "attncert/core/interval.hpp"
#include "attncert/core/rational.hpp"

namespace attncert::core {

using RationalVector = std::vector<Rational>;
using RationalMatrix = std::vector<RationalVector>;  // row-major: one row per token

struct AttentionEnclosure {
  std::vector<Interval> out;  // one enclosure per output coordinate
  mpfr_prec_t precision;      // precision at which every width reached the target
};

// Scores <q, k_j> are exact rationals; exp is enclosed after subtracting the exact maximum score
// (so every exponential lies in (0, 1]). The precision starts at 64 bits and doubles until every
// output interval is at most `max_width` wide (core::refine); throws core::Undecided if `max_prec`
// is not enough and std::invalid_argument on shape errors or an empty cache.
AttentionEnclosure attention_reference(const RationalVector& q, const RationalMatrix& K,
                                       const RationalMatrix& V, const Rational& max_width,
                                       mpfr_prec_t max_prec = 1 << 14);

}  // namespace attncert::core
