// T7 (gpu_check/README.md "Kernels", "On a GPU"): the CUDA kernels. They call the same
// __host__ __device__ helpers as the host drivers (attncert/gpu/kernels.hpp) and keep, for every
// output element, the same sequence of binary32 operations; the parallelism only splits
// independent work (keys' scores, columns, splits, rows, heads). Maxima are exact in any order.
// Layout, per head h of H independent problems: q[h][rows][d], k[h][n][d], v[h][n][d],
// out[h][rows][d]; all heads share n, d, the windows and the schedule.
#pragma once
#include <cuda_runtime.h>

#include "attncert/gpu/kernels.hpp"

namespace attncert::gpu::dev {

constexpr int kThreads = 256;      // threads per block of every kernel
constexpr int kMaxBlockKeys = 4096;  // device limit on `block` (split-decode) and `tile_k` (prefill)
constexpr int kScoreKeys = 128;    // keys per block of the score kernel
constexpr int kScoreCols = 32;     // columns staged per step of the score kernel

// acc + sum_i P[i] * v[i * d] in order i = 0 .. cnt-1 (pv_step each), with the loads of V issued
// eight keys ahead of the dependent additions: the same operations, more memory parallelism.
template <class T>
__device__ inline float pv_column(float acc, const float* P, const T* v, int d, int cnt) {
  int i = 0;
  for (; i + 8 <= cnt; i += 8) {
    T x[8];
#pragma unroll
    for (int u = 0; u < 8; ++u) x[u] = v[static_cast<size_t>(i + u) * d];
#pragma unroll
    for (int u = 0; u < 8; ++u) acc = pv_step<float, T>(acc, P[i + u], x[u]);
  }
  for (; i < cnt; ++i) acc = pv_step<float, T>(acc, P[i], v[static_cast<size_t>(i) * d]);
  return acc;
}

// Block-wide maximum of one value per thread (exact: max does not round).
__device__ inline float block_max(float x, float* red) {
  red[threadIdx.x] = x;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s /= 2) {
    if (threadIdx.x < s) red[threadIdx.x] = fmax_ordered(red[threadIdx.x], red[threadIdx.x + s]);
    __syncthreads();
  }
  const float m = red[0];
  __syncthreads();
  return m;
}

// Scores of the keys [lo, hi) for one query per head: s[h][j - lo]. The K tile is staged in
// shared memory 32 columns at a time (coalesced loads); each thread sums its key's products in
// column order, exactly as score<float, T>.
template <class T>
__global__ void scores_kernel(const T* q, const T* k, int n, int d, float scale, int lo, int hi, float* s) {
  __shared__ float tile[kScoreKeys][kScoreCols + 1];
  const int h = blockIdx.y, j0 = lo + blockIdx.x * kScoreKeys, L = hi - lo;
  const T* qh = q + static_cast<size_t>(h) * d;
  const T* kh = k + static_cast<size_t>(h) * n * d;
  const int t = threadIdx.x;
  float acc = 0.0f;
  for (int c0 = 0; c0 < d; c0 += kScoreCols) {
    const int w = min(kScoreCols, d - c0);
    for (int e = t; e < kScoreKeys * kScoreCols; e += blockDim.x) {
      const int kk = e / kScoreCols, cc = e % kScoreCols, j = j0 + kk;
      tile[kk][cc] = (j < hi && cc < w) ? storage<T>::widen(kh[static_cast<size_t>(j) * d + c0 + cc]) : 0.0f;
    }
    __syncthreads();
    if (t < kScoreKeys)
      for (int cc = 0; cc < w; ++cc)
        acc = fadd(acc, fmul(storage<T>::widen(qh[c0 + cc]), tile[t][cc]));
    __syncthreads();
  }
  const int j = j0 + t;
  if (t < kScoreKeys && j < hi) s[static_cast<size_t>(h) * L + (j - lo)] = fmul(acc, scale);
}

// Decode after the scores: m, p_j = exp(s_j - m) (in place), l and acc_c in key order, divide.
// One block per head; "jobs" 0..d-1 are the columns, job d is l.
template <class T>
__global__ void decode_kernel(const T* v, float* s, int n, int d, int lo, int hi, Plant plant, float* out) {
  __shared__ float red[kThreads];
  __shared__ float acc[1025];
  const int h = blockIdx.x, L = hi - lo;
  float* sh = s + static_cast<size_t>(h) * L;
  const T* vh = v + static_cast<size_t>(h) * n * d;
  float mloc = -INFINITY;
  for (int j = threadIdx.x; j < L; j += blockDim.x) mloc = fmax_ordered(mloc, sh[j]);
  float m = block_max(mloc, red);
  if (plant == Plant::no_max_subtract) m = 0.0f;
  for (int j = threadIdx.x; j < L; j += blockDim.x) sh[j] = shifted_exp<float>(sh[j], m);
  __syncthreads();
  for (int job = threadIdx.x; job <= d; job += blockDim.x) {
    float a = 0.0f;
    if (job == d) {
      for (int j = 0; j < L; ++j) a = fadd(a, sh[j]);
    } else {
      a = pv_column<T>(a, sh, vh + static_cast<size_t>(lo) * d + job, d, L);
    }
    acc[job] = a;
  }
  __syncthreads();
  for (int c = threadIdx.x; c < d; c += blockDim.x) out[static_cast<size_t>(h) * d + c] = fdiv(acc[c], acc[d]);
}

// One online-softmax stream (a split, or a prefill row): keys [a, b) in blocks whose boundaries
// are origin + i*bsize. Leaves m, started and acc[0..d] (acc[d] = l) in shared memory.
// Dynamic shared memory: sbuf[bsize] (scores, then p), pbuf[bsize] (P), acc[d + 1].
template <class T, bool CastP>
__device__ void online_stream(const T* q, const T* k, const T* v, int d, float scale, int a, int b, int origin,
                              int bsize, Plant plant, float* sbuf, float* pbuf, float* acc, float* red,
                              float& m_out, bool& started_out) {
  bool started = false;
  float m = 0.0f;
  int b0 = a;
  while (b0 < b) {
    const int bi = (b0 - origin) / bsize;
    const int b1 = min(b, origin + (bi + 1) * bsize), cnt = b1 - b0;
    float mloc = -INFINITY;
    for (int i = threadIdx.x; i < cnt; i += blockDim.x) {
      const float si = score<float, T>(q, k + static_cast<size_t>(b0 + i) * d, d, scale);
      sbuf[i] = si;
      mloc = fmax_ordered(mloc, si);
    }
    const float mb = block_max(mloc, red);  // synchronises: sbuf is complete
    const float mn = running_max(started, m, mb, plant);
    for (int i = threadIdx.x; i < cnt; i += blockDim.x) {
      const float p = shifted_exp<float>(sbuf[i], mn);
      sbuf[i] = p;
      pbuf[i] = CastP ? ops<float>::cast<T>(p) : p;
    }
    __syncthreads();
    const bool rescale = started && plant != Plant::drop_rescale;
    const float alpha = rescale ? rescale_factor<float>(m, mn) : 1.0f;
    for (int job = threadIdx.x; job <= d; job += blockDim.x) {
      float x = started ? acc[job] : 0.0f;
      if (rescale) x = fmul(x, alpha);
      if (job == d) {
        for (int i = 0; i < cnt; ++i) x = fadd(x, sbuf[i]);
      } else {
        x = pv_column<T>(x, pbuf, v + static_cast<size_t>(b0) * d + job, d, cnt);
      }
      acc[job] = x;
    }
    __syncthreads();
    m = mn;
    started = true;
    b0 = b1;
  }
  m_out = m;
  started_out = started;
}

// Split-decode, phase 1: one block per (split, head); writes m_s, started_s, l_s, acc_s.
template <class T>
__global__ void split_kernel(const T* q, const T* k, const T* v, int n, int d, float scale, int lo, int hi, int splits,
                             int bsize, Plant plant, float* part /*[h][s][d + 2]*/) {
  extern __shared__ float dyn[];
  __shared__ float red[kThreads];
  const int sp = blockIdx.x, h = blockIdx.y;
  float* sbuf = dyn;
  float* pbuf = dyn + bsize;
  float* acc = dyn + 2 * bsize;
  int a, b;
  split_range(lo, hi, splits, sp, a, b);
  float m;
  bool started;
  const Plant inner = plant == Plant::drop_rescale ? Plant::none : plant;  // the merge drops it
  online_stream<T, false>(q + static_cast<size_t>(h) * d, k + static_cast<size_t>(h) * n * d,
                          v + static_cast<size_t>(h) * n * d, d, scale, a, b, a, bsize, inner, sbuf, pbuf, acc, red,
                          m, started);
  float* o = part + (static_cast<size_t>(h) * splits + sp) * (d + 2);
  for (int job = threadIdx.x; job <= d; job += blockDim.x) o[job] = started ? acc[job] : 0.0f;
  if (threadIdx.x == 0) {
    o[d + 1] = m;
    o[d] = started ? acc[d] : 0.0f;
  }
}

// Split-decode, phase 2: the merge, one block per head, jobs as in decode_kernel. An empty split
// (a == b) contributes nothing.
template <class = void>
__global__ void merge_kernel(const float* part, int d, int lo, int hi, int splits, Plant plant, float* out) {
  __shared__ float L;
  const int h = blockIdx.x;
  const float* ph = part + static_cast<size_t>(h) * splits * (d + 2);
  float M = 0.0f;
  bool any = false;
  if (plant != Plant::no_max_subtract)
    for (int s = 0; s < splits; ++s) {
      int a, b;
      split_range(lo, hi, splits, s, a, b);
      if (a >= b) continue;
      const float ms = ph[static_cast<size_t>(s) * (d + 2) + d + 1];
      M = any ? fmax_ordered(M, ms) : ms;
      any = true;
    }
  float mine[4];  // a thread's columns: d <= 1024 = 4 * kThreads
  int cnt = 0;
  for (int job = threadIdx.x; job <= d; job += blockDim.x) {
    float x = 0.0f;
    for (int s = 0; s < splits; ++s) {
      int a, b;
      split_range(lo, hi, splits, s, a, b);
      if (a >= b) continue;
      const float* ps = ph + static_cast<size_t>(s) * (d + 2);
      if (plant == Plant::drop_rescale) {
        x = fadd(x, ps[job]);
      } else {
        const float w = rescale_factor<float>(ps[d + 1], M);
        x = fadd(x, fmul(w, ps[job]));
      }
    }
    if (job == d) L = x;
    else mine[cnt++] = x;
  }
  __syncthreads();
  cnt = 0;
  for (int job = threadIdx.x; job < d; job += blockDim.x) out[static_cast<size_t>(h) * d + job] = fdiv(mine[cnt++], L);
}

// Prefill: one block per (row, head), tiles of tile_k keys aligned to 0, P cast to T.
template <class T>
__global__ void prefill_kernel(const T* q, const T* k, const T* v, int rows, int n, int d, float scale, const int* lo,
                               const int* hi, int tile_k, Plant plant, float* out) {
  extern __shared__ float dyn[];
  __shared__ float red[kThreads];
  const int r = blockIdx.x, h = blockIdx.y;
  float* o = out + (static_cast<size_t>(h) * rows + r) * d;
  const int a = lo[r], b = hi[r];
  if (b <= a) {
    for (int c = threadIdx.x; c < d; c += blockDim.x) o[c] = 0.0f;
    return;
  }
  float* sbuf = dyn;
  float* pbuf = dyn + tile_k;
  float* acc = dyn + 2 * tile_k;
  float m;
  bool started;
  online_stream<T, true>(q + (static_cast<size_t>(h) * rows + r) * d, k + static_cast<size_t>(h) * n * d,
                         v + static_cast<size_t>(h) * n * d, d, scale, a, b, 0, tile_k, plant, sbuf, pbuf, acc, red, m,
                         started);
  for (int c = threadIdx.x; c < d; c += blockDim.x) o[c] = fdiv(acc[c], acc[d]);
}

}  // namespace attncert::gpu::dev
