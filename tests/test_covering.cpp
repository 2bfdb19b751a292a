#include <catch2/catch.hpp>
#include <mpfr.h>

#include <cmath>
#include <random>

#include "attncert/core/incomplete_beta.hpp"
#include "attncert/reductions/covering.hpp"
#include "attncert/reductions/errors.hpp"

using namespace attncert;
using core::Integer;
using core::Rational;
using reductions::RationalInterval;

namespace {
double mid(const RationalInterval& r) { return ((r.lo + r.hi) / 2).convert_to<double>(); }
double width(const RationalInterval& r) { return (r.hi - r.lo).convert_to<double>(); }

// Composite Simpson of ∫_0^θ sin^{d-2} / ∫_0^π sin^{d-2} in long double (a non-rigorous reference).
long double quad_cap(int d, long double theta) {
  auto integral = [d](long double b) {
    const int n = 20000;
    const long double h = b / n;
    long double s = 0;
    for (int i = 0; i <= n; ++i) {
      const long double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
      s += w * std::pow(std::sin(i * h), static_cast<long double>(d - 2));
    }
    return s * h / 3;
  };
  return integral(theta) / integral(std::acos(-1.0L));
}

template <class F>
void require_parameter_error(F f, const std::string& name) {
  try {
    f();
    FAIL("no ParameterError for " << name);
  } catch (const reductions::ParameterError& e) {
    CHECK(e.parameter == name);
  }
}
}  // namespace

TEST_CASE("half-integer Beta values are exact and the incomplete beta satisfies identities", "[covering]") {
  auto b = core::beta_half_integers(Rational(1, 2), Rational(1, 2));
  CHECK(b.rational == 1);  // B(1/2, 1/2) = π
  CHECK(b.pi_power == 1);
  b = core::beta_half_integers(2, Rational(1, 2));
  CHECK(b.rational == Rational(4, 3));  // Γ(2)Γ(1/2)/Γ(5/2)
  CHECK(b.pi_power == 0);
  b = core::beta_half_integers(3, 4);  // 2! 3! / 6! = 1/60
  CHECK(b.rational == Rational(1, 60));
  for (Rational x : {Rational(1, 7), Rational(1, 2), Rational(9, 10), Rational(999, 1000)}) {
    INFO("x = " << core::to_string(x));
    CHECK(core::regularized_incomplete_beta(x, 1, 1).contains(x));          // I_x(1,1) = x
    CHECK(core::regularized_incomplete_beta(x, 3, 1).contains(x * x * x));  // I_x(a,1) = x^a
    for (auto [a, bb] : {std::pair<Rational, Rational>{Rational(7, 2), Rational(1, 2)}, {Rational(11), Rational(1, 2)}, {Rational(5, 2), Rational(3)}}) {
      // I_x(a,b) + I_{1-x}(b,a) = 1
      const auto s = core::regularized_incomplete_beta(x, a, bb, 200) + core::regularized_incomplete_beta(1 - x, bb, a, 200);
      CHECK(s.contains(Rational(1)));
      CHECK(s.width_estimate() < 1e-50);
    }
  }
  CHECK_THROWS_AS(core::regularized_incomplete_beta(Rational(1, 2), Rational(1, 3), 1), std::invalid_argument);
  CHECK_THROWS_AS(core::regularized_incomplete_beta(Rational(3, 2), 1, 1), std::invalid_argument);
}

TEST_CASE("cap measure: closed forms for d = 2 (θ/π) and d = 3 ((1 - cos θ)/2)", "[covering]") {
  for (Rational c : {Rational(1, 2), Rational(-1, 3), Rational(0), Rational(99, 100), Rational(-9, 10), Rational(1, 1000)}) {
    INFO("cos θ = " << core::to_string(c));
    const RationalInterval m3 = reductions::cap_measure(3, c);
    CHECK(m3.contains((1 - c) / 2));
    CHECK(width(m3) < 1e-30);
    CHECK_FALSE(m3.contains((1 - c) / 2 + Rational(1, Integer(10) * Integer("1000000000000000000000000"))));  // tight: a value 1e-25 off is excluded
    // d = 2: μ = arccos(c)/π, enclosed independently with MPFR at 256 bits (acos is decreasing).
    const RationalInterval m2 = reductions::cap_measure(2, c, 160);
    mpfr_t cl, ch, lo, hi, pl, ph;
    mpfr_inits2(256, cl, ch, lo, hi, pl, ph, static_cast<mpfr_ptr>(nullptr));
    mpfr_set_q(cl, c.backend().data(), MPFR_RNDD);
    mpfr_set_q(ch, c.backend().data(), MPFR_RNDU);
    mpfr_acos(lo, ch, MPFR_RNDD);
    mpfr_acos(hi, cl, MPFR_RNDU);
    mpfr_const_pi(pl, MPFR_RNDD);
    mpfr_const_pi(ph, MPFR_RNDU);
    mpfr_div(lo, lo, ph, MPFR_RNDD);
    mpfr_div(hi, hi, pl, MPFR_RNDU);
    const Rational rlo = core::to_rational(lo), rhi = core::to_rational(hi);
    mpfr_clears(cl, ch, lo, hi, pl, ph, static_cast<mpfr_ptr>(nullptr));
    CHECK(m2.lo <= rhi);  // the two enclosures overlap ...
    CHECK(rlo <= m2.hi);
    CHECK(width(m2) < 1e-40);  // ... and ours is tight
  }
}

TEST_CASE("cap measure against numerical integration at high precision", "[covering]") {
  for (int d : {4, 5, 8, 12, 24})
    for (Rational c : {Rational(1, 2), Rational(1, 10), Rational(9, 10), Rational(-1, 3)}) {
      INFO("d = " << d << ", cos θ = " << core::to_string(c));
      const RationalInterval m = reductions::cap_measure(d, c);
      const long double q = quad_cap(d, std::acos(static_cast<long double>(c.convert_to<double>())));
      CHECK(std::fabs(mid(m) - static_cast<double>(q)) < 1e-11);
      CHECK(width(m) < 1e-30);
    }
}

TEST_CASE("cap measure: the certified interval holds the Monte Carlo estimate within its band", "[covering]") {
  std::mt19937_64 rng(20261130);
  std::normal_distribution<double> g;
  const int samples = 200000;
  for (int d : {4, 7, 12})
    for (Rational c : {Rational(1, 2), Rational(1, 5), Rational(-1, 4)}) {
      const double cd = c.convert_to<double>();
      long hits = 0;
      std::vector<double> x(d);
      for (int s = 0; s < samples; ++s) {
        double n2 = 0;
        for (auto& v : x) {
          v = g(rng);
          n2 += v * v;
        }
        if (x[0] >= cd * std::sqrt(n2)) ++hits;
      }
      const double p = static_cast<double>(hits) / samples;
      const RationalInterval m = reductions::cap_measure(d, c);
      const double mu = mid(m), sigma = std::sqrt(mu * (1 - mu) / samples);
      INFO("d = " << d << ", cos θ = " << cd << ": MC " << p << ", certified " << mu << " ± " << width(m));
      CHECK(std::fabs(p - mu) <= 5 * sigma + width(m));  // 5σ band: fails by chance with p < 1e-6
    }
}

TEST_CASE("covering bounds: lower <= upper, known small values, the cap bound beats the volume bound", "[covering]") {
  for (int d = 2; d <= 24; ++d) {
    const auto b = reductions::covering_bounds(d, Rational(1, 2));
    INFO("d = " << d);
    CHECK(b.lower >= 2);
    CHECK(b.lower <= b.upper);
    CHECK(b.upper_cap <= b.upper_volume);
    CHECK(b.cap.lo <= b.cap.hi);
  }
  // d = 2: N_cov(S^1, θ) = ceil(π/θ); cos θ = 9/10 gives θ ≈ 0.451, π/θ ≈ 6.97.
  CHECK(reductions::covering_bounds(2, Rational(9, 10)).lower == 7);
  // d = 3, cos θ = 3/4: μ = 1/8 exactly, so the lower bound is 8.
  CHECK(reductions::covering_bounds(3, Rational(3, 4)).lower == 8);
  // θ >= π/2: two antipodal caps cover.
  CHECK(reductions::covering_bounds(5, Rational(-1, 2)).upper == 2);
  CHECK(reductions::covering_bounds(5, Rational(0)).lower == 2);
}

TEST_CASE("bad covering input throws ParameterError naming the parameter", "[covering]") {
  require_parameter_error([] { reductions::cap_measure(1, Rational(1, 2)); }, "d");
  require_parameter_error([] { reductions::covering_bounds(0, Rational(1, 2)); }, "d");
  require_parameter_error([] { reductions::cap_measure(3, Rational(1)); }, "cos_theta");
  require_parameter_error([] { reductions::cap_measure(3, Rational(-1)); }, "cos_theta");
  require_parameter_error([] { reductions::covering_bounds(3, Rational(3, 2)); }, "cos_theta");
  require_parameter_error([] { reductions::check_circle_covering({{Rational(1), Rational(1)}}, Rational(1, 2)); }, "centers");
  require_parameter_error([] { reductions::check_circle_covering({}, Rational(1, 2)); }, "centers");
  require_parameter_error([] { reductions::sphere_covering_smtlib2(reductions::octahedron(), Rational(2)); }, "cos_theta");
}

TEST_CASE("d = 2: rational polygons cover exactly when the half-gaps allow, decided exactly", "[covering]") {
  // The square ±e1, ±e2 has covering radius 45°: cos 45° = 0.7071...
  std::vector<reductions::Point> square{{Rational(1), Rational(0)}, {Rational(0), Rational(1)},
                                        {Rational(-1), Rational(0)}, {Rational(0), Rational(-1)}};
  CHECK(reductions::check_circle_covering(square, Rational(7, 10)).covers);
  const auto no = reductions::check_circle_covering(square, Rational(71, 100));
  CHECK_FALSE(no.covers);
  CHECK(no.worst_half_cos_sq == Rational(1, 2));  // (1 + ⟨p,q⟩)/2 = 1/2 < (71/100)²
  // Two antipodal points cover with θ = π/2 exactly, not with θ slightly smaller.
  std::vector<reductions::Point> two{{Rational(1), Rational(0)}, {Rational(-1), Rational(0)}};
  CHECK(reductions::check_circle_covering(two, Rational(0)).covers);
  CHECK_FALSE(reductions::check_circle_covering(two, Rational(1, 1000)).covers);
  // One point never covers; two close points leave a gap > π.
  CHECK_FALSE(reductions::check_circle_covering({{Rational(1), Rational(0)}}, Rational(-99, 100)).covers);
  std::vector<reductions::Point> close{{Rational(1), Rational(0)}, {Rational(3, 5), Rational(4, 5)}};
  CHECK_FALSE(reductions::check_circle_covering(close, Rational(-1, 2)).covers);
  CHECK(reductions::check_circle_covering(close, Rational(-99, 100)).covers);

  // cos θ = 9/10: the certified polygon has M = 7 = ceil(π/θ) = the lower bound: optimal.
  const auto cov = reductions::circle_covering(Rational(9, 10));
  CHECK(cov.M == 7);
  CHECK(cov.check.covers);
  CHECK(Integer(cov.M) == reductions::covering_bounds(2, Rational(9, 10)).lower);
  for (const auto& p : cov.centers) CHECK(p[0] * p[0] + p[1] * p[1] == 1);
  // The same target with one point fewer must not certify.
  CHECK_FALSE(reductions::check_circle_covering(reductions::rational_polygon(6), Rational(9, 10)).covers);
}

TEST_CASE("d = 3: the octahedron covers at cos θ = 1/2 (Z3 and branch and bound agree)", "[covering][z3]") {
  const auto oct = reductions::octahedron();
  const auto rep = reductions::certify_sphere_covering(oct, Rational(1, 2), 20000);
  INFO("z3: " << rep.z3 << ", cvc5: " << rep.cvc5 << ", routes: " << rep.routes);
  CHECK(rep.verdict == reductions::SphereCoveringReport::Verdict::covers);
  CHECK(rep.z3 == "unsat");
  CHECK(rep.bnb.certified);
  CHECK(rep.routes.find("Z3 + branch-and-bound") == 0);
  CHECK(rep.smtlib2.find("(assert (= (+ (* x x) (* y y) (* z z)) 1))") != std::string::npos);
}

TEST_CASE("d = 3: the octahedron does not cover at cos θ = 3/5; an exact witness is found", "[covering][z3]") {
  // Covering radius of the octahedron: cos = 1/sqrt(3) ≈ 0.577 < 3/5.
  const auto oct = reductions::octahedron();
  const auto rep = reductions::certify_sphere_covering(oct, Rational(3, 5), 20000, false);
  INFO("z3: " << rep.z3 << ", routes: " << rep.routes);
  CHECK(rep.verdict == reductions::SphereCoveringReport::Verdict::does_not_cover);
  CHECK(rep.z3.rfind("sat", 0) == 0);
  CHECK_FALSE(rep.bnb.certified);
  REQUIRE(rep.witness);
  const auto& x = *rep.witness;
  CHECK(x[0] * x[0] + x[1] * x[1] + x[2] * x[2] == 1);
  for (const auto& c : oct) CHECK(x[0] * c[0] + x[1] * c[1] + x[2] * c[2] < Rational(3, 5));
}

TEST_CASE("d = 3: a rational icosahedron covers at cos θ = 3/4, not at 4/5", "[covering][z3]") {
  const auto ico = reductions::rational_icosahedron();
  REQUIRE(ico.size() == 12);
  const auto yes = reductions::certify_sphere_covering(ico, Rational(3, 4), 20000, false);
  INFO("z3: " << yes.z3 << ", routes: " << yes.routes);
  CHECK(yes.verdict == reductions::SphereCoveringReport::Verdict::covers);
  CHECK(yes.bnb.certified);
  // 12 >= the lower bound 8 at this θ.
  CHECK(Integer(12) >= reductions::covering_bounds(3, Rational(3, 4)).lower);
  const auto no = reductions::certify_sphere_covering(ico, Rational(4, 5), 20000, false);
  CHECK(no.verdict == reductions::SphereCoveringReport::Verdict::does_not_cover);
  REQUIRE(no.witness);
  CHECK(reductions::is_uncovered_witness(*no.witness, ico, Rational(4, 5)));
}

TEST_CASE("d = 3: a Fibonacci-spiral covering for cos θ = 7/10, certified by the branch and bound", "[covering][z3]") {
  // Z3 needs about 10 s on this 12-point set (bench/cover_table runs it with a longer limit); with
  // 2 s it may time out, and the verdict then rests on the exact branch and bound, labelled so.
  const auto cov = reductions::sphere_covering_d3(Rational(7, 10), 60, 2000);
  REQUIRE(cov);
  INFO("N = " << cov->N << ", lower bound " << cov->lower << ", routes " << cov->report.routes);
  CHECK(cov->report.verdict == reductions::SphereCoveringReport::Verdict::covers);
  CHECK(Integer(cov->N) >= cov->lower);  // never below the certified lower bound
  CHECK(cov->report.bnb.certified);
  CHECK((cov->report.routes == "Z3 + branch-and-bound" || cov->report.routes == "branch-and-bound-only"));
  CHECK(cov->N == 12);
  CHECK(cov->lower == 7);  // μ = (1 - 7/10)/2 = 3/20
  // One point fewer along the same spiral, at the same θ: the branch and bound must not certify.
  CHECK_FALSE(reductions::sphere_covering_bnb(reductions::rational_fibonacci_sphere(cov->N - 1, 10), Rational(7, 10), 12, 200000).certified);
}

TEST_CASE("d = 3: a claim only Z3 proves is labelled Z3-only", "[covering][z3]") {
  // θ = π/2 (cos θ = 0): two antipodal centers cover; the branch and bound needs cos θ > 0 and
  // cvc5 is skipped, so Z3 is the only route and the report says so.
  const std::vector<reductions::Point> two{{Rational(1), Rational(0), Rational(0)}, {Rational(-1), Rational(0), Rational(0)}};
  const auto rep = reductions::certify_sphere_covering(two, Rational(0), 20000, false);
  CHECK(rep.verdict == reductions::SphereCoveringReport::Verdict::covers);
  CHECK(rep.routes == "Z3-only");
  // Slightly smaller θ: not a covering (the equator is uncovered), with an exact witness.
  const auto no = reductions::certify_sphere_covering(two, Rational(1, 100), 20000, false);
  CHECK(no.verdict == reductions::SphereCoveringReport::Verdict::does_not_cover);
  REQUIRE(no.witness);
  CHECK(reductions::is_uncovered_witness(*no.witness, two, Rational(1, 100)));
}
