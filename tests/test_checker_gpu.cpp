// The checker's gpu path (docs/certificates.md#gpu): its gpu_inputs v1 copy against hand-computed
// values, its fast exp enclosure against q_exp, and certificates built here by a small test-side
// producer (its own generator copy, attention in long double, MPFR for tight bounds): valid ones
// accepted, tampered ones rejected or malformed.
#include <mpfr.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <gmpxx.h>
#include <nlohmann/json.hpp>
#include <random>

#include "attncert/checker/checker.hpp"
#include "gpu_exp.hpp"
#include "gpu_inputs.hpp"
#include "qarith.hpp"

using namespace attncert;
using checker::Verdict;
using nlohmann::json;

namespace {

// ---- the test-side producer: a third, plain copy of gpu_inputs v1 (values as long double) ----
struct TX {
  std::uint64_t s[4];
  explicit TX(std::uint64_t x) {
    for (auto& w : s) {
      x += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      w = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    auto rl = [](std::uint64_t v, int k) { return (v << k) | (v >> (64 - k)); };
    std::uint64_t r = rl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rl(s[3], 45);
    return r;
  }
  std::uint64_t below(std::uint64_t b) {
    std::uint64_t t = (0 - b) % b, x;
    do x = next();
    while (x < t);
    return x % b;
  }
};

struct Spec {
  std::string kernel = "decode", dtype = "f32", family = "random";
  std::size_t n = 6, d = 4;
  std::uint64_t seed = 1;
  std::string scale = "1/2";
  int amp = 4;  // t1: amplitude 2^amp
};

struct Inputs {
  std::size_t R;
  std::vector<long double> Q, K, V;
  std::vector<std::size_t> lo, hi, target;
};

Inputs test_inputs(const Spec& s) {
  const bool pre = s.kernel == "prefill";
  const std::size_t n = s.n, d = s.d, R = pre ? n : 1;
  const int p = s.dtype == "f32" ? 24 : s.dtype == "f16" ? 11 : 8;
  TX g(s.seed);
  auto U = [&](std::size_t k) {
    std::vector<long double> v(k);
    for (auto& x : v)
      x = std::ldexp(static_cast<long double>(static_cast<long long>(g.below((1ull << (p + 1)) - 1)) - ((1ll << p) - 1)), -p);
    return v;
  };
  auto S = [&](std::size_t k) {
    std::vector<long double> v(k);
    for (auto& x : v) x = (g.next() >> 63) ? -1.0L : 1.0L;
    return v;
  };
  Inputs in;
  in.R = R;
  const long double H = s.dtype == "f16" ? 128.0L : std::ldexp(1.0L, 30);
  if (s.family == "t1") {
    in.K = S(n * d), in.V = S(n * d), in.Q.resize(R * d);
    for (std::size_t r = 0; r < R; ++r) {
      std::size_t t = g.below(pre ? r + 1 : n);
      in.target.push_back(t);
      for (std::size_t c = 0; c < d; ++c) in.Q[r * d + c] = std::ldexp(in.K[t * d + c], s.amp);
    }
  } else if (s.family == "needle") {
    in.Q = U(R * d);
    std::size_t t = g.below(n), c0 = g.below(d);
    in.K.assign(n * d, 0);
    in.K[t * d + c0] = H;
    in.V = U(n * d);
  } else if (s.family == "equal") {
    in.Q = U(R * d);
    auto k = U(d);
    for (std::size_t j = 0; j < n; ++j) in.K.insert(in.K.end(), k.begin(), k.end());
    in.V = U(n * d);
  } else {
    in.Q = U(R * d), in.K = U(n * d), in.V = U(n * d);
    if (s.family == "range") {
      const int eqk = s.dtype == "f16" ? 7 : 30;
      int clog = 0;
      while ((std::size_t{1} << clog) < n) ++clog;
      const int ev = s.dtype == "f16" ? 15 : 126 - clog;
      for (auto& x : in.Q) x = std::ldexp(x, eqk);
      for (auto& x : in.K) x = std::ldexp(x, eqk);
      for (auto& x : in.V) x = std::ldexp(x, ev);
    }
  }
  const std::size_t P = s.family == "masked" ? n / 2 : 0;
  for (std::size_t r = 0; r < R; ++r) {
    in.hi.push_back(pre ? r + 1 : n);
    in.lo.push_back(std::min(P, in.hi.back()));
  }
  return in;
}

long double scale_value(const std::string& s) { return mpq_class(s).get_d(); }  // test scales are exact doubles

// Exact attention by long double (scores are exact for these tiny sizes; exp to ~2^-63).
std::vector<long double> attention(const Spec& s, const Inputs& in) {
  const std::size_t d = s.d;
  const long double sc = scale_value(s.scale);
  std::vector<long double> A(in.R * d, 0);
  for (std::size_t r = 0; r < in.R; ++r) {
    if (in.lo[r] == in.hi[r]) continue;
    std::vector<long double> sj;
    for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
      long double t = 0;
      for (std::size_t c = 0; c < d; ++c) t += in.Q[r * d + c] * in.K[j * d + c];
      sj.push_back(sc * t);
    }
    const long double m = *std::max_element(sj.begin(), sj.end());
    long double den = 0;
    for (std::size_t c = 0; c < d; ++c) {
      long double num = 0;
      den = 0;
      for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
        const long double w = std::exp(sj[j - in.lo[r]] - m);
        num += w * in.V[j * d + c];
        den += w;
      }
      A[r * d + c] = num / den;
    }
  }
  return A;
}

std::string hex_of(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, 4);
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", b);
  return buf;
}

std::string pow2_string(int k) {  // 2^k as a canonical rational
  mpz_class p = mpz_class(1) << static_cast<unsigned>(k >= 0 ? k : -k);
  return k >= 0 ? p.get_str() : "1/" + p.get_str();
}

json header(const Spec& s) {
  const std::size_t rows = s.kernel == "prefill" ? s.n : 1;
  json c = {{"format", "attncert-certificate"}, {"format_version", 1}, {"theorem", "gpu"},
            {"producer", {{"name", "attncert"}, {"version", "0.1.0"}}}};
  c["parameters"] = {{"kernel", s.kernel}, {"dtype", s.dtype}, {"n", std::to_string(s.n)}, {"d", std::to_string(s.d)},
                     {"rows", std::to_string(rows)}, {"scale", s.scale}, {"splits", "2"}, {"block", "4"},
                     {"tile_q", "4"}, {"tile_k", "4"}, {"device", "host"}, {"exp_ulps", "2"}};
  c["instance"] = {{"generator", "gpu_inputs"}, {"generator_version", 1}, {"rng", "xoshiro256ss"},
                   {"rng_version", 1}, {"seed", std::to_string(s.seed)}, {"family", s.family}};
  if (s.family == "t1") c["instance"]["amplitude"] = pow2_string(s.amp);
  return c;
}

// Outputs rounded to binary32 and bounds 2^k >= |x - A| + 2^-40 max|V| (generous, valid).
json make_cert(const Spec& s) {
  const Inputs in = test_inputs(s);
  const auto A = attention(s, in);
  long double vmax = 0;
  for (auto v : in.V) vmax = std::max(vmax, std::fabs(v));
  json c = header(s), outs = json::array(), bnds = json::array();
  for (long double a : A) {
    const float x = static_cast<float>(a);
    outs.push_back(hex_of(x));
    const long double err = std::fabs(static_cast<long double>(x) - a) + std::ldexp(vmax, -40);
    bnds.push_back(pow2_string(std::ilogb(err) + 1));
  }
  c["claim"] = {{"kind", "float_error_bounds"}, {"outputs", outs}, {"bounds", bnds}};
  if (s.family == "t1") c["claim"]["index_decoding"] = "agree";
  return c;
}

checker::CheckResult run(const json& c, const checker::CheckOptions& opt = {}) {
  return checker::check_certificate_text(c.dump(), opt);
}
void expect(const json& c, Verdict v, const std::string& field) {
  auto r = run(c);
  INFO(r.message);
  CHECK(r.verdict == v);
  CHECK(r.message.find(field) != std::string::npos);
}
void accepted(const json& c) {
  auto r = run(c);
  INFO(c["parameters"].dump() + " " + c["instance"].dump());
  INFO(r.message);
  CHECK(r.verdict == Verdict::accepted);
}

std::uint32_t bits_of(const json& c, std::size_t i) { return std::stoul(c["claim"]["outputs"][i].get<std::string>(), nullptr, 16); }
void set_bits(json& c, std::size_t i, std::uint32_t b) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", b);
  c["claim"]["outputs"][i] = buf;
}

// The element's exact attention with MPFR (scores exact in GMP rationals, weights to 600 bits).
void mpfr_attention(const Spec& s, std::size_t r, std::size_t col, mpfr_t out) {
  const Inputs in = test_inputs(s);
  const mpq_class sc(s.scale);
  std::vector<mpq_class> sj;
  for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
    mpq_class t = 0;
    for (std::size_t c = 0; c < s.d; ++c)
      t += mpq_class(static_cast<double>(in.Q[r * s.d + c])) * mpq_class(static_cast<double>(in.K[j * s.d + c]));
    sj.push_back(sc * t);
  }
  const mpq_class m = *std::max_element(sj.begin(), sj.end());
  mpfr_t num, den, w, t;
  mpfr_inits2(600, num, den, w, t, (mpfr_ptr)0);
  mpfr_set_ui(num, 0, MPFR_RNDN), mpfr_set_ui(den, 0, MPFR_RNDN);
  for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
    mpfr_set_q(w, mpq_class(sj[j - in.lo[r]] - m).get_mpq_t(), MPFR_RNDN);
    mpfr_exp(w, w, MPFR_RNDN);
    mpfr_add(den, den, w, MPFR_RNDN);
    mpfr_mul_d(t, w, static_cast<double>(in.V[j * s.d + col]), MPFR_RNDN);
    mpfr_add(num, num, t, MPFR_RNDN);
  }
  mpfr_div(out, num, den, MPFR_RNDN);
  mpfr_clears(num, den, w, t, (mpfr_ptr)0);
}

}  // namespace

TEST_CASE("checker gpu: xoshiro256ss and gpu_inputs v1 match hand-computed values", "[gpu][checker]") {
  // Computed from the spec (docs/certificates.md#generators) by an independent script.
  checker::Xoshiro256ss g(1);
  CHECK(g.next() == 0xb3f2af6d0fc710c5ull);
  CHECK(g.next() == 0x853b559647364ceaull);
  CHECK(g.next() == 0x92f89756082a4514ull);
  CHECK(g.next() == 0x642e1c7bc266a3a7ull);

  checker::GpuInputRequest q;
  q.family = checker::GpuFamily::random, q.dtype = checker::GpuDtype::f16, q.n = 2, q.d = 3, q.seed = 1;
  auto in = checker::gpu_inputs_v1(q);
  CHECK(in.Q.mant == std::vector<std::int32_t>{315, -1740, 568});
  CHECK(in.K.mant == std::vector<std::int32_t>{976, -1451, -1950, -1466, -388, 1284});
  CHECK(in.V.mant == std::vector<std::int32_t>{-1179, 429, -1752, -901, 121, 1949});
  CHECK((in.Q.exp == -11 && in.K.exp == -11 && in.V.exp == -11));
  CHECK((in.lo == std::vector<std::size_t>{0} && in.hi == std::vector<std::size_t>{2}));

  q.dtype = checker::GpuDtype::f32, q.n = 1, q.d = 3;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.Q.mant == std::vector<std::int32_t>{2028618, -2016931, -9038633});

  q = {};
  q.family = checker::GpuFamily::t1, q.prefill = true, q.n = 5, q.d = 2, q.seed = 7, q.amplitude_exp = -3;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.K.mant == std::vector<std::int32_t>{-1, 1, -1, -1, -1, -1, 1, 1, 1, 1});
  CHECK(in.V.mant == std::vector<std::int32_t>{-1, -1, -1, -1, 1, -1, 1, 1, 1, 1});
  CHECK(in.target == std::vector<std::size_t>{0, 0, 0, 2, 1});
  CHECK(in.Q.exp == -3);
  CHECK(in.Q.mant == std::vector<std::int32_t>{-1, 1, -1, 1, -1, 1, -1, -1, -1, -1});

  q = {};
  q.family = checker::GpuFamily::needle, q.dtype = checker::GpuDtype::bf16, q.n = 4, q.d = 3, q.seed = 3;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.Q.mant == std::vector<std::int32_t>{-83, -180, -47});
  CHECK(in.K.exp == 30);
  CHECK(in.K.mant == std::vector<std::int32_t>{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0});

  // More fixed seeds (computed from the spec by the same independent script).
  using V32 = std::vector<std::int32_t>;
  q = {};
  q.dtype = checker::GpuDtype::f32, q.n = 2, q.d = 2, q.seed = 7;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.Q.mant == V32{7806680, 6752721});
  CHECK(in.K.mant == V32{-15313890, 1895066, -2705214, 3159552});
  CHECK(in.V.mant == V32{-5915261, -6926794, 7367260, -12330212});
  q = {};
  q.family = checker::GpuFamily::t1, q.n = 4, q.d = 3, q.seed = 1, q.amplitude_exp = 2;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.K.mant == V32{-1, -1, -1, 1, -1, 1, 1, 1, -1, -1, -1, -1});
  CHECK(in.V.mant == V32{-1, -1, -1, -1, 1, 1, 1, 1, 1, 1, -1, 1});
  CHECK(in.target == std::vector<std::size_t>{2});
  CHECK((in.Q.mant == V32{1, 1, -1} && in.Q.exp == 2));
  q.prefill = true, q.n = 5, q.d = 2, q.seed = 2;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.K.mant == V32{1, -1, 1, -1, -1, 1, -1, 1, -1, -1});
  CHECK(in.V.mant == V32{-1, 1, -1, -1, -1, 1, -1, -1, 1, 1});
  CHECK(in.target == std::vector<std::size_t>{0, 0, 1, 2, 3});
  q = {};
  q.family = checker::GpuFamily::needle, q.dtype = checker::GpuDtype::f32, q.n = 6, q.d = 4, q.seed = 5;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.Q.mant == V32{-156092, -13698932, 1362873, 2261193});
  for (std::size_t i = 0; i < 24; ++i) CHECK(in.K.mant[i] == (i == 1 * 4 + 3 ? 1 : 0));
  CHECK(in.K.exp == 30);
  CHECK(V32(in.V.mant.begin(), in.V.mant.begin() + 4) == V32{14342084, -14627460, -8072004, 14764449});
  q = {};
  q.family = checker::GpuFamily::equal, q.dtype = checker::GpuDtype::f16, q.n = 3, q.d = 2, q.seed = 9;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.Q.mant == V32{-887, -1767});
  CHECK(in.K.mant == V32{1525, -121, 1525, -121, 1525, -121});
  CHECK(in.V.mant == V32{-590, -454, 1381, -1500, -879, 1675});

  q = {};
  q.family = checker::GpuFamily::masked, q.prefill = true, q.n = 5, q.d = 1;
  in = checker::gpu_inputs_v1(q);
  CHECK(in.lo == std::vector<std::size_t>{1, 2, 2, 2, 2});  // empty [r+1, r+1) below P = 2
  CHECK(in.hi == std::vector<std::size_t>{1, 2, 3, 4, 5});
  CHECK(checker::gpu_window_pairs(q) == 6);  // 1 + 2 + 3
  q.family = checker::GpuFamily::range, q.prefill = false, q.n = 5;
  in = checker::gpu_inputs_v1(q);
  CHECK((in.Q.exp == 6 && in.K.exp == 6 && in.V.exp == 126 - 3 - 24));
}

TEST_CASE("checker gpu: the fast exp enclosure contains q_exp's and is narrow", "[gpu][checker]") {
  using checker::gpu_exp_neg;
  using u128 = unsigned __int128;
  auto check_one = [](u128 D, int E) {
    const auto f = gpu_exp_neg(D, E);
    mpq_class y(mpz_class(static_cast<unsigned long>(static_cast<std::uint64_t>(D >> 64))) * (mpz_class(1) << 64) +
                mpz_class(static_cast<unsigned long>(static_cast<std::uint64_t>(D))));
    if (E >= 0) mpq_mul_2exp(y.get_mpq_t(), y.get_mpq_t(), E);
    else mpq_div_2exp(y.get_mpq_t(), y.get_mpq_t(), -E);
    INFO("D " << static_cast<std::uint64_t>(D) << " hi64 " << static_cast<std::uint64_t>(D >> 64) << " E " << E);
    REQUIRE(f.lo <= f.hi);
    const mpq_class lo(mpz_class(static_cast<unsigned long>(f.lo)), mpz_class(1) << 63),
        hi(mpz_class(static_cast<unsigned long>(f.hi)), mpz_class(1) << 63);
    if (y > 1 << 20) {  // beyond q_exp's convenient range: only the tail answer is possible
      CHECK((f.lo == 0 && f.hi == 1));
      return;
    }
    const auto q = checker::q_exp(-y, 200);
    CHECK(lo <= q.lo);
    CHECK(q.hi <= hi);
    if (y < 43) CHECK(f.hi - f.lo <= 16);
    if (y == 0) CHECK((f.lo == checker::kGpuOne && f.hi == checker::kGpuOne));
  };
  check_one(0, 0);
  check_one(0, -500);
  check_one(1, 0);
  check_one(43, 0);
  check_one(44, 0);   // tail: e^-44 < 2^-63
  check_one(11, 2);
  check_one(1, 5), check_one(1, 6), check_one(3, 200);
  check_one(1, -1), check_one(1, -64), check_one(1, -65), check_one(1, -200), check_one(3, -127), check_one(5, -128);
  check_one((u128(1) << 100) + 12345, -96);  // y ~ 16, bits below 2^-64
  check_one((u128(1) << 82) - 1, -80);       // y just below 4
  check_one((u128(43) << 80) + ((u128(1) << 80) - 1), -80);  // y just below 44
  check_one((u128(1) << 120) + 1, -300);
  std::mt19937_64 rng(42);
  for (int k = 0; k < 2000; ++k) {
    const u128 D = (u128(rng()) << 64 | rng()) >> (rng() % 128);
    const int E = -static_cast<int>(rng() % 140);
    check_one(D, E);
  }
}

TEST_CASE("checker gpu: the refinement's exp enclosure contains q_exp's and is narrow", "[gpu][checker]") {
  std::mt19937_64 rng(7);
  for (unsigned W : {64u, 128u, 256u, 1024u}) {
    const auto ln2 = checker::gpu_ln2_fixed(W);
    const mpz_class one = mpz_class(1) << W;
    auto check_one = [&](const mpz_class& D, long E) {
      mpz_class lo, hi;
      checker::gpu_exp_neg_precise(D, E, W, ln2, lo, hi);
      mpq_class y(D);
      if (E >= 0) mpq_mul_2exp(y.get_mpq_t(), y.get_mpq_t(), E);
      else mpq_div_2exp(y.get_mpq_t(), y.get_mpq_t(), -E);
      INFO("W " << W << " y " << y.get_d());
      REQUIRE(lo <= hi);
      if (y == 0) {
        CHECK((lo == one && hi == one));
        return;
      }
      if (y >= W) {
        CHECK((lo == 0 && hi == 1));
        return;
      }
      // q_exp's width is 2^-64 of a unit: an error of our enclosure beyond that shows here
      const auto q = checker::q_exp(-y, W + 64);
      CHECK(mpq_class(lo, one) <= q.hi);
      CHECK(q.lo <= mpq_class(hi, one));
      CHECK(hi - lo <= 4);
    };
    check_one(0, 0);
    check_one(1, -2000);
    check_one(1, 0);
    check_one(mpz_class(W) - 1, 0);
    check_one(mpz_class(W), 0);
    check_one(mpz_class(W) * 3, -2);
    check_one(1, 30);
    for (int k = 0; k < 150; ++k) {
      mpz_class D = mpz_class(static_cast<unsigned long>(rng())) << 64;
      D += static_cast<unsigned long>(rng());
      D >>= static_cast<mp_bitcnt_t>(rng() % 128);
      check_one(D, -static_cast<long>(rng() % 140));
    }
  }
}

TEST_CASE("checker gpu: valid certificates of every family, kernel and dtype are accepted", "[gpu][checker]") {
  for (const char* kernel : {"decode", "split-decode", "prefill"})
    for (const char* dtype : {"f32", "f16", "bf16"})
      for (const char* family : {"random", "t1", "needle", "equal", "masked", "range"}) {
        Spec s;
        s.kernel = kernel, s.dtype = dtype, s.family = family, s.seed = 11;
        if (s.family == "t1") s.d = 16, s.scale = "1/4", s.amp = 4;
        accepted(make_cert(s));
      }
  Spec s;  // one row, one key; odd sizes; a scale that is not a power of two; masked decode n = 1
  s.n = 1, s.d = 1, s.scale = "181/2048";
  accepted(make_cert(s));
  s.family = "masked";
  accepted(make_cert(s));
  s.kernel = "prefill", s.n = 9, s.d = 3, s.scale = "3";
  accepted(make_cert(s));
  s.family = "t1", s.d = 24, s.n = 7, s.amp = -2, s.scale = "8";
  accepted(make_cert(s));
}

TEST_CASE("checker gpu: false claims are rejected", "[gpu][checker]") {
  Spec s;
  s.kernel = "prefill", s.n = 5, s.d = 3;
  const json good = make_cert(s);
  REQUIRE(run(good).verdict == Verdict::accepted);
  json c = good;
  set_bits(c, 7, bits_of(c, 7) ^ 0x00400000u);  // a high mantissa bit: far beyond 2^-40-ish bounds
  expect(c, Verdict::rejected, "claim.outputs[7]");
  c = good;
  c["claim"]["bounds"][5] = "0";
  expect(c, Verdict::rejected, "claim.outputs[5]");
  c = good;
  c["instance"]["seed"] = "2";
  expect(c, Verdict::rejected, "claim.outputs");
  c = good;
  c["instance"]["family"] = "equal";
  expect(c, Verdict::rejected, "claim.outputs");
  c = good;
  c["parameters"]["scale"] = "1/4";
  expect(c, Verdict::rejected, "claim.outputs");
  c = good;
  c["parameters"]["dtype"] = "f16";
  expect(c, Verdict::rejected, "claim.outputs");

  // masked rows: the exact output is 0
  Spec m = s;
  m.family = "masked";
  json mk = make_cert(m);
  REQUIRE(run(mk).verdict == Verdict::accepted);
  set_bits(mk, 0, 0x3f800000u);  // row 0 is masked (P = 2): 1.0 is 1 away from 0
  expect(mk, Verdict::rejected, "masked row");
  mk["claim"]["bounds"][0] = "1";  // ... and within a bound of 1
  accepted(mk);
  set_bits(mk, 0, 0x80000000u);  // -0 is 0
  mk["claim"]["bounds"][0] = "0";
  accepted(mk);
}

TEST_CASE("checker gpu: t1 outputs must decode the INDEX bits by sign", "[gpu][checker]") {
  for (const char* kernel : {"decode", "prefill"}) {
    Spec s;
    s.kernel = kernel, s.family = "t1", s.d = 16, s.n = 6, s.scale = "1/4", s.amp = 4;
    const json good = make_cert(s);
    REQUIRE(run(good).verdict == Verdict::accepted);
    json c = good;
    set_bits(c, 3, bits_of(c, 3) ^ 0x80000000u);  // the wrong sign, with a bound containing both
    for (auto& b : c["claim"]["bounds"]) b = "4";
    expect(c, Verdict::rejected, "sign");
    c = good;
    set_bits(c, 3, 0);  // +0 has no INDEX sign
    for (auto& b : c["claim"]["bounds"]) b = "4";
    expect(c, Verdict::rejected, "sign");
    c = good;  // the same wide bounds with the right signs are fine
    for (auto& b : c["claim"]["bounds"]) b = "4";
    accepted(c);
  }
  // The exact attention's sign differs from V[t][c] when the target does not dominate (amplitude
  // 2^-24): outputs with the INDEX signs and wide bounds are still rejected.
  Spec s;
  s.family = "t1", s.d = 4, s.n = 64, s.scale = "1", s.amp = -24, s.seed = 3;
  const Inputs in = test_inputs(s);
  const auto A = attention(s, in);
  json c = make_cert(s);
  bool found = false;
  for (std::size_t col = 0; col < s.d; ++col) {
    const long double want = in.V[in.target[0] * s.d + col];
    c["claim"]["outputs"][col] = hex_of(static_cast<float>(want / 2));  // the INDEX sign
    c["claim"]["bounds"][col] = "4";
    if ((A[col] > 0) != (want > 0) && std::fabs(A[col]) > 1e-6) found = true;
  }
  REQUIRE(found);  // this seed has an element whose exact attention disagrees with its bit
  expect(c, Verdict::rejected, "exact attention's sign");
}

TEST_CASE("checker gpu: exact decisions and refinement for tight bounds", "[gpu][checker]") {
  // equal keys: every weight is exactly 1, A is the mean of V's column (dyadic for n = 4): the
  // bound |x - A| itself is accepted, anything smaller rejected.
  Spec s;
  s.family = "equal", s.n = 4, s.d = 2, s.dtype = "f32";
  const Inputs in = test_inputs(s);
  json c = make_cert(s);
  mpq_class A = 0;
  for (std::size_t j = 0; j < 4; ++j) A += mpq_class(static_cast<double>(in.V[j * 2]));
  A /= 4;
  std::uint32_t b = bits_of(c, 0) + 3;  // three ulps off
  set_bits(c, 0, b);
  float x;
  std::memcpy(&x, &b, 4);
  mpq_class err = abs(mpq_class(static_cast<double>(x)) - A);
  c["claim"]["bounds"][0] = err.get_str();
  accepted(c);
  mpq_class less = err - mpq_class(1, mpz_class(1) << 200);
  c["claim"]["bounds"][0] = less.get_str();
  expect(c, Verdict::rejected, "claim.outputs[0]");

  // A constant column of V makes A = that value exactly, whatever the (irrational) weights: a
  // perfect output with bound 0 is accepted; bound 0 on a non-constant column is rejected.
  Spec k;
  k.family = "t1", k.n = 2, k.d = 16, k.scale = "1/4", k.amp = 0;
  const Inputs kin = test_inputs(k);
  json kc = make_cert(k);
  int constant = 0, varying = 0;
  for (std::size_t col = 0; col < k.d; ++col) {
    const bool same = kin.V[col] == kin.V[k.d + col];
    json t = kc;
    if (same) t["claim"]["outputs"][col] = hex_of(static_cast<float>(kin.V[col]));
    t["claim"]["bounds"][col] = "0";
    if (same) ++constant, accepted(t);
    else ++varying, expect(t, Verdict::rejected, "claim.outputs[" + std::to_string(col) + "]");
  }
  CHECK((constant > 0 && varying > 0));

  // random scores: A is irrational; a bound within 2^-100 of |x - A| needs the mpz refinement.
  Spec r;
  r.family = "random", r.n = 5, r.d = 3, r.dtype = "f16";
  json t = make_cert(r);
  mpfr_t a, xm;
  mpfr_inits2(600, a, xm, (mpfr_ptr)0);
  mpfr_attention(r, 0, 1, a);
  std::uint32_t xb = bits_of(t, 1) + 5;
  set_bits(t, 1, xb);
  std::memcpy(&x, &xb, 4);
  mpfr_set_flt(xm, x, MPFR_RNDN);
  mpfr_sub(xm, xm, a, MPFR_RNDN);
  mpfr_abs(xm, xm, MPFR_RNDN);
  mpfr_mul_2ui(xm, xm, 100, MPFR_RNDN);  // |x - A| 2^100, to 600 bits
  mpz_class up, down;
  mpfr_get_z(up.get_mpz_t(), xm, MPFR_RNDU);
  mpfr_get_z(down.get_mpz_t(), xm, MPFR_RNDD);
  mpfr_clears(a, xm, (mpfr_ptr)0);
  auto over = [](const mpz_class& z) {
    mpq_class q(z, mpz_class(1) << 100);
    q.canonicalize();
    return q.get_str();
  };
  t["claim"]["bounds"][1] = over(up);
  accepted(t);
  t["claim"]["bounds"][1] = over(down);
  expect(t, Verdict::rejected, "claim.outputs[1]");
}

TEST_CASE("checker gpu: malformed certificates", "[gpu][checker]") {
  Spec s;
  s.kernel = "prefill", s.n = 4, s.d = 2;
  const json good = make_cert(s);
  Spec t1s;
  t1s.family = "t1", t1s.d = 16, t1s.scale = "1/4";
  const json t1 = make_cert(t1s);
  REQUIRE(run(good).verdict == Verdict::accepted);
  REQUIRE(run(t1).verdict == Verdict::accepted);
  auto mal = [&](json c, const std::string& field) { expect(c, Verdict::malformed, field); };
  json c = good;
  c["claim"]["index_decoding"] = "agree";  // only for t1
  mal(c, "claim.index_decoding");
  c = t1;
  c["claim"].erase("index_decoding");
  mal(c, "claim.index_decoding");
  c = t1;
  c["claim"]["index_decoding"] = "disagree";
  mal(c, "claim.index_decoding");
  c = good;
  c["claim"]["bounds"][2] = "1/3";
  mal(c, "claim.bounds[2]");
  c = good;
  c["claim"]["bounds"][2] = "-1/4";
  mal(c, "claim.bounds[2]");
  c = good;
  c["claim"]["bounds"][2] = "2/4";
  mal(c, "claim.bounds[2]");
  c = good;
  c["claim"]["bounds"][2] = 0.25;
  mal(c, "claim.bounds[2]");
  c = good;
  c["claim"]["outputs"][1] = "3F800000";  // upper case
  mal(c, "claim.outputs[1]");
  c = good;
  c["claim"]["outputs"][1] = "3f80000";
  mal(c, "claim.outputs[1]");
  c = good;
  c["claim"]["outputs"][1] = "7fc00000";  // NaN
  mal(c, "claim.outputs[1]");
  c = good;
  c["claim"]["outputs"][1] = "ff800000";  // -Inf
  mal(c, "claim.outputs[1]");
  c = good;
  c["claim"]["outputs"].erase(3);
  mal(c, "claim.outputs");
  c = good;
  c["claim"]["bounds"].push_back("1");
  mal(c, "claim.bounds");
  c = good;
  c["parameters"]["rows"] = "1";  // prefill has n rows
  mal(c, "parameters.rows");
  c = t1;
  c["parameters"]["rows"] = "6";  // decode has one
  mal(c, "parameters.rows");
  c = good;
  c["parameters"]["extra"] = "1";
  mal(c, "parameters.extra");
  c = good;
  c["parameters"].erase("tile_k");
  mal(c, "parameters.tile_k");
  c = good;
  c["claim"]["note"] = "x";
  mal(c, "claim.note");
  c = good;
  c["instance"]["amplitude"] = "4";  // only for t1
  mal(c, "instance.amplitude");
  c = good;
  c["derived"] = json::object();
  mal(c, "derived");
  c = t1;
  c["instance"].erase("amplitude");
  mal(c, "instance.amplitude");
  for (const char* amp : {"3", "1/3", "-4", "0", "65536", "1/33554432", "4/1"}) {
    c = t1;
    c["instance"]["amplitude"] = amp;
    mal(c, "instance.amplitude");
  }
  c = t1;
  c["instance"]["amplitude"] = "32768";  // 2^15 and 2^-24: in range (the ends of it)
  CHECK(run(c).verdict != Verdict::malformed);
  c["instance"]["amplitude"] = "1/16777216";
  CHECK(run(c).verdict == Verdict::rejected);  // near-uniform weights: other outputs, other signs
  c = good;
  c["instance"]["family"] = "zeros";
  mal(c, "instance.family");
  c = good;
  c["instance"]["generator_version"] = 2;
  mal(c, "instance.generator_version");
  c = good;
  c["instance"]["rng_version"] = 1.0;
  mal(c, "instance.rng_version");
  c = good;
  c["instance"]["seed"] = "18446744073709551616";
  mal(c, "instance.seed");
  c = good;
  c["instance"]["seed"] = "01";
  mal(c, "instance.seed");
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"kernel", "encode"}, {"dtype", "f64"}, {"n", "0"}, {"n", "1048577"}, {"d", "1025"}, {"d", "0"},
           {"scale", "0"}, {"scale", "-1/2"}, {"scale", "1/3"}, {"scale", "16777217"}, {"scale", "1/2^200"},
           {"splits", "0"}, {"block", "-1"}, {"tile_q", "4.0"}, {"device", "tpu"}, {"exp_ulps", "-1"},
           {"exp_ulps", "2/4"}}) {
    c = good;
    c["parameters"][key] = value;
    mal(c, "parameters." + key);
  }
  c = good;  // n d > 2^26
  c["parameters"]["n"] = "1048576", c["parameters"]["d"] = "128", c["parameters"]["rows"] = "1048576";
  mal(c, "parameters.n * parameters.d");
  c = good;
  c["parameters"]["scale"] = pow2_string(-150);  // below the least subnormal
  mal(c, "parameters.scale");
  c = good;
  c["parameters"]["scale"] = pow2_string(-149);  // the least subnormal: representable (then false)
  CHECK(run(c).verdict == Verdict::rejected);
  c = good;
  c["parameters"]["scale"] = pow2_string(128);
  mal(c, "parameters.scale");

  // the work budget: rows x window x d terms
  checker::CheckOptions opt;
  opt.max_pairs = 10 * 2 - 1;  // prefill n = 4: 10 row-key pairs, d = 2
  auto r = run(good, opt);
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message.find("--max-pairs") != std::string::npos);
  opt.max_pairs = 20;
  CHECK(run(good, opt).verdict == Verdict::accepted);
}

// Hidden (run by name): the timings of bench/RESULTS.md ("The checker on gpu certificates"). Certificates from
// the test-side producer at the default suite's largest sizes; ATTNCERT_GPU_BENCH_DIR, if set,
// receives them as files (for timing attncert-check itself).
TEST_CASE("checker gpu: timings at the default suite's sizes", "[.][gpu-bench]") {
  struct Case {
    const char* kernel;
    const char* family;
    const char* dtype;
    std::size_t n, d;
  };
  for (const Case& k : {Case{"decode", "random", "f32", 32768, 128}, Case{"split-decode", "t1", "f16", 32768, 128},
                        Case{"prefill", "random", "f32", 1024, 64}, Case{"prefill", "t1", "bf16", 1024, 64},
                        Case{"prefill", "range", "f16", 1024, 64}, Case{"prefill", "needle", "f32", 1024, 64}}) {
    Spec s;
    s.kernel = k.kernel, s.family = k.family, s.dtype = k.dtype, s.n = k.n, s.d = k.d, s.seed = 1;
    s.scale = k.d == 128 ? "181/2048" : "1/8";  // ~ 1/sqrt(d)
    if (s.family == "t1") s.scale = "1/2", s.amp = 0;
    const json c = make_cert(s);
    const std::string text = c.dump();
    if (const char* dir = std::getenv("ATTNCERT_GPU_BENCH_DIR"))
      std::ofstream(std::string(dir) + "/gpu_" + k.kernel + "_" + k.family + "_" + k.dtype + ".json") << text;
    for (int threads : {1, 2}) {
      checker::CheckOptions opt;
      opt.threads = threads;
      const auto t0 = std::chrono::steady_clock::now();
      const auto r = checker::check_certificate_text(text, opt);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%-12s %-6s %-4s n=%zu d=%zu threads=%d: %s in %.2f s (%s)\n", k.kernel, k.family, k.dtype, k.n, k.d,
                  threads, r.verdict == Verdict::accepted ? "ACCEPTED" : "NOT ACCEPTED", sec, r.message.c_str());
      CHECK(r.verdict == Verdict::accepted);
    }
  }
}

// Hidden: the refinement path's cost (every element of a decode certificate with bounds within
// 2^-80 of |x - A|, which the 63-bit pass cannot decide) and q_exp's cost per weight.
TEST_CASE("checker gpu: timings of the refinement path", "[.][gpu-bench]") {
  {
    std::mt19937_64 rng(1);
    const int count = 2000;
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < count; ++k) {
      mpq_class y(mpz_class(static_cast<unsigned long>(rng() >> 10)), mpz_class(1) << 48);  // [0, 2^6)
      (void)checker::q_exp(-y, 136);
    }
    const double us = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e6 / count;
    std::printf("q_exp at 136 bits: %.1f us per call\n", us);
  }
  Spec s;
  s.kernel = "decode", s.family = "random", s.dtype = "f32", s.n = 32768, s.d = 128, s.scale = "181/2048";
  json c = make_cert(s);
  mpfr_t a, xm;
  mpfr_inits2(300, a, xm, (mpfr_ptr)0);
  for (std::size_t col = 0; col < s.d; ++col) {
    mpfr_attention(s, 0, col, a);
    const std::uint32_t xb = bits_of(c, col);
    float x;
    std::memcpy(&x, &xb, 4);
    mpfr_set_flt(xm, x, MPFR_RNDN);
    mpfr_sub(xm, xm, a, MPFR_RNDN);
    mpfr_abs(xm, xm, MPFR_RNDN);
    mpfr_mul_2ui(xm, xm, 80, MPFR_RNDN);
    mpz_class up;
    mpfr_get_z(up.get_mpz_t(), xm, MPFR_RNDU);
    mpq_class q(up + 1, mpz_class(1) << 80);
    q.canonicalize();
    c["claim"]["bounds"][col] = q.get_str();
  }
  mpfr_clears(a, xm, (mpfr_ptr)0);
  checker::CheckOptions opt;
  opt.threads = 2;
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = checker::check_certificate_text(c.dump(), opt);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("decode random f32 n=32768 d=128, bounds within 2^-80 (refined at 128 bits): %s in %.2f s\n",
              r.verdict == Verdict::accepted ? "ACCEPTED" : r.message.c_str(), sec);
  CHECK(r.verdict == Verdict::accepted);
}

// Hidden: the refinement path on a whole prefill certificate (every bound within 2^-80 of
// |x - A|, so no element is decided by the 63-bit pass).
TEST_CASE("checker gpu: timings of the refinement path (prefill)", "[.][gpu-bench]") {
  Spec s;
  s.kernel = "prefill", s.family = "random", s.dtype = "f32", s.n = 1024, s.d = 64, s.scale = "1/8";
  json c = make_cert(s);
  const Inputs in = test_inputs(s);
  mpfr_t w, num, den, t;
  mpfr_inits2(200, w, num, den, t, (mpfr_ptr)0);
  for (std::size_t r = 0; r < in.R; ++r) {
    // exact scores through GMP (sums of f32 products need not fit a long double)
    std::vector<mpq_class> sq;
    for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
      mpq_class acc = 0;
      for (std::size_t col = 0; col < s.d; ++col)
        acc += mpq_class(static_cast<double>(in.Q[r * s.d + col])) * mpq_class(static_cast<double>(in.K[j * s.d + col]));
      sq.push_back(acc / 8);
    }
    const mpq_class m = *std::max_element(sq.begin(), sq.end());
    std::vector<mpfr_t> ws(sq.size());
    mpfr_set_ui(den, 0, MPFR_RNDN);
    for (std::size_t j = 0; j < sq.size(); ++j) {
      mpfr_init2(ws[j], 200);
      mpfr_set_q(ws[j], mpq_class(sq[j] - m).get_mpq_t(), MPFR_RNDN);
      mpfr_exp(ws[j], ws[j], MPFR_RNDN);
      mpfr_add(den, den, ws[j], MPFR_RNDN);
    }
    for (std::size_t col = 0; col < s.d; ++col) {
      mpfr_set_ui(num, 0, MPFR_RNDN);
      for (std::size_t j = 0; j < sq.size(); ++j) {
        mpfr_mul_d(t, ws[j], static_cast<double>(in.V[(in.lo[r] + j) * s.d + col]), MPFR_RNDN);
        mpfr_add(num, num, t, MPFR_RNDN);
      }
      mpfr_div(t, num, den, MPFR_RNDN);  // A
      const std::size_t i = r * s.d + col;
      const std::uint32_t xb = bits_of(c, i);
      float x;
      std::memcpy(&x, &xb, 4);
      mpfr_set_flt(num, x, MPFR_RNDN);
      mpfr_sub(num, num, t, MPFR_RNDN);
      mpfr_abs(num, num, MPFR_RNDN);
      mpfr_mul_2ui(num, num, 80, MPFR_RNDN);
      mpz_class up;
      mpfr_get_z(up.get_mpz_t(), num, MPFR_RNDU);
      mpq_class q(up + 1, mpz_class(1) << 80);
      q.canonicalize();
      c["claim"]["bounds"][i] = q.get_str();
    }
    for (auto& x : ws) mpfr_clear(x);
  }
  mpfr_clears(w, num, den, t, (mpfr_ptr)0);
  for (int threads : {1, 2}) {
    checker::CheckOptions opt;
    opt.threads = threads;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = checker::check_certificate_text(c.dump(), opt);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("prefill random f32 n=1024 d=64, bounds within 2^-80, threads=%d: %s in %.2f s\n", threads,
                r.verdict == Verdict::accepted ? "ACCEPTED" : r.message.c_str(), sec);
    CHECK(r.verdict == Verdict::accepted);
  }
}
