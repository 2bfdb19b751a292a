// Exact binomial tails and Clopper-Pearson bounds (t6_binomial.hpp).
#include "attncert/reductions/t6_binomial.hpp"

#include <gmp.h>

#include <cmath>
#include <stdexcept>

namespace attncert::reductions::t6 {

using core::Integer;
using core::Rational;

namespace {

// sum_{i in [from, to]} C(N,i) a^i b^{N-i}, with b = D - a > 0 and a > 0, by the recurrence from the
// nearer end (from == 0 walks up from T_0 = b^N; to == N walks down from T_N = a^N).
Integer partial_sum(std::uint64_t N, std::uint64_t from, std::uint64_t to, const Integer& a, const Integer& b) {
  Integer t, sum = 0;
  if (from == 0) {
    mpz_pow_ui(t.backend().data(), b.backend().data(), N);
    for (std::uint64_t i = 0;; ++i) {
      sum += t;
      if (i == to) break;
      mpz_mul_ui(t.backend().data(), t.backend().data(), N - i);
      mpz_mul(t.backend().data(), t.backend().data(), a.backend().data());
      mpz_divexact_ui(t.backend().data(), t.backend().data(), i + 1);
      mpz_divexact(t.backend().data(), t.backend().data(), b.backend().data());
    }
  } else {
    if (to != N) throw std::logic_error("partial_sum: one end must be 0 or N");
    mpz_pow_ui(t.backend().data(), a.backend().data(), N);
    for (std::uint64_t i = N;; --i) {
      sum += t;
      if (i == from) break;
      mpz_mul_ui(t.backend().data(), t.backend().data(), i);
      mpz_mul(t.backend().data(), t.backend().data(), b.backend().data());
      mpz_divexact_ui(t.backend().data(), t.backend().data(), N - i + 1);
      mpz_divexact(t.backend().data(), t.backend().data(), a.backend().data());
    }
  }
  return sum;
}

// P[X <= x] as an exact fraction num / D^N.
Rational cdf_exact(std::uint64_t N, std::uint64_t x, const Rational& p) {
  if (p < 0 || p > 1) throw std::invalid_argument("binomial_cdf: p outside [0, 1]");
  if (x >= N) return 1;
  if (p == 0) return 1;
  if (p == 1) return 0;
  const Integer a = boost::multiprecision::numerator(p), D = boost::multiprecision::denominator(p), b = D - a;
  Integer DN;
  mpz_pow_ui(DN.backend().data(), D.backend().data(), N);
  if (x <= N / 2) return Rational(partial_sum(N, 0, x, a, b), DN);
  return Rational(DN - partial_sum(N, x + 1, N, a, b), DN);
}

// log P[X <= x] in long double (proposal only): the term at i = x by lgamma, then the ratios
// T_{i-1}/T_i = i (1-p) / ((N-i+1) p) walking down, stopped once the terms are negligible.
long double log_cdf(std::uint64_t N, std::uint64_t x, long double p) {
  if (x >= N || p <= 0) return 0;
  if (p >= 1) return -INFINITY;
  const long double lx = std::lgamma(static_cast<long double>(N) + 1) - std::lgamma(static_cast<long double>(x) + 1) -
                         std::lgamma(static_cast<long double>(N - x) + 1) + x * std::log(p) + (N - x) * std::log1p(-p);
  const long double r = (1 - p) / p;
  long double t = 1, s = 1, scale_log = 0;
  for (std::uint64_t i = x; i > 0; --i) {
    t *= static_cast<long double>(i) / static_cast<long double>(N - i + 1) * r;
    s += t;
    if (s > 1e300L) {  // renormalize (terms may grow before they fall)
      scale_log += std::log(s);
      t /= s;
      s = 1;
    }
    if (t < s * 1e-30L && static_cast<long double>(i) * r < static_cast<long double>(N - i + 1)) break;
  }
  return lx + scale_log + std::log(s);
}

Rational on_grid(long double p, bool up) {
  const long double scale = std::ldexp(1.0L, cp_grid_bits);
  long double v = up ? std::ceil(p * scale) : std::floor(p * scale);
  v = std::min(std::max(v, 0.0L), scale);
  return Rational(Integer(static_cast<std::uint64_t>(v)), Integer(1) << cp_grid_bits);
}

}  // namespace

Rational binomial_cdf(std::uint64_t N, std::uint64_t x, const Rational& p) { return cdf_exact(N, x, p); }

bool cdf_at_most(std::uint64_t N, std::uint64_t x, const Rational& p, const Rational& level) {
  return cdf_exact(N, x, p) <= level;
}

bool sf_at_most(std::uint64_t N, std::uint64_t x, const Rational& p, const Rational& level) {
  if (x == 0) return Rational(1) <= level;
  return 1 - cdf_exact(N, x - 1, p) <= level;
}

Rational cp_upper(std::uint64_t N, std::uint64_t x, const Rational& level) {
  if (x >= N) return 1;
  const long double target = std::log(static_cast<long double>(level.convert_to<double>()));
  // P_p[X <= x] decreases in p: bisection for log_cdf(p) = target.
  long double lo = 0, hi = 1;
  for (int it = 0; it < 80; ++it) {
    const long double mid = (lo + hi) / 2;
    (log_cdf(N, x, mid) > target ? lo : hi) = mid;
  }
  for (long double margin = 1e-9L;; margin *= 16) {
    const Rational cand = on_grid(std::min<long double>(1, hi + margin + hi * margin), true);
    if (cdf_at_most(N, x, cand, level)) return cand;
    if (cand == 1) return 1;  // P_1[X <= x] = 0 <= level for x < N
  }
}

Rational cp_lower(std::uint64_t N, std::uint64_t x, const Rational& level) {
  if (x == 0) return 0;
  const long double target = std::log(static_cast<long double>(level.convert_to<double>()));
  // P_p[X >= x] = 1 - P_p[X <= x-1] increases in p: bisection; by symmetry P_p[X >= x] =
  // P_{1-p}[X <= N - x].
  long double lo = 0, hi = 1;
  for (int it = 0; it < 80; ++it) {
    const long double mid = (lo + hi) / 2;
    (log_cdf(N, N - x, 1 - mid) > target ? hi : lo) = mid;
  }
  for (long double margin = 1e-9L;; margin *= 16) {
    const Rational cand = on_grid(std::max<long double>(0, lo - margin - lo * margin), false);
    if (sf_at_most(N, x, cand, level)) return cand;
    if (cand == 0) return 0;
  }
}

}  // namespace attncert::reductions::t6
