// The checker's own copies of the documented key generators (README, "Generators"). They are
// deliberately independent of core/: a producer bug in a generator must show up as a mismatch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attncert::checker {

// "xoshiro256ss" v1: xoshiro256** seeded by four SplitMix64 outputs of `seed`
// (docs/certificates.md#generators); below(b) is the documented rejection draw, uniform in [0, b).
struct Xoshiro256ss {
  std::uint64_t s[4];
  explicit Xoshiro256ss(std::uint64_t seed);
  std::uint64_t next();
  std::uint64_t below(std::uint64_t b);  // b >= 1
};

// N sign keys of dimension d, bit-packed: ceil(d/64) words per key, bit c of word w (LSB first)
// is coordinate 64w + c, bit 1 means -1, unused high bits zero.
struct Keys {
  std::size_t n = 0, d = 0, words = 0;
  std::vector<std::uint64_t> bits;
  Keys(std::size_t n_, std::size_t d_) : n(n_), d(d_), words((d_ + 63) / 64), bits(n_ * words, 0) {}
  const std::uint64_t* row(std::size_t i) const { return bits.data() + i * words; }
  void set_negative(std::size_t i, std::size_t c) { bits[i * words + c / 64] |= std::uint64_t{1} << (c % 64); }
  long inner(std::size_t i, std::size_t j) const;  // <s_i, s_j> = d - 2 popcount(s_i ^ s_j)
};

// "signs" v1 over "xoshiro256ss" v1: xoshiro256** seeded by four SplitMix64 outputs of `seed`;
// row-major, ceil(d/64) RNG words per row, unused high bits of a row discarded.
Keys signs_v1(std::uint64_t seed, std::size_t n, std::size_t d);

// "sylvester-hadamard" v1 (d a power of two, n <= 2d): rows h_0..h_{d-1}, then -h_0..-h_{d-1},
// with h_r[c] = (-1)^popcount(r & c).
Keys sylvester_hadamard_v1(std::size_t n, std::size_t d);

// Explicit rows, each d characters '+' (+1) or '-' (-1), already validated by the caller.
Keys explicit_rows(const std::vector<std::string>& rows, std::size_t d);

}  // namespace attncert::checker
