#include "attncert/reductions/t1.hpp"

#include <stdexcept>
#include <tuple>

#include "attncert/core/entropy.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/limits.hpp"

namespace attncert::reductions {

using core::Integer;
using core::Interval;
using core::Rational;

Notion parse_notion(const std::string& s) {
  if (s == "rel") return Notion::rel;
  if (s == "abs") return Notion::abs;
  if (s == "l2") return Notion::l2;
  throw ParameterError("notion", "'" + s + "' is not rel, abs or l2");
}

const char* to_string(Notion n) { return n == Notion::rel ? "rel" : n == Notion::abs ? "abs" : "l2"; }

void check_C(const Rational& C) {
  if (C <= 0 || C > Rational(Integer(limits::max_C)))
    throw ParameterError("C", "must lie in (0, 2^23], got " + core::to_string(C));
}

void check_eta_delta(const Rational& eta, const Rational& delta) {
  if (eta < 0 || eta >= 1) throw ParameterError("eta", "must lie in [0, 1), got " + core::to_string(eta));
  if (delta < 0 || delta >= 1) throw ParameterError("delta", "must lie in [0, 1), got " + core::to_string(delta));
}

void check_rho_target(const Rational& eps, const Rational& delta_prime) {
  if (eps <= 0 || eps >= 1) throw ParameterError("eps", "must lie in (0, 1), got " + core::to_string(eps));
  if (delta_prime <= 0 || delta_prime >= 1)
    throw ParameterError("delta_prime", "must lie in (0, 1), got " + core::to_string(delta_prime));
}

H1Instance make_h1(core::SignMatrix keys, const Rational& C, std::uint64_t bits_seed) {
  std::size_t N = keys.rows(), d = keys.cols();
  return {N, d, C, std::move(keys), core::SignMatrix::random(N, d, bits_seed)};
}

void H1Instance::bob_view(std::size_t i, core::RationalVector& q, core::RationalMatrix& K,
                          core::RationalMatrix& V) const {
  q.assign(d, 0);
  K.assign(N + 1, core::RationalVector(d, 0));
  V.assign(N + 1, core::RationalVector(d, 0));
  Rational scale = C / Rational(static_cast<long>(d));
  for (std::size_t c = 0; c < d; ++c) q[c] = scale * keys.entry(i, c);
  for (std::size_t t = 0; t < N; ++t)
    for (std::size_t c = 0; c < d; ++c) {
      K[t][c] = keys.entry(t, c);
      V[t][c] = bits.entry(t, c);
    }
  // token N (Bob's): key 0, value 0, already zero
}

static unsigned __int128 to_u128(const Integer& z) {
  if (z < 0 || z >= (Integer(1) << 127)) throw std::overflow_error("fixed-point value out of range");
  unsigned __int128 r = 0;
  Integer t = z;
  for (int s = 0; s < 128; s += 32) {
    r |= static_cast<unsigned __int128>((t & Integer(0xffffffffu)).convert_to<std::uint64_t>()) << s;
    t >>= 32;
  }
  return r;
}

static Rational from_u128(unsigned __int128 v) {
  Integer hi(static_cast<std::uint64_t>(v >> 64)), lo(static_cast<std::uint64_t>(v));
  return Rational((hi << 64) + lo);
}

ExpTable exp_table(std::size_t d, const Rational& C) {
  ExpTable t;
  const Rational scale = core::pow2(ExpTable::kShift);
  auto up = [&](const Rational& x) {  // ceil(2^64 * (upper bound of e^x)), x <= 0
    Interval e = core::exp(Interval::from_rational(x, 160));
    return to_u128(core::ceil(e.hi_q() * scale));
  };
  t.up.resize(d + 1);
  for (std::size_t k = 0; k <= d; ++k) t.up[k] = up(-2 * C * Rational(static_cast<long>(k), static_cast<long>(d)));
  t.up_C = up(-C);
  return t;
}

std::uint32_t lemma3_flips(const Rational& w, const T1Params& prm, std::size_t d) {
  Rational mu = 2 * w - 1;
  switch (prm.notion) {
    case Notion::rel: return mu > 0 ? 0 : static_cast<std::uint32_t>(d);
    case Notion::abs: return mu > prm.eta ? 0 : static_cast<std::uint32_t>(d);
    default: {
      if (mu <= 0) return static_cast<std::uint32_t>(d);
      Integer F = core::floor(prm.eta * prm.eta * Rational(static_cast<long>(d)) / (mu * mu));
      return F >= Integer(d) ? static_cast<std::uint32_t>(d) : F.convert_to<std::uint32_t>();
    }
  }
}

T1Report certify_t1(const core::SignMatrix& keys, const core::GramHistogram& h, const T1Params& prm) {
  T1Report r;
  r.N = keys.rows();
  r.d = keys.cols();
  r.prm = prm;
  const std::size_t N = r.N, d = r.d;
  if (N < 2) throw ParameterError("n", "T1 needs N >= 2 keys");
  check_C(prm.C);
  check_eta_delta(prm.eta, prm.delta);
  r.max_inner = h.max_inner();
  r.rho = Rational(r.max_inner, static_cast<long>(d));
  std::tie(r.witness_i, r.witness_j) = core::max_inner_witness(keys, h);

  // Lemma 1 per row, in exact 128-bit fixed point: D_i >= 2^64 / w_i.
  ExpTable E = exp_table(d, prm.C);
  const unsigned __int128 one = static_cast<unsigned __int128>(1) << ExpTable::kShift;
  std::vector<unsigned __int128> D(N);
  unsigned __int128 Dmax = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const std::uint32_t* hi = h.row(i);
    unsigned __int128 s = one + E.up_C;
    for (std::size_t k = 0; k <= d; ++k) s += static_cast<unsigned __int128>(hi[k]) * E.up[k];
    D[i] = s;
    if (s > Dmax) Dmax = s;
  }
  const Rational one_q = from_u128(one);
  r.w_min = one_q / from_u128(Dmax);
  r.margin_min = 2 * r.w_min - 1;
  r.tv_max = 1 - r.w_min;

  // Lemma 3: bits of row i that may be wrong when the approximation holds.
  auto flips_for = [&](const Rational& w) { return lemma3_flips(w, prm, d); };
  r.flips.resize(N);
  std::uint64_t total_flips = 0;
  for (std::size_t i = 0; i < N; ++i) {
    r.flips[i] = flips_for(one_q / from_u128(D[i]));
    total_flips += r.flips[i];
    bool full = prm.notion == Notion::l2 ? r.flips[i] < d : r.flips[i] == 0;
    r.rows_full += full;
  }
  r.phi = Rational(Integer(total_flips), Integer(static_cast<std::uint64_t>(N) * d));
  r.p = prm.delta + r.phi;

  // The coarse rho bound (docs/theorems.md#t1): one denominator for all rows.
  {
    Interval c = Interval::from_rational(prm.C, 160);
    Interval Dc = Interval::from_long(1, 160) +
                  Interval::from_long(static_cast<long>(N - 1), 160) *
                      core::exp(-(c * (Interval::from_long(1, 160) - Interval::from_rational(r.rho, 160)))) +
                  core::exp(-c);
    r.w_min_coarse = core::round_down(Rational(1) / Dc.hi_q(), 64);
    Rational pc = prm.delta + Rational(flips_for(r.w_min_coarse), static_cast<long>(d));
    if (pc * 2 < 1) {
      r.coarse_certified = true;
      r.bits_coarse = core::index_bound(Integer(static_cast<std::uint64_t>(N) * d), pc).bits;
    }
  }

  if (r.p * 2 >= 1) {
    if (r.max_inner == static_cast<long>(d))
      r.reason = "keys " + std::to_string(r.witness_i) + " and " + std::to_string(r.witness_j) +
                 " coincide (Bob cannot tell their rows apart) and delta + phi = " + core::to_string(r.p) + " >= 1/2";
    else {
      // Name the real cause: delta alone, rows without margin, or the l2 flip budget.
      std::string why = prm.delta * 2 >= 1 ? "delta = " + core::to_string(prm.delta) + " alone is >= 1/2"
                        : r.rows_full < N   ? std::to_string(N - r.rows_full) + " of " + std::to_string(N) +
                                                " rows lack the margin Lemma 3 needs"
                                            : "the l2 flip fraction phi = " + core::to_string(r.phi) + " is too large";
      r.reason = "delta + phi = " + core::to_string(r.p) + " >= 1/2 (" + why + "): no bound";
    }
    return r;
  }
  core::IndexBound b = core::index_bound(Integer(static_cast<std::uint64_t>(N) * d), r.p);
  r.certified = true;
  r.h2_lo = b.h2_lo;
  r.h2_hi = b.h2_hi;
  r.bits = b.bits;
  r.bits_ceil = b.bits_ceil;
  r.reason = "Lemma 1 per row (exact histograms), Lemma 3 (" + std::string(to_string(prm.notion)) + "), INDEX on N*d bits";
  return r;
}

Rational pair_tail(std::size_t d, long t) {
  // <s,s'> = d - 2B with B ~ Bin(d, 1/2) disagreements; <s,s'> >= t  <=>  B <= (d - t) / 2.
  long top = static_cast<long>(d) - t;
  if (top < 0) return 0;
  long bmax = std::min<long>(top / 2, static_cast<long>(d));
  Integer sum = 0, binom = 1;
  for (long b = 0; b <= bmax; ++b) {
    sum += binom;
    binom = binom * (static_cast<long>(d) - b) / (b + 1);
  }
  return Rational(sum) / Rational(Integer(1) << static_cast<unsigned>(d));
}

std::size_t d_hoeffding(std::size_t N, const Rational& eps, const Rational& delta_prime) {
  if (eps <= 0 || eps > 1) throw ParameterError("eps", "must lie in (0, 1], got " + core::to_string(eps));
  if (delta_prime <= 0 || delta_prime >= 1)
    throw ParameterError("delta_prime", "must lie in (0, 1), got " + core::to_string(delta_prime));
  Rational pairs(Integer(static_cast<std::uint64_t>(N) * (N - 1)));
  Interval v = Interval::from_rational(2 / (eps * eps), 128) * core::log(Interval::from_rational(pairs / delta_prime, 128));
  Integer d = core::ceil(v.hi_q());
  return d < 1 ? 1 : d.convert_to<std::size_t>();
}

static bool binomial_ok(std::size_t N, std::size_t d, const Rational& eps, const Rational& delta_prime) {
  // P[rho > eps] <= C(N,2) P[<s,s'> >= floor(eps d) + 1]
  long t = core::floor(eps * Rational(static_cast<long>(d))).convert_to<long>() + 1;
  Rational pairs(Integer(static_cast<std::uint64_t>(N)) * (N - 1) / 2);
  return pairs * pair_tail(d, t) <= delta_prime;
}

std::size_t d_binomial(std::size_t N, const Rational& eps, const Rational& delta_prime) {
  std::size_t hi = d_hoeffding(N, eps, delta_prime);
  if (!binomial_ok(N, hi, eps, delta_prime)) return hi;  // cannot happen (tail <= Hoeffding), but be safe
  std::size_t lo = 0;                                    // invariant: ok(hi); lo is a guess below
  while (hi - lo > 1) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (binomial_ok(N, mid, eps, delta_prime)) hi = mid;
    else lo = mid;
  }
  return hi;
}

Rational default_C(std::size_t N, const Rational& eps) {
  if (eps >= 1) throw ParameterError("eps", "default C needs rho < 1, got " + core::to_string(eps));
  Interval v = core::log(Interval::from_long(static_cast<long>(8 * N), 128)) / Interval::from_rational(1 - eps, 128);
  return Rational(core::ceil(v.hi_q() * 16), 16);
}

}  // namespace attncert::reductions
