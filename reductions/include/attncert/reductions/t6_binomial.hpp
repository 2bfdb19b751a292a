// Exact binomial tails and exact Clopper-Pearson bounds (T6's statistical claims, t6.hpp).
//
// For X ~ Binomial(N, p) with rational p = a/D, P[X <= x] = sum_{i<=x} C(N,i) a^i (D-a)^{N-i} / D^N
// is evaluated exactly with integers: T_0 = (D-a)^N, T_{i+1} = T_i (N-i) a / ((i+1)(D-a)) (an exact
// division: T_{i+1} is the integer C(N,i+1) a^{i+1} (D-a)^{N-i-1}); the shorter side of the sum is
// taken (1 - the upper tail when x > N/2). Cost: min(x, N-x) steps on N log2(D)-bit integers.
//
// Clopper-Pearson: for x successes in N trials and a one-sided level lambda, the upper bound is a
// dyadic hi (grid 2^-cp_grid_bits) with P_hi[X <= x] <= lambda, the lower bound a dyadic lo with
// P_lo[X >= x] <= lambda. Floating point proposes (bisection on a log-space sum), moved outward by a
// margin; the exact sum decides, and the margin grows until it does. A bound so found is at least as
// wide as the exact Clopper-Pearson bound, so P_p[p > hi(X)] <= lambda and P_p[p < lo(X)] <= lambda.
#pragma once
#include <cstdint>

#include "attncert/core/rational.hpp"

namespace attncert::reductions::t6 {

inline constexpr unsigned cp_grid_bits = 20;

// P[X <= x], X ~ Binomial(N, p), exactly; p in [0, 1]. x >= N gives 1.
core::Rational binomial_cdf(std::uint64_t N, std::uint64_t x, const core::Rational& p);
// P[X <= x] <= level and P[X >= x] <= level, decided exactly.
bool cdf_at_most(std::uint64_t N, std::uint64_t x, const core::Rational& p, const core::Rational& level);
bool sf_at_most(std::uint64_t N, std::uint64_t x, const core::Rational& p, const core::Rational& level);

core::Rational cp_upper(std::uint64_t N, std::uint64_t x, const core::Rational& level);  // 1 when x = N
core::Rational cp_lower(std::uint64_t N, std::uint64_t x, const core::Rational& level);  // 0 when x = 0

}  // namespace attncert::reductions::t6
