// e^{-y}, y = D 2^E >= 0, enclosed in units of 2^-63.
//
// Argument reduction (exact): y = i + F / 2^64 + rho, with i = floor(y), F = floor(frac(y) 2^64)
// and 0 <= rho < 2^-64 (rho = 0 when the bits of y below 2^-64 are zero). F is split into
// F1 = bits 63..56, F2 = bits 55..48 and R = bits 47..0, so that
//   e^{-y} = e^{-i} * e^{-F1/2^8} * e^{-F2/2^16} * e^{-r} * e^{-rho},   r = R / 2^64 < 2^-16.
// The first three factors come from tables T0[i] (i < 44), T1[F1], T2[F2], each enclosed once by
// q_exp at 128 bits and rounded outward to the 2^-63 grid (floor for lo, ceil for hi).
// e^{-r}: for 0 <= r <= 1 the terms r^k/k! of e^{-r} = sum (-r)^k/k! decrease, so the partial
// sums alternate around the limit: T3 = 1 - r + r^2/2 - r^3/6 <= e^{-r} <= T3 + r^4/24, and
// r^4/24 < 2^-64/24 < 2^-63 (one unit). e^{-rho} lies in (1 - 2^-64, 1]: the lower bound is
// multiplied by it implicitly by subtracting one unit (lo <= 2^63, so lo 2^-64 <= 1/2 unit).
// Products of two factors in [0, 1] (each <= 2^63 units) are < 2^126 and fit 128 bits; lo chains
// round down, hi chains round up, so every step keeps lo <= true <= hi. Factors are <= 1, so hi is
// clamped at kGpuOne at the end (e^{-y} <= 1 for y >= 0).
// Width: each table entry is within 1 unit of its value on both sides, four roundings per chain
// and the Taylor/rho units: at most 16 units in all (checked against q_exp in the tests).
#include "gpu_exp.hpp"

#include <bit>

#include <gmpxx.h>

#include "qarith.hpp"

namespace attncert::checker {

namespace {
using u128 = unsigned __int128;

struct Tables {
  FixedInterval t0[44], t1[256], t2[256];
  Tables() {
    auto enclose = [](const mpq_class& x) {  // e^{x} for x <= 0, outward on the 2^-63 grid
      QInterval e = q_exp(x, 128);
      const mpz_class one = mpz_class(1) << 63;
      mpq_class l = e.lo * one, h = e.hi * one;
      mpz_class fl, ch;
      mpz_fdiv_q(fl.get_mpz_t(), l.get_num_mpz_t(), l.get_den_mpz_t());
      mpz_cdiv_q(ch.get_mpz_t(), h.get_num_mpz_t(), h.get_den_mpz_t());
      if (fl < 0) fl = 0;
      if (ch > one) ch = one;  // x <= 0
      static_assert(sizeof(unsigned long) == 8, "the tables read 64-bit limbs");
      return FixedInterval{mpz_get_ui(fl.get_mpz_t()), mpz_get_ui(ch.get_mpz_t())};  // both in [0, 2^63]
    };
    for (int i = 0; i < 44; ++i) t0[i] = enclose(mpq_class(-i));
    for (int k = 0; k < 256; ++k) {
      t1[k] = enclose(mpq_class(-k, 256));
      t2[k] = enclose(mpq_class(-k, 65536));
    }
  }
};

const Tables& tables() {
  static const Tables t;  // thread-safe initialisation (C++11 magic statics)
  return t;
}

std::uint64_t mul_down(std::uint64_t a, std::uint64_t b) { return static_cast<std::uint64_t>((u128(a) * b) >> 63); }
std::uint64_t mul_up(std::uint64_t a, std::uint64_t b) {
  return static_cast<std::uint64_t>((u128(a) * b + (kGpuOne - 1)) >> 63);
}
}  // namespace

FixedInterval gpu_exp_neg(u128 D, int E) {
  if (D == 0) return {kGpuOne, kGpuOne};
  constexpr FixedInterval tail{0, 1};
  std::uint64_t i = 0, F = 0;
  bool rho_zero = true;
  if (E >= 0) {  // y is an integer >= 1
    if (E >= 6 || D >= 44) return tail;
    const u128 y = D << E;
    if (y >= 44) return tail;
    i = static_cast<std::uint64_t>(y);
  } else {
    const unsigned k = static_cast<unsigned>(-static_cast<long>(E));  // y = D / 2^k
    const u128 ip = k >= 128 ? 0 : D >> k;
    if (ip >= 44) return tail;
    i = static_cast<std::uint64_t>(ip);
    const u128 frac = k >= 128 ? D : D & ((u128(1) << k) - 1);  // frac(y) = frac / 2^k
    if (k <= 64) {
      F = static_cast<std::uint64_t>(frac << (64 - k));  // frac < 2^k: fits 64 bits, exact
    } else {
      const unsigned sh = k - 64;
      F = sh >= 128 ? 0 : static_cast<std::uint64_t>(frac >> sh);
      rho_zero = sh >= 128 ? frac == 0 : (frac & ((u128(1) << sh) - 1)) == 0;
    }
  }
  const Tables& T = tables();
  const unsigned F1 = static_cast<unsigned>(F >> 56), F2 = static_cast<unsigned>((F >> 48) & 0xff);
  const std::uint64_t R = F & ((std::uint64_t{1} << 48) - 1);
  std::uint64_t lo = T.t0[i].lo, hi = T.t0[i].hi;
  lo = mul_down(lo, T.t1[F1].lo), hi = mul_up(hi, T.t1[F1].hi);
  lo = mul_down(lo, T.t2[F2].lo), hi = mul_up(hi, T.t2[F2].hi);
  if (R != 0) {
    // Units of 2^-63: r = R/2^64 -> R/2; r^2/2 -> R^2/2^66; r^3/6 -> R^3/(6 2^129), with
    // R^3/2^129 in [c_lo R/2^65, c_hi R/2^65], c = R^2/2^64 rounded down/up (R^2 < 2^96 exact).
    const u128 R2 = u128(R) * R;
    const u128 c_lo = R2 >> 64, c_hi = (R2 + ((u128(1) << 64) - 1)) >> 64;
    const u128 six = u128(6) << 65;
    const u128 r_up = (u128(R) + 1) >> 1, r_dn = u128(R) >> 1;
    const u128 sq_dn = R2 >> 66, sq_up = (R2 + ((u128(1) << 66) - 1)) >> 66;
    const u128 cu_up = (c_hi * R + six - 1) / six, cu_dn = (c_lo * R) / six;
    const u128 one = kGpuOne;
    const std::uint64_t tl = static_cast<std::uint64_t>(one - r_up + sq_dn - cu_up);
    u128 th = one - r_dn + sq_up - cu_dn + 1;  // + r^4/24 < 1 unit
    if (th > one) th = one;
    lo = mul_down(lo, tl), hi = mul_up(hi, static_cast<std::uint64_t>(th));
  }
  if (!rho_zero && lo > 0) lo -= 1;
  if (hi > kGpuOne) hi = kGpuOne;
  return {lo, hi};
}


// The refinement path. Units of 2^-Q, Q = W + 32 guard bits.
//  1. Y_lo <= y 2^Q <= Y_hi (floor/ceil of the exact D 2^{E+Q}).
//  2. k = floor(Y_lo / ln2_hi) >= 0, so k ln2 <= k ln2_hi <= y: r = y - k ln2 >= 0 and
//     r 2^Q lies in [R_lo, R_hi] = [max(0, Y_lo - k ln2_hi), Y_hi - k ln2_lo]; r < ln2 + 2^-Q k.
//     (k <= y / ln2 < 1.45 W, so k (ln2_hi - ln2_lo) <= 2 k units: below 2^-(W+20).)
//  3. e^{-r} is decreasing: e^{-r} in [e^{-t_hi}, e^{-t_lo}], t = R / 2^Q exact points in [0, 1).
//  4. e^{-t} for t = T / 2^Q in [0, 1): the terms t^j / j! decrease, so for odd J the partial sum
//     S_J <= e^{-t} <= S_J + t^{J+1}/(J+1)!. Terms are carried as integers tl_j <= 2^Q t^j/j! <= th_j
//     (floor / ceil of the previous bound times T / (j 2^Q)); the lower sum takes tl for even and
//     -th for odd j, the upper the reverse plus th_{J+1}. The loop stops at odd J with th_{J+1} <= 1.
//  5. e^{-y} = 2^{-k} e^{-r}: shift right by Q - W + k, floor for lo and ceil for hi.
namespace {
void exp_neg_point(const mpz_class& T, unsigned Q, bool upper, mpz_class& out) {
  const mpz_class one = mpz_class(1) << Q;
  mpz_class tl = one, th = one, lo = one, hi = one, tmp;
  for (unsigned long j = 1;; ++j) {
    tmp = tl * T;
    mpz_fdiv_q_2exp(tmp.get_mpz_t(), tmp.get_mpz_t(), Q);
    mpz_fdiv_q_ui(tl.get_mpz_t(), tmp.get_mpz_t(), j);
    tmp = th * T;
    mpz_cdiv_q_2exp(tmp.get_mpz_t(), tmp.get_mpz_t(), Q);
    mpz_cdiv_q_ui(th.get_mpz_t(), tmp.get_mpz_t(), j);
    if (j % 2 == 1) {
      lo -= th, hi -= tl;
    } else {
      if (th <= 1) {  // lo <= S_{j-1} (j - 1 odd) <= e^{-t} <= S_{j-1} + t^j/j! <= hi + th_j
        hi += th;
        break;
      }
      lo += tl, hi += th;
    }
  }
  out = upper ? hi : lo;
}
}  // namespace

Ln2Fixed gpu_ln2_fixed(unsigned W) {
  Ln2Fixed L;
  L.Q = W + 32;
  const QInterval l = q_ln2(L.Q + 8);
  const mpq_class a = l.lo * mpq_class(mpz_class(1) << L.Q), b = l.hi * mpq_class(mpz_class(1) << L.Q);
  mpz_fdiv_q(L.lo.get_mpz_t(), a.get_num_mpz_t(), a.get_den_mpz_t());
  mpz_cdiv_q(L.hi.get_mpz_t(), b.get_num_mpz_t(), b.get_den_mpz_t());
  return L;
}

void gpu_exp_neg_precise(const mpz_class& D, long E, unsigned W, const Ln2Fixed& L, mpz_class& lo, mpz_class& hi) {
  if (sgn(D) == 0) {
    lo = hi = mpz_class(1) << W;
    return;
  }
  // y >= W: e^{-y} <= e^{-W} < 2^{-W}
  const long top = static_cast<long>(mpz_sizeinbase(D.get_mpz_t(), 2)) + E;  // 2^{top-1} <= y < 2^top
  if (top - 1 >= static_cast<long>(std::bit_width(W))) {  // y >= 2^{bit_width(W)} > W
    lo = 0, hi = 1;
    return;
  }
  const unsigned Q = L.Q;
  mpz_class Ylo, Yhi;
  const long sh = E + static_cast<long>(Q);
  if (sh >= 0) {
    Ylo = D << static_cast<mp_bitcnt_t>(sh);
    Yhi = Ylo;
  } else {
    mpz_fdiv_q_2exp(Ylo.get_mpz_t(), D.get_mpz_t(), static_cast<mp_bitcnt_t>(-sh));
    mpz_cdiv_q_2exp(Yhi.get_mpz_t(), D.get_mpz_t(), static_cast<mp_bitcnt_t>(-sh));
  }
  if (Ylo >= mpz_class(W) << Q) {  // y >= W
    lo = 0, hi = 1;
    return;
  }
  mpz_class k;
  mpz_fdiv_q(k.get_mpz_t(), Ylo.get_mpz_t(), L.hi.get_mpz_t());
  mpz_class Rlo = Ylo - k * L.hi, Rhi = Yhi - k * L.lo;
  if (sgn(Rlo) < 0) Rlo = 0;
  mpz_class elo, ehi;
  exp_neg_point(Rhi, Q, false, elo);
  exp_neg_point(Rlo, Q, true, ehi);
  if (sgn(elo) < 0) elo = 0;
  const mp_bitcnt_t down = Q - W + static_cast<mp_bitcnt_t>(k.get_ui());
  mpz_fdiv_q_2exp(lo.get_mpz_t(), elo.get_mpz_t(), down);
  mpz_cdiv_q_2exp(hi.get_mpz_t(), ehi.get_mpz_t(), down);
  const mpz_class one = mpz_class(1) << W;
  if (hi > one) hi = one;
}

}  // namespace attncert::checker
