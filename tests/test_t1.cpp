// T1 (docs/theorems.md#t1): certification against brute force, negative cases, certificates, calculator.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <random>

#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/reductions/t1_decode.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/verifiers/verify_t1.hpp"
#include "attncert/checker/checker.hpp"

using namespace attncert;
using core::Rational;
namespace red = attncert::reductions;

namespace {
red::T1Report certify(const core::SignMatrix& keys, red::T1Params p) {
  return red::certify_t1(keys, core::gram_histogram(keys), p);
}

// w_i = 1 / (1 + sum_{j != i} e^{-C (d - m_ij)/d} + e^{-C}) with 1000-bit MPFR, round-to-nearest.
double brute_min_w(const core::SignMatrix& s, const Rational& C, mpfr_t out) {
  mpfr_t acc, t, c;
  mpfr_inits2(1000, acc, t, c, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_q(c, C.backend().data(), MPFR_RNDN);
  mpfr_set_inf(out, 1);
  for (std::size_t i = 0; i < s.rows(); ++i) {
    mpfr_set_ui(acc, 1, MPFR_RNDN);
    mpfr_neg(t, c, MPFR_RNDN);
    mpfr_exp(t, t, MPFR_RNDN);
    mpfr_add(acc, acc, t, MPFR_RNDN);
    for (std::size_t j = 0; j < s.rows(); ++j) {
      if (j == i) continue;
      mpfr_mul_si(t, c, -(static_cast<long>(s.cols()) - s.inner(i, j)), MPFR_RNDN);
      mpfr_div_ui(t, t, s.cols(), MPFR_RNDN);
      mpfr_exp(t, t, MPFR_RNDN);
      mpfr_add(acc, acc, t, MPFR_RNDN);
    }
    mpfr_ui_div(acc, 1, acc, MPFR_RNDN);
    mpfr_min(out, out, acc, MPFR_RNDN);
  }
  double r = mpfr_get_d(out, MPFR_RNDN);
  mpfr_clears(acc, t, c, static_cast<mpfr_ptr>(nullptr));
  return r;
}
}  // namespace

TEST_CASE("T1 w_i bounds agree with 1000-bit brute force on small instances", "[t1]") {
  std::mt19937_64 g(5);
  for (int it = 0; it < 12; ++it) {
    std::size_t N = 2 + g() % 40, d = 8 + g() % 40;
    core::SignMatrix keys = core::SignMatrix::random(N, d, g());
    red::T1Params p;
    p.C = Rational(static_cast<long>(1 + g() % 30), static_cast<long>(1 + g() % 3));
    red::T1Report r = certify(keys, p);
    mpfr_t ref, lo;
    mpfr_inits2(1000, ref, lo, static_cast<mpfr_ptr>(nullptr));
    brute_min_w(keys, p.C, ref);
    mpfr_set_q(lo, r.w_min.backend().data(), MPFR_RNDN);
    INFO("N=" << N << " d=" << d << " C=" << core::to_string(p.C));
    CHECK(mpfr_lessequal_p(lo, ref));  // sound: the certified bound is below the true minimum
    mpfr_sub(ref, ref, lo, MPFR_RNDN);
    CHECK(mpfr_cmp_d(ref, std::ldexp(1.0, -50)) < 0);  // and tight: (d + 2) roundings of 2^-64
    CHECK(r.w_min_coarse <= r.w_min);
    mpfr_clears(ref, lo, static_cast<mpfr_ptr>(nullptr));
  }
}

TEST_CASE("T1 binned evaluation of Bob's output matches the general certified reference", "[t1]") {
  core::SignMatrix keys = core::SignMatrix::random(9, 12, 77);
  auto inst = red::make_h1(keys, Rational(7, 2), 78);
  for (std::size_t i : {0u, 4u, 8u}) {
    core::RationalVector q;
    core::RationalMatrix K, V;
    inst.bob_view(i, q, K, V);
    auto ref = core::attention_reference(q, K, V, core::pow2(-80));
    auto bin = red::bob_output(inst, i, 200);
    REQUIRE(bin.size() == ref.out.size());
    red::T1Params p;
    p.C = Rational(7, 2);
    auto rep = certify(keys, p);
    for (std::size_t l = 0; l < bin.size(); ++l) {
      CHECK(core::less(bin[l], ref.out[l]) != core::Tribool::yes);  // the enclosures overlap
      CHECK(core::less(ref.out[l], bin[l]) != core::Tribool::yes);
      // Lemma 2: Z_l v_il >= mu >= margin_min
      Rational zv = inst.bits.entry(i, l) > 0 ? ref.out[l].lo_q() : Rational(-ref.out[l].hi_q());
      CHECK(zv >= rep.margin_min);
    }
  }
}

TEST_CASE("T1 certifies all three notions and the decoding check recovers every promised bit", "[t1]") {
  core::SignMatrix keys = core::SignMatrix::random(255, 64, 3);
  for (auto [notion, eta, delta] : std::vector<std::tuple<red::Notion, Rational, Rational>>{
           {red::Notion::rel, Rational(1, 2), 0}, {red::Notion::abs, Rational(1, 4), Rational(1, 10)},
           {red::Notion::l2, Rational(1, 3), Rational(1, 20)}}) {
    red::T1Params p;
    p.C = red::default_C(255, Rational(1, 2));
    p.notion = notion;
    p.eta = eta;
    p.delta = delta;
    auto r = certify(keys, p);
    INFO(red::to_string(notion) << ": " << r.reason);
    REQUIRE(r.certified);
    CHECK(r.bits > 0);
    CHECK(r.bits <= Rational(255 * 64));
    auto dec = red::decode_check(red::make_h1(keys, p.C, 9), r, 255);
    INFO(dec.detail);
    CHECK(dec.ok);
    CHECK(dec.recovered >= dec.certified_bits);
  }
}

TEST_CASE("T1 negative cases do not certify", "[t1]") {
  red::T1Params p;
  // d far too small for N: keys repeat, Bob cannot separate rows -> refuted (coinciding keys)
  auto tiny = certify(core::SignMatrix::random(300, 4, 1), p);
  CHECK_FALSE(tiny.certified);
  CHECK(tiny.max_inner == 4);
  // eta too large for abs: the margin cannot exceed eta
  p.notion = red::Notion::abs;
  p.eta = Rational(99, 100);
  p.C = 3;
  auto big_eta = certify(core::SignMatrix::random(200, 64, 2), p);
  CHECK_FALSE(big_eta.certified);
  // delta + phi >= 1/2
  p.notion = red::Notion::rel;
  p.eta = Rational(1, 4);
  p.C = 20;
  p.delta = Rational(1, 2);
  auto half = certify(core::SignMatrix::random(200, 64, 2), p);
  CHECK_FALSE(half.certified);
  CHECK(half.p * 2 >= 1);
  // a decoding check against a falsified report must fail (the check can fail)
  p.delta = 0;
  p.notion = red::Notion::l2;
  p.eta = Rational(9, 10);
  core::SignMatrix keys = core::SignMatrix::random(100, 32, 4);
  auto r = certify(keys, p);
  std::fill(r.flips.begin(), r.flips.end(), 0u);
  CHECK_FALSE(red::decode_check(red::make_h1(keys, p.C, 5), r, 10).ok);
}

TEST_CASE("T1 certificates round-trip, and tampering is rejected", "[t1][checker]") {
  verifiers::CommonOptions o;
  o.seed = 21;
  o.quiet = true;
  verifiers::T1Options t;
  t.request.n = 400;
  t.request.d = 48;
  t.request.notion = red::Notion::l2;
  t.request.eta = Rational(1, 3);
  t.request.delta = Rational(1, 50);
  t.request.keys = red::parse_key_source("random", o.seed);
  t.decode_rows = 4;
  auto out = verifiers::verify_t1(t, o);
  REQUIRE(out.status == verifiers::certified);
  using checker::Verdict;
  auto check = [](const nlohmann::json& c) { return checker::check_certificate_text(c.dump()); };
  auto good = out.certificate;
  CHECK(check(good).verdict == Verdict::accepted);
  auto c = good;
  c["instance"]["seed"] = "22";
  CHECK(check(c).verdict == Verdict::rejected);
  c = good;
  c["claim"]["bits"] = core::to_string(Rational(400 * 48));
  CHECK(check(c).verdict == Verdict::rejected);
  c = good;
  c["derived"]["phi_upper"] = "0";
  c["derived"]["p_upper"] = good["parameters"]["delta"];
  CHECK(check(c).verdict == Verdict::rejected);
  c = good;
  c["derived"]["w_min_lower"] = "1";
  CHECK(check(c).verdict == Verdict::rejected);
  c = good;
  c["parameters"]["C"] = "1";  // smaller C: the margins, phi and the bound no longer follow
  CHECK(check(c).verdict == Verdict::rejected);
  c = good;
  c["parameters"]["notion"] = "rel";  // phi_upper no longer matches the notion's flips? still sound
  CHECK(check(c).verdict != Verdict::malformed);
  c = good;
  c["statistics"]["max_inner"] = good["statistics"]["max_inner"].get<long>() + 2;
  CHECK(check(c).verdict == Verdict::rejected);
  c = good;
  c["parameters"]["notion"] = "linf";
  CHECK(check(c).verdict == Verdict::malformed);
  c = good;
  c["parameters"]["C"] = "8388609";  // beyond the format's range (0, 2^23]: malformed, with a reason
  auto huge = check(c);
  CHECK(huge.verdict == Verdict::malformed);
  CHECK(huge.message.find("parameters.C") != std::string::npos);
}

TEST_CASE("T1 parameter calculator: Hoeffding and exact binomial tail", "[t1]") {
  CHECK(red::pair_tail(4, 4) == Rational(1, 16));
  CHECK(red::pair_tail(4, 2) == Rational(5, 16));
  CHECK(red::pair_tail(4, -4) == 1);
  CHECK(red::pair_tail(4, 5) == 0);
  for (std::size_t N : {16u, 255u, 4095u, 65535u}) {
    std::size_t h = red::d_hoeffding(N, Rational(1, 2), Rational(1, 100));
    std::size_t b = red::d_binomial(N, Rational(1, 2), Rational(1, 100));
    double approx = 8 * std::log(double(N) * double(N - 1) / 0.01);
    CHECK(h == static_cast<std::size_t>(std::ceil(approx)));
    CHECK(b <= h);
    // the exact union bound holds at b: C(N,2) * P[<s,s'> >= floor(d/2) + 1] <= 1/100
    Rational pairs(core::Integer(N) * (N - 1) / 2);
    CHECK(pairs * red::pair_tail(b, static_cast<long>(b / 2) + 1) <= Rational(1, 100));
  }
  // C choice: (N - 1) e^{-C(1 - eps)} <= 1/8
  Rational C = red::default_C(4095, Rational(1, 2));
  CHECK(4094 * std::exp(-C.convert_to<double>() / 2) <= 0.125);
}

TEST_CASE("key sources: Hadamard is orthogonal, key files are read strictly", "[t1][keys]") {
  auto H = red::hadamard_keys(32, 16);
  for (std::size_t i = 0; i < 32; ++i)
    for (std::size_t j = 0; j < 32; ++j)
      if (i != j) CHECK((H.inner(i, j) == 0 || H.inner(i, j) == -16));
  CHECK_THROWS_AS(red::hadamard_keys(33, 16), std::invalid_argument);
  CHECK_THROWS_AS(red::hadamard_keys(4, 12), std::invalid_argument);
  std::string path = "attncert_test_keys.txt";
  auto write = [&](const std::string& s) { std::ofstream(path) << s; };
  write("# two keys\n+-+-\n0101\n");  // 1 and - both mean -1
  auto K = red::read_keys_file(path);
  CHECK(K.rows() == 2);
  CHECK(K.inner(0, 1) == 4);
  write("+-+\n+-\n");
  CHECK_THROWS_AS(red::read_keys_file(path), red::ParameterError);
  write("+x+\n");
  CHECK_THROWS_AS(red::read_keys_file(path), red::ParameterError);
  write("# nothing\n");
  CHECK_THROWS_AS(red::read_keys_file(path), red::ParameterError);
  std::remove(path.c_str());
  CHECK_THROWS_AS(red::read_keys_file("/nonexistent/keys.txt"), red::ParameterError);
  CHECK_THROWS_AS(red::parse_key_source("gaussian", 1), std::invalid_argument);
}
