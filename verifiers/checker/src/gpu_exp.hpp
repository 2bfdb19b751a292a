// A fast rigorous enclosure of e^{-y} for the gpu check's softmax weights, in 63-bit fixed point.
// q_exp (qarith) costs tens of microseconds per call; a prefill certificate needs ~10^6 weights,
// so the gpu check encloses them with 128-bit integer arithmetic instead: tables enclosed once by
// q_exp, an exact argument reduction and a Taylor remainder bounded by the alternating-series rule.
// No floating point. Tests compare every path against q_exp (tests/test_checker_gpu.cpp).
#pragma once
#include <gmpxx.h>

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


// The refinement path's enclosure at W bits (W >= 64): e^{-y}, y = D 2^E >= 0, in units of 2^-W,
// by mpz fixed point (no rationals, no gcd): ~100x faster than q_exp at 128 bits. `ln2` must come
// from gpu_ln2_fixed(W). Exact for y = 0; [0, 1] for y >= W; otherwise the width is a few units.
struct Ln2Fixed {
  unsigned Q;         // units of 2^-Q, Q = W + 32
  mpz_class lo, hi;   // lo / 2^Q <= ln 2 <= hi / 2^Q
};
Ln2Fixed gpu_ln2_fixed(unsigned W);
void gpu_exp_neg_precise(const mpz_class& D, long E, unsigned W, const Ln2Fixed& ln2, mpz_class& lo, mpz_class& hi);

}  // namespace attncert::checker
