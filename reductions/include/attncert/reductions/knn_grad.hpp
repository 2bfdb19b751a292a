// T6 (docs/theorems.md#t6): gradients of attention, exact and by sampling (spec section 7).
//
// O = P V with P = softmax(scale Q K^T) row-wise (non-causal), a loss L(O) with dO = dL/dO given,
// c_i = <dO_i, o_i>:
//   dV = P^T dO,
//   dQ_i = scale sum_j P_ij (<dO_i, v_j> - c_i) k_j     (a covariance under D_i = P_i.),
//   dK_j = scale sum_i P_ij (<dO_i, v_j> - c_i) q_i.
// Exact: the formulas in double (row-wise max shift). Tests compare them with central finite
// differences of L = sum_ic dO_ic O_ic evaluated in 200-bit MPFR (fd_gradient_mpfr).
//
// Estimators (every sample is one lazy Gumbel draw v ~ D_u over the exact top-k of row u):
//   P^T y (Markov chain, one step): shift y' = y + s 1 with s = max(0, -min y) so y' >= 0; W walks
//     start at u ~ y'/||y'||_1 and step to v ~ D_u; (P^T y')_v ~= ||y'||_1 visits(v) / W. P^T 1 the
//     same way from u uniform (||1||_1 = n); P^T y = P^T y' - s P^T 1. Unbiased; each part has
//     standard deviation <= ||y'||_1 / sqrt(W) per entry.
//   dV: P^T dO column by column (d products).
//   dQ_i: mean over S samples j ~ D_i of scale (<dO_i, v_j> - c_i) k_j (the covariance form; c_i
//     from the forward output O, as stored by a forward pass).
//   dK: dK_j = scale (sum_c v_jc (P^T (dO_.c * Q_.e))_j - (P^T (c * Q_.e))_j) over e: d^2 + d P^T
//     products.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/lazy_gumbel.hpp"

namespace attncert::reductions::knn {

struct Mat {  // row-major
  std::size_t rows = 0, cols = 0;
  std::vector<double> a;
  Mat() = default;
  Mat(std::size_t r, std::size_t c) : rows(r), cols(c), a(r * c, 0.0) {}
  double& operator()(std::size_t i, std::size_t j) { return a[i * cols + j]; }
  double operator()(std::size_t i, std::size_t j) const { return a[i * cols + j]; }
};

struct GradProblem {
  Mat Q, K, V, dO;  // n x d each
  double scale = 1;
};

struct Grads {
  Mat O, dQ, dK, dV;
};

// Entries uniform in [-1, 1) from xoshiro256ss(seed): Q, K, V, dO in that order, row-major.
GradProblem random_grad_problem(std::size_t n, std::size_t d, double scale, std::uint64_t seed);
Mat softmax_scores(const GradProblem& p);  // P
Grads exact_grads(const GradProblem& p);

// Central finite difference of L(Q, K, V) = sum_ic dO_ic O_ic with respect to one entry of Q
// (which = 'Q'), K ('K') or V ('V'), in MPFR at `prec` bits with step 2^-step_log2 (rounded to
// double at the end). Error O(h^2) + O(2^-prec / h).
double fd_gradient_mpfr(const GradProblem& p, char which, std::size_t row, std::size_t col, int prec = 200,
                        int step_log2 = 60);

// The lazy-Gumbel sampler on P's rows: exact top-k of each row (brute force, slack 0).
class RowSampler {
 public:
  RowSampler(const GradProblem& p, std::size_t k);
  std::uint32_t draw(std::size_t row, core::Xoshiro256ss& rng);
  std::size_t n() const { return n_; }
  LazyGumbelStats stats;

 private:
  const GradProblem& p_;
  std::size_t n_, k_;
  std::vector<LazyGumbelTopK> topk_;
  std::vector<double> scores_;  // n x n
};

// P^T y with W walks for y' and W walks for P^T 1 (none when y >= 0).
std::vector<double> pt_times(RowSampler& s, const std::vector<double>& y, std::size_t walks, core::Xoshiro256ss& rng);

struct GradEstimates {
  Mat dQ, dK, dV;
};
// dV and dK from `walks` walks per P^T product, dQ from `samples` samples per row; O is the forward output.
GradEstimates estimate_grads(const GradProblem& p, const Mat& O, std::size_t k, std::size_t walks, std::size_t samples,
                             std::uint64_t seed);

// max_ij |A_ij - B_ij| / max_ij |B_ij| (B the reference; 0/0 = 0).
double rel_max_error(const Mat& A, const Mat& B);

}  // namespace attncert::reductions::knn
