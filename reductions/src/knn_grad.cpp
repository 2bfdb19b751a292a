// Attention gradients, exact and by lazy-Gumbel sampling (knn_grad.hpp).
#include "attncert/reductions/knn_grad.hpp"

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attncert/reductions/errors.hpp"

namespace attncert::reductions::knn {

GradProblem random_grad_problem(std::size_t n, std::size_t d, double scale, std::uint64_t seed) {
  if (n == 0) throw ParameterError("n", "must be >= 1");
  if (d == 0) throw ParameterError("d", "must be >= 1");
  core::Xoshiro256ss rng(seed);
  GradProblem p;
  p.scale = scale;
  for (Mat* m : {&p.Q, &p.K, &p.V, &p.dO}) {
    *m = Mat(n, d);
    for (double& x : m->a) x = static_cast<double>(rng.next() >> 11) * 0x1.0p-52 - 1.0;
  }
  return p;
}

Mat softmax_scores(const GradProblem& p) {
  const std::size_t n = p.Q.rows, d = p.Q.cols;
  Mat P(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    double mx = -INFINITY;
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t c = 0; c < d; ++c) s += p.Q(i, c) * p.K(j, c);
      P(i, j) = s * p.scale;
      mx = std::max(mx, P(i, j));
    }
    double z = 0;
    for (std::size_t j = 0; j < n; ++j) z += (P(i, j) = std::exp(P(i, j) - mx));
    for (std::size_t j = 0; j < n; ++j) P(i, j) /= z;
  }
  return P;
}

Grads exact_grads(const GradProblem& p) {
  const std::size_t n = p.Q.rows, d = p.Q.cols;
  const Mat P = softmax_scores(p);
  Grads g{Mat(n, d), Mat(n, d), Mat(n, d), Mat(n, d)};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t c = 0; c < d; ++c) g.O(i, c) += P(i, j) * p.V(j, c);
  std::vector<double> ci(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < d; ++c) ci[i] += p.dO(i, c) * g.O(i, c);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double dv = 0;
      for (std::size_t c = 0; c < d; ++c) dv += p.dO(i, c) * p.V(j, c);
      const double w = p.scale * P(i, j) * (dv - ci[i]);
      for (std::size_t c = 0; c < d; ++c) {
        g.dV(j, c) += P(i, j) * p.dO(i, c);
        g.dQ(i, c) += w * p.K(j, c);
        g.dK(j, c) += w * p.Q(i, c);
      }
    }
  return g;
}

namespace {

// L = sum_ic dO_ic O_ic in MPFR at prec bits, for the matrices as given (entries exact doubles,
// except the one perturbed entry, passed as an mpfr value).
void loss_mpfr(mpfr_t out, const GradProblem& p, char which, std::size_t row, std::size_t col, mpfr_srcptr entry, int prec) {
  const std::size_t n = p.Q.rows, d = p.Q.cols;
  auto get = [&](mpfr_t dst, const Mat& m, char name, std::size_t i, std::size_t c) {
    if (name == which && i == row && c == col) mpfr_set(dst, entry, MPFR_RNDN);
    else mpfr_set_d(dst, m(i, c), MPFR_RNDN);
  };
  mpfr_t s, t, u, z, mx, acc;
  for (mpfr_ptr x : {s, t, u, z, mx, acc}) mpfr_init2(x, prec);
  std::vector<mpfr_t> sc(n), num(d);
  for (auto& x : sc) mpfr_init2(x, prec);
  for (auto& x : num) mpfr_init2(x, prec);
  mpfr_set_zero(out, 1);
  for (std::size_t i = 0; i < n; ++i) {
    mpfr_set_inf(mx, -1);
    for (std::size_t j = 0; j < n; ++j) {
      mpfr_set_zero(sc[j], 1);
      for (std::size_t c = 0; c < d; ++c) {
        get(t, p.Q, 'Q', i, c);
        get(u, p.K, 'K', j, c);
        mpfr_mul(t, t, u, MPFR_RNDN);
        mpfr_add(sc[j], sc[j], t, MPFR_RNDN);
      }
      mpfr_mul_d(sc[j], sc[j], p.scale, MPFR_RNDN);
      mpfr_max(mx, mx, sc[j], MPFR_RNDN);
    }
    mpfr_set_zero(z, 1);
    for (auto& x : num) mpfr_set_zero(x, 1);
    for (std::size_t j = 0; j < n; ++j) {
      mpfr_sub(s, sc[j], mx, MPFR_RNDN);
      mpfr_exp(s, s, MPFR_RNDN);
      mpfr_add(z, z, s, MPFR_RNDN);
      for (std::size_t c = 0; c < d; ++c) {
        get(t, p.V, 'V', j, c);
        mpfr_mul(t, t, s, MPFR_RNDN);
        mpfr_add(num[c], num[c], t, MPFR_RNDN);
      }
    }
    for (std::size_t c = 0; c < d; ++c) {
      mpfr_div(t, num[c], z, MPFR_RNDN);
      mpfr_mul_d(t, t, p.dO(i, c), MPFR_RNDN);
      mpfr_add(out, out, t, MPFR_RNDN);
    }
  }
  for (auto& x : sc) mpfr_clear(x);
  for (auto& x : num) mpfr_clear(x);
  for (mpfr_ptr x : {s, t, u, z, mx, acc}) mpfr_clear(x);
}

}  // namespace

double fd_gradient_mpfr(const GradProblem& p, char which, std::size_t row, std::size_t col, int prec, int step_log2) {
  if (which != 'Q' && which != 'K' && which != 'V') throw ParameterError("which", "must be Q, K or V");
  const Mat& m = which == 'Q' ? p.Q : which == 'K' ? p.K : p.V;
  mpfr_t x, h, lp, lm;
  for (mpfr_ptr v : {x, h, lp, lm}) mpfr_init2(v, prec);
  mpfr_set_ui_2exp(h, 1, -step_log2, MPFR_RNDN);
  mpfr_set_d(x, m(row, col), MPFR_RNDN);
  mpfr_add(x, x, h, MPFR_RNDN);
  loss_mpfr(lp, p, which, row, col, x, prec);
  mpfr_set_d(x, m(row, col), MPFR_RNDN);
  mpfr_sub(x, x, h, MPFR_RNDN);
  loss_mpfr(lm, p, which, row, col, x, prec);
  mpfr_sub(lp, lp, lm, MPFR_RNDN);
  mpfr_div_2ui(lp, lp, 1, MPFR_RNDN);
  mpfr_div(lp, lp, h, MPFR_RNDN);
  const double r = mpfr_get_d(lp, MPFR_RNDN);
  for (mpfr_ptr v : {x, h, lp, lm}) mpfr_clear(v);
  return r;
}

RowSampler::RowSampler(const GradProblem& p, std::size_t k) : p_(p), n_(p.Q.rows), k_(k) {
  if (k == 0 || k > n_) throw ParameterError("k", "must lie in [1, n] = [1, " + std::to_string(n_) + "]");
  const std::size_t d = p.Q.cols;
  scores_.assign(n_ * n_, 0.0);
  topk_.reserve(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    for (std::size_t j = 0; j < n_; ++j) {
      double s = 0;
      for (std::size_t c = 0; c < d; ++c) s += p.Q(i, c) * p.K(j, c);
      scores_[i * n_ + j] = s * p.scale;
    }
    std::vector<std::uint32_t> idx(n_);
    std::iota(idx.begin(), idx.end(), 0u);
    const double* row = &scores_[i * n_];
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                      [&](auto a, auto b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    topk_.emplace_back(n_, std::span<const std::uint32_t>(idx.data(), k), 0.0);
  }
}

std::uint32_t RowSampler::draw(std::size_t row, core::Xoshiro256ss& rng) {
  const double* s = &scores_[row * n_];
  return topk_[row].sample([s](std::uint32_t j) { return s[j]; }, rng, &stats);
}

namespace {
// One walk set: W starts u ~ weights/sum (alias-free: inverse CDF by binary search), one step each.
std::vector<double> visits(RowSampler& s, const std::vector<double>& weights, std::size_t walks, core::Xoshiro256ss& rng) {
  const std::size_t n = s.n();
  std::vector<double> cdf(n);
  std::partial_sum(weights.begin(), weights.end(), cdf.begin());
  const double total = cdf.back();
  std::vector<double> out(n, 0.0);
  if (!(total > 0)) return out;
  for (std::size_t w = 0; w < walks; ++w) {
    const double r = static_cast<double>(rng.next() >> 11) * 0x1.0p-53 * total;
    std::size_t u = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), r) - cdf.begin());
    if (u >= n) u = n - 1;
    while (weights[u] == 0 && u > 0) --u;  // never start where y' = 0
    out[s.draw(u, rng)] += 1;
  }
  for (double& x : out) x *= total / static_cast<double>(walks);
  return out;
}
}  // namespace

std::vector<double> pt_times(RowSampler& s, const std::vector<double>& y, std::size_t walks, core::Xoshiro256ss& rng) {
  if (walks == 0) throw ParameterError("walks", "must be >= 1");
  const double shift = std::max(0.0, -*std::min_element(y.begin(), y.end()));
  std::vector<double> yp(y);
  for (double& x : yp) x += shift;
  std::vector<double> est = visits(s, yp, walks, rng);
  if (shift > 0) {
    const std::vector<double> ones = visits(s, std::vector<double>(y.size(), 1.0), walks, rng);
    for (std::size_t j = 0; j < est.size(); ++j) est[j] -= shift * ones[j];
  }
  return est;
}

GradEstimates estimate_grads(const GradProblem& p, const Mat& O, std::size_t k, std::size_t walks, std::size_t samples,
                             std::uint64_t seed) {
  const std::size_t n = p.Q.rows, d = p.Q.cols;
  if (samples == 0) throw ParameterError("samples", "must be >= 1");
  RowSampler s(p, k);
  core::Xoshiro256ss rng(seed);
  GradEstimates e{Mat(n, d), Mat(n, d), Mat(n, d)};
  std::vector<double> ci(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < d; ++c) ci[i] += p.dO(i, c) * O(i, c);
  // dV = P^T dO, column by column.
  std::vector<double> y(n);
  for (std::size_t c = 0; c < d; ++c) {
    for (std::size_t i = 0; i < n; ++i) y[i] = p.dO(i, c);
    const auto col = pt_times(s, y, walks, rng);
    for (std::size_t j = 0; j < n; ++j) e.dV(j, c) = col[j];
  }
  // dQ: the covariance form, sampled per row.
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < samples; ++t) {
      const std::uint32_t j = s.draw(i, rng);
      double dv = 0;
      for (std::size_t c = 0; c < d; ++c) dv += p.dO(i, c) * p.V(j, c);
      const double w = p.scale * (dv - ci[i]) / static_cast<double>(samples);
      for (std::size_t c = 0; c < d; ++c) e.dQ(i, c) += w * p.K(j, c);
    }
  }
  // dK through P^T products.
  for (std::size_t f = 0; f < d; ++f) {
    for (std::size_t i = 0; i < n; ++i) y[i] = ci[i] * p.Q(i, f);
    const auto base = pt_times(s, y, walks, rng);
    for (std::size_t j = 0; j < n; ++j) e.dK(j, f) -= p.scale * base[j];
    for (std::size_t c = 0; c < d; ++c) {
      for (std::size_t i = 0; i < n; ++i) y[i] = p.dO(i, c) * p.Q(i, f);
      const auto prod = pt_times(s, y, walks, rng);
      for (std::size_t j = 0; j < n; ++j) e.dK(j, f) += p.scale * p.V(j, c) * prod[j];
    }
  }
  return e;
}

double rel_max_error(const Mat& A, const Mat& B) {
  double num = 0, den = 0;
  for (std::size_t t = 0; t < A.a.size(); ++t) {
    num = std::max(num, std::fabs(A.a[t] - B.a[t]));
    den = std::max(den, std::fabs(B.a[t]));
  }
  return den == 0 ? num : num / den;
}

}  // namespace attncert::reductions::knn
