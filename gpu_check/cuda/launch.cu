// T7 (gpu_check/README.md "On a GPU"): run_cuda, the kernels of kernels.cuh on one problem
// (one head), instantiated for float, f16 and bf16 storage. Inputs are converted to the storage
// type on the host exactly as run_host does; the outputs are the kernel's binary32 bits.
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "attncert/gpu/checks.hpp"
#include "attncert/gpu/problem.hpp"
#include "kernels.cuh"

namespace attncert::gpu {
namespace {

std::string device_count_problem() {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess)
    return std::string("--device cuda: no CUDA device (cudaGetDeviceCount: ") + cudaGetErrorString(err) + ")";
  if (count < 1) return "--device cuda: no CUDA device (cudaGetDeviceCount: 0 devices)";
  return "";
}

void ok(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw DeviceUnavailable(std::string("--device cuda: ") + what + ": " + cudaGetErrorString(err));
}

template <class X> struct Buf {
  X* p = nullptr;
  explicit Buf(std::size_t count) { ok(cudaMalloc(&p, sizeof(X) * (count ? count : 1)), "cudaMalloc"); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  ~Buf() { cudaFree(p); }
  void put(const std::vector<X>& h) {
    if (!h.empty()) ok(cudaMemcpy(p, h.data(), sizeof(X) * h.size(), cudaMemcpyHostToDevice), "cudaMemcpy");
  }
};

template <class T> std::vector<T> to_storage(const std::vector<float>& a) {
  std::vector<T> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = storage<T>::from_float(a[i]);
  return out;
}

template <class T>
std::vector<float> run_typed(const Problem& p, const Schedule& sc) {
  const int d = p.d;
  Buf<T> q(p.q.size()), k(p.k.size()), v(p.v.size());
  q.put(to_storage<T>(p.q));
  k.put(to_storage<T>(p.k));
  v.put(to_storage<T>(p.v));
  std::vector<float> out(static_cast<std::size_t>(p.rows) * d, 0.0f);
  Buf<float> o(out.size());
  if (sc.kind == KernelKind::prefill) {
    Buf<int> lo(p.lo.size()), hi(p.hi.size());
    lo.put(p.lo);
    hi.put(p.hi);
    const std::size_t shmem = sizeof(float) * (2 * static_cast<std::size_t>(sc.tile_k) + d + 1);
    dev::prefill_kernel<T><<<dim3(p.rows, 1), dev::kThreads, shmem>>>(q.p, k.p, v.p, p.rows, p.n, d, p.scale, lo.p,
                                                                        hi.p, sc.tile_k, sc.plant, o.p);
    ok(cudaGetLastError(), "prefill kernel launch");
  } else {
    const int lo = p.lo[0], hi = p.hi[0], L = hi - lo;
    if (L > 0 && sc.kind == KernelKind::decode) {
      Buf<float> s(static_cast<std::size_t>(L));
      dev::scores_kernel<T><<<dim3((L + dev::kScoreKeys - 1) / dev::kScoreKeys, 1), dev::kScoreKeys>>>(
          q.p, k.p, p.n, d, p.scale, lo, hi, s.p);
      ok(cudaGetLastError(), "scores kernel launch");
      dev::decode_kernel<T><<<1, dev::kThreads>>>(v.p, s.p, p.n, d, lo, hi, sc.plant, o.p);
      ok(cudaGetLastError(), "decode kernel launch");
      ok(cudaDeviceSynchronize(), "decode kernel");
    } else if (L > 0) {
      Buf<float> part(static_cast<std::size_t>(sc.splits) * (d + 2));
      const std::size_t shmem = sizeof(float) * (2 * static_cast<std::size_t>(sc.block) + d + 1);
      dev::split_kernel<T><<<dim3(sc.splits, 1), dev::kThreads, shmem>>>(q.p, k.p, v.p, p.n, d, p.scale, lo, hi,
                                                                          sc.splits, sc.block, sc.plant, part.p);
      ok(cudaGetLastError(), "split kernel launch");
      dev::merge_kernel<><<<1, dev::kThreads>>>(part.p, d, lo, hi, sc.splits, sc.plant, o.p);
      ok(cudaGetLastError(), "merge kernel launch");
      ok(cudaDeviceSynchronize(), "split-decode kernels");
    }
  }
  ok(cudaDeviceSynchronize(), "kernel");
  if (!(p.rows == 1 && p.hi[0] <= p.lo[0]))
    ok(cudaMemcpy(out.data(), o.p, sizeof(float) * out.size(), cudaMemcpyDeviceToHost), "cudaMemcpy");
  return out;
}

}  // namespace

std::string cuda_unavailable_reason() { return device_count_problem(); }

std::vector<float> run_cuda(const Problem& p, const Schedule& sched) {
  detail::check_problem(p, sched);
  if (p.d > 1024) detail::fail("d: the CUDA kernels need d <= 1024");
  if (sched.kind == KernelKind::split_decode && sched.block > dev::kMaxBlockKeys)
    detail::fail("block: the CUDA split-decode kernel needs block <= 4096");
  if (sched.kind == KernelKind::prefill && sched.tile_k > dev::kMaxBlockKeys)
    detail::fail("tile_k: the CUDA prefill kernel needs tile_k <= 4096");
  if (sched.kind == KernelKind::split_decode && sched.splits > 65535)
    detail::fail("splits: the CUDA split-decode kernel needs splits <= 65535");
  const std::string why = device_count_problem();
  if (!why.empty()) throw DeviceUnavailable(why);
  switch (p.dtype) {
    case DType::f32: return run_typed<float>(p, sched);
    case DType::f16: return run_typed<f16>(p, sched);
    case DType::bf16: return run_typed<bf16>(p, sched);
  }
  throw std::invalid_argument("dtype: unknown");
}

}  // namespace attncert::gpu
