#include <catch2/catch.hpp>
#include <random>

#include "attncert/core/rng.hpp"
#include "attncert/core/sign_matrix.hpp"

using namespace attncert::core;

TEST_CASE("splitmix64 and xoshiro256ss reproduce their golden values", "[core][rng]") {
  std::uint64_t x = 0;
  CHECK(splitmix64(x) == 0xE220A8397B1DCDAFull);  // the published first SplitMix64 output for seed 0
  Xoshiro256ss r(42);
  // Golden values of this generator version (v1): if these change, the version must change too.
  const std::uint64_t first[3] = {r.next(), r.next(), r.next()};
  Xoshiro256ss again(42);
  for (auto v : first) CHECK(again.next() == v);
  CHECK(first[0] == 0x15780B2E0C2EC716ull);  // cross-checked with an independent Python port
  CHECK(first[1] == 0x6104D9866D113A7Eull);
  for (int i = 0; i < 1000; ++i) CHECK(r.below(7) < 7);
}

TEST_CASE("random sign matrices are reproducible from the seed and padding stays zero", "[core][rng]") {
  SignMatrix a = SignMatrix::random(37, 100, 5), b = SignMatrix::random(37, 100, 5), c = SignMatrix::random(37, 100, 6);
  CHECK(a == b);
  CHECK_FALSE(a == c);
  for (std::size_t i = 0; i < a.rows(); ++i) CHECK((a.row(i)[1] >> 36) == 0);
  // Golden: signs v1 with seed 5, first row's first 8 entries (regression guard for the format).
  std::string first;
  for (int c0 = 0; c0 < 8; ++c0) first += a.entry(0, c0) > 0 ? '+' : '-';
  CHECK(first == "-++-+--+");
}

TEST_CASE("Gram histogram equals the naive definition on random sizes", "[core][gram]") {
  std::mt19937_64 g(99);
  for (int it = 0; it < 25; ++it) {
    std::size_t n = 2 + g() % 300, d = 1 + g() % 300;
    if (it == 0) d = 64;
    if (it == 1) d = 128;
    if (it == 2) d = 65;
    SignMatrix s = SignMatrix::random(n, d, g());
    GramOptions opt;
    opt.block = 1 + g() % 64;  // many tiles, odd and even block counts
    opt.threads = 1 + static_cast<int>(g() % 2);
    INFO("n=" << n << " d=" << d << " block=" << opt.block);
    GramHistogram fast = gram_histogram(s, opt), naive = gram_histogram_naive(s);
    REQUIRE(fast == naive);
    long m = -static_cast<long>(d);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (i != j) m = std::max(m, s.inner(i, j));
    CHECK(fast.max_inner() == m);
  }
}

TEST_CASE("Gram histogram of a matrix with identical and opposite rows", "[core][gram]") {
  SignMatrix s(3, 10);
  for (std::size_t c = 0; c < 10; ++c) {
    s.set(0, c, 1);
    s.set(1, c, 1);
    s.set(2, c, -1);
  }
  GramHistogram h = gram_histogram(s);
  CHECK(h.max_inner() == 10);
  CHECK(h.count(0, 0) == 1);   // row 1 equal to row 0
  CHECK(h.count(0, 10) == 1);  // row 2 opposite
  CHECK(h.max_inner_row(2) == -10);
  CHECK_THROWS_AS(s.set(0, 0, 0), std::invalid_argument);
}
