// T7 (docs/theorems.md#gpu, gpu_check/README.md "Float types"): the kernels' storage types.
// binary16 (`f16`) and bfloat16 (`bf16`) are 16-bit patterns with round-to-nearest-even conversion
// from binary32 and exact widening to binary32, written once with integer bit operations so the
// host and the device (nvcc compiles the same functions as __host__ __device__) produce the same
// bits. cuda_fp16/cuda_bf16 are not used: bit-level code is identical on both sides by
// construction, and widening to fp32 is exactly what the kernels do before any arithmetic.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define ATTNCERT_HD __host__ __device__ __forceinline__
#else
#define ATTNCERT_HD inline
#endif

namespace attncert::gpu {

ATTNCERT_HD std::uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}
ATTNCERT_HD float bits_float(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

// Single binary32 operations, round to nearest even, never contracted: on the device the _rn
// intrinsics (which nvcc never fuses into an FMA), on the host plain operators compiled with
// -ffp-contract=off (gpu_check/CMakeLists.txt).
ATTNCERT_HD float fadd(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
ATTNCERT_HD float fsub(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}
ATTNCERT_HD float fmul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
ATTNCERT_HD float fdiv(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}

struct f16 { std::uint16_t bits; };
struct bf16 { std::uint16_t bits; };

// binary32 -> binary16, round to nearest, ties to even; overflow to +-inf, NaN stays NaN.
ATTNCERT_HD std::uint16_t f16_bits_from_float(float f) {
  const std::uint32_t x = float_bits(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u);  // NaN
  if (ax >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520: inf
  if (ax <= 0x33000000u) return static_cast<std::uint16_t>(sign);            // <= 2^-25: 0 (tie to even)
  const int e = static_cast<int>(ax >> 23);
  const std::uint32_t m = (ax & 0x7fffffu) | 0x800000u;  // value m * 2^(e-150)
  std::uint32_t h, rem, half;
  int shift;
  if (e < 113) {  // subnormal half: h * 2^-24 with h = m * 2^(e-126)
    shift = 126 - e;
    h = m >> shift;
  } else {        // normal half: exponent e - 112, 10 stored bits
    shift = 13;
    h = (static_cast<std::uint32_t>(e - 112) << 10) | ((m >> 13) & 0x3ffu);
  }
  rem = m & ((1u << shift) - 1u);
  half = 1u << (shift - 1);
  if (rem > half || (rem == half && (h & 1u))) ++h;  // a carry moves into the exponent correctly
  return static_cast<std::uint16_t>(sign | h);
}
ATTNCERT_HD float f16_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t E = (h >> 10) & 0x1fu, M = h & 0x3ffu;
  if (E == 0) {  // zero or subnormal: M * 2^-24, exact in binary32
    const float mag = static_cast<float>(M) * 0x1p-24f;
    return bits_float(float_bits(mag) | sign);
  }
  if (E == 31) return bits_float(sign | 0x7f800000u | (M << 13));
  return bits_float(sign | ((E + 112u) << 23) | (M << 13));
}

// binary32 -> bfloat16, round to nearest, ties to even; overflow to +-inf, NaN stays NaN.
ATTNCERT_HD std::uint16_t bf16_bits_from_float(float f) {
  const std::uint32_t x = float_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
  const std::uint32_t r = x + 0x7fffu + ((x >> 16) & 1u);
  return static_cast<std::uint16_t>(r >> 16);
}
ATTNCERT_HD float bf16_to_float(std::uint16_t b) { return bits_float(static_cast<std::uint32_t>(b) << 16); }

// The storage type's interface for the kernels: from_float<T> rounds (RNE), widen is exact.
template <class T> struct storage;
template <> struct storage<float> {
  static constexpr int digits = 24;
  ATTNCERT_HD static float from_float(float x) { return x; }
  ATTNCERT_HD static float widen(float x) { return x; }
};
template <> struct storage<f16> {
  static constexpr int digits = 11;
  ATTNCERT_HD static f16 from_float(float x) { return f16{f16_bits_from_float(x)}; }
  ATTNCERT_HD static float widen(f16 x) { return f16_to_float(x.bits); }
};
template <> struct storage<bf16> {
  static constexpr int digits = 8;
  ATTNCERT_HD static bf16 from_float(float x) { return bf16{bf16_bits_from_float(x)}; }
  ATTNCERT_HD static float widen(bf16 x) { return bf16_to_float(x.bits); }
};
// x rounded to T and widened back to binary32 (the cast of P in prefill).
template <class T> ATTNCERT_HD float round_to(float x) { return storage<T>::widen(storage<T>::from_float(x)); }

}  // namespace attncert::gpu
