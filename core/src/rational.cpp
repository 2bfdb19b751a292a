#include "attncert/core/rational.hpp"

#include <cctype>
#include <stdexcept>

namespace attncert::core {

namespace {
[[noreturn]] void bad(std::string_view what, std::string_view text, const char* why) {
  throw std::invalid_argument(std::string(what) + ": '" + std::string(text) + "' is not " + why);
}

// Base-10 always: Boost/GMP would read a leading 0 as octal ("025" = 21).
Integer decimal(std::string_view digits) {
  Integer z;
  std::string s(digits);
  if (mpz_set_str(z.backend().data(), s.c_str(), 10) != 0) throw std::invalid_argument("bad digits");
  return z;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}
}  // namespace

Rational parse_rational(std::string_view text, std::string_view what) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) bad(what, text, "a number");
  bool neg = false;
  std::string_view body = s;
  if (body.front() == '-' || body.front() == '+') {
    neg = body.front() == '-';
    body.remove_prefix(1);
  }
  Rational r;
  if (auto slash = body.find('/'); slash != std::string_view::npos) {
    auto num = body.substr(0, slash), den = body.substr(slash + 1);
    if (!all_digits(num) || !all_digits(den)) bad(what, text, "a rational p/q");
    Integer q = decimal(den);
    if (q == 0) bad(what, text, "a rational (zero denominator)");
    r = Rational(decimal(num), q);
  } else {
    std::string_view mant = body;
    long exp10 = 0;
    if (auto e = body.find_first_of("eE"); e != std::string_view::npos) {
      mant = body.substr(0, e);
      auto ex = body.substr(e + 1);
      bool eneg = false;
      if (!ex.empty() && (ex.front() == '-' || ex.front() == '+')) {
        eneg = ex.front() == '-';
        ex.remove_prefix(1);
      }
      if (!all_digits(ex) || ex.size() > 6) bad(what, text, "a number (bad exponent)");
      exp10 = std::stol(std::string(ex));
      if (eneg) exp10 = -exp10;
    }
    std::string digits;
    auto dot = mant.find('.');
    std::string_view ip = mant.substr(0, dot);
    std::string_view fp = dot == std::string_view::npos ? std::string_view{} : mant.substr(dot + 1);
    if ((ip.empty() && fp.empty()) || (!ip.empty() && !all_digits(ip)) ||
        (!fp.empty() && !all_digits(fp)) || (ip.empty() && !all_digits(fp)))
      bad(what, text, "a number");
    digits.append(ip).append(fp);
    exp10 -= static_cast<long>(fp.size());
    if (exp10 > 100000 || exp10 < -100000) bad(what, text, "a number of sane magnitude");
    Integer m = decimal(digits);
    Integer p10 = boost::multiprecision::pow(Integer(10), static_cast<unsigned>(exp10 < 0 ? -exp10 : exp10));
    r = exp10 >= 0 ? Rational(m * p10) : Rational(m, p10);
  }
  return neg ? Rational(-r) : r;
}

std::string to_string(const Rational& r) {
  if (boost::multiprecision::denominator(r) == 1) return boost::multiprecision::numerator(r).str();
  return boost::multiprecision::numerator(r).str() + "/" + boost::multiprecision::denominator(r).str();
}

std::string to_string(const Integer& z) { return z.str(); }

Integer floor(const Rational& r) {
  Integer q, rem;
  Integer n = boost::multiprecision::numerator(r), d = boost::multiprecision::denominator(r);
  boost::multiprecision::divide_qr(n, d, q, rem);  // truncates toward zero
  if (rem < 0) q -= 1;
  return q;
}

Integer ceil(const Rational& r) { return -floor(Rational(-r)); }

Rational pow2(long e) {
  Integer one(1);
  if (e >= 0) return Rational(Integer(one << static_cast<unsigned>(e)));
  return Rational(one, Integer(one << static_cast<unsigned>(-e)));
}

}  // namespace attncert::core
