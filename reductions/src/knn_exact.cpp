// Exact float32/float64 attention (knn_exact.hpp): blocked, GEMM-backed, causal or not.
#include "attncert/reductions/knn_exact.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "attncert/reductions/errors.hpp"
#include "knn_blas.hpp"

namespace attncert::reductions::knn {

double default_scale(std::size_t d) { return 1.0 / std::sqrt(static_cast<double>(d)); }

bool attention_uses_blas() { return detail::have_blas(); }

void gemm_abt(std::size_t m, std::size_t n, std::size_t kk, float alpha, const float* A, std::size_t lda, const float* B,
              std::size_t ldb, float* C, std::size_t ldc) {
  detail::gemm_abt(m, n, kk, alpha, A, lda, B, ldb, C, ldc);
}
void gemm_abt(std::size_t m, std::size_t n, std::size_t kk, double alpha, const double* A, std::size_t lda,
              const double* B, std::size_t ldb, double* C, std::size_t ldc) {
  detail::gemm_abt(m, n, kk, alpha, A, lda, B, ldb, C, ldc);
}

namespace {

// e^x for x <= 0 (scores after the max shift): x = n ln2 + r with |r| <= ln2/2 (Cody-Waite, two
// constants), e^r by its degree-7 Taylor polynomial (truncation < 6e-9 relative), times 2^n built in
// the exponent bits. Below -87 (e^x < 1.7e-38, nothing against the row maximum's 1) it returns 0.
// Branch-free so that the row loop vectorises.
inline float exp_nonpositive(float x) {
  const bool tiny = x < -87.0f;
  x = tiny ? -87.0f : x;
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693145751953125f) - n * 1.42860682030941723e-06f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::int32_t e = static_cast<std::int32_t>(n) + 127;  // n in [-126, 0]
  const float two_n = std::bit_cast<float>(static_cast<std::uint32_t>(e) << 23);
  return tiny ? 0.0f : p * two_n;
}
inline double exp_nonpositive(double x) { return std::exp(x); }

template <class T>
void check_finite(const T* x, std::size_t count, const char* name) {
  for (std::size_t i = 0; i < count; ++i)
    if (!std::isfinite(x[i])) throw ParameterError(name, "entry " + std::to_string(i) + " is not finite");
}

void check_shapes(std::size_t nq, std::size_t nk, std::size_t d, std::size_t dv, const AttentionOptions& opt) {
  if (d == 0) throw ParameterError("d", "must be >= 1, got 0");
  if (dv == 0) throw ParameterError("dv", "must be >= 1, got 0");
  if (nq == 0 || nk == 0) throw ParameterError("n", "needs at least one query and one key");
  if (!std::isfinite(opt.scale)) throw ParameterError("scale", "must be finite");
  if (opt.block == 0) throw ParameterError("block", "must be >= 1, got 0");
  if (opt.causal && nq != nk)
    throw ParameterError("causal", "needs as many queries as keys, got " + std::to_string(nq) + " and " + std::to_string(nk));
}

template <class T>
void attention_impl(const T* Q, const T* K, const T* V, std::size_t nq, std::size_t nk, std::size_t d, std::size_t dv,
                    const AttentionOptions& opt, T* O) {
  check_shapes(nq, nk, d, dv, opt);
  check_finite(Q, nq * d, "queries");
  check_finite(K, nk * d, "keys");
  check_finite(V, nk * dv, "values");
  // One (B x n_keys) score tile per thread, kept under 64 MiB (at least 16 rows) for long sequences.
  const std::size_t tile_rows = std::max<std::size_t>(16, (std::size_t{64} << 20) / (sizeof(T) * nk));
  const std::size_t B = std::min({opt.block, nq, tile_rows});
  const std::size_t blocks = (nq + B - 1) / B;
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  detail::BlasSingleThread blas_guard;  // the parallelism is over blocks
#pragma omp parallel num_threads(threads)
  {
    std::vector<T> S(B * nk), PV(B * dv);
    std::vector<double> sums(B);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t b = 0; b < blocks; ++b) {
      // Causal: the blocks of late queries cost more; dynamic scheduling balances them.
      const std::size_t i0 = b * B, rows = std::min(B, nq - i0);
      const std::size_t kend = opt.causal ? i0 + rows : nk;
      detail::gemm_abt(rows, kend, d, static_cast<T>(opt.scale), Q + i0 * d, d, K, d, S.data(), kend);
      for (std::size_t r = 0; r < rows; ++r) {
        T* s = S.data() + r * kend;
        const std::size_t m = opt.causal ? i0 + r + 1 : nk;  // admissible keys 0..m-1
        T mx = s[0];
        for (std::size_t j = 1; j < m; ++j) mx = std::max(mx, s[j]);
        double sum = 0;
#pragma omp simd reduction(+ : sum)
        for (std::size_t j = 0; j < m; ++j) {
          const T e = exp_nonpositive(static_cast<T>(s[j] - mx));
          s[j] = e;
          sum += static_cast<double>(e);
        }
        for (std::size_t j = m; j < kend; ++j) s[j] = 0;  // masked (future) keys of the diagonal block
        sums[r] = sum;
      }
      detail::gemm_ab(rows, dv, kend, S.data(), kend, V, dv, PV.data(), dv);
      for (std::size_t r = 0; r < rows; ++r) {
        const T inv = static_cast<T>(1.0 / sums[r]);
        T* o = O + (i0 + r) * dv;
        for (std::size_t c = 0; c < dv; ++c) o[c] = PV[r * dv + c] * inv;
      }
    }
  }
}

}  // namespace

void exact_attention(const float* Q, const float* K, const float* V, std::size_t nq, std::size_t nk, std::size_t d,
                     std::size_t dv, const AttentionOptions& opt, float* O) {
  attention_impl(Q, K, V, nq, nk, d, dv, opt, O);
}
void exact_attention(const double* Q, const double* K, const double* V, std::size_t nq, std::size_t nk, std::size_t d,
                     std::size_t dv, const AttentionOptions& opt, double* O) {
  attention_impl(Q, K, V, nq, nk, d, dv, opt, O);
}

}  // namespace attncert::reductions::knn
