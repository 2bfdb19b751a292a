// What gram and t1 certificates share: the key source in `instance`, the stored inner-product
// histogram, and the naive recomputation of every key's histogram from regenerated keys.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cert.hpp"
#include "generators.hpp"

namespace attncert::checker {

// Where the keys come from, read and validated without generating anything yet (so the budget
// can be checked first).
struct KeySource {
  enum class Kind { random, hadamard, rows } kind = Kind::random;
  std::uint64_t seed = 0;          // random
  std::vector<std::string> rows;   // rows
  Keys generate(std::size_t n, std::size_t d) const;
};

// gram (with_keys_field false): instance is exactly {generator "signs", generator_version 1,
// rng "xoshiro256ss", rng_version 1, seed}. t1 (true): instance.keys is "random" (those five
// fields too), "hadamard" (generator "sylvester-hadamard", generator_version 1) or "explicit" (rows).
KeySource read_key_source(const json& instance, bool with_keys_field, std::size_t n, std::size_t d);

// The stored statistics.inner_product_histogram after the cheap checks (read_histogram):
// by_differing[k] = unordered pairs whose keys differ in k signs (inner product d - 2k).
struct PairHistogram {
  std::vector<std::uint64_t> by_differing;
  long max_inner = 0;  // the largest inner product with a nonzero count
};

// Keys are canonical integers in [-d, d] with the parity of d, counts positive JSON integers that
// sum to N(N-1)/2 (so at least one key: N >= 2). Checked before any recomputation.
PairHistogram read_histogram(const json& stats, const std::string& where, std::size_t n, std::size_t d);

// The plain double loop: for each key i, h[k] = #{j != i : s_i and s_j differ in k signs}, over all
// j (each unordered pair is seen from both ends). Rows are shared among OpenMP threads, each with
// its own row buffer; row(i, h) runs once per row, concurrently for different rows, and must only
// write state owned by row i. Returns the sum of all rows (every unordered pair counted twice).
using RowFn = std::function<void(std::size_t i, const std::uint32_t* h)>;
std::vector<std::uint64_t> row_histograms(const Keys& K, int threads, const RowFn& row);

// The regenerated histogram (pairs counted twice) must equal the stored one key for key.
void expect_same_histogram(const PairHistogram& stored, const std::vector<std::uint64_t>& twice, std::size_t d,
                           const std::string& where);

}  // namespace attncert::checker
