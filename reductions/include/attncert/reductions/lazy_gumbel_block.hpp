// T6 (docs/theorems.md#t6): lazy Gumbel sampling for a block of queries at once. Each row of the
// block gets ell exact samples from its own softmax, with the same law per row as LazyGumbelHead
// (lazy_gumbel.hpp); the rows share the random tail-key sequence and the score evaluations of its
// keys, so a block reads each tail key once instead of once per row.
//
// A block has rows r = 0..R-1 (1 <= R <= 64). Row r has n_r admissible keys 0..n_r-1 (causal
// attention: n_r = i + 1 for query i), a top-k set S_r (k_r = |S_r|) with slack c_r >= 0 (every
// admissible j outside S_r has s_r(j) <= min_{S_r} s_r + c_r), and scores s_r(j) from the caller's
// bulk score function. For t = 0..ell-1 in turn:
//   1. per row, the head as LazyGumbelHead: J ~ softmax(s_r on S_r) (inverse CDF), M = log Z_S + G,
//      G ~ Gumbel(0, 1); B = M - S_min - c_r, a = e^{-B}, p = -expm1(-a); m_r ~ Binomial(n_r - k_r, p),
//      the law of LazyGumbelTopK::finish, drawn by inversion of the CDF (P(0) = (1 - p)^N = e^{-aN},
//      P(k + 1) = P(k) (N - k) / (k + 1) expm1(a): one uniform, no logarithm per success), or by
//      LazyGumbelTopK's geometric skips floor(E / a), E ~ Exp(1), 8 exponentials at a time with
//      vectorised logarithms, when e^{-aN} is below the normal doubles (a N > 700).
//   2. ONE random sequence x_1, x_2, ... of distinct keys, uniform without replacement from [0, N),
//      N = max n_r over the rows that use it (uniform draws, repeats rejected with a hash set; any
//      N >= every such n_r would do), drawn lazily until every such row r has seen m_r *admissible*
//      elements (x < n_r and x not in S_r). Row r's tail T_r is its first m_r admissible elements.
//   3. each row's tail keys are scored by the caller's score function (the head scores come from
//      the same function); the rows' tails are mostly the same keys, so these reads hit the cache.
//   4. per (row, tail key): X = -log1p(-V p_r), V ~ Uniform(0, 1), v = s_r(j) - log X (a Gumbel
//      truncated to G > B, as lazy_gumbel.hpp step 4; logarithms vectorised); the sample of row r is
//      argmax over S_r u T_r of s + G, the head's part being (J, M).
// Why each row's law is exact: the lazily drawn sequence is the prefix of a uniformly random
// permutation of [0, N). In such a permutation the elements of any fixed subset A (row r's
// admissible non-top keys, |A| = n_r - k_r) appear in uniformly random order, so the first m of them
// form a uniform m-subset of A - what Floyd's algorithm draws in LazyGumbelTopK. m_r is drawn from
// random numbers independent of the sequence, and drawing the sequence further (because another row
// needs more) does not change row r's prefix. So, given (J, M, m_r), row r's tail is a uniform
// m_r-subset of A, and the rest is LazyGumbelTopK's algorithm: each row's sample has exactly the law
// softmax(s_r) over 0..n_r-1. What is shared: the sequence of one (block, t), and hence which keys
// are scored. Consequence: the rows of one block are dependent (their tails overlap); every
// guarantee of the estimator is per query, so this is harmless. The ell samples of one row stay
// independent (each t draws a fresh sequence and fresh head/tail randomness).
//
// Fallback (keeps the sequence short): a row whose tail would make the sequence cover a large part
// of [0, N) - m_r > shared_max_fraction * (n_r - k_r), i.e. its expected stopping point exceeds that
// fraction of N - draws its tail by itself with Floyd's algorithm over its own admissible keys
// (LazyGumbelTopK's path), and its keys are scored by a bulk call of its own. The decision depends
// only on (m_r, n_r, k_r), never on the sequence, so either path gives a uniform m_r-subset.
//
// Scores: `score(rows, keys, out)` writes out[a * keys.size() + b] = s_{rows[a]}(keys[b]) as double
// (rows are block-local, 0..R-1). The value for a (row, key) pair must not depend on which other
// rows and keys are in the call: the law is exact for one score vector per row, and the head and the
// tail keys of a row are scored by the same function (see DenseDotScorer for one that is). The
// sampler asks one row at a time (its top-k set once per call of sample(), its tail per sample);
// consecutive rows' tails share most keys, so their key rows are read from cache.
//
// Floating point is the proposal side here, as in lazy_gumbel.hpp: exactness is a property of the
// algorithm, checked statistically (tests/test_lazy_gumbel.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/lazy_gumbel.hpp"

namespace attncert::reductions::knn {

// One row of a block: n admissible keys 0..n-1, its top-k set (distinct indices < n, 1 <= k <= n;
// any order) with its slack (finite, >= 0).
struct LazyGumbelBlockRow {
  std::size_t n = 0;
  std::span<const std::uint32_t> topk;
  double slack = 0;
};

struct LazyGumbelBlockStats {
  std::uint64_t samples = 0;          // row samples drawn (R * ell per call)
  std::uint64_t head_evals = 0;       // scores of the top-k sets (once per row per call)
  std::uint64_t tail_evals = 0;       // tail scores asked of the score function (= tail_draws)
  std::uint64_t tail_draws = 0;       // sum of m_r (the tail keys the samples use)
  std::uint64_t zero_tail = 0;        // row samples with m_r = 0
  std::uint64_t sequences = 0;        // shared sequences drawn (one per (block, t) with a shared row)
  std::uint64_t sequence_length = 0;  // their lengths (keys drawn, repeats rejected), summed
  std::uint64_t sequence_keys = 0;    // distinct keys of the sequences some row used, summed
  std::uint64_t fallback_rows = 0;    // (row, t) tails drawn by the per-row Floyd path
  std::vector<std::uint64_t> row_tail_draws;  // m_r summed per block-local row (resized to R)
  std::uint64_t score_evals() const { return head_evals + tail_evals; }
};

// Bulk scores: out[a * keys.size() + b] = s_{rows[a]}(keys[b]).
using LazyGumbelBlockScore =
    std::function<void(std::span<const std::uint32_t> rows, std::span<const std::uint32_t> keys, double* out)>;

struct LazyGumbelBlockOptions {
  // A row uses the shared sequence iff m_r <= shared_max_fraction * (n_r - k_r); in [0, 1].
  double shared_max_fraction = 0.25;
  // exact, or a deliberately biased variant for tests: b_off_by_one (B + 1), tail_with_replacement
  // (the shared sequence keeps repeats; the fallback path draws with replacement).
  LazyGumbelVariant variant = LazyGumbelVariant::exact;
  // Optional hint: called with each sequence key some row will score, as soon as it is drawn (e.g.
  // to prefetch the key's row); the samples do not depend on it.
  std::function<void(std::uint32_t key)> prefetch;
};

// Reusable buffers (one per thread). Not thread-safe.
class LazyGumbelBlockSampler {
 public:
  // ell samples per row: picks[r * ell + t] is row r's t-th sample. Throws ParameterError naming the
  // parameter: "rows" (empty or more than 64), "k", "topk", "slack" (per row, as LazyGumbelTopK),
  // "ell" (0), "picks" (size != R * ell), "shared_max_fraction", "score" (a non-finite score).
  void sample(std::span<const LazyGumbelBlockRow> rows, std::size_t ell, const LazyGumbelBlockScore& score,
              core::Xoshiro256ss& rng, std::span<std::uint32_t> picks, LazyGumbelBlockStats* stats = nullptr,
              const LazyGumbelBlockOptions& options = {});

 private:
  struct RowState {
    std::vector<double> s, cdf;  // head scores in topk order, running sums of e^{s - max}
    std::vector<std::uint32_t> sorted;  // sorted top-k (built only when the fallback needs it)
    double s_min = 0, log_z = 0;
    std::uint64_t tail_n = 0;  // n - k
  };
  std::vector<RowState> rows_;
  // key -> mask of rows whose top-k set holds it (open addressing, stamped)
  struct MaskEntry { std::uint32_t key = 0, stamp = 0; std::uint64_t mask = 0; };
  std::vector<MaskEntry> smap_;
  std::uint32_t smap_gen_ = 0;
  std::vector<std::uint64_t> in_any_;  // bitmap: keys in some row's top-k set
  // the shared sequence's member set (open addressing, stamped)
  struct SeenEntry { std::uint32_t key = 0, stamp = 0; };
  std::vector<SeenEntry> seen_;
  std::uint32_t seen_gen_ = 0;
  std::vector<std::uint32_t> seq_, scored_rows_, fallback_keys_, one_row_;
  std::vector<std::uint64_t> ranks_, exc_;
  std::vector<double> buf_s_, buf_v_, buf_x_;
};

// Score function for dense row-major Q (one pointer per block row) and K (n x d, float32):
// s = scale * double(<q, k>) with <q, k> in float32 in one fixed order: 16 lane sums (lane l: an fma
// chain over the coordinates x = l, l + 16, ... in increasing order; a missing coordinate of the last
// chunk enters as fma(0, 0, .)), then the pairwise tree (l, l + 8), (l, l + 4), (l, l + 2), (0, 1).
// So a (row, key) pair gets the same bits in every call (AVX-512 registers, else scalar std::fma
// with the same order). Key rows are prefetched a few ahead.
class DenseDotScorer {
 public:
  DenseDotScorer(const float* K, std::size_t d, double scale) : K_(K), d_(d), scale_(scale) {}
  std::vector<const float*> queries;  // block-local row r -> its query vector (d floats)
  void operator()(std::span<const std::uint32_t> rows, std::span<const std::uint32_t> keys, double* out);
  void prefetch(std::uint32_t key) const;  // a hint for LazyGumbelBlockOptions::prefetch

 private:
  const float* K_;
  std::size_t d_;
  double scale_;
};

namespace detail {
// out[i] = log(in[i]), log1p(in[i]), exp(in[i]) for i < n (libmvec AVX-512/AVX2 where built, else scalar).
void log_batch(const double* in, double* out, std::size_t n);
void log1p_batch(const double* in, double* out, std::size_t n);
void exp_batch(const double* in, double* out, std::size_t n);
// Binomial(N, 1 - e^{-a}) by geometric skips (binomial_by_skips' law), exponentials 8 at a time.
std::uint64_t binomial_by_skips_batched(std::uint64_t N, double a, core::Xoshiro256ss& rng);
// The same law by inversion of the CDF (P(k + 1) = P(k) (N - k) / (k + 1) (e^a - 1) from P(0) = e^{-aN});
// the skips when e^{-aN} would not be a normal double.
std::uint64_t binomial_by_inversion(std::uint64_t N, double a, core::Xoshiro256ss& rng);
bool vector_log_built();  // true when log_batch uses libmvec
}  // namespace detail

}  // namespace attncert::reductions::knn
