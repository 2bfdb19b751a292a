// T6 (docs/theorems.md#t6): the statistical verification of lazy Gumbel sampling, the plain-mean
// estimator and the kNN-attention error identity on a seeded integer instance.
//
// Instance ("t6-entries" v1 over "xoshiro256ss" v1, seed s): Q, K (n x d, entries uniform integers
// in [-R, R], R = qk_bound) then V (n x d, entries in [-Rv, Rv]), drawn in that order, row-major, each
// entry below(2R+1) - R. Scores s_ij = scale <q_i, k_j> (scale > 0 rational), non-causal: every
// query i sees all n keys. S_i = the exact top-k of row i (ties to the smaller index).
// The samplers' randomness is a second stream, xoshiro256ss seeded with s XOR kSamplingSalt.
//
// Parts, each at level alpha/4 (so a correct sampler is reported refuted with probability <= alpha):
//  (a) exactness: per query N samples, counts c_ij; L1_i = sum_j |c_ij/N - D_i(j)| with D_i the
//      exact softmax (MPFR enclosures). Threshold tau = sqrt(n/N) + sqrt(2 ln(4n/alpha)/N):
//      E||p^ - p||_1 <= sqrt(n/N) (Cauchy-Schwarz), McDiarmid with differences 2/N gives
//      P[||p^ - p||_1 > sqrt(n/N) + t] <= exp(-N t^2/2) = alpha/(4n) per query. L1_i > tau for some i:
//      refuted. Else, at confidence 1 - alpha/4, TV(law_i, D_i) <= (L1_i + tau)/2 for all i (claimed).
//  (b) tail: E[m] = (n-k) e^{S_min+c}/(Z_S + e^{S_min+c}) against the mean of m (m in [0, n-k]):
//      Hoeffding radius (n-k) sqrt(ln(16n/alpha)/(2N)) (level alpha/(8n) per query);
//      P[m=0] = Z_S/(Z_S + (n-k) e^{S_min+c}) inside the exact Clopper-Pearson interval of the count of
//      m = 0 at level alpha/(16n) per side per query. Outside: refuted.
//  (c) estimator: T trials, each drawing l samples per query (l from the rule of t6_estimators.hpp
//      unless given), a trial fails when max_{i,c} |o^_ic - o_ic| > eps ||V||_max (decided exactly);
//      F failures; exact Clopper-Pearson bounds at level alpha/4 one-sided: upper <= delta certifies
//      the guarantee, lower > delta refutes it, else inconclusive.
//  (d) kNN attention: per query eps_i = D_i([n] \ S_i) and the error o_i - o_i^kNN; the identity
//      o_i - o_i^kNN = eps_i (mu_out - mu_S) is checked exactly in rationals with the enclosures' lower
//      endpoints as weights (any positive weights satisfy it), and with the true weights to within
//      the enclosures (the two sides' intervals must meet); the bound |err_c| <= eps_i range_c
//      likewise (its interval form must not be contradicted).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attncert/core/rational.hpp"
#include "attncert/reductions/lazy_gumbel.hpp"

namespace attncert::reductions::t6 {

inline constexpr const char* kEntriesGenerator = "t6-entries";
inline constexpr int kEntriesVersion = 1;
inline constexpr std::uint64_t kSamplingSalt = 0x7436;  // "t6"

namespace limits {
inline constexpr std::uint64_t max_n = 256, max_d = 64, max_entry_bound = 64;
inline constexpr std::int64_t max_score = 1024;  // scale * qk_bound^2 * d, the largest |score|
inline constexpr std::uint64_t min_samples = 100, max_samples = 100000;
inline constexpr std::uint64_t min_trials = 10, max_trials = 100000;
inline constexpr std::uint64_t max_ell = 100000;
}  // namespace limits

struct Instance {
  std::size_t n = 0, d = 0;
  std::int64_t qk_bound = 0, v_bound = 0;
  core::Rational scale;
  std::vector<std::int64_t> Q, K, V;  // row-major n x d
  std::int64_t dot(std::size_t i, std::size_t j) const;  // <q_i, k_j>
  std::int64_t vmax() const;                              // ||V||_max
};
Instance make_instance(std::size_t n, std::size_t d, std::int64_t qk_bound, std::int64_t v_bound,
                       const core::Rational& scale, std::uint64_t seed);
// Exact top-k of row i (largest dot products; ties to the smaller index), in decreasing order.
std::vector<std::uint32_t> exact_topk(const Instance& inst, std::size_t i, std::size_t k);

struct Request {
  std::size_t n = 8, d = 4, k = 2;
  std::int64_t qk_bound = 2, v_bound = 2;
  core::Rational scale = core::Rational(1, 2), slack = 0;
  std::uint64_t samples = 10000, trials = 200, ell = 0;  // ell = 0: the rule
  core::Rational eps = core::Rational(1, 2), delta = core::Rational(1, 10), alpha = core::Rational(1, 1000);
  knn::LazyGumbelVariant sampler = knn::LazyGumbelVariant::exact;
  std::uint64_t seed = 1;
};
// ParameterError naming the parameter ("n", "d", "k", "eps", "delta", "alpha", ...) on bad input.
void validate(const Request& r);

struct Enclosure { core::Rational lo, hi; };
enum class Verdict { pass, fail, undecided };
const char* to_string(Verdict v);

struct QueryRow {
  std::vector<std::uint32_t> topk;
  std::vector<std::uint64_t> counts;       // (a) N samples
  std::uint64_t tail_draws = 0, zero_tail = 0;
  Enclosure l1, expected_m, p_zero, knn_eps, knn_err;  // knn_err: max_c |o_ic - o^kNN_ic|
  core::Rational tv_upper;                 // (L1 + tau)/2, rounded up
  core::Rational cp_lo, cp_hi;             // Clopper-Pearson of zero_tail
  Verdict exact = Verdict::undecided, mean_m = Verdict::undecided, p0 = Verdict::undecided,
          identity = Verdict::undecided;
};

struct Report {
  Request req;
  std::uint64_t ell = 0, ell_rule = 0;
  Enclosure tau, hoeffding;                // (a) threshold, (b) radius
  std::vector<QueryRow> rows;
  std::vector<std::vector<std::vector<std::uint64_t>>> trial_counts;  // [trial][query][key], l per query
  std::uint64_t failures = 0;
  core::Rational fail_lo, fail_hi;         // Clopper-Pearson on failures / trials
  core::Rational tv_max;                   // max_i tv_upper
  knn::LazyGumbelStats stats;              // (a)-(b) sampling, score evaluations
  double expected_evals = 0;               // sum over samples of k + E[m] (double, report only)
  Verdict part_a = Verdict::undecided, part_b = Verdict::undecided, part_c = Verdict::undecided,
          part_d = Verdict::undecided;
  std::string first_failure;               // which check failed first (empty if none)
};

// progress(done, total) is called between queries / trials.
Report run_t6(const Request& r, const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace attncert::reductions::t6
