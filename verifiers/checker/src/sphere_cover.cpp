// The checker's own sphere geometry (sphere_cover.hpp). Every series states its remainder bound.
#include "sphere_cover.hpp"

#include <algorithm>
#include <map>

namespace attncert::checker {

namespace {

// arctan(x) for |x| <= 1/2 by the alternating series sum (-1)^k x^{2k+1}/(2k+1): its terms
// decrease, so the remainder lies between 0 and the first omitted term. Outward at P bits.
QInterval atan_series(const mpq_class& x_in, unsigned P) {
  const bool neg = x_in < 0;
  const mpq_class x = neg ? mpq_class(-x_in) : x_in;
  if (x == 0) return {0, 0};
  const mpq_class x2 = x * x;
  const mpq_class eps(mpz_class(1), mpz_class(1) << P);
  mpq_class pl = round_down(x, P), ph = round_up(x, P);  // x^{2k+1}
  mpq_class lo = 0, hi = 0;
  for (unsigned long k = 0;; ++k) {
    const mpq_class den(static_cast<unsigned long>(2 * k + 1));
    const mpq_class tl = round_down(pl / den, P), th = round_up(ph / den, P);
    if (k % 2 == 0) { lo += tl; hi += th; } else { lo -= th; hi -= tl; }
    pl = round_down(pl * x2, P);
    ph = round_up(ph * x2, P);
    const mpq_class next = round_up(ph / mpq_class(static_cast<unsigned long>(2 * k + 3)), P);
    if (next < eps || k > 8 * P) {
      lo -= next;
      hi += next;
      break;
    }
  }
  if (neg) return {-hi, -lo};
  return {lo, hi};
}

// pi = 16 arctan(1/5) - 4 arctan(1/239) (Machin), once per precision (every row and both ends
// of every arctan need it: recomputing it dominated the checker's time for thin caps).
const QInterval& pi_enc(unsigned P) {
  static std::map<unsigned, QInterval> cache;
  auto it = cache.find(P);
  if (it == cache.end()) {
    const QInterval a = atan_series(mpq_class(1, 5), P), b = atan_series(mpq_class(1, 239), P);
    it = cache.emplace(P, QInterval{16 * a.lo - 4 * b.hi, 16 * a.hi - 4 * b.lo}).first;
  }
  return it->second;
}

// arctan(x), x >= 0: the series for x <= 1/2; pi/4 + arctan((x-1)/(x+1)) for x <= 1
// (|(x-1)/(x+1)| <= 1/3); pi/2 - arctan(1/x) above.
QInterval atan_enc(const mpq_class& x, unsigned P) {
  if (x <= mpq_class(1, 2)) return atan_series(x, P);
  const QInterval& pi = pi_enc(P);
  if (x <= 1) {
    const QInterval r = atan_series((x - 1) / (x + 1), P);
    return {pi.lo / 4 + r.lo, pi.hi / 4 + r.hi};
  }
  const QInterval r = atan_enc(1 / x, P);
  return {pi.lo / 2 - r.hi, pi.hi / 2 - r.lo};
}

// sqrt(q), q >= 0 rational, by an integer square root with P fractional bits; exact when q is the
// square of a rational (so a rational value is never only enclosed).
QInterval sqrt_enc(const mpq_class& q, unsigned P) {
  mpz_class rn, rd, rem;
  mpz_sqrtrem(rn.get_mpz_t(), rem.get_mpz_t(), q.get_num_mpz_t());
  if (rem == 0) {
    mpz_sqrtrem(rd.get_mpz_t(), rem.get_mpz_t(), q.get_den_mpz_t());
    if (rem == 0) {
      mpq_class r(rn, rd);
      r.canonicalize();
      return {r, r};
    }
  }
  mpz_class n = q.get_num() * q.get_den() << (2 * P), r;  // sqrt(q) = sqrt(num den) / den
  mpz_sqrt(r.get_mpz_t(), n.get_mpz_t());
  const mpz_class scale = q.get_den() << P;
  mpq_class lo(r, scale), hi(mpz_class(r + 1), scale);
  lo.canonicalize();
  hi.canonicalize();
  return {lo, hi};
}

// theta = arccos c = 2 arctan(sqrt((1-c)/(1+c))), enclosed (arctan increasing).
QInterval theta_enc(const mpq_class& c, unsigned P) {
  const QInterval t = sqrt_enc((1 - c) / (1 + c), P);
  return {2 * atan_enc(t.lo, P).lo, 2 * atan_enc(t.hi, P).hi};
}

// a * [lo, hi] for a rational a of either sign.
QInterval scale(const mpq_class& a, const QInterval& x) {
  return a >= 0 ? QInterval{a * x.lo, a * x.hi} : QInterval{a * x.hi, a * x.lo};
}

// (num) / pi with num possibly straddling 0 at low precision (mu > 0: a lower end <= 0 only means
// the precision is too low), clamped to [0, 1], outward at P bits.
QInterval over_pi(const QInterval& num, unsigned P) {
  const QInterval& pi = pi_enc(P);
  mpq_class lo = num.lo <= 0 ? mpq_class(0) : round_down(num.lo / pi.hi, P);
  mpq_class hi = num.hi <= 0 ? mpq_class(0) : round_up(num.hi / pi.lo, P);
  if (hi > 1) hi = 1;
  return {lo, hi};
}

}  // namespace

// mu(cap theta) = S_n(theta) / S_n(pi), n = d - 2, S_n(theta) = int_0^theta sin^n t dt, and by
// parts S_n = -sin^{n-1}(theta) cos(theta) / n + (n-1)/n S_{n-2}, S_0 = theta, S_1 = 1 - c.
// n odd: sin^{n-1} = (1 - c^2)^{(n-1)/2} is rational, so mu is an exact rational.
// n even: S_n = a_n theta + b_n sin theta with rational a_n, b_n (a_0 = 1, b_0 = 0,
// a_n = (n-1)/n a_{n-2}, b_n = -c (1-c^2)^{(n-2)/2} / n + (n-1)/n b_{n-2}) and S_n(pi) = a_n pi,
// so mu = (theta + (b_n/a_n) sin theta) / pi. Exact special cases, where mu is rational although
// this route would only enclose it: c = 0 (mu = 1/2 for every d, by sin(pi - t) = sin t) and
// d = 2, c = +-1/2 (mu = 1/3, 2/3). For every other rational c and even n, mu is irrational
// (Lindemann, Niven), so refinement decides any stored endpoint.
namespace {
mpz_class binomial(unsigned long n, unsigned long k) {
  mpz_class r;
  mpz_bin_uiui(r.get_mpz_t(), n, k);
  return r;
}

// n even: B_n / A_n of A_0 = 1, B_0 = 0, A_m = f A_{m-2}, B_m = -s2^{(m-2)/2} / m + f B_{m-2},
// f = (m-1)/m. CapMeasure's b_n / a_n (s2 = 1 - c^2) is c times it, since its b_m carries the
// factor c linearly; HalfCapMeasure's (s2 = (1 - c)/2) is it.
mpq_class even_ratio(long n, const mpq_class& s2) {
  mpq_class A = 1, B = 0, pw = 1;
  for (long m = 2; m <= n; m += 2) {
    if (m > 2) pw *= s2;
    const mpq_class f(m - 1, m);
    A = f * A;
    B = -pw / m + f * B;
  }
  return B / A;
}
}  // namespace

ThinCap::ThinCap(std::size_t d, const mpq_class& x) : d_(d), x_(x) {
  const bool even = d % 2 == 0;
  const unsigned long m = even ? (d - 2) / 2 : (d - 1) / 2;
  mpq_class xm = 1;
  for (unsigned long i = 0; i < m; ++i) xm *= x;
  const mpz_class four_m = mpz_class(1) << (2 * m);
  mpq_class k = even ? mpq_class(2 * four_m, (2 * m + 1) * binomial(2 * m, m)) : mpq_class(binomial(2 * m, m), four_m);
  k.canonicalize();
  coef_ = xm * k / 2;
  q_ = even ? mpq_class(x * (1 - x)) : mpq_class(1 - x);
}

QInterval ThinCap::operator()(unsigned bits) const {
  const unsigned P = bits + 32;
  const mpq_class eps(mpz_class(1), mpz_class(1) << P);
  mpq_class tl = 1, th = 1, sl = 1, sh = 1;
  for (unsigned long k = 1;; ++k) {
    const mpq_class f = x_ * mpq_class(static_cast<unsigned long>(d_ + 2 * k - 2), static_cast<unsigned long>(d_ + 2 * k - 1));
    tl = round_down(tl * f, P);
    th = round_up(th * f, P);
    sl += tl;
    sh += th;
    if (th < eps || k > 64 * P) {
      sh += th;  // the tail after T_k is at most T_k (ratios below x <= 1/2)
      break;
    }
  }
  const QInterval sq = sqrt_enc(q_, P);
  mpq_class lo = coef_ * sq.lo * sl, hi = coef_ * sq.hi * sh;
  if (d_ % 2 == 0) {
    const QInterval& pi = pi_enc(P);
    lo /= pi.hi;
    hi /= pi.lo;
  }
  // Relative rounding: keep about P significant bits of each end (mu may be far below 2^-P).
  const long e = static_cast<long>(mpz_sizeinbase(hi.get_den_mpz_t(), 2)) - static_cast<long>(mpz_sizeinbase(hi.get_num_mpz_t(), 2));
  const unsigned R = P + static_cast<unsigned>(std::max(0L, e)) + 2;
  return {round_down(lo, R), round_up(hi, R)};
}

CapMeasure::CapMeasure(std::size_t d, const mpq_class& c) : c_(c) {
  if (c == 0 || (d == 2 && (c == mpq_class(1, 2) || c == mpq_class(-1, 2)))) {
    exact_ = true;
    mu_ = c == 0 ? mpq_class(1, 2) : c > 0 ? mpq_class(1, 3) : mpq_class(2, 3);
    return;
  }
  const mpq_class s2 = 1 - c * c;
  const long n = static_cast<long>(d) - 2;
  if (n % 2 != 0) {
    mpq_class S = 1 - c, W = 2, pw = 1;  // pw = s2^((m-1)/2), kept incrementally
    for (long m = 3; m <= n; m += 2) {
      pw *= s2;
      const mpq_class f(m - 1, m);
      S = -pw * c / m + f * S;
      W = f * W;
    }
    exact_ = true;
    mu_ = S / W;
    mu_.canonicalize();
    return;
  }
  if (c > 0 && 2 * s2 <= 1) {  // thin: sin^2 theta <= 1/2
    series_.emplace(d, s2);
    return;
  }
  r_ = c * even_ratio(n, s2);
}

QInterval CapMeasure::operator()(unsigned bits) const {
  if (exact_) return {mu_, mu_};
  if (series_) return (*series_)(bits);
  const unsigned P = bits + 32;
  const QInterval s = sqrt_enc(1 - c_ * c_, P), th = theta_enc(c_, P), rs = scale(r_, s);
  return over_pi({th.lo + rs.lo, th.hi + rs.hi}, P);
}

// The same recurrence at phi = theta/2 (0 < phi < pi/2): sin^2 phi = (1 - c)/2 =: s2 exact,
// cos phi = sqrt((1 + c)/2), sin phi cos phi = sin(theta)/2 = sqrt(1 - c^2)/2.
// n odd: sin^{m-1} phi cos phi = s2^{(m-1)/2} cos phi, so S_n(phi) = a + b cos phi
// (S_1 = 1 - cos phi: a = 1, b = -1; a_m = f a_{m-2}, b_m = -s2^{(m-1)/2}/m + f b_{m-2},
// f = (m-1)/m) and S_n(pi) = w (w_1 = 2, w_m = f w_{m-2}).
// n even: sin^{m-1} phi cos phi = s2^{(m-2)/2} sin phi cos phi, so S_n(phi) = A phi + B sin(phi) cos(phi)
// (A_0 = 1, B_0 = 0; A_m = f A_{m-2}, B_m = -s2^{(m-2)/2}/m + f B_{m-2}) and S_n(pi) = A pi:
// mu = (phi + (B/A) sin(theta)/2) / pi, phi = theta/2.
HalfCapMeasure::HalfCapMeasure(std::size_t d, const mpq_class& c) : c_(c) {
  const mpq_class s2 = (1 - c) / 2;
  if (c >= 0) {
    series_.emplace(d, s2);
    return;
  }
  const long n = static_cast<long>(d) - 2;
  if (n % 2 != 0) {
    mpq_class pw = 1;
    odd_ = true;
    a_ = 1, b_ = -1, w_ = 2;
    for (long m = 3; m <= n; m += 2) {
      pw *= s2;
      const mpq_class f(m - 1, m);
      a_ = f * a_;
      b_ = -pw / m + f * b_;
      w_ = f * w_;
    }
    return;
  }
  a_ = even_ratio(n, s2);
}

QInterval HalfCapMeasure::operator()(unsigned bits) const {
  if (series_) return (*series_)(bits);
  const unsigned P = bits + 32;
  if (odd_) {
    const QInterval cp = scale(b_, sqrt_enc((1 + c_) / 2, P));
    mpq_class lo = (a_ + cp.lo) / w_, hi = (a_ + cp.hi) / w_;
    if (lo < 0) lo = 0;
    if (hi > 1) hi = 1;
    return {round_down(lo, P), round_up(hi, P)};
  }
  const QInterval th = theta_enc(c_, P), s = sqrt_enc(1 - c_ * c_, P), rs = scale(a_ / 2, s);
  return over_pi({th.lo / 2 + rs.lo, th.hi / 2 + rs.hi}, P);
}

std::string circle_cover_failure(const std::vector<std::vector<mpq_class>>& centers_in, const mpq_class& c) {
  std::vector<std::vector<mpq_class>> p;
  for (const auto& x : centers_in) {
    if (x.size() != 2) return "a center is not a point of the plane";
    if (x[0] * x[0] + x[1] * x[1] != 1) return "a center is not exactly on the unit circle";
    p.push_back(x);
  }
  // Angular order in [0, 2 pi): the upper half (y > 0, or y = 0 and x > 0) first, then by the
  // sign of the cross product.
  auto half = [](const std::vector<mpq_class>& a) { return (a[1] > 0 || (a[1] == 0 && a[0] > 0)) ? 0 : 1; };
  auto cross = [](const std::vector<mpq_class>& a, const std::vector<mpq_class>& b) {
    return mpq_class(a[0] * b[1] - a[1] * b[0]);
  };
  std::sort(p.begin(), p.end(), [&](const auto& a, const auto& b) {
    const int ha = half(a), hb = half(b);
    if (ha != hb) return ha < hb;
    return cross(a, b) > 0;
  });
  p.erase(std::unique(p.begin(), p.end()), p.end());
  if (p.size() < 2) return "fewer than two distinct centers cannot cover the circle";
  const mpq_class c2 = c * c;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto& a = p[i];
    const auto& b = p[(i + 1) % p.size()];
    // The counter-clockwise gap alpha in (0, 2 pi) from a to b; the arc between is covered iff
    // cos(alpha/2) >= c, with cos^2(alpha/2) = h = (1 + <a,b>)/2 and the sign of cos(alpha/2)
    // that of det(a, b) (alpha < pi, = pi, > pi).
    const mpq_class h = (1 + a[0] * b[0] + a[1] * b[1]) / 2, det = cross(a, b);
    const bool covered = det > 0 ? (c <= 0 || h >= c2) : det == 0 ? c <= 0 : (c < 0 && h <= c2);
    if (!covered) return "the gap after center " + std::to_string(i) + " in angular order is wider than 2 theta";
  }
  return "";
}

std::string sphere_cover_failure(const std::vector<std::vector<mpq_class>>& centers, const mpq_class& c,
                                 int max_depth, std::uint64_t box_budget, std::uint64_t& boxes) {
  if (c <= 0 || c >= 1) return "the branch and bound needs 0 < cos theta < 1";
  for (const auto& x : centers) {
    if (x.size() != 3) return "a center is not a point of R^3";
    if (x[0] * x[0] + x[1] * x[1] + x[2] * x[2] != 1) return "a center is not exactly on the unit sphere";
  }
  const mpq_class c2 = c * c;
  struct Box {
    mpq_class u0, u1, v0, v1;
    int depth;
  };
  for (int k = 0; k < 3; ++k) {
    const int i = (k + 1) % 3, j = (k + 2) % 3;
    for (int s : {1, -1}) {
      std::vector<Box> stack{{-1, 1, -1, 1, 0}};
      while (!stack.empty()) {
        const Box b = stack.back();
        stack.pop_back();
        if (++boxes > box_budget) return "the branch and bound exceeds its box budget (--max-pairs)";
        const mpq_class R = 1 + std::max(b.u0 * b.u0, b.u1 * b.u1) + std::max(b.v0 * b.v0, b.v1 * b.v1);
        bool done = false;
        for (const auto& x : centers) {
          // <x, w> for w = s e_k + u e_i + v e_j is linear in (u, v): its minimum is at a corner.
          const mpq_class base = s * x[k];
          mpq_class L = base + b.u0 * x[i] + b.v0 * x[j];
          for (const auto& uv : {std::pair{&b.u0, &b.v1}, std::pair{&b.u1, &b.v0}, std::pair{&b.u1, &b.v1}})
            L = std::min(L, mpq_class(base + *uv.first * x[i] + *uv.second * x[j]));
          if (L > 0 && L * L >= c2 * R) {
            done = true;
            break;
          }
        }
        if (done) continue;
        if (b.depth >= max_depth) return "a box of face " + std::to_string(k) + (s > 0 ? "+" : "-") +
                                         " is not certified at depth " + std::to_string(max_depth);
        const mpq_class um = (b.u0 + b.u1) / 2, vm = (b.v0 + b.v1) / 2;
        stack.push_back({b.u0, um, b.v0, vm, b.depth + 1});
        stack.push_back({um, b.u1, b.v0, vm, b.depth + 1});
        stack.push_back({b.u0, um, vm, b.v1, b.depth + 1});
        stack.push_back({um, b.u1, vm, b.v1, b.depth + 1});
      }
    }
  }
  return "";
}

}  // namespace attncert::checker
