// T7 (gpu_check/README.md "exp"): the kernels' own binary32 exp, __host__ __device__, built only
// from binary32 +, -, * (no FMA; contraction is disabled on both sides: -ffp-contract=off for the
// host sources, --fmad=false for nvcc), comparisons, a float -> int conversion of an integer value
// and exponent bit manipulation. The host and the device therefore produce the same bits.
// Cody-Waite reduction x = k ln2 + r (k = round(x log2 e), ln2 split in a 9-bit head and a tail),
// a degree-6 polynomial for e^r on |r| <= ~0.35 (Cephes' expf coefficients), and scaling by 2^k
// in at most two exact power-of-two multiplications (one rounding into the subnormal range).
// Worst-case error, measured exhaustively over every binary32 argument (gpu_check/tools/
// gpu_exp_error.cpp): see exp_ulps() and gpu_check/README.md.
#pragma once
#include "attncert/gpu/float_types.hpp"

namespace attncert::gpu {

ATTNCERT_HD float pow2i(int k) {  // 2^k for k in [-126, 127]
  return bits_float(static_cast<std::uint32_t>(k + 127) << 23);
}

ATTNCERT_HD float kexp(float x) {
  if (!(x == x)) return x;                      // NaN
  if (x > 89.0f) return bits_float(0x7f800000u);  // e^89 > FLT_MAX: +inf
  if (x < -104.0f) return 0.0f;                 // e^-104 < 2^-150: rounds to 0
  const float t = fmul(x, 1.44269504088896341f);
  const float kf = fsub(fadd(t, 12582912.0f), 12582912.0f);  // round to nearest integer (|t| < 2^22)
  const float r = fsub(fsub(x, fmul(kf, 0.693359375f)), fmul(kf, -2.12194440e-4f));
  const float z = fmul(r, r);
  float p = 1.9875691500e-4f;
  p = fadd(fmul(p, r), 1.3981999507e-3f);
  p = fadd(fmul(p, r), 8.3334519073e-3f);
  p = fadd(fmul(p, r), 4.1665795894e-2f);
  p = fadd(fmul(p, r), 1.6666665459e-1f);
  p = fadd(fmul(p, r), 5.0000001201e-1f);
  const float y = fadd(fadd(fmul(p, z), r), 1.0f);  // e^r in [0.7, 1.42]
  const int k = static_cast<int>(kf);  // in [-150, 128]
  if (k > 127) return fmul(fmul(y, pow2i(k - 2)), 4.0f);
  if (k < -126) return fmul(fmul(y, pow2i(k + 64)), 0x1p-64f);  // exact, then one rounding
  return fmul(y, pow2i(k));
}

}  // namespace attncert::gpu
