// gpu_inputs v1 (docs/certificates.md#gpu-inputs): values written down from the spec by an
// independent re-implementation of its draws, exact representability in each dtype, windows, and
// the structure each family promises.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "attncert/core/rational.hpp"
#include "attncert/core/rng.hpp"
#include "attncert/gpu/inputs.hpp"

using namespace attncert;
using namespace attncert::gpu;

namespace {

Inputs make(Family f, DType t, KernelKind k, int n, int d, std::uint64_t seed, int amp = 0, float scale = 1.0f) {
  return make_inputs({.family = f, .dtype = t, .kernel = k, .n = n, .d = d, .seed = seed, .scale = scale, .amplitude_log2 = amp});
}

std::vector<float> scaled(std::initializer_list<long> ms, int e) {
  std::vector<float> r;
  for (long m : ms) r.push_back(static_cast<float>(std::ldexp(static_cast<double>(m), e)));
  return r;
}

// Is x exactly a value of the dtype? f32: any finite float; f16: 11-bit significand, exponent
// >= -24 (subnormals), |x| <= 65504; bf16: 8-bit significand in binary32's exponent range.
bool representable(float x, DType t) {
  if (!std::isfinite(x)) return false;
  if (x == 0.0f || t == DType::f32) return true;
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if (t == DType::bf16) return (u & 0xffff) == 0;
  int e;
  const double fr = std::frexp(std::fabs(static_cast<double>(x)), &e);  // |x| = fr 2^e
  const double m = std::ldexp(fr, 11);                                   // 11 significant bits
  if (std::fabs(x) > 65504.0f) return false;
  if (e - 1 < -14) return std::ldexp(std::fabs(static_cast<double>(x)), 24) == std::floor(std::ldexp(std::fabs(static_cast<double>(x)), 24));
  return m == std::floor(m);
}

}  // namespace

TEST_CASE("gpu_inputs v1: the first values for fixed seeds, as the spec's draws give them", "[gpu][inputs]") {
  core::Xoshiro256ss g(1);
  CHECK(g.next() == 0xb3f2af6d0fc710c5ull);
  CHECK(g.next() == 0x853b559647364ceaull);

  // random f16 decode n=3 d=2 seed 1: U() values m 2^-11
  auto a = make(Family::random, DType::f16, KernelKind::decode, 3, 2, 1);
  CHECK(a.problem.rows == 1);
  CHECK(a.problem.q == scaled({315, -1740}, -11));
  CHECK(a.problem.k == scaled({568, 976, -1451, -1950, -1466, -388}, -11));
  CHECK(a.problem.v == scaled({1284, -1179, 429, -1752, -901, 121}, -11));
  CHECK(a.targets.empty());

  // random f32 decode n=2 d=2 seed 7: m 2^-24
  auto b = make(Family::random, DType::f32, KernelKind::split_decode, 2, 2, 7);
  CHECK(b.problem.q == scaled({7806680, 6752721}, -24));
  CHECK(b.problem.k == scaled({-15313890, 1895066, -2705214, 3159552}, -24));
  CHECK(b.problem.v == scaled({-5915261, -6926794, 7367260, -12330212}, -24));

  // random bf16 prefill n=2 d=2 seed 3: Q has n rows
  auto c = make(Family::random, DType::bf16, KernelKind::prefill, 2, 2, 3);
  CHECK(c.problem.rows == 2);
  CHECK(c.problem.q == scaled({-83, -180, -47, -45}, -8));
  CHECK(c.problem.k == scaled({-27, -226, -54, -106}, -8));
  CHECK(c.problem.v == scaled({-30, 80, 140, -104}, -8));

  // t1 decode n=4 d=3 seed 1, amplitude 2^2: K, V by S(), then t = below(4) = 2
  auto t = make(Family::t1, DType::f16, KernelKind::decode, 4, 3, 1, 2);
  CHECK(t.problem.k == scaled({-1, -1, -1, 1, -1, 1, 1, 1, -1, -1, -1, -1}, 0));
  CHECK(t.problem.v == scaled({-1, -1, -1, -1, 1, 1, 1, 1, 1, 1, -1, 1}, 0));
  REQUIRE(t.targets == std::vector<int>{2});
  CHECK(t.problem.q == scaled({4, 4, -4}, 0));

  // t1 prefill n=5 d=2 seed 2: targets below(r + 1) row by row
  auto tp = make(Family::t1, DType::bf16, KernelKind::prefill, 5, 2, 2, -3);
  CHECK(tp.problem.k == scaled({1, -1, 1, -1, -1, 1, -1, 1, -1, -1}, 0));
  CHECK(tp.problem.v == scaled({-1, 1, -1, -1, -1, 1, -1, -1, 1, 1}, 0));
  CHECK(tp.targets == std::vector<int>{0, 0, 1, 2, 3});
  CHECK(tp.problem.q[2 * 4 + 0] == std::ldexp(1.0f, -3) * tp.problem.k[2 * 2 + 0]);

  // needle f32 decode n=6 d=4 seed 5: Q by U, then t = 1, c0 = 3, then V by U
  auto nd = make(Family::needle, DType::f32, KernelKind::decode, 6, 4, 5);
  CHECK(nd.problem.q == scaled({-156092, -13698932, 1362873, 2261193}, -24));
  for (int i = 0; i < 24; ++i) CHECK(nd.problem.k[i] == (i == 1 * 4 + 3 ? std::ldexp(1.0f, 30) : 0.0f));
  CHECK(std::vector<float>(nd.problem.v.begin(), nd.problem.v.begin() + 4) == scaled({14342084, -14627460, -8072004, 14764449}, -24));

  // equal f16 decode n=3 d=2 seed 9: Q, one key row, V
  auto eq = make(Family::equal, DType::f16, KernelKind::decode, 3, 2, 9);
  CHECK(eq.problem.q == scaled({-887, -1767}, -11));
  CHECK(eq.problem.k == scaled({1525, -121, 1525, -121, 1525, -121}, -11));
  CHECK(eq.problem.v == scaled({-590, -454, 1381, -1500, -879, 1675}, -11));
}

TEST_CASE("gpu_inputs v1: every value is exact in its dtype; windows as specified", "[gpu][inputs]") {
  for (DType t : {DType::f32, DType::f16, DType::bf16})
    for (Family f : {Family::random, Family::t1, Family::needle, Family::equal, Family::masked, Family::range})
      for (KernelKind k : {KernelKind::decode, KernelKind::split_decode, KernelKind::prefill})
        for (int n : {1, 2, 7, 64}) {
          INFO(to_string(t) << " " << to_string(f) << " " << to_string(k) << " n=" << n);
          auto in = make(f, t, k, n, 5, 11, 3);
          const Problem& p = in.problem;
          REQUIRE(p.rows == (k == KernelKind::prefill ? n : 1));
          REQUIRE(p.q.size() == static_cast<std::size_t>(p.rows) * 5);
          REQUIRE(p.k.size() == static_cast<std::size_t>(n) * 5);
          REQUIRE(p.v.size() == static_cast<std::size_t>(n) * 5);
          bool all = true;
          for (const auto* m : {&p.q, &p.k, &p.v})
            for (float x : *m) all = all && representable(x, t);
          CHECK(all);
          const int P = f == Family::masked ? n / 2 : 0;
          for (int r = 0; r < p.rows; ++r) {
            const int hi = k == KernelKind::prefill ? r + 1 : n;
            CHECK(p.lo[r] == P);
            if (hi > P) CHECK(p.hi[r] == hi);
            else CHECK(p.hi[r] <= p.lo[r]);  // an empty window: a masked row
          }
        }
  // the representability check itself can fail
  CHECK_FALSE(representable(1.0f + std::ldexp(1.0f, -11), DType::f16));
  CHECK_FALSE(representable(1.0f + std::ldexp(1.0f, -8), DType::bf16));
  CHECK_FALSE(representable(70000.0f, DType::f16));
  CHECK(representable(std::ldexp(1.0f, -24), DType::f16));
}

TEST_CASE("gpu_inputs v1: each family's structure", "[gpu][inputs]") {
  // t1: sign keys and values, Q = amplitude K[t_r], targets inside the causal window
  auto t = make(Family::t1, DType::bf16, KernelKind::prefill, 50, 16, 4, 5);
  for (int r = 0; r < 50; ++r) {
    REQUIRE(t.targets[r] >= 0);
    REQUIRE(t.targets[r] <= r);
    for (int c = 0; c < 16; ++c) CHECK(t.problem.q[r * 16 + c] == 32.0f * t.problem.k[t.targets[r] * 16 + c]);
  }
  for (float x : t.problem.k) CHECK(std::fabs(x) == 1.0f);
  for (float x : t.problem.v) CHECK(std::fabs(x) == 1.0f);
  // needle: exactly one nonzero key entry, H = 2^7 for f16
  auto nd = make(Family::needle, DType::f16, KernelKind::prefill, 40, 8, 2);
  int nonzero = 0;
  for (float x : nd.problem.k)
    if (x != 0.0f) {
      ++nonzero;
      CHECK(x == 128.0f);
    }
  CHECK(nonzero == 1);
  // equal: every key row the same
  auto eq = make(Family::equal, DType::f32, KernelKind::decode, 30, 6, 3);
  for (int j = 1; j < 30; ++j)
    for (int c = 0; c < 6; ++c) CHECK(eq.problem.k[j * 6 + c] == eq.problem.k[c]);
  // masked: the first half of the cache is outside every window; prefill rows r < n/2 are empty
  auto mk = make(Family::masked, DType::f16, KernelKind::prefill, 9, 4, 3);
  for (int r = 0; r < 9; ++r) CHECK((mk.problem.hi[r] > mk.problem.lo[r]) == (r >= 4));
  // masked draws are random's draws
  CHECK(mk.problem.v == make(Family::random, DType::f16, KernelKind::prefill, 9, 4, 3).problem.v);
  // range: magnitudes up to the dtype's range (V near 2^126 / n for f32, 2^15 for f16)
  auto rg = make(Family::range, DType::f32, KernelKind::decode, 1000, 8, 1);
  float vmax = 0, qmax = 0;
  for (float x : rg.problem.v) vmax = std::max(vmax, std::fabs(x));
  for (float x : rg.problem.q) qmax = std::max(qmax, std::fabs(x));
  CHECK(vmax < std::ldexp(1.0f, 116));
  CHECK(vmax > std::ldexp(1.0f, 114));
  CHECK(qmax < std::ldexp(1.0f, 30));
  CHECK(qmax > std::ldexp(1.0f, 28));
  CHECK(range_v_log2(DType::f32, 1000) == 116);
  CHECK(range_v_log2(DType::bf16, 1024) == 116);
  CHECK(range_v_log2(DType::f32, 1025) == 115);
  CHECK(range_v_log2(DType::f16, 7) == 15);
  auto rh = make(Family::range, DType::f16, KernelKind::decode, 100, 8, 1);
  for (float x : rh.problem.v) CHECK(std::fabs(x) < 32768.0f);
  // determinism, and the seed matters
  CHECK(make(Family::random, DType::f16, KernelKind::decode, 10, 4, 5).problem.q ==
        make(Family::random, DType::f16, KernelKind::decode, 10, 4, 5).problem.q);
  CHECK(make(Family::random, DType::f16, KernelKind::decode, 10, 4, 5).problem.q !=
        make(Family::random, DType::f16, KernelKind::decode, 10, 4, 6).problem.q);
}

TEST_CASE("gpu_inputs v1: defaults and refusals", "[gpu][inputs]") {
  using core::Rational;
  // the default scale is the binary32 nearest 1/sqrt(d): |s - 1/sqrt(d)| <= half an ulp, exactly
  for (int d : {1, 2, 3, 64, 100, 128, 1000, 1024}) {
    const float s = default_scale(Family::random, d);
    int e;
    std::frexp(s, &e);
    const Rational half_ulp = core::pow2(e - 25);
    const Rational sq(s);
    const Rational lo = (sq - half_ulp) * (sq - half_ulp) * d, hi = (sq + half_ulp) * (sq + half_ulp) * d;
    INFO("d=" << d);
    CHECK(lo <= 1);
    CHECK(hi >= 1);
  }
  CHECK(default_scale(Family::random, 64) == 0.125f);
  CHECK(default_scale(Family::range, 64) == 1.0f);
  CHECK(default_amplitude_log2(default_scale(Family::t1, 128), 128) == 6);  // logits up to ~724
  CHECK(default_amplitude_log2(0.125f, 64) == 7);                             // 1024
  CHECK(default_amplitude_log2(1.0f, 1024) == 0);
  CHECK(parse_family("needle") == Family::needle);
  CHECK(parse_kernel("split-decode") == KernelKind::split_decode);
  CHECK(parse_dtype("bf16") == DType::bf16);
  CHECK_THROWS_AS(parse_family("gaussian"), std::invalid_argument);
  CHECK_THROWS_AS(parse_kernel("flash"), std::invalid_argument);
  CHECK_THROWS_AS(parse_dtype("f64"), std::invalid_argument);
  auto refused = [](InputSpec s, const std::string& param) {
    try {
      make_inputs(s);
      return false;
    } catch (const std::invalid_argument& e) {
      return std::string(e.what()).rfind(param + ":", 0) == 0;
    }
  };
  InputSpec s;
  s.n = 0;
  CHECK(refused(s, "n"));
  s.n = 1 << 21;
  CHECK(refused(s, "n"));
  s.n = 1 << 20;
  s.d = 128;
  CHECK(refused(s, "n"));  // n d > 2^26
  s.n = 4;
  s.d = 0;
  CHECK(refused(s, "d"));
  s.d = 1025;
  CHECK(refused(s, "d"));
  s.d = 4;
  s.scale = 0.0f;
  CHECK(refused(s, "scale"));
  s.scale = 1.0f;
  s.family = Family::t1;
  s.amplitude_log2 = 16;
  CHECK(refused(s, "amplitude"));
  s.amplitude_log2 = -25;
  CHECK(refused(s, "amplitude"));
  s.amplitude_log2 = 15;
  CHECK_NOTHROW(make_inputs(s));
}
