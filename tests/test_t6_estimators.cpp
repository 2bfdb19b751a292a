// T6 estimators (reductions/include/attncert/reductions/t6_estimators.hpp): the sample-count rules
// against hand values, the estimators against exact values on small inputs (deterministic sample
// lists and lazy-Gumbel samples), and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/lazy_gumbel.hpp"
#include "attncert/reductions/t6_estimators.hpp"

using namespace attncert;
using core::Rational;
namespace knn = attncert::reductions::knn;

TEST_CASE("t6: l = ceil((2/eps^2) ln(2nd/delta)) and the median-of-means shape", "[t6]") {
  // 8 ln 640 = 51.69..., 2 ln 4 = 2.77..., 2 ln 2e6 / (1/100)^2 = 290,173.2...
  CHECK(knn::mean_samples(8, 4, Rational(1, 2), Rational(1, 10)) == 52);
  CHECK(knn::mean_samples(1, 1, 1, Rational(1, 2)) == 3);
  CHECK(knn::mean_samples(1000, 1, Rational(1, 100), Rational(1, 1000)) == 290174);
  for (std::uint64_t n : {1, 7, 100, 4096})
    for (std::uint64_t d : {1, 3, 64}) {
      const double l = 2 / 0.04 * std::log(2.0 * n * d / 0.05);
      const auto got = knn::mean_samples(n, d, Rational(1, 5), Rational(1, 20));
      CAPTURE(n, d, l);
      CHECK(got == static_cast<std::uint64_t>(std::ceil(l)));
    }
  const auto s = knn::mom_shape(8, 4, Rational(1, 2), Rational(1, 10));
  CHECK(s.group_size == 16);
  CHECK(s.groups == 47);  // 8 ln 320 = 46.14...
  CHECK(knn::ceil_times_log(1, 3) == 2);     // ln 3 = 1.0986
  CHECK(knn::ceil_times_log(Rational(1, 1000000), Rational(1000001, 1000000)) == 1);  // tiny, still > 0
}

TEST_CASE("t6: bad eps, delta, n, d name the parameter", "[t6]") {
  auto param = [](std::uint64_t n, std::uint64_t d, Rational eps, Rational delta) -> std::string {
    try {
      knn::mean_samples(n, d, eps, delta);
    } catch (const reductions::ParameterError& e) {
      return e.parameter;
    }
    return "";
  };
  CHECK(param(4, 4, 0, Rational(1, 10)) == "eps");
  CHECK(param(4, 4, -1, Rational(1, 10)) == "eps");
  CHECK(param(4, 4, Rational(1, 2), 0) == "delta");
  CHECK(param(4, 4, Rational(1, 2), 1) == "delta");
  CHECK(param(4, 4, Rational(1, 2), Rational(3, 2)) == "delta");
  CHECK(param(0, 4, Rational(1, 2), Rational(1, 10)) == "n");
  CHECK(param(4, 0, Rational(1, 2), Rational(1, 10)) == "d");
  CHECK(param(4, 4, Rational(1, 10000000), Rational(1, 10)) == "eps");  // l > 2^40
  CHECK_THROWS_AS(knn::mom_shape(4, 4, Rational(1, 2), Rational(-1, 2)), reductions::ParameterError);
}

TEST_CASE("t6: mean and median of means on fixed sample lists", "[t6]") {
  const std::vector<double> V = {1, 10, 2, 20, 4, 40};  // 3 keys, d = 2
  const std::vector<std::uint32_t> s = {0, 1, 1, 2};
  CHECK(knn::mean_estimate(s, V, 2) == std::vector<double>{2.25, 22.5});
  // groups of 1: means are the rows 0, 1, 1, 2 -> lower median is row 1
  CHECK(knn::median_of_means(s, 1, V, 2) == std::vector<double>{2, 20});
  // groups {0,1,1} are not a multiple: bad input
  CHECK_THROWS_AS(knn::median_of_means(s, 3, V, 2), reductions::ParameterError);
  // groups of 2: {0,1} -> 1.5, {1,2} -> 3; lower median of two is the smaller
  CHECK(knn::median_of_means(s, 2, V, 2) == std::vector<double>{1.5, 15});
  const std::vector<std::uint32_t> odd = {2, 2, 0, 1, 0};
  CHECK(knn::median_of_means(odd, 1, V, 2) == std::vector<double>{2, 20});
  CHECK_THROWS_AS(knn::mean_estimate({}, V, 2), reductions::ParameterError);
}

TEST_CASE("t6: both estimators meet eps ||V||_max with lazy-Gumbel samples; too few samples do not", "[t6]") {
  // n = 6 keys, d = 2, scores and values fixed; o = exact softmax mean (long double).
  const std::vector<double> s = {1.0, 0.5, -0.25, 2.0, 0.0, -1.0};
  const std::vector<double> V = {1, -1, -1, 0.5, 0.25, 1, -0.5, -0.75, 1, 1, 0, -1};
  const std::size_t n = s.size(), d = 2;
  long double z = 0;
  std::vector<long double> o(d, 0);
  for (std::size_t j = 0; j < n; ++j) z += std::exp(static_cast<long double>(s[j]));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t c = 0; c < d; ++c) o[c] += std::exp(static_cast<long double>(s[j])) / z * V[j * d + c];
  const std::vector<std::uint32_t> S = {3, 0};  // exact top-2
  auto score = [&](std::uint32_t j) { return s[j]; };
  const Rational eps(1, 4), delta(1, 10);
  const double tol = 0.25 * 1.0;  // eps ||V||_max
  const std::size_t l = knn::mean_samples(n, d, eps, delta);
  const auto mom = knn::mom_shape(n, d, eps, delta);
  core::Xoshiro256ss rng(11);
  auto draw = [&] { return knn::lazy_gumbel_sample(n, S, 0.0, score, rng); };
  auto miss = [&](const std::vector<double>& est) {
    double e = 0;
    for (std::size_t c = 0; c < d; ++c) e = std::max(e, static_cast<double>(std::fabs(est[c] - o[c])));
    return e > tol;
  };
  const std::size_t trials = 400;
  std::size_t fail_mean = 0, fail_mom = 0, fail_one = 0;
  double worst = 0;
  for (std::size_t t = 0; t < trials; ++t) {
    const auto a = knn::draw_samples(l, draw);
    const auto est = knn::mean_estimate(a, V, d);
    fail_mean += miss(est);
    for (std::size_t c = 0; c < d; ++c) worst = std::max(worst, static_cast<double>(std::fabs(est[c] - o[c])));
    fail_mom += miss(knn::median_of_means(knn::draw_samples(mom.total(), draw), mom.group_size, V, d));
    fail_one += miss(knn::mean_estimate(knn::draw_samples(1, draw), V, d));
  }
  // With failure probability <= delta = 1/10 per trial, more than trials/10 + sqrt(trials ln(1e9)/2)
  // = 40 + 64 failures has probability < 1e-9 (Hoeffding); in fact Hoeffding is loose and none fail.
  CAPTURE(l, mom.total(), worst, fail_mean, fail_mom, fail_one);
  CHECK(fail_mean <= 104);
  CHECK(fail_mom <= 104);
  CHECK(worst < tol);
  // One sample per query misses by far more often (|v_jc - o_c| > 1/4 for most keys): the check can fail.
  CHECK(fail_one > 104);
}
