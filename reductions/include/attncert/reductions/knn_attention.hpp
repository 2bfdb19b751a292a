// T6 kNN attention (docs/theorems.md#t6): the softmax restricted to each
// query's top-k set S_i, renormalized:
//   o_i^kNN = sum_{j in S_i} e^{s_ij} v_j / sum_{j in S_i} e^{s_ij},   s_ij = scale * <q_i, k_j>.
// Float32/float64, proposal side (G's `verify t6` certifies the error identity in exact arithmetic).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "attncert/reductions/knn_index.hpp"

namespace attncert::reductions::knn {

// O (n_queries x dv) from the neighbour lists of `top` (its scores are not reused: s_ij is
// recomputed from Q and K in T, accumulated in T). Throws ParameterError("top_k", ...) when `top`
// has another query count, an empty list or an index >= n_keys.
void knn_attention(const float* Q, const float* K, const float* V, std::size_t n_queries, std::size_t n_keys,
                   std::size_t d, std::size_t dv, const TopK& top, double scale, float* O, int threads = 0);
void knn_attention(const double* Q, const double* K, const double* V, std::size_t n_queries, std::size_t n_keys,
                   std::size_t d, std::size_t dv, const TopK& top, double scale, double* O, int threads = 0);

// The terms of the error identity (docs/theorems.md#t6) for one query over its admissible keys 0..m-1, in
// double: with D(j) = e^{s_j}/Z over the admissible keys, eps = D(complement of S), mu_S and mu_out
// the D-weighted means of v over S and over its complement (mu_out = 0 when the complement is empty),
//   o - o^kNN = eps (mu_out - mu_S)   and   |o_c - o^kNN_c| <= eps (max_j v_jc - min_j v_jc).
struct KnnErrorTerms {
  double eps = 0;
  std::vector<double> o, o_knn, mu_S, mu_out, range;  // range_c = max_j v_jc - min_j v_jc (admissible j)
};
KnnErrorTerms knn_error_terms(const double* q, const double* K, const double* V, std::size_t m, std::size_t d,
                              std::size_t dv, std::span<const std::uint32_t> S, double scale);

}  // namespace attncert::reductions::knn
