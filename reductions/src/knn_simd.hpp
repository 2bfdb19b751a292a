// Small kernels shared by the kNN index layer's sources (knn_faiss.cpp, knn_int8.cpp, knn_index.cpp):
// the float inner product that gives the lists their scores, prefetching of rows read at random, the
// per-row 8-bit quantisation, and the (score, index) order of the lists as one integer with its
// selection and sorting. Private to reductions/src.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace attncert::reductions::knn::detail {

// The float32 inner product of the index layer's lists (one summation order, vectorised by the
// compiler for this target): HNSW's storage, its re-scored results and brute-int8's survivors.
inline float fdot(const float* a, const float* b, std::size_t d) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t l = 0; l < d; ++l) s += a[l] * b[l];
  return s;
}

// Prefetches the cache lines of [p, p + bytes).
inline void prefetch_bytes(const void* p, std::size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (std::size_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o);
}

// f(t) for t = 0, ..., n - 1 in order, the `bytes` at addr(t) prefetched 8 calls before f(t) reads
// them (rows read at random: re-scoring a list's keys).
template <class Addr, class F>
inline void for_each_prefetched(std::size_t n, std::size_t bytes, Addr addr, F f) {
  constexpr std::size_t ahead = 8;
  for (std::size_t t = 0; t < std::min(ahead, n); ++t) prefetch_bytes(addr(t), bytes);
  for (std::size_t t = 0; t < n; ++t) {
    if (t + ahead < n) prefetch_bytes(addr(t + ahead), bytes);
    f(t);
  }
}

// A row x of d floats quantised to 8 bits: mx = max_l |x_l|, f = 127 / mx (0 for a zero row, and
// for a subnormal one whose 127 / mx overflows: its codes are then 0), c_l = lrint(x_l f) clamped
// to [-127, 127].
struct RowScale {
  float mx = 0, f = 0;
};
inline RowScale quantise_row(const float* x, std::size_t d, std::int8_t* c) {
  RowScale r;
  for (std::size_t l = 0; l < d; ++l) r.mx = std::max(r.mx, std::abs(x[l]));
  r.f = r.mx > 0 && std::isfinite(127.0f / r.mx) ? 127.0f / r.mx : 0.0f;
  for (std::size_t l = 0; l < d; ++l) c[l] = static_cast<std::int8_t>(std::clamp<long>(std::lrint(x[l] * r.f), -127, 127));
  return r;
}

// (score desc, index asc) as one unsigned key in ascending order: the float's bits made monotone,
// complemented (larger scores first), above the index.
inline std::uint64_t rank_key(float score, std::uint32_t j) {
  score += 0.0f;  // -0 as +0 (equal scores tie by index)
  std::uint32_t b;
  std::memcpy(&b, &score, 4);
  b = (b & 0x80000000u) ? ~b : (b | 0x80000000u);  // monotone in the float
  return (std::uint64_t(~b) << 32) | j;
}
inline float rank_score(std::uint64_t key) {
  std::uint32_t b = ~static_cast<std::uint32_t>(key >> 32);
  b = (b & 0x80000000u) ? (b & 0x7fffffffu) : ~b;
  float score;
  std::memcpy(&score, &b, 4);
  return score;
}

// Sorts a[0..n) ascending: least-significant-digit radix sort by bytes, skipping the bytes in which
// all keys agree (for a list's rank keys: most of the score's exponent and the index's high bytes).
// tmp: scratch of n entries. Several times faster than std::sort for a few hundred keys.
inline void radix_sort(std::uint64_t* a, std::size_t n, std::uint64_t* tmp) {
  if (n < 2) return;
  std::uint64_t all_or = 0, all_and = ~std::uint64_t{0};
  for (std::size_t t = 0; t < n; ++t) {
    all_or |= a[t];
    all_and &= a[t];
  }
  const std::uint64_t varies = all_or ^ all_and;
  std::uint64_t *src = a, *dst = tmp;
  for (unsigned shift = 0; shift < 64; shift += 8) {
    if (((varies >> shift) & 0xff) == 0) continue;
    std::size_t count[256] = {};
    for (std::size_t t = 0; t < n; ++t) ++count[(src[t] >> shift) & 0xff];
    std::size_t pos = 0;
    for (std::size_t b = 0; b < 256; ++b) {
      const std::size_t c = count[b];
      count[b] = pos;
      pos += c;
    }
    for (std::size_t t = 0; t < n; ++t) dst[count[(src[t] >> shift) & 0xff]++] = src[t];
    std::swap(src, dst);
  }
  if (src != a) std::memcpy(a, src, n * sizeof(std::uint64_t));
}

// keys (distinct rank keys) cut to its kk <= keys.size() smallest, sorted ascending (by radix_sort
// from 64 keys on); tmp: scratch.
inline void keep_smallest_sorted(std::vector<std::uint64_t>& keys, std::size_t kk, std::vector<std::uint64_t>& tmp) {
  if (kk < keys.size()) std::nth_element(keys.begin(), keys.begin() + std::ptrdiff_t(kk), keys.end());
  keys.resize(kk);
  if (kk >= 64) {
    tmp.resize(kk);
    radix_sort(keys.data(), kk, tmp.data());
  } else {
    std::sort(keys.begin(), keys.end());
  }
}

}  // namespace attncert::reductions::knn::detail
