// Code constructions, transformations, key specs and keys (codes.hpp documents every generator).
#include "attncert/reductions/codes.hpp"

#include <stdexcept>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/limits.hpp"

namespace attncert::reductions {

namespace {

void set_bit(std::uint64_t* row, std::size_t c) { row[c >> 6] |= std::uint64_t{1} << (c & 63); }
bool get_bit(const std::uint64_t* row, std::size_t c) { return (row[c >> 6] >> (c & 63)) & 1u; }

// A "signs" v1 row of n bits from the generator: ceil(n/64) words, high bits of the last discarded.
void draw_row(core::Xoshiro256ss& g, std::uint64_t* out, std::size_t n) {
  const std::size_t W = (n + 63) / 64;
  for (std::size_t w = 0; w < W; ++w) out[w] = g.next();
  if (n % 64) out[W - 1] &= (std::uint64_t{1} << (n % 64)) - 1;
}

// Incremental GF(2) basis: rows reduced in insertion order, each with its lowest set bit as pivot;
// every row has zeros at the pivots of the rows inserted before it.
struct Gf2Basis {
  std::size_t W;
  std::vector<std::uint64_t> rows;
  std::vector<std::size_t> pivot;
  explicit Gf2Basis(std::size_t words) : W(words) {}
  // Reduces v in place; true when v was independent (then it is inserted).
  bool insert(std::vector<std::uint64_t>& v) {
    for (std::size_t b = 0; b < pivot.size(); ++b)
      if (get_bit(v.data(), pivot[b]))
        for (std::size_t w = 0; w < W; ++w) v[w] ^= rows[b * W + w];
    for (std::size_t w = 0; w < W; ++w)
      if (v[w]) {
        pivot.push_back(64 * w + static_cast<std::size_t>(__builtin_ctzll(v[w])));
        rows.insert(rows.end(), v.begin(), v.end());
        return true;
      }
    return false;
  }
};

std::string pow_text(std::size_t k) { return "2^" + std::to_string(k); }

}  // namespace

const char* to_string(DistanceBasis b) {
  switch (b) {
    case DistanceBasis::theorem: return "theorem";
    case DistanceBasis::bch_bound: return "BCH bound";
    case DistanceBasis::construction: return "construction";
    default: return "enumeration";
  }
}

std::uint64_t Code::size() const {
  if (!linear) return words.rows();
  if (dimension() >= 64) throw std::overflow_error(name + " has 2^" + std::to_string(dimension()) + " codewords");
  return std::uint64_t{1} << dimension();
}

std::string Code::parameters() const {
  std::string D = (claim.exact ? "" : ">=") + std::to_string(claim.distance);
  if (linear) return "[" + std::to_string(length) + "," + std::to_string(dimension()) + "," + D + "]";
  return "(" + std::to_string(length) + "," + std::to_string(words.rows()) + "," + D + ")";
}

std::size_t gf2_rank(const core::SignMatrix& m) {
  Gf2Basis b(m.words());
  std::vector<std::uint64_t> v(m.words());
  for (std::size_t i = 0; i < m.rows(); ++i) {
    v.assign(m.row(i), m.row(i) + m.words());
    b.insert(v);
  }
  return b.pivot.size();
}

std::size_t rm_dimension(unsigned r, unsigned m) {
  if (m < 1 || m > 15) throw ParameterError("m", "Reed-Muller RM(r, m) needs 1 <= m <= 15, got " + std::to_string(m));
  if (r > m) throw ParameterError("r", "Reed-Muller RM(r, m) needs r <= m, got r = " + std::to_string(r) + " > m = " + std::to_string(m));
  std::size_t k = 0, binom = 1;  // C(m, i)
  for (unsigned i = 0; i <= r; ++i) {
    k += binom;
    binom = binom * (m - i) / (i + 1);
  }
  return k;
}

Code reed_muller(unsigned r, unsigned m, std::size_t rows) {
  if (m < 1 || m > 15) throw ParameterError("m", "Reed-Muller RM(r, m) needs 1 <= m <= 15, got " + std::to_string(m));
  if (r > m) throw ParameterError("r", "Reed-Muller RM(r, m) needs r <= m, got r = " + std::to_string(r) + " > m = " + std::to_string(m));
  const std::size_t n = std::size_t{1} << m;
  std::vector<std::size_t> masks;  // v1 row order: degree 1, the constant, degree 2..r
  if (r >= 1)
    for (unsigned j = 0; j < m; ++j) masks.push_back(std::size_t{1} << j);
  masks.push_back(0);
  for (unsigned deg = 2; deg <= r; ++deg)
    for (std::size_t S = 0; S < n; ++S)
      if (static_cast<unsigned>(__builtin_popcountll(S)) == deg) masks.push_back(S);
  const std::size_t k = masks.size();
  if (rows && rows < k) masks.resize(rows);
  Code c;
  c.name = "RM(" + std::to_string(r) + "," + std::to_string(m) + ")";
  c.length = n;
  c.generator = core::SignMatrix(masks.size(), n);
  for (std::size_t i = 0; i < masks.size(); ++i)
    for (std::size_t p = 0; p < n; ++p)
      if ((p & masks[i]) == masks[i]) set_bit(c.generator.row(i), p);
  c.claim = {std::size_t{1} << (m - r), true, DistanceBasis::theorem, "theorem: RM(r,m) has minimum distance 2^{m-r}"};
  if (masks.size() < k) mark_subcode(c, masks.size());
  return c;
}

Code random_linear(std::size_t n, std::size_t k, std::uint64_t seed, RandomLinear kind) {
  if (n < 1 || n > limits::max_dim) throw ParameterError("n", "code length must lie in [1, " + std::to_string(limits::max_dim) + "], got " + std::to_string(n));
  if (k < 1 || k > n) throw ParameterError("k", "dimension must lie in [1, n = " + std::to_string(n) + "], got " + std::to_string(k));
  core::Xoshiro256ss g(seed);
  Code c;
  c.length = n;
  c.generator = core::SignMatrix(k, n);
  const std::size_t W = c.generator.words();
  if (kind == RandomLinear::systematic) {
    c.name = "random-linear-systematic(n=" + std::to_string(n) + ",k=" + std::to_string(k) + ",seed=" + std::to_string(seed) + ")";
    std::vector<std::uint64_t> tail((n - k + 63) / 64 + 1);
    for (std::size_t i = 0; i < k; ++i) {
      set_bit(c.generator.row(i), i);
      if (n > k) {
        draw_row(g, tail.data(), n - k);
        for (std::size_t t = 0; t < n - k; ++t)
          if (get_bit(tail.data(), t)) set_bit(c.generator.row(i), k + t);
      }
    }
  } else {
    c.name = "random-linear(n=" + std::to_string(n) + ",k=" + std::to_string(k) + ",seed=" + std::to_string(seed) + ")";
    Gf2Basis basis(W);
    std::vector<std::uint64_t> cand(W), copy(W);
    for (std::size_t i = 0; i < k;) {
      draw_row(g, cand.data(), n);
      copy = cand;
      if (!basis.insert(copy)) continue;  // in the span of the accepted rows: discarded
      std::copy(cand.begin(), cand.end(), c.generator.row(i));
      ++i;
    }
  }
  c.claim = {1, false, DistanceBasis::construction, "construction: a nonzero linear code has distance >= 1"};
  return c;
}

Code greedy(std::size_t n, std::size_t D, std::size_t max_words, GreedyOrder order, std::uint64_t seed) {
  if (n < 1 || n > limits::max_dim) throw ParameterError("n", "code length must lie in [1, " + std::to_string(limits::max_dim) + "], got " + std::to_string(n));
  if (order == GreedyOrder::lexicographic && n > 24) throw ParameterError("n", "a lexicographic greedy code needs length <= 24, got " + std::to_string(n));
  if (D < 1 || D > n) throw ParameterError("D", "minimum distance must lie in [1, n = " + std::to_string(n) + "], got " + std::to_string(D));
  if (max_words < 2 || max_words > limits::max_keys) throw ParameterError("max_words", "must lie in [2, 2^20], got " + std::to_string(max_words));
  if (static_cast<std::uint64_t>(n) * max_words > (std::uint64_t{1} << 28))
    throw ParameterError("max_words", "n * max_words = " + std::to_string(static_cast<std::uint64_t>(n) * max_words) +
                                          " bits of words exceeds 2^28 (32 MiB)");
  const std::size_t W = (n + 63) / 64;
  std::vector<std::uint64_t> acc;  // accepted words, W words each
  std::size_t count = 0;
  std::vector<std::uint64_t> cand(W);
  auto far = [&](const std::uint64_t* x) {
    for (std::size_t a = 0; a < count; ++a) {
      std::size_t dist = 0;
      const std::uint64_t* y = acc.data() + a * W;
      for (std::size_t w = 0; w < W; ++w) dist += static_cast<std::size_t>(__builtin_popcountll(x[w] ^ y[w]));
      if (dist < D) return false;
    }
    return true;
  };
  auto offer = [&]() {
    if (far(cand.data())) {
      acc.insert(acc.end(), cand.begin(), cand.end());
      ++count;
    }
  };
  Code c;
  if (order == GreedyOrder::lexicographic) {
    c.name = "lexicode(n=" + std::to_string(n) + ",D=" + std::to_string(D) + ",max=" + std::to_string(max_words) + ")";
    for (std::uint64_t u = 0; u < (std::uint64_t{1} << n) && count < max_words; ++u) {
      cand[0] = u;
      offer();
    }
  } else {
    c.name = "greedy(n=" + std::to_string(n) + ",D=" + std::to_string(D) + ",max=" + std::to_string(max_words) +
             ",seed=" + std::to_string(seed) + ")";
    core::Xoshiro256ss g(seed);
    for (std::uint64_t t = 0; t < 64 * static_cast<std::uint64_t>(max_words) && count < max_words; ++t) {
      draw_row(g, cand.data(), n);
      offer();
    }
  }
  if (count < 2) throw ParameterError("D", "the greedy search found fewer than 2 words at distance >= " + std::to_string(D));
  c.length = n;
  c.linear = false;
  c.words = core::SignMatrix(count, n);
  for (std::size_t i = 0; i < count; ++i) std::copy(acc.begin() + i * W, acc.begin() + (i + 1) * W, c.words.row(i));
  c.claim = {D, false, DistanceBasis::construction, "construction: every accepted word is at distance >= " + std::to_string(D) + " from the earlier ones"};
  return c;
}

Code shorten(const Code& c, std::size_t s) {
  if (!c.linear) throw ParameterError("code", "shortening needs a linear code, got " + c.name);
  if (s >= c.length) throw ParameterError("s", "cannot shorten a length-" + std::to_string(c.length) + " code by " + std::to_string(s));
  const std::size_t k = c.dimension(), W = c.generator.words();
  std::vector<std::vector<std::uint64_t>> rows(k);
  for (std::size_t i = 0; i < k; ++i) rows[i].assign(c.generator.row(i), c.generator.row(i) + W);
  // Eliminate the last s columns: a row with the column's bit is the pivot, cleared from the rest
  // and dropped. The rows left vanish on those columns and span the codewords that do.
  for (std::size_t col = c.length; col-- > c.length - s;) {
    std::size_t p = rows.size();
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (get_bit(rows[i].data(), col)) { p = i; break; }
    if (p == rows.size()) continue;
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (i != p && get_bit(rows[i].data(), col))
        for (std::size_t w = 0; w < W; ++w) rows[i][w] ^= rows[p][w];
    rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(p));
  }
  if (rows.empty()) throw ParameterError("s", "shortening " + c.name + " by " + std::to_string(s) + " leaves no codeword");
  Code r;
  r.name = "shorten(" + c.name + "," + std::to_string(s) + ")";
  r.length = c.length - s;
  r.generator = core::SignMatrix(rows.size(), r.length);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t w = 0; w < r.generator.words(); ++w) r.generator.row(i)[w] = rows[i][w];
  r.claim = {c.claim.distance, false, DistanceBasis::construction,
             "construction: shortening keeps distance >= " + std::to_string(c.claim.distance) + " (" + c.claim.why + ")"};
  return r;
}

Code pad(const Code& c, std::size_t p) {
  if (c.length + p > limits::max_dim) throw ParameterError("p", "padded length exceeds " + std::to_string(limits::max_dim));
  Code r = c;
  r.name = "pad(" + c.name + "," + std::to_string(p) + ")";
  r.length = c.length + p;
  const core::SignMatrix& src = c.linear ? c.generator : c.words;
  core::SignMatrix dst(src.rows(), r.length);
  for (std::size_t i = 0; i < src.rows(); ++i) std::copy(src.row(i), src.row(i) + src.words(), dst.row(i));
  (c.linear ? r.generator : r.words) = std::move(dst);
  r.claim.why = "construction: zero coordinates keep every distance (" + c.claim.why + ")";
  return r;
}

Code extend_parity(const Code& c) {
  if (c.length + 1 > limits::max_dim) throw ParameterError("n", "extended length exceeds " + std::to_string(limits::max_dim));
  Code r = pad(c, 1);
  r.name = "extend(" + c.name + ")";
  core::SignMatrix& m = c.linear ? r.generator : r.words;
  for (std::size_t i = 0; i < m.rows(); ++i) {
    unsigned par = 0;
    for (std::size_t w = 0; w < m.words(); ++w) par ^= static_cast<unsigned>(__builtin_popcountll(m.row(i)[w])) & 1u;
    if (par) set_bit(m.row(i), c.length);
  }
  // dist(x', y') = dist(x, y) + (dist(x, y) mod 2): an odd bound D becomes D + 1, exactness kept.
  const std::size_t D = c.claim.distance;
  r.claim.distance = D % 2 ? D + 1 : D;
  r.claim.why = "construction: the parity bit adds 1 to every odd distance (" + c.claim.why + ")";
  return r;
}

void mark_subcode(Code& c, std::size_t j) {
  c.name = "sub(" + c.name + "," + std::to_string(j) + ")";
  c.claim = {c.claim.distance, false, c.claim.basis, "subcode: distance >= " + std::to_string(c.claim.distance) + " (" + c.claim.why + ")"};
}

Code subcode(const Code& c, std::size_t j) {
  if (!c.linear) throw ParameterError("code", "a subcode needs a linear code, got " + c.name);
  if (j < 1 || j > c.dimension())
    throw ParameterError("j", "subcode dimension must lie in [1, " + std::to_string(c.dimension()) + "], got " + std::to_string(j));
  if (j == c.dimension()) return c;
  Code r;
  r.name = c.name;
  r.length = c.length;
  r.generator = core::SignMatrix(j, c.length);
  for (std::size_t i = 0; i < j; ++i) std::copy(c.generator.row(i), c.generator.row(i) + c.generator.words(), r.generator.row(i));
  r.claim = c.claim;
  mark_subcode(r, j);
  return r;
}

std::vector<std::uint64_t> codeword(const Code& c, std::uint64_t u) {
  if (!c.linear) {
    if (u >= c.words.rows()) throw ParameterError("n", "word " + std::to_string(u) + " of " + c.name + " does not exist");
    return {c.words.row(u), c.words.row(u) + c.words.words()};
  }
  if (c.dimension() < 64 && u >> c.dimension()) throw ParameterError("n", "message " + std::to_string(u) + " exceeds 2^k");
  std::vector<std::uint64_t> x(c.generator.words(), 0);
  for (std::size_t i = 0; i < 64 && i < c.dimension(); ++i)
    if ((u >> i) & 1u)
      for (std::size_t w = 0; w < x.size(); ++w) x[w] ^= c.generator.row(i)[w];
  return x;
}

core::SignMatrix code_keys(const Code& c, std::size_t N) {
  const bool fits = !c.linear || c.dimension() < 64;
  if (N < 1 || (fits && N > c.size()))
    throw ParameterError("n", c.name + " has " + (c.linear ? pow_text(c.dimension()) : std::to_string(c.size())) +
                                  " codewords; cannot take N = " + std::to_string(N));
  if (N > limits::max_keys) throw ParameterError("n", "N = " + std::to_string(N) + " exceeds " + std::to_string(limits::max_keys) + " keys");
  // RM(1, m) in message order is the Sylvester-Hadamard key order (codes.hpp): reuse it.
  if (c.linear && c.length >= 2 && (c.length & (c.length - 1)) == 0 &&
      c.name == "RM(1," + std::to_string(__builtin_ctzll(c.length)) + ")")
    return hadamard_keys(N, c.length);
  core::SignMatrix s(N, c.length);
  if (!c.linear) {
    for (std::size_t u = 0; u < N; ++u) std::copy(c.words.row(u), c.words.row(u) + s.words(), s.row(u));
    return s;
  }
  // key u = key(u without its lowest bit) XOR g_{ctz u}
  for (std::size_t u = 1; u < N; ++u) {
    const std::uint64_t* prev = s.row(u & (u - 1));
    const std::uint64_t* g = c.generator.row(static_cast<std::size_t>(__builtin_ctzll(u)));
    for (std::size_t w = 0; w < s.words(); ++w) s.row(u)[w] = prev[w] ^ g[w];
  }
  return s;
}

// ---- key specs ----

std::string CodeSpec::text() const {
  auto f = [](std::uint64_t v) {
    std::string s(1, ':');  // not ":" + to_string(v): GCC 12 warns (-Wrestrict, a false positive)
    return s += std::to_string(v);
  };
  switch (family) {
    case Family::rm: return "code:rm" + f(a) + f(b);
    case Family::bch: return "code:bch" + f(a) + f(b);
    case Family::random: return "code:random" + f(a) + f(b);
    case Family::greedy: return "code:greedy" + f(a) + f(b) + f(c);
    default: return "code:lexicode" + f(a) + f(b) + f(c);
  }
}

CodeSpec parse_code_spec(const std::string& text) {
  std::vector<std::string> part;
  for (std::size_t p = 0;;) {
    std::size_t q = text.find(':', p);
    part.push_back(text.substr(p, q == std::string::npos ? std::string::npos : q - p));
    if (q == std::string::npos) break;
    p = q + 1;
  }
  auto bad = [&](const std::string& why) -> ParameterError { return ParameterError("keys", "'" + text + "': " + why); };
  if (part.size() < 2 || part[0] != "code") throw bad("a code key source is code:rm:R:M, code:bch:M:DELTA, code:random:LEN:K, code:greedy:LEN:D:MAX or code:lexicode:LEN:D:MAX");
  CodeSpec s;
  const std::string& fam = part[1];
  std::size_t fields = 0;
  const char* spelling = "";
  if (fam == "rm") s.family = CodeSpec::Family::rm, fields = 2, spelling = "code:rm:R:M";
  else if (fam == "bch") s.family = CodeSpec::Family::bch, fields = 2, spelling = "code:bch:M:DELTA";
  else if (fam == "random") s.family = CodeSpec::Family::random, fields = 2, spelling = "code:random:LEN:K";
  else if (fam == "greedy") s.family = CodeSpec::Family::greedy, fields = 3, spelling = "code:greedy:LEN:D:MAX";
  else if (fam == "lexicode") s.family = CodeSpec::Family::lexicode, fields = 3, spelling = "code:lexicode:LEN:D:MAX";
  else throw bad("unknown code '" + fam + "' (known: code:rm:R:M, code:bch:M:DELTA, code:random:LEN:K, code:greedy:LEN:D:MAX, code:lexicode:LEN:D:MAX)");
  if (part.size() != 2 + fields) throw bad("expected " + std::string(spelling));
  std::uint64_t v[3] = {0, 0, 0};
  for (std::size_t i = 0; i < fields; ++i) {
    const std::string& t = part[2 + i];
    if (t.empty() || t.size() > 19 || t.find_first_not_of("0123456789") != std::string::npos)
      throw bad("field " + std::to_string(i + 1) + " of " + spelling + " must be a non-negative integer, got '" + t + "'");
    v[i] = std::stoull(t);
  }
  s.a = v[0], s.b = v[1], s.c = v[2];
  const std::string dim = std::to_string(limits::max_dim);
  switch (s.family) {
    case CodeSpec::Family::rm:
      if (s.b < 1 || s.b > 15) throw bad("Reed-Muller needs 1 <= M <= 15, got M = " + std::to_string(s.b));
      if (s.a > s.b) throw bad("Reed-Muller needs R <= M, got R = " + std::to_string(s.a) + " > M = " + std::to_string(s.b));
      break;
    case CodeSpec::Family::bch: {
      if (s.a < 2 || s.a > 16) throw bad("BCH needs 2 <= M <= 16, got M = " + std::to_string(s.a));
      std::uint64_t n = (std::uint64_t{1} << s.a) - 1;
      if (s.b < 1 || s.b > n) throw bad("BCH designed distance DELTA must lie in [1, 2^M - 1 = " + std::to_string(n) + "], got " + std::to_string(s.b));
      break;
    }
    case CodeSpec::Family::random:
      if (s.a < 1 || s.a > limits::max_dim) throw bad("length must lie in [1, " + dim + "], got " + std::to_string(s.a));
      if (s.b < 1 || s.b > s.a) throw bad("dimension K must lie in [1, LEN], got " + std::to_string(s.b));
      if (s.b > max_enumeration_dimension)
        throw bad("K = " + std::to_string(s.b) + " > 32: a random code's distance is certified by enumerating its 2^K codewords, K <= 32");
      break;
    default:
      if (s.family == CodeSpec::Family::lexicode && (s.a < 1 || s.a > 24))
        throw bad("a lexicode enumerates 2^LEN words: LEN must lie in [1, 24], got " + std::to_string(s.a));
      if (s.a < 1 || s.a > limits::max_dim) throw bad("length must lie in [1, " + dim + "], got " + std::to_string(s.a));
      if (s.b < 1 || s.b > s.a) throw bad("distance D must lie in [1, LEN], got " + std::to_string(s.b));
      if (s.c < 2 || s.c > 65536) throw bad("MAX words must lie in [2, 65536], got " + std::to_string(s.c));
      if (s.a * s.c > (std::uint64_t{1} << 28))
        throw bad("LEN * MAX = " + std::to_string(s.a * s.c) + " bits of words exceeds 2^28 (32 MiB)");
  }
  return s;
}

Code make_code(const CodeSpec& spec, std::uint64_t seed, std::size_t rows) {
  try {
    switch (spec.family) {
      case CodeSpec::Family::rm: return reed_muller(static_cast<unsigned>(spec.a), static_cast<unsigned>(spec.b), rows);
      case CodeSpec::Family::bch: return bch(static_cast<unsigned>(spec.a), spec.b, rows);
      case CodeSpec::Family::random: return random_linear(spec.a, spec.b, seed);
      case CodeSpec::Family::greedy: return greedy(spec.a, spec.b, spec.c, GreedyOrder::random, seed);
      default: return greedy(spec.a, spec.b, spec.c, GreedyOrder::lexicographic, seed);
    }
  } catch (const ParameterError& e) {
    throw ParameterError("keys", spec.text() + ": " + e.parameter + ": " + e.detail);
  }
}

}  // namespace attncert::reductions
