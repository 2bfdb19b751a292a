#include "generators.hpp"

namespace attncert::checker {

long Keys::inner(std::size_t i, std::size_t j) const {
  long differ = 0;
  for (std::size_t w = 0; w < words; ++w) differ += __builtin_popcountll(row(i)[w] ^ row(j)[w]);
  return static_cast<long>(d) - 2 * differ;
}

Xoshiro256ss::Xoshiro256ss(std::uint64_t seed) {
  for (auto& w : s) {  // SplitMix64, outputs in order s[0..3]
    seed += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    w = z ^ (z >> 31);
  }
}

std::uint64_t Xoshiro256ss::next() {
  auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const std::uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 45);
  return r;
}

// t = 2^64 mod b, computed as (2^64 - b) mod b in 64-bit arithmetic; draws below t are rejected
// so that the accepted x mod b is uniform.
std::uint64_t Xoshiro256ss::below(std::uint64_t b) {
  const std::uint64_t t = (0 - b) % b;
  std::uint64_t x;
  do x = next();
  while (x < t);
  return x % b;
}

Keys signs_v1(std::uint64_t seed, std::size_t n, std::size_t d) {
  Keys K(n, d);
  Xoshiro256ss rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t w = 0; w < K.words; ++w) K.bits[i * K.words + w] = rng.next();
    if (d % 64) K.bits[i * K.words + K.words - 1] &= (std::uint64_t{1} << (d % 64)) - 1;
  }
  return K;
}

Keys sylvester_hadamard_v1(std::size_t n, std::size_t d) {
  Keys K(n, d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < d; ++c)
      if (((__builtin_popcountll((i % d) & c) & 1) != 0) != (i >= d)) K.set_negative(i, c);
  return K;
}

Keys explicit_rows(const std::vector<std::string>& rows, std::size_t d) {
  Keys K(rows.size(), d);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t c = 0; c < d; ++c)
      if (rows[i][c] == '-') K.set_negative(i, c);
  return K;
}

}  // namespace attncert::checker
