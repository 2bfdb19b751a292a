// Covering numbers of S^{d-1}: the bounds and the explicit coverings declared in covering.hpp.
// The statement of each bound and its proof are in the comments here; docs/theorems.md states
// what is certified.
#include "attncert/reductions/covering.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include "attncert/core/cvc5.hpp"
#include "attncert/core/incomplete_beta.hpp"
#include "attncert/core/interval.hpp"
#include "attncert/core/z3_prover.hpp"
#include "attncert/reductions/errors.hpp"

namespace attncert::reductions {

using core::Interval;

namespace {

void check_d(int d) {
  if (d < 2) throw ParameterError("d", "must be at least 2, got " + std::to_string(d));
  if (d > 100000) throw ParameterError("d", "must be at most 100000, got " + std::to_string(d));
}

void check_cos(const Rational& c) {
  if (c <= -1 || c >= 1)
    throw ParameterError("cos_theta", "must lie in (-1, 1), got " + core::to_string(c));
}

// μ(cap of radius φ) for φ <= π/2 given s = sin²φ: ½ I_s((d-1)/2, ½). This is the normalized
// surface measure of {x : x_1 >= cos φ}: the density of x_1 on S^{d-1} is proportional to
// (1 - u²)^{(d-3)/2}; substituting t = 1 - u² turns ∫_{cos φ}^1 (1-u²)^{(d-3)/2} du into
// ½ ∫_0^{sin²φ} t^{(d-3)/2} (1-t)^{-1/2} dt, whose full-sphere value is B((d-1)/2, ½).
Interval cap_from_sin2(int d, const Rational& s2, mpfr_prec_t prec) {
  const Interval I = core::regularized_incomplete_beta(s2, Rational(d - 1, 2), Rational(1, 2), prec);
  return I * Interval::from_rational(Rational(1, 2), prec + 32);
}

RationalInterval to_q(const Interval& x) { return {x.lo_q(), x.hi_q()}; }

Rational dot(const Point& a, const Point& b) {
  Rational s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

void check_centers(const std::vector<Point>& centers, std::size_t dim) {
  if (centers.empty()) throw ParameterError("centers", "must not be empty");
  for (std::size_t i = 0; i < centers.size(); ++i) {
    if (centers[i].size() != dim)
      throw ParameterError("centers", "center " + std::to_string(i) + " is not in dimension " + std::to_string(dim));
    if (dot(centers[i], centers[i]) != 1)
      throw ParameterError("centers", "center " + std::to_string(i) + " is not exactly on the unit sphere");
  }
}

Rational dyadic(double v, unsigned bits) {
  const double scaled = std::ldexp(v, static_cast<int>(bits));
  Integer n;
  mpz_set_d(n.backend().data(), std::nearbyint(scaled));
  return Rational(n) / core::pow2(bits);
}

std::string smt_rational(const Rational& r) {
  const Integer n = boost::multiprecision::numerator(r), q = boost::multiprecision::denominator(r);
  const Integer an = n < 0 ? Integer(-n) : n;
  std::string s = q == 1 ? an.str() : "(/ " + an.str() + " " + q.str() + ")";
  return n < 0 ? "(- " + s + ")" : s;
}

}  // namespace

RationalInterval cap_measure(int d, const Rational& cos_theta, unsigned prec_bits) {
  check_d(d);
  check_cos(cos_theta);
  const Rational s2 = 1 - cos_theta * cos_theta;  // sin²θ, exact
  const Interval mu = cap_from_sin2(d, s2, prec_bits);
  if (cos_theta >= 0) return to_q(mu);
  // θ > π/2: the closed cap is the complement of the open cap of radius π - θ around -p; the
  // boundary circle has measure 0.
  return to_q(Interval::from_long(1, prec_bits + 32) - mu);
}

// The bounds, with their proofs.
//
// Lower: if caps cap(p_1, θ), ..., cap(p_N, θ) cover S^{d-1}, then 1 = σ(S) <= Σ σ(cap(p_i, θ)) =
// N μ(θ) for the normalized surface measure σ, so N >= 1/μ(θ) >= 1/μ.hi, and N is an integer.
//
// Upper (caps): let P be a maximal subset of S^{d-1} with pairwise angle > θ (finite, by the
// packing bound below). Maximality: every x has some p ∈ P at angle <= θ, so the caps cap(p, θ),
// p ∈ P, cover. The open caps of radius θ/2 around the points of P are pairwise disjoint: a point
// in two of them would put their centers at angle < θ (the angle is a metric on the sphere). So
// |P| μ(θ/2) <= 1 and N_cov <= |P| <= 1/μ(θ/2) <= 1/μ(θ/2).lo. Since θ/2 < π/2,
// μ(θ/2) = ½ I_{sin²(θ/2)}((d-1)/2, ½) with sin²(θ/2) = (1 - cos θ)/2 exact.
//
// Upper (Euclidean volume): with chord r = |x - p| = sqrt(2 - 2c) (angle <= θ iff chord <= r),
// a maximal set with pairwise chord > r covers, and the balls of radius r/2 around its points are
// disjoint and inside the ball of radius 1 + r/2, so |P| (r/2)^d <= (1 + r/2)^d, i.e.
// N_cov <= (1 + 2/r)^d. Weaker than the cap bound; reported because it is the textbook form.
//
// Upper (θ >= π/2, c <= 0): two antipodal centers ±e cover, since max(⟨x,e⟩, ⟨x,-e⟩) >= 0 >= c.
CoveringBounds covering_bounds(int d, const Rational& cos_theta, unsigned prec_bits) {
  check_d(d);
  check_cos(cos_theta);
  const mpfr_prec_t prec = prec_bits;
  CoveringBounds b;
  b.d = d;
  b.cos_theta = cos_theta;
  b.cap = cap_measure(d, cos_theta, prec_bits);
  b.lower = core::ceil(Rational(1) / b.cap.hi);
  b.half_cap = to_q(cap_from_sin2(d, (1 - cos_theta) / 2, prec));
  b.upper_cap = core::floor(Rational(1) / b.half_cap.lo);
  const Interval r = core::sqrt(Interval::from_rational(2 - 2 * cos_theta, prec));
  const Interval base = Interval::from_long(1, prec) + Interval::from_long(2, prec) / r;
  Interval v = Interval::from_long(1, prec);
  for (int i = 0; i < d; ++i) v = v * base;
  b.volume_bound = to_q(v);
  b.upper_volume = core::floor(b.volume_bound.hi);
  b.upper = std::min(b.upper_cap, b.upper_volume);
  if (cos_theta <= 0) b.upper = std::min(b.upper, Integer(2));
  return b;
}

// ---- d = 2 ----------------------------------------------------------------------------------

Point rational_circle_point(double phi, unsigned bits) {
  const Rational t = dyadic(std::tan(phi / 2), bits);
  const Rational den = 1 + t * t;
  return {(1 - t * t) / den, 2 * t / den};
}

std::vector<Point> rational_polygon(int M, unsigned bits) {
  if (M < 1) throw ParameterError("M", "must be at least 1, got " + std::to_string(M));
  std::vector<Point> pts;
  for (int k = 0; k < M; ++k) pts.push_back(rational_circle_point(2 * M_PI * k / M + M_PI / M - M_PI, bits));
  return pts;
}

namespace {
// Exact angular order: upper half-plane (y > 0, or y = 0 and x > 0) first, then by cross product.
bool angle_less(const Point& p, const Point& q) {
  auto half = [](const Point& a) { return (a[1] > 0 || (a[1] == 0 && a[0] > 0)) ? 0 : 1; };
  if (half(p) != half(q)) return half(p) < half(q);
  return p[0] * q[1] - p[1] * q[0] > 0;
}
}  // namespace

// Between angularly neighbouring centers p, q with counterclockwise gap α, every point of the arc
// is at angle <= α/2 from p or from q, with equality only at the arc's midpoint m; every other
// center lies outside the arc, so it is at angle >= α/2 from m as well. Hence the caps cover the
// circle iff cos(α/2) >= c for every gap. cos²(α/2) = (1 + cos α)/2 = (1 + ⟨p,q⟩)/2 =: h, and
// cos(α/2) >= 0 iff α <= π iff det(p, q) > 0 or q = -p. So the gap is covered iff
//   α <= π:  c <= 0 or h >= c²;     α > π:  c <= 0 and h <= c².
CircleCoveringCheck check_circle_covering(const std::vector<Point>& centers, const Rational& cos_theta) {
  check_cos(cos_theta);
  check_centers(centers, 2);
  CircleCoveringCheck r;
  r.sorted = centers;
  std::sort(r.sorted.begin(), r.sorted.end(), angle_less);
  r.sorted.erase(std::unique(r.sorted.begin(), r.sorted.end()), r.sorted.end());
  const Rational& c = cos_theta;
  const std::size_t M = r.sorted.size();
  if (M == 1) {  // one cap of radius θ < π never covers
    r.covers = false;
    r.worst_half_cos_sq = 0;
    return r;
  }
  r.covers = true;
  bool have_worst = false;
  bool worst_small = true;  // α <= π at the worst gap
  for (std::size_t i = 0; i < M; ++i) {
    const Point& p = r.sorted[i];
    const Point& q = r.sorted[(i + 1) % M];
    const Rational det = p[0] * q[1] - p[1] * q[0];
    const bool small = det > 0 || (det == 0 && p[0] == -q[0] && p[1] == -q[1]);
    const Rational h = (1 + dot(p, q)) / 2;
    const bool ok = small ? (c <= 0 || h >= c * c) : (c <= 0 && h <= c * c);
    // worst = smallest cos(α/2): a large gap (α > π) beats a small one; among small gaps the
    // smallest h, among large gaps the largest h.
    bool worse = !have_worst || (worst_small && !small) ||
                 (small == worst_small && (small ? h < r.worst_half_cos_sq : h > r.worst_half_cos_sq));
    if (r.covers && !ok) {  // the first failing gap is reported
      r.covers = false;
      worse = true;
    } else if (!r.covers) {
      worse = false;
    }
    if (worse) {
      have_worst = true;
      worst_small = small;
      r.worst_gap = i;
      r.worst_half_cos_sq = h;
    }
  }
  return r;
}

CircleCovering circle_covering(const Rational& cos_theta) {
  check_cos(cos_theta);
  const double theta = std::acos(cos_theta.convert_to<double>());
  const int M0 = std::max(2, static_cast<int>(std::ceil(M_PI / theta - 1e-9)));
  for (int M = M0; M < M0 + 64; ++M)
    for (unsigned bits : {32u, 64u}) {
      CircleCovering out;
      out.M = M;
      out.centers = rational_polygon(M, bits);
      out.check = check_circle_covering(out.centers, cos_theta);
      if (out.check.covers) return out;
    }
  throw std::runtime_error("circle_covering: no rational polygon up to M0 + 63 certified (cos_theta too close to 1?)");
}

// ---- d = 3 ----------------------------------------------------------------------------------

std::string sphere_covering_smtlib2(const std::vector<Point>& centers, const Rational& cos_theta) {
  check_cos(cos_theta);
  check_centers(centers, 3);
  std::ostringstream s;
  s << "(set-logic QF_NRA)\n(declare-const x Real)\n(declare-const y Real)\n(declare-const z Real)\n";
  s << "(assert (= (+ (* x x) (* y y) (* z z)) 1))\n";
  const char* names[3] = {"x", "y", "z"};
  for (const auto& c : centers) {
    s << "(assert (< (+";
    for (int i = 0; i < 3; ++i) s << " (* " << smt_rational(c[i]) << " " << names[i] << ")";
    s << ") " << smt_rational(cos_theta) << "))\n";
  }
  s << "(check-sat)\n";
  return s.str();
}

namespace {

struct Box {
  Rational u0, u1, v0, v1;
};

// Max of t² over [t0, t1]: at an endpoint.
Rational max_sq(const Rational& t0, const Rational& t1) { return std::max(t0 * t0, t1 * t1); }
// Min of a·t over [t0, t1].
Rational min_lin(const Rational& a, const Rational& t0, const Rational& t1) { return std::min(a * t0, a * t1); }

}  // namespace

// For w = s e_k + u e_i + v e_j over a box: ⟨c, w⟩ >= Lmin := s c_k + min(c_i u) + min(c_j v)
// (a linear form is extremal at corners) and ‖w‖² <= 1 + max u² + max v². If Lmin > 0 and
// Lmin² >= cos²θ (1 + max u² + max v²), then ⟨c, w⟩ >= Lmin >= cos θ ‖w‖ (cos θ > 0) for every w
// in the box, so every direction w/‖w‖ of the box lies in cap(c, θ). The six faces' boxes cover
// [-1,1]², and every x ∈ S² is w/‖w‖ for w = x/‖x‖_∞ on one face.
BranchAndBound sphere_covering_bnb(const std::vector<Point>& centers, const Rational& cos_theta, int max_depth,
                                   long max_boxes) {
  check_cos(cos_theta);
  check_centers(centers, 3);
  if (cos_theta <= 0) throw ParameterError("cos_theta", "branch and bound needs 0 < cos_theta < 1, got " + core::to_string(cos_theta));
  BranchAndBound out;
  out.certified = true;
  const Rational c2 = cos_theta * cos_theta;
  for (int k = 0; k < 3 && out.certified; ++k)
    for (int s : {1, -1}) {
      if (!out.certified) break;
      const int i = (k + 1) % 3, j = (k + 2) % 3;
      std::function<bool(const Box&, int)> rec = [&](const Box& b, int depth) -> bool {
        if (out.boxes_certified >= max_boxes) {
          out.budget_exhausted = true;
          return false;
        }
        const Rational norm_max = 1 + max_sq(b.u0, b.u1) + max_sq(b.v0, b.v1);
        for (const auto& c : centers) {
          const Rational L = s * c[k] + min_lin(c[i], b.u0, b.u1) + min_lin(c[j], b.v0, b.v1);
          if (L > 0 && L * L >= c2 * norm_max) {
            ++out.boxes_certified;
            return true;
          }
        }
        if (depth >= max_depth) {
          ++out.boxes_undecided;
          const double u = ((b.u0 + b.u1) / 2).convert_to<double>(), v = ((b.v0 + b.v1) / 2).convert_to<double>();
          std::vector<double> w(3);
          w[k] = s;
          w[i] = u;
          w[j] = v;
          out.candidate = Point{Rational(0), Rational(0), Rational(0)};
          const double n = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
          for (int t = 0; t < 3; ++t) (*out.candidate)[t] = dyadic(w[t] / n, 40);  // a direction, not on S²
          return false;
        }
        const Rational um = (b.u0 + b.u1) / 2, vm = (b.v0 + b.v1) / 2;
        for (const Box& q : {Box{b.u0, um, b.v0, vm}, Box{um, b.u1, b.v0, vm}, Box{b.u0, um, vm, b.v1}, Box{um, b.u1, vm, b.v1}})
          if (!rec(q, depth + 1)) return false;
        return true;
      };
      if (!rec(Box{-1, 1, -1, 1}, 0)) out.certified = false;
    }
  return out;
}

Point rational_sphere_point(const std::vector<double>& approx, unsigned bits) {
  if (approx.size() != 3) throw ParameterError("approx", "must have 3 coordinates");
  const double n = std::sqrt(approx[0] * approx[0] + approx[1] * approx[1] + approx[2] * approx[2]);
  if (!(n > 0)) throw ParameterError("approx", "must be a nonzero finite vector");
  int k = 0;
  for (int t = 1; t < 3; ++t)
    if (std::fabs(approx[t]) > std::fabs(approx[k])) k = t;
  // Pole P = sigma e_k with sigma = -sign(x_k) (the pole farthest from x). Stereographic
  // coordinates y_i = x_i / (1 - sigma x_k); inverse x_i = 2 y_i / (1 + |y|²),
  // x_k = sigma (|y|² - 1)/(|y|² + 1), exactly on the sphere for rational y.
  const int sigma = approx[k] > 0 ? -1 : 1;
  const double xk = approx[k] / n;
  Point x(3);
  Rational ysq = 0;
  std::vector<Rational> y(3);
  for (int t = 0; t < 3; ++t)
    if (t != k) {
      y[t] = dyadic(approx[t] / n / (1 - sigma * xk), bits);
      ysq += y[t] * y[t];
    }
  for (int t = 0; t < 3; ++t) x[t] = t == k ? Rational(sigma * (ysq - 1) / (ysq + 1)) : Rational(2 * y[t] / (1 + ysq));
  return x;
}

bool is_uncovered_witness(const Point& x, const std::vector<Point>& centers, const Rational& cos_theta) {
  if (x.size() != 3 || dot(x, x) != 1) return false;
  for (const auto& c : centers)
    if (c.size() != 3 || dot(x, c) >= cos_theta) return false;
  return true;
}

namespace {
// Floating point proposes a deepest hole: the point of a spherical Fibonacci grid (then a local
// refinement) farthest from all centers. Exact arithmetic decides whether it is a witness.
std::vector<double> propose_hole(const std::vector<Point>& centers) {
  std::vector<std::vector<double>> cs;
  for (const auto& c : centers) cs.push_back({c[0].convert_to<double>(), c[1].convert_to<double>(), c[2].convert_to<double>()});
  auto score = [&](const std::vector<double>& x) {
    double m = -2;
    for (const auto& c : cs) m = std::max(m, c[0] * x[0] + c[1] * x[1] + c[2] * x[2]);
    return m;
  };
  auto unit = [](std::vector<double> x) {
    const double n = std::sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    for (auto& v : x) v /= n;
    return x;
  };
  const int n = 20000;
  std::vector<double> best{0, 0, 1};
  double best_s = 2;
  for (int i = 0; i < n; ++i) {
    const double z = 1 - (2.0 * i + 1) / n, r = std::sqrt(1 - z * z), phi = i * M_PI * (3 - std::sqrt(5.0));
    std::vector<double> x{r * std::cos(phi), r * std::sin(phi), z};
    const double s = score(x);
    if (s < best_s) best_s = s, best = x;
  }
  for (double step = 1e-2; step > 1e-12; step /= 2)  // pattern search
    for (bool moved = true; moved;) {
      moved = false;
      for (int t = 0; t < 3; ++t)
        for (double sg : {1.0, -1.0}) {
          auto x = best;
          x[t] += sg * step;
          x = unit(x);
          const double s = score(x);
          if (s < best_s) best_s = s, best = x, moved = true;
        }
    }
  return best;
}
}  // namespace

// max_c ⟨x, c⟩ at the float-proposed hole x (floats only: a proposal, never a decision).
static double float_hole_depth(const std::vector<Point>& centers) {
  const std::vector<double> x = propose_hole(centers);
  double m = -2;
  for (const auto& c : centers)
    m = std::max(m, c[0].convert_to<double>() * x[0] + c[1].convert_to<double>() * x[1] + c[2].convert_to<double>() * x[2]);
  return m;
}

SphereCoveringReport certify_sphere_covering(const std::vector<Point>& centers, const Rational& cos_theta,
                                             unsigned timeout_ms, bool run_cvc5) {
  SphereCoveringReport rep;
  rep.smtlib2 = sphere_covering_smtlib2(centers, cos_theta);  // validates the input
  {
    z3::context ctx;
    core::LemmaResult r;
    try {
      z3::expr_vector a = ctx.parse_string(rep.smtlib2.c_str());
      std::vector<z3::expr> hyps;
      for (unsigned i = 0; i < a.size(); ++i) hyps.push_back(a[i]);
      // prove(false) under the assertions: unsat of the assertions is "proved".
      r = core::prove(ctx, "sphere covering", ctx.bool_val(false), timeout_ms, hyps);
    } catch (const z3::exception& e) {
      r.reason = std::string("z3 error: ") + e.msg();
    }
    if (r.verdict == core::LemmaVerdict::proved) rep.z3 = "unsat";
    else if (r.verdict == core::LemmaVerdict::refuted) {
      rep.z3 = "sat";
      Point x(3);
      for (const auto& [name, text] : r.counterexample) {
        const int t = name == "x" ? 0 : name == "y" ? 1 : name == "z" ? 2 : -1;
        if (t >= 0) x[t] = core::parse_rational(text, name);
      }
      if (is_uncovered_witness(x, centers, cos_theta)) rep.witness = x;
    } else {
      rep.z3 = r.reason.rfind("model", 0) == 0 ? "sat (" + r.reason + ")" : r.reason;
    }
  }
  rep.cvc5 = run_cvc5 ? core::run_cvc5(rep.smtlib2, timeout_ms).answer : "skipped";
  const bool bnb_ran = cos_theta > 0;
  if (bnb_ran) rep.bnb = sphere_covering_bnb(centers, cos_theta);
  std::vector<std::string> agree;
  if (rep.z3 == "unsat") agree.push_back("Z3");
  if (bnb_ran && rep.bnb.certified) agree.push_back("branch-and-bound");
  if (rep.cvc5 == "unsat") agree.push_back("cvc5");
  if (!agree.empty() && !rep.witness) {
    rep.verdict = SphereCoveringReport::Verdict::covers;
    for (std::size_t i = 0; i < agree.size(); ++i) rep.routes += (i ? " + " : "") + agree[i];
    if (agree.size() == 1) rep.routes += "-only";
    return rep;
  }
  // Not proved: look for an exact rational witness (Z3's rational model, the branch and bound's
  // undecided box, or a float-proposed deepest hole), each re-checked in exact rationals.
  if (!rep.witness && rep.bnb.candidate) {
    std::vector<double> w;
    for (const auto& q : *rep.bnb.candidate) w.push_back(q.convert_to<double>());
    Point x = rational_sphere_point(w);
    if (is_uncovered_witness(x, centers, cos_theta)) rep.witness = x;
  }
  if (!rep.witness) {
    Point x = rational_sphere_point(propose_hole(centers));
    if (is_uncovered_witness(x, centers, cos_theta)) rep.witness = x;
  }
  if (rep.witness) {
    rep.verdict = SphereCoveringReport::Verdict::does_not_cover;
    rep.routes = "exact rational witness";
  }
  if (rep.witness && (rep.z3 == "unsat" || rep.bnb.certified || rep.cvc5 == "unsat")) {
    rep.verdict = SphereCoveringReport::Verdict::inconclusive;  // a bug somewhere: claim nothing
    rep.routes = "CONTRADICTION: a route proved covering but an exact witness refutes it";
  }
  return rep;
}

std::vector<Point> octahedron() {
  std::vector<Point> out;
  for (int k = 0; k < 3; ++k)
    for (int s : {1, -1}) {
      Point p{Rational(0), Rational(0), Rational(0)};
      p[k] = s;
      out.push_back(p);
    }
  return out;
}

std::vector<Point> rational_icosahedron(unsigned bits) {
  const double phi = (1 + std::sqrt(5.0)) / 2;
  std::vector<Point> out;
  for (int k = 0; k < 3; ++k)
    for (int s1 : {1, -1})
      for (int s2 : {1, -1}) {
        std::vector<double> w(3, 0.0);
        w[(k + 1) % 3] = s1;
        w[(k + 2) % 3] = s2 * phi;
        out.push_back(rational_sphere_point(w, bits));
      }
  return out;
}

std::vector<Point> rational_fibonacci_sphere(int N, unsigned bits) {
  if (N < 1) throw ParameterError("N", "must be at least 1, got " + std::to_string(N));
  std::vector<Point> out;
  const double golden = M_PI * (3 - std::sqrt(5.0));
  for (int i = 0; i < N; ++i) {
    const double z = 1 - (2.0 * i + 1) / N, r = std::sqrt(std::max(0.0, 1 - z * z));
    out.push_back(rational_sphere_point({r * std::cos(i * golden), r * std::sin(i * golden), z}, bits));
  }
  return out;
}

std::optional<SphereCovering> sphere_covering_d3(const Rational& cos_theta, int max_points, unsigned timeout_ms,
                                                 bool run_cvc5) {
  check_cos(cos_theta);
  if (cos_theta <= 0) throw ParameterError("cos_theta", "an explicit d = 3 covering needs 0 < cos_theta < 1, got " + core::to_string(cos_theta));
  SphereCovering out;
  out.lower = covering_bounds(3, cos_theta).lower;
  for (int N = std::max(2, out.lower.convert_to<int>()); N <= max_points; ++N) {
    auto pts = rational_fibonacci_sphere(N, 10);  // short coordinates keep Z3's nlsat fast
    // Floating point proposes: skip N whose float-found hole is clearly uncovered (skipping
    // claims nothing; only the exact routes below certify).
    if (float_hole_depth(pts) < cos_theta.convert_to<double>() - 1e-9) continue;
    if (!sphere_covering_bnb(pts, cos_theta, 12, 200000).certified) continue;
    out.N = N;
    out.centers = std::move(pts);
    out.report = certify_sphere_covering(out.centers, cos_theta, timeout_ms, run_cvc5);
    return out;
  }
  return std::nullopt;
}

std::optional<ExplicitCovering> explicit_covering(int d, const Rational& cos_theta, int max_points) {
  check_cos(cos_theta);
  if (d == 2) {
    // At most 4096 centers (the certificate's limit); near cos θ = 1 no short rational polygon exists.
    if (M_PI / std::acos(cos_theta.convert_to<double>()) > 4000) return std::nullopt;
    CircleCovering cc;
    try {
      cc = circle_covering(cos_theta);
    } catch (const std::runtime_error&) {
      return std::nullopt;
    }
    if (!cc.check.covers) return std::nullopt;
    return ExplicitCovering{cc.centers, "rational " + std::to_string(cc.M) + "-gon", "exact angular gaps"};
  }
  if (d != 3 || cos_theta <= 0) return std::nullopt;
  const int lower = covering_bounds(3, cos_theta).lower.convert_to<int>();
  std::vector<std::pair<std::string, std::vector<Point>>> candidates;
  candidates.emplace_back("octahedron", octahedron());
  for (int N = std::max(2, lower); N <= max_points; ++N) {
    if (N == 12) candidates.emplace_back("rational icosahedron", rational_icosahedron());
    candidates.emplace_back("Fibonacci spiral N = " + std::to_string(N), rational_fibonacci_sphere(N, 10));
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
  for (auto& [name, pts] : candidates) {
    if (float_hole_depth(pts) < cos_theta.convert_to<double>() - 1e-9) continue;  // proposes only
    const BranchAndBound bnb = sphere_covering_bnb(pts, cos_theta, 12, 200000);
    if (!bnb.certified) continue;
    return ExplicitCovering{std::move(pts), name,
                            "exact branch and bound (" + std::to_string(bnb.boxes_certified) + " boxes)"};
  }
  return std::nullopt;
}

}  // namespace attncert::reductions
