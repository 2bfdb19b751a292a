// T7 (docs/theorems.md#gpu): the input generator `gpu_inputs` v1 (docs/certificates.md#gpu-inputs).
// Every value it produces is exactly representable in the chosen dtype (and held as binary32), so
// the inputs are exact dyadic rationals and exact attention on them is a well-defined real number.
// The same (family, dtype, kernel, n, d, seed, scale, amplitude) always gives the same Problem.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attncert/gpu/problem.hpp"

namespace attncert::gpu {

inline constexpr const char* kInputsGenerator = "gpu_inputs";
inline constexpr int kInputsVersion = 1;

// The format's limits for gpu certificates (docs/certificates.md#gpu): the verifier refuses what
// the checker would reject as malformed.
namespace limits {
inline constexpr std::uint64_t max_n = std::uint64_t{1} << 20;
inline constexpr std::uint64_t max_d = 1024;
inline constexpr std::uint64_t max_nd = std::uint64_t{1} << 26;
inline constexpr int min_amplitude_log2 = -24, max_amplitude_log2 = 15;
}  // namespace limits

// random: uniform values; t1: the T1/INDEX instance (sign keys and values, queries that point at
// one target key with logits up to ~10^3); needle: one huge key entry among zeros; equal: all
// scores equal; masked: windows that leave part of the cache (and, in prefill, whole rows) out;
// range: magnitudes near the dtype's range.
enum class Family { random, t1, needle, equal, masked, range };
const char* to_string(Family);
// Throws std::invalid_argument naming "inputs" for an unknown name.
Family parse_family(const std::string& name);
DType parse_dtype(const std::string& name);        // "f32" | "f16" | "bf16", else invalid_argument "dtype"
KernelKind parse_kernel(const std::string& name);  // "decode" | "split-decode" | "prefill", else "kernel"

struct InputSpec {
  Family family = Family::random;
  DType dtype = DType::f32;
  KernelKind kernel = KernelKind::decode;  // decides rows (1, or n for causal prefill) and windows
  int n = 1, d = 1;
  std::uint64_t seed = 1;
  float scale = 1.0f;     // must be finite and > 0; see default_scale
  int amplitude_log2 = 0; // t1 only: the queries are 2^amplitude_log2 times the target key
};

struct Inputs {
  Problem problem;
  std::vector<int> targets;  // t1: per row r, the target key t_r (empty for the other families)
};

// rows of the problem: 1 for the decode kernels, n for prefill.
int rows_for(KernelKind kernel, int n);
// The default --scale: the binary32 value nearest to 1/sqrt(d) (exactly, via MPFR); 1 for range.
float default_scale(Family family, int d);
// The default amplitude for t1: the largest 2^a (a in the limits) with scale * d * 2^a <= 1024,
// i.e. the target key's logit scale * amplitude * d is at most 2^10 ~ 10^3.
int default_amplitude_log2(float scale, int d);
// The `needle` entry H and the `range` exponents E_qk, E_v of the spec.
int needle_log2(DType dtype);
int range_qk_log2(DType dtype);
int range_v_log2(DType dtype, int n);

// gpu_inputs v1. Throws std::invalid_argument naming the parameter ("n", "d", "scale",
// "amplitude") when the spec is outside the limits above.
Inputs make_inputs(const InputSpec& spec);

}  // namespace attncert::gpu
