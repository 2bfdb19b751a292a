// T6 kNN attention (reductions/knn_attention.hpp): equal to exact attention when S is everything,
// the error identity o - o^kNN = eps (mu_out - mu_S) and its bound checked numerically, causal
// masking including the first k queries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/knn_attention.hpp"
#include "attncert/reductions/knn_exact.hpp"

using namespace attncert::reductions::knn;

namespace {
std::vector<double> uniform(std::size_t n, double B, std::mt19937_64& g) {
  std::uniform_real_distribution<double> u(-B, B);
  std::vector<double> v(n);
  for (auto& x : v) x = u(g);
  return v;
}
}  // namespace

TEST_CASE("kNN attention with k = n is exact attention and causal rows i < k see every admissible key", "[knn][t6]") {
  std::mt19937_64 g(21);
  const std::size_t n = 120, d = 16, dv = 4;
  auto Q = uniform(n * d, 1, g), K = uniform(n * d, 1, g), V = uniform(n * dv, 1, g);
  std::vector<float> Qf(Q.begin(), Q.end()), Kf(K.begin(), K.end());
  for (bool causal : {false, true}) {
    AttentionOptions opt;
    opt.scale = default_scale(d);
    opt.causal = causal;
    std::vector<double> exact(n * dv), knn(n * dv);
    exact_attention(Q.data(), K.data(), V.data(), n, n, d, dv, opt, exact.data());
    for (std::size_t k : {n, std::size_t(10)}) {
      TopK t = top_k(IndexKind::brute, Qf.data(), Kf.data(), n, n, d, k, causal);
      knn_attention(Q.data(), K.data(), V.data(), n, n, d, dv, t, opt.scale, knn.data());
      for (std::size_t i = 0; i < n; ++i) {
        const bool all = k == n || (causal && i < k);  // S_i = every admissible key
        if (!all) continue;
        INFO("k=" << k << " causal=" << causal << " i=" << i);
        for (std::size_t c = 0; c < dv; ++c) CHECK(std::abs(knn[i * dv + c] - exact[i * dv + c]) <= 1e-12);
      }
    }
  }
}

TEST_CASE("kNN attention error identity: o - o_kNN = eps (mu_out - mu_S), |error_c| <= eps range_c", "[knn][t6]") {
  std::mt19937_64 g(42);
  const std::size_t n = 200, d = 16, dv = 6;
  for (double B : {1.0, 5.0, 20.0}) {
    auto Q = uniform(n * d, B, g), K = uniform(n * d, B, g), V = uniform(n * dv, 3, g);
    std::vector<float> Qf(Q.begin(), Q.end()), Kf(K.begin(), K.end());
    const double scale = default_scale(d);
    for (std::size_t k : {1, 5, 40}) {
      TopK t = top_k(IndexKind::brute, Qf.data(), Kf.data(), n, n, d, k, true);
      std::vector<double> knn(n * dv), exact(n * dv);
      knn_attention(Q.data(), K.data(), V.data(), n, n, d, dv, t, scale, knn.data());
      AttentionOptions opt;
      opt.scale = scale;
      opt.causal = true;
      exact_attention(Q.data(), K.data(), V.data(), n, n, d, dv, opt, exact.data());
      for (std::size_t i = 0; i < n; i += 7) {
        auto e = knn_error_terms(Q.data() + i * d, K.data(), V.data(), i + 1, d, dv, t.neighbours(i), scale);
        INFO("B=" << B << " k=" << k << " i=" << i << " eps=" << e.eps);
        CHECK(e.eps >= 0);
        CHECK(e.eps <= 1);
        if (i + 1 <= k) CHECK(e.eps == 0);
        for (std::size_t c = 0; c < dv; ++c) {
          const double err = e.o[c] - e.o_knn[c];
          CHECK(std::abs(err - e.eps * (e.mu_out[c] - e.mu_S[c])) <= 1e-12 * (1 + std::abs(err)));
          CHECK(std::abs(err) <= e.eps * e.range[c] + 1e-12);
          // the terms agree with the two engines
          CHECK(std::abs(e.o[c] - exact[i * dv + c]) <= 1e-10);
          CHECK(std::abs(e.o_knn[c] - knn[i * dv + c]) <= 1e-10);
        }
      }
    }
  }
  // An arbitrary (not top-k) set: the identity is about any S.
  auto Q = uniform(4 * 3, 1, g), K = uniform(9 * 3, 1, g), V = uniform(9 * 2, 1, g);
  std::vector<std::uint32_t> S = {8, 0, 4};
  auto e = knn_error_terms(Q.data(), K.data(), V.data(), 9, 3, 2, S, 1.0);
  for (std::size_t c = 0; c < 2; ++c) CHECK(std::abs((e.o[c] - e.o_knn[c]) - e.eps * (e.mu_out[c] - e.mu_S[c])) <= 1e-14);
  std::vector<std::uint32_t> bad = {1, 1};
  CHECK_THROWS_AS(knn_error_terms(Q.data(), K.data(), V.data(), 9, 3, 2, bad, 1.0), attncert::reductions::ParameterError);
}

TEST_CASE("float32 kNN attention agrees with float64 and rejects a top-k of another shape", "[knn][t6]") {
  std::mt19937_64 g(8);
  const std::size_t n = 500, d = 32, dv = 8, k = 22;
  auto Q = uniform(n * d, 2, g), K = uniform(n * d, 2, g), V = uniform(n * dv, 1, g);
  std::vector<float> Qf(Q.begin(), Q.end()), Kf(K.begin(), K.end()), Vf(V.begin(), V.end());
  TopK t = top_k(IndexKind::brute, Qf.data(), Kf.data(), n, n, d, k, true);
  std::vector<double> O(n * dv);
  std::vector<float> Of(n * dv);
  knn_attention(Q.data(), K.data(), V.data(), n, n, d, dv, t, default_scale(d), O.data());
  knn_attention(Qf.data(), Kf.data(), Vf.data(), n, n, d, dv, t, default_scale(d), Of.data(), 2);
  for (std::size_t x = 0; x < n * dv; ++x) CHECK(std::abs(double(Of[x]) - O[x]) < 1e-5);
  CHECK_THROWS_AS(knn_attention(Q.data(), K.data(), V.data(), n - 1, n, d, dv, t, 1.0, O.data()),
                  attncert::reductions::ParameterError);
  CHECK_THROWS_AS(knn_attention(Q.data(), K.data(), V.data(), n, 10, d, dv, t, 1.0, O.data()),
                  attncert::reductions::ParameterError);
}
