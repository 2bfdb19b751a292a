// T6 (docs/theorems.md#t6): estimators of the attention output o_i = E_{j ~ D_i}[v_j] from exact
// samples j ~ D_i (lazy_gumbel.hpp), and how many samples they take.
//
// Plain mean. Formalization (ours, README "Formalizations of ours"): with
//   l = ceil((2 / eps^2) ln(2 n d / delta))
// exact samples per query, the mean of the sampled v_j satisfies
//   max_{i <= n, c <= d} |o^_ic - o_ic| <= eps ||V||_max   with probability >= 1 - delta:
// each coordinate is a mean of l i.i.d. values in [-||V||_max, ||V||_max], Hoeffding gives
// P[|o^_ic - o_ic| > eps ||V||_max] <= 2 exp(-l eps^2 / 2) <= delta / (n d), and a union bound over
// the n d pairs (i, c) finishes.
//
// Median of means. Formalization (ours): g = ceil(8 ln(n d / delta)) groups of b = ceil(4 / eps^2)
// samples; per coordinate the median (lower median for even g) of the g group means. Same claim:
// a group mean misses by more than eps ||V||_max with probability <= Var / (b eps^2 ||V||_max^2) <= 1/4
// (Chebyshev, Var <= ||V||_max^2), the median misses only if at least half of the groups miss,
// which has probability <= exp(-2 g (1/4)^2) = exp(-g/8) <= delta / (n d) (Hoeffding), then the
// union bound. It takes more samples than the plain mean for bounded values (32 vs 2 per
// ln(..)/eps^2); it is the robust choice when a few values dominate the variance.
//
// The sample counts are computed exactly: the ceiling of (rational) x ln(rational) is decided on an
// MPFR interval enclosure refined until it leaves no integer inside (ln of a rational > 1 is
// irrational, so this terminates).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "attncert/core/rational.hpp"

namespace attncert::reductions::knn {

// l = ceil((2/eps^2) ln(2 n d / delta)). ParameterError: "n", "d" (>= 1), "eps" (> 0),
// "delta" (in (0, 1)). Throws ParameterError("eps") if l would exceed 2^40.
std::uint64_t mean_samples(std::uint64_t n, std::uint64_t d, const core::Rational& eps, const core::Rational& delta);

struct MomShape {
  std::uint64_t groups = 0, group_size = 0;  // g = ceil(8 ln(n d / delta)), b = ceil(4 / eps^2)
  std::uint64_t total() const { return groups * group_size; }
};
MomShape mom_shape(std::uint64_t n, std::uint64_t d, const core::Rational& eps, const core::Rational& delta);

// ceil(x * ln(y)) for rationals x > 0, y > 1 (exact, by refinement). Exposed for tests and verify t6.
core::Integer ceil_times_log(const core::Rational& x, const core::Rational& y);

// The plain mean of rows V[j] (row-major, d columns) over the sampled indices.
std::vector<double> mean_estimate(std::span<const std::uint32_t> samples, std::span<const double> V, std::size_t d);

// Median of means over consecutive groups of `group_size` samples (samples.size() must be a
// positive multiple of group_size; ParameterError "samples" otherwise).
std::vector<double> median_of_means(std::span<const std::uint32_t> samples, std::size_t group_size,
                                    std::span<const double> V, std::size_t d);

// Draws `count` samples with `draw()` (any callable returning a key index).
template <class Draw>
std::vector<std::uint32_t> draw_samples(std::size_t count, Draw&& draw) {
  std::vector<std::uint32_t> out(count);
  for (auto& j : out) j = static_cast<std::uint32_t>(draw());
  return out;
}

}  // namespace attncert::reductions::knn
