// Clusterable test streams for the SubGen programs (bench/subgen_observe.cpp, bench/subgen_tables.cpp):
// m centers uniform in [-1, 1]^d; token j picks a uniform center and adds N(0, sigma^2) noise per
// coordinate to make its key; its value is N(0, 1) per coordinate. Seeded xoshiro256ss v1 with
// Box-Muller normals (test data only; nothing certified depends on it).
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "attncert/core/rng.hpp"

namespace attncert::bench {

class ClusterStream {
 public:
  ClusterStream(std::size_t d, std::size_t m, double sigma, std::uint64_t seed) : d_(d), m_(m), sigma_(sigma), g_(seed), centers_(m * d) {
    for (auto& c : centers_) c = static_cast<float>(2 * unit() - 1);
  }
  std::size_t dim() const { return d_; }
  // Writes the next token's key and value (d floats each).
  void next(float* key, float* value) {
    const std::size_t c = g_.below(m_);
    for (std::size_t i = 0; i < d_; ++i) key[i] = static_cast<float>(centers_[c * d_ + i] + sigma_ * normal());
    for (std::size_t i = 0; i < d_; ++i) value[i] = static_cast<float>(normal());
  }
  double unit() { return static_cast<double>(g_.next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  double normal() {
    const double u = unit() + 0x1.0p-53, v = unit();
    return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
  std::size_t d_, m_;
  double sigma_;
  core::Xoshiro256ss g_;
  std::vector<float> centers_;
};

}  // namespace attncert::bench
