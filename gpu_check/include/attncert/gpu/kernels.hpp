// T7 (docs/theorems.md#gpu, gpu_check/README.md "Kernels"): the arithmetic of the three kernels,
// written once as __host__ __device__ templates over
//   S  the scalar: `float` (the kernel itself) or `Tracked` (tracked.hpp: the same float value
//      plus a rigorous bound on its distance to the exact value of the same schedule), and
//   T  the storage type of Q, K, V: float, f16 or bf16 (float_types.hpp); fp32 accumulation.
// Every floating-point operation goes through ops<S> (one rounding each, no contraction), so the
// order of operations below IS the kernel definition; the host drivers (src/host_kernels.cpp) and
// the CUDA launchers (cuda/launch.cu) call these helpers and keep, per output element, the same
// sequence:
//   score   s_j = fl(fl(sum_c q_c k_jc) * scale), the sum from c = 0 upward starting at 0
//   decode  m = max_j s_j; p_j = exp(s_j - m); l = sum_j p_j and acc_c = sum_j p_j v_jc in key
//           order; out_c = acc_c / l
//   online  (a split of split-decode, a row of prefill) keys in blocks; per block b:
//           m' = max(m, max_b s_j); alpha = exp(m - m') (not for the first block);
//           l = alpha l, acc_c = alpha acc_c; then per key in order p = exp(s_j - m'),
//           l = l + p, acc_c = acc_c + P v_jc with P = p (split-decode) or P = p rounded to T
//           and widened (prefill)
//   merge   M = max_s m_s over non-empty splits; in split order w = exp(m_s - M),
//           L = L + w l_s, A_c = A_c + w acc_s,c; out_c = A_c / L
// Plants: no_max_subtract uses the constant 0 for every max (m, m', M); drop_rescale skips the
// multiplications by alpha (prefill) or by w (split-decode merge).
// The maxima are scalars S, not floats: a maximum IS one of the scores (max_of returns the operand
// it selects), so the tracked instantiation knows which key's score set it, and models the exact
// computation with the exact score of that key as the shift (gpu_check/README.md "Bound model").
// For S = float this is the plain maximum; the float values are the same either way.
#pragma once
#include "attncert/gpu/exp.hpp"
#include "attncert/gpu/float_types.hpp"
#include "attncert/gpu/problem.hpp"

namespace attncert::gpu {

// The operations of the plain kernel; tracked.hpp gives the same interface for Tracked.
template <class S> struct ops;
template <> struct ops<float> {
  ATTNCERT_HD static float cst(float x) { return x; }  // an exact constant (input, max, scale)
  ATTNCERT_HD static float val(float x) { return x; }
  ATTNCERT_HD static float add(float a, float b) { return fadd(a, b); }
  ATTNCERT_HD static float sub(float a, float b) { return fsub(a, b); }
  ATTNCERT_HD static float mul(float a, float b) { return fmul(a, b); }
  ATTNCERT_HD static float div(float a, float b) { return fdiv(a, b); }
  ATTNCERT_HD static float exp(float a) { return kexp(a); }
  template <class T> ATTNCERT_HD static float cast(float a) { return round_to<T>(a); }
  // The score of key j (a label for the tracker; nothing for the plain kernel).
  ATTNCERT_HD static float key_score(float s, int) { return s; }
};

ATTNCERT_HD float fmax_ordered(float a, float b) { return b > a ? b : a; }

// The maximum of two scalars as the operand it selects (b only when its value is larger: the first
// of equal values stays, exactly as fmax_ordered).
template <class S>
ATTNCERT_HD S max_of(const S& a, const S& b) {
  return ops<S>::val(b) > ops<S>::val(a) ? b : a;
}

// s_j for one key: q and k rows of d stored values.
template <class S, class T>
ATTNCERT_HD S score(const T* q, const T* k, int d, float scale) {
  using O = ops<S>;
  S acc = O::cst(0.0f);
  for (int c = 0; c < d; ++c)
    acc = O::add(acc, O::mul(O::cst(storage<T>::widen(q[c])), O::cst(storage<T>::widen(k[c]))));
  return O::mul(acc, O::cst(scale));
}

// p = exp(s - m) with m the running maximum (a score, or the constant 0 of the no_max_subtract plant).
template <class S>
ATTNCERT_HD S shifted_exp(const S& s, const S& m) {
  using O = ops<S>;
  return O::exp(O::sub(s, m));
}

// acc + P * v for one key and one column (P already cast where the kernel casts it).
template <class S, class T>
ATTNCERT_HD S pv_step(const S& acc, const S& P, T v) {
  using O = ops<S>;
  return O::add(acc, O::mul(P, O::cst(storage<T>::widen(v))));
}

// The rescale factor of an online step (or of the merge) from running max m_old to m_new.
template <class S>
ATTNCERT_HD S rescale_factor(const S& m_old, const S& m_new) {
  return shifted_exp<S>(m_old, m_new);
}

template <class S>
ATTNCERT_HD S running_max(bool started, const S& m_old, const S& block_max, Plant plant) {
  if (plant == Plant::no_max_subtract) return ops<S>::cst(0.0f);
  return started ? max_of<S>(m_old, block_max) : block_max;
}

// Split s of window [lo, hi) split in S parts of ceil(L / S) keys: [a, b), possibly empty.
ATTNCERT_HD void split_range(int lo, int hi, int splits, int s, int& a, int& b) {
  const int L = hi - lo;
  const int c = (L + splits - 1) / splits;
  const long long a64 = static_cast<long long>(lo) + static_cast<long long>(s) * c;
  a = a64 < hi ? static_cast<int>(a64) : hi;
  b = a + c < hi ? a + c : hi;
}

}  // namespace attncert::gpu
