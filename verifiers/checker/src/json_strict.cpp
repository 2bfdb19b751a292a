#include "json_strict.hpp"

#include <algorithm>
#include <set>
#include <vector>

namespace attncert::checker {

namespace {
// Lexical checks nlohmann's reader does not make, on the raw text before parsing: a NUL byte (the
// lexer would take it as the end of input and ignore what follows), a byte-order mark (the format
// is plain UTF-8 without one), the number "-0" (a second spelling of 0 that parses to the same
// integer), and nesting deeper than kMaxDepth (no certificate needs more than a few levels; deep
// nesting would make recursive readers and printers exhaust the stack).
constexpr int kMaxDepth = 64;
void lexical_checks(const std::string& t) {
  if (t.size() >= 3 && static_cast<unsigned char>(t[0]) == 0xEF && static_cast<unsigned char>(t[1]) == 0xBB &&
      static_cast<unsigned char>(t[2]) == 0xBF)
    throw Malformed("byte-order mark at the start (certificates are UTF-8 without one)");
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char ch = t[i];
    if (ch == '\0') throw Malformed("NUL byte at offset " + std::to_string(i));
    if (in_string) {
      if (ch == '\\') ++i;  // the escaped character cannot end the string
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    else if (ch == '[' || ch == '{') {
      if (++depth > kMaxDepth) throw Malformed("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    } else if (ch == ']' || ch == '}') --depth;
    else if (ch == '-' && i + 1 < t.size() && t[i + 1] == '0') {
      const char next = i + 2 < t.size() ? t[i + 2] : ' ';
      if (next != '.' && next != 'e' && next != 'E' && !(next >= '0' && next <= '9'))
        throw Malformed("the number -0 at offset " + std::to_string(i) + " (write 0)");
    }
  }
}
}  // namespace

json parse_no_duplicates(const std::string& text) {
  lexical_checks(text);
  std::vector<std::set<std::string>> keys_at_depth;  // the keys seen so far in the open object at each depth
  json::parser_callback_t no_duplicates = [&](int depth, json::parse_event_t ev, json& parsed) {
    auto d = static_cast<std::size_t>(depth);
    if (ev == json::parse_event_t::object_start) {
      if (keys_at_depth.size() <= d + 1) keys_at_depth.resize(d + 2);
      keys_at_depth[d + 1].clear();
    } else if (ev == json::parse_event_t::key) {
      std::string k = parsed.get<std::string>();
      if (!keys_at_depth[d].insert(k).second) throw Malformed("duplicate key '" + k + "'");
    }
    return true;
  };
  return json::parse(text, no_duplicates);
}

std::string path(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

void expect_keys(const json& obj, const std::string& where, const std::vector<std::string>& required,
                 const std::vector<std::string>& optional) {
  if (!obj.is_object()) throw Malformed((where.empty() ? "the certificate" : where) + " must be a JSON object");
  for (const std::string& k : required)
    if (!obj.contains(k)) throw Malformed("missing field " + path(where, k));
  for (const auto& item : obj.items()) {
    auto is = [&](const std::string& k) { return item.key() == k; };
    if (std::none_of(required.begin(), required.end(), is) && std::none_of(optional.begin(), optional.end(), is))
      throw Malformed("unknown field " + path(where, item.key()));
  }
}

const json& member(const json& obj, const std::string& where, const std::string& key) {
  if (!obj.is_object() || !obj.contains(key)) throw Malformed("missing field " + path(where, key));
  return obj.at(key);
}

std::string text(const json& obj, const std::string& where, const std::string& key) {
  const json& v = member(obj, where, key);
  if (!v.is_string()) throw Malformed("field " + path(where, key) + " must be a string");
  return v.get<std::string>();
}

void version_one(const json& obj, const std::string& where, const std::string& key) {
  const json& v = member(obj, where, key);
  if (!equals_integer(v, 1))
    throw Malformed("unknown " + path(where, key) + " " + (v.is_primitive() ? v.dump() : std::string(v.type_name())) +
                    " (this checker reads the JSON integer 1)");
}

namespace {
// Digits only, no leading zero; with `sign`, an optional '-' before a nonzero value.
bool canonical_digits(const std::string& t, bool sign) {
  std::size_t i = (sign && !t.empty() && t[0] == '-') ? 1 : 0;
  if (i >= t.size()) return false;
  for (std::size_t k = i; k < t.size(); ++k)
    if (t[k] < '0' || t[k] > '9') return false;
  return t[i] != '0' || (t.size() == 1);  // "0" alone; never "07", "-0"
}
}  // namespace

// Read with base 10 explicitly: GMP's default base 0 would read "0700" as octal 448.
mpz_class canonical_integer(const std::string& s, const std::string& name) {
  if (!canonical_digits(s, true)) throw Malformed(name + ": '" + s + "' is not an integer in canonical decimal");
  return mpz_class(s, 10);
}

mpq_class canonical_rational(const std::string& s, const std::string& name) {
  auto slash = s.find('/');
  if (slash == std::string::npos) {
    if (!canonical_digits(s, true)) throw Malformed(name + ": '" + s + "' is not an exact rational p/q in canonical decimal");
    return mpq_class(mpz_class(s, 10));
  }
  std::string num = s.substr(0, slash), den = s.substr(slash + 1);
  if (!canonical_digits(num, true) || !canonical_digits(den, false))
    throw Malformed(name + ": '" + s + "' is not an exact rational p/q in canonical decimal");
  mpz_class p(num, 10), q(den, 10), g;
  mpz_gcd(g.get_mpz_t(), p.get_mpz_t(), q.get_mpz_t());
  if (q <= 1 || g != 1) throw Malformed(name + ": '" + s + "' is not in lowest terms p/q with q > 1 (or an integer p)");
  return mpq_class(p, q);
}

mpz_class integer_field(const json& obj, const std::string& where, const std::string& key) {
  return canonical_integer(text(obj, where, key), path(where, key));
}

mpq_class rational_field(const json& obj, const std::string& where, const std::string& key) {
  return canonical_rational(text(obj, where, key), path(where, key));
}

std::uint64_t integer_in(const json& obj, const std::string& where, const std::string& key, std::uint64_t lo,
                         std::uint64_t hi) {
  const mpz_class v = integer_field(obj, where, key), l(std::to_string(lo), 10), h(std::to_string(hi), 10);
  if (v < l || v > h)
    throw Malformed(path(where, key) + " = " + v.get_str() + " must lie in [" + l.get_str() + ", " + h.get_str() + "]");
  return std::stoull(v.get_str());
}

const json& array_of(const json& obj, const std::string& where, const std::string& key, std::size_t size) {
  const json& a = member(obj, where, key);
  if (!a.is_array() || a.size() != size)
    throw Malformed(path(where, key) + " must be an array of " + std::to_string(size) + " entries");
  return a;
}

bool equals_integer(const json& x, long v) {
  if (x.is_number_unsigned()) return v >= 0 && x.get<std::uint64_t>() == static_cast<std::uint64_t>(v);
  return x.is_number_integer() && x.get<std::int64_t>() == v;
}

}  // namespace attncert::checker
