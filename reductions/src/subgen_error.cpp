// Certified error of a streaming answer against the exact reference (subgen.hpp, certified_error).
#include <cmath>
#include <stdexcept>

#include "attncert/core/attention_ref.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/subgen.hpp"

namespace attncert::reductions {

namespace {

using core::Interval;
using core::Rational;

double down(const Interval& x) { return mpfr_get_d(x.lo(), MPFR_RNDD); }
double up(const Interval& x) { return mpfr_get_d(x.hi(), MPFR_RNDU); }

}  // namespace

CertifiedError certified_error(std::span<const double> z, std::span<const float> q, std::span<const float> K,
                               std::span<const float> V, std::size_t d, mpfr_prec_t prec) {
  if (d == 0) throw ParameterError("d", "must be >= 1");
  if (z.size() != d) throw ParameterError("z", "must have d entries");
  if (q.size() != d) throw ParameterError("query", "must have d entries");
  if (K.empty() || K.size() % d || V.size() != K.size()) throw ParameterError("K", "K and V must be n x d, n >= 1");
  for (double x : z)
    if (!std::isfinite(x)) throw ParameterError("z", "entries must be finite");
  const std::size_t n = K.size() / d;
  // Floats and doubles are dyadic: these rationals are the inputs exactly.
  core::RationalVector qq(d);
  for (std::size_t c = 0; c < d; ++c) qq[c] = Rational(static_cast<double>(q[c]));
  core::RationalMatrix KK(n, core::RationalVector(d)), VV(n, core::RationalVector(d));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t c = 0; c < d; ++c) {
      KK[j][c] = Rational(static_cast<double>(K[j * d + c]));
      VV[j][c] = Rational(static_cast<double>(V[j * d + c]));
    }
  const core::AttentionEnclosure att = core::attention_reference(qq, KK, VV, core::pow2(-90));
  const mpfr_prec_t P = std::max(prec, att.precision);

  CertifiedError r;
  Interval e2(P), a2(P);
  for (std::size_t l = 0; l < d; ++l) {
    const Interval diff = Interval::from_rational(Rational(z[l]), P) - att.out[l];
    e2 = e2 + diff * diff;
    a2 = a2 + att.out[l] * att.out[l];
  }
  r.err = core::sqrt(core::max(e2, Interval(P)));  // the square is >= 0; drop a negative lo
  r.attn_norm = core::sqrt(core::max(a2, Interval(P)));

  // ||softmax(Kq)||_2 = sqrt(sum e_j^2) / sum e_j with e_j = e^{s_j - max s} in (0, 1].
  std::vector<Rational> score(n);
  Rational smax;
  for (std::size_t j = 0; j < n; ++j) {
    Rational acc = 0;
    for (std::size_t c = 0; c < d; ++c) acc += qq[c] * KK[j][c];
    score[j] = acc;
    if (j == 0 || acc > smax) smax = acc;
  }
  Interval s1(P), s2(P);
  for (std::size_t j = 0; j < n; ++j) {
    const Interval e = core::exp(Interval::from_rational(score[j] - smax, P));
    s1 = s1 + e;
    s2 = s2 + e * e;
  }
  r.softmax_norm = core::sqrt(s2) / s1;

  // ||V||_F exactly; ||V x|| / ||x|| for the power-iteration vector x of V^T V (x proposed in double,
  // the quotient computed exactly).
  Rational fro = 0;
  for (const auto& row : VV)
    for (const auto& x : row) fro += x * x;
  r.v_frobenius = core::sqrt(Interval::from_rational(fro, P));
  std::vector<double> G(d * d, 0.0), x(d, 1.0), y(d);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t b = 0; b < d; ++b) G[a * d + b] += static_cast<double>(V[j * d + a]) * V[j * d + b];
  for (int it = 0; it < 200; ++it) {
    double norm = 0;
    for (std::size_t a = 0; a < d; ++a) {
      double acc = 0;
      for (std::size_t b = 0; b < d; ++b) acc += G[a * d + b] * x[b];
      y[a] = acc;
      norm += acc * acc;
    }
    if (!(norm > 0)) break;
    norm = std::sqrt(norm);
    for (std::size_t a = 0; a < d; ++a) x[a] = y[a] / norm;
  }
  Rational xx = 0, vx2 = 0;
  for (std::size_t a = 0; a < d; ++a) xx += Rational(x[a]) * Rational(x[a]);
  for (const auto& row : VV) {
    Rational acc = 0;
    for (std::size_t a = 0; a < d; ++a) acc += row[a] * Rational(x[a]);
    vx2 += acc * acc;
  }
  r.v_op_lower = xx > 0 ? core::sqrt(Interval::from_rational(vx2 / xx, P)) : Interval(P);

  r.rel_lo = up(r.err) == 0 ? 0.0 : (fro > 0 ? down(r.err / (r.softmax_norm * r.v_frobenius)) : INFINITY);
  if (up(r.err) == 0) r.rel_hi = 0;
  else if (vx2 > 0) r.rel_hi = up(r.err / (r.softmax_norm * r.v_op_lower));
  else r.rel_hi = INFINITY;
  return r;
}

}  // namespace attncert::reductions
