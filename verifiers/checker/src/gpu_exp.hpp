// A fast rigorous enclosure of e^{-y} for the gpu check's softmax weights, in 63-bit fixed point.
// q_exp (qarith) costs tens of microseconds per call; a prefill certificate needs ~10^6 weights,
// so the gpu check encloses them with 128-bit integer arithmetic instead: tables enclosed once by
// q_exp, an exact argument reduction and a Taylor remainder bounded by the alternating-series rule.
// No floating point. Tests compare every path against q_exp (tests/test_checker_gpu.cpp).
#pragma once
#include <cstdint>

namespace attncert::checker {

// Fixed point: an integer u stands for u / 2^63; one is kGpuOne.
inline constexpr std::uint64_t kGpuOne = std::uint64_t{1} << 63;

struct FixedInterval {
  std::uint64_t lo, hi;  // lo / 2^63 <= true value <= hi / 2^63
};

// Encloses e^{-y} for y = D * 2^E >= 0 (D < 2^127). Exact ([kGpuOne, kGpuOne]) for y = 0; for
// y >= 44 it is [0, 1] (e^{-44} < 2^-63). Otherwise the width is at most 16 units (2^-59).
FixedInterval gpu_exp_neg(unsigned __int128 D, int E);

}  // namespace attncert::checker
