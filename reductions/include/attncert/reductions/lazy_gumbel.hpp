// T6 (docs/theorems.md#t6): lazy Gumbel sampling (Mussmann, Levy, Ermon 2017, Algorithm 1), one
// exact sample from softmax(s) over keys 0..n-1 that evaluates only the top-k scores and, in
// expectation, E[m] <= (n-k)/(k+1) tail scores.
//
// Algorithm (spec section 7). Top-k set S (k = |S|), S_min = min_{j in S} s_j, slack c >= 0 (every
// j outside S has s_j <= S_min + c; c = 0 for an exact top-k):
//   1. G_j ~ Gumbel(0, 1) for j in S (G = -log(-log U), U ~ Uniform(0, 1)); M = max_{j in S} s_j + G_j;
//      B = M - S_min - c; a = e^{-B}.
//   2. m ~ Binomial(n - k, p), p = 1 - exp(-a) computed as -expm1(-a). m is drawn by geometric skips:
//      successive gaps floor(E / a), E ~ Exp(1) (P[gap >= t] = e^{-a t} = (1 - p)^t), counted while the
//      trial index stays below n - k; so log(1 - p) = -a is used exactly, never 1 - p.
//   3. m distinct indices T outside S, uniform, by Floyd's algorithm on ranks 0..n-k-1 (rank r is the
//      r-th index not in S, in increasing order).
//   4. each j in T gets a Gumbel truncated to G > B: with X = e^{-G}, G > B iff X < a, and X given
//      X < a is Exp(1) truncated to (0, a), drawn as X = -log1p(-V p), V ~ Uniform(0, 1); G = -log X.
//      (This is the spec's U ~ Uniform(exp(-a), 1), G = -log(-log U), with U = 1 - V p kept as log1p.)
//   5. return argmax_{j in S u T} s_j + G_j.
// Why exact: j outside S can beat M only if G_j > M - s_j >= B; the events {G_j > B} are independent
// with probability p each, and given the event G_j is Gumbel truncated to (B, inf). Lowering B keeps
// the sample exact (it only draws more tail indices); raising it (a wrong slack) does not.
//
// Uniform doubles: U = (next() >> 11) * 2^-53 + 2^-54, in (0, 1) with 53 bits. Floating point is
// the proposal side here: the sampler's exactness is a property of the algorithm, checked
// statistically by `attncert verify t6` against exact (rational, interval-enclosed) probabilities.
//
// LazyGumbelVariant: two deliberately biased variants exist only so that tests and
// `verify t6 --sampler ...` can show that the statistical checks catch them:
//   tail_with_replacement: the m tail indices are drawn with replacement (duplicates each get a
//     Gumbel, so a repeated index is overweighted);
//   b_off_by_one: B = M - S_min - c + 1 (too high a threshold: the tail is underweighted).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"

namespace attncert::reductions::knn {

struct LazyGumbelStats {
  std::uint64_t score_evals = 0, tail_draws = 0;  // m summed over calls
  std::uint64_t samples = 0, zero_tail = 0;       // calls, calls with m = 0
};

enum class LazyGumbelVariant { exact, tail_with_replacement, b_off_by_one };

// "exact", "tail-with-replacement", "b-off-by-one"; parse returns false on an unknown name.
const char* variant_name(LazyGumbelVariant v);
bool parse_variant(const std::string& name, LazyGumbelVariant& out);

namespace detail {

inline double uniform_open01(core::Xoshiro256ss& rng) {
  return static_cast<double>(rng.next() >> 11) * 0x1.0p-53 + 0x1.0p-54;
}
inline double standard_gumbel(core::Xoshiro256ss& rng) { return -std::log(-std::log(uniform_open01(rng))); }
inline double standard_exponential(core::Xoshiro256ss& rng) { return -std::log(uniform_open01(rng)); }

// Binomial(N, p) with p = 1 - e^{-a}, by geometric skips (expected O(1 + N p) work).
inline std::uint64_t binomial_by_skips(std::uint64_t N, double a, core::Xoshiro256ss& rng) {
  if (N == 0 || !(a > 0)) return 0;  // a = 0 (B = +inf): p = 0
  if (std::isinf(a)) return N;       // p = 1
  const double inv_a = 1.0 / a;      // may be +inf: then every gap is infinite (m = 0)
  std::uint64_t count = 0;
  double pos = 0;                    // index of the next trial not yet decided
  const double limit = static_cast<double>(N);
  for (;;) {
    const double gap = std::floor(standard_exponential(rng) * inv_a);
    pos += gap;  // the success is at trial index pos
    if (!(pos < limit)) return count;
    ++count;
    if (count == N) return count;
    pos += 1;
  }
}

// The r-th (0-based) index in 0..n-1 not in sorted_S (sorted, distinct).
inline std::uint32_t rank_to_index(std::uint64_t r, const std::vector<std::uint32_t>& sorted_S) {
  // smallest t with sorted_S[t] - t > r; the answer is r + t.
  std::size_t lo = 0, hi = sorted_S.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (static_cast<std::uint64_t>(sorted_S[mid]) - mid > r) hi = mid; else lo = mid + 1;
  }
  return static_cast<std::uint32_t>(r + lo);
}

// Floyd's algorithm: m distinct ranks from 0..N-1, uniform over m-subsets. Membership: a linear
// scan for m <= 32, else a flat open-addressing set (power-of-two table >= 4m, reused per thread).
inline void floyd_ranks(std::uint64_t N, std::uint64_t m, core::Xoshiro256ss& rng, std::vector<std::uint64_t>& out) {
  out.clear();
  if (m <= 32) {
    for (std::uint64_t j = N - m; j < N; ++j) {
      const std::uint64_t t = rng.below(j + 1);
      out.push_back(std::find(out.begin(), out.end(), t) == out.end() ? t : j);
    }
    return;
  }
  constexpr std::uint64_t empty = ~std::uint64_t{0};
  thread_local std::vector<std::uint64_t> table;
  std::size_t size = 64;
  while (size < 4 * m) size *= 2;
  table.assign(size, empty);
  const std::size_t mask = size - 1;
  auto insert = [&](std::uint64_t x) {  // true if x was new
    std::size_t h = static_cast<std::size_t>((x * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (table[h] != empty) {
      if (table[h] == x) return false;
      h = (h + 1) & mask;
    }
    table[h] = x;
    return true;
  };
  for (std::uint64_t j = N - m; j < N; ++j) {
    const std::uint64_t t = rng.below(j + 1);
    if (insert(t)) {
      out.push_back(t);
    } else {
      insert(j);  // j > every earlier pick's bound, so j is new
      out.push_back(j);
    }
  }
}

}  // namespace detail

// A top-k set validated and sorted once, for many samples of the same row (the per-call contract
// function below prepares one per call). Throws ParameterError ("k", "topk", "slack").
class LazyGumbelTopK {
 public:
  LazyGumbelTopK(std::size_t n, std::span<const std::uint32_t> topk, double slack) : n_(n), slack_(slack), S_(topk.begin(), topk.end()) {
    const std::size_t k = S_.size();
    if (k == 0) throw ParameterError("k", "the top-k set must not be empty");
    if (k > n) throw ParameterError("k", "the top-k set has " + std::to_string(k) + " indices but n = " + std::to_string(n));
    if (!(slack >= 0) || std::isinf(slack)) throw ParameterError("slack", "must be finite and >= 0");
    sorted_ = S_;
    std::sort(sorted_.begin(), sorted_.end());
    if (sorted_.back() >= n) throw ParameterError("topk", "index " + std::to_string(sorted_.back()) + " >= n = " + std::to_string(n));
    if (std::adjacent_find(sorted_.begin(), sorted_.end()) != sorted_.end()) throw ParameterError("topk", "indices must be distinct");
  }
  std::size_t n() const { return n_; }
  std::size_t k() const { return S_.size(); }
  double slack() const { return slack_; }
  const std::vector<std::uint32_t>& indices() const { return S_; }

  // One exact sample; score(j) as in lazy_gumbel_sample.
  template <class Score>
  std::uint32_t sample(Score&& score, core::Xoshiro256ss& rng, LazyGumbelStats* stats = nullptr,
                       LazyGumbelVariant variant = LazyGumbelVariant::exact) const {
    const std::size_t k = S_.size();
    // 1. the head: Gumbels on S.
    double M = -std::numeric_limits<double>::infinity(), s_min = std::numeric_limits<double>::infinity();
    std::uint32_t best = S_[0];
    for (std::uint32_t j : S_) {
      const double s = static_cast<double>(score(j));
      if (std::isnan(s) || std::isinf(s)) throw ParameterError("score", "score of key " + std::to_string(j) + " is not finite");
      s_min = std::min(s_min, s);
      const double v = s + detail::standard_gumbel(rng);
      if (v > M) { M = v; best = j; }
    }
    if (stats) stats->score_evals += k;
    return finish(M, s_min, best, score, rng, stats, variant);
  }

  // Steps 2.-5. given the head's maximum M = max_{j in S} s_j + G_j, its argmax `best` and S_min:
  // the tail (shared by sample() and LazyGumbelHead::sample()).
  template <class Score>
  std::uint32_t finish(double M, double s_min, std::uint32_t best, Score&& score, core::Xoshiro256ss& rng,
                       LazyGumbelStats* stats, LazyGumbelVariant variant = LazyGumbelVariant::exact) const {
    const std::size_t k = S_.size();  // stats: the caller counts the head's score evaluations
    double B = M - s_min - slack_;
    if (variant == LazyGumbelVariant::b_off_by_one) B += 1;
    const double a = std::exp(-B);     // e^{-B}; +inf when B is very negative
    const double p = -std::expm1(-a);  // P[G > B] for a standard Gumbel
    // 2. how many tail keys can beat M.
    const std::uint64_t N = n_ - k;
    const std::uint64_t m = detail::binomial_by_skips(N, a, rng);
    // 3.-4. which ones, and their truncated Gumbels.
    if (m > 0) {
      thread_local std::vector<std::uint64_t> ranks;
      if (variant == LazyGumbelVariant::tail_with_replacement) {
        ranks.clear();
        for (std::uint64_t i = 0; i < m; ++i) ranks.push_back(rng.below(N));
      } else {
        detail::floyd_ranks(N, m, rng, ranks);
      }
      // The tail keys first, then their scores and truncated Gumbels in the same order; a score
      // functor with a prefetch(j) member is asked to prefetch a few keys ahead (loads overlap).
      thread_local std::vector<std::uint32_t> tail;
      tail.clear();
      for (std::uint64_t r : ranks) tail.push_back(detail::rank_to_index(r, sorted_));
      constexpr std::size_t ahead = 8;
      if constexpr (requires { score.prefetch(tail[0]); })
        for (std::size_t t = 0; t < std::min(tail.size(), ahead); ++t) score.prefetch(tail[t]);
      for (std::size_t t = 0; t < tail.size(); ++t) {
        if constexpr (requires { score.prefetch(tail[0]); })
          if (t + ahead < tail.size()) score.prefetch(tail[t + ahead]);
        const std::uint32_t j = tail[t];
        const double s = static_cast<double>(score(j));
        const double x = -std::log1p(-detail::uniform_open01(rng) * p);  // Exp(1) truncated to (0, a)
        const double v = s - std::log(x);                                // s_j + G_j, G_j > B
        if (v > M) { M = v; best = j; }
      }
    }
    if (stats) {
      stats->score_evals += m;
      stats->tail_draws += m;
      stats->samples += 1;
      stats->zero_tail += (m == 0);
    }
    return best;
  }

 private:
  std::size_t n_;
  double slack_;
  std::vector<std::uint32_t> S_, sorted_;
};

// A top-k set with its head scores evaluated once, for many samples of the same row. Step 1 is
// drawn without k Gumbels: for independent G_j ~ Gumbel(0, 1), (argmax_{j in S} s_j + G_j,
// max_{j in S} s_j + G_j) has the law (J, log Z_S + G) with J ~ softmax(s_S), G ~ Gumbel(0, 1)
// independent of J, Z_S = sum_{j in S} e^{s_j} (the Gumbel-max property: the max is Gumbel with
// location log Z_S, independent of the argmax). So each sample takes one uniform for J (inverse CDF
// over S, a binary search), one Gumbel for M, then steps 2.-5. exactly as LazyGumbelTopK::sample.
// Same law as sample(); a different use of the random stream. Scores are cached in the order of
// topk.indices(); `topk` must outlive this object. A score functor with a member prefetch(j) is asked
// to prefetch each key before its score is needed (only a hint; the law does not depend on it). Throws ParameterError ("score") on a non-finite score.
class LazyGumbelHead {
 public:
  LazyGumbelHead() = default;
  template <class Score>
  LazyGumbelHead(const LazyGumbelTopK& topk, Score&& score) { reset(topk, score); }

  template <class Score>
  void reset(const LazyGumbelTopK& topk, Score&& score, LazyGumbelStats* stats = nullptr) {
    t_ = &topk;
    const auto& S = topk.indices();
    const std::size_t k = S.size();
    s_.resize(k);
    cdf_.resize(k);
    double mx = -std::numeric_limits<double>::infinity();
    s_min_ = std::numeric_limits<double>::infinity();
    constexpr std::size_t ahead = 8;
    if constexpr (requires { score.prefetch(S[0]); })
      for (std::size_t t = 0; t < std::min(k, ahead); ++t) score.prefetch(S[t]);
    for (std::size_t t = 0; t < k; ++t) {
      if constexpr (requires { score.prefetch(S[0]); })
        if (t + ahead < k) score.prefetch(S[t + ahead]);
      const double s = static_cast<double>(score(S[t]));
      if (std::isnan(s) || std::isinf(s)) throw ParameterError("score", "score of key " + std::to_string(S[t]) + " is not finite");
      s_[t] = s;
      mx = std::max(mx, s);
      s_min_ = std::min(s_min_, s);
    }
    double z = 0;
    for (std::size_t t = 0; t < k; ++t) cdf_[t] = (z += std::exp(s_[t] - mx));
    log_z_ = mx + std::log(z);
    if (stats) stats->score_evals += k;
  }

  template <class Score>
  std::uint32_t sample(Score&& score, core::Xoshiro256ss& rng, LazyGumbelStats* stats = nullptr,
                       LazyGumbelVariant variant = LazyGumbelVariant::exact) const {
    const auto& S = t_->indices();
    // J: the first t with cdf_[t] > U * Z (U in (0, 1), so U * Z < Z = cdf_.back()).
    const double u = detail::uniform_open01(rng) * cdf_.back();
    const std::size_t t = std::min<std::size_t>(std::size_t(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()), S.size() - 1);
    const double M = log_z_ + detail::standard_gumbel(rng);
    return t_->finish(M, s_min_, S[t], score, rng, stats, variant);
  }

 private:
  const LazyGumbelTopK* t_ = nullptr;
  std::vector<double> s_, cdf_;
  double s_min_ = 0, log_z_ = 0;
};

namespace detail {
template <class Score>
std::uint32_t lazy_gumbel_impl(std::size_t n, std::span<const std::uint32_t> topk, double slack, Score&& score,
                               core::Xoshiro256ss& rng, LazyGumbelStats* stats, LazyGumbelVariant variant) {
  return LazyGumbelTopK(n, topk, slack).sample(score, rng, stats, variant);
}
}  // namespace detail

// One exact sample from softmax(s) over admissible keys 0..n-1, given a top-k set S (distinct
// indices, 1 <= |S| <= n) with slack c >= 0 (every j outside S has s_j <= min_{j in S} s_j + c;
// c = 0 for an exact top-k). `score(j)` returns s_j (already scaled) as double. Uses Floyd's
// algorithm for distinct tail indices and the -expm1/log1p forms of the spec.
// Throws ParameterError ("k", "topk", "slack", "score") on a contract violation it can see.
template <class Score>
std::uint32_t lazy_gumbel_sample(std::size_t n, std::span<const std::uint32_t> topk, double slack,
                                 Score&& score, core::Xoshiro256ss& rng, LazyGumbelStats* stats = nullptr) {
  return detail::lazy_gumbel_impl(n, topk, slack, score, rng, stats, LazyGumbelVariant::exact);
}

// The same with a chosen variant (the biased ones are for tests and `verify t6 --sampler` only).
template <class Score>
std::uint32_t lazy_gumbel_sample(std::size_t n, std::span<const std::uint32_t> topk, double slack,
                                 Score&& score, core::Xoshiro256ss& rng, LazyGumbelStats* stats,
                                 LazyGumbelVariant variant) {
  return detail::lazy_gumbel_impl(n, topk, slack, score, rng, stats, variant);
}

// Exact expectations (double, for benches and proposals; verify t6 encloses them rigorously):
//   E[m] = (n-k) e^{S_min+c} / (Z_S + e^{S_min+c}),  P[m = 0] = Z_S / (Z_S + (n-k) e^{S_min+c}),
// with Z_S = sum_{j in S} e^{s_j}. Computed relative to max_{j in S} s_j (no overflow).
struct LazyGumbelExpectation { double expected_m = 0, p_zero = 0; };
LazyGumbelExpectation lazy_gumbel_expectation(std::size_t n, std::span<const double> scores_S, double slack);

}  // namespace attncert::reductions::knn
