// T6 attention engines (reductions/knn_exact.hpp): float64 against core's certified reference,
// float32 against float64, causal masking against the non-causal engine on prefixes, bad shapes.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "attncert/core/attention_ref.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/knn_exact.hpp"

using namespace attncert::reductions::knn;
using attncert::core::Rational;
using attncert::reductions::ParameterError;

namespace {
template <class T>
std::vector<T> uniform(std::size_t n, double B, std::mt19937_64& g) {
  std::uniform_real_distribution<double> u(-B, B);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(u(g));
  return v;
}
}  // namespace

TEST_CASE("float64 attention lies within 1e-12 of the certified reference (tile edges, causal or not)", "[knn][t6]") {
  std::mt19937_64 g(7);
  for (std::size_t n : {1, 2, 5, 8, 9, 17}) {
    const std::size_t d = 3, dv = 2;
    auto Q = uniform<double>(n * d, 2, g), K = uniform<double>(n * d, 2, g), V = uniform<double>(n * dv, 1, g);
    for (bool causal : {false, true}) {
      AttentionOptions opt;
      opt.scale = 0.5;
      opt.causal = causal;
      opt.block = 4;  // several blocks, a partial last one
      std::vector<double> O(n * dv);
      exact_attention(Q.data(), K.data(), V.data(), n, n, d, dv, opt, O.data());
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t m = causal ? i + 1 : n;
        attncert::core::RationalVector q(d);
        for (std::size_t l = 0; l < d; ++l) q[l] = Rational(Q[i * d + l]) * Rational(opt.scale);
        attncert::core::RationalMatrix Kr(m, attncert::core::RationalVector(d)), Vr(m, attncert::core::RationalVector(dv));
        for (std::size_t j = 0; j < m; ++j) {
          for (std::size_t l = 0; l < d; ++l) Kr[j][l] = Rational(K[j * d + l]);
          for (std::size_t c = 0; c < dv; ++c) Vr[j][c] = Rational(V[j * dv + c]);
        }
        auto ref = attncert::core::attention_reference(q, Kr, Vr, attncert::core::pow2(-60));
        for (std::size_t c = 0; c < dv; ++c) {
          const double mid = ((ref.out[c].lo_q() + ref.out[c].hi_q()) / 2).convert_to<double>();
          INFO("n=" << n << " causal=" << causal << " i=" << i << " c=" << c);
          CHECK(std::abs(O[i * dv + c] - mid) <= 1e-12);
        }
      }
    }
  }
}

TEST_CASE("float32 attention agrees with float64 and causal rows equal attention over the prefix", "[knn][t6]") {
  std::mt19937_64 g(11);
  const std::size_t n = 300, d = 16, dv = 8;
  auto Q = uniform<double>(n * d, 3, g), K = uniform<double>(n * d, 3, g), V = uniform<double>(n * dv, 1, g);
  std::vector<float> Qf(Q.begin(), Q.end()), Kf(K.begin(), K.end()), Vf(V.begin(), V.end());
  for (bool causal : {false, true})
    for (std::size_t block : {1, 64, 128, 1000}) {
      AttentionOptions opt;
      opt.scale = default_scale(d);
      opt.causal = causal;
      opt.block = block;
      opt.threads = 2;
      std::vector<double> O(n * dv);
      std::vector<float> Of(n * dv);
      exact_attention(Q.data(), K.data(), V.data(), n, n, d, dv, opt, O.data());
      exact_attention(Qf.data(), Kf.data(), Vf.data(), n, n, d, dv, opt, Of.data());
      double worst = 0;
      for (std::size_t x = 0; x < n * dv; ++x) worst = std::max(worst, std::abs(double(Of[x]) - O[x]));
      INFO("causal=" << causal << " block=" << block);
      CHECK(worst < 2e-5);  // inputs rounded to float (2^-24 relative) and float arithmetic, |v| <= 1
      if (causal) {
        // Row i of the causal output is the non-causal output over keys 0..i; the first rows too.
        for (std::size_t i : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(63), std::size_t(64), n - 1}) {
          AttentionOptions nc = opt;
          nc.causal = false;
          std::vector<double> o(dv);
          exact_attention(Q.data() + i * d, K.data(), V.data(), 1, i + 1, d, dv, nc, o.data());
          for (std::size_t c = 0; c < dv; ++c) CHECK(std::abs(o[c] - O[i * dv + c]) <= 1e-13);
        }
      }
    }
  // Row 0 of causal attention is v_0 whatever the scores (one admissible key).
  AttentionOptions opt;
  opt.causal = true;
  opt.scale = 100;
  std::vector<double> O(n * dv);
  exact_attention(Q.data(), K.data(), V.data(), n, n, d, dv, opt, O.data());
  for (std::size_t c = 0; c < dv; ++c) CHECK(O[c] == V[c]);
}

TEST_CASE("attention engines reject bad shapes naming the parameter", "[knn][t6]") {
  std::vector<float> x(64, 1.0f), o(64);
  AttentionOptions opt;
  auto param = [&](auto&& f) -> std::string {
    try {
      f();
    } catch (const ParameterError& e) {
      return e.parameter;
    }
    return "none";
  };
  CHECK(param([&] { exact_attention(x.data(), x.data(), x.data(), 4, 4, 0, 4, opt, o.data()); }) == "d");
  CHECK(param([&] { exact_attention(x.data(), x.data(), x.data(), 0, 4, 4, 4, opt, o.data()); }) == "n");
  opt.causal = true;
  CHECK(param([&] { exact_attention(x.data(), x.data(), x.data(), 3, 4, 4, 4, opt, o.data()); }) == "causal");
  opt.causal = false;
  opt.scale = NAN;
  CHECK(param([&] { exact_attention(x.data(), x.data(), x.data(), 4, 4, 4, 4, opt, o.data()); }) == "scale");
  opt.scale = 1;
  opt.block = 0;
  CHECK(param([&] { exact_attention(x.data(), x.data(), x.data(), 4, 4, 4, 4, opt, o.data()); }) == "block");
  opt.block = 2;
  std::vector<float> v = x;
  v[5] = INFINITY;
  CHECK(param([&] { exact_attention(x.data(), x.data(), v.data(), 4, 4, 4, 4, opt, o.data()); }) == "values");
  CHECK(param([&] { exact_attention(x.data(), v.data(), x.data(), 4, 4, 4, 4, opt, o.data()); }) == "keys");
  CHECK(param([&] { exact_attention(x.data(), x.data(), x.data(), 4, 4, 4, 0, opt, o.data()); }) == "dv");
}
