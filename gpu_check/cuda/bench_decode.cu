// T7 (gpu_check/README.md "On a GPU", bench/RESULTS.md): decode throughput of the CUDA decode
// kernel (scores_kernel + decode_kernel of kernels.cuh, the kernel the host emulates bit for bit)
// in GB/s of K + V bytes read per second, against the device-to-device copy bandwidth measured in
// the same run (cudaMemcpy of the same number of bytes; a copy moves each byte twice, read and
// write, so "copy traffic" = 2 * bytes / time is the memory system's streaming rate). Median of
// --reps runs each.
// The split-decode kernels (FlashDecoding, S splits per head) are timed on the same data.
//   bench_decode [--heads H] [--n N] [--d D] [--dtype f32|f16|bf16] [--reps R] [--splits S] [--block B]
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.cuh"

using namespace attncert::gpu;

namespace {
void ok(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "bench_decode: %s: %s\n", what, cudaGetErrorString(e));
    std::exit(2);
  }
}

// Deterministic inputs m * 2^-7, |m| < 128: exact in f32, f16 and bf16.
template <class T>
__global__ void fill(T* x, size_t count, unsigned salt) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    unsigned h = static_cast<unsigned>(i) * 2654435761u ^ salt;
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    const float val = static_cast<float>(static_cast<int>(h % 255u) - 127) * 0.0078125f;
    x[i] = storage<T>::from_float(val);
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class T>
int run(int heads, int n, int d, int reps, int splits, int block, const char* dtype) {
  const size_t kv = static_cast<size_t>(heads) * n * d;
  T *q, *k, *v;
  float *s, *out;
  ok(cudaMalloc(&q, sizeof(T) * heads * d), "cudaMalloc q");
  ok(cudaMalloc(&k, sizeof(T) * kv), "cudaMalloc k");
  ok(cudaMalloc(&v, sizeof(T) * kv), "cudaMalloc v");
  ok(cudaMalloc(&s, sizeof(float) * heads * n), "cudaMalloc s");
  ok(cudaMalloc(&out, sizeof(float) * heads * d), "cudaMalloc out");
  fill<T><<<1024, 256>>>(q, static_cast<size_t>(heads) * d, 1u);
  fill<T><<<1024, 256>>>(k, kv, 2u);
  fill<T><<<1024, 256>>>(v, kv, 3u);
  ok(cudaDeviceSynchronize(), "fill");
  const float scale = 1.0f / 16.0f;
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  std::vector<double> tk, tc;
  for (int r = 0; r <= reps; ++r) {  // the first run warms up and is not counted
    cudaEventRecord(e0);
    dev::scores_kernel<T><<<dim3((n + dev::kScoreKeys - 1) / dev::kScoreKeys, heads), dev::kScoreKeys>>>(
        q, k, n, d, scale, 0, n, s);
    dev::decode_kernel<T><<<heads, dev::kThreads>>>(v, s, n, d, 0, n, Plant::none, out);
    cudaEventRecord(e1);
    ok(cudaEventSynchronize(e1), "decode kernels");
    float ms = 0;
    cudaEventElapsedTime(&ms, e0, e1);
    if (r) tk.push_back(ms);
  }
  // Split-decode (FlashDecoding) on the same data: S splits per head fill the GPU.
  std::vector<double> ts;
  float* part;
  ok(cudaMalloc(&part, sizeof(float) * static_cast<size_t>(heads) * splits * (d + 2)), "cudaMalloc part");
  const size_t shmem = sizeof(float) * (2 * static_cast<size_t>(block) + d + 1);
  for (int r = 0; r <= reps; ++r) {
    cudaEventRecord(e0);
    dev::split_kernel<T><<<dim3(splits, heads), dev::kThreads, shmem>>>(q, k, v, n, d, scale, 0, n, splits, block,
                                                                        Plant::none, part);
    dev::merge_kernel<><<<heads, dev::kThreads>>>(part, d, 0, n, splits, Plant::none, out);
    cudaEventRecord(e1);
    ok(cudaEventSynchronize(e1), "split-decode kernels");
    float ms = 0;
    cudaEventElapsedTime(&ms, e0, e1);
    if (r) ts.push_back(ms);
  }
  cudaFree(part);
  // Copy the same K + V bytes device to device (K onto V's buffer and back is not needed: one
  // buffer of kv elements copied into the other).
  for (int r = 0; r <= reps; ++r) {
    cudaEventRecord(e0);
    ok(cudaMemcpy(v, k, sizeof(T) * kv, cudaMemcpyDeviceToDevice), "cudaMemcpy");
    ok(cudaMemcpy(k, v, sizeof(T) * kv, cudaMemcpyDeviceToDevice), "cudaMemcpy");
    cudaEventRecord(e1);
    ok(cudaEventSynchronize(e1), "copy");
    float ms = 0;
    cudaEventElapsedTime(&ms, e0, e1);
    if (r) tc.push_back(ms);
  }
  std::vector<float> h(static_cast<size_t>(heads) * d);
  ok(cudaMemcpy(h.data(), out, sizeof(float) * h.size(), cudaMemcpyDeviceToHost), "cudaMemcpy out");
  double checksum = 0;
  for (float x : h) checksum += x;
  const double bytes = 2.0 * sizeof(T) * kv;  // K + V
  const double tkm = median(tk) * 1e-3, tcm = median(tc) * 1e-3, tsm = median(ts) * 1e-3;
  const double gbs = bytes / tsm * 1e-9;
  const double gbk = bytes / tkm * 1e-9, gbc_traffic = 2.0 * bytes / tcm * 1e-9, gbc = bytes / tcm * 1e-9;
  std::printf("decode %s heads=%d n=%d d=%d reps=%d\n", dtype, heads, n, d, reps);
  std::printf("  decode kernel: median %.3f ms, %.1f GB/s of K+V read\n", tkm * 1e3, gbk);
  std::printf("  split-decode S=%d block=%d: median %.3f ms, %.1f GB/s of K+V read\n", splits, block, tsm * 1e3, gbs);
  std::printf("  cudaMemcpy D2D of the same %.2f GB: median %.3f ms, %.1f GB/s copied (%.1f GB/s read+write)\n",
              bytes * 1e-9, tcm * 1e3, gbc, gbc_traffic);
  std::printf("  decode / copy traffic: %.1f %%, split-decode / copy traffic: %.1f %%   (checksum %.6g)\n",
              100.0 * gbk / gbc_traffic, 100.0 * gbs / gbc_traffic, checksum);
  cudaFree(q);
  cudaFree(k);
  cudaFree(v);
  cudaFree(s);
  cudaFree(out);
  return 0;
}

int arg(int argc, char** argv, const char* name, int def, int lo, int hi) {
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], name)) {
      char* e = nullptr;
      const long x = std::strtol(argv[i + 1], &e, 10);
      if (!e || *e || x < lo || x > hi) {
        std::fprintf(stderr, "bench_decode: %s: must be an integer in [%d, %d]\n", name, lo, hi);
        std::exit(2);
      }
      return static_cast<int>(x);
    }
  return def;
}
}  // namespace

int main(int argc, char** argv) {
  const int heads = arg(argc, argv, "--heads", 128, 1, 65535);
  const int n = arg(argc, argv, "--n", 32768, 1, 1 << 22);
  const int d = arg(argc, argv, "--d", 128, 1, 1024);
  const int reps = arg(argc, argv, "--reps", 7, 1, 1000);
  const int splits = arg(argc, argv, "--splits", 32, 1, 65535);
  const int block = arg(argc, argv, "--block", 128, 1, dev::kMaxBlockKeys);
  std::string dtype = "f32";
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--dtype")) dtype = argv[i + 1];
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count < 1) {
    std::fprintf(stderr, "bench_decode: no CUDA device (cudaGetDeviceCount: %s)\n",
                 e != cudaSuccess ? cudaGetErrorString(e) : "0 devices");
    return 2;
  }
  if (dtype == "f32") return run<float>(heads, n, d, reps, splits, block, "f32");
  if (dtype == "f16") return run<f16>(heads, n, d, reps, splits, block, "f16");
  if (dtype == "bf16") return run<bf16>(heads, n, d, reps, splits, block, "bf16");
  std::fprintf(stderr, "bench_decode: --dtype: must be f32, f16 or bf16\n");
  return 2;
}
