// Intervals [lo, hi] whose endpoints are exact binary floating-point numbers (dyadic rationals)
// held by MPFR. Every operation rounds lo down and hi up, and MPFR's functions are correctly
// rounded, so the result provably contains the exact real value for every point of the inputs.
#pragma once
#include <mpfr.h>

#include <string>

#include "attncert/core/rational.hpp"

namespace attncert::core {

// Answer of a comparison between intervals: decided either way, or undecided (they overlap).
enum class Tribool { no, yes, undecided };
const char* to_string(Tribool t);

class Interval {
 public:
  explicit Interval(mpfr_prec_t prec = 128);  // the point 0
  Interval(const Interval& o);
  Interval(Interval&& o) noexcept;
  Interval& operator=(const Interval& o);
  Interval& operator=(Interval&& o) noexcept;
  ~Interval();

  // Tightest enclosure of an exact rational at precision `prec` (exact if it is dyadic and fits).
  static Interval from_rational(const Rational& r, mpfr_prec_t prec);
  static Interval from_long(long v, mpfr_prec_t prec);
  // [lo, hi] from exact rationals (lo rounded down, hi rounded up). Throws if lo > hi.
  static Interval hull(const Rational& lo, const Rational& hi, mpfr_prec_t prec);

  mpfr_prec_t precision() const { return prec_; }
  mpfr_srcptr lo() const { return lo_; }
  mpfr_srcptr hi() const { return hi_; }
  Rational lo_q() const;  // exact endpoints
  Rational hi_q() const;
  // hi - lo, rounded up, as a double (for reports and precision control only; never decides).
  double width_estimate() const;
  // log2 of the width relative to max(|lo|,|hi|), rounded up; -inf when the width is 0.
  double relative_width_log2() const;

  bool contains(const Rational& x) const;
  bool contains(mpfr_srcptr x) const;
  bool is_point() const;

  friend Interval operator+(const Interval& a, const Interval& b);
  friend Interval operator-(const Interval& a, const Interval& b);
  friend Interval operator*(const Interval& a, const Interval& b);
  friend Interval operator/(const Interval& a, const Interval& b);  // throws if 0 ∈ b
  friend Interval operator-(const Interval& a);

  // a < b is yes if every point of a is below every point of b, no if no point is, else undecided.
  friend Tribool less(const Interval& a, const Interval& b);
  friend Tribool less_equal(const Interval& a, const Interval& b);

  std::string str(int digits = 12) const;  // decimal rendering for humans (not exact)

 private:
  mpfr_prec_t prec_;
  mpfr_t lo_, hi_;
  friend Interval exp(const Interval&);
  friend Interval expm1(const Interval&);
  friend Interval log(const Interval&);
  friend Interval log2(const Interval&);
  friend Interval sqrt(const Interval&);
  friend Interval min(const Interval&, const Interval&);
  friend Interval max(const Interval&, const Interval&);
  friend Interval intersect(const Interval&, const Interval&);
};

Tribool less(const Interval& a, const Interval& b);
Tribool less_equal(const Interval& a, const Interval& b);
Interval exp(const Interval& x);
Interval expm1(const Interval& x);
Interval log(const Interval& x);   // throws std::domain_error unless lo > 0
Interval log2(const Interval& x);  // throws std::domain_error unless lo > 0
Interval sqrt(const Interval& x);  // throws std::domain_error unless lo >= 0
Interval min(const Interval& a, const Interval& b);
Interval max(const Interval& a, const Interval& b);
// The common part of a and b (both contain the true value); throws std::domain_error if disjoint.
Interval intersect(const Interval& a, const Interval& b);
// Outward rounding of a rational to a dyadic k / 2^bits (floor / ceil).
Rational round_down(const Rational& x, unsigned bits);
Rational round_up(const Rational& x, unsigned bits);

// Exact rational value of an MPFR number (which must be finite).
Rational to_rational(mpfr_srcptr x);

}  // namespace attncert::core
