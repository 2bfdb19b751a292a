// kNN attention (knn_attention.hpp).
#include "attncert/reductions/knn_attention.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "attncert/reductions/errors.hpp"

namespace attncert::reductions::knn {

namespace {

template <class T>
void knn_impl(const T* Q, const T* K, const T* V, std::size_t nq, std::size_t nk, std::size_t d, std::size_t dv,
              const TopK& top, double scale, T* O, int threads) {
  if (d == 0) throw ParameterError("d", "must be >= 1, got 0");
  if (dv == 0) throw ParameterError("dv", "must be >= 1, got 0");
  if (!std::isfinite(scale)) throw ParameterError("scale", "must be finite");
  if (top.queries() != nq)
    throw ParameterError("top_k", "has " + std::to_string(top.queries()) + " queries, expected " + std::to_string(nq));
  for (std::size_t i = 0; i < nq; ++i) {
    if (top.offset[i + 1] <= top.offset[i]) throw ParameterError("top_k", "query " + std::to_string(i) + " has no neighbour");
  }
  for (auto j : top.index)
    if (j >= nk) throw ParameterError("top_k", "neighbour index " + std::to_string(j) + " >= n = " + std::to_string(nk));
  const int t = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(t)
  {
    std::vector<T> s;
    std::vector<double> acc(dv);
#pragma omp for schedule(static)
    for (std::size_t i = 0; i < nq; ++i) {
      auto S = top.neighbours(i);
      s.resize(S.size());
      const T* q = Q + i * d;
      T mx = -std::numeric_limits<T>::infinity();
      for (std::size_t r = 0; r < S.size(); ++r) {
        const T* kj = K + std::size_t(S[r]) * d;
        T dot = 0;
#pragma omp simd reduction(+ : dot)
        for (std::size_t l = 0; l < d; ++l) dot += q[l] * kj[l];
        s[r] = static_cast<T>(scale) * dot;
        mx = std::max(mx, s[r]);
      }
      double Z = 0;
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::size_t r = 0; r < S.size(); ++r) {
        const double w = std::exp(double(s[r] - mx));
        Z += w;
        const T* vj = V + std::size_t(S[r]) * dv;
        for (std::size_t c = 0; c < dv; ++c) acc[c] += w * double(vj[c]);
      }
      T* o = O + i * dv;
      for (std::size_t c = 0; c < dv; ++c) o[c] = static_cast<T>(acc[c] / Z);
    }
  }
}

}  // namespace

void knn_attention(const float* Q, const float* K, const float* V, std::size_t nq, std::size_t nk, std::size_t d,
                   std::size_t dv, const TopK& top, double scale, float* O, int threads) {
  knn_impl(Q, K, V, nq, nk, d, dv, top, scale, O, threads);
}
void knn_attention(const double* Q, const double* K, const double* V, std::size_t nq, std::size_t nk, std::size_t d,
                   std::size_t dv, const TopK& top, double scale, double* O, int threads) {
  knn_impl(Q, K, V, nq, nk, d, dv, top, scale, O, threads);
}

KnnErrorTerms knn_error_terms(const double* q, const double* K, const double* V, std::size_t m, std::size_t d,
                              std::size_t dv, std::span<const std::uint32_t> S, double scale) {
  if (m == 0) throw ParameterError("n", "needs at least one admissible key");
  if (S.empty()) throw ParameterError("top_k", "the set S is empty");
  std::vector<char> in(m, 0);
  for (auto j : S) {
    if (j >= m) throw ParameterError("top_k", "index " + std::to_string(j) + " is not admissible (>= " + std::to_string(m) + ")");
    if (in[j]) throw ParameterError("top_k", "index " + std::to_string(j) + " repeats");
    in[j] = 1;
  }
  std::vector<double> s(m);
  double mx = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < m; ++j) {
    double dot = 0;
    for (std::size_t l = 0; l < d; ++l) dot += q[l] * K[j * d + l];
    s[j] = scale * dot;
    mx = std::max(mx, s[j]);
  }
  KnnErrorTerms t;
  t.o.assign(dv, 0);
  t.o_knn.assign(dv, 0);
  t.mu_S.assign(dv, 0);
  t.mu_out.assign(dv, 0);
  t.range.assign(dv, 0);
  double ZS = 0, Zout = 0;
  std::vector<double> lo(dv, std::numeric_limits<double>::infinity()), hi(dv, -std::numeric_limits<double>::infinity());
  for (std::size_t j = 0; j < m; ++j) {
    const double w = std::exp(s[j] - mx);
    (in[j] ? ZS : Zout) += w;
    for (std::size_t c = 0; c < dv; ++c) {
      const double v = V[j * dv + c];
      (in[j] ? t.mu_S[c] : t.mu_out[c]) += w * v;
      lo[c] = std::min(lo[c], v);
      hi[c] = std::max(hi[c], v);
    }
  }
  const double Z = ZS + Zout;
  t.eps = Zout / Z;
  for (std::size_t c = 0; c < dv; ++c) {
    t.o[c] = (t.mu_S[c] + t.mu_out[c]) / Z;
    t.mu_S[c] /= ZS;
    t.mu_out[c] = Zout > 0 ? t.mu_out[c] / Zout : 0.0;
    t.o_knn[c] = t.mu_S[c];
    t.range[c] = hi[c] - lo[c];
  }
  return t;
}

}  // namespace attncert::reductions::knn
