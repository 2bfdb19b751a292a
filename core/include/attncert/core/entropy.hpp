// Certified binary entropy and the INDEX one-way communication bound (docs/theorems.md#index).
#pragma once
#include "attncert/core/interval.hpp"
#include "attncert/core/rational.hpp"

namespace attncert::core {

// Enclosure of H2(p) = -p log2 p - (1-p) log2(1-p) for an exact rational p in [0, 1].
// Exact at p in {0, 1/2, 1}. Throws std::domain_error outside [0, 1].
Interval h2(const Rational& p, mpfr_prec_t prec);

struct IndexBound {
  Rational p;            // average error probability
  Integer N;             // INDEX length
  Rational h2_lo, h2_hi; // certified enclosure of H2(p)
  Rational bits;         // certified lower bound N (1 - h2_hi) on the message length (>= 0)
  Integer bits_ceil;     // message lengths are integers: >= ceil(bits)
  mpfr_prec_t precision; // working precision that reached the requested tightness
};

// The bound N (1 - H2(p)) bits for p in [0, 1/2], with H2 enclosed at increasing precision until
// N * width(H2) <= slack (default 2^-20 bits). Throws std::domain_error for p outside [0, 1/2]
// or N < 1.
IndexBound index_bound(const Integer& N, const Rational& p, const Rational& slack = pow2(-20));

}  // namespace attncert::core
