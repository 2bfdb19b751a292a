#include "attncert/reductions/keys.hpp"

#include "attncert/reductions/codes.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/limits.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace attncert::reductions {

std::string KeySource::describe() const {
  switch (kind) {
    case Kind::random: return "random(seed=" + std::to_string(seed) + ")";
    case Kind::hadamard: return "hadamard";
    case Kind::code: return code.text() + (code_is_seeded() ? "(seed=" + std::to_string(seed) + ")" : "");
    default: return "file:" + path;
  }
}

bool KeySource::code_is_seeded() const {
  return kind == Kind::code && (code.family == CodeSpec::Family::random || code.family == CodeSpec::Family::greedy);
}

KeySource parse_key_source(const std::string& text, std::uint64_t seed) {
  KeySource s;
  s.seed = seed;
  if (text == "random") s.kind = KeySource::Kind::random;
  else if (text == "hadamard") s.kind = KeySource::Kind::hadamard;
  else if (text.rfind("file:", 0) == 0 && text.size() > 5) {
    s.kind = KeySource::Kind::file;
    s.path = text.substr(5);
  } else if (text.rfind("code:", 0) == 0) {
    s.kind = KeySource::Kind::code;
    s.code = parse_code_spec(text);
  } else {
    throw ParameterError("keys", "'" + text + "' is not random, hadamard, file:PATH or code:FAMILY:... "
                                 "(code:rm:R:M, code:bch:M:DELTA, code:random:LEN:K, code:greedy:LEN:D:MAX, code:lexicode:LEN:D:MAX)");
  }
  return s;
}

core::SignMatrix hadamard_keys(std::size_t N, std::size_t d) {
  if (d == 0 || (d & (d - 1)) != 0) throw ParameterError("d", "hadamard keys need d a power of two, got " + std::to_string(d));
  if (N > 2 * d) throw ParameterError("n", "hadamard keys: N = " + std::to_string(N) + " exceeds 2d = " + std::to_string(2 * d));
  core::SignMatrix s(N, d);
  for (std::size_t i = 0; i < N; ++i) {
    std::size_t r = i % d;
    bool neg_row = i >= d;
    for (std::size_t c = 0; c < d; ++c) {
      bool neg = (__builtin_popcountll(r & c) & 1) != 0;
      s.set(i, c, (neg != neg_row) ? -1 : 1);
    }
  }
  return s;
}

core::SignMatrix read_keys_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ParameterError("keys", "cannot read key file '" + path + "'");
  std::vector<std::string> rows;
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    for (char ch : line)
      if (ch != '+' && ch != '-' && ch != '0' && ch != '1')
        throw ParameterError("keys", path + ":" + std::to_string(lineno) + ": character '" +
                                 std::string(1, ch) + "' is not one of + - 0 1");
    if (!rows.empty() && line.size() != rows[0].size())
      throw ParameterError("keys", path + ":" + std::to_string(lineno) + ": row length " +
                                   std::to_string(line.size()) + " differs from " + std::to_string(rows[0].size()));
    // The format's limits (limits.hpp), checked while reading so a huge file is not read whole.
    if (line.size() > limits::max_dim)
      throw ParameterError("keys", path + ":" + std::to_string(lineno) + ": dimension " + std::to_string(line.size()) +
                                       " exceeds " + std::to_string(limits::max_dim));
    if (rows.size() == limits::max_keys)
      throw ParameterError("keys", path + ": more than " + std::to_string(limits::max_keys) + " keys");
    rows.push_back(line);
  }
  if (rows.empty()) throw ParameterError("keys", path + " holds no keys");
  core::SignMatrix s(rows.size(), rows[0].size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t c = 0; c < rows[i].size(); ++c) s.set(i, c, (rows[i][c] == '-' || rows[i][c] == '1') ? -1 : 1);
  return s;
}

core::SignMatrix make_keys(const KeySource& src, std::size_t N, std::size_t d, std::string* code_note) {
  switch (src.kind) {
    case KeySource::Kind::random: return core::SignMatrix::random(N, d, src.seed);
    case KeySource::Kind::hadamard: return hadamard_keys(N, d);
    case KeySource::Kind::code: {
      // RM and BCH codes are built only as far as the first N codewords need (their generators
      // reach 2^16 rows of 2^16 bits); the note names the full code.
      const CodeSpec& cs = src.code;
      std::size_t rows = 0, k = 0;
      if (cs.family == CodeSpec::Family::rm || cs.family == CodeSpec::Family::bch) {
        k = cs.family == CodeSpec::Family::bch ? bch_dimension(static_cast<unsigned>(cs.a), cs.b)
                                               : rm_dimension(static_cast<unsigned>(cs.a), static_cast<unsigned>(cs.b));
        const std::uint64_t want = N ? N : std::min<std::uint64_t>(defaults::t1_n - 1, k < 64 ? std::uint64_t{1} << k : ~std::uint64_t{0});
        while (rows < k && (rows >= 64 || (std::uint64_t{1} << rows) < want)) ++rows;
        rows = std::max<std::size_t>(rows, 1);
      }
      Code c = make_code(cs, src.seed, rows);
      if (code_note) {
        *code_note = c.name + " " + c.parameters() + " (" + c.claim.why + ")";
        if (rows && rows < k) *code_note += " of the [" + std::to_string(c.length) + "," + std::to_string(k) + "] code";
      }
      if (d && d != c.length)
        throw ParameterError("keys", cs.text() + " has length " + std::to_string(c.length) + ", not d=" + std::to_string(d));
      if (!N) {
        N = defaults::t1_n - 1;
        if (!c.linear || c.dimension() < 64) N = static_cast<std::size_t>(std::min<std::uint64_t>(N, c.size()));
      }
      return code_keys(c, N);
    }
    default: {
      core::SignMatrix s = read_keys_file(src.path);
      if ((N && N != s.rows()) || (d && d != s.cols()))
        throw ParameterError("keys", "file has " + std::to_string(s.rows()) + " keys of dimension " +
                                             std::to_string(s.cols()) + ", not N=" + std::to_string(N) + ", d=" + std::to_string(d));
      return s;
    }
  }
}

}  // namespace attncert::reductions
