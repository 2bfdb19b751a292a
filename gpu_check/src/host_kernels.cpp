// T7 (gpu_check/README.md): the host drivers of the three kernels. Each driver is one template over
// the scalar S; run_host instantiates it twice, with float (the kernel's outputs, the bits the CUDA
// launchers reproduce) and with Tracked (the same operations plus the running error bound), and
// checks that both produced the same bits. Parallel loops only split independent outputs (keys'
// scores, splits, rows); the order of operations of every output is fixed by kernels.hpp.
// Compiled with -ffp-contract=off (gpu_check/CMakeLists.txt).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "attncert/gpu/checks.hpp"
#include "attncert/gpu/kernels.hpp"
#include "attncert/gpu/problem.hpp"
#include "attncert/gpu/tracked.hpp"

namespace attncert::gpu {

// Measured exhaustively by gpu_check/tools/gpu_exp_error.cpp (gpu_check/README.md "exp"): the
// maximum is 0.96 ulp; padded to 2 for the tracker.
double exp_ulps() { return 2.0; }

namespace {

template <class T> struct Inputs {
  std::vector<T> q, k, v;
};
template <class T> std::vector<T> to_storage(const std::vector<float>& a) {
  std::vector<T> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = storage<T>::from_float(a[i]);
  return out;
}

// Decode of one row over its window (also the naive fp32 baseline of every row).
template <class S, class T>
void decode_row(const T* q, const T* K, const T* V, int d, float scale, int lo, int hi, Plant plant, bool par,
                S* out) {
  using O = ops<S>;
  const int L = hi - lo;
  if (L <= 0) {
    for (int c = 0; c < d; ++c) out[c] = O::cst(0.0f);
    return;
  }
  std::vector<S> s(L), pr(L);
#pragma omp parallel for schedule(static) if (par)
  for (int j = 0; j < L; ++j)
    s[j] = O::key_score(score<S, T>(q, K + static_cast<std::size_t>(lo + j) * d, d, scale), lo + j);
  S m = O::cst(0.0f);  // the maximum: the score that attains it (first of equals), or the plant's 0
  if (plant != Plant::no_max_subtract) {
    m = s[0];
    for (int j = 1; j < L; ++j) m = max_of<S>(m, s[j]);
  }
#pragma omp parallel for schedule(static) if (par)
  for (int j = 0; j < L; ++j) pr[j] = shifted_exp<S>(s[j], m);
  S l = O::cst(0.0f);
  for (int j = 0; j < L; ++j) l = O::add(l, pr[j]);
  std::vector<S> acc(d, O::cst(0.0f));
  for (int j = 0; j < L; ++j) {
    const T* vr = V + static_cast<std::size_t>(lo + j) * d;
    for (int c = 0; c < d; ++c) acc[c] = pv_step<S, T>(acc[c], pr[j], vr[c]);
  }
  for (int c = 0; c < d; ++c) out[c] = O::div(acc[c], l);
}

// The online-softmax state of one split (split-decode) or one row (prefill).
template <class S> struct Online {
  bool started = false;
  S m{};  // the running maximum: the score that set it (or the plant's constant 0)
  S l{};
  std::vector<S> acc;
};

// One block of keys [a, b) with scores s[0 .. b-a).
template <class S, class T, bool CastP>
void online_block(Online<S>& st, const S* s, const T* V, int a, int b, int d, Plant plant) {
  using O = ops<S>;
  const int cnt = b - a;
  S mb = s[0];
  for (int i = 1; i < cnt; ++i) mb = max_of<S>(mb, s[i]);
  const S mn = running_max<S>(st.started, st.m, mb, plant);
  if (st.started) {
    if (plant != Plant::drop_rescale) {
      const S alpha = rescale_factor<S>(st.m, mn);
      st.l = O::mul(st.l, alpha);
      for (int c = 0; c < d; ++c) st.acc[c] = O::mul(st.acc[c], alpha);
    }
  } else {
    st.l = O::cst(0.0f);
    st.acc.assign(d, O::cst(0.0f));
  }
  st.m = mn;
  st.started = true;
  for (int i = 0; i < cnt; ++i) {
    const S p = shifted_exp<S>(s[i], mn);
    st.l = O::add(st.l, p);
    S P = p;
    if constexpr (CastP) P = O::template cast<T>(p);
    const T* vr = V + static_cast<std::size_t>(a + i) * d;
    for (int c = 0; c < d; ++c) st.acc[c] = pv_step<S, T>(st.acc[c], P, vr[c]);
  }
}

template <class S, class T>
void split_decode(const Inputs<T>& in, const Problem& p, const Schedule& sc, S* out) {
  using O = ops<S>;
  const int d = p.d, lo = p.lo[0], hi = p.hi[0];
  if (hi - lo <= 0) {
    for (int c = 0; c < d; ++c) out[c] = O::cst(0.0f);
    return;
  }
  const Plant inner = sc.plant == Plant::drop_rescale ? Plant::none : sc.plant;  // the merge drops it
  std::vector<Online<S>> st(sc.splits);
#pragma omp parallel for schedule(dynamic, 1)
  for (int s = 0; s < sc.splits; ++s) {
    int a, b;
    split_range(lo, hi, sc.splits, s, a, b);
    std::vector<S> sco;
    for (int b0 = a; b0 < b; b0 += sc.block) {
      const int b1 = std::min(b, b0 + sc.block);
      sco.resize(b1 - b0);
      for (int j = b0; j < b1; ++j)
        sco[j - b0] = O::key_score(score<S, T>(in.q.data(), in.k.data() + static_cast<std::size_t>(j) * d, d, p.scale), j);
      online_block<S, T, false>(st[s], sco.data(), in.v.data(), b0, b1, d, inner);
    }
  }
  S M = O::cst(0.0f);
  bool any = false;
  if (sc.plant != Plant::no_max_subtract)
    for (int s = 0; s < sc.splits; ++s)
      if (st[s].started) {
        M = any ? max_of<S>(M, st[s].m) : st[s].m;
        any = true;
      }
  S L = O::cst(0.0f);
  std::vector<S> A(d, O::cst(0.0f));
  for (int s = 0; s < sc.splits; ++s) {
    if (!st[s].started) continue;
    if (sc.plant == Plant::drop_rescale) {
      L = O::add(L, st[s].l);
      for (int c = 0; c < d; ++c) A[c] = O::add(A[c], st[s].acc[c]);
    } else {
      const S w = rescale_factor<S>(st[s].m, M);
      L = O::add(L, O::mul(w, st[s].l));
      for (int c = 0; c < d; ++c) A[c] = O::add(A[c], O::mul(w, st[s].acc[c]));
    }
  }
  for (int c = 0; c < d; ++c) out[c] = O::div(A[c], L);
}

template <class S, class T>
void prefill(const Inputs<T>& in, const Problem& p, const Schedule& sc, S* out) {
  using O = ops<S>;
  const int d = p.d, tk = sc.tile_k;
#pragma omp parallel for schedule(dynamic, 4)
  for (int r = 0; r < p.rows; ++r) {
    const int lo = p.lo[r], hi = p.hi[r];
    S* o = out + static_cast<std::size_t>(r) * d;
    if (hi - lo <= 0) {
      for (int c = 0; c < d; ++c) o[c] = O::cst(0.0f);
      continue;
    }
    Online<S> st;
    std::vector<S> sco;
    const T* q = in.q.data() + static_cast<std::size_t>(r) * d;
    for (int t0 = (lo / tk) * tk; t0 < hi; t0 += tk) {  // key tiles that meet the window
      const int a = std::max(t0, lo), b = std::min(t0 + tk, hi);
      sco.resize(b - a);
      for (int j = a; j < b; ++j)
        sco[j - a] = O::key_score(score<S, T>(q, in.k.data() + static_cast<std::size_t>(j) * d, d, p.scale), j);
      online_block<S, T, true>(st, sco.data(), in.v.data(), a, b, d, sc.plant);
    }
    for (int c = 0; c < d; ++c) o[c] = O::div(st.acc[c], st.l);
  }
}

template <class S, class T>
std::vector<S> run_kernel(const Inputs<T>& in, const Problem& p, const Schedule& sc) {
  std::vector<S> out(static_cast<std::size_t>(p.rows) * p.d);
  switch (sc.kind) {
    case KernelKind::decode:
      decode_row<S, T>(in.q.data(), in.k.data(), in.v.data(), p.d, p.scale, p.lo[0], p.hi[0], sc.plant, true,
                       out.data());
      break;
    case KernelKind::split_decode: split_decode<S, T>(in, p, sc, out.data()); break;
    case KernelKind::prefill: prefill<S, T>(in, p, sc, out.data()); break;
  }
  return out;
}

// ---- the a-priori bound (gpu_check/README.md "A-priori bound") ----
double gamma_n(double n, double u) { return n * u >= 1.0 ? INFINITY : n * u / (1.0 - n * u); }

std::vector<double> apriori_bound(const Problem& p, const Schedule& sc) {
  const double u = 0x1p-24, uT = unit_roundoff(p.dtype), U = exp_ulps();
  const int d = p.d;
  std::vector<double> out(static_cast<std::size_t>(p.rows) * d, 0.0);
#pragma omp parallel for schedule(dynamic, 8)
  for (int r = 0; r < p.rows; ++r) {
    const int lo = p.lo[r], hi = p.hi[r], L = hi - lo;
    if (L <= 0) continue;
    double sigma = 0;  // scale * max_j sum_c |q_c k_jc|
    std::vector<double> vmax(d, 0.0);
    for (int j = lo; j < hi; ++j) {
      double t = 0;
      for (int c = 0; c < d; ++c) {
        t += std::fabs(static_cast<double>(p.q[static_cast<std::size_t>(r) * d + c]) * p.k[static_cast<std::size_t>(j) * d + c]);
        vmax[c] = std::max(vmax[c], static_cast<double>(std::fabs(p.v[static_cast<std::size_t>(j) * d + c])));
      }
      sigma = std::max(sigma, t);
    }
    sigma *= std::fabs(static_cast<double>(p.scale)) * (1 + 0x1p-40);
    const double eps_exp = 0x1p-23 * U;  // relative error of exp, normal range
    const double eps_p = std::expm1(gamma_n(d + 3, u) * sigma) * (1 + eps_exp) + eps_exp;
    const double eps_a = std::expm1(2 * u * sigma * (1 + gamma_n(d + 1, u))) * (1 + eps_exp) + eps_exp;
    double eps;
    if (sc.kind == KernelKind::decode) {
      eps = (1 + eps_p) * (1 + gamma_n(L + 1, u)) - 1;
    } else if (sc.kind == KernelKind::split_decode) {
      const double Ls = std::ceil(static_cast<double>(L) / sc.splits), nb = std::ceil(Ls / sc.block);
      eps = (1 + eps_p) * std::pow(1 + eps_a, nb + 1) * (1 + gamma_n(Ls + nb + sc.splits + 2, u)) - 1;
    } else {
      const double nb = std::floor((hi - 1.0) / sc.tile_k) - std::floor(static_cast<double>(lo) / sc.tile_k) + 1;
      eps = (1 + eps_p) * std::pow(1 + eps_a, nb) * (1 + uT) * (1 + gamma_n(L + nb + 2, u)) - 1;
    }
    eps *= 1 + 0x1p-30;  // the double evaluation above, generously
    for (int c = 0; c < d; ++c) {
      const double b = !(eps < 1.0) ? INFINITY : (2 * eps + u * (1 + eps)) * vmax[c] / (1 - eps) * (1 + 0x1p-30);
      out[static_cast<std::size_t>(r) * d + c] = std::isnan(b) ? INFINITY : b;
    }
  }
  return out;
}

template <class T>
HostRun run_typed(const Problem& p, const Schedule& sc) {
  Inputs<T> in{to_storage<T>(p.q), to_storage<T>(p.k), to_storage<T>(p.v)};
  HostRun run;
  run.out = run_kernel<float, T>(in, p, sc);
  const std::vector<Tracked> tr = run_kernel<Tracked, T>(in, p, sc);
  run.bound.resize(tr.size());
  for (std::size_t i = 0; i < tr.size(); ++i) {
    if (float_bits(tr[i].v) != float_bits(run.out[i]))
      throw std::logic_error("gpu_check: the tracked kernel's value differs from the plain kernel's (element " +
                             std::to_string(i) + ")");
    run.bound[i] = bound_of(tr[i]);
  }
  run.apriori = apriori_bound(p, sc);
  return run;
}

}  // namespace

HostRun run_host(const Problem& p, const Schedule& sched) {
  detail::check_problem(p, sched);
  switch (p.dtype) {
    case DType::f32: return run_typed<float>(p, sched);
    case DType::f16: return run_typed<f16>(p, sched);
    case DType::bf16: return run_typed<bf16>(p, sched);
  }
  throw std::invalid_argument("dtype: unknown");
}

std::vector<float> run_naive_f32(const Problem& p) {
  Schedule sc;
  sc.kind = p.rows == 1 ? KernelKind::decode : KernelKind::prefill;
  detail::check_problem(p, sc);
  std::vector<float> out(static_cast<std::size_t>(p.rows) * p.d);
  const int d = p.d;
  const bool single = p.rows == 1;
#pragma omp parallel for schedule(dynamic, 8) if (!single)
  for (int r = 0; r < p.rows; ++r)
    decode_row<float, float>(p.q.data() + static_cast<std::size_t>(r) * d, p.k.data(), p.v.data(), d, p.scale,
                             p.lo[r], p.hi[r], Plant::none, single, out.data() + static_cast<std::size_t>(r) * d);
  return out;
}

}  // namespace attncert::gpu
