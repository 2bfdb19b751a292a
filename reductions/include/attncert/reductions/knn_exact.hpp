// T6 (docs/theorems.md#t6): exact softmax attention in float32 and float64,
// the speed baseline of the kNN-attention experiments. Not a certified path: the certified reference
// is core::attention_reference (exact rational inputs, interval outputs) for small sizes.
//
// Layout: row-major, Q is n_queries x d, K is n_keys x d, V is n_keys x dv, O is n_queries x dv.
// O_i = sum_j e^{s_ij} v_j / sum_j e^{s_ij}, s_ij = scale * <q_i, k_j>, over the admissible keys:
// all of them, or with `causal` (n_queries == n_keys) the keys j <= i.
#pragma once
#include <cstddef>

namespace attncert::reductions::knn {

// The experiments' default scale, 1/sqrt(d).
double default_scale(std::size_t d);

struct AttentionOptions {
  double scale = 1.0;       // finite; the experiments use default_scale(d)
  bool causal = false;      // query i sees keys 0..i (needs n_queries == n_keys)
  int threads = 0;          // 0: all cores (OpenMP)
  std::size_t block = 128;  // queries per block: one (block x n_keys) score tile per thread (fewer rows
                            // when the tile would exceed 64 MiB, at least 16)
};

// Blocked: per block of queries, the score tile by one GEMM (OpenBLAS when built with it), a
// max-shifted exponential per row, then O = P V by a second GEMM and one division per row. The
// float32 engine evaluates exp by a vectorisable range reduction + polynomial (relative error a few
// ulp; tests compare it with the float64 engine), the float64 engine by std::exp. Throws
// reductions::ParameterError naming "d", "dv", "n", "scale", "causal" or "block" on bad shapes and
// "queries", "keys" or "values" on a non-finite entry.
void exact_attention(const float* Q, const float* K, const float* V, std::size_t n_queries, std::size_t n_keys,
                     std::size_t d, std::size_t dv, const AttentionOptions& opt, float* O);
void exact_attention(const double* Q, const double* K, const double* V, std::size_t n_queries, std::size_t n_keys,
                     std::size_t d, std::size_t dv, const AttentionOptions& opt, double* O);

// Whether the GEMMs above go through OpenBLAS (else a plain blocked loop).
bool attention_uses_blas();

// The GEMM kernels the engines and the brute-force index share: C (m x n, row stride ldc) =
// alpha * A (m x kk, row stride lda) * B^T where B is n x kk (row stride ldb). Single-threaded
// (callers parallelise over blocks).
void gemm_abt(std::size_t m, std::size_t n, std::size_t kk, float alpha, const float* A, std::size_t lda, const float* B,
              std::size_t ldb, float* C, std::size_t ldc);
void gemm_abt(std::size_t m, std::size_t n, std::size_t kk, double alpha, const double* A, std::size_t lda,
              const double* B, std::size_t ldb, double* C, std::size_t ldc);

}  // namespace attncert::reductions::knn
