// Codes with certified minimum distance (reductions/include/attncert/reductions/codes.hpp): every
// construction against brute force, Gray enumeration against plain enumeration, planted wrong
// claims rejected, key specs, and code keys through T1 and its checker.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <numeric>
#include <set>

#include "attncert/checker/checker.hpp"
#include "attncert/core/rng.hpp"
#include "attncert/reductions/codes.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/t1_setup.hpp"
#include "attncert/verifiers/verify_t1.hpp"

using namespace attncert;
namespace red = attncert::reductions;

namespace {

std::size_t weight(const std::vector<std::uint64_t>& x) {
  std::size_t w = 0;
  for (auto v : x) w += static_cast<std::size_t>(__builtin_popcountll(v));
  return w;
}

// Plain enumeration: every message's codeword computed from scratch by the definition (bit by bit).
std::vector<std::uint64_t> plain_weights(const red::Code& c) {
  std::vector<std::uint64_t> A(c.length + 1, 0);
  for (std::uint64_t u = 0; u < (std::uint64_t{1} << c.dimension()); ++u) {
    std::size_t w = 0;
    for (std::size_t col = 0; col < c.length; ++col) {
      bool bit = false;
      for (std::size_t i = 0; i < c.dimension(); ++i)
        if ((u >> i) & 1u) bit ^= c.generator.negative(i, col);
      w += bit;
    }
    ++A[w];
  }
  return A;
}

std::size_t min_nonzero(const std::vector<std::uint64_t>& A) {
  for (std::size_t w = 1; w < A.size(); ++w)
    if (A[w]) return w;
  return 0;
}

// All pairs of keys by the definition (entry comparisons).
std::size_t naive_pairs_min(const core::SignMatrix& s) {
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (std::size_t i = 0; i < s.rows(); ++i)
    for (std::size_t j = i + 1; j < s.rows(); ++j) {
      std::size_t d = 0;
      for (std::size_t c = 0; c < s.cols(); ++c) d += s.entry(i, c) != s.entry(j, c);
      best = std::min(best, d);
    }
  return best;
}

red::Code cyclic(std::size_t n, const std::vector<int>& g_exponents, const std::string& name) {
  int deg = *std::max_element(g_exponents.begin(), g_exponents.end());
  red::Code c;
  c.name = name;
  c.length = n;
  c.generator = core::SignMatrix(n - static_cast<std::size_t>(deg), n);
  for (std::size_t i = 0; i < c.generator.rows(); ++i)
    for (int e : g_exponents) c.generator.set(i, i + static_cast<std::size_t>(e), -1);
  c.claim = {7, true, red::DistanceBasis::theorem, "theorem: the binary Golay code has distance 7"};
  return c;
}

}  // namespace

TEST_CASE("Reed-Muller codes: parameters, weights and distance against brute force", "[codes]") {
  struct Case { unsigned r, m; std::size_t n, k, D; };
  for (Case t : {Case{1, 3, 8, 4, 4}, Case{2, 4, 16, 11, 4}, Case{0, 4, 16, 1, 16}, Case{4, 4, 16, 16, 1},
                 Case{1, 5, 32, 6, 16}, Case{2, 5, 32, 16, 8}, Case{3, 5, 32, 26, 4}, Case{1, 1, 2, 2, 1}}) {
    CAPTURE(t.r, t.m);
    red::Code c = red::reed_muller(t.r, t.m);
    CHECK(c.length == t.n);
    CHECK(c.dimension() == t.k);
    CHECK(red::gf2_rank(c.generator) == t.k);
    CHECK(c.claim.distance == t.D);
    CHECK(c.claim.exact);
    auto cert = red::certify_distance(c);
    CHECK(cert.claim_holds);
    CHECK(cert.result.distance == t.D);
    CHECK(weight(red::codeword(c, cert.result.witness_a)) == t.D);
    if (t.k <= 16) CHECK(min_nonzero(plain_weights(c)) == t.D);
  }
  // RM(1, m): 2^{m+1} - 2 words of weight 2^{m-1}, plus 0 and the all-ones word.
  auto A = red::weight_distribution(red::reed_muller(1, 4));
  CHECK(A[0] == 1);
  CHECK(A[8] == 30);
  CHECK(A[16] == 1);
  CHECK(std::accumulate(A.begin(), A.end(), std::uint64_t{0}) == 32);
  CHECK(red::reed_muller(2, 4).parameters() == "[16,11,4]");
}

TEST_CASE("RM(1, m) in message order is the Sylvester-Hadamard key order", "[codes][keys]") {
  for (unsigned m = 1; m <= 7; ++m) {
    red::Code c = red::reed_muller(1, m);
    const std::size_t d = c.length, N = 2 * d;
    core::SignMatrix generic(N, d);
    for (std::size_t u = 0; u < N; ++u) {
      auto x = red::codeword(c, u);
      std::copy(x.begin(), x.end(), generic.row(u));
    }
    CHECK(generic == red::hadamard_keys(N, d));
    CHECK(red::code_keys(c, N) == generic);
  }
}

TEST_CASE("BCH codes: generator polynomials, dimensions, the BCH bound and exact distances", "[codes]") {
  for (unsigned m = 2; m <= 16; ++m) {
    CAPTURE(m);
    CHECK(red::is_primitive(red::primitive_polynomial(m), m));
  }
  CHECK_FALSE(red::is_primitive(0x1F, 4));  // x^4+x^3+x^2+x+1: x has order 5
  CHECK_FALSE(red::is_primitive(0x15, 4));  // x^4+x^2+1 = (x^2+x+1)^2
  using P = std::vector<std::uint8_t>;
  CHECK(red::bch_generator_polynomial(3, 3) == P{1, 1, 0, 1});                    // x^3 + x + 1
  CHECK(red::bch_generator_polynomial(4, 5) == P{1, 0, 0, 0, 1, 0, 1, 1, 1});     // 1 + x^4 + x^6 + x^7 + x^8
  struct Case { unsigned m; std::size_t delta, n, k, D; };
  for (Case t : {Case{3, 3, 7, 4, 3}, Case{4, 3, 15, 11, 3}, Case{4, 5, 15, 7, 5}, Case{4, 4, 15, 7, 5},
                 Case{4, 7, 15, 5, 7}, Case{5, 5, 31, 21, 5}, Case{5, 7, 31, 16, 7}, Case{5, 11, 31, 11, 11},
                 Case{6, 15, 63, 24, 15}, Case{4, 15, 15, 1, 15}, Case{3, 1, 7, 7, 1}}) {
    CAPTURE(t.m, t.delta);
    red::Code c = red::bch(t.m, t.delta);
    CHECK(c.length == t.n);
    CHECK(c.dimension() == t.k);
    CHECK(red::gf2_rank(c.generator) == t.k);
    CHECK(c.claim.basis == red::DistanceBasis::bch_bound);
    CHECK_FALSE(c.claim.exact);
    CHECK(c.claim.distance == t.delta);
    auto cert = red::certify_distance(c);
    CHECK(cert.claim_holds);
    CHECK(cert.result.distance == t.D);  // BCH(4, 4): designed 4, true distance 5
    if (t.k <= 12) CHECK(min_nonzero(plain_weights(c)) == t.D);
  }
  // Hamming [7,4,3] and the double-error-correcting [15,7,5]: known weight distributions.
  CHECK(red::weight_distribution(red::bch(3, 3)) == std::vector<std::uint64_t>{1, 0, 0, 7, 7, 0, 0, 1});
  CHECK(red::weight_distribution(red::bch(4, 5)) ==
        std::vector<std::uint64_t>{1, 0, 0, 0, 0, 18, 30, 15, 15, 30, 18, 0, 0, 0, 0, 1});
  // Every codeword of a cyclic code shifted cyclically is a codeword: the rank does not grow.
  red::Code c = red::bch(5, 7);
  core::SignMatrix both(2 * c.dimension(), c.length);
  for (std::size_t i = 0; i < c.dimension(); ++i)
    for (std::size_t col = 0; col < c.length; ++col) {
      both.set(i, col, c.generator.entry(i, col));
      both.set(c.dimension() + i, (col + 1) % c.length, c.generator.entry(i, col));
    }
  CHECK(red::gf2_rank(both) == c.dimension());
  CHECK_THROWS_AS(red::bch(1, 1), red::ParameterError);
  CHECK_THROWS_AS(red::bch(17, 3), red::ParameterError);
  CHECK_THROWS_AS(red::bch(4, 16), red::ParameterError);
  CHECK_THROWS_AS(red::bch(4, 0), red::ParameterError);
}

TEST_CASE("Golay-sized: the [23,12,7] Golay code and its parity extension [24,12,8]", "[codes]") {
  // g(x) = 1 + x^2 + x^4 + x^5 + x^6 + x^10 + x^11 divides x^23 - 1.
  red::Code g = cyclic(23, {0, 2, 4, 5, 6, 10, 11}, "Golay");
  auto cert = red::certify_distance(g);
  CHECK(cert.claim_holds);
  CHECK(cert.result.distance == 7);
  red::Code e = red::extend_parity(g);
  CHECK(e.length == 24);
  CHECK(e.claim.distance == 8);
  CHECK(e.claim.exact);
  auto A = red::weight_distribution(e);
  CHECK(A[0] == 1);
  CHECK(A[8] == 759);
  CHECK(A[12] == 2576);
  CHECK(A[16] == 759);
  CHECK(A[24] == 1);
  CHECK(red::certify_distance(e).claim_holds);
}

TEST_CASE("Gray enumeration equals plain enumeration for k <= 12, every word count and chunking", "[codes]") {
  for (std::size_t n : {13u, 64u, 70u, 130u, 200u, 256u, 300u}) {
    for (std::size_t k : {1u, 5u, 12u}) {
      for (auto kind : {red::RandomLinear::full_rank, red::RandomLinear::systematic}) {
        CAPTURE(n, k, kind == red::RandomLinear::systematic);
        red::Code c = red::random_linear(n, k, 1000 + n + k, kind);
        REQUIRE(red::gf2_rank(c.generator) == k);
        const auto plain = plain_weights(c);
        for (int t : {0, 3, static_cast<int>(k)}) {
          for (int threads : {1, 2}) {
            red::EnumerationOptions o;
            o.chunk_log2 = t;
            o.threads = threads;
            CHECK(red::weight_distribution(c, o) == plain);
            auto r = red::min_distance(c, o);
            CHECK(r.distance == min_nonzero(plain));
            CHECK(weight(red::codeword(c, r.witness_a)) == r.distance);
            CHECK(r.examined == (std::uint64_t{1} << k) - 1);
          }
        }
      }
    }
  }
}

TEST_CASE("the lane-parallel walk (k >= 17) equals the word-by-word weight distribution", "[codes]") {
  for (std::size_t n : {40u, 64u, 100u, 128u, 160u, 256u, 300u}) {
    red::Code c = red::random_linear(n, 18, 77 + n);
    const auto A = red::weight_distribution(c);  // word by word, every codeword
    for (int threads : {1, 2}) {
      red::EnumerationOptions o;
      o.threads = threads;
      auto r = red::min_distance(c, o);
      CAPTURE(n, threads);
      CHECK(r.distance == min_nonzero(A));
      CHECK(weight(red::codeword(c, r.witness_a)) == r.distance);
      // the witness is the first minimum-weight word in Gray order, whatever the threads
      std::uint64_t first = 0;
      for (std::uint64_t i = 1; i < (std::uint64_t{1} << 18); ++i)
        if (weight(red::codeword(c, i ^ (i >> 1))) == r.distance) { first = i ^ (i >> 1); break; }
      CHECK(r.witness_a == first);
    }
  }
  // A planted light word deep inside one chunk is found (the lanes' block minima trigger the re-walk).
  red::Code c = red::random_linear(128, 20, 5);
  const std::uint64_t u = 0xB5A3Du;  // a message far from the chunk starts
  auto x = red::codeword(c, u);
  const std::size_t i = static_cast<std::size_t>(__builtin_ctzll(u));  // make codeword(u) light: fix row i
  red::Code planted = c;
  for (std::size_t w = 0; w < x.size(); ++w) planted.generator.row(i)[w] ^= x[w] ^ (w == 0 ? 0x7u : 0u);
  REQUIRE(red::gf2_rank(planted.generator) == 20);
  CHECK(weight(red::codeword(planted, u)) == 3);
  auto r = red::min_distance(planted);
  CHECK(r.distance == min_nonzero(red::weight_distribution(planted)));
  CHECK(r.distance <= 3);
}

TEST_CASE("enumeration progress and enumerated claims", "[codes]") {
  red::Code c = red::random_linear(100, 20, 3);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  red::EnumerationOptions o;
  o.progress = [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); };
  auto r = red::min_distance(c, o);
  REQUIRE(!calls.empty());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    CHECK(calls[i].second == (std::uint64_t{1} << 20));
    if (i) CHECK(calls[i].first >= calls[i - 1].first);
  }
  CHECK(calls.back().first == calls.back().second);
  red::Code e = red::with_enumerated_distance(c);
  CHECK(e.claim.basis == red::DistanceBasis::enumeration);
  CHECK(e.claim.exact);
  CHECK(e.claim.distance == r.distance);
  CHECK(red::certify_distance(e).claim_holds);
  red::Code wrong = red::reed_muller(1, 4);
  wrong.claim.distance = 9;
  CHECK_THROWS_AS(red::with_enumerated_distance(wrong), std::logic_error);
  // non-linear: progress counts pairs
  calls.clear();
  red::Code g = red::greedy(30, 8, 200, red::GreedyOrder::random, 4);
  red::min_distance(g, o);
  REQUIRE(!calls.empty());
  CHECK(calls.back().first == calls.back().second);
  CHECK(calls.back().second == g.words.rows() * (g.words.rows() - 1) / 2);
}

TEST_CASE("random linear codes against a naive all-pairs computation", "[codes]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    for (auto nk : {std::pair<std::size_t, std::size_t>{20, 8}, {31, 10}, {70, 9}, {129, 7}}) {
      red::Code c = red::random_linear(nk.first, nk.second, seed);
      const auto keys = red::code_keys(c, static_cast<std::size_t>(c.size()));
      std::set<std::vector<std::uint64_t>> distinct;
      for (std::size_t i = 0; i < keys.rows(); ++i) distinct.insert({keys.row(i), keys.row(i) + keys.words()});
      CHECK(distinct.size() == keys.rows());  // full rank: 2^k distinct codewords
      CHECK(red::min_distance(c).distance == naive_pairs_min(keys));
    }
  }
  // The generators are versioned: the same seed gives the same code, another seed another.
  CHECK(red::random_linear(40, 10, 5).generator == red::random_linear(40, 10, 5).generator);
  CHECK_FALSE(red::random_linear(40, 10, 5).generator == red::random_linear(40, 10, 6).generator);
  // "signs" v1 rows: the first full-rank row is the first signs row of the seed.
  const red::Code r9 = red::random_linear(100, 3, 9);
  const core::SignMatrix s9 = core::SignMatrix::random(1, 100, 9);
  CHECK(std::equal(r9.generator.row(0), r9.generator.row(0) + 2, s9.row(0)));
}

TEST_CASE("greedy non-linear codes: pairwise distance, lexicodes, planted close pairs", "[codes]") {
  red::Code lex = red::greedy(7, 3, 1000, red::GreedyOrder::lexicographic);
  CHECK(lex.words.rows() == 16);  // the lexicode of length 7, distance 3 is the Hamming code
  CHECK(red::min_distance(lex).distance == 3);
  CHECK(red::greedy(8, 4, 1000, red::GreedyOrder::lexicographic).words.rows() == 16);
  CHECK(red::greedy(7, 3, 5, red::GreedyOrder::lexicographic).words.rows() == 5);  // capped
  for (std::uint64_t seed : {1u, 7u}) {
    red::Code g = red::greedy(40, 12, 300, red::GreedyOrder::random, seed);
    CHECK(g.words.rows() >= 2);
    auto cert = red::certify_distance(g);
    CHECK(cert.claim_holds);
    CHECK(cert.result.distance >= 12);
    CHECK(cert.result.distance == naive_pairs_min(g.words));
    CHECK(g.words.distance(cert.result.witness_a, cert.result.witness_b) == cert.result.distance);
    CHECK(red::distance_at_least(g, 12));
    // Planted: a word moved next to another must fail the construction's claim.
    red::Code bad = g;
    const std::size_t last = bad.words.rows() - 1;
    std::copy(bad.words.row(0), bad.words.row(0) + bad.words.words(), bad.words.row(last));
    bad.words.set(last, 3, -bad.words.entry(last, 3));
    auto wrong = red::certify_distance(bad);
    CHECK_FALSE(wrong.claim_holds);
    CHECK(wrong.result.distance == 1);
    CHECK(wrong.detail.find("contradicts") != std::string::npos);
    CHECK_FALSE(red::distance_at_least(bad, 12));
  }
  CHECK_THROWS_AS(red::greedy(25, 3, 10, red::GreedyOrder::lexicographic), red::ParameterError);
  CHECK_THROWS_AS(red::greedy(10, 11, 10, red::GreedyOrder::random), red::ParameterError);
  CHECK_THROWS_AS(red::greedy(10, 3, 1, red::GreedyOrder::random), red::ParameterError);
}

TEST_CASE("a claimed distance the enumeration contradicts fails", "[codes]") {
  red::Code rm = red::reed_muller(2, 4);  // [16,11,4]
  red::Code c = rm;
  c.claim.distance = 5;  // exact claim, wrong
  auto r = red::certify_distance(c);
  CHECK_FALSE(r.claim_holds);
  CHECK(r.result.distance == 4);
  c.claim.distance = 3;  // exact claim below the truth is also wrong
  CHECK_FALSE(red::certify_distance(c).claim_holds);
  c.claim.exact = false;  // ... but true as a lower bound
  CHECK(red::certify_distance(c).claim_holds);
  red::Code b = red::bch(4, 5);  // true distance 5
  b.claim.distance = 6;          // a lower bound that does not hold
  CHECK_FALSE(red::certify_distance(b).claim_holds);
  // A wrong generator: one row changed breaks RM's theorem.
  red::Code broken = rm;
  broken.generator.set(10, 0, -broken.generator.entry(10, 0));
  broken.generator.set(10, 1, -broken.generator.entry(10, 1));
  broken.generator.set(10, 2, -broken.generator.entry(10, 2));
  if (red::gf2_rank(broken.generator) == 11) CHECK_FALSE(red::certify_distance(broken).claim_holds);
  // distance >= D queries stop early and answer both ways.
  CHECK(red::distance_at_least(rm, 4));
  CHECK_FALSE(red::distance_at_least(rm, 5));
  red::EnumerationOptions o;
  o.chunk_log2 = 4;
  CHECK_FALSE(red::distance_at_least(red::bch(5, 7), 8, o));
  CHECK(red::distance_at_least(red::bch(5, 7), 7, o));
}

TEST_CASE("shorten, pad, extend and subcodes keep their distance claims", "[codes]") {
  red::Code rm = red::reed_muller(2, 5);  // [32,16,8]
  for (std::size_t s : {1u, 5u, 9u}) {
    red::Code sh = red::shorten(rm, s);
    CHECK(sh.length == 32 - s);
    // 2^dim = the number of RM(2,5) codewords that vanish on the last s coordinates
    const core::SignMatrix all = red::code_keys(rm, 1u << 16);
    std::size_t vanish = 0;
    for (std::size_t u = 0; u < all.rows(); ++u) {
      bool zero = true;
      for (std::size_t col = 32 - s; col < 32; ++col) zero = zero && !all.negative(u, col);
      vanish += zero;
    }
    CHECK(vanish == (std::size_t{1} << sh.dimension()));
    CHECK(sh.dimension() >= 16 - s);
    CHECK(red::certify_distance(sh).claim_holds);
    // Every shortened codeword, padded back with zeros, is a codeword of RM(2,5): ranks agree.
    core::SignMatrix both(rm.dimension() + sh.dimension(), 32);
    for (std::size_t i = 0; i < rm.dimension(); ++i)
      for (std::size_t col = 0; col < 32; ++col) both.set(i, col, rm.generator.entry(i, col));
    for (std::size_t i = 0; i < sh.dimension(); ++i)
      for (std::size_t col = 0; col < sh.length; ++col) both.set(rm.dimension() + i, col, sh.generator.entry(i, col));
    CHECK(red::gf2_rank(both) == rm.dimension());
  }
  red::Code p = red::pad(red::bch(4, 5), 3);
  CHECK(p.length == 18);
  CHECK(red::min_distance(p).distance == 5);
  red::Code h = red::extend_parity(red::bch(3, 3));  // extended Hamming [8,4,4]
  CHECK(h.claim.distance == 4);
  CHECK(red::weight_distribution(h) == std::vector<std::uint64_t>{1, 0, 0, 0, 14, 0, 0, 0, 1});
  red::Code sub = red::subcode(red::reed_muller(2, 4), 5);  // x_0..x_3 and 1: RM(1,4)
  CHECK(red::min_distance(sub).distance == 8);
  CHECK(red::certify_distance(sub).claim_holds);
  auto pre = red::prefix_weight_distributions(red::bch(4, 5), 7);
  REQUIRE(pre.size() == 8);
  for (std::size_t j = 1; j <= 7; ++j) CHECK(pre[j] == red::weight_distribution(red::subcode(red::bch(4, 5), j)));
  CHECK(pre[0][0] == 1);
  CHECK_THROWS_AS(red::shorten(rm, 32), red::ParameterError);
  CHECK_THROWS_AS(red::shorten(red::reed_muller(0, 3), 1), red::ParameterError);  // nothing left
  CHECK_THROWS_AS(red::subcode(rm, 17), red::ParameterError);
}

TEST_CASE("large RM and BCH codes are built only as far as the keys need", "[codes][keys]") {
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned r = 0; r <= m; ++r) {
      if (m <= 6) CHECK(red::rm_dimension(r, m) == red::reed_muller(r, m).dimension());
    }
  CHECK(red::rm_dimension(7, 15) == 16384);
  for (unsigned m = 2; m <= 7; ++m)
    for (std::size_t delta = 1; delta < (std::size_t{1} << m); delta += 2) CHECK(red::bch_dimension(m, delta) == red::bch(m, delta).dimension());
  red::Code part = red::bch(5, 7, 4);
  CHECK(part.dimension() == 4);
  CHECK(part.name == "sub(BCH(m=5,delta=7),4)");
  CHECK_FALSE(part.claim.exact);
  CHECK(part.generator == red::subcode(red::bch(5, 7), 4).generator);
  CHECK(red::reed_muller(2, 4, 5).generator == red::subcode(red::reed_muller(2, 4), 5).generator);
  CHECK(red::reed_muller(2, 4, 99).dimension() == 11);
  // code:bch:16:3 is [65535, 65519]: a full generator would take 512 MiB; the keys need 12 rows.
  std::string note;
  auto keys = red::make_keys(red::parse_key_source("code:bch:16:3", 1), 0, 0, &note);
  CHECK(keys.rows() == 4095);
  CHECK(keys.cols() == 65535);
  CHECK(note.find("[65535,65519] code") != std::string::npos);
  auto rm = red::make_keys(red::parse_key_source("code:rm:7:15", 1), 100, 0);
  CHECK(rm.rows() == 100);
  CHECK(rm == red::code_keys(red::reed_muller(7, 15, 7), 100));
}

TEST_CASE("enumeration refuses k > 32 and non-linear codes beyond its range", "[codes]") {
  red::Code big = red::reed_muller(2, 6);  // k = 22: fine
  CHECK(big.dimension() == 22);
  red::Code huge = red::bch(6, 3);  // [63,57,3]
  try {
    red::min_distance(huge);
    FAIL("k = 57 enumerated");
  } catch (const red::ParameterError& e) {
    CHECK(e.parameter == "k");
    CHECK(std::string(e.what()).find("> 32") != std::string::npos);
  }
  CHECK_THROWS_AS(red::weight_distribution(huge), red::ParameterError);
  // A rank-deficient generator or a repeated word is not a code of the stated size.
  red::Code deficient = red::reed_muller(1, 3);
  std::copy(deficient.generator.row(0), deficient.generator.row(0) + 1, deficient.generator.row(2));
  CHECK_THROWS_AS(red::min_distance(deficient), red::ParameterError);
  CHECK_FALSE(red::distance_at_least(deficient, 1));
  red::Code twice = red::greedy(12, 4, 20, red::GreedyOrder::lexicographic);
  std::copy(twice.words.row(1), twice.words.row(1) + 1, twice.words.row(5));
  CHECK_THROWS_AS(red::min_distance(twice), red::ParameterError);
  CHECK_FALSE(red::distance_at_least(twice, 1));
  CHECK(red::distance_at_least(twice, 0));
}

TEST_CASE("code key specs: spelling, ranges, keys and T1 setup", "[codes][keys]") {
  auto spec_error = [](const std::string& text, const std::string& needle) {
    try {
      red::parse_key_source(text, 1);
      FAIL("accepted " << text);
    } catch (const red::ParameterError& e) {
      INFO(text << " -> " << e.what());
      CHECK(e.parameter == "keys");
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  spec_error("code:golay:23", "unknown code 'golay'");
  spec_error("code:rm:5:4", "R <= M");
  spec_error("code:rm:1:16", "M <= 15");
  spec_error("code:rm:1", "expected code:rm:R:M");
  spec_error("code:bch:5:32", "DELTA must lie in [1, 2^M - 1 = 31]");
  spec_error("code:bch:5:0", "DELTA");
  spec_error("code:bch:1:1", "2 <= M <= 16");
  spec_error("code:random:64:40", "K = 40 > 32");
  spec_error("code:random:10:11", "dimension K");
  spec_error("code:random:10:-1", "non-negative integer");
  spec_error("code:greedy:10:11:5", "distance D");
  spec_error("code:greedy:10:3:1", "MAX words");
  spec_error("code:lexicode:25:3:5", "LEN must lie in [1, 24]");
  spec_error("code:greedy:65535:3:65536", "exceeds 2^28");
  spec_error("code:", "code:rm:R:M");
  spec_error("codes", "not random, hadamard, file:PATH or code:");
  for (const char* text : {"code:rm:2:4", "code:bch:5:7", "code:random:64:20", "code:greedy:40:12:100", "code:lexicode:7:3:16"})
    CHECK(red::parse_key_source(text, 3).code.text() == text);
  CHECK(red::parse_key_source("code:random:64:20", 3).describe() == "code:random:64:20(seed=3)");
  CHECK(red::parse_key_source("code:bch:5:7", 3).describe() == "code:bch:5:7");

  auto src = red::parse_key_source("code:bch:5:7", 1);
  core::SignMatrix k = red::make_keys(src, 0, 0);  // default N = min(|code|, 4095)
  CHECK(k.rows() == 4095);
  CHECK(k.cols() == 31);
  for (std::size_t i = 0; i < 2 * k.cols(); ++i) CHECK(k.entry(0, i % 31) == 1);  // message 0: the zero word
  red::Code bch = red::bch(5, 7);
  CHECK(k.distance(1, 2) >= 7);
  CHECK(red::make_keys(src, 16, 31) == red::code_keys(bch, 16));
  CHECK_THROWS_AS(red::make_keys(src, 16, 32), red::ParameterError);
  CHECK(red::make_keys(red::parse_key_source("code:rm:1:3", 1), 0, 0).rows() == 16);
  try {
    red::make_keys(red::parse_key_source("code:rm:1:3", 1), 17, 8);
    FAIL("took 17 of 16 codewords");
  } catch (const red::ParameterError& e) {
    CHECK(e.parameter == "n");
  }
  // Seeded codes follow --seed.
  CHECK(red::make_keys(red::parse_key_source("code:random:40:8", 1), 0, 0) ==
        red::code_keys(red::random_linear(40, 8, 1), 256));
  CHECK_FALSE(red::make_keys(red::parse_key_source("code:greedy:40:12:50", 1), 0, 0) ==
              red::make_keys(red::parse_key_source("code:greedy:40:12:50", 2), 0, 0));

  red::T1Request r;
  r.keys = src;
  auto s = red::resolve_t1(r);
  CHECK(s.keys.rows() == 4095);
  CHECK(s.keys.cols() == 31);
  r.n = 101;
  CHECK(red::resolve_t1(r).keys.rows() == 100);
  r.d = 64;
  CHECK_THROWS_AS(red::resolve_t1(r), red::ParameterError);
}

TEST_CASE("T1 with code keys: certified, explicit or Hadamard certificates, the checker accepts", "[codes][t1][checker]") {
  verifiers::CommonOptions o;
  o.quiet = true;
  using checker::Verdict;
  auto check = [](const nlohmann::json& c) { return checker::check_certificate_text(c.dump()); };
  {
    verifiers::T1Options t;
    t.request.keys = red::parse_key_source("code:bch:5:7", o.seed);
    t.request.n = 513;
    t.decode_rows = 4;
    auto out = verifiers::verify_t1(t, o);
    REQUIRE(out.status == verifiers::certified);
    CHECK(out.certificate["instance"]["keys"] == "explicit");
    CHECK(out.certificate["instance"]["rows"].size() == 512);
    CHECK(out.certificate["parameters"]["d"] == "31");
    CHECK(out.certificate["statistics"]["max_inner"].get<long>() <= 31 - 2 * 7);  // the BCH bound
    CHECK(check(out.certificate).verdict == Verdict::accepted);
    auto bad = out.certificate;
    std::string row = bad["instance"]["rows"][5];
    row[0] = row[0] == '+' ? '-' : '+';
    bad["instance"]["rows"][5] = row;
    CHECK(check(bad).verdict != Verdict::accepted);
  }
  {
    verifiers::T1Options t;
    t.request.keys = red::parse_key_source("code:rm:1:5", o.seed);
    t.decode_rows = 4;
    auto out = verifiers::verify_t1(t, o);
    REQUIRE(out.status == verifiers::certified);
    CHECK(out.certificate["instance"]["keys"] == "hadamard");
    CHECK(out.certificate["parameters"]["N"] == "64");
    CHECK(check(out.certificate).verdict == Verdict::accepted);
    t.request.n = 21;  // the first 20 rows: RM(1,5) built only to 5 rows, still the Hadamard order
    out = verifiers::verify_t1(t, o);
    REQUIRE(out.status == verifiers::certified);
    CHECK(out.certificate["instance"]["keys"] == "hadamard");
    CHECK(check(out.certificate).verdict == Verdict::accepted);
  }
  {
    verifiers::T1Options t;
    t.request.keys = red::parse_key_source("code:greedy:48:14:200", o.seed);
    t.decode_rows = 4;
    auto out = verifiers::verify_t1(t, o);
    REQUIRE(out.status == verifiers::certified);
    CHECK(out.certificate["instance"]["keys"] == "explicit");
    CHECK(check(out.certificate).verdict == Verdict::accepted);
  }
}
