// gpu_inputs v1, draw for draw as written in docs/certificates.md#gpu-inputs.
#include "attncert/gpu/inputs.hpp"

#include <mpfr.h>

#include <cmath>
#include <stdexcept>

#include "attncert/core/rng.hpp"

namespace attncert::gpu {

const char* to_string(Family f) {
  switch (f) {
    case Family::random: return "random";
    case Family::t1: return "t1";
    case Family::needle: return "needle";
    case Family::equal: return "equal";
    case Family::masked: return "masked";
    case Family::range: return "range";
  }
  return "?";
}

Family parse_family(const std::string& s) {
  for (Family f : {Family::random, Family::t1, Family::needle, Family::equal, Family::masked, Family::range})
    if (s == to_string(f)) return f;
  throw std::invalid_argument("inputs: unknown family '" + s + "' (random | t1 | needle | equal | masked | range)");
}

DType parse_dtype(const std::string& s) {
  for (DType t : {DType::f32, DType::f16, DType::bf16})
    if (s == to_string(t)) return t;
  throw std::invalid_argument("dtype: unknown type '" + s + "' (f32 | f16 | bf16)");
}

KernelKind parse_kernel(const std::string& s) {
  for (KernelKind k : {KernelKind::decode, KernelKind::split_decode, KernelKind::prefill})
    if (s == to_string(k)) return k;
  throw std::invalid_argument("kernel: unknown kernel '" + s + "' (decode | split-decode | prefill)");
}

int rows_for(KernelKind kernel, int n) { return kernel == KernelKind::prefill ? n : 1; }

float default_scale(Family family, int d) {
  if (family == Family::range) return 1.0f;
  if (d < 1) throw std::invalid_argument("d: must be >= 1");
  // 1/sqrt(d) correctly rounded to 24 bits; d <= 2^20 keeps it a normal binary32.
  mpfr_t x;
  mpfr_init2(x, 24);
  mpfr_set_ui(x, static_cast<unsigned long>(d), MPFR_RNDN);
  mpfr_rec_sqrt(x, x, MPFR_RNDN);
  const float s = mpfr_get_flt(x, MPFR_RNDN);  // exact: x has 24 bits
  mpfr_clear(x);
  return s;
}

int default_amplitude_log2(float scale, int d) {
  // largest a with scale * d * 2^a <= 2^10 (exact: scale * d is exact in double)
  const double sd = static_cast<double>(scale) * d;
  int a = limits::max_amplitude_log2;
  while (a > limits::min_amplitude_log2 && std::ldexp(sd, a) > 1024.0) --a;
  return a;
}

int needle_log2(DType t) { return t == DType::f16 ? 7 : 30; }
int range_qk_log2(DType t) { return t == DType::f16 ? 7 : 30; }
int range_v_log2(DType t, int n) {
  if (t == DType::f16) return 15;
  int c = 0;  // ceil(log2 n)
  while ((std::uint64_t{1} << c) < static_cast<std::uint64_t>(n)) ++c;
  return 126 - c;
}

namespace {

struct Draws {
  core::Xoshiro256ss rng;
  int p;
  // U(): m = below(2^{p+1} - 1) - (2^p - 1), value m 2^{-p} (times 2^e for range)
  float u(double pow2) {  // pow2 = 2^(e - p)
    const std::int64_t full = (std::int64_t{1} << (p + 1)) - 1;
    const std::int64_t m = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(full))) - ((std::int64_t{1} << p) - 1);
    return static_cast<float>(static_cast<double>(m) * pow2);  // exact: |m| < 2^p, in the dtype's range
  }
  // S(): next() >> 63; 0 is +1, 1 is -1
  float s() { return (rng.next() >> 63) ? -1.0f : 1.0f; }
  void fill_u(std::vector<float>& m, int e = 0) {
    const double pow2 = std::ldexp(1.0, e - p);
    for (float& x : m) x = u(pow2);
  }
};

}  // namespace

Inputs make_inputs(const InputSpec& spec) {
  if (spec.n < 1 || static_cast<std::uint64_t>(spec.n) > limits::max_n)
    throw std::invalid_argument("n: must lie in [1, 2^20], got " + std::to_string(spec.n));
  if (spec.d < 1 || static_cast<std::uint64_t>(spec.d) > limits::max_d)
    throw std::invalid_argument("d: must lie in [1, 1024], got " + std::to_string(spec.d));
  if (static_cast<std::uint64_t>(spec.n) * static_cast<std::uint64_t>(spec.d) > limits::max_nd)
    throw std::invalid_argument("n: n*d must be <= 2^26, got " + std::to_string(std::uint64_t(spec.n) * spec.d));
  if (!(spec.scale > 0.0f) || !std::isfinite(spec.scale))
    throw std::invalid_argument("scale: must be a finite binary32 value > 0");
  if (spec.family == Family::t1 &&
      (spec.amplitude_log2 < limits::min_amplitude_log2 || spec.amplitude_log2 > limits::max_amplitude_log2))
    throw std::invalid_argument("amplitude: must be 2^a with a in [-24, 15], got 2^" + std::to_string(spec.amplitude_log2));

  const int n = spec.n, d = spec.d, R = rows_for(spec.kernel, n);
  const bool prefill = spec.kernel == KernelKind::prefill;
  Inputs in;
  Problem& P = in.problem;
  P.dtype = spec.dtype;
  P.rows = R;
  P.n = n;
  P.d = d;
  P.scale = spec.scale;
  P.q.assign(static_cast<std::size_t>(R) * d, 0.0f);
  P.k.assign(static_cast<std::size_t>(n) * d, 0.0f);
  P.v.assign(static_cast<std::size_t>(n) * d, 0.0f);
  P.lo.assign(R, 0);
  P.hi.resize(R);
  for (int r = 0; r < R; ++r) P.hi[r] = prefill ? r + 1 : n;

  Draws g{core::Xoshiro256ss(spec.seed), significand_bits(spec.dtype)};
  switch (spec.family) {
    case Family::random:
    case Family::masked:
      g.fill_u(P.q);
      g.fill_u(P.k);
      g.fill_u(P.v);
      if (spec.family == Family::masked) {
        const int half = n / 2;
        for (int r = 0; r < R; ++r) {
          P.lo[r] = half;
          if (P.hi[r] < half) P.hi[r] = half;  // prefill rows r < P: the empty window [P, P)
        }
      }
      break;
    case Family::t1: {
      for (float& x : P.k) x = g.s();
      for (float& x : P.v) x = g.s();
      const float amp = std::ldexp(1.0f, spec.amplitude_log2);
      in.targets.resize(R);
      for (int r = 0; r < R; ++r) {
        const int t = static_cast<int>(g.rng.below(static_cast<std::uint64_t>(prefill ? r + 1 : n)));
        in.targets[r] = t;
        for (int c = 0; c < d; ++c) P.q[static_cast<std::size_t>(r) * d + c] = amp * P.k[static_cast<std::size_t>(t) * d + c];
      }
      break;
    }
    case Family::needle: {
      g.fill_u(P.q);
      const auto t = g.rng.below(static_cast<std::uint64_t>(n));
      const auto c0 = g.rng.below(static_cast<std::uint64_t>(d));
      P.k[t * d + c0] = std::ldexp(1.0f, needle_log2(spec.dtype));
      g.fill_u(P.v);
      break;
    }
    case Family::equal: {
      g.fill_u(P.q);
      std::vector<float> key(d);
      g.fill_u(key);
      for (int j = 0; j < n; ++j)
        for (int c = 0; c < d; ++c) P.k[static_cast<std::size_t>(j) * d + c] = key[c];
      g.fill_u(P.v);
      break;
    }
    case Family::range:
      g.fill_u(P.q, range_qk_log2(spec.dtype));
      g.fill_u(P.k, range_qk_log2(spec.dtype));
      g.fill_u(P.v, range_v_log2(spec.dtype, n));
      break;
  }
  return in;
}

}  // namespace attncert::gpu
