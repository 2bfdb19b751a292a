// Versioned deterministic generators. An instance is regenerated from (generator name, version,
// seed) on any machine: the algorithms below are fixed per version and never change; a change
// gets a new version number and the old one stays available.
//
// "xoshiro256ss" version 1 (documented so that anyone can re-implement it):
//   state s[0..3] = four successive outputs of SplitMix64 started at `seed`
//     (SplitMix64: x += 0x9E3779B97F4A7C15; z = x; z = (z ^ (z>>30)) * 0xBF58476D1CE4E5B9;
//      z = (z ^ (z>>27)) * 0x94D049BB133111EB; return z ^ (z>>31));
//   next(): result = rotl(s1 * 5, 7) * 9; t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
//           s2 ^= t; s3 = rotl(s3, 45).
// "signs" version 1: an N x d sign matrix, row-major; each row takes ceil(d/64) successive
//   next() words, bit c of word w (LSB first) is column 64w + c, bit 1 means -1; the unused high
//   bits of a row's last word are discarded (so rows stay independent of the padding).
#pragma once
#include <cstdint>
#include <string>

namespace attncert::core {

inline constexpr const char* kRngName = "xoshiro256ss";
inline constexpr int kRngVersion = 1;
inline constexpr const char* kSignsGenerator = "signs";
inline constexpr int kSignsVersion = 1;

class Xoshiro256ss {
 public:
  explicit Xoshiro256ss(std::uint64_t seed);
  // Inline: samplers draw hundreds of numbers per sample in their hot loops.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint64_t operator()() { return next(); }
  // Uniform integer in [0, bound) by rejection (no modulo bias); bound >= 1.
  std::uint64_t below(std::uint64_t bound);
  using result_type = std::uint64_t;
  static constexpr std::uint64_t min() { return 0; }
  static constexpr std::uint64_t max() { return ~std::uint64_t{0}; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

std::uint64_t splitmix64(std::uint64_t& x);

}  // namespace attncert::core
