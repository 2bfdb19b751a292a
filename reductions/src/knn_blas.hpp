// Private to reductions/src/knn_*.cpp: the two GEMM shapes of the attention engines and the
// brute-force index, through OpenBLAS when the build found it (ATTNCERT_HAVE_BLAS), else plain loops.
#pragma once
#include <cstddef>

#ifdef ATTNCERT_HAVE_BLAS
#include <cblas.h>
extern "C" int openblas_get_num_threads(void);
extern "C" void openblas_set_num_threads(int);
#endif

namespace attncert::reductions::knn::detail {

inline bool have_blas() {
#ifdef ATTNCERT_HAVE_BLAS
  return true;
#else
  return false;
#endif
}

// While alive, OpenBLAS runs single-threaded (the callers parallelise over blocks with OpenMP).
struct [[maybe_unused]] BlasSingleThread {
#ifdef ATTNCERT_HAVE_BLAS
  int saved = openblas_get_num_threads();
  BlasSingleThread() { openblas_set_num_threads(1); }
  ~BlasSingleThread() { openblas_set_num_threads(saved); }
#endif
};

// C (m x n, stride ldc) = alpha * A (m x kk, stride lda) * B^T, B n x kk (stride ldb).
template <class T>
void gemm_abt(std::size_t m, std::size_t n, std::size_t kk, T alpha, const T* A, std::size_t lda, const T* B,
              std::size_t ldb, T* C, std::size_t ldc) {
#ifdef ATTNCERT_HAVE_BLAS
  if constexpr (sizeof(T) == 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(kk), alpha, A, int(lda), B, int(ldb), 0.0f, C,
                int(ldc));
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(kk), alpha, A, int(lda), B, int(ldb), 0.0, C,
                int(ldc));
#else
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      T s = 0;
#pragma omp simd reduction(+ : s)
      for (std::size_t l = 0; l < kk; ++l) s += A[i * lda + l] * B[j * ldb + l];
      C[i * ldc + j] = alpha * s;
    }
#endif
}

// C (m x n, stride ldc) = A (m x kk, stride lda) * B (kk x n, stride ldb).
template <class T>
void gemm_ab(std::size_t m, std::size_t n, std::size_t kk, const T* A, std::size_t lda, const T* B, std::size_t ldb, T* C,
             std::size_t ldc) {
#ifdef ATTNCERT_HAVE_BLAS
  if constexpr (sizeof(T) == 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(kk), 1.0f, A, int(lda), B, int(ldb), 0.0f, C,
                int(ldc));
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(kk), 1.0, A, int(lda), B, int(ldb), 0.0, C,
                int(ldc));
#else
  for (std::size_t i = 0; i < m; ++i) {
    T* c = C + i * ldc;
    for (std::size_t j = 0; j < n; ++j) c[j] = 0;
    for (std::size_t l = 0; l < kk; ++l) {
      const T a = A[i * lda + l];
      const T* b = B + l * ldb;
#pragma omp simd
      for (std::size_t j = 0; j < n; ++j) c[j] += a * b[j];
    }
  }
#endif
}

}  // namespace attncert::reductions::knn::detail
