// The checker's own copy of the `gpu_inputs` v1 generator (docs/certificates.md#gpu-inputs), kept
// independent of the producer's on purpose: a generator bug on either side shows up as a mismatch.
// Every matrix is returned as integer mantissas with one power-of-two exponent per matrix: entry
// (i, c) is mant[i * d + c] * 2^exp, exactly.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "generators.hpp"

namespace attncert::checker {


enum class GpuFamily { random, t1, needle, equal, masked, range };
enum class GpuDtype { f32, f16, bf16 };

// Parses the certificate's spellings; false for anything else.
bool gpu_family_from(const std::string& s, GpuFamily& f);
bool gpu_dtype_from(const std::string& s, GpuDtype& t);
int gpu_significand_bits(GpuDtype t);  // p: f32 24, f16 11, bf16 8

struct ExactMatrix {
  std::vector<std::int32_t> mant;  // row-major, |mant| < 2^24 (needle: K holds 0 and 1, exp = log2 H)
  int exp = 0;                     // entry = mant * 2^exp
};

struct GpuInputs {
  std::size_t n = 0, d = 0, rows = 0;
  ExactMatrix Q, K, V;               // Q: rows x d, K and V: n x d
  std::vector<std::size_t> lo, hi;   // row r attends to keys [lo[r], hi[r]) (lo == hi: masked row)
  std::vector<std::size_t> target;   // t1 only: the INDEX row t_r each query row decodes
};

struct GpuInputRequest {
  GpuFamily family = GpuFamily::random;
  GpuDtype dtype = GpuDtype::f32;
  bool prefill = false;  // rows = n with causal windows; else one row over [0, n)
  std::size_t n = 1, d = 1;
  std::uint64_t seed = 0;
  int amplitude_exp = 0;  // t1: Q = 2^amplitude_exp * K[t_r]
};

// Number of (row, key) pairs over all windows, without generating anything (the budget).
std::uint64_t gpu_window_pairs(const GpuInputRequest& req);

GpuInputs gpu_inputs_v1(const GpuInputRequest& req);

}  // namespace attncert::checker
