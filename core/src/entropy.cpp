#include "attncert/core/entropy.hpp"

#include <optional>
#include <stdexcept>

#include "attncert/core/refine.hpp"

namespace attncert::core {

Interval h2(const Rational& p, mpfr_prec_t prec) {
  if (p < 0 || p > 1) throw std::domain_error("h2: p must lie in [0, 1]");
  if (p == 0 || p == 1) return Interval::from_long(0, prec);
  Rational q = 1 - p;
  // -p log2 p - q log2 q, each term enclosed; p and q are exact rationals.
  Interval ip = Interval::from_rational(p, prec), iq = Interval::from_rational(q, prec);
  Interval r = -(ip * log2(ip)) - iq * log2(iq);
  // 0 <= H2 <= 1 always: intersecting with [0, 1] is sound and keeps it tidy.
  return intersect(r, Interval::hull(0, 1, prec));
}

IndexBound index_bound(const Integer& N, const Rational& p, const Rational& slack) {
  if (N < 1) throw std::domain_error("index_bound: N must be >= 1");
  if (p < 0 || p * 2 > 1) throw std::domain_error("index_bound: p must lie in [0, 1/2]");
  // Refine until N * width(H2) <= slack; at the last precision the (looser, still sound) bound is
  // returned as it is.
  constexpr mpfr_prec_t kLimit = 1 << 16;
  return refine(
      [&](mpfr_prec_t prec) -> std::optional<IndexBound> {
        Interval h = h2(p, prec);
        Rational lo = h.lo_q(), hi = h.hi_q();
        if (Rational(N) * (hi - lo) > slack && prec < kLimit) return std::nullopt;
        // The claim is rounded down to a short dyadic (2^-32 bits) so certificates stay readable.
        IndexBound b{p, N, lo, hi, round_down(Rational(N) * (1 - hi), 32), 0, prec};
        if (b.bits < 0) b.bits = 0;
        b.bits_ceil = ceil(b.bits);
        return b;
      },
      "index_bound", 64, kLimit);
}

}  // namespace attncert::core
