// T7 (gpu_check/README.md "exp"): the worst-case error of the kernels' exp (attncert/gpu/exp.hpp),
// exhaustively over every binary32 argument whose result is neither 0 by underflow nor +inf by
// overflow, against the double-precision libm exp. The error is measured in ulps of the exact
// result: ulp(y) = 2^(floor(log2 y) - 23) for y >= 2^-126, 2^-149 below (a subnormal spacing).
// Arguments outside [-104, 89] return 0 or +inf (the correctly rounded results there, checked at
// the ends). Build with -ffp-contract=off (gpu_check/CMakeLists.txt target gpu_exp_error).
//   gpu_exp_error            all arguments (about 2.3e9; a minute or two on 2 cores)
//   gpu_exp_error STRIDE     every STRIDE-th argument (a quick look)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>

#include "attncert/gpu/exp.hpp"

using attncert::gpu::bits_float;
using attncert::gpu::float_bits;
using attncert::gpu::kexp;

namespace {
struct Worst {
  double ulps = 0;
  float x = 0;
  std::uint64_t count = 0, overflow_mismatch = 0;
};

double ulp_of(double y) {
  const double yl = y * (1.0 - 0x1p-50);  // near a power of two take the smaller binade: conservative
  if (yl < 0x1p-126) return 0x1p-149;
  int e;
  std::frexp(yl, &e);  // yl = f * 2^e, f in [0.5, 1): floor(log2 yl) = e - 1
  return std::ldexp(1.0, e - 1 - 23);
}

// Arguments with bit patterns in [from, to] (inclusive), sign applied by the pattern itself.
Worst scan(std::uint32_t from, std::uint32_t to, std::uint32_t stride, const char* what) {
  Worst w;
  const std::uint64_t total = (static_cast<std::uint64_t>(to) - from) / stride + 1;
  const std::uint64_t chunk = 1u << 24;
  std::uint64_t done = 0;
  for (std::uint64_t base = 0; base < total; base += chunk) {
    const std::uint64_t end = base + chunk < total ? base + chunk : total;
    double best = 0;
    float bx = 0;
    std::uint64_t ovf = 0;
#pragma omp parallel
    {
      double lb = 0;
      float lx = 0;
      std::uint64_t lo = 0;
#pragma omp for schedule(static) nowait
      for (std::int64_t i = static_cast<std::int64_t>(base); i < static_cast<std::int64_t>(end); ++i) {
        const float x = bits_float(static_cast<std::uint32_t>(from + static_cast<std::uint64_t>(i) * stride));
        const float y = kexp(x);
        const double ref = std::exp(static_cast<double>(x));
        if (ref > static_cast<double>(std::numeric_limits<float>::max())) {
          if (std::isfinite(y)) ++lo;  // must overflow to +inf
          continue;
        }
        if (!std::isfinite(y)) { ++lo; continue; }
        const double e = std::fabs(static_cast<double>(y) - ref) / ulp_of(ref);
        if (e > lb) { lb = e; lx = x; }
      }
#pragma omp critical
      {
        if (lb > best) { best = lb; bx = lx; }
        ovf += lo;
      }
    }
    if (best > w.ulps) { w.ulps = best; w.x = bx; }
    w.overflow_mismatch += ovf;
    done = end;
    std::fprintf(stderr, "\r%s: %5.1f%%  max so far %.6f ulp", what, 100.0 * static_cast<double>(done) / static_cast<double>(total), w.ulps);
  }
  std::fprintf(stderr, "\n");
  w.count = total;
  return w;
}
}  // namespace

int main(int argc, char** argv) {
  std::uint32_t stride = 1;
  if (argc > 1) {
    char* endp = nullptr;
    const long s = std::strtol(argv[1], &endp, 10);
    if (!endp || *endp || s < 1 || s > (1L << 24)) {
      std::fprintf(stderr, "gpu_exp_error: STRIDE: must be an integer in [1, 16777216]\n");
      return 2;
    }
    stride = static_cast<std::uint32_t>(s);
  }
  // Ends: below -104 the result is 0, above 89 it is +inf (e^-104 < 2^-150, e^89 > FLT_MAX).
  int bad_ends = 0;
  for (float x : {-104.00001f, -200.0f, -1e30f, -std::numeric_limits<float>::infinity()})
    if (kexp(x) != 0.0f) ++bad_ends;
  for (float x : {89.00001f, 1e30f, std::numeric_limits<float>::infinity()})
    if (kexp(x) != std::numeric_limits<float>::infinity()) ++bad_ends;
  if (!std::isnan(kexp(std::numeric_limits<float>::quiet_NaN()))) ++bad_ends;
  const Worst neg = scan(0x80000000u, float_bits(-104.0f), stride, "x in [-104, -0]");
  const Worst pos = scan(0x00000000u, float_bits(89.0f), stride, "x in [+0, 89]");
  std::printf("kexp vs double exp, %s (stride %u)\n", stride == 1 ? "exhaustive" : "sampled", stride);
  std::printf("x <= 0: %llu arguments, max error %.6f ulp at x = %a (%.9g)\n", static_cast<unsigned long long>(neg.count), neg.ulps, neg.x, neg.x);
  std::printf("x >= 0: %llu arguments, max error %.6f ulp at x = %a (%.9g); overflow mismatches %llu\n",
              static_cast<unsigned long long>(pos.count), pos.ulps, pos.x, pos.x, static_cast<unsigned long long>(pos.overflow_mismatch + neg.overflow_mismatch));
  std::printf("ends (0 below -104, +inf above 89, NaN): %s\n", bad_ends ? "WRONG" : "ok");
  return bad_ends || pos.overflow_mismatch || neg.overflow_mismatch ? 1 : 0;
}
