// Rigorous enclosures of the Beta function and of the regularized incomplete Beta function
// I_x(a, b) at exact rational x and positive half-integer a, b (2a, 2b integers), as MPFR intervals.
// Generic numerics: no theorem is named here (the sphere-cap measure that uses it lives in
// reductions/covering). The argument for each step is written next to the code in
// core/src/incomplete_beta.cpp.
#pragma once
#include "attncert/core/interval.hpp"

namespace attncert::core {

// B(a, b) = Γ(a)Γ(b)/Γ(a+b) for positive half-integers is exactly rational · π^pi_power
// (pi_power is 1 when both a and b are odd multiples of 1/2, else 0).
struct HalfIntegerBeta {
  Rational rational;
  int pi_power = 0;
};
// Throws std::invalid_argument unless a and b are positive multiples of 1/2.
HalfIntegerBeta beta_half_integers(const Rational& a, const Rational& b);
Interval beta_enclosure(const Rational& a, const Rational& b, mpfr_prec_t prec);

// I_x(a, b) = B(a, b)^{-1} ∫_0^x t^{a-1} (1-t)^{b-1} dt for 0 <= x <= 1, enclosed at working
// precision `prec` (the width is a few units in the last place of `prec` bits, relative to the
// value). Throws std::invalid_argument for x outside [0, 1] or a, b not positive half-integers.
Interval regularized_incomplete_beta(const Rational& x, const Rational& a, const Rational& b,
                                     mpfr_prec_t prec = 128);

}  // namespace attncert::core
