// The certified gpu reference (gpu_check/include/attncert/gpu/reference.hpp) against a brute-force
// enclosure (core::attention_reference on exact rationals, widths below 2^-150 relative), masked
// rows, exact ties, refinement, and negative cases: an output moved past its bound is violated.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "attncert/core/attention_ref.hpp"
#include "attncert/core/interval.hpp"
#include "attncert/gpu/inputs.hpp"
#include "attncert/gpu/reference.hpp"

using namespace attncert;
using namespace attncert::gpu;
using core::Rational;

namespace {

Inputs make(Family f, DType t, KernelKind k, int n, int d, std::uint64_t seed, int amp = 0) {
  return make_inputs({.family = f, .dtype = t, .kernel = k, .n = n, .d = d, .seed = seed,
                      .scale = default_scale(f, d), .amplitude_log2 = amp});
}

// Brute force: the enclosure of row r by core::attention_reference on exact rationals.
std::vector<core::Interval> brute(const Problem& p, int r) {
  const int lo = p.lo[r], hi = p.hi[r];
  core::RationalVector q;
  for (int c = 0; c < p.d; ++c) q.push_back(Rational(p.scale) * Rational(p.q[r * p.d + c]));
  core::RationalMatrix K, V;
  Rational vmax = 0;
  for (int j = lo; j < hi; ++j) {
    core::RationalVector kr, vr;
    for (int c = 0; c < p.d; ++c) {
      kr.push_back(Rational(p.k[j * p.d + c]));
      vr.push_back(Rational(p.v[j * p.d + c]));
      vmax = std::max(vmax, abs(vr.back()));
    }
    K.push_back(kr);
    V.push_back(vr);
  }
  const Rational width = (vmax > 0 ? vmax : Rational(1)) * core::pow2(-150);
  return core::attention_reference(q, K, V, width, 1 << 14).out;
}

// Our enclosure contains the brute-force one and is narrow (<= 2^-40 relative to max |v|).
void compare(const Problem& p, Reference& ref) {
  for (int r = 0; r < p.rows; ++r) {
    if (p.hi[r] <= p.lo[r]) {
      for (int c = 0; c < p.d; ++c) CHECK(ref.enclosure(r, c) == std::make_pair(0.0, 0.0));
      continue;
    }
    auto bf = brute(p, r);
    double vmax = 0;
    for (int j = p.lo[r]; j < p.hi[r]; ++j)
      for (int c = 0; c < p.d; ++c) vmax = std::max(vmax, std::fabs(static_cast<double>(p.v[j * p.d + c])));
    for (int c = 0; c < p.d; ++c) {
      auto [lo, hi] = ref.enclosure(r, c);
      INFO("row " << r << " col " << c << " ours [" << lo << ", " << hi << "] brute " << bf[c].str(20));
      CHECK(Rational(lo) <= bf[c].lo_q());
      CHECK(bf[c].hi_q() <= Rational(hi));
      CHECK(hi - lo <= std::ldexp(vmax, -40) + 1e-300);
    }
  }
}

float nearest(const core::Interval& x) { return static_cast<float>(mpfr_get_d(x.lo(), MPFR_RNDN)); }

}  // namespace

TEST_CASE("gpu reference: enclosures contain a brute-force rational computation on tiny sizes", "[gpu][reference]") {
  for (DType t : {DType::f32, DType::f16, DType::bf16})
    for (Family f : {Family::random, Family::t1, Family::needle, Family::equal, Family::masked, Family::range})
      for (KernelKind k : {KernelKind::decode, KernelKind::prefill})
        for (int n : {1, 2, 9}) {
          INFO(to_string(t) << " " << to_string(f) << " " << to_string(k) << " n=" << n);
          auto in = make(f, t, k, n, 3, 17, 4);
          Reference ref(in.problem);
          compare(in.problem, ref);
        }
}

TEST_CASE("gpu reference: general floats (wide exponent spread) take the exact GMP path", "[gpu][reference]") {
  Problem p;
  p.rows = 2;
  p.n = 4;
  p.d = 2;
  p.scale = 0.375f;
  p.q = {std::ldexp(1.0f, 40), std::ldexp(1.0f, -100), std::ldexp(3.0f, -60), -1.5f};
  p.k = {1.0f, std::ldexp(1.0f, 90), std::ldexp(-1.0f, -42), std::ldexp(1.0f, 80), std::ldexp(5.0f, -45), 0.0f, 0.0f,
         std::ldexp(1.0f, -149)};
  p.v = {std::ldexp(1.0f, 120), std::ldexp(1.0f, -140), -3.0f, 7.0f, std::ldexp(-1.0f, 100), 1.0f, 0.5f, std::ldexp(1.0f, -126)};
  p.lo = {0, 1};
  p.hi = {4, 4};
  Reference ref(p);
  compare(p, ref);
}

TEST_CASE("gpu reference: decisions, negative cases, masked rows and exact ties", "[gpu][reference]") {
  auto in = make(Family::random, DType::f16, KernelKind::decode, 200, 8, 3);
  const Problem& p = in.problem;
  Reference ref(p);
  auto bf = brute(p, 0);
  std::vector<float> out(8);
  std::vector<double> bound(8, 0x1p-20);
  for (int c = 0; c < 8; ++c) out[c] = nearest(bf[c]);
  auto v = ref.decide(out, bound);
  for (auto x : v) CHECK(x == Verdict::holds);
  // an output moved by more than its bound is violated; by less, it holds
  std::vector<float> moved = out;
  moved[3] = out[3] + 0x1p-19f;
  moved[5] = out[5] - 0x1p-21f;
  v = ref.decide(moved, bound);
  CHECK(v[3] == Verdict::violated);
  CHECK(v[5] == Verdict::holds);
  CHECK(v[0] == Verdict::holds);
  // NaN/Inf outputs and NaN bounds are violations; an infinite bound holds for a finite output
  std::vector<float> bad = out;
  bad[0] = std::numeric_limits<float>::quiet_NaN();
  bad[1] = std::numeric_limits<float>::infinity();
  std::vector<double> bb = bound;
  bb[2] = std::numeric_limits<double>::quiet_NaN();
  bb[4] = std::numeric_limits<double>::infinity();
  bb[6] = -1.0;
  v = ref.decide(bad, bb);
  CHECK(v[0] == Verdict::violated);
  CHECK(v[1] == Verdict::violated);
  CHECK(v[2] == Verdict::violated);
  CHECK(v[4] == Verdict::holds);
  CHECK(v[6] == Verdict::violated);
  CHECK(std::isnan(ref.error_estimate(0, 0, bad[0])));
  CHECK(ref.error_estimate(0, 3, moved[3]) > 0x1p-20);

  // masked rows: the exact output is 0
  auto mk = make(Family::masked, DType::f16, KernelKind::prefill, 6, 2, 1);
  Reference mref(mk.problem);
  std::vector<float> mo(12, 0.0f);
  std::vector<double> mb(12, 0.0);
  // rows 0..2 are masked (window [3, r + 1) empty); fill rows 3..5 with the exact values' nearest
  for (int r = 3; r < 6; ++r) {
    auto e = brute(mk.problem, r);
    for (int c = 0; c < 2; ++c) {
      mo[r * 2 + c] = nearest(e[c]);
      mb[r * 2 + c] = 0x1p-20;
    }
  }
  v = mref.decide(mo, mb);
  for (auto x : v) CHECK(x == Verdict::holds);
  CHECK(mref.exact_sign(0, 0) == 0);
  mo[1] = 0x1p-140f;  // a masked output that is not 0 violates a zero bound
  v = mref.decide(mo, mb);
  CHECK(v[1] == Verdict::violated);
  CHECK(v[0] == Verdict::holds);

  // exact ties: equal scores over 4 keys give a dyadic mean; bound 0 and |out - A| = bound decide exactly
  auto eq = make(Family::equal, DType::f16, KernelKind::decode, 4, 3, 5);
  Reference eref(eq.problem);
  std::vector<float> eo(3);
  for (int c = 0; c < 3; ++c) {
    double s = 0;
    for (int j = 0; j < 4; ++j) s += eq.problem.v[j * 3 + c];
    eo[c] = static_cast<float>(s / 4);  // exact: a multiple of 2^-13 below 1
  }
  v = eref.decide(eo, {0.0, 0.0, 0.0});
  for (auto x : v) CHECK(x == Verdict::holds);
  std::vector<float> next = eo;
  next[1] = std::nextafter(eo[1], 2.0f);
  const double gap = static_cast<double>(next[1]) - static_cast<double>(eo[1]);
  v = eref.decide(next, {0.0, gap, 0.0});
  CHECK(v[1] == Verdict::holds);  // |out - A| = bound exactly
  v = eref.decide(next, {0.0, gap / 2, 0.0});
  CHECK(v[1] == Verdict::violated);
  v = eref.decide(next, {0.0, 0.0, 0.0});
  CHECK(v[1] == Verdict::violated);
  CHECK(v[0] == Verdict::holds);
}

TEST_CASE("gpu reference: questions the fast enclosure cannot decide are refined", "[gpu][reference]") {
  auto in = make(Family::random, DType::f32, KernelKind::decode, 300, 4, 8);
  const Problem& p = in.problem;
  Reference ref(p);
  auto bf = brute(p, 0);
  std::vector<float> out(4);
  std::vector<double> hold(4), viol(4);
  for (int c = 0; c < 4; ++c) {
    out[c] = nearest(bf[c]);
    // |out - A| to 2^-150 relative; bounds 2^-66 |A| above and below it: far inside the fast
    // enclosure's double rounding (2^-52 |A|), far outside the 128-bit one
    const Rational mid = (bf[c].lo_q() + bf[c].hi_q()) / 2;
    const Rational e = abs(Rational(out[c]) - mid), margin = abs(mid) * core::pow2(-66);
    REQUIRE(e > 2 * margin);
    hold[c] = mpfr_get_d(core::Interval::from_rational(e + margin, 53).hi(), MPFR_RNDU);
    viol[c] = mpfr_get_d(core::Interval::from_rational(e - margin, 53).lo(), MPFR_RNDD);
  }
  DecideStats st;
  auto v = ref.decide(out, hold, &st);
  for (auto x : v) CHECK(x == Verdict::holds);
  CHECK(st.undecided_fast >= 3);
  CHECK(st.rows_refined == 1);
  CHECK(st.max_precision == 128);
  v = ref.decide(out, viol, &st);
  for (auto x : v) CHECK(x == Verdict::violated);
  CHECK(st.rows_refined == 1);
}

TEST_CASE("gpu reference: a sign and a bound hidden below the fast enclosure's width are refined", "[gpu][reference]") {
  // Two keys whose scores differ by 2^-70: A = (e^{s0} - e^{s1}) / (e^{s0} + e^{s1}) = -tanh(2^-71)
  // ~ -2^-71, far inside the 62-bit fixed point's width.
  Problem p;
  p.rows = 1;
  p.n = 2;
  p.d = 1;
  p.scale = 1.0f;
  p.q = {std::ldexp(1.0f, -47)};
  p.k = {1.0f, 1.0f + std::ldexp(1.0f, -23)};
  p.v = {1.0f, -1.0f};
  p.lo = {0};
  p.hi = {2};
  Reference ref(p);
  auto [lo, hi] = ref.enclosure(0, 0);
  REQUIRE(lo < 0);
  REQUIRE(hi >= 0);  // the fast enclosure cannot tell the sign
  CHECK(ref.exact_sign(0, 0) == -1);
  DecideStats st;
  CHECK(ref.decide({0.0f}, {0x1p-70}, &st)[0] == Verdict::holds);
  CHECK(st.max_precision == 128);
  CHECK(ref.decide({0.0f}, {0x1p-72}, &st)[0] == Verdict::violated);
  // |2^-71 + tanh(2^-71)| = 2^-70 - 2^-213/3 + ...: within 2^-70, outside the next double below it
  CHECK(ref.decide({0x1p-71f}, {0x1p-70}, &st)[0] == Verdict::holds);
  CHECK(st.max_precision == 256);
  CHECK(ref.decide({0x1p-71f}, {std::nextafter(0x1p-70, 0.0)}, &st)[0] == Verdict::violated);
  auto bf = brute(p, 0);
  CHECK(bf[0].hi_q() < 0);
}

TEST_CASE("gpu reference: exact signs on T1 instances follow the target's value", "[gpu][reference]") {
  auto in = make(Family::t1, DType::bf16, KernelKind::prefill, 40, 32, 2, 3);
  Reference ref(in.problem);
  for (int r = 0; r < 40; ++r)
    for (int c = 0; c < 32; ++c) {
      const float bit = in.problem.v[in.targets[r] * 32 + c];
      CHECK(ref.exact_sign(r, c) == (bit > 0 ? 1 : -1));
    }
  // malformed problems are refused
  Problem bad = in.problem;
  bad.v.pop_back();
  CHECK_THROWS_AS(Reference(bad), std::invalid_argument);
  bad = in.problem;
  bad.hi[3] = 41;
  CHECK_THROWS_AS(Reference(bad), std::invalid_argument);
  bad = in.problem;
  bad.scale = 0.0f;
  CHECK_THROWS_AS(Reference(bad), std::invalid_argument);
  bad = in.problem;
  bad.q[0] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(Reference(bad), std::invalid_argument);
}

// Hidden timing (run with "[gpu-bench]"): the reference on the decode target n = 32768, d = 128.
TEST_CASE("gpu reference: decode n = 32768, d = 128 timing", "[.][gpu-bench]") {
  for (int threads : {1, 2}) {
    auto in = make(Family::random, DType::f16, KernelKind::decode, 32768, 128, 1);
    std::vector<float> out(128);
    const auto t0 = std::chrono::steady_clock::now();
    ReferenceOptions o;
    o.threads = threads;
    Reference ref(in.problem, o);
    for (int c = 0; c < 128; ++c) out[c] = static_cast<float>(ref.enclosure(0, c).first);
    auto v = ref.decide(out, std::vector<double>(128, 1e-6));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN("threads " << threads << ": enclose + decide " << s << " s");
    CHECK(s < 10.0);
    for (auto x : v) CHECK(x == Verdict::holds);
  }
}
