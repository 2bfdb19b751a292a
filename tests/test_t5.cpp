// T5 (docs/theorems.md#t5): tensor attention reference against 1000-bit brute force, the
// pair-product kernel against its definition, the embedding identity (exact checks and lemmas),
// the collision guard, negative cases, certificates and tampering.
#include <catch2/catch.hpp>
#include <mpfr.h>

#include <random>

#include "attncert/checker/checker.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/t5.hpp"
#include "attncert/reductions/t5_lemmas.hpp"
#include "attncert/verifiers/umbrella.hpp"
#include "attncert/verifiers/verify_t5.hpp"

using namespace attncert;
using core::Rational;
using core::RationalMatrix;
using core::RationalVector;
namespace red = attncert::reductions;

namespace {

RationalMatrix random_matrix(std::mt19937_64& g, std::size_t rows, std::size_t d, long range) {
  RationalMatrix m(rows, RationalVector(d));
  for (auto& r : m)
    for (auto& x : r) x = Rational(static_cast<long>(g() % static_cast<std::uint64_t>(2 * range * 4 + 1)) - range * 4, 4);
  return m;
}

// The tensor output by its definition, every pair (j1, j2) with j1, j2 < t, in 1000-bit MPFR
// (round to nearest): sum e^{s} V1[j1] V2[j2] / sum e^{s}, s = scale sum_l q_l K1[j1,l] K2[j2,l].
std::vector<double> brute_tensor(const RationalVector& q, const RationalMatrix& K1, const RationalMatrix& K2,
                                 const RationalMatrix& V1, const RationalMatrix& V2, const Rational& scale, std::size_t t,
                                 std::vector<Rational>& centre) {
  const std::size_t d = q.size();
  mpfr_t s, e, den, tmp;
  mpfr_inits2(1000, s, e, den, tmp, static_cast<mpfr_ptr>(nullptr));
  std::vector<mpfr_t> num(d);
  for (auto& x : num) {
    mpfr_init2(x, 1000);
    mpfr_set_ui(x, 0, MPFR_RNDN);
  }
  mpfr_set_ui(den, 0, MPFR_RNDN);
  for (std::size_t j1 = 0; j1 < t; ++j1)
    for (std::size_t j2 = 0; j2 < t; ++j2) {
      Rational sq = 0;
      for (std::size_t l = 0; l < d; ++l) sq += q[l] * K1[j1][l] * K2[j2][l];
      sq *= scale;
      mpfr_set_q(s, sq.backend().data(), MPFR_RNDN);
      mpfr_exp(e, s, MPFR_RNDN);
      mpfr_add(den, den, e, MPFR_RNDN);
      for (std::size_t l = 0; l < d; ++l) {
        const Rational v = V1[j1][l] * V2[j2][l];
        mpfr_set_q(tmp, v.backend().data(), MPFR_RNDN);
        mpfr_mul(tmp, tmp, e, MPFR_RNDN);
        mpfr_add(num[l], num[l], tmp, MPFR_RNDN);
      }
    }
  std::vector<double> out(d);
  centre.assign(d, 0);
  for (std::size_t l = 0; l < d; ++l) {
    mpfr_div(num[l], num[l], den, MPFR_RNDN);
    out[l] = mpfr_get_d(num[l], MPFR_RNDN);
    // The 1000-bit value as a rational (exact conversion of the binary float).
    mpq_t qv;
    mpq_init(qv);
    mpfr_exp_t ex = mpfr_get_z_2exp(mpq_numref(qv), num[l]);
    mpz_set_ui(mpq_denref(qv), 1);
    if (ex >= 0) mpz_mul_2exp(mpq_numref(qv), mpq_numref(qv), static_cast<mp_bitcnt_t>(ex));
    else mpz_mul_2exp(mpq_denref(qv), mpq_denref(qv), static_cast<mp_bitcnt_t>(-ex));
    mpq_canonicalize(qv);
    centre[l] = Rational(qv);
    mpq_clear(qv);
    mpfr_clear(num[l]);
  }
  mpfr_clears(s, e, den, tmp, static_cast<mpfr_ptr>(nullptr));
  return out;
}

std::vector<std::vector<double>> to_double(const RationalMatrix& m) {
  std::vector<std::vector<double>> r;
  for (const auto& row : m) {
    r.emplace_back();
    for (const auto& x : row) r.back().push_back(x.convert_to<double>());
  }
  return r;
}

}  // namespace

TEST_CASE("tensor attention reference agrees with 1000-bit brute force (also autoregressive)", "[t5]") {
  std::mt19937_64 g(11);
  for (int it = 0; it < 8; ++it) {
    const std::size_t n = 1 + g() % 4, d = 1 + g() % 3;
    const RationalMatrix K1 = random_matrix(g, n, d, 2), K2 = random_matrix(g, n, d, 2), V1 = random_matrix(g, n, d, 3),
                         V2 = random_matrix(g, n, d, 3);
    const RationalVector q = random_matrix(g, 1, d, 2)[0];
    const Rational scale(1 + static_cast<long>(g() % 3), 2);
    for (std::size_t t : {n, std::max<std::size_t>(1, n - 1)}) {  // all pairs, and generation step t < n
      const Rational width(1, 1L << 40);
      const auto enc = red::tensor_attention_reference(q, K1, K2, V1, V2, scale, width, t);
      std::vector<Rational> centre;
      const auto brute = brute_tensor(q, K1, K2, V1, V2, scale, t, centre);
      const auto f64 = red::tensor_attention_f64(to_double(RationalMatrix{q})[0], to_double(K1), to_double(K2), to_double(V1),
                                                 to_double(V2), scale.convert_to<double>(), t);
      REQUIRE(enc.out.size() == d);
      for (std::size_t l = 0; l < d; ++l) {
        // The 1000-bit value is within 2^-990 relative of the truth, far inside the enclosure's slack.
        const Rational slack(1, 1L << 60);
        CHECK(enc.out[l].lo_q() - slack <= centre[l]);
        CHECK(centre[l] <= enc.out[l].hi_q() + slack);
        CHECK(enc.out[l].hi_q() - enc.out[l].lo_q() <= width);
        CHECK(std::abs(f64[l] - brute[l]) <= 1e-12 * (1 + std::abs(brute[l])));
      }
    }
  }
}

TEST_CASE("pair-product histograms equal their definition for every kernel and window", "[t5][gram]") {
  std::mt19937_64 g(3);
  for (std::size_t d : {5, 64, 100, 256, 300, 1100}) {
    const std::size_t na = 1 + g() % 30, nb = 1 + g() % 41, nq = 1 + g() % 9;
    const auto A = core::SignMatrix::random(na, d, g()), B = core::SignMatrix::random(nb, d, g()), Q = core::SignMatrix::random(nq, d, g());
    const auto ref = core::pair_product_histogram_naive(Q, A, B);
    core::GramOptions o;
    o.kernel = core::GramKernel::portable;
    CHECK(core::pair_product_histogram(Q, A, B, o) == ref);
    o.kernel = core::GramKernel::automatic;
    CHECK(core::pair_product_histogram(Q, A, B, o) == ref);
    if (core::gram_avx512_built()) {
      o.kernel = core::GramKernel::avx512;
      o.threads = 2;
      CHECK(core::pair_product_histogram(Q, A, B, o) == ref);
    }
  }
  // Distances far outside the window (near-constant rows beside random ones): the outlier path.
  core::SignMatrix A = core::SignMatrix::random(37, 256, 9), B = core::SignMatrix::random(300, 256, 10);
  for (std::size_t j = 0; j < 300; j += 3)
    for (std::size_t c = 0; c < 256; ++c) B.set(j, c, c < 10 ? -1 : 1);
  const auto Q = core::SignMatrix::random(5, 256, 11);
  const auto ref = core::pair_product_histogram_naive(Q, A, B);
  if (core::gram_avx512_built()) {
    core::GramOptions o;
    o.kernel = core::GramKernel::avx512;
    CHECK(core::pair_product_histogram(Q, A, B, o) == ref);
  }
  CHECK(core::pair_product_histogram(Q, A, B) == ref);
  CHECK_THROWS_AS(core::pair_product_histogram(Q, A, core::SignMatrix::random(3, 128, 1)), std::invalid_argument);
}

TEST_CASE("native histograms leave out Bob's pair (i, i) and count N^2 - 1 competitors", "[t5]") {
  const auto a = core::SignMatrix::random(20, 64, 1), b = core::SignMatrix::random(20, 64, 2);
  const auto h = red::native_histograms(a, b);
  for (std::size_t i = 0; i < 20; ++i) {
    std::uint64_t total = 0;
    for (std::size_t k = 0; k <= 64; ++k) total += h.row(i)[k];
    CHECK(total == 20 * 20 - 1);
    // brute force on row i
    std::vector<std::uint32_t> want(65, 0);
    for (std::size_t j1 = 0; j1 < 20; ++j1)
      for (std::size_t j2 = 0; j2 < 20; ++j2) {
        if (j1 == i && j2 == i) continue;
        long ip = 0;
        for (std::size_t c = 0; c < 64; ++c) ip += a.entry(i, c) * b.entry(i, c) * a.entry(j1, c) * b.entry(j2, c);
        ++want[static_cast<std::size_t>((64 - ip) / 2)];
      }
    CHECK(std::equal(want.begin(), want.end(), h.row(i)));
  }
}

TEST_CASE("embedding identity: exact on random instances, proved by Z3 and cvc5 for n <= 4", "[t5][z3]") {
  const auto ex = red::check_embedding_identity(7, 30, 4, 3);
  CHECK(ex.ok);
  CHECK(ex.instances == 30);
  // Not an identity without V2 = 1: a random V2 changes the output.
  std::mt19937_64 g(2);
  const RationalMatrix K1 = random_matrix(g, 3, 2, 2), V1 = random_matrix(g, 3, 2, 3), V2 = random_matrix(g, 3, 2, 3);
  const RationalMatrix ones(3, RationalVector(2, Rational(1)));
  const RationalVector q = random_matrix(g, 1, 2, 2)[0];
  const Rational w(1, 1L << 40);
  const auto tensor = red::tensor_attention_reference(q, K1, ones, V1, V2, 1, w);
  const auto plain = core::attention_reference(q, K1, V1, w);
  CHECK((tensor.out[0].hi_q() < plain.out[0].lo_q() || plain.out[0].hi_q() < tensor.out[0].lo_q()));

  for (int n = 2; n <= 4; ++n) {
    const auto ln = red::embedding_lemma_scripts(n, 2);
    REQUIRE(ln.size() == 2);
    for (const auto& p : red::prove_lemmas(ln, 20000)) {
      CHECK(p.z3.verdict == core::LemmaVerdict::proved);
      CHECK(p.cvc5 == "unsat");
    }
  }
  const auto lemmas = red::embedding_lemma_scripts(4, 2);
  // A wrong statement must not be proved: K2 = 2 doubles every score.
  auto wrong = lemmas[0];
  for (std::size_t pos = 0; (pos = wrong.smtlib2.find("kb0_0 1)", pos)) != std::string::npos;) wrong.smtlib2.replace(pos, 8, "kb0_0 2)");
  const auto bad = red::prove_lemmas({wrong}, 20000);
  CHECK(bad[0].z3.verdict != core::LemmaVerdict::proved);
  CHECK(bad[0].cvc5 != "unsat");
}

TEST_CASE("collision guard: Walsh-Hadamard rows for both factors", "[t5][keys]") {
  red::KeySource h;
  h.kind = red::KeySource::Kind::hadamard;
  red::KeySource r;
  try {
    red::check_native_key_sources(h, h);
    FAIL("both Hadamard accepted");
  } catch (const red::ParameterError& e) {
    CHECK(e.parameter == "keys-b");
    CHECK(std::string(e.detail).find("collide") != std::string::npos);
  }
  CHECK_NOTHROW(red::check_native_key_sources(h, r));
  CHECK_NOTHROW(red::check_native_key_sources(r, h));
  // What the guard prevents: the pair products collide, so no query has a margin.
  const auto a = red::hadamard_keys(31, 32), b = red::hadamard_keys(31, 32);
  const auto hist = red::native_histograms(a, b);
  red::T1Params p;
  p.C = 20;
  const auto rep = red::certify_rows(hist, red::native_zero_rows(31), p);
  CHECK(rep.collides());
  CHECK_FALSE(rep.certified);
}

TEST_CASE("T5 native: certified with enough d, never with too small d", "[t5]") {
  red::T1Params p;
  p.C = 20;
  {
    const auto a = core::SignMatrix::random(63, 256, 1), b = core::SignMatrix::random(63, 256, 2);
    const auto rep = red::certify_rows(red::native_histograms(a, b), red::native_zero_rows(63), p);
    CHECK(rep.certified);
    CHECK(rep.bits_ceil == 63 * 256);  // rel with full margin: phi = 0, H2(0) = 0
  }
  for (std::size_t d : {4, 8, 10}) {  // 63^2 = 3969 pair products in 2^d <= 1024 sign patterns: collisions
    const auto a = core::SignMatrix::random(63, d, 1), b = core::SignMatrix::random(63, d, 2);
    const auto rep = red::certify_rows(red::native_histograms(a, b), red::native_zero_rows(63), p);
    CHECK_FALSE(rep.certified);
  }
}

TEST_CASE("T5 native: Bob's actual tensor output decodes Alice's row where the bound says so", "[t5]") {
  // Tiny instance: N = 6 Alice tokens, d = 64; the certified tensor reference on all 7 tokens.
  const std::size_t N = 6, d = 64;
  const auto a = core::SignMatrix::random(N, d, 4), b = core::SignMatrix::random(N, d, 5), x = core::SignMatrix::random(N, d, 6);
  red::T1Params p;
  p.C = 12;
  const auto rep = red::certify_rows(red::native_histograms(a, b), red::native_zero_rows(N), p);
  REQUIRE(rep.certified);
  RationalMatrix K1(N + 1, RationalVector(d, 0)), K2 = K1, V1 = K1, V2 = K1;  // Bob's token: all zero
  for (std::size_t j = 0; j < N; ++j)
    for (std::size_t c = 0; c < d; ++c) {
      K1[j][c] = a.entry(j, c);
      K2[j][c] = b.entry(j, c);
      V1[j][c] = x.entry(j, c);
      V2[j][c] = 1;
    }
  for (std::size_t i = 0; i < N; ++i) {
    RationalVector q(d);
    for (std::size_t c = 0; c < d; ++c) q[c] = Rational(a.entry(i, c) * b.entry(i, c));
    const auto Z = red::tensor_attention_reference(q, K1, K2, V1, V2, p.C / Rational(static_cast<long>(d)), Rational(1, 1 << 20));
    for (std::size_t c = 0; c < d; ++c) {
      // margin: Z_c v_ic >= 2 w - 1 >= rep.margin_min
      const Rational v = x.entry(i, c);
      const Rational lo = v > 0 ? Z.out[c].lo_q() : -Z.out[c].hi_q();
      CHECK(lo >= rep.margin_min - Rational(1, 1 << 19));
    }
  }
}

TEST_CASE("T5 certificates: all three models accepted, tampering rejected", "[t5][checker]") {
  verifiers::CommonOptions o;
  o.quiet = true;
  verifiers::T5Options t;
  t.n = 40;
  t.d = 128;
  t.keys_b.seed = 1 ^ verifiers::kT5KeysBSalt;
  for (auto m : {red::T5Model::native, red::T5Model::embed, red::T5Model::two_cache}) {
    t.model = m;
    const auto out = verifiers::verify_t5(t, o);
    REQUIRE(out.status == verifiers::certified);
    const auto r = checker::check_certificate_text(out.certificate.dump());
    CHECK(r.verdict == checker::Verdict::accepted);
    auto bad = out.certificate;
    bad["derived"]["w_min_lower"] = "1";
    CHECK(checker::check_certificate_text(bad.dump()).verdict == checker::Verdict::rejected);
    bad = out.certificate;
    bad["parameters"]["C"] = core::to_string(Rational(bad["parameters"]["C"].get<std::string>()) / 4);  // weaker isolation
    CHECK(checker::check_certificate_text(bad.dump()).verdict == checker::Verdict::rejected);
    if (m == red::T5Model::native) {
      bad = out.certificate;
      auto& h = bad["statistics"]["pair_product_histogram"];
      const std::string k0 = h.begin().key(), k1 = std::next(h.begin()).key();
      h[k0] = h[k0].get<std::uint64_t>() + 1;
      h[k1] = h[k1].get<std::uint64_t>() - 1;
      CHECK(checker::check_certificate_text(bad.dump()).verdict != checker::Verdict::accepted);
      bad = out.certificate;
      bad["instance"]["keys_a"] = {{"keys", "hadamard"}, {"generator", "sylvester-hadamard"}, {"generator_version", 1}};
      bad["instance"]["keys_b"] = bad["instance"]["keys_a"];
      CHECK(checker::check_certificate_text(bad.dump()).verdict == checker::Verdict::rejected);
    }
  }
}

TEST_CASE("T5 low-dim: one weight distribution is every query's exact pair histogram", "[t5][codes]") {
  red::T1Params p;
  for (std::size_t d : {4, 7, 12, 16}) {
    const auto row = red::low_dim_bound(d, 1, p, 6);
    REQUIRE(row.certified);
    CHECK(row.C == Rational(static_cast<long>(d)));
    core::SignMatrix a, b;
    red::low_dim_keys(row, a, b);
    REQUIRE(a.rows() == row.N);
    const auto h = red::native_histograms(a, b);  // the explicit instance, every query by the kernel
    for (std::size_t i = 0; i < row.N; ++i) {
      CHECK(h.row(i)[0] == row.weights[0] - 1);
      for (std::size_t k = 1; k <= d; ++k) CHECK(h.row(i)[k] == row.weights[k]);
    }
    red::T1Params q = p;
    q.C = row.C;
    const auto full = red::certify_rows(h, red::native_zero_rows(row.N), q);
    CHECK(full.certified);
    CHECK(full.w_min == row.w_min);
    CHECK(full.bits == row.bits);
  }
  // Too small an entry bound never certifies (C = B^3 d = d/64: no isolation).
  const auto weak = red::low_dim_bound(8, Rational(1, 4), p, 6);
  CHECK_FALSE(weak.certified);
  CHECK_THROWS_AS(red::low_dim_bound(1, 1, p), red::ParameterError);
  CHECK_THROWS_AS(red::low_dim_bound(8, 0, p), red::ParameterError);
}

TEST_CASE("T5 low-dim certificates: accepted, a wrong generator rejected", "[t5][checker]") {
  verifiers::CommonOptions o;
  o.quiet = true;
  verifiers::T5Options t;
  t.model = red::T5Model::low_dim;
  t.d_min = 3;
  t.d_max = 9;
  const auto out = verifiers::verify_t5(t, o);
  REQUIRE(out.status == verifiers::certified);
  CHECK(checker::check_certificate_text(out.certificate.dump()).verdict == checker::Verdict::accepted);
  auto bad = out.certificate;
  auto& g = bad["instance"]["rows"][4]["generator"];
  g[1] = g[0];  // dependent rows: pair products coincide
  CHECK(checker::check_certificate_text(bad.dump()).verdict == checker::Verdict::rejected);
  bad = out.certificate;
  bad["claim"]["rows"][2]["bits"] = core::to_string(Rational(bad["claim"]["rows"][2]["bits"].get<std::string>()) + 1);
  bad["claim"]["rows"][2]["bits_ceil"] = core::to_string(core::ceil(Rational(bad["claim"]["rows"][2]["bits"].get<std::string>())));
  CHECK(checker::check_certificate_text(bad.dump()).verdict == checker::Verdict::rejected);
}

TEST_CASE("T5 limits: the producer refuses what the checker would call malformed", "[t5][limits]") {
  auto cli = [](std::vector<const char*> a) {
    a.insert(a.begin(), "attncert");
    return verifiers::umbrella_main(static_cast<int>(a.size()), a.data());
  };
  CHECK(cli({"verify", "t5", "--n", "65537", "--d", "8", "--quiet"}) == 2);           // N^2 >= 2^32
  CHECK(cli({"verify", "t5", "--model", "two-cache", "--n", "1026", "--quiet"}) == 2);  // (n-1)^2 > 2^20
  CHECK(cli({"verify", "t5", "--model", "low-dim", "--d", "257", "--quiet"}) == 2);
  CHECK(cli({"verify", "t5", "--model", "low-dim", "--d", "8", "--max-log2-N", "16", "--quiet"}) == 2);
  verifiers::CommonOptions o;
  o.quiet = true;
  verifiers::T5Options t;
  t.n = 20;
  t.d = 64;
  auto c = verifiers::verify_t5(t, o).certificate;
  REQUIRE(!c.is_null());
  c["parameters"]["n"] = "65537";
  c["parameters"]["N"] = "65536";
  CHECK(checker::check_certificate_text(c.dump()).verdict == checker::Verdict::malformed);
  // beyond --max-pairs: N^3 ceil(d/256) pair evaluations
  checker::CheckOptions small;
  small.max_pairs = 19 * 19 * 19 - 1;
  CHECK(checker::check_certificate_text(verifiers::verify_t5(t, o).certificate.dump(), small).verdict == checker::Verdict::malformed);
  small.max_pairs = 19 * 19 * 19;
  CHECK(checker::check_certificate_text(verifiers::verify_t5(t, o).certificate.dump(), small).verdict == checker::Verdict::accepted);
}

TEST_CASE("T5 native decoding check: the rewriting equals the tensor reference, promises hold, false ones fail", "[t5]") {
  const std::size_t N = 7, d = 64;
  const auto a = core::SignMatrix::random(N, d, 14), b = core::SignMatrix::random(N, d, 15), x = core::SignMatrix::random(N, d, 16);
  red::T1Params p;
  p.C = 14;
  p.notion = red::Notion::l2;
  p.delta = Rational(1, 100);
  auto rep = red::certify_rows(red::native_histograms(a, b), red::native_zero_rows(N), p);
  REQUIRE(rep.certified);
  // Bob's output by the grouped rewriting against the general certified tensor reference.
  RationalMatrix K1(N + 1, RationalVector(d, 0)), K2 = K1, V1 = K1, V2 = K1;
  for (std::size_t j = 0; j < N; ++j)
    for (std::size_t c = 0; c < d; ++c) {
      K1[j][c] = a.entry(j, c);
      K2[j][c] = b.entry(j, c);
      V1[j][c] = x.entry(j, c);
      V2[j][c] = 1;
    }
  for (std::size_t i : {std::size_t{0}, N - 1}) {
    RationalVector q(d);
    for (std::size_t c = 0; c < d; ++c) q[c] = Rational(a.entry(i, c) * b.entry(i, c));
    const auto ref = red::tensor_attention_reference(q, K1, K2, V1, V2, p.C / Rational(static_cast<long>(d)), Rational(1, 1L << 40));
    const auto Z = red::native_bob_output(a, b, x, p.C, i, 256);
    for (std::size_t c = 0; c < d; ++c) {
      CHECK(Z[c].lo_q() <= ref.out[c].hi_q());
      CHECK(ref.out[c].lo_q() <= Z[c].hi_q());
    }
  }
  const auto dec = red::native_decode_check(a, b, x, rep, N);
  CHECK(dec.ok);
  CHECK(dec.recovered >= dec.certified_bits);
  // A report promising more than Lemma 3 allows (no l2 flips at all) is caught.
  for (auto& f : rep.flips) f = 0;
  const auto bad = red::native_decode_check(a, b, x, rep, N);
  CHECK_FALSE(bad.ok);
}
