// The checker's own sphere geometry for t2's covering section (docs/certificates.md#t2): cap
// measures by closed forms and series, and the exact checks of explicit coverings of S^1 and S^2.
// Written from the format alone (no producer code), exact GMP rationals throughout.
#pragma once
#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qarith.hpp"

namespace attncert::checker {

// mu(cap theta) on S^{d-1}, cos theta = c in (-1, 1): the normalized measure of
// {x : <x, p> >= c}. Rational parts once per (d, c), then enclosures at any precision.
// Thin caps (sin^2 <= 1/2) by a series of positive terms, whose precision is relative: the closed
// forms below cancel (theta + r sin theta is tiny for small theta and large d) and would need about
// -log2(mu) more bits.
//   mu = 1/2 I_x(a, 1/2), a = (d-1)/2, x = sin^2 of the cap's radius, and (DLMF 8.17.8)
//   I_x(a, b) = x^a (1-x)^b / (a B(a, b)) * sum_k T_k,  T_0 = 1,  T_k = T_{k-1} x (a+b+k-1)/(a+k),
//   with b = 1/2: T_k / T_{k-1} = x (d+2k-2)/(d+2k-1) < x <= 1/2, so the tail after T_k is <= T_k.
//   x^a (1-x)^{1/2} = x^m sqrt(x (1-x)) (d even, m = (d-2)/2) or x^m sqrt(1-x) (d odd, m = (d-1)/2);
//   1/(a B(a, 1/2)) = 2 4^m / ((2m+1) C(2m, m) pi) (d even) or C(2m, m) / 4^m (d odd).
struct ThinCap {
  ThinCap(std::size_t d, const mpq_class& x);
  QInterval operator()(unsigned bits) const;

 private:
  std::size_t d_;
  mpq_class x_, q_, coef_;  // mu = coef sqrt(q) S (/ pi when d is even)
};

struct CapMeasure {
  CapMeasure(std::size_t d, const mpq_class& c);
  QInterval operator()(unsigned bits) const;

 private:
  mpq_class c_;
  bool exact_ = false, thin_ = false;
  mpq_class mu_, r_;  // exact mu, or mu = (theta + r sin theta) / pi
  std::optional<ThinCap> series_;
};

// mu(cap theta/2) on S^{d-1} for the same c: the caps of a maximal theta-separated set.
// cos(theta/2) = sqrt((1 + c)/2) and sin(theta/2) cos(theta/2) = sin(theta)/2 enter as square-root
// enclosures; sin^2(theta/2) = (1 - c)/2 is exact.
struct HalfCapMeasure {
  HalfCapMeasure(std::size_t d, const mpq_class& c);
  QInterval operator()(unsigned bits) const;

 private:
  mpq_class c_;
  bool odd_ = false;
  std::optional<ThinCap> series_;  // c >= 0: sin^2(theta/2) = (1-c)/2 <= 1/2
  mpq_class a_, b_, w_;  // odd n: mu = (a + b cos(theta/2)) / w; even n: mu = (theta/2 + a sin(theta)/2) / pi
};

// The largest precision (bits) a single refinement may use; above it a claim is undecidable here.
inline constexpr unsigned kMaxCapBits = 8192;

// d = 2: do closed caps of angular radius theta (cos theta = c) around `centers` (exact unit
// vectors, checked here) cover S^1? Exact: sort by angle, every gap between angular neighbours of
// opening alpha needs cos(alpha/2) >= c. Returns "" when they cover, else the reason.
std::string circle_cover_failure(const std::vector<std::vector<mpq_class>>& centers, const mpq_class& c);

// d = 3, 0 < c < 1: exact branch and bound over the six cube faces (own route): a box of a face
// {s e_k + u e_i + v e_j} is certified by a center x when min over the box of <x, w> is > 0 and its
// square is >= c^2 max ||w||^2. Boxes split in four down to `max_depth`; every examined box is
// counted in `boxes`, and the search stops (returns a reason) past `box_budget`.
std::string sphere_cover_failure(const std::vector<std::vector<mpq_class>>& centers, const mpq_class& c,
                                 int max_depth, std::uint64_t box_budget, std::uint64_t& boxes);

}  // namespace attncert::checker
