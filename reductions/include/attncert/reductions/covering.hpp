// Covering numbers of the sphere S^{d-1} (docs/theorems.md, T2): certified lower and upper bounds,
// and explicit coverings certified exactly for d = 2 and d = 3.
//
// Parameterization: the angular radius θ is given by a rational c = cos θ in (-1, 1). Then
// sin²θ = 1 - c² and sin²(θ/2) = (1 - c)/2 are exact rationals, which is what the incomplete-beta
// enclosure takes. N_cov(S^{d-1}, θ) is the least number of closed caps
// cap(p, θ) = {x ∈ S^{d-1} : ⟨x, p⟩ >= c} whose union is the sphere.
//
// Every result is an exact object a certificate can store: rationals, integers, intervals with
// rational endpoints, the SMT-LIB2 text of a solver claim. No Z3 or MPFR header is included here.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "attncert/core/rational.hpp"

namespace attncert::reductions {

using core::Integer;
using core::Rational;

// [lo, hi] with exact rational endpoints that contains the true real value.
struct RationalInterval {
  Rational lo, hi;
  bool contains(const Rational& x) const { return lo <= x && x <= hi; }
};

// Normalized measure of a closed cap of angular radius θ (cos θ = c) on S^{d-1}:
//   θ <= π/2 (c >= 0):  μ = ½ I_{1-c²}((d-1)/2, ½);
//   θ >  π/2 (c <  0):  μ = 1 - ½ I_{1-c²}((d-1)/2, ½)  (the complement of the open cap of radius π-θ).
// Enclosed with MPFR intervals at `prec_bits`. Throws ParameterError ("d": d < 2; "cos_theta":
// outside (-1, 1)).
RationalInterval cap_measure(int d, const Rational& cos_theta, unsigned prec_bits = 128);

// Both bounds on N_cov(S^{d-1}, θ), each proved in a comment in covering.cpp:
//   lower          = ceil(1 / μ(θ).hi)          (caps of measure μ(θ) cover measure 1)
//   upper_cap      = floor(1 / μ(θ/2).lo)        (a maximal θ-separated set covers; its θ/2-caps are
//                                                 disjoint), sin²(θ/2) = (1-c)/2
//   upper_volume   = floor((1 + 2/r)^d .hi)      (the Euclidean volumetric bound, chord r = sqrt(2-2c))
//   upper          = min(upper_cap, upper_volume, 2 if c <= 0)
struct CoveringBounds {
  int d = 0;
  Rational cos_theta;
  RationalInterval cap;           // μ(θ)
  RationalInterval half_cap;      // μ(θ/2)
  RationalInterval volume_bound;  // (1 + 2/r)^d
  Integer lower, upper_cap, upper_volume, upper;
  // upper / lower as an exact rational, and its log2 rounded for display (never decides).
  Rational ratio() const { return Rational(upper) / Rational(lower); }
};
CoveringBounds covering_bounds(int d, const Rational& cos_theta, unsigned prec_bits = 128);

// ---- explicit coverings ---------------------------------------------------------------------

// A point with rational coordinates; explicit coverings use points exactly on the unit sphere.
using Point = std::vector<Rational>;

// Rational point on the unit circle closest (to about 2^-bits) to angle phi (float proposes;
// the point is exactly on the circle: ((1-t²)/(1+t²), 2t/(1+t²)) with rational t ≈ tan(phi/2)).
Point rational_circle_point(double phi, unsigned bits);
// M rational points near the regular M-gon (angles 2πk/M + π/M - π), exactly on the circle.
std::vector<Point> rational_polygon(int M, unsigned bits = 32);

// d = 2, decided exactly. Sorting the centers by angle (exact comparisons), the covering radius is
// the largest half-gap α/2 between neighbours; the arc between neighbours p, q is covered iff
// cos(α/2) >= c, with cos²(α/2) = (1 + ⟨p,q⟩)/2 and the sign of cos(α/2) that of the cross product
// (α <= π iff det(p, q) >= 0). `covers` is that decision for all gaps; `worst_gap` names the first
// neighbour pair that fails (or the gap with the largest α when all pass).
struct CircleCoveringCheck {
  bool covers = false;
  std::size_t worst_gap = 0;       // index i: the gap from sorted[i] to sorted[i+1 mod M]
  Rational worst_half_cos_sq;      // (1 + ⟨p,q⟩)/2 at that gap
  std::vector<Point> sorted;       // the centers in angular order
};
// Throws ParameterError ("cos_theta" outside (-1, 1); "centers" empty or not exactly unit length
// or not in dimension 2).
CircleCoveringCheck check_circle_covering(const std::vector<Point>& centers, const Rational& cos_theta);

// The smallest regular polygon (rational approximation) that certifies a covering of S^1 with
// angular radius θ: M is proposed in floating point (M = ceil(π/θ) plus slack if the rational
// approximation needs it), then decided exactly. d = 2 has N_cov = ceil(π/θ) = ceil(1/μ).
struct CircleCovering {
  int M = 0;
  std::vector<Point> centers;
  CircleCoveringCheck check;
};
CircleCovering circle_covering(const Rational& cos_theta);

// d = 3. The claim "the caps cap(c_i, θ) cover S²" as SMT-LIB2 (QF_NRA): the script asserts
// x² + y² + z² = 1 and ⟨x, c_i⟩ < cos θ for every center; unsat means the centers cover.
std::string sphere_covering_smtlib2(const std::vector<Point>& centers, const Rational& cos_theta);

// Own route: exact rational branch and bound. S² is the union of the six cube faces
// {s e_k + u e_i + v e_j : (u, v) ∈ [-1, 1]²} (radially projected); a box of (u, v) is certified
// when one center c satisfies, for every w in the box, ⟨c, w⟩ > 0 and ⟨c, w⟩² >= cos²θ ‖w‖²
// (i.e. ⟨c, w/‖w‖⟩ >= cos θ), both bounded in exact rationals: the linear form at the box's
// corners, ‖w‖² by its maximum. Boxes are split in four until certified; a box at `max_depth`, or
// reaching `max_boxes` certified boxes, leaves the claim undecided (the search stops there: this route
// only ever proves covering). Requires 0 < cos θ < 1 (θ < π/2).
struct BranchAndBound {
  bool certified = false;      // every box certified
  long boxes_certified = 0;
  long boxes_undecided = 0;    // at max_depth
  bool budget_exhausted = false;  // stopped at max_boxes
  std::optional<Point> candidate;  // center of an undecided box, as a float-proposed direction
};
BranchAndBound sphere_covering_bnb(const std::vector<Point>& centers, const Rational& cos_theta, int max_depth = 14,
                                   long max_boxes = 2000000);

// A rational point exactly on S² near direction `approx` (inverse stereographic projection of
// rounded rational coordinates, from the pole farthest from `approx`).
Point rational_sphere_point(const std::vector<double>& approx, unsigned bits = 40);
// True iff x is exactly on the unit sphere and ⟨x, c⟩ < cos θ for every center (an exact witness
// that the caps do not cover).
bool is_uncovered_witness(const Point& x, const std::vector<Point>& centers, const Rational& cos_theta);

// The d = 3 claim decided by up to three routes.
struct SphereCoveringReport {
  std::string smtlib2;                // the claim's text (unsat = covers)
  std::string z3;                     // "unsat", "sat", "unknown: ..." (Z3 through core::prove)
  std::string cvc5;                   // "unsat", "sat", "unknown", "unavailable", "skipped"
  BranchAndBound bnb;
  // Verdict under the trust policy: covers iff Z3 says unsat and (when it ran) no other route
  // disagrees; refuted only with an exact rational witness; otherwise inconclusive.
  enum class Verdict { covers, does_not_cover, inconclusive } verdict = Verdict::inconclusive;
  std::string routes;                 // e.g. "Z3 + branch-and-bound + cvc5", or "Z3-only"
  std::optional<Point> witness;       // exact uncovered point when does_not_cover
};
SphereCoveringReport certify_sphere_covering(const std::vector<Point>& centers, const Rational& cos_theta,
                                             unsigned timeout_ms = 10000, bool run_cvc5 = true);

// Explicit rational point sets on S²: the octahedron (±e_i; covering radius arccos(1/sqrt 3)) and a
// rational approximation of the icosahedron (covering radius about 37.38°, cos ≈ 0.7947).
std::vector<Point> octahedron();
std::vector<Point> rational_icosahedron(unsigned bits = 30);
// N rational points exactly on S² near the spherical Fibonacci spiral (z_i = 1 - (2i+1)/N, golden
// angle steps).
std::vector<Point> rational_fibonacci_sphere(int N, unsigned bits = 30);

// An explicit covering of S² for any 0 < cos θ < 1: the smallest Fibonacci spiral (10-bit
// stereographic coordinates: short rationals keep Z3's nlsat fast), N from the
// certified lower bound up to `max_points`, that the exact branch and bound certifies (a box
// budget per N keeps hopeless N short), then certify_sphere_covering on it for the other routes.
// nullopt when no N up to max_points is certified.
struct SphereCovering {
  int N = 0;
  core::Integer lower;  // covering_bounds(3, cos θ).lower
  std::vector<Point> centers;
  SphereCoveringReport report;
};
std::optional<SphereCovering> sphere_covering_d3(const Rational& cos_theta, int max_points = 200,
                                                 unsigned timeout_ms = 10000, bool run_cvc5 = false);

// The smallest explicit covering this library certifies exactly and quickly (no solver), for the
// t2 table and certificate: d = 2 the rational polygon of circle_covering (decided exactly; at most
// about 4000 vertices, the certificate's limit is 4096 centers);
// d = 3 with 0 < cos θ < 1 the first of the octahedron, the Fibonacci spirals with N from the
// certified lower bound up to `max_points` and the rational icosahedron, in increasing size, that
// sphere_covering_bnb certifies (depth 12, 200000 boxes; floating point only skips hopeless sets).
// nullopt for other d or cos θ, or when nothing up to max_points is certified.
struct ExplicitCovering {
  std::vector<Point> centers;
  std::string name;   // "rational 4-gon", "octahedron", "Fibonacci spiral N = 7", ...
  std::string route;  // "exact angular gaps" or "exact branch and bound (N boxes)"
};
std::optional<ExplicitCovering> explicit_covering(int d, const Rational& cos_theta, int max_points = 64);

}  // namespace attncert::reductions
