// T6 statistical verification (reductions/t6.hpp, verifiers/src/verify_t6.cpp, checker check_t6):
// the exact binomial tails and Clopper-Pearson bounds, each part (a)-(d) on a correct sampler,
// each biased sampler and too few estimator samples refuted, the certificate accepted and tampered
// copies rejected by the independent checker.
#include <catch2/catch.hpp>

#include <cmath>

#include "attncert/checker/checker.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/t6.hpp"
#include "attncert/reductions/t6_binomial.hpp"
#include "attncert/reductions/t6_estimators.hpp"
#include "attncert/verifiers/verify_t6.hpp"

using namespace attncert;
using core::Rational;
namespace t6 = attncert::reductions::t6;
namespace knn = attncert::reductions::knn;
using checker::Verdict;

namespace {

t6::Request small() {
  t6::Request r;
  r.n = 6;
  r.d = 3;
  r.k = 2;
  r.samples = 3000;
  r.trials = 100;
  return r;
}

Verdict check(const nlohmann::json& c) { return checker::check_certificate_text(c.dump()).verdict; }

}  // namespace

TEST_CASE("t6: exact binomial tails and Clopper-Pearson bounds", "[t6]") {
  CHECK(t6::binomial_cdf(3, 1, Rational(1, 2)) == Rational(1, 2));
  CHECK(t6::binomial_cdf(4, 0, Rational(1, 3)) == Rational(16, 81));
  CHECK(t6::binomial_cdf(4, 3, Rational(1, 3)) == 1 - Rational(1, 81));  // the upper side of the sum
  CHECK(t6::binomial_cdf(4, 4, Rational(1, 3)) == 1);
  CHECK(t6::binomial_cdf(5, 2, 0) == 1);
  CHECK(t6::binomial_cdf(5, 2, 1) == 0);
  // Both sides of the sum agree with the direct sum.
  for (std::uint64_t x = 0; x <= 9; ++x) {
    Rational direct = 0, p(2, 7), term = 1;
    for (std::uint64_t i = 0; i <= x; ++i) {
      core::Integer c = 1;
      for (std::uint64_t m = 0; m < i; ++m) c = c * (9 - m) / (m + 1);
      Rational t = Rational(c);
      for (std::uint64_t m = 0; m < i; ++m) t *= p;
      for (std::uint64_t m = i; m < 9; ++m) t *= 1 - p;
      direct += t;
    }
    (void)term;
    CHECK(t6::binomial_cdf(9, x, p) == direct);
  }
  // x = 0: the upper bound is 1 - level^(1/N); valid and within 2^-12 of it.
  const Rational lvl(1, 1000);
  for (std::uint64_t N : {10, 100, 5000}) {
    const Rational hi = t6::cp_upper(N, 0, lvl);
    const double exact = 1 - std::pow(1e-3, 1.0 / double(N));
    CAPTURE(N, hi.convert_to<double>(), exact);
    CHECK(t6::cdf_at_most(N, 0, hi, lvl));
    CHECK(hi.convert_to<double>() >= exact);
    CHECK(hi.convert_to<double>() <= exact + std::ldexp(1.0, -12));
    CHECK(t6::cp_lower(N, 0, lvl) == 0);
    CHECK(t6::cp_upper(N, N, lvl) == 1);
  }
  // A middle count: valid bounds, and a little tighter would not be valid.
  const Rational lo = t6::cp_lower(2000, 700, lvl), hi = t6::cp_upper(2000, 700, lvl);
  CHECK(lo < Rational(7, 20));
  CHECK(hi > Rational(7, 20));
  CHECK(t6::sf_at_most(2000, 700, lo, lvl));
  CHECK(t6::cdf_at_most(2000, 700, hi, lvl));
  CHECK_FALSE(t6::sf_at_most(2000, 700, lo + Rational(1, 4096), lvl));
  CHECK_FALSE(t6::cdf_at_most(2000, 700, hi - Rational(1, 4096), lvl));
}

TEST_CASE("t6: a correct sampler passes (a)-(d) and the checker accepts the certificate", "[t6]") {
  t6::Request r = small();
  const t6::Report rep = t6::run_t6(r);
  CHECK(rep.part_a == t6::Verdict::pass);
  CHECK(rep.part_b == t6::Verdict::pass);
  CHECK(rep.part_c == t6::Verdict::pass);
  CHECK(rep.part_d == t6::Verdict::pass);
  CHECK(rep.ell == knn::mean_samples(6, 3, r.eps, r.delta));
  // Score evaluations per sample: k + m summed, against k + E[m].
  CHECK(rep.stats.score_evals == rep.stats.samples * r.k + rep.stats.tail_draws);
  for (const auto& row : rep.rows) {
    CHECK(row.knn_eps.lo <= row.knn_eps.hi);
    CHECK(row.knn_eps.hi <= 1);
    CHECK(row.p_zero.lo >= row.cp_lo);
  }
  verifiers::CommonOptions opt;
  opt.quiet = true;
  const verifiers::Outcome o = verifiers::verify_t6(r, opt);
  REQUIRE(o.status == verifiers::certified);
  CHECK(check(o.certificate) == Verdict::accepted);
  // Reproducible: the same seed gives the same certificate.
  CHECK(verifiers::verify_t6(r, opt).certificate == o.certificate);
  auto tampered = o.certificate;
  tampered["statistics"]["counts"][0][0] = tampered["statistics"]["counts"][0][0].get<std::uint64_t>() + 1;
  tampered["statistics"]["counts"][0][1] = tampered["statistics"]["counts"][0][1].get<std::uint64_t>() - 1;
  CHECK(check(tampered) == Verdict::rejected);  // the stored L1 no longer encloses the counts' distance
  tampered = o.certificate;
  tampered["derived"]["rows"][0]["expected_m"]["hi"] = tampered["derived"]["rows"][0]["expected_m"]["lo"];
  CHECK(check(tampered) == Verdict::rejected);
  tampered = o.certificate;
  tampered["parameters"]["slack"] = "-1";
  CHECK(check(tampered) == Verdict::malformed);
}

TEST_CASE("t6: the biased samplers and too few samples are refuted", "[t6]") {
  t6::Request r;
  r.n = 6;
  r.d = 2;
  r.k = 1;
  r.samples = 10000;
  r.trials = 20;
  r.sampler = knn::LazyGumbelVariant::tail_with_replacement;
  CHECK(t6::run_t6(r).part_a == t6::Verdict::fail);
  r.sampler = knn::LazyGumbelVariant::b_off_by_one;
  const t6::Report b = t6::run_t6(r);
  CHECK(b.part_a == t6::Verdict::fail);
  CHECK(b.part_b == t6::Verdict::fail);
  verifiers::CommonOptions opt;
  opt.quiet = true;
  CHECK(verifiers::verify_t6(r, opt).status == verifiers::refuted);
  // ell = 1 sample per query: the estimator misses eps ||V||_max in most trials.
  t6::Request few = small();
  few.ell = 1;
  const t6::Report f = t6::run_t6(few);
  CHECK(f.part_c == t6::Verdict::fail);
  CHECK(f.failures > few.trials / 2);
}

TEST_CASE("t6: bad parameters name the parameter", "[t6]") {
  auto param = [](t6::Request r) -> std::string {
    try {
      t6::validate(r);
    } catch (const reductions::ParameterError& e) {
      return e.parameter;
    }
    return "";
  };
  t6::Request r = small();
  CHECK(param(r).empty());
  r.eps = 0;
  CHECK(param(r) == "eps");
  r = small();
  r.delta = 1;
  CHECK(param(r) == "delta");
  r.delta = 0;
  CHECK(param(r) == "delta");
  r = small();
  r.k = 0;
  CHECK(param(r) == "k");
  r.k = 7;
  CHECK(param(r) == "k");
  r = small();
  r.alpha = 0;
  CHECK(param(r) == "alpha");
  r = small();
  r.scale = 0;
  CHECK(param(r) == "scale");
}
