#include "attncert/core/rng.hpp"

namespace attncert::core {

std::uint64_t splitmix64(std::uint64_t& x) {
  x += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Xoshiro256ss::Xoshiro256ss(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
}

std::uint64_t Xoshiro256ss::below(std::uint64_t bound) {
  // Rejection: [threshold, 2^64) has a length divisible by bound, so x % bound is unbiased.
  const std::uint64_t threshold = (0 - bound) % bound;  // = 2^64 mod bound
  for (;;) {
    std::uint64_t x = next();
    if (x >= threshold) return x % bound;
  }
}

}  // namespace attncert::core
