// T7 (gpu_check/README.md "Bound model"): the error-tracking scalar (host only). A Tracked holds
// the kernel's binary32 value v (computed by exactly the same binary32 operation as the plain
// kernel, so the values are bit-identical) and an enclosure of its error e = v - X, where X is the
// value the same schedule takes in exact real arithmetic on the exact inputs:
//     e in [c - r, c + r]     (c: signed centre, r >= 0: radius; |v - X| <= |c| + r)
// The shift. The kernels subtract a running maximum m that is itself a computed score s~_t (the
// key t that set it; kernels.hpp keeps the maximum as the scalar it selected). The exact model
// shifts by the EXACT score s_t of that key, not by the float s~_t: softmax is shift invariant,
// so with every shift an exact score (and the online rescale factors, the merge weights modelling
// e^{s_t_old - s_t_new}) X of the final output is still the exact attention. Scores carry a label
// (key_score: key index + 1, unique among the keys of one row, and no two rows' values ever meet);
// every other operation's result is unlabelled. For a - b with equal non-zero labels both are
// copies of one score, X_a = X_b, so the exact difference is 0 and the computed one +0: error 0.
// The maximum's own weight is then exactly kexp(0) = 1 = e^0, whatever the score's error was;
// another key's argument carries e_j - e_t (centres and radii as for any subtraction). The
// no_max_subtract plant's shift is the constant 0 (unlabelled, exact).
// Per operation, with operands a, b (errors e_a, e_b) and result v = fl(a op b):
//   rounding   rho = v - (a op b) is computed exactly (TwoSum / exact double products) for
//              +, -, *; for / it is computed to double accuracy. |rho| <= u|v| + underflow
//              (2^-150 for *, /; 0 for +, -), the classic model, but we keep its actual value;
//   +, -       e = rho + e_a +- e_b   (a - a of one labelled score: exactly 0, above)
//   *          e = rho + a e_b + b e_a - e_a e_b
//   /          e = rho + (b e_a - a e_b) / (b B), B = b - e_b; needs |e_b| < |b|/2, else +inf
//   exp        e = (v - e^a) e^{-e_a} + v (1 - e^{-e_a}); |v - e^a| <= U ulp(e^a) with
//              U = exp_ulps() (measured exhaustively, padded), ulp(y) <= 2^-23 y + 2^-149;
//              1 - e^{-x} is increasing, so its range over e_a's interval is exact (double
//              expm1, widened by 2^-40 relative); an exact argument 0 gives exactly 1; a result
//              0 whose exact argument is certainly below -110 is bounded by e^{a + |e_a|}
//              (never 0: a double exp that underflows still gets 2^-1070 added)
//   cast to T  e = rho + e_a, rho = v - a exact (the P cast of prefill, to f16 / bf16)
// Every double operation on c and r is itself accounted for: the rounding of each double result
// t (<= 2^-53 |t| + 2^-1075) is added to r, and every r is inflated by (1 + 2^-48) after its
// few nonnegative operations, so r stays an upper bound. A non-finite value or bound gives +inf.
#pragma once
#include <cmath>
#include <limits>

#include "attncert/gpu/kernels.hpp"

namespace attncert::gpu {

double exp_ulps();  // problem.hpp; repeated here for the tracker

struct Tracked {
  float v = 0.0f;
  double c = 0.0, r = 0.0;
  int label = 0;  // key index + 1 for a score (ops::key_score), else 0; see the head comment
};

namespace tracked_detail {
inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kSlop = 0x1p-52;    // >= 2^-53 per double rounding, doubled for safety
inline constexpr double kTiny = 0x1p-1070;  // absolute slack for double underflow
inline double up(double x) { return x * (1.0 + 0x1p-48) + kTiny; }
inline Tracked unbounded(float v) { return Tracked{v, 0.0, kInf, 0}; }
inline bool bad(const Tracked& a) { return !(a.r < kInf); }
}  // namespace tracked_detail

template <> struct ops<Tracked> {
  static Tracked cst(float x) { return Tracked{x, 0.0, 0.0, 0}; }
  static float val(const Tracked& x) { return x.v; }
  // The score of key j: the same value and error, labelled (j >= 0).
  static Tracked key_score(const Tracked& s, int j) { return Tracked{s.v, s.c, s.r, j + 1}; }

  static Tracked add_signed(const Tracked& a, const Tracked& b, bool negate_b) {
    using namespace tracked_detail;
    const float bv = negate_b ? -b.v : b.v;
    const float v = a.v + bv;  // the kernel's operation (fadd / fsub on the host)
    if (bad(a) || bad(b) || !std::isfinite(v)) return unbounded(v);
    // One score minus itself (a labelled copy: the same exact value X): v = +0, X_a - X_b = 0.
    if (negate_b && a.label != 0 && a.label == b.label && a.v == b.v && a.c == b.c && a.r == b.r)
      return Tracked{v, 0.0, 0.0, 0};
    double x = a.v, y = bv;
    if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
    const double rho = (static_cast<double>(v) - x) - y;  // exact (Fast2Sum, |x| >= |y|)
    const double bc = negate_b ? -b.c : b.c;
    const double t1 = a.c + bc;
    const double c = t1 + rho;
    const double r = up(a.r + b.r + (std::fabs(t1) + std::fabs(c)) * kSlop);
    return Tracked{v, c, r};
  }
  static Tracked add(const Tracked& a, const Tracked& b) { return add_signed(a, b, false); }
  static Tracked sub(const Tracked& a, const Tracked& b) { return add_signed(a, b, true); }

  static Tracked mul(const Tracked& a, const Tracked& b) {
    using namespace tracked_detail;
    const float v = a.v * b.v;
    if (bad(a) || bad(b) || !std::isfinite(v)) return unbounded(v);
    const double av = a.v, bv = b.v;
    const double rho = static_cast<double>(v) - av * bv;  // exact unless v is subnormal: slop below
    if (a.c == 0.0 && a.r == 0.0 && b.c == 0.0 && b.r == 0.0)
      return Tracked{v, rho, up(std::fabs(rho) * kSlop)};
    const double t1 = av * b.c, t2 = bv * a.c, t3 = a.c * b.c;
    const double s1 = rho + t1, s2 = s1 + t2, c = s2 - t3;
    const double slop = std::fabs(rho) + std::fabs(t1) + std::fabs(t2) + std::fabs(t3) + std::fabs(s1) +
                        std::fabs(s2) + std::fabs(c);
    const double r = up(std::fabs(av) * b.r + std::fabs(bv) * a.r + std::fabs(a.c) * b.r + std::fabs(b.c) * a.r +
                        a.r * b.r + slop * kSlop);
    return Tracked{v, c, r};
  }

  static Tracked div(const Tracked& a, const Tracked& b) {
    using namespace tracked_detail;
    const float v = a.v / b.v;
    if (bad(a) || bad(b) || !std::isfinite(v) || b.v == 0.0f) return unbounded(v);
    const double av = a.v, bv = b.v, abv = std::fabs(bv);
    const double t = up((std::fabs(b.c) + b.r) / abv);  // |e_b / b| <= t
    if (!(t < 0.5)) return unbounded(v);
    const double num = static_cast<double>(v) * bv - av;  // = rho * b (exact unless v subnormal)
    const double rho = num / bv;
    const double n1 = bv * a.c, n2 = av * b.c, nc = n1 - n2;
    const double b2 = bv * bv;
    const double C = nc / b2;  // centre of (b e_a - a e_b) / b^2
    const double RN = up((abv * a.r + std::fabs(av) * b.r) / b2);
    const double eta = up(t / ((1.0 - t) * (1.0 - 0x1p-50)));  // |theta / (1 - theta)| <= eta
    const double c = rho + C;
    const double slop = std::fabs(num) / abv + 2 * std::fabs(rho) + std::fabs(n1) / b2 + std::fabs(n2) / b2 +
                        std::fabs(nc) / b2 + 3 * std::fabs(C) + std::fabs(c);
    const double r = up(RN + (std::fabs(C) + RN) * eta + slop * kSlop);
    return Tracked{v, c, r};
  }

  static Tracked exp(const Tracked& a) {
    using namespace tracked_detail;
    const float v = kexp(a.v);
    if (bad(a) || !std::isfinite(v)) return unbounded(v);
    // An exact argument 0 (the running maximum's own weight, a rescale by a maximum that did not
    // move): kexp(0) = 1 = e^0 exactly (exp.hpp, tested).
    if (a.v == 0.0f && a.c == 0.0 && a.r == 0.0 && v == 1.0f) return Tracked{v, 0.0, 0.0, 0};
    const double U = exp_ulps();
    const double vd = v;
    const double E = up((vd + U * 0x1p-149) / (1.0 - 0x1p-23 * U));  // >= e^a
    // >= |v - e^a|; kexp(+-0) = 1 exactly (an online step whose max did not move)
    const double delta = a.v == 0.0f ? 0.0 : up(U * (0x1p-23 * E + 0x1p-149));
    const double m = up(std::fabs(a.c) + a.r);                        // >= |e_a|
    // Deep underflow (a key far below the maximum, its argument's error possibly huge): v = 0 and
    // 0 < X = e^A <= e^{a+m} < e^-110; a double exp that underflows to 0 still leaves 2^-1070
    // (up), so the bound is never 0. (The verifier raises stated bounds to 2^-149.)
    if (v == 0.0f && static_cast<double>(a.v) + m < -110.0)
      return Tracked{v, 0.0, up(std::exp(static_cast<double>(a.v) + m) * (1.0 + 0x1p-40)), 0};
    // e = (v - e^a) e^{-e_a} + v g(e_a), g(x) = 1 - e^{-x} increasing: g(e_a) in [g(lo), g(hi)]
    // with lo <= e_a <= hi. expm1 is trusted to 2^-40 relative (glibc: < 2 ulp), widened below.
    const double lo = (a.c - a.r) - m * kSlop, hi = (a.c + a.r) + m * kSlop;
    if (!(-lo < 700.0)) return unbounded(v);
    double glo = -std::expm1(-lo), ghi = -std::expm1(-hi);
    glo -= std::fabs(glo) * 0x1p-40 + kTiny;
    ghi += std::fabs(ghi) * 0x1p-40 + kTiny;
    const double gmid = 0.5 * (glo + ghi), ghalf = up(0.5 * (ghi - glo) + std::fabs(gmid) * kSlop);
    const double elo = up(std::exp(-lo) * (1.0 + 0x1p-40));  // >= e^{-e_a}
    const double c = vd * gmid;
    const double r = up(vd * ghalf + delta * elo + std::fabs(c) * kSlop);
    return Tracked{v, c, r};
  }

  template <class T> static Tracked cast(const Tracked& a) {
    using namespace tracked_detail;
    const float v = round_to<T>(a.v);
    if (bad(a) || !std::isfinite(v)) return unbounded(v);
    const double rho = static_cast<double>(v) - static_cast<double>(a.v);  // exact
    const double c = a.c + rho;
    return Tracked{v, c, up(a.r + std::fabs(c) * kSlop)};
  }
};

// |v - X| <= bound(x), rounded upward; +inf when there is no bound.
inline double bound_of(const Tracked& x) {
  if (!std::isfinite(x.v) || !(x.r < tracked_detail::kInf)) return tracked_detail::kInf;
  if (x.c == 0.0 && x.r == 0.0) return 0.0;  // exact (a constant, a masked row's 0)
  return tracked_detail::up(std::fabs(x.c) + x.r);
}

}  // namespace attncert::gpu
