// T6 gradients (reductions/include/attncert/reductions/knn_grad.hpp): exact dQ, dK, dV against
// 200-bit MPFR central finite differences; the Markov-chain P^T y estimator (with the shift) and
// the sampled dV, dQ, dK against the exact values, with errors that shrink with the walk count.
#include <catch2/catch.hpp>

#include <cmath>

#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/knn_grad.hpp"

using namespace attncert;
namespace knn = attncert::reductions::knn;

TEST_CASE("t6 gradients: exact dQ, dK, dV match 200-bit finite differences", "[t6][grad]") {
  const auto p = knn::random_grad_problem(5, 3, 0.7, 42);
  const auto g = knn::exact_grads(p);
  double worst = 0;
  for (char which : {'Q', 'K', 'V'}) {
    const knn::Mat& G = which == 'Q' ? g.dQ : which == 'K' ? g.dK : g.dV;
    for (std::size_t i = 0; i < 5; ++i)
      for (std::size_t c = 0; c < 3; ++c) {
        const double fd = knn::fd_gradient_mpfr(p, which, i, c);
        CAPTURE(which, i, c, fd, G(i, c));
        CHECK(std::fabs(fd - G(i, c)) <= 1e-13 * (1 + std::fabs(fd)));
        worst = std::max(worst, std::fabs(fd - G(i, c)));
      }
  }
  // The comparison can fail: dQ without the centering term c_i is off by far more than the tolerance.
  const knn::Mat P = knn::softmax_scores(p);
  double uncentered = 0;
  for (std::size_t j = 0; j < 5; ++j) {
    double dv = 0;
    for (std::size_t c = 0; c < 3; ++c) dv += p.dO(0, c) * p.V(j, c);
    uncentered += p.scale * P(0, j) * dv * p.K(j, 0);
  }
  CHECK(std::fabs(uncentered - knn::fd_gradient_mpfr(p, 'Q', 0, 0)) > 1e-6);
  CHECK_THROWS_AS(knn::fd_gradient_mpfr(p, 'X', 0, 0), reductions::ParameterError);
}

TEST_CASE("t6 gradients: the Markov-chain P^T y estimate, with and without the shift", "[t6][grad]") {
  const auto p = knn::random_grad_problem(12, 4, 0.5, 7);
  const knn::Mat P = knn::softmax_scores(p);
  knn::RowSampler s(p, 3);
  core::Xoshiro256ss rng(3);
  for (bool negative : {false, true}) {
    std::vector<double> y(12);
    for (std::size_t i = 0; i < 12; ++i) y[i] = negative ? std::sin(double(i)) : 1.0 + 0.1 * double(i);
    std::vector<double> exact(12, 0.0);
    for (std::size_t i = 0; i < 12; ++i)
      for (std::size_t j = 0; j < 12; ++j) exact[j] += P(i, j) * y[i];
    const std::size_t W = 40000;
    const auto est = knn::pt_times(s, y, W, rng);
    // Each entry is ||y'||_1 / W times a Binomial count (two of them with the shift): 6 standard
    // deviations of sqrt(W p(1-p)) <= sqrt(W)/2 each.
    double l1 = 0, shift = 0;
    for (double v : y) shift = std::max(shift, -v);
    for (double v : y) l1 += v + shift;
    const double tol = 6 * (l1 + shift * 12) * 0.5 / std::sqrt(double(W));
    for (std::size_t j = 0; j < 12; ++j) {
      CAPTURE(negative, j, est[j], exact[j], tol);
      CHECK(std::fabs(est[j] - exact[j]) <= tol);
    }
  }
  CHECK_THROWS_AS(knn::pt_times(s, std::vector<double>(12, 1.0), 0, rng), reductions::ParameterError);
  CHECK_THROWS_AS(knn::RowSampler(p, 0), reductions::ParameterError);
}

TEST_CASE("t6 gradients: sampled dV, dQ, dK converge to the exact gradients", "[t6][grad]") {
  const auto p = knn::random_grad_problem(16, 3, 0.6, 9);
  const auto g = knn::exact_grads(p);
  const auto few = knn::estimate_grads(p, g.O, 4, 100, 100, 1);
  const auto many = knn::estimate_grads(p, g.O, 4, 20000, 20000, 1);
  const double eV = knn::rel_max_error(many.dV, g.dV), eQ = knn::rel_max_error(many.dQ, g.dQ),
               eK = knn::rel_max_error(many.dK, g.dK);
  CAPTURE(eV, eQ, eK, knn::rel_max_error(few.dV, g.dV), knn::rel_max_error(few.dQ, g.dQ), knn::rel_max_error(few.dK, g.dK));
  // Monte Carlo error ~ 1/sqrt(walks): 200x the walks should cut it by ~14x; ask for 4x.
  CHECK(4 * eV < knn::rel_max_error(few.dV, g.dV));
  CHECK(4 * eQ < knn::rel_max_error(few.dQ, g.dQ));
  CHECK(4 * eK < knn::rel_max_error(few.dK, g.dK));
  // dQ (direct sampling, no shift) is the accurate one; dV and dK carry the shift's variance.
  CHECK(eQ < 0.05);
  CHECK(eV < 1);
  CHECK(eK < 1);
}
