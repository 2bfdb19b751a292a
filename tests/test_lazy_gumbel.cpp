// Lazy Gumbel sampling (reductions/include/attncert/reductions/lazy_gumbel.hpp): the sample's law
// against the exact softmax for every admissible top-k set of small inputs, E[m] and P[m = 0]
// against their formulas, Floyd's algorithm, the biased variants (which these tests must catch),
// and bad input.
//
// Statistical thresholds (non-asymptotic): for N samples over r outcomes, the empirical law p^ has
// E||p^ - p||_1 <= sum_j sqrt(p_j/N) <= sqrt(r/N) (Cauchy-Schwarz), and ||p^ - p||_1 changes by at
// most 2/N when one sample changes, so McDiarmid gives P[||p^ - p||_1 >= sqrt(r/N) + t] <=
// exp(-N t^2 / 2). With t = sqrt(2 ln(1/alpha) / N) a correct sampler fails a case with probability
// <= alpha = 1e-9; a mean of N values in [0, R] leaves its expectation by more than
// R sqrt(ln(2/alpha)/(2N)) with probability <= alpha (Hoeffding). Seeds are fixed, so each run is the
// same; the thresholds say why a correct sampler passes for (almost) every seed.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/lazy_gumbel.hpp"
#include "attncert/reductions/lazy_gumbel_block.hpp"

using namespace attncert;
namespace knn = attncert::reductions::knn;

namespace {

constexpr double kAlpha = 1e-9;

double l1_threshold(std::size_t r, std::size_t N) {
  return std::sqrt(double(r) / N) + std::sqrt(2 * std::log(1 / kAlpha) / N);
}
double hoeffding(double range, std::size_t N) { return range * std::sqrt(std::log(2 / kAlpha) / (2.0 * N)); }

std::vector<double> softmax(const std::vector<double>& s) {
  const double top = *std::max_element(s.begin(), s.end());
  std::vector<double> p(s.size());
  long double z = 0;
  for (std::size_t j = 0; j < s.size(); ++j) z += std::exp(static_cast<long double>(s[j] - top));
  for (std::size_t j = 0; j < s.size(); ++j) p[j] = static_cast<double>(std::exp(static_cast<long double>(s[j] - top)) / z);
  return p;
}

// The smallest slack that makes S an admissible "top-k" set: max(0, max_{j not in S} s_j - S_min).
double slack_for(const std::vector<double>& s, const std::vector<std::uint32_t>& S) {
  double smin = INFINITY, out = -INFINITY;
  std::vector<bool> in(s.size());
  for (auto j : S) { in[j] = true; smin = std::min(smin, s[j]); }
  for (std::size_t j = 0; j < s.size(); ++j) if (!in[j]) out = std::max(out, s[j]);
  return std::max(0.0, out - smin);
}

struct Run { std::vector<double> freq; knn::LazyGumbelStats stats; };

Run run(const std::vector<double>& s, const std::vector<std::uint32_t>& S, double slack, std::size_t N,
        std::uint64_t seed, knn::LazyGumbelVariant v = knn::LazyGumbelVariant::exact) {
  core::Xoshiro256ss rng(seed);
  Run r;
  std::vector<std::uint64_t> count(s.size());
  auto score = [&](std::uint32_t j) { return s[j]; };
  for (std::size_t t = 0; t < N; ++t) ++count[knn::lazy_gumbel_sample(s.size(), S, slack, score, rng, &r.stats, v)];
  for (auto c : count) r.freq.push_back(double(c) / N);
  return r;
}

double l1(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (std::size_t j = 0; j < a.size(); ++j) d += std::fabs(a[j] - b[j]);
  return d;
}

}  // namespace

TEST_CASE("lazy Gumbel: exact law for every admissible top-k set of small inputs", "[lazy_gumbel]") {
  // Every nonempty subset S of [n] is a top-k set with slack slack_for(s, S); S = true top-k gets
  // slack 0. Scores include ties, a large spread and negative values.
  const std::vector<std::vector<double>> inputs = {
      {0.3}, {1.0, -0.5}, {0.0, 0.0, 0.0}, {2.0, 0.5, -1.0, 0.5}, {1.5, -2.0, 0.25, 3.0, -0.75}};
  const std::size_t N = 60000;
  std::uint64_t seed = 1;
  for (const auto& s : inputs) {
    const auto p = softmax(s);
    const std::size_t n = s.size();
    for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
      std::vector<std::uint32_t> S;
      for (std::uint32_t j = 0; j < n; ++j) if (mask >> j & 1) S.push_back(j);
      const double c = slack_for(s, S);
      for (double extra : {0.0, 1.5}) {  // a larger slack than needed stays exact
        CAPTURE(n, mask, c, extra);
        Run r = run(s, S, c + extra, N, seed++);
        CHECK(l1(r.freq, p) <= l1_threshold(n, N));
      }
    }
  }
}

TEST_CASE("lazy Gumbel: extreme scores and slack keep the law and stay finite", "[lazy_gumbel]") {
  const std::size_t N = 60000;
  {
    // Scores far apart: the sample is the top key (all but e^{-700}).
    std::vector<double> s = {700.0, -700.0, 0.0};
    Run r = run(s, {0}, 0.0, 2000, 7);
    CHECK(r.freq[0] == 1.0);
    CHECK(r.stats.tail_draws > 0);  // E[m] = (n-k)/2 for k = 1: tail keys are drawn, and lose
  }
  {
    // A slack so large that e^{-B} overflows: p = 1, every tail key is drawn (m = n - k), law exact.
    std::vector<double> s = {0.5, 0.0, -0.5, 0.25};
    Run r = run(s, {0}, 800.0, N, 8);
    CHECK(r.stats.tail_draws == 3 * N);
    CHECK(l1(r.freq, softmax(s)) <= l1_threshold(s.size(), N));
  }
}

TEST_CASE("lazy Gumbel: E[m] and P[m = 0] match the exact formulas", "[lazy_gumbel]") {
  struct Case { std::vector<double> s; std::vector<std::uint32_t> S; double c; };
  // n = 40 with ties; the top-4 of a spread input; an approximate set with slack.
  std::vector<double> flat(40, 0.0), spread(30);
  for (std::size_t j = 0; j < spread.size(); ++j) spread[j] = std::sin(double(j) * 1.7) * 2;
  std::vector<std::uint32_t> top4(30);
  std::iota(top4.begin(), top4.end(), 0);
  std::sort(top4.begin(), top4.end(), [&](auto a, auto b) { return spread[a] > spread[b]; });
  top4.resize(4);
  std::vector<Case> cases = {{flat, {0, 1, 2}, 0.0}, {spread, top4, 0.0}, {spread, top4, 0.7}, {flat, {5}, 0.0}};
  const std::size_t N = 200000;
  std::uint64_t seed = 100;
  for (const auto& c : cases) {
    std::vector<double> sS;
    for (auto j : c.S) sS.push_back(c.s[j]);
    const auto ex = knn::lazy_gumbel_expectation(c.s.size(), sS, c.c);
    CHECK(ex.expected_m <= double(c.s.size() - c.S.size()) / (c.S.size() + 1) * std::exp(c.c) + 1e-12);
    Run r = run(c.s, c.S, c.c, N, seed++);
    const double mean_m = double(r.stats.tail_draws) / N, p0 = double(r.stats.zero_tail) / N;
    CAPTURE(ex.expected_m, mean_m, ex.p_zero, p0);
    CHECK(std::fabs(mean_m - ex.expected_m) <= hoeffding(double(c.s.size() - c.S.size()), N));
    CHECK(std::fabs(p0 - ex.p_zero) <= hoeffding(1, N));
    CHECK(r.stats.score_evals == N * c.S.size() + r.stats.tail_draws);
    CHECK(r.stats.samples == N);
  }
  // With an exact top-k: E[m] <= (n-k)/(k+1), equality for equal scores.
  std::vector<double> sS(3, 0.0);
  CHECK(knn::lazy_gumbel_expectation(40, sS, 0).expected_m == Approx(37.0 / 4));
  CHECK(knn::lazy_gumbel_expectation(40, sS, 0).p_zero == Approx(3.0 / 40));
}

TEST_CASE("lazy Gumbel: the biased variants are caught", "[lazy_gumbel]") {
  // One head key, a tail key tied with it and four lower ones. With equal tail scores the
  // with-replacement variant would be unbiased (the max of m i.i.d. truncated Gumbels does not care
  // which tail keys carry them); here it loses the tied key when a low key is drawn twice.
  std::vector<double> s = {0, 0, -2, -2, -2, -2};
  const auto p = softmax(s);
  const std::size_t N = 60000;
  Run exact = run(s, {0}, 0.0, N, 31);
  CHECK(l1(exact.freq, p) <= l1_threshold(s.size(), N));
  Run repl = run(s, {0}, 0.0, N, 31, knn::LazyGumbelVariant::tail_with_replacement);
  CAPTURE(l1(repl.freq, p));
  CHECK(l1(repl.freq, p) > l1_threshold(s.size(), N));
  Run b1 = run(s, {0}, 0.0, N, 31, knn::LazyGumbelVariant::b_off_by_one);
  CAPTURE(l1(b1.freq, p));
  CHECK(l1(b1.freq, p) > l1_threshold(s.size(), N));
  // B off by one is also visible in E[m].
  std::vector<double> sS = {0.0};
  const double em = knn::lazy_gumbel_expectation(6, sS, 0).expected_m;
  CHECK(std::fabs(double(b1.stats.tail_draws) / N - em) > hoeffding(5, N));
}

TEST_CASE("lazy Gumbel: Floyd's algorithm draws uniform distinct ranks; ranks map outside S", "[lazy_gumbel]") {
  core::Xoshiro256ss rng(5);
  std::vector<std::uint64_t> out;
  std::map<std::vector<std::uint64_t>, std::size_t> subsets;
  const std::size_t N = 100000;
  for (std::size_t t = 0; t < N; ++t) {
    knn::detail::floyd_ranks(6, 2, rng, out);
    REQUIRE(out.size() == 2);
    REQUIRE(out[0] != out[1]);
    std::sort(out.begin(), out.end());
    ++subsets[out];
  }
  REQUIRE(subsets.size() == 15);
  double d = 0;
  for (auto& [k, c] : subsets) d += std::fabs(double(c) / N - 1.0 / 15);
  CHECK(d <= l1_threshold(15, N));
  // the large-m path (hash set)
  for (int rep = 0; rep < 50; ++rep) {
    knn::detail::floyd_ranks(100, 60, rng, out);
    std::vector<std::uint64_t> sorted = out;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    REQUIRE(sorted.back() < 100);
  }
  const std::vector<std::uint32_t> S = {0, 3, 4, 9};
  std::vector<std::uint32_t> got;
  for (std::uint64_t r = 0; r < 8; ++r) got.push_back(knn::detail::rank_to_index(r, S));
  CHECK(got == std::vector<std::uint32_t>{1, 2, 5, 6, 7, 8, 10, 11});
}

TEST_CASE("lazy Gumbel: bad input names the parameter", "[lazy_gumbel]") {
  core::Xoshiro256ss rng(1);
  std::vector<double> s = {0, 1, 2};
  auto score = [&](std::uint32_t j) { return s[j]; };
  auto param = [&](std::size_t n, std::vector<std::uint32_t> S, double c) -> std::string {
    try {
      knn::lazy_gumbel_sample(n, S, c, score, rng);
    } catch (const reductions::ParameterError& e) {
      return e.parameter;
    }
    return "";
  };
  CHECK(param(3, {}, 0) == "k");
  CHECK(param(2, {0, 1, 2}, 0) == "k");
  CHECK(param(3, {0, 0}, 0) == "topk");
  CHECK(param(3, {3}, 0) == "topk");
  CHECK(param(3, {0}, -1) == "slack");
  CHECK(param(3, {0}, NAN) == "slack");
  CHECK(param(3, {2}, 0).empty());
  std::vector<double> bad = {NAN, 0, 0};
  auto bad_score = [&](std::uint32_t j) { return bad[j]; };
  CHECK_THROWS_AS(knn::lazy_gumbel_sample(3, std::vector<std::uint32_t>{0}, 0.0, bad_score, rng), reductions::ParameterError);
  knn::LazyGumbelVariant v;
  CHECK(knn::parse_variant("b-off-by-one", v));
  CHECK(v == knn::LazyGumbelVariant::b_off_by_one);
  CHECK_FALSE(knn::parse_variant("exactly", v));
}

TEST_CASE("lazy Gumbel: a prepared top-k set draws the same samples as the per-call function", "[lazy_gumbel]") {
  std::vector<double> s = {0.5, 2.0, -1.0, 1.5, 0.0, 0.25, -0.5};
  auto score = [&](std::uint32_t j) { return s[j]; };
  const std::vector<std::uint32_t> S = {1, 3};
  core::Xoshiro256ss a(9), b(9);
  knn::LazyGumbelStats sa, sb;
  const knn::LazyGumbelTopK head(s.size(), S, 0.0);
  CHECK(head.k() == 2);
  for (int t = 0; t < 2000; ++t) REQUIRE(knn::lazy_gumbel_sample(s.size(), S, 0.0, score, a, &sa) == head.sample(score, b, &sb));
  CHECK(sa.score_evals == sb.score_evals);
  CHECK(sa.tail_draws == sb.tail_draws);
  CHECK_THROWS_AS(knn::LazyGumbelTopK(3, std::vector<std::uint32_t>{0, 0}, 0.0), reductions::ParameterError);
}

TEST_CASE("lazy Gumbel: the prepared head (softmax argmax + one Gumbel max) keeps the exact law", "[lazy_gumbel]") {
  // LazyGumbelHead draws step 1 as (J ~ softmax over S, M = log Z_S + Gumbel): the same law as k
  // Gumbels, so the sample's law is the exact softmax for every admissible top-k set.
  const std::vector<std::vector<double>> inputs = {
      {0.3}, {1.0, -0.5}, {0.0, 0.0, 0.0}, {2.0, 0.5, -1.0, 0.5}, {1.5, -2.0, 0.25, 3.0, -0.75}};
  const std::size_t N = 60000;
  std::uint64_t seed = 77;
  for (const auto& s : inputs) {
    const std::size_t n = s.size();
    const auto p = softmax(s);
    for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
      std::vector<std::uint32_t> S;
      for (std::uint32_t j = 0; j < n; ++j)
        if (mask >> j & 1) S.push_back(j);
      const double slack = slack_for(s, S);
      const knn::LazyGumbelTopK topk(n, S, slack);
      auto score = [&](std::uint32_t j) { return s[j]; };
      knn::LazyGumbelStats st;
      const knn::LazyGumbelHead head(topk, score);
      core::Xoshiro256ss rng(seed++);
      std::vector<double> freq(n);
      for (std::size_t t = 0; t < N; ++t) freq[head.sample(score, rng, &st)] += 1.0 / N;
      INFO("n = " << n << ", mask = " << mask);
      CHECK(l1(freq, p) < l1_threshold(n, N));
      CHECK(st.samples == N);
    }
  }
  // The biased variant is still caught through the prepared head (a tail key tied with the head:
  // B + 1 only matters for tail scores within 1 of S_min).
  const std::vector<double> s = {0, 0, -2, -2, -2, -2};
  const std::vector<std::uint32_t> S = {0};
  const knn::LazyGumbelTopK topk(s.size(), S, 0.0);
  auto score = [&](std::uint32_t j) { return s[j]; };
  const knn::LazyGumbelHead head(topk, score);
  core::Xoshiro256ss rng(5);
  std::vector<double> freq(s.size());
  for (std::size_t t = 0; t < N; ++t) freq[head.sample(score, rng, nullptr, knn::LazyGumbelVariant::b_off_by_one)] += 1.0 / N;
  CHECK(l1(freq, softmax(s)) > l1_threshold(s.size(), N));
  const std::vector<double> bad = {0.0, NAN};
  auto bad_score = [&](std::uint32_t j) { return bad[j]; };
  const knn::LazyGumbelTopK bt(2, std::vector<std::uint32_t>{0, 1}, 0.0);
  CHECK_THROWS_AS(knn::LazyGumbelHead(bt, bad_score), reductions::ParameterError);
}

// ---- Block sampler (lazy_gumbel_block.hpp): rows of a block share the tail sequence. ----

namespace {

// A block of rows, each with its own scores over 0..n_r-1, top-k set and slack.
struct BlockCase {
  std::vector<std::vector<double>> s;          // s[r][j], j < n_r
  std::vector<std::vector<std::uint32_t>> S;   // top-k sets
  std::vector<double> slack;
  std::vector<knn::LazyGumbelBlockRow> rows() const {
    std::vector<knn::LazyGumbelBlockRow> out;
    for (std::size_t r = 0; r < s.size(); ++r) out.push_back({s[r].size(), S[r], slack[r]});
    return out;
  }
  knn::LazyGumbelBlockScore score() const {
    return [this](std::span<const std::uint32_t> rows, std::span<const std::uint32_t> keys, double* out) {
      for (std::size_t a = 0; a < rows.size(); ++a)
        for (std::size_t b = 0; b < keys.size(); ++b)  // keys >= n_r are asked for in shared calls, never used
          out[a * keys.size() + b] = keys[b] < s[rows[a]].size() ? s[rows[a]][keys[b]] : NAN;
    };
  }
};

struct BlockRun {
  std::vector<std::vector<double>> freq;
  knn::LazyGumbelBlockStats stats;
};

BlockRun run_block(const BlockCase& c, std::size_t ell, std::uint64_t seed, knn::LazyGumbelBlockOptions opt = {},
                   std::size_t calls = 1) {
  knn::LazyGumbelBlockSampler sampler;
  core::Xoshiro256ss rng(seed);
  const auto rows = c.rows();
  BlockRun out;
  for (const auto& s : c.s) out.freq.emplace_back(s.size(), 0.0);
  std::vector<std::uint32_t> picks(rows.size() * ell);
  for (std::size_t call = 0; call < calls; ++call) {
    sampler.sample(rows, ell, c.score(), rng, picks, &out.stats, opt);
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t t = 0; t < ell; ++t) out.freq[r][picks[r * ell + t]] += 1.0 / double(ell * calls);
  }
  return out;
}

BlockCase small_block() {
  BlockCase c;
  auto add = [&](std::vector<double> s, std::vector<std::uint32_t> S, double extra) {
    c.slack.push_back(slack_for(s, S) + extra);
    c.s.push_back(std::move(s));
    c.S.push_back(std::move(S));
  };
  add({0.3}, {0}, 0);                                       // n = 1 = k
  add({1.0, -0.5}, {1}, 0);                                 // not the top: slack needed
  add({0.0, 0.0, 0.0}, {2, 0, 1}, 0);                       // k = n
  add({2.0, 0.5, -1.0, 0.5}, {0}, 0);                       // exact top-1
  add({1.5, -2.0, 0.25, 3.0, -0.75}, {1, 4}, 0);            // the two lowest, slack
  add({0, 0, -2, -2, -2, -2}, {0}, 0);                      // a tail key tied with the head
  add({0.5, -1.0, 1.0, 2.0, -0.25, 1.75, 0.0}, {3, 5}, 1.5);  // top-2 with extra slack
  add({0, 0, 0, 0, 0, 0, 0}, {6}, 0);                       // flat: E[m] = 3
  return c;
}

}  // namespace

TEST_CASE("lazy Gumbel block: every row keeps the exact softmax law (shared, fallback and mixed paths)", "[lazy_gumbel]") {
  const BlockCase c = small_block();
  const std::size_t N = 60000;
  std::uint64_t seed = 500;
  for (double frac : {0.25, 1.0, 0.0}) {
    knn::LazyGumbelBlockOptions opt;
    opt.shared_max_fraction = frac;
    const BlockRun r = run_block(c, N, seed++, opt);
    for (std::size_t row = 0; row < c.s.size(); ++row) {
      CAPTURE(frac, row, l1(r.freq[row], softmax(c.s[row])));
      CHECK(l1(r.freq[row], softmax(c.s[row])) <= l1_threshold(c.s[row].size(), N));
    }
    CHECK(r.stats.samples == N * c.s.size());
    // the paths this fraction must use
    if (frac == 1.0) { CHECK(r.stats.fallback_rows == 0); CHECK(r.stats.sequences > 0); }
    if (frac == 0.0) { CHECK(r.stats.fallback_rows > 0); CHECK(r.stats.sequences == 0); }
    if (frac == 0.25) { CHECK(r.stats.fallback_rows > 0); CHECK(r.stats.sequences > 0); }
  }
}

TEST_CASE("lazy Gumbel block: a causal block of larger rows keeps the law and E[m] per row", "[lazy_gumbel]") {
  // 16 consecutive causal rows n_r = 40..55 with exact top-4 sets (and one top-4 + slack 0.5), default
  // fallback fraction: most tails use the shared sequence.
  BlockCase c;
  core::Xoshiro256ss gen(42);
  for (std::size_t r = 0; r < 16; ++r) {
    std::vector<double> s(40 + r);
    for (auto& x : s) x = (double(gen.next() >> 11) * 0x1.0p-53 - 0.5) * 3;
    std::vector<std::uint32_t> idx(s.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return s[a] > s[b]; });
    idx.resize(4);
    c.s.push_back(s);
    c.S.push_back(idx);
    c.slack.push_back(r == 5 ? 0.5 : 0.0);
  }
  const std::size_t N = 40000;
  const BlockRun run = run_block(c, 1000, 900, {}, N / 1000);  // several calls: fresh heads each time
  for (std::size_t r = 0; r < c.s.size(); ++r) {
    CAPTURE(r, l1(run.freq[r], softmax(c.s[r])));
    CHECK(l1(run.freq[r], softmax(c.s[r])) <= l1_threshold(c.s[r].size(), N));
    std::vector<double> sS;
    for (auto j : c.S[r]) sS.push_back(c.s[r][j]);
    const double em = knn::lazy_gumbel_expectation(c.s[r].size(), sS, c.slack[r]).expected_m;
    const double mean_m = double(run.stats.row_tail_draws[r]) / N;
    CAPTURE(em, mean_m);
    CHECK(std::fabs(mean_m - em) <= hoeffding(double(c.s[r].size() - 4), N));
  }
  CHECK(run.stats.sequences > 0);
  CHECK(run.stats.head_evals == 16 * 4 * (N / 1000));
  CHECK(run.stats.sequence_length >= run.stats.sequences);
  // the shared path scored fewer keys than rows x tail draws would read one by one
  CHECK(run.stats.tail_draws > 0);
}

TEST_CASE("lazy Gumbel block: the biased variants are caught in the block path", "[lazy_gumbel]") {
  BlockCase c;
  c.s = {{0, 0, -2, -2, -2, -2}, {0, 0, -2, -2, -2, -2, -2}};
  c.S = {{0}, {1}};
  c.slack = {0, 0};
  const std::size_t N = 60000;
  for (double frac : {1.0, 0.0}) {
    knn::LazyGumbelBlockOptions opt;
    opt.shared_max_fraction = frac;
    const BlockRun exact = run_block(c, N, 31, opt);
    opt.variant = knn::LazyGumbelVariant::b_off_by_one;
    const BlockRun b1 = run_block(c, N, 31, opt);
    opt.variant = knn::LazyGumbelVariant::tail_with_replacement;
    const BlockRun repl = run_block(c, N, 31, opt);
    for (std::size_t r = 0; r < 2; ++r) {
      const auto p = softmax(c.s[r]);
      const double thr = l1_threshold(c.s[r].size(), N);
      CAPTURE(frac, r, l1(exact.freq[r], p), l1(b1.freq[r], p), l1(repl.freq[r], p));
      CHECK(l1(exact.freq[r], p) <= thr);
      CHECK(l1(b1.freq[r], p) > thr);
      CHECK(l1(repl.freq[r], p) > thr);
    }
  }
}

TEST_CASE("lazy Gumbel block: bad input names the parameter", "[lazy_gumbel]") {
  BlockCase c = small_block();
  knn::LazyGumbelBlockSampler sampler;
  core::Xoshiro256ss rng(1);
  auto param = [&](std::vector<knn::LazyGumbelBlockRow> rows, std::size_t ell, std::size_t picks_size,
                   knn::LazyGumbelBlockOptions opt = {}) -> std::string {
    std::vector<std::uint32_t> picks(picks_size);
    try {
      sampler.sample(rows, ell, c.score(), rng, picks, nullptr, opt);
    } catch (const reductions::ParameterError& e) {
      return e.parameter;
    }
    return "";
  };
  const auto good = c.rows();
  CHECK(param(good, 2, good.size() * 2).empty());
  CHECK(param({}, 1, 0) == "rows");
  CHECK(param(std::vector<knn::LazyGumbelBlockRow>(65, good[0]), 1, 65) == "rows");
  CHECK(param(good, 0, 0) == "ell");
  CHECK(param(good, 2, 3) == "picks");
  const std::vector<std::uint32_t> empty, dup = {0, 0}, out_of_range = {2}, two = {0, 1};
  CHECK(param({{3, empty, 0}}, 1, 1) == "k");
  CHECK(param({{1, two, 0}}, 1, 1) == "k");
  CHECK(param({{3, dup, 0}}, 1, 1) == "topk");
  CHECK(param({{2, out_of_range, 0}}, 1, 1) == "topk");
  CHECK(param({{2, two, -1}}, 1, 1) == "slack");
  CHECK(param({{2, two, NAN}}, 1, 1) == "slack");
  knn::LazyGumbelBlockOptions opt;
  opt.shared_max_fraction = 1.5;
  CHECK(param(good, 1, good.size(), opt) == "shared_max_fraction");
  // a non-finite score, in the head and in a tail
  c.s[1][1] = NAN;
  CHECK(param(good, 1, good.size()) == "score");
  c.s[1][1] = -0.5;
  c.s[7][3] = INFINITY;
  opt.shared_max_fraction = 1.0;
  CHECK(param(good, 200, good.size() * 200, opt) == "score");
}

TEST_CASE("lazy Gumbel block: the dense scorer gives the same bits however it batches", "[lazy_gumbel]") {
  const std::size_t n = 300, d = 56;  // d not a multiple of 16 on purpose (a masked last chunk)
  core::Xoshiro256ss gen(3);
  std::vector<float> Q(5 * d), K(n * d);
  for (auto& x : Q) x = float(double(gen.next() >> 11) * 0x1.0p-53 * 2 - 1);
  for (auto& x : K) x = float(double(gen.next() >> 11) * 0x1.0p-53 * 2 - 1);
  knn::DenseDotScorer sc(K.data(), d, 0.125);
  for (std::size_t r = 0; r < 5; ++r) sc.queries.push_back(Q.data() + r * d);
  std::vector<std::uint32_t> keys(n), rows = {0, 1, 2, 3, 4};
  for (std::size_t j = 0; j < n; ++j) keys[j] = std::uint32_t((j * 7919) % n);
  std::vector<double> all(rows.size() * n);
  sc(rows, keys, all.data());
  for (std::size_t a = 0; a < rows.size(); ++a)
    for (std::size_t b = 0; b < n; b += 37) {
      const std::uint32_t r1[1] = {rows[a]}, k1[1] = {keys[b]};
      double one = 0;
      sc(r1, k1, &one);
      float lane[16] = {};  // the documented order: 16 fma chains, then the pairwise tree
      for (std::size_t x0 = 0; x0 < d; x0 += 16)
        for (std::size_t l = 0; l < 16; ++l)
          lane[l] = x0 + l < d ? std::fma(Q[rows[a] * d + x0 + l], K[keys[b] * d + x0 + l], lane[l]) : std::fma(0.0f, 0.0f, lane[l]);
      for (std::size_t w = 8; w >= 1; w /= 2)
        for (std::size_t l = 0; l < w; ++l) lane[l] += lane[l + w];
      REQUIRE(all[a * n + b] == one);
      REQUIRE(one == 0.125 * double(lane[0]));
    }
}

TEST_CASE("lazy Gumbel block: the batched-skip and inversion binomial draws have the Binomial(N, 1 - e^-a) law", "[lazy_gumbel]") {
  // The exact probabilities P(m = j) (long double, by the same recurrence from e^{-aN}) against the
  // empirical law (L1 threshold over the outcomes with mass), the mean N p (Hoeffding, range N for
  // the large case) and m <= N; p = 1 and p = 0 at the ends; a N > 700 takes the skips inside.
  core::Xoshiro256ss rng(11);
  const std::size_t draws = 100000;
  using Draw = std::uint64_t (*)(std::uint64_t, double, core::Xoshiro256ss&);
  for (Draw draw : {Draw(&knn::detail::binomial_by_skips_batched), Draw(&knn::detail::binomial_by_inversion)}) {
    for (auto [N, a] : std::vector<std::pair<std::uint64_t, double>>{
             {1, 0.7}, {5, 0.3}, {40, 0.05}, {65000, 0.0013}, {300, 2.0}, {2000, 0.5}, {30, 0.001}}) {
      const double p = -std::expm1(-a);
      std::map<std::uint64_t, double> freq;
      double sum = 0;
      for (std::size_t t = 0; t < draws; ++t) {
        const std::uint64_t m = draw(N, a, rng);
        REQUIRE(m <= N);
        sum += double(m);
        freq[m] += 1.0 / draws;
      }
      CAPTURE(N, a, sum / draws, N * p);
      CHECK(std::fabs(sum / draws - double(N) * p) <= hoeffding(double(N), draws));
      if (a * double(N) <= 700) {  // the exact law: L1 distance over all outcomes
        long double P = std::exp(-static_cast<long double>(a) * N), l1d = 0;
        const long double odds = std::expm1(static_cast<long double>(a));
        std::size_t outcomes = 0;
        for (std::uint64_t j = 0; j <= N; ++j) {
          const double f = freq.count(j) ? freq[j] : 0.0;
          l1d += std::fabs(static_cast<long double>(f) - P);
          outcomes += (P > 1e-12L || f > 0);
          P *= static_cast<long double>(N - j) / (j + 1) * odds;
        }
        CAPTURE(double(l1d), outcomes);
        CHECK(double(l1d) <= l1_threshold(outcomes, draws) + 1e-6);
      }
    }
    CHECK(draw(7, INFINITY, rng) == 7);
    CHECK(draw(7, 0.0, rng) == 0);
    CHECK(draw(0, 1.0, rng) == 0);
  }
}
