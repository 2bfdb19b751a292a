// SubGen and the exact streaming baseline (reductions/include/attncert/reductions/subgen.hpp,
// streaming.hpp): the estimators against exact values, memory, words_used, bad parameters,
// determinism, and the certified error measurement.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/subgen.hpp"
#include "attncert/reductions/t1.hpp"

using namespace attncert;
namespace red = attncert::reductions;

namespace {

struct Stream {
  std::size_t d;
  std::vector<float> K, V;
  std::size_t n() const { return K.size() / d; }
};

double gauss(core::Xoshiro256ss& g) {  // Box-Muller (test data only)
  const double u = (static_cast<double>(g.next() >> 11) + 1) * 0x1.0p-53;
  const double v = static_cast<double>(g.next() >> 11) * 0x1.0p-53;
  return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
}

// n keys around m centers in [-1, 1]^d (Gaussian noise sigma per coordinate), values N(0, 1).
Stream clustered(std::size_t n, std::size_t d, std::size_t m, double sigma, std::uint64_t seed) {
  core::Xoshiro256ss g(seed);
  std::vector<float> C(m * d);
  for (auto& c : C) c = static_cast<float>(2 * (static_cast<double>(g.next() >> 11) * 0x1.0p-53) - 1);
  Stream s{d, {}, {}};
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t c = g.below(m);
    for (std::size_t i = 0; i < d; ++i) s.K.push_back(static_cast<float>(C[c * d + i] + sigma * gauss(g)));
    for (std::size_t i = 0; i < d; ++i) s.V.push_back(static_cast<float>(gauss(g)));
  }
  return s;
}

void feed(red::StreamingAttention& a, const Stream& s) {
  for (std::size_t j = 0; j < s.n(); ++j)
    a.observe(std::span<const float>(s.K.data() + j * s.d, s.d), std::span<const float>(s.V.data() + j * s.d, s.d));
}

std::vector<float> query(std::size_t d, std::uint64_t seed, double scale) {
  core::Xoshiro256ss g(seed);
  std::vector<float> q(d);
  for (auto& x : q) x = static_cast<float>(scale * (2 * (static_cast<double>(g.next() >> 11) * 0x1.0p-53) - 1));
  return q;
}

// Exact sums in double over the whole stream, shifted by `shift`: sum_j e^{<q,k_j> - shift} and the numerator.
std::pair<double, std::vector<double>> exact_sums(const Stream& s, const std::vector<float>& q, double shift) {
  double tau = 0;
  std::vector<double> num(s.d, 0.0);
  for (std::size_t j = 0; j < s.n(); ++j) {
    double acc = 0;
    for (std::size_t i = 0; i < s.d; ++i) acc += static_cast<double>(q[i]) * s.K[j * s.d + i];
    const double e = std::exp(acc - shift);
    tau += e;
    for (std::size_t i = 0; i < s.d; ++i) num[i] += e * s.V[j * s.d + i];
  }
  return {tau, num};
}

void expect_parameter_error(red::SubGenParams p, const std::string& parameter) {
  try {
    red::SubGen g(4, p);
    FAIL("accepted bad " << parameter);
  } catch (const red::ParameterError& e) {
    CHECK(e.parameter == parameter);
  }
}

}  // namespace

TEST_CASE("SubGen: partition function exact when every key is kept", "[subgen]") {
  const Stream s = clustered(300, 6, 5, 0.05, 11);
  red::SubGen g(6, {.r = 0.5, .t = 300, .s = 4, .seed = 3});
  feed(g, s);
  REQUIRE(g.clusters() >= 5);
  REQUIRE(g.clusters() <= 20);
  for (std::size_t c = 0; c < g.clusters(); ++c) CHECK(g.cluster_samples(c) == static_cast<std::size_t>(g.cluster_count(c)));
  for (std::uint64_t qs = 1; qs <= 5; ++qs) {
    const auto q = query(6, qs, 2.0);
    const auto e = g.estimates(q);
    const auto [tau, num] = exact_sums(s, q, e.shift);
    CHECK(std::abs(e.tau - tau) <= 1e-12 * tau);
  }
}

TEST_CASE("SubGen: keys farther apart than r each open a cluster (no memory saved)", "[subgen]") {
  red::SubGen g(3, {.r = 0.5, .t = 1, .s = 8, .seed = 1});
  red::ExactAttention ex(3);
  for (int j = 0; j < 50; ++j) {  // keys at mutual distance >= sqrt(6) > r
    const float k[3] = {static_cast<float>(j), static_cast<float>(-j), static_cast<float>(2 * j)}, v[3] = {1, 0, -1};
    g.observe(k, v);
    ex.observe(k, v);
  }
  CHECK(g.clusters() == 50);
  CHECK(g.words_used() == 50 * (3 + 1 + 3) + 8 * (2 * 3 + 1) + 8 + 2);
  CHECK(g.words_used() > ex.words_used());
}

TEST_CASE("SubGen: estimators unbiased with few samples (fixed seeds, loose tolerance)", "[subgen]") {
  // 400 independent runs (seeds 1..400) of t = 2 key samples and s = 4 value samples on one stream.
  // Each estimate's mean over the runs must lie within 5 standard errors (estimated from the same
  // runs) of the exact value: a false alarm would need a 5-sigma deviation; the seeds are fixed, so
  // the outcome is deterministic.
  const Stream s = clustered(200, 4, 3, 0.2, 21);
  const auto q = query(4, 9, 1.5);
  const int runs = 400;
  std::vector<double> tau(runs), num0(runs), num1(runs);
  const double shift = 0;  // estimates() shifts by the max over kept keys; every run is rescaled to 0
  for (int r = 0; r < runs; ++r) {
    red::SubGen g(4, {.r = 0.8, .t = 2, .s = 4, .seed = static_cast<std::uint64_t>(r + 1)});
    feed(g, s);
    const auto e = g.estimates(q);
    const double f = std::exp(e.shift - shift);
    tau[r] = e.tau * f;
    num0[r] = e.num[0] * f;
    num1[r] = e.num[1] * f;
  }
  const auto [tau_x, num_x] = exact_sums(s, q, shift);
  auto check_mean = [&](const std::vector<double>& x, double truth) {
    double m = 0, v = 0;
    for (double y : x) m += y;
    m /= runs;
    for (double y : x) v += (y - m) * (y - m);
    const double se = std::sqrt(v / (runs - 1) / runs);
    INFO("mean " << m << " truth " << truth << " se " << se);
    CHECK(std::abs(m - truth) <= 5 * se + 1e-12 * std::abs(truth));
    CHECK(se > 0);  // the estimator really is random here
  };
  check_mean(tau, tau_x);
  check_mean(num0, num_x[0]);
  check_mean(num1, num_x[1]);
}

TEST_CASE("SubGen: memory flat in n on a clusterable stream; exact baseline grows", "[subgen]") {
  const Stream s = clustered(40000, 8, 8, 0.02, 7);
  red::SubGen g(8, {.r = 0.3, .t = 8, .s = 32, .seed = 2});
  red::ExactAttention ex(8);
  std::vector<std::size_t> words;
  for (std::size_t j = 0; j < s.n(); ++j) {
    const std::span<const float> k(s.K.data() + j * 8, 8), v(s.V.data() + j * 8, 8);
    g.observe(k, v);
    ex.observe(k, v);
    if (j + 1 == 4000 || j + 1 == 40000) words.push_back(g.words_used());
  }
  CHECK(g.clusters() == 8);
  CHECK(words[0] == words[1]);  // every cluster already holds t samples at n = 4000
  CHECK(ex.words_used() == 40000u * 16u);
  CHECK(words[1] * 100 < ex.words_used());
}

TEST_CASE("SubGen: words_used counts exactly the floats and doubles stored", "[subgen]") {
  const std::size_t d = 5;
  const Stream s = clustered(500, d, 4, 0.1, 31);
  red::SubGen g(d, {.r = 0.6, .t = 7, .s = 9, .seed = 4});
  CHECK(g.words_used() == 9 + 2);  // empty: thresholds, W, the cached minimum
  feed(g, s);
  std::size_t expect = 0;
  for (std::size_t c = 0; c < g.clusters(); ++c) {
    CHECK(g.cluster_samples(c) == std::min<std::size_t>(7, static_cast<std::size_t>(g.cluster_count(c))));
    expect += d + 1 + d * g.cluster_samples(c);  // center, count, samples
  }
  CHECK(g.value_samples() == 9);
  expect += 9 * (2 * d + 1) + 9 + 2;  // value samplers, thresholds, W, cached minimum
  CHECK(g.words_used() == expect);
  double counted = 0;
  for (std::size_t c = 0; c < g.clusters(); ++c) counted += g.cluster_count(c);
  CHECK(counted == 500);
}

TEST_CASE("SubGen: zero values carry no weight", "[subgen]") {
  red::SubGen g(2, {.r = 1, .t = 2, .s = 3, .seed = 1});
  const float k[2] = {0.5f, 0.5f}, z[2] = {0, 0};
  g.observe(k, z);
  CHECK(g.value_samples() == 0);
  CHECK(g.words_used() == (2 + 1 + 2) + 3 + 2);
  const float q[2] = {1, 1};
  const auto a = g.answer(q);
  CHECK(a[0] == 0.0);
  CHECK(a[1] == 0.0);
}

TEST_CASE("SubGen: bad parameters throw naming the parameter", "[subgen]") {
  expect_parameter_error({.r = 0}, "r");
  expect_parameter_error({.r = -1}, "r");
  expect_parameter_error({.r = NAN}, "r");
  expect_parameter_error({.r = INFINITY}, "r");
  expect_parameter_error({.r = 1, .t = 0}, "t");
  expect_parameter_error({.r = 1, .t = 1, .s = 0}, "s");
  try {
    red::SubGen g(0, {});
    FAIL("accepted d = 0");
  } catch (const red::ParameterError& e) {
    CHECK(e.parameter == "d");
  }
  red::SubGen g(3, {});
  const float k3[3] = {1, 2, 3}, k2[2] = {1, 2}, bad[3] = {1, NAN, 0};
  CHECK_THROWS_AS(g.answer(k3), std::logic_error);  // no token yet
  try { g.observe(k2, k3); FAIL(); } catch (const red::ParameterError& e) { CHECK(e.parameter == "key"); }
  try { g.observe(k3, bad); FAIL(); } catch (const red::ParameterError& e) { CHECK(e.parameter == "value"); }
  g.observe(k3, k3);
  try { g.answer(k2); FAIL(); } catch (const red::ParameterError& e) { CHECK(e.parameter == "query"); }
}

TEST_CASE("SubGen: deterministic for a fixed seed, different across seeds", "[subgen]") {
  const Stream s = clustered(3000, 4, 6, 0.1, 41);
  const auto q = query(4, 3, 1.0);
  red::SubGen a(4, {.r = 0.5, .t = 4, .s = 16, .seed = 77}), b(4, {.r = 0.5, .t = 4, .s = 16, .seed = 77}),
      c(4, {.r = 0.5, .t = 4, .s = 16, .seed = 78});
  feed(a, s);
  feed(b, s);
  feed(c, s);
  CHECK(a.answer(q) == b.answer(q));
  CHECK(a.words_used() == b.words_used());
  CHECK(a.answer(q) != c.answer(q));
  auto copy = a.clone();
  CHECK(copy->answer(q) == a.answer(q));
}

TEST_CASE("SubGen: certified error against the exact reference", "[subgen]") {
  const std::size_t d = 4;
  const Stream s = clustered(120, d, 3, 0.05, 51);
  const auto q = query(d, 5, 1.0);
  red::ExactAttention ex(d);
  feed(ex, s);
  // The exact baseline's double answer is within a tiny certified distance of the reference.
  const auto ze = ex.answer(q);
  const auto ce = red::certified_error(ze, q, s.K, s.V, d);
  CHECK(ce.rel_hi < 1e-12);
  CHECK(ce.rel_lo <= ce.rel_hi);
  // With every sample kept for the partition function the SubGen error comes from the s value
  // samples only; the bracket [rel_lo, rel_hi] is ordered and the error is an enclosure.
  red::SubGen g(d, {.r = 0.5, .t = 200, .s = 64, .seed = 9});
  feed(g, s);
  const auto z = g.answer(q);
  const auto cg = red::certified_error(z, q, s.K, s.V, d);
  double plain = 0;
  for (std::size_t l = 0; l < d; ++l) plain += (z[l] - ze[l]) * (z[l] - ze[l]);
  plain = std::sqrt(plain);
  CHECK(cg.err.contains(core::Rational(0)) == false);
  CHECK(std::abs(plain - mpfr_get_d(cg.err.hi(), MPFR_RNDU)) <= 1e-9);
  CHECK(cg.rel_lo <= cg.rel_hi);
  CHECK(cg.rel_hi < 1.0);  // s = 64 samples: well inside the guarantee's scale
  // A planted wrong answer: far off, and the enclosure says so.
  std::vector<double> wrong = ze;
  wrong[0] += 1.0;
  const auto cw = red::certified_error(wrong, q, s.K, s.V, d);
  CHECK(mpfr_get_d(cw.err.lo(), MPFR_RNDD) > 0.999);
  CHECK(mpfr_get_d(cw.err.hi(), MPFR_RNDU) < 1.001);
}

TEST_CASE("SubGen on T1's hard instance: no memory saved, or no decoding", "[subgen]") {
  // H1(256, 16, C = 12, random keys): keys at distance 2 sqrt(Hamming) >= 2 apart (distinct keys).
  const std::size_t N = 256, d = 16;
  const red::H1Instance inst = red::make_h1(core::SignMatrix::random(N, d, 3), 12, 4);
  auto run = [&](double r, std::size_t s, std::size_t& words, double& decoded) {
    red::SubGen g(d, {.r = r, .t = 4, .s = s, .seed = 5});
    std::vector<float> k(d), v(d), zero(d, 0.0f), q(d);
    for (std::size_t j = 0; j < N; ++j) {
      for (std::size_t c = 0; c < d; ++c) {
        k[c] = static_cast<float>(inst.keys.entry(j, c));
        v[c] = static_cast<float>(inst.bits.entry(j, c));
      }
      g.observe(k, v);
    }
    words = g.words_used();
    std::size_t ok = 0;
    for (std::size_t i = 0; i < N; i += 8) {
      auto bob = g.clone();
      bob->observe(zero, zero);
      for (std::size_t c = 0; c < d; ++c) q[c] = static_cast<float>(12.0 / d * inst.keys.entry(i, c));
      const auto z = bob->answer(q);
      for (std::size_t c = 0; c < d; ++c) ok += (z[c] < 0) == inst.bits.negative(i, c);
    }
    decoded = static_cast<double>(ok) / static_cast<double>(N / 8 * d);
    return g.clusters();
  };
  std::size_t words = 0;
  double decoded = 0;
  bool distinct = true;
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = i + 1; j < N; ++j) distinct = distinct && inst.keys.distance(i, j) > 0;
  REQUIRE(distinct);
  CHECK(run(1.0, 8 * N, words, decoded) == N);   // r below every key distance: one cluster per key
  CHECK(words > 2 * N * d);                      // ... and more words than the exact cache
  CHECK(decoded == 1.0);                         // s = 8N samples: each row's token kept w.p. 1 - e^-8 (this seed: all)
  CHECK(run(8.0001, 16, words, decoded) == 1);   // r = 2 sqrt(d): one cluster
  CHECK(words < 2 * N * d / 10);                 // saves memory ...
  CHECK(decoded < 0.75);                         // ... and does not decode (16 of 256 tokens sampled)
}
