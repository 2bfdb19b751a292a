// Exact integers and rationals (GMP through Boost.Multiprecision, expression templates off so
// that every operation happens in the order it is written).
#pragma once
#include <boost/multiprecision/gmp.hpp>
#include <string>
#include <string_view>

namespace attncert::core {

using Integer = boost::multiprecision::number<boost::multiprecision::gmp_int,
                                              boost::multiprecision::et_off>;
using Rational = boost::multiprecision::number<boost::multiprecision::gmp_rational,
                                               boost::multiprecision::et_off>;

// Parses "3", "-7/12", "0.125", "1e-3", "2.5e2" exactly (a decimal is read as the exact
// rational it denotes). Throws std::invalid_argument naming `what` on anything else.
Rational parse_rational(std::string_view text, std::string_view what = "value");

// Canonical text form "p/q" (or "p" when q = 1); parse_rational reads it back exactly.
std::string to_string(const Rational& r);
std::string to_string(const Integer& z);

Integer floor(const Rational& r);
Integer ceil(const Rational& r);

// Exact 2^e (e may be negative).
Rational pow2(long e);

}  // namespace attncert::core
