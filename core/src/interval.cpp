#include "attncert/core/interval.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace attncert::core {

const char* to_string(Tribool t) {
  switch (t) {
    case Tribool::no: return "no";
    case Tribool::yes: return "yes";
    default: return "undecided";
  }
}

Interval::Interval(mpfr_prec_t prec) : prec_(prec) {
  mpfr_init2(lo_, prec_);
  mpfr_init2(hi_, prec_);
  mpfr_set_zero(lo_, 1);
  mpfr_set_zero(hi_, 1);
}

Interval::Interval(const Interval& o) : prec_(o.prec_) {
  mpfr_init2(lo_, prec_);
  mpfr_init2(hi_, prec_);
  mpfr_set(lo_, o.lo_, MPFR_RNDD);
  mpfr_set(hi_, o.hi_, MPFR_RNDU);
}

Interval::Interval(Interval&& o) noexcept : Interval(o.prec_) {
  mpfr_swap(lo_, o.lo_);
  mpfr_swap(hi_, o.hi_);
}

Interval& Interval::operator=(const Interval& o) {
  if (this != &o) {
    Interval tmp(o);
    *this = std::move(tmp);
  }
  return *this;
}

Interval& Interval::operator=(Interval&& o) noexcept {
  std::swap(prec_, o.prec_);
  mpfr_swap(lo_, o.lo_);
  mpfr_swap(hi_, o.hi_);
  return *this;
}

Interval::~Interval() {
  mpfr_clear(lo_);
  mpfr_clear(hi_);
}

Interval Interval::from_rational(const Rational& r, mpfr_prec_t prec) {
  Interval x(prec);
  mpfr_set_q(x.lo_, r.backend().data(), MPFR_RNDD);
  mpfr_set_q(x.hi_, r.backend().data(), MPFR_RNDU);
  return x;
}

Interval Interval::from_long(long v, mpfr_prec_t prec) {
  Interval x(prec);
  mpfr_set_si(x.lo_, v, MPFR_RNDD);
  mpfr_set_si(x.hi_, v, MPFR_RNDU);
  return x;
}

Interval Interval::hull(const Rational& lo, const Rational& hi, mpfr_prec_t prec) {
  if (lo > hi) throw std::invalid_argument("Interval::hull: lo > hi");
  Interval x(prec);
  mpfr_set_q(x.lo_, lo.backend().data(), MPFR_RNDD);
  mpfr_set_q(x.hi_, hi.backend().data(), MPFR_RNDU);
  return x;
}

Rational to_rational(mpfr_srcptr x) {
  if (!mpfr_number_p(x)) throw std::domain_error("to_rational: not a finite number");
  if (mpfr_zero_p(x)) return Rational(0);
  Integer m;
  mpfr_exp_t e = mpfr_get_z_2exp(m.backend().data(), x);
  Rational r(m);
  return r * pow2(static_cast<long>(e));
}

Rational Interval::lo_q() const { return to_rational(lo_); }
Rational Interval::hi_q() const { return to_rational(hi_); }

double Interval::width_estimate() const {
  mpfr_t w;
  mpfr_init2(w, 64);
  mpfr_sub(w, hi_, lo_, MPFR_RNDU);
  double d = mpfr_get_d(w, MPFR_RNDU);
  mpfr_clear(w);
  return d;
}

double Interval::relative_width_log2() const {
  if (mpfr_equal_p(lo_, hi_)) return -std::numeric_limits<double>::infinity();
  mpfr_t w, m;
  mpfr_init2(w, 64);
  mpfr_init2(m, 64);
  mpfr_sub(w, hi_, lo_, MPFR_RNDU);
  mpfr_abs(m, lo_, MPFR_RNDD);
  mpfr_t a;
  mpfr_init2(a, 64);
  mpfr_abs(a, hi_, MPFR_RNDD);
  mpfr_max(m, m, a, MPFR_RNDD);
  double r;
  if (mpfr_zero_p(m)) {
    r = std::numeric_limits<double>::infinity();
  } else {
    mpfr_div(w, w, m, MPFR_RNDU);
    mpfr_log2(w, w, MPFR_RNDU);
    r = mpfr_get_d(w, MPFR_RNDU);
  }
  mpfr_clears(w, m, a, static_cast<mpfr_ptr>(nullptr));
  return r;
}

bool Interval::contains(mpfr_srcptr x) const {
  return mpfr_lessequal_p(lo_, x) && mpfr_lessequal_p(x, hi_);
}

bool Interval::contains(const Rational& x) const {
  return mpfr_cmp_q(lo_, x.backend().data()) <= 0 && mpfr_cmp_q(hi_, x.backend().data()) >= 0;
}

bool Interval::is_point() const { return mpfr_equal_p(lo_, hi_); }

static mpfr_prec_t join(const Interval& a, const Interval& b) {
  return std::max(a.precision(), b.precision());
}

Interval operator+(const Interval& a, const Interval& b) {
  Interval r(join(a, b));
  mpfr_add(r.lo_, a.lo_, b.lo_, MPFR_RNDD);
  mpfr_add(r.hi_, a.hi_, b.hi_, MPFR_RNDU);
  return r;
}

Interval operator-(const Interval& a, const Interval& b) {
  Interval r(join(a, b));
  mpfr_sub(r.lo_, a.lo_, b.hi_, MPFR_RNDD);
  mpfr_sub(r.hi_, a.hi_, b.lo_, MPFR_RNDU);
  return r;
}

Interval operator-(const Interval& a) {
  Interval r(a.prec_);
  mpfr_neg(r.lo_, a.hi_, MPFR_RNDD);
  mpfr_neg(r.hi_, a.lo_, MPFR_RNDU);
  return r;
}

// Hull of op(x, y) over the four endpoint pairs, each rounded outward (for * and /).
template <class Op>
static void corner_hull(Interval& r, mpfr_ptr rlo, mpfr_ptr rhi, mpfr_srcptr alo, mpfr_srcptr ahi,
                        mpfr_srcptr blo, mpfr_srcptr bhi, Op op) {
  mpfr_t t;
  mpfr_init2(t, r.precision());
  mpfr_srcptr as[2] = {alo, ahi};
  mpfr_srcptr bs[2] = {blo, bhi};
  bool first = true;
  for (auto x : as)
    for (auto y : bs) {
      op(t, x, y, MPFR_RNDD);
      if (first || mpfr_less_p(t, rlo)) mpfr_set(rlo, t, MPFR_RNDD);
      op(t, x, y, MPFR_RNDU);
      if (first || mpfr_greater_p(t, rhi)) mpfr_set(rhi, t, MPFR_RNDU);
      first = false;
    }
  mpfr_clear(t);
}

Interval operator*(const Interval& a, const Interval& b) {
  Interval r(join(a, b));
  corner_hull(r, r.lo_, r.hi_, a.lo_, a.hi_, b.lo_, b.hi_, mpfr_mul);
  return r;
}

Interval operator/(const Interval& a, const Interval& b) {
  if (mpfr_sgn(b.lo_) <= 0 && mpfr_sgn(b.hi_) >= 0)
    throw std::domain_error("interval division by an interval containing 0");
  Interval r(join(a, b));
  corner_hull(r, r.lo_, r.hi_, a.lo_, a.hi_, b.lo_, b.hi_, mpfr_div);
  return r;
}

Tribool less(const Interval& a, const Interval& b) {
  if (mpfr_less_p(a.hi_, b.lo_)) return Tribool::yes;
  if (mpfr_greaterequal_p(a.lo_, b.hi_)) return Tribool::no;
  return Tribool::undecided;
}

Tribool less_equal(const Interval& a, const Interval& b) {
  if (mpfr_lessequal_p(a.hi_, b.lo_)) return Tribool::yes;
  if (mpfr_greater_p(a.lo_, b.hi_)) return Tribool::no;
  return Tribool::undecided;
}

// Monotone increasing functions: apply to each endpoint with the matching rounding.
#define ATTNCERT_MONOTONE(NAME, MPFR_FN, DOMAIN_CHECK)                 \
  Interval NAME(const Interval& x) {                                   \
    DOMAIN_CHECK;                                                      \
    Interval r(x.prec_);                                               \
    MPFR_FN(r.lo_, x.lo_, MPFR_RNDD);                                  \
    MPFR_FN(r.hi_, x.hi_, MPFR_RNDU);                                  \
    return r;                                                          \
  }

ATTNCERT_MONOTONE(exp, mpfr_exp, (void)0)
ATTNCERT_MONOTONE(expm1, mpfr_expm1, (void)0)
ATTNCERT_MONOTONE(log, mpfr_log,
                  if (mpfr_sgn(x.lo_) <= 0) throw std::domain_error("log of an interval reaching <= 0"))
ATTNCERT_MONOTONE(log2, mpfr_log2,
                  if (mpfr_sgn(x.lo_) <= 0) throw std::domain_error("log2 of an interval reaching <= 0"))
ATTNCERT_MONOTONE(sqrt, mpfr_sqrt,
                  if (mpfr_sgn(x.lo_) < 0) throw std::domain_error("sqrt of an interval reaching < 0"))
#undef ATTNCERT_MONOTONE

Interval min(const Interval& a, const Interval& b) {
  Interval r(join(a, b));
  mpfr_min(r.lo_, a.lo_, b.lo_, MPFR_RNDD);
  mpfr_min(r.hi_, a.hi_, b.hi_, MPFR_RNDU);
  return r;
}

Interval max(const Interval& a, const Interval& b) {
  Interval r(join(a, b));
  mpfr_max(r.lo_, a.lo_, b.lo_, MPFR_RNDD);
  mpfr_max(r.hi_, a.hi_, b.hi_, MPFR_RNDU);
  return r;
}

Interval intersect(const Interval& a, const Interval& b) {
  Interval r(join(a, b));
  mpfr_max(r.lo_, a.lo_, b.lo_, MPFR_RNDD);
  mpfr_min(r.hi_, a.hi_, b.hi_, MPFR_RNDU);
  if (mpfr_greater_p(r.lo_, r.hi_)) throw std::domain_error("intersect: disjoint intervals");
  return r;
}

Rational round_down(const Rational& x, unsigned bits) {
  Rational scale = pow2(static_cast<long>(bits));
  return Rational(floor(x * scale)) / scale;
}

Rational round_up(const Rational& x, unsigned bits) {
  Rational scale = pow2(static_cast<long>(bits));
  return Rational(ceil(x * scale)) / scale;
}

std::string Interval::str(int digits) const {
  char buf[256];
  std::string s = "[";
  mpfr_snprintf(buf, sizeof buf, "%.*RDg", digits, lo_);
  s += buf;
  s += ", ";
  mpfr_snprintf(buf, sizeof buf, "%.*RUg", digits, hi_);
  s += buf;
  return s + "]";
}

}  // namespace attncert::core
