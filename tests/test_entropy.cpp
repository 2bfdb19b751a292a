#include <catch2/catch.hpp>

#include "attncert/core/entropy.hpp"

using namespace attncert::core;

TEST_CASE("H2 enclosures: exact points, containment, symmetry, monotonicity", "[core][entropy]") {
  CHECK(h2(Rational(0), 64).is_point());
  CHECK(h2(Rational(1, 2), 64).lo_q() == 1);
  CHECK(h2(Rational(1, 2), 64).hi_q() == 1);
  // H2(1/10) = 0.468995593589281168...: reference digits from a 1000-bit MPFR evaluation.
  mpfr_t ref;
  mpfr_init2(ref, 1000);
  mpfr_set_str(ref, "0.46899559358928122", 10, MPFR_RNDN);
  Interval h = h2(Rational(1, 10), 200);
  CHECK(h.lo_q() < Rational(4689955935892813, 10000000000000000));
  CHECK(h.hi_q() > Rational(4689955935892811, 10000000000000000));
  mpfr_clear(ref);
  for (int k = 1; k < 50; ++k) {
    Rational p(k, 100);
    Interval a = h2(p, 128), b = h2(1 - p, 128);
    CHECK(less(a, b) != Tribool::yes);
    CHECK(less(b, a) != Tribool::yes);
    CHECK(less(a, h2(Rational(k + 1, 100), 128)) == Tribool::yes);
  }
  CHECK_THROWS_AS(h2(Rational(3, 2), 64), std::domain_error);
}

TEST_CASE("INDEX bound N(1 - H2(p)) is a certified, tight lower bound", "[core][entropy]") {
  IndexBound b = index_bound(Integer(100000), Rational(1, 10));
  // 100000 (1 - 0.468995593589...) = 53100.44064107...
  CHECK(b.bits <= Rational(5310044064108, 100000000));
  CHECK(b.bits >= Rational(5310044064106, 100000000));
  CHECK(b.bits_ceil == 53101);
  CHECK(index_bound(Integer(77), Rational(0)).bits == 77);
  CHECK(index_bound(Integer(77), Rational(1, 2)).bits == 0);
  CHECK_THROWS_AS(index_bound(Integer(10), Rational(6, 10)), std::domain_error);
  CHECK_THROWS_AS(index_bound(Integer(0), Rational(1, 10)), std::domain_error);
}
