// Narrow-sense primitive binary BCH codes over GF(2^m) (codes.hpp, generator "bch" v1).
#include <stdexcept>

#include "attncert/reductions/codes.hpp"
#include "attncert/reductions/errors.hpp"

namespace attncert::reductions {

namespace {

// GF(2^m) by exp/log tables of alpha = x modulo the primitive polynomial.
struct Field {
  unsigned m;
  std::uint32_t n;  // 2^m - 1
  std::vector<std::uint32_t> exp, log;
  explicit Field(unsigned m_) : m(m_), n((std::uint32_t{1} << m_) - 1), exp(2 * n), log(n + 1, 0) {
    const std::uint32_t p = primitive_polynomial(m);
    if (!is_primitive(p, m)) throw std::logic_error("primitive polynomial table entry for m = " + std::to_string(m) + " is not primitive");
    std::uint32_t a = 1;
    for (std::uint32_t i = 0; i < n; ++i) {
      exp[i] = exp[i + n] = a;
      log[a] = i;
      a <<= 1;
      if (a >> m) a ^= p;
    }
  }
  std::uint32_t mul(std::uint32_t a, std::uint32_t b) const { return a && b ? exp[log[a] + log[b]] : 0; }
};

}  // namespace

std::uint32_t primitive_polynomial(unsigned m) {
  static const std::uint32_t table[17] = {0,      0,      0x7,    0xB,    0x13,   0x25,   0x43,   0x89,  0x11D,
                                          0x211,  0x409,  0x805,  0x1053, 0x201B, 0x4443, 0x8003, 0x1100B};
  if (m < 2 || m > 16) throw ParameterError("m", "GF(2^m) needs 2 <= m <= 16, got " + std::to_string(m));
  return table[m];
}

bool is_primitive(std::uint32_t poly, unsigned m) {
  if (m < 1 || m > 31 || (poly >> m) != 1u) return false;
  const std::uint64_t n = (std::uint64_t{1} << m) - 1;
  std::uint64_t a = 1;
  for (std::uint64_t i = 1; i <= n; ++i) {
    a <<= 1;
    if (a >> m) a ^= poly;
    if (a == 1) return i == n;  // the order of x
    if (a == 0) return false;   // x is a zero divisor: poly has the factor x
  }
  return false;
}

std::vector<std::uint8_t> bch_generator_polynomial(unsigned m, std::size_t delta) {
  if (m < 2 || m > 16) throw ParameterError("m", "BCH needs 2 <= m <= 16, got " + std::to_string(m));
  const Field F(m);
  const std::size_t n = F.n;
  if (delta < 1 || delta > n)
    throw ParameterError("delta", "BCH designed distance must lie in [1, 2^m - 1 = " + std::to_string(n) + "], got " + std::to_string(delta));
  // g as a bit polynomial (word w bit b: coefficient of x^{64w+b}), degree < n + 1.
  std::vector<std::uint64_t> g((n + 64) / 64 + 1, 0);
  g[0] = 1;
  std::size_t deg = 0;
  std::vector<char> covered(n, 0);
  for (std::size_t i = 1; i < delta; ++i) {
    if (covered[i]) continue;
    // The cyclotomic coset of i and the minimal polynomial prod (x - alpha^e) over it.
    std::vector<std::uint32_t> coset;
    for (std::size_t e = i; !covered[e]; e = (2 * e) % n) {
      covered[e] = 1;
      coset.push_back(static_cast<std::uint32_t>(e));
    }
    std::vector<std::uint32_t> mp{1};  // coefficients in GF(2^m), index = power of x
    for (std::uint32_t e : coset) {
      std::vector<std::uint32_t> next(mp.size() + 1, 0);
      const std::uint32_t root = F.exp[e];
      for (std::size_t t = 0; t < mp.size(); ++t) {
        next[t + 1] ^= mp[t];            // x * mp
        next[t] ^= F.mul(mp[t], root);   // alpha^e * mp (minus is plus in characteristic 2)
      }
      mp.swap(next);
    }
    // g *= mp, over GF(2): every coefficient of a minimal polynomial is 0 or 1.
    std::vector<std::uint64_t> prod(g.size(), 0);
    for (std::size_t t = 0; t < mp.size(); ++t) {
      if (mp[t] > 1) throw std::logic_error("BCH: a minimal polynomial has a coefficient outside GF(2)");
      if (!mp[t]) continue;
      const std::size_t ws = t / 64, bs = t % 64;
      for (std::size_t w = 0; w + ws < prod.size(); ++w) {
        prod[w + ws] ^= g[w] << bs;
        if (bs && w + ws + 1 < prod.size()) prod[w + ws + 1] ^= g[w] >> (64 - bs);
      }
    }
    g.swap(prod);
    deg += coset.size();
  }
  std::vector<std::uint8_t> out(deg + 1);
  for (std::size_t t = 0; t <= deg; ++t) out[t] = (g[t / 64] >> (t % 64)) & 1u;
  if (out[deg] != 1 || out[0] != 1) throw std::logic_error("BCH: generator polynomial is not monic with g(0) = 1");
  return out;
}

std::size_t bch_dimension(unsigned m, std::size_t delta) {
  if (m < 2 || m > 16) throw ParameterError("m", "BCH needs 2 <= m <= 16, got " + std::to_string(m));
  const std::size_t n = (std::size_t{1} << m) - 1;
  if (delta < 1 || delta > n)
    throw ParameterError("delta", "BCH designed distance must lie in [1, 2^m - 1 = " + std::to_string(n) + "], got " + std::to_string(delta));
  std::vector<char> covered(n, 0);
  std::size_t deg = 0;
  for (std::size_t i = 1; i < delta; ++i)
    for (std::size_t e = i; !covered[e]; e = (2 * e) % n) covered[e] = 1, ++deg;
  return n - deg;
}

Code bch(unsigned m, std::size_t delta, std::size_t rows) {
  const std::vector<std::uint8_t> g = bch_generator_polynomial(m, delta);
  const std::size_t n = (std::size_t{1} << m) - 1, deg = g.size() - 1;
  if (deg >= n) throw ParameterError("delta", "BCH(m=" + std::to_string(m) + ", delta=" + std::to_string(delta) + ") has dimension 0");
  const std::size_t k = n - deg, built = rows && rows < k ? rows : k;
  Code c;
  c.name = "BCH(m=" + std::to_string(m) + ",delta=" + std::to_string(delta) + ")";
  c.length = n;
  c.generator = core::SignMatrix(built, n);
  for (std::size_t i = 0; i < built; ++i)
    for (std::size_t t = 0; t <= deg; ++t)
      if (g[t]) c.generator.row(i)[(i + t) >> 6] |= std::uint64_t{1} << ((i + t) & 63);
  c.claim = {delta, false, DistanceBasis::bch_bound, "BCH bound: distance >= designed distance " + std::to_string(delta)};
  if (built < k) mark_subcode(c, built);
  return c;
}

}  // namespace attncert::reductions
