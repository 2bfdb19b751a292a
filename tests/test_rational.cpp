#include <catch2/catch.hpp>
#include <stdexcept>

#include "attncert/core/rational.hpp"

using namespace attncert::core;

TEST_CASE("parse_rational reads decimals, fractions and exponents exactly", "[core][rational]") {
  CHECK(parse_rational("0.1") == Rational(1, 10));
  CHECK(parse_rational("1/10") == Rational(1, 10));
  CHECK(parse_rational("-7/14") == Rational(-1, 2));
  CHECK(parse_rational("2.5e2") == Rational(250));
  CHECK(parse_rational("1e-3") == Rational(1, 1000));
  CHECK(parse_rational(" 42 ") == Rational(42));
  CHECK(parse_rational(".5") == Rational(1, 2));
  // leading zeros are decimal, never octal
  CHECK(parse_rational("0.25") == Rational(1, 4));
  CHECK(parse_rational("0.9") == Rational(9, 10));
  CHECK(parse_rational("0.09") == Rational(9, 100));
  CHECK(parse_rational("010/3") == Rational(10, 3));
  CHECK(parse_rational("7/08") == Rational(7, 8));
  CHECK(parse_rational("0008") == Rational(8));
  for (const char* bad : {"", "abc", "1/0", "1/-2", "1..2", "0x10", "1e", "--1", "1/2/3", "nan", "inf"})
    CHECK_THROWS_AS(parse_rational(bad), std::invalid_argument);
  CHECK(parse_rational(to_string(Rational(-22, 7))) == Rational(-22, 7));
}

TEST_CASE("floor, ceil and pow2 are exact", "[core][rational]") {
  CHECK(floor(Rational(7, 2)) == 3);
  CHECK(floor(Rational(-7, 2)) == -4);
  CHECK(ceil(Rational(7, 2)) == 4);
  CHECK(ceil(Rational(-7, 2)) == -3);
  CHECK(ceil(Rational(4)) == 4);
  CHECK(pow2(-3) == Rational(1, 8));
  CHECK(pow2(10) == Rational(1024));
}
