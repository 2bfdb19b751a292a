// qarith: the certificate checker's only source of transcendental values.
//
// Everything here is exact GMP rational arithmetic. exp/log/ln2/H2 are returned as
// intervals [lo, hi] with dyadic endpoints that provably contain the true real value;
// the series remainder bounds are written out next to each series in qarith.cpp.
// No floating point, no MPFR, no Boost: this file pair is part of the trusted base.
#pragma once

#include <gmpxx.h>

namespace attncert::checker {

struct QInterval {
    mpq_class lo, hi;
    bool contains(const mpq_class& x) const;
};

// Outward rounding of a rational to a dyadic k/2^bits (floor / ceil).
mpq_class round_down(const mpq_class& x, unsigned bits);
mpq_class round_up(const mpq_class& x, unsigned bits);

// Rigorous enclosures: the true real value lies in [lo, hi] (exact dyadic rationals).
// `bits` is the working precision: the width is about 2^-bits relative to the value.
QInterval q_ln2(unsigned bits);
QInterval q_log(const mpq_class& x, unsigned bits);   // throws std::domain_error if x <= 0
QInterval q_log2(const mpq_class& x, unsigned bits);  // exact (lo == hi) for powers of two
QInterval q_exp(const mpq_class& x, unsigned bits);   // throws std::domain_error if |x| > 2^24
// Binary entropy in bits; H2(0) = H2(1) = 0 and H2(1/2) = 1 exactly.
// throws std::domain_error if p is outside [0, 1].
QInterval q_h2(const mpq_class& p, unsigned bits);

// Interval arithmetic with exact rational endpoints (no rounding).
QInterval q_add(const QInterval& a, const QInterval& b);
QInterval q_sub(const QInterval& a, const QInterval& b);
QInterval q_mul(const QInterval& a, const QInterval& b);
QInterval q_div(const QInterval& a, const QInterval& b);  // throws std::domain_error if 0 in b
QInterval q_point(const mpq_class& x);

}  // namespace attncert::checker
