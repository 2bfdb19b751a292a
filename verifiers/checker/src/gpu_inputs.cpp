#include "gpu_inputs.hpp"

#include <bit>

namespace attncert::checker {

bool gpu_family_from(const std::string& s, GpuFamily& f) {
  static const std::pair<const char*, GpuFamily> names[] = {{"random", GpuFamily::random}, {"t1", GpuFamily::t1},
                                                            {"needle", GpuFamily::needle}, {"equal", GpuFamily::equal},
                                                            {"masked", GpuFamily::masked}, {"range", GpuFamily::range}};
  for (const auto& [name, v] : names)
    if (s == name) return f = v, true;
  return false;
}

bool gpu_dtype_from(const std::string& s, GpuDtype& t) {
  if (s == "f32") return t = GpuDtype::f32, true;
  if (s == "f16") return t = GpuDtype::f16, true;
  if (s == "bf16") return t = GpuDtype::bf16, true;
  return false;
}

int gpu_significand_bits(GpuDtype t) { return t == GpuDtype::f32 ? 24 : t == GpuDtype::f16 ? 11 : 8; }

namespace {
std::size_t window_lo(const GpuInputRequest& q) { return q.family == GpuFamily::masked ? q.n / 2 : 0; }
}  // namespace

std::uint64_t gpu_window_pairs(const GpuInputRequest& q) {
  const std::uint64_t n = q.n, P = window_lo(q);
  if (!q.prefill) return n - P;
  // rows r >= P see r + 1 - P keys: 1 + 2 + ... + (n - P)
  return (n - P) * (n - P + 1) / 2;
}

GpuInputs gpu_inputs_v1(const GpuInputRequest& q) {
  GpuInputs in;
  const std::size_t n = q.n, d = q.d, R = q.prefill ? n : 1;
  in.n = n, in.d = d, in.rows = R;
  const int p = gpu_significand_bits(q.dtype);
  Xoshiro256ss rng(q.seed);
  const std::uint64_t span = (std::uint64_t{1} << (p + 1)) - 1, half = (std::uint64_t{1} << p) - 1;
  auto U = [&](ExactMatrix& m, std::size_t count) {  // m = below(2^{p+1} - 1) - (2^p - 1), value m 2^-p
    m.mant.resize(count);
    m.exp = -p;
    for (auto& x : m.mant) x = static_cast<std::int32_t>(static_cast<std::int64_t>(rng.below(span)) - static_cast<std::int64_t>(half));
  };
  auto S = [&](ExactMatrix& m, std::size_t count) {  // next() >> 63: 0 is +1, 1 is -1
    m.mant.resize(count);
    m.exp = 0;
    for (auto& x : m.mant) x = (rng.next() >> 63) ? -1 : 1;
  };
  switch (q.family) {
    case GpuFamily::random:
    case GpuFamily::masked:
    case GpuFamily::range:
      U(in.Q, R * d);
      U(in.K, n * d);
      U(in.V, n * d);
      if (q.family == GpuFamily::range) {
        const bool f16 = q.dtype == GpuDtype::f16;
        const int ceil_log2_n = n <= 1 ? 0 : static_cast<int>(std::bit_width(n - 1));
        in.Q.exp += f16 ? 7 : 30;
        in.K.exp += f16 ? 7 : 30;
        in.V.exp += f16 ? 15 : 126 - ceil_log2_n;
      }
      break;
    case GpuFamily::t1:
      S(in.K, n * d);
      S(in.V, n * d);
      in.Q.mant.resize(R * d);
      in.Q.exp = q.amplitude_exp;
      in.target.resize(R);
      for (std::size_t r = 0; r < R; ++r) {
        const std::size_t t = rng.below(q.prefill ? r + 1 : n);
        in.target[r] = t;
        for (std::size_t c = 0; c < d; ++c) in.Q.mant[r * d + c] = in.K.mant[t * d + c];
      }
      break;
    case GpuFamily::needle: {
      U(in.Q, R * d);
      const std::size_t t = rng.below(n), c0 = rng.below(d);
      in.K.mant.assign(n * d, 0);
      in.K.mant[t * d + c0] = 1;
      in.K.exp = q.dtype == GpuDtype::f16 ? 7 : 30;  // H
      U(in.V, n * d);
      break;
    }
    case GpuFamily::equal: {
      U(in.Q, R * d);
      ExactMatrix k;
      U(k, d);
      in.K.exp = k.exp;
      in.K.mant.resize(n * d);
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t c = 0; c < d; ++c) in.K.mant[j * d + c] = k.mant[c];
      U(in.V, n * d);
      break;
    }
  }
  const std::size_t P = window_lo(q);
  in.lo.resize(R);
  in.hi.resize(R);
  for (std::size_t r = 0; r < R; ++r) {
    in.hi[r] = q.prefill ? r + 1 : n;
    in.lo[r] = P < in.hi[r] ? P : in.hi[r];  // prefill rows r < P: empty
  }
  return in;
}

}  // namespace attncert::checker
