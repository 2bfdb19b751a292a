// The bare XOR+popcount loop over the row-major bit-packed data (the "practical limit"):
// the popcount of every unordered pair, summed, OpenMP over rows, with the word count fixed at
// compile time so the compiler may vectorise over j. Shared by bench_gram and gram_ratio.
#pragma once
#include <omp.h>

#include <cstddef>
#include <cstdint>

namespace attncert::bench {

template <int W>
std::uint64_t bare_pairs(const std::uint64_t* base, std::size_t n, int threads) {
  std::uint64_t total = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(+ : total) num_threads(threads)
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t* a = base + i * W;
    std::uint64_t acc = 0;
    for (std::size_t j = i + 1; j < n; ++j) {
      const std::uint64_t* b = base + j * W;
      for (int k = 0; k < W; ++k) acc += static_cast<std::uint64_t>(__builtin_popcountll(a[k] ^ b[k]));
    }
    total += acc;
  }
  return total;
}

// The instantiation for a word count the benchmarks use (1, 4 or 16), or nullptr.
inline auto bare_for(std::size_t words) -> std::uint64_t (*)(const std::uint64_t*, std::size_t, int) {
  switch (words) {
    case 1: return bare_pairs<1>;
    case 4: return bare_pairs<4>;
    case 16: return bare_pairs<16>;
    default: return nullptr;
  }
}

}  // namespace attncert::bench
