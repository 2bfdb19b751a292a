#include "attncert/core/incomplete_beta.hpp"

#include <stdexcept>
#include <string>

namespace attncert::core {

namespace {

// k = 2a for a positive half-integer a; throws otherwise.
long twice(const Rational& a, const char* what) {
  const Rational t = 2 * a;
  if (a <= 0 || boost::multiprecision::denominator(t) != 1 || t > 1000000)
    throw std::invalid_argument(std::string("incomplete beta: ") + what + " = " + to_string(a) +
                                " is not a positive multiple of 1/2 (at most 500000)");
  return boost::multiprecision::numerator(t).convert_to<long>();
}

Integer factorial(long n) {
  Integer f = 1;
  for (long i = 2; i <= n; ++i) f *= i;
  return f;
}

// Γ(k/2) = q · sqrt(π)^(k odd), with q rational:
//   k = 2m:      Γ(m) = (m-1)!
//   k = 2m + 1:  Γ(m + 1/2) = (2m)! / (4^m m!) · sqrt(π)   (from Γ(1/2) = sqrt(π) and Γ(z+1) = zΓ(z)).
Rational gamma_half_rational(long k) {
  if (k % 2 == 0) return Rational(factorial(k / 2 - 1));
  const long m = (k - 1) / 2;
  return Rational(factorial(2 * m), Integer(Integer(1) << static_cast<unsigned>(2 * m)) * factorial(m));
}

// x^(k/2) for rational x >= 0: the exact rational x^floor(k/2), times sqrt(x) (enclosed) when k is odd.
Interval half_power(const Rational& x, long k, mpfr_prec_t prec) {
  Rational p = 1;
  for (long i = 0; i < k / 2; ++i) p *= x;
  Interval r = Interval::from_rational(p, prec);
  if (k % 2 == 1) r = r * sqrt(Interval::from_rational(x, prec));
  return r;
}

// I_x(a, b) by the hypergeometric series (DLMF 8.17.8)
//   I_x(a, b) = x^a (1-x)^b / (a B(a, b)) · Σ_{n>=0} t_n,   t_0 = 1,
//   t_{n+1} = t_n · r_n,   r_n = x (a + b + n) / (a + 1 + n),
// valid for 0 <= x < 1. Remainder: (a+b+n)/(a+1+n) = 1 + (b-1)/(a+1+n) is monotone in n
// (increasing to 1 when b < 1, decreasing to 1 when b > 1, constant when b = 1), so for every
// m >= n, r_m <= rho := max(r_n, x). When rho < 1, t_m <= t_n rho^(m-n) and the tail from n on is
// at most t_n / (1 - rho). All t_n > 0, so the partial sum is a lower bound on the series and the
// partial sum plus that tail bound an upper bound; both are carried in outward-rounded intervals.
Interval by_series(const Rational& x, const Rational& a, const Rational& b, mpfr_prec_t prec) {
  const long ka = twice(a, "a"), kb = twice(b, "b");
  const mpfr_prec_t wp = prec + 32;
  Interval sum = Interval::from_long(0, wp), t = Interval::from_long(1, wp);
  const Interval eps = Interval::from_rational(pow2(-static_cast<long>(prec) - 8), wp);
  for (long n = 0;; ++n) {
    const Rational rn = x * (a + b + n) / (a + 1 + n);
    const Rational rho = rn > x ? rn : x;
    if (rho < 1) {
      const Interval tail = t / Interval::from_rational(1 - rho, wp);
      // Stop once the tail is below 2^-(prec+8); the sum is >= t_0 = 1, so this is relative.
      if (less_equal(tail, eps) == Tribool::yes) {
        const Interval series = sum + Interval::hull(0, tail.hi_q(), wp);
        const Interval pre = half_power(x, ka, wp) * half_power(1 - x, kb, wp) /
                             (Interval::from_rational(a, wp) * beta_enclosure(a, b, wp));
        return pre * series;
      }
    }
    if (n > 100000000) throw std::runtime_error("incomplete beta: series did not converge");
    sum = sum + t;
    t = t * Interval::from_rational(rn, wp);
  }
}

}  // namespace

HalfIntegerBeta beta_half_integers(const Rational& a, const Rational& b) {
  const long ka = twice(a, "a"), kb = twice(b, "b");
  HalfIntegerBeta r;
  // B = Γ(a)Γ(b)/Γ(a+b); the sqrt(π) factors: (ka odd) + (kb odd) - ((ka+kb) odd), which is 2
  // (one π) when both are odd and 0 otherwise.
  r.rational = gamma_half_rational(ka) * gamma_half_rational(kb) / gamma_half_rational(ka + kb);
  r.pi_power = (ka % 2 == 1 && kb % 2 == 1) ? 1 : 0;
  return r;
}

Interval beta_enclosure(const Rational& a, const Rational& b, mpfr_prec_t prec) {
  const HalfIntegerBeta hb = beta_half_integers(a, b);
  Interval r = Interval::from_rational(hb.rational, prec);
  if (hb.pi_power == 1) {
    // π enclosed by MPFR's correctly rounded constant, once rounded down and once up.
    mpfr_t lo, hi;
    mpfr_inits2(prec, lo, hi, static_cast<mpfr_ptr>(nullptr));
    mpfr_const_pi(lo, MPFR_RNDD);
    mpfr_const_pi(hi, MPFR_RNDU);
    r = r * Interval::hull(to_rational(lo), to_rational(hi), prec);
    mpfr_clears(lo, hi, static_cast<mpfr_ptr>(nullptr));
  }
  return r;
}

Interval regularized_incomplete_beta(const Rational& x, const Rational& a, const Rational& b, mpfr_prec_t prec) {
  twice(a, "a");
  twice(b, "b");
  if (x < 0 || x > 1) throw std::invalid_argument("incomplete beta: x = " + to_string(x) + " is outside [0, 1]");
  if (x == 0) return Interval::from_long(0, prec);
  if (x == 1) return Interval::from_long(1, prec);
  // The series converges geometrically with ratio about x; past the mean (a+1)/(a+b+2) use the
  // reflection I_x(a, b) = 1 - I_{1-x}(b, a) (DLMF 8.17.4), whose series has ratio about 1 - x.
  Interval r = x <= (a + 1) / (a + b + 2) ? by_series(x, a, b, prec)
                                          : Interval::from_long(1, prec + 32) - by_series(1 - x, b, a, prec);
  // I_x is a probability: clip the enclosure to [0, 1] (the true value lies in both).
  return intersect(r, Interval::hull(0, 1, prec + 32));
}

}  // namespace attncert::core
