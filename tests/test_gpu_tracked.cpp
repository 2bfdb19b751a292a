// T7: the error-tracking scalar (gpu_check/include/attncert/gpu/tracked.hpp): hand-computed
// cases, random operation chains against an exact MPFR evaluation, +inf where no bound exists,
// and bit identity of its values with the plain kernel operations. Compiled with
// -ffp-contract=off (tests/CMakeLists.txt), like the kernels.
#include <mpfr.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "attncert/gpu/exp.hpp"
#include "attncert/gpu/float_types.hpp"
#include "attncert/gpu/kernels.hpp"
#include "attncert/gpu/tracked.hpp"

using namespace attncert::gpu;
using TO = ops<Tracked>;
using FO = ops<float>;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// An exact (2000-bit; exp rounded at that precision) value carried next to a Tracked.
struct Exact {
  mpfr_t x;
  Exact() { mpfr_init2(x, 2000); mpfr_set_zero(x, 1); }
  explicit Exact(double v) : Exact() { mpfr_set_d(x, v, MPFR_RNDN); }
  Exact(const Exact& o) : Exact() { mpfr_set(x, o.x, MPFR_RNDN); }
  Exact& operator=(const Exact& o) { mpfr_set(x, o.x, MPFR_RNDN); return *this; }
  ~Exact() { mpfr_clear(x); }
};
Exact eadd(const Exact& a, const Exact& b) { Exact r; mpfr_add(r.x, a.x, b.x, MPFR_RNDN); return r; }
Exact esub(const Exact& a, const Exact& b) { Exact r; mpfr_sub(r.x, a.x, b.x, MPFR_RNDN); return r; }
Exact emul(const Exact& a, const Exact& b) { Exact r; mpfr_mul(r.x, a.x, b.x, MPFR_RNDN); return r; }
Exact ediv(const Exact& a, const Exact& b) { Exact r; mpfr_div(r.x, a.x, b.x, MPFR_RNDN); return r; }
Exact eexp(const Exact& a) { Exact r; mpfr_exp(r.x, a.x, MPFR_RNDN); return r; }

// |v - X| as a double rounded up, compared with the bound; the 2000-bit evaluation's own error
// (< 2^-1900 relative) is far below any bound tested.
bool holds(const Tracked& t, const Exact& X) {
  Exact d;
  mpfr_set_flt(d.x, t.v, MPFR_RNDN);
  mpfr_sub(d.x, d.x, X.x, MPFR_RNDN);
  mpfr_abs(d.x, d.x, MPFR_RNDN);
  const double err = mpfr_get_d(d.x, MPFR_RNDU);
  return err <= bound_of(t);
}
double actual(const Tracked& t, const Exact& X) {
  Exact d;
  mpfr_set_flt(d.x, t.v, MPFR_RNDN);
  mpfr_sub(d.x, d.x, X.x, MPFR_RNDN);
  mpfr_abs(d.x, d.x, MPFR_RNDN);
  return mpfr_get_d(d.x, MPFR_RNDU);
}
}  // namespace

TEST_CASE("gpu tracker: one rounding, hand computed", "[gpu]") {
  SECTION("1 + 2^-24 rounds to 1 (tie to even): error exactly 2^-24") {
    const Tracked r = TO::add(TO::cst(1.0f), TO::cst(0x1p-24f));
    CHECK(r.v == 1.0f);
    CHECK(r.c == -0x1p-24);
    CHECK(bound_of(r) >= 0x1p-24);
    CHECK(bound_of(r) <= 0x1p-24 * (1 + 0x1p-40));
  }
  SECTION("1 + 3*2^-24 rounds up to 1 + 2^-22: error +2^-24") {
    const Tracked r = TO::add(TO::cst(1.0f), TO::cst(3 * 0x1p-24f));
    CHECK(r.v == 1.0f + 0x1p-22f);
    CHECK(r.c == 0x1p-24);
  }
  SECTION("an exact sum has bound ~0") {
    const Tracked r = TO::sub(TO::cst(1.5f), TO::cst(0.25f));
    CHECK(r.v == 1.25f);
    CHECK(bound_of(r) < 0x1p-1000);
  }
  SECTION("(1 + 2^-23)^2 = 1 + 2^-22 + 2^-46: the product drops 2^-46") {
    const Tracked a = TO::cst(1.0f + 0x1p-23f);
    const Tracked r = TO::mul(a, a);
    CHECK(r.v == 1.0f + 0x1p-22f);
    CHECK(r.c == -0x1p-46);
    CHECK(bound_of(r) <= 0x1p-46 * (1 + 0x1p-40));
  }
  SECTION("1/3: fl(1/3) - 1/3 = 1/100663296") {
    const Tracked r = TO::div(TO::cst(1.0f), TO::cst(3.0f));
    const double e = 1.0 / 100663296.0;
    CHECK(bound_of(r) >= e);
    CHECK(bound_of(r) <= e * (1 + 0x1p-40));
  }
  SECTION("errors propagate: (1 + 2^-24 -> 1) * 3 has error 3 * 2^-24") {
    const Tracked a = TO::add(TO::cst(1.0f), TO::cst(0x1p-24f));
    const Tracked r = TO::mul(a, TO::cst(3.0f));
    CHECK(r.v == 3.0f);
    CHECK(r.c == -3 * 0x1p-24);
    CHECK(bound_of(r) <= 3 * 0x1p-24 * (1 + 0x1p-40));
  }
  SECTION("underflow: 2^-100 * 2^-60 = 2^-160 flushes to 0 with error 2^-160") {
    const Tracked r = TO::mul(TO::cst(0x1p-100f), TO::cst(0x1p-60f));
    CHECK(r.v == 0.0f);
    CHECK(bound_of(r) >= 0x1p-160);
    CHECK(bound_of(r) <= 0x1p-160 * (1 + 0x1p-40));
  }
  SECTION("the P cast: 1 + 2^-8 to bf16 is 1 (tie to even), to f16 exact") {
    const Tracked p = TO::cst(1.0f + 0x1p-8f);
    const Tracked b = TO::cast<bf16>(p);
    CHECK(b.v == 1.0f);
    CHECK(b.c == -0x1p-8);
    const Tracked h = TO::cast<f16>(p);
    CHECK(h.v == 1.0f + 0x1p-8f);
    CHECK(bound_of(h) < 0x1p-1000);
  }
}

TEST_CASE("gpu tracker: exp of an argument with a known error", "[gpu]") {
  // a = 0.5 computed, exact argument 0.5 - 2^-20 (e_a = +2^-20): X = e^{0.5 - 2^-20}.
  Tracked a{0.5f, 0x1p-20, 0.0};
  const Tracked r = TO::exp(a);
  CHECK(r.v == kexp(0.5f));
  Exact X = eexp(esub(Exact(0.5), Exact(0x1p-20)));
  CHECK(holds(r, X));
  // The bound is the argument's effect (~ e^0.5 2^-20) plus at most a few ulps of exp.
  CHECK(bound_of(r) <= actual(r, X) + 5 * 0x1p-23 * 1.65);
  // A radius on the argument widens the bound by at least e^0.5 * radius.
  Tracked b{0.5f, 0.0, 0x1p-18};
  CHECK(bound_of(TO::exp(b)) >= 1.6 * 0x1p-18);
  // exp(0) = 1 exactly, exp far below the max is 0 with a tiny bound.
  CHECK(TO::exp(TO::cst(0.0f)).v == 1.0f);
  const Tracked z = TO::exp(Tracked{-1e6f, 0.0, 1000.0});
  CHECK(z.v == 0.0f);
  CHECK(bound_of(z) > 0.0);
  CHECK(bound_of(z) < 1e-300);
}

TEST_CASE("gpu tracker: +inf where no bound exists", "[gpu]") {
  // a divisor whose error may reach half of it
  CHECK(bound_of(TO::div(TO::cst(1.0f), Tracked{1.0f, 0.0, 0.5})) == kInf);
  CHECK(bound_of(TO::div(TO::cst(1.0f), TO::cst(0.0f))) == kInf);
  // overflow of a product and of exp
  CHECK(bound_of(TO::mul(TO::cst(1e30f), TO::cst(1e30f))) == kInf);
  CHECK(bound_of(TO::exp(TO::cst(100.0f))) == kInf);
  // an infinite bound propagates
  const Tracked inf = TO::exp(TO::cst(100.0f));
  CHECK(bound_of(TO::add(TO::cst(1.0f), TO::mul(TO::cst(0.0f), inf))) == kInf);
  // a huge argument error without underflow: e^A may be up to e^{-3 + 200}, or beyond double
  CHECK(bound_of(TO::exp(Tracked{-3.0f, 0.0, 200.0})) >= 0.04 * std::exp(200.0));
  CHECK(bound_of(TO::exp(Tracked{-3.0f, 0.0, 800.0})) == kInf);
}

TEST_CASE("gpu tracker: the shift by a labelled score", "[gpu]") {
  // A score near 2^63 with a large known error (e = +2^40, radius 2^-6): as the running maximum,
  // its own weight is exactly e^{s_t - s_t} = 1; the same numbers without the label are not.
  const Tracked s{0x1p63f, 0x1p40, 0x1p-6, 0};
  const Tracked st = TO::key_score(s, 7);
  CHECK(st.v == s.v);
  CHECK(st.c == s.c);
  CHECK(st.r == s.r);
  CHECK(st.label == 8);
  const Tracked z = TO::sub(st, st);
  CHECK(float_bits(z.v) == 0u);  // +0, as fsub
  CHECK(bound_of(z) == 0.0);
  const Tracked one = TO::exp(z);
  CHECK(one.v == 1.0f);
  CHECK(bound_of(one) == 0.0);
  CHECK(bound_of(shifted_exp<Tracked>(st, st)) == 0.0);
  // Unlabelled copies, or another key's score with equal numbers: e_j - e_t in [-2^-5, 2^-5], no
  // cancellation is assumed (two keys' errors are independent).
  CHECK(bound_of(TO::sub(s, s)) >= 2 * 0x1p-6);
  const Tracked other = TO::key_score(s, 8);
  CHECK(bound_of(TO::sub(other, st)) >= 2 * 0x1p-6);
  CHECK(bound_of(shifted_exp<Tracked>(other, st)) >= 2 * 0x1p-6);
  // Addition is not exempt: s + s is not exact.
  CHECK(bound_of(TO::add(st, st)) >= 2 * 0x1p40);
  // Every result of an operation is unlabelled: a difference of two such results is not exact.
  const Tracked p = TO::mul(st, TO::cst(1.0f));
  CHECK(p.label == 0);
  CHECK(bound_of(TO::sub(p, p)) > 0.0);
  // Far below the maximum (another key 2^50 lower, errors 2^41): weight 0, bound tiny but > 0.
  const Tracked low = TO::key_score(Tracked{0x1p63f - 0x1p50f, -0x1p41, 0x1p-6, 0}, 3);
  const Tracked w = shifted_exp<Tracked>(low, st);
  CHECK(w.v == 0.0f);
  CHECK(bound_of(w) > 0.0);
  CHECK(bound_of(w) < 1e-300);
  // ... but a key whose argument error reaches its distance to the maximum has no bound.
  const Tracked near = TO::key_score(Tracked{0x1p63f - 0x1p40f, -0x1p41, 0x1p-6, 0}, 4);
  CHECK(bound_of(shifted_exp<Tracked>(near, st)) == kInf);
  // max_of keeps the first of equal values, as fmax_ordered, and the label with it.
  CHECK(max_of<Tracked>(st, other).label == st.label);
  CHECK(max_of<Tracked>(other, st).label == other.label);
  CHECK(max_of<Tracked>(low, st).label == st.label);
}

TEST_CASE("gpu tracker: random chains hold against MPFR and match the plain bits", "[gpu]") {
  std::mt19937_64 g(12345);
  std::uniform_real_distribution<float> U(-1.0f, 1.0f);
  for (int trial = 0; trial < 40; ++trial) {
    // A softmax-weighted sum in the kernels' shape: dot products, max shift, exp, sums, divide.
    const int n = 1 + static_cast<int>(g() % 64), d = 1 + static_cast<int>(g() % 16);
    const float scale = trial % 2 ? 0.25f : 3.0f;
    std::vector<float> q(d), k(static_cast<std::size_t>(n) * d), v(n);
    for (auto& x : q) x = U(g);
    for (auto& x : k) x = U(g);
    for (auto& x : v) x = U(g);
    std::vector<Tracked> s(n);
    std::vector<float> sf(n);
    std::vector<Exact> S(n);
    for (int j = 0; j < n; ++j) {
      Tracked acc = TO::cst(0.0f);
      float accf = 0.0f;
      Exact A;
      for (int c = 0; c < d; ++c) {
        const float kc = k[static_cast<std::size_t>(j) * d + c];
        acc = TO::add(acc, TO::mul(TO::cst(q[c]), TO::cst(kc)));
        accf = FO::add(accf, FO::mul(q[c], kc));
        A = eadd(A, emul(Exact(q[c]), Exact(kc)));
        REQUIRE(float_bits(acc.v) == float_bits(accf));
        REQUIRE(holds(acc, A));
      }
      s[j] = TO::mul(acc, TO::cst(scale));
      sf[j] = FO::mul(accf, scale);
      S[j] = emul(A, Exact(scale));
      REQUIRE(float_bits(s[j].v) == float_bits(sf[j]));
      REQUIRE(holds(s[j], S[j]));
    }
    float m = sf[0];
    for (float x : sf) m = fmax_ordered(m, x);
    // Trials 2, 3 (mod 4) shift by the float m as an exact constant, 0, 1 by the labelled score that
    // attains it, modelled as the exact score S[t] of its key (README "Bound model").
    const bool labelled = trial / 2 % 2 == 0;
    Tracked mt = TO::key_score(s[0], 0);
    int t = 0;
    for (int j = 1; j < n; ++j) {
      mt = max_of<Tracked>(mt, TO::key_score(s[j], j));
      if (mt.label == j + 1) t = j;
    }
    REQUIRE(float_bits(mt.v) == float_bits(m));
    const Exact shift = labelled ? S[t] : Exact(m);
    Tracked l = TO::cst(0.0f), num = TO::cst(0.0f);
    float lf = 0.0f, numf = 0.0f;
    Exact L, N;
    for (int j = 0; j < n; ++j) {
      const Tracked p = labelled ? shifted_exp<Tracked>(TO::key_score(s[j], j), mt) : shifted_exp<Tracked>(s[j], TO::cst(m));
      const float pf = shifted_exp<float>(sf[j], m);
      const Exact P = eexp(esub(S[j], shift));
      if (labelled && j == t) REQUIRE(bound_of(p) == 0.0);
      REQUIRE(float_bits(p.v) == float_bits(pf));
      REQUIRE(holds(p, P));
      l = TO::add(l, p);
      lf = FO::add(lf, pf);
      L = eadd(L, P);
      num = pv_step<Tracked, float>(num, p, v[j]);
      numf = pv_step<float, float>(numf, pf, v[j]);
      N = eadd(N, emul(P, Exact(v[j])));
      REQUIRE(holds(l, L));
      REQUIRE(holds(num, N));
    }
    const Tracked o = TO::div(num, l);
    const float of = FO::div(numf, lf);
    REQUIRE(float_bits(o.v) == float_bits(of));
    const Exact OX = ediv(N, L);
    REQUIRE(holds(o, OX));
    // Not vacuous: within a modest factor of the worst rounding the chain could see.
    CHECK(bound_of(o) < 1e-4);
  }
}

TEST_CASE("gpu exp: within the measured ulp bound on a sample, exact ends", "[gpu]") {
  // gpu_check/tools/gpu_exp_error.cpp measures every argument (max 0.990 ulp); this samples every
  // 4099th binary32 in [-104, 89] so a change to kexp cannot pass unnoticed.
  auto ulp_of = [](double y) {
    const double yl = y * (1.0 - 0x1p-50);
    if (yl < 0x1p-126) return 0x1p-149;
    int e;
    std::frexp(yl, &e);
    return std::ldexp(1.0, e - 24);
  };
  double worst = 0;
  for (std::uint32_t b = 0x80000000u; b <= float_bits(-104.0f); b += 4099) {
    const float x = bits_float(b);
    worst = std::max(worst, std::fabs(static_cast<double>(kexp(x)) - std::exp(static_cast<double>(x))) / ulp_of(std::exp(static_cast<double>(x))));
  }
  for (std::uint32_t b = 0; b <= float_bits(88.72f); b += 4099) {
    const float x = bits_float(b);
    worst = std::max(worst, std::fabs(static_cast<double>(kexp(x)) - std::exp(static_cast<double>(x))) / ulp_of(std::exp(static_cast<double>(x))));
  }
  CHECK(worst < 0.991);
  CHECK(worst <= exp_ulps());
  CHECK(kexp(0.0f) == 1.0f);
  CHECK(kexp(-0.0f) == 1.0f);
  CHECK(float_bits(kexp(1.0f)) == 0x402df854u);  // e rounded to binary32
  CHECK(kexp(-104.5f) == 0.0f);
  CHECK(kexp(-std::numeric_limits<float>::infinity()) == 0.0f);
  CHECK(std::isinf(kexp(88.8f)));
  CHECK(std::isnan(kexp(std::numeric_limits<float>::quiet_NaN())));
  CHECK(kexp(-103.0f) > 0.0f);  // a subnormal result, not flushed
}
