// Bit-packed ±1 matrices and their exact inner-product statistics.
// Row i is ceil(d/64) words; bit c of the row is 1 when entry (i, c) is -1; padding bits are 0.
// <s_i, s_j> = d - 2 popcount(s_i XOR s_j): an exact integer in {-d, ..., d} with the parity of d.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace attncert::core {

class SignMatrix {
 public:
  SignMatrix() = default;
  SignMatrix(std::size_t rows, std::size_t cols);  // all +1

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t words() const { return words_; }
  const std::uint64_t* row(std::size_t i) const { return bits_.data() + i * words_; }
  std::uint64_t* row(std::size_t i) { return bits_.data() + i * words_; }

  bool negative(std::size_t i, std::size_t c) const {
    return (row(i)[c >> 6] >> (c & 63)) & 1u;
  }
  int entry(std::size_t i, std::size_t c) const { return negative(i, c) ? -1 : 1; }
  void set(std::size_t i, std::size_t c, int sign);  // sign must be +1 or -1

  std::size_t distance(std::size_t i, std::size_t j) const;  // popcount(s_i ^ s_j): entries that differ
  long inner(std::size_t i, std::size_t j) const;  // exact <s_i, s_j> = d - 2 distance(i, j)

  // Seeded uniform random signs: generator "signs" v1 over xoshiro256ss v1 (see rng.hpp).
  static SignMatrix random(std::size_t rows, std::size_t cols, std::uint64_t seed);
  bool operator==(const SignMatrix& o) const = default;

 private:
  std::size_t rows_ = 0, cols_ = 0, words_ = 0;
  std::vector<std::uint64_t> bits_;
};

// Per-row histograms of the off-diagonal inner products: count(i, k) = #{j != i : popcount(s_i ^ s_j) = k},
// i.e. the number of j with <s_i, s_j> = d - 2k, for k = 0..d.
class GramHistogram {
 public:
  GramHistogram(std::size_t rows, std::size_t cols)
      : rows_(rows), cols_(cols), counts_(rows * (cols + 1), 0) {}
  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::uint32_t count(std::size_t i, std::size_t k) const { return counts_[i * (cols_ + 1) + k]; }
  const std::uint32_t* row(std::size_t i) const { return counts_.data() + i * (cols_ + 1); }
  std::uint32_t* row(std::size_t i) { return counts_.data() + i * (cols_ + 1); }
  static long inner_of(std::size_t cols, std::size_t k) { return static_cast<long>(cols) - 2 * static_cast<long>(k); }

  long max_inner() const;                  // max_{i != j} <s_i, s_j>; needs rows >= 2
  long max_inner_row(std::size_t i) const; // max_{j != i} <s_i, s_j>
  std::vector<std::uint64_t> total() const;  // summed over rows (each unordered pair counted twice)
  bool operator==(const GramHistogram& o) const = default;

 private:
  std::size_t rows_, cols_;
  std::vector<std::uint32_t> counts_;
};

enum class GramKernel {
  automatic,  // the AVX-512 kernel when this build has it, d <= 4096 and at most 1 in 8 sampled
              // distances fall outside its counting window; else the portable one
  portable,   // tiled unordered pairs with scalar histogram increments (any CPU)
  avx512,     // bit-sliced one-hot counting (needs a build with AVX-512 F + VPOPCNTDQ)
};

// True when this build contains the AVX-512 kernel (compiled with -march supporting it).
bool gram_avx512_built();

struct GramOptions {
  int threads = 0;            // 0: OpenMP default
  GramKernel kernel = GramKernel::automatic;  // all kernels give identical, exact results
  std::size_t block = 0;      // portable kernel: rows per tile; 0: chosen from d
  // Called from one thread with (tiles done, tiles total); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

// All off-diagonal inner-product histograms, exactly. The portable kernel makes N(N-1)/2
// XOR+popcount evaluations: tiles (I, J) of the upper triangle are scheduled in round-robin rounds
// so that no two tiles of a round touch the same rows, which lets threads update both sides'
// histograms without atomics. The AVX-512 kernel (gram_avx512.cpp) evaluates each unordered pair
// once with VPOPCNTQ and counts it, for both rows, in bit-sliced one-hot counters instead of
// scattered increments.
// Throws std::invalid_argument when GramKernel::avx512 is asked of a build or a d without it.
GramHistogram gram_histogram(const SignMatrix& s, const GramOptions& opt = {});

// A pair i != j attaining h.max_inner() (the first in row-major order).
std::pair<std::size_t, std::size_t> max_inner_witness(const SignMatrix& s, const GramHistogram& h);

// The reference: every pair, both orders, by the definition (entry products). For tests and checks.
GramHistogram gram_histogram_naive(const SignMatrix& s);

// Rectangular pair-product histograms (T5, docs/theorems.md#t5): for query rows x_r of Q and key
// matrices A (N x d), B (M x d), all with the same d,
//   count(r, k) = #{(j1, j2) : popcount(x_r ^ a_j1 ^ b_j2) = k},  over all N*M pairs (none excluded).
// As signs, x ^ a ^ b is the entrywise product x∘a∘b, so with x_r = a_i∘b_i' the inner product
// <a_i∘b_i', a_j1∘b_j2> = d - 2k. The result is stored as a GramHistogram with Q.rows() rows (its
// max_inner() has no meaning here). Kernels (same exact result): the AVX-512 kernel of
// gram_avx512.cpp, fed for each query and j1 with x_r ^ a_j1 against the B rows (the Gram kernel's
// row-counter loop); the portable one, a plain XOR+popcount loop over the B rows. Memory: the
// histograms, B once more in vector order, and per thread a few KiB of counters; nothing of size
// N*M. Throws std::invalid_argument when N*M >= 2^32 (the counts are 32-bit), on mismatched d, or
// when GramKernel::avx512 is asked of a build without it. opt.progress gets (queries done, total).
GramHistogram pair_product_histogram(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B,
                                     const GramOptions& opt = {});
// The reference: every (query, j1, j2) by entry products. For tests.
GramHistogram pair_product_histogram_naive(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B);

}  // namespace attncert::core
