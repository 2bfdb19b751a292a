// Strict reading of certificate JSON: no duplicate keys, exact key sets, and one spelling per
// number. Every failure is Malformed with the dotted path of the field ("claim.bits").
#pragma once
#include <gmpxx.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cert.hpp"

namespace attncert::checker {

// Parses text; a key repeated in one object is malformed (a reader keeping the first occurrence
// must not see a different claim than one keeping the last).
json parse_no_duplicates(const std::string& text);

// "where.key", or "key" at the top level (where == "").
std::string path(const std::string& where, const std::string& key);

// obj (found at `where`) is an object whose keys are all of `required` and any of `optional`.
void expect_keys(const json& obj, const std::string& where, const std::vector<std::string>& required,
                 const std::vector<std::string>& optional = {});

const json& member(const json& obj, const std::string& where, const std::string& key);
std::string text(const json& obj, const std::string& where, const std::string& key);
// The JSON integer 1 (not 1.0, not "1"): format_version, generator_version, rng_version.
void version_one(const json& obj, const std::string& where, const std::string& key);

// Canonical decimal integer: digits, no leading zero, '-' only before a nonzero value.
mpz_class canonical_integer(const std::string& s, const std::string& name);
// Canonical reduced rational "p/q" (q > 1, gcd(p, q) = 1) or the integer "p".
mpq_class canonical_rational(const std::string& s, const std::string& name);

mpz_class integer_field(const json& obj, const std::string& where, const std::string& key);
mpq_class rational_field(const json& obj, const std::string& where, const std::string& key);
// An integer field in [lo, hi] (range failures are malformed too: the format allows no others).
std::uint64_t integer_in(const json& obj, const std::string& where, const std::string& key, std::uint64_t lo,
                         std::uint64_t hi);

// x is a JSON integer (signed or unsigned; nlohmann reads 1.0 as a float, which is not) equal to v,
// compared without wrap-around (huge unsigned values never match).
bool equals_integer(const json& x, long v);
// obj[key] (at `where`), which must be an array of exactly `size` entries (Malformed otherwise).
const json& array_of(const json& obj, const std::string& where, const std::string& key, std::size_t size);

}  // namespace attncert::checker
