#include <catch2/catch.hpp>

#include "attncert/core/attention_ref.hpp"

using namespace attncert::core;

TEST_CASE("certified attention reference meets the requested width and contains exact cases", "[core][attention]") {
  // Equal scores: the output is the exact mean of the values.
  RationalVector q = {Rational(0), Rational(0)};
  RationalMatrix K = {{1, 2}, {3, 4}, {5, 6}};
  RationalMatrix V = {{1, 0}, {2, 1}, {Rational(1, 3), 5}};
  auto r = attention_reference(q, K, V, pow2(-100));
  REQUIRE(r.out.size() == 2);
  CHECK(r.out[0].contains(Rational(10, 9)));
  CHECK(r.out[1].contains(Rational(2)));
  for (const auto& x : r.out) CHECK(x.hi_q() - x.lo_q() <= pow2(-100));
  // Two tokens, scores 0 and log-free check: weights e^1/(1+e^1) on v=1, else 0 -> sigmoid(1).
  RationalVector q1 = {Rational(1)};
  RationalMatrix K1 = {{0}, {1}}, V1 = {{0}, {1}};
  auto s = attention_reference(q1, K1, V1, pow2(-60));
  // sigmoid(1) = 0.7310585786300048792511592...
  CHECK(s.out[0].lo_q() > Rational(7310585786300048, 10000000000000000));
  CHECK(s.out[0].hi_q() < Rational(7310585786300049, 10000000000000000));
  // Huge logits do not overflow: the max score is subtracted exactly.
  RationalVector q2 = {Rational(100000)};
  auto t = attention_reference(q2, K1, V1, pow2(-60));
  CHECK(t.out[0].hi_q() <= 1);
  CHECK(t.out[0].lo_q() > 1 - pow2(-60));
  CHECK_THROWS_AS(attention_reference(q, {}, {}, pow2(-10)), std::invalid_argument);
  CHECK_THROWS_AS(attention_reference(q1, K, V, pow2(-10)), std::invalid_argument);
}
