// T7 (docs/theorems.md#gpu): the shared vocabulary of gpu_check. One attention problem on inputs
// that are exactly representable in the chosen dtype (stored as binary32, which holds every f16 and
// bf16 value exactly), the kernel schedule, and the results of a run. The kernels (kernels.hpp,
// cuda/), the input generator (inputs.hpp), the certified reference (reference.hpp) and the
// verifier (verifiers/src/verify_gpu.cpp) all speak in these types.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace attncert::gpu {

enum class DType { f32, f16, bf16 };
enum class KernelKind { decode, split_decode, prefill };
// Deliberate bugs for the tests and `--plant`: a merge that forgets to rescale a split's partial
// sums, and a softmax without the running-max subtraction.
enum class Plant { none, drop_rescale, no_max_subtract };
enum class Device { host, cuda };

// One attention problem. Row r of Q attends to the keys j in [lo[r], hi[r]) (an empty window is a
// masked row whose output is 0 by definition). Exact attention:
//   s_j = scale * sum_c q[r][c] k[j][c],  out[r][c] = sum_j e^{s_j} v[j][c] / sum_j e^{s_j}.
struct Problem {
  DType dtype = DType::f32;
  int rows = 1, n = 0, d = 0;   // rows = 1 for decode kernels, n for causal prefill
  float scale = 1.0f;           // the exact binary32 factor the kernel applies to q.k
  std::vector<float> q, k, v;   // rows x d, n x d, n x d, row-major; every value exact in dtype
  std::vector<int> lo, hi;      // per row, the key window
};

struct Schedule {
  KernelKind kind = KernelKind::decode;
  int splits = 4;      // split-decode: number of splits S
  int block = 128;     // split-decode: keys per block inside a split
  int tile_q = 64;     // prefill: query rows per tile
  int tile_k = 64;     // prefill: keys per tile
  Plant plant = Plant::none;
};

// A host run: the kernel's outputs (bit-identical to the CUDA kernel's) and, per output element,
// the running error bound (the same schedule driven on the error-tracking scalar) and the
// a-priori Higham-style bound, both rigorous upper bounds on |out - exact| (+inf: no bound).
struct HostRun {
  std::vector<float> out;       // rows x d
  std::vector<double> bound;    // rows x d, running bound
  std::vector<double> apriori;  // rows x d, a-priori bound
};

// `--device cuda` without a usable GPU (or a build without nvcc): one-line message, exit 2.
struct DeviceUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* to_string(DType);
const char* to_string(KernelKind);  // "decode", "split-decode", "prefill"
const char* to_string(Plant);       // "none", "drop-rescale", "no-max-subtract"
int significand_bits(DType);        // 24, 11, 8
double unit_roundoff(DType);        // 2^-24, 2^-11, 2^-8

// ---- The kernels (gpu_check/src, gpu_check/cuda; README "Bound model") ----
// The kernel of `sched` on the host: the rounding sequence of the CUDA kernel, plus the running and
// a-priori bounds. Throws std::invalid_argument (naming the parameter) for a schedule that does
// not fit the problem.
HostRun run_host(const Problem& p, const Schedule& sched);
// The FlashAttention-paper baseline: plain fp32 softmax attention (max, exp, sum, divide, then PV;
// no tiling) on the same inputs, for the ratio err(kernel) / err(fp32 naive).
std::vector<float> run_naive_f32(const Problem& p);
// The same kernel on the GPU; throws DeviceUnavailable (one line: no nvcc at build time, no device,
// a CUDA error) when it cannot run.
std::vector<float> run_cuda(const Problem& p, const Schedule& sched);
// "" when run_cuda can run here, else the one-line reason.
std::string cuda_unavailable_reason();
// The ulp bound assumed for the kernels' exp (gpu_check/README.md: measured exhaustively, padded).
double exp_ulps();

// Attention in long double (64-bit significand), the plain formula with the maximum subtracted:
// for statistics, tools and tests that need a fast approximate value; it never decides anything.
std::vector<long double> attention_long_double(const Problem& p);

}  // namespace attncert::gpu
