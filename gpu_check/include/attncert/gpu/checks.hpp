// T7: the checks shared by the host driver and the CUDA launchers. A problem or schedule that does
// not fit throws std::invalid_argument naming the parameter (the CLI turns it into exit 2).
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "attncert/gpu/float_types.hpp"
#include "attncert/gpu/problem.hpp"

namespace attncert::gpu::detail {

inline void fail(const std::string& what) { throw std::invalid_argument(what); }

inline void check_schedule(const Schedule& s) {
  if (s.splits < 1) fail("splits: must be >= 1");
  if (s.block < 1) fail("block: must be >= 1");
  if (s.tile_q < 1) fail("tile_q: must be >= 1");
  if (s.tile_k < 1) fail("tile_k: must be >= 1");
  if (s.kind == KernelKind::decode && s.plant == Plant::drop_rescale)
    fail("plant: drop-rescale needs a kernel that rescales (split-decode or prefill); decode has none");
}

inline const char* dtype_name(DType t) { return t == DType::f32 ? "f32" : t == DType::f16 ? "f16" : "bf16"; }

template <class T>
bool exact_in(float x) {
  const float y = storage<T>::widen(storage<T>::from_float(x));
  return float_bits(x) == float_bits(y);
}

inline void check_values(const std::vector<float>& a, const char* name, DType t) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const float x = a[i];
    const bool ok = t == DType::f32 ? (x - x == 0.0f) : t == DType::f16 ? exact_in<f16>(x) && x - x == 0.0f
                                                                         : exact_in<bf16>(x) && x - x == 0.0f;
    if (!ok)
      fail(std::string(name) + ": element " + std::to_string(i) + " is not a finite value exactly representable in " +
           dtype_name(t));
  }
}

inline void check_problem(const Problem& p, const Schedule& s) {
  check_schedule(s);
  if (p.n < 0) fail("n: must be >= 0");
  if (p.d < 1) fail("d: must be >= 1");
  if (p.rows < 1) fail("rows: must be >= 1");
  if (s.kind == KernelKind::prefill) {
    if (p.rows != p.n) fail("rows: prefill needs rows = n (one query per key)");
  } else if (p.rows != 1) {
    fail(std::string("rows: ") + (s.kind == KernelKind::decode ? "decode" : "split-decode") + " needs rows = 1");
  }
  const auto rd = static_cast<std::size_t>(p.rows) * p.d, nd = static_cast<std::size_t>(p.n) * p.d;
  if (p.q.size() != rd) fail("q: needs rows*d values");
  if (p.k.size() != nd) fail("k: needs n*d values");
  if (p.v.size() != nd) fail("v: needs n*d values");
  if (p.lo.size() != static_cast<std::size_t>(p.rows)) fail("lo: needs one value per row");
  if (p.hi.size() != static_cast<std::size_t>(p.rows)) fail("hi: needs one value per row");
  for (int r = 0; r < p.rows; ++r)  // lo >= hi is an empty window (a masked row)
    if (p.lo[r] < 0 || p.lo[r] > p.n || p.hi[r] < 0 || p.hi[r] > p.n)
      fail("lo/hi: row " + std::to_string(r) + " window must lie in [0, n]");
  if (!(p.scale - p.scale == 0.0f)) fail("scale: must be finite");
  check_values(p.q, "q", p.dtype);
  check_values(p.k, "k", p.dtype);
  check_values(p.v, "v", p.dtype);
}

}  // namespace attncert::gpu::detail
