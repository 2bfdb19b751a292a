#include <catch2/catch.hpp>
#include <random>

#include "attncert/core/interval.hpp"

using namespace attncert::core;

namespace {
// A 1000-bit reference enclosure [lo, hi] of f(x) computed directly with MPFR.
struct Ref {
  mpfr_t lo, hi;
  Ref() { mpfr_inits2(1000, lo, hi, static_cast<mpfr_ptr>(nullptr)); }
  ~Ref() { mpfr_clears(lo, hi, static_cast<mpfr_ptr>(nullptr)); }
};

bool encloses(const Interval& I, const Ref& r) { return I.contains(r.lo) && I.contains(r.hi); }

Rational random_rational(std::mt19937_64& g, long range) {
  std::uniform_int_distribution<long> num(-range * 1000, range * 1000), den(1, 1000);
  return Rational(num(g), den(g));
}
}  // namespace

TEST_CASE("interval operations contain a 1000-bit MPFR value at random points", "[core][interval]") {
  std::mt19937_64 g(20261123);
  const mpfr_prec_t precs[] = {24, 53, 100, 300};
  for (int it = 0; it < 300; ++it) {
    mpfr_prec_t prec = precs[it % 4];
    Rational a = random_rational(g, 50), b = random_rational(g, 50);
    if (b == 0) b = 1;
    Interval A = Interval::from_rational(a, prec), B = Interval::from_rational(b, prec);
    REQUIRE(A.contains(a));
    Ref r;
    auto binop = [&](auto mpfr_fn, const Interval& I) {
      mpfr_t x, y;
      mpfr_inits2(2000, x, y, static_cast<mpfr_ptr>(nullptr));
      mpfr_set_q(x, a.backend().data(), MPFR_RNDN);  // exact: 2000 bits hold these rationals? no:
      mpfr_set_q(y, b.backend().data(), MPFR_RNDN);  // so the reference itself is an enclosure
      mpfr_fn(r.lo, x, y, MPFR_RNDD);
      mpfr_fn(r.hi, x, y, MPFR_RNDU);
      mpfr_clears(x, y, static_cast<mpfr_ptr>(nullptr));
      // The 2000-bit inputs differ from a, b by < 2^-1990 relative: far inside any width tested.
      CHECK(encloses(I, r));
    };
    binop(mpfr_add, A + B);
    binop(mpfr_sub, A - B);
    binop(mpfr_mul, A * B);
    binop(mpfr_div, A / B);
    // exp and log of the exact rational a
    mpfr_t x;
    mpfr_init2(x, 2000);
    mpfr_set_q(x, a.backend().data(), MPFR_RNDN);
    mpfr_exp(r.lo, x, MPFR_RNDD);
    mpfr_exp(r.hi, x, MPFR_RNDU);
    CHECK(encloses(exp(A), r));
    mpfr_abs(x, x, MPFR_RNDN);
    if (a != 0) {
      Interval absA = Interval::from_rational(a < 0 ? Rational(-a) : a, prec);
      mpfr_log(r.lo, x, MPFR_RNDD);
      mpfr_log(r.hi, x, MPFR_RNDU);
      CHECK(encloses(log(absA), r));
      mpfr_log2(r.lo, x, MPFR_RNDD);
      mpfr_log2(r.hi, x, MPFR_RNDU);
      CHECK(encloses(log2(absA), r));
    }
    mpfr_clear(x);
  }
}

TEST_CASE("functional identities: exp(a)exp(b) meets exp(a+b), log(ab) meets log a + log b", "[core][interval]") {
  std::mt19937_64 g(7);
  for (int it = 0; it < 200; ++it) {
    mpfr_prec_t prec = 24 + static_cast<mpfr_prec_t>(g() % 400);
    Interval a = Interval::from_rational(random_rational(g, 30), prec);
    Interval b = Interval::from_rational(random_rational(g, 30), prec);
    Interval lhs = exp(a) * exp(b), rhs = exp(a + b);
    CHECK(less(lhs, rhs) != Tribool::yes);
    CHECK(less(rhs, lhs) != Tribool::yes);
    Interval pa = exp(a), pb = exp(b);  // positive
    Interval l1 = log(pa * pb), l2 = log(pa) + log(pb);
    CHECK(less(l1, l2) != Tribool::yes);
    CHECK(less(l2, l1) != Tribool::yes);
    // aliasing: x op x
    Interval d = a - a;
    CHECK(d.contains(Rational(0)));
    Interval q = pa / pa;
    CHECK(q.contains(Rational(1)));
  }
}

TEST_CASE("interval comparisons answer yes, no or undecided", "[core][interval]") {
  Interval one = Interval::from_long(1, 64), two = Interval::from_long(2, 64);
  Interval wide = Interval::hull(Rational(1, 2), Rational(5, 2), 64);
  CHECK(less(one, two) == Tribool::yes);
  CHECK(less(two, one) == Tribool::no);
  CHECK(less(one, wide) == Tribool::undecided);
  CHECK(less_equal(one, one) == Tribool::yes);
  CHECK(less(one, one) == Tribool::no);
  CHECK_THROWS_AS(one / Interval::hull(-1, 1, 64), std::domain_error);
  CHECK_THROWS_AS(log(Interval::hull(0, 1, 64)), std::domain_error);
  CHECK_THROWS_AS(intersect(one, two), std::domain_error);
  CHECK(intersect(wide, one).is_point());
}

TEST_CASE("endpoints are exact dyadic rationals and widths shrink with precision", "[core][interval]") {
  Rational third(1, 3);
  Interval lo = Interval::from_rational(third, 32), hi = Interval::from_rational(third, 256);
  CHECK(lo.lo_q() < third);
  CHECK(lo.hi_q() > third);
  CHECK(hi.hi_q() - hi.lo_q() < lo.hi_q() - lo.lo_q());
  CHECK(Interval::from_rational(Rational(3, 8), 8).is_point());
  CHECK(round_down(third, 10) <= third);
  CHECK(round_up(third, 10) >= third);
  CHECK(round_up(third, 10) - round_down(third, 10) == pow2(-10));
  Interval e = exp(Interval::from_long(1, 200));
  CHECK(e.relative_width_log2() < -190);
}
