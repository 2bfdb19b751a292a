// qarith.cpp: rigorous rational enclosures of ln2, log, log2, exp and H2.
//
// Conventions used throughout:
//  * rnd(x, s, up) = floor(x*2^s)/2^s (or ceil): the dyadic grid of spacing 2^-s, s may be < 0.
//    Every rounding below is chosen so that the rounded value moves AWAY from the true value
//    (lower bounds rounded down, upper bounds rounded up). Error of one rounding <= 2^-s.
//  * Internal functions take `p`, a target RELATIVE precision in bits; the public wrappers use
//    p = bits + kGuard. Series functions take an ABSOLUTE grid shift `s` and add their own
//    guard bits (bit_width(s) >= log2(#terms)) so accumulated rounding stays below ~2^-s.
//  * Soundness never depends on how many terms are summed: each series stops only once an
//    explicit remainder bound is small, and that bound is added to the enclosure.
#include "qarith.hpp"

#include <bit>
#include <stdexcept>

namespace attncert::checker {
namespace {

constexpr long kGuard = 10;

mpq_class rnd(const mpq_class& x, long s, bool up) {
    mpz_class n = x.get_num(), d = x.get_den(), q;
    if (s >= 0) n <<= static_cast<mp_bitcnt_t>(s); else d <<= static_cast<mp_bitcnt_t>(-s);
    if (up) mpz_cdiv_q(q.get_mpz_t(), n.get_mpz_t(), d.get_mpz_t());
    else    mpz_fdiv_q(q.get_mpz_t(), n.get_mpz_t(), d.get_mpz_t());
    mpq_class r(q);
    if (s >= 0) mpq_div_2exp(r.get_mpq_t(), r.get_mpq_t(), static_cast<mp_bitcnt_t>(s));
    else        mpq_mul_2exp(r.get_mpq_t(), r.get_mpq_t(), static_cast<mp_bitcnt_t>(-s));
    return r;
}

// For x != 0: 2^(mag-1) < |x| < 2^(mag+1)  (from num in [2^(a-1),2^a), den in [2^(b-1),2^b)).
long mag(const mpq_class& x) {
    return static_cast<long>(mpz_sizeinbase(x.get_num_mpz_t(), 2)) -
           static_cast<long>(mpz_sizeinbase(x.get_den_mpz_t(), 2));
}

// Outward rounding keeping ~p significant bits: error <= 2^(mag-1-p) < |x| 2^-p.
mpq_class rel(const mpq_class& x, long p, bool up) {
    return sgn(x) == 0 ? x : rnd(x, p - mag(x) + 1, up);
}
QInterval outward(const QInterval& a, long p) { return {rel(a.lo, p, false), rel(a.hi, p, true)}; }

mpq_class scale2(mpq_class x, long k) {  // exact x * 2^k
    if (k >= 0) mpq_mul_2exp(x.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(k));
    else        mpq_div_2exp(x.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(-k));
    return x;
}

long guard(long s) { return s + static_cast<long>(std::bit_width(static_cast<unsigned long>(s > 0 ? s : 1))) + 2; }

// atanh(z) = sum_{j>=0} z^(2j+1)/(2j+1) for exact rational 0 <= z <= 1/3 (odd extension for z<0).
// Invariant: pl <= z^d <= pu (products of nonnegatives, rounded down/up).
// Remainder after the term z^d/d:  sum_{d'>d, odd} z^d'/d' <= z^(d+2)/(d+2) * sum_i z^(2i)
//                                  = z^(d+2)/((d+2)(1-z^2)) <= pu_next/((d+2)(1-z^2)),  >= 0.
QInterval atanh_enc(const mpq_class& z, long s) {
    if (sgn(z) < 0) { QInterval r = atanh_enc(-z, s); return {-r.hi, -r.lo}; }
    if (sgn(z) == 0) return {0, 0};
    const long w = guard(s);
    const mpq_class z2 = z * z, eps = scale2(mpq_class(1), -s);
    mpq_class pl = z, pu = z, lo = 0, hi = 0;
    for (unsigned long d = 1;; d += 2) {
        lo += rnd(pl / d, w, false);
        hi += rnd(pu / d, w, true);
        pl = rnd(pl * z2, w, false);
        pu = rnd(pu * z2, w, true);
        mpq_class tail = pu / ((d + 2) * (1 - z2));
        if (tail <= eps) return {lo, hi + rnd(tail, w, true)};
    }
}

// ln 2 = 2 atanh(1/3); ln2 ~ 0.69 so absolute 2^-(p+1) is relative < 2^-p.
QInterval ln2_enc(long p) {
    QInterval a = atanh_enc(mpq_class(1) / 3, p + 2);
    return {2 * a.lo, 2 * a.hi};
}

// log x = k ln2 + log y,  x = 2^k y,  y in [2/3, 4/3] (chosen by exact comparisons), and
// log y = 2 atanh(z), z = (y-1)/(y+1) in [-1/5, 1/7]. z is rounded outward to a dyadic
// [zl, zh]; atanh is increasing so atanh(z) in [lower(atanh(zl)), upper(atanh(zh))].
// If k != 0 then |k ln2| >= 0.69 > 0.29 >= |log y|, so relative errors of both parts carry over.
QInterval log_enc(const mpq_class& x, long p) {
    if (sgn(x) <= 0) throw std::domain_error("q_log: argument must be > 0");
    long k = mag(x);
    mpq_class y = scale2(x, -k);
    while (3 * y > 4) { y /= 2; ++k; }
    while (3 * y < 2) { y *= 2; --k; }
    const mpq_class z = (y - 1) / (y + 1);
    QInterval r{0, 0};
    if (sgn(z) != 0) {
        const long s = p + 3 - mag(z);  // relative 2^-(p+2) on z and on atanh(z) ~ z
        QInterval a = atanh_enc(rnd(z, s, false), s), b = atanh_enc(rnd(z, s, true), s);
        r = {2 * a.lo, 2 * b.hi};
    }
    if (k != 0) r = q_add(r, q_mul(q_point(mpq_class(k)), ln2_enc(p + 2)));
    return outward(r, p);
}

bool pow2_exponent(const mpq_class& x, long& k) {  // x > 0 assumed
    const mpz_class &n = x.get_num(), &d = x.get_den();
    if (d == 1 && mpz_popcount(n.get_mpz_t()) == 1) { k = static_cast<long>(mpz_sizeinbase(n.get_mpz_t(), 2)) - 1; return true; }
    if (n == 1 && mpz_popcount(d.get_mpz_t()) == 1) { k = 1 - static_cast<long>(mpz_sizeinbase(d.get_mpz_t(), 2)); return true; }
    return false;
}

QInterval log2_enc(const mpq_class& x, long p) {
    if (sgn(x) <= 0) throw std::domain_error("q_log2: argument must be > 0");
    long k;
    if (pow2_exponent(x, k)) return q_point(mpq_class(k));
    return outward(q_div(log_enc(x, p + 2), ln2_enc(p + 2)), p);
}

// e^t = sum_{n<=N} t^n/n! + R,  |R| <= e^|t| |t|^(N+1)/(N+1)!  (Lagrange)  <= 2 pu_{N+1}
// for |t| <= 2^-8 (e^(2^-8) < 2), where invariant pl_n <= |t|^n/n! <= pu_n.
// For t < 0 the odd terms are subtracted, so their bounds swap roles.
QInterval exp_enc(const mpq_class& t, long s) {
    const long w = guard(s);
    const mpq_class a = abs(t), eps = scale2(mpq_class(1), -s);
    const bool neg = sgn(t) < 0;
    mpq_class pl = 1, pu = 1, lo = 0, hi = 0;
    for (unsigned long n = 0;; ++n) {
        if (neg && n % 2 == 1) { lo -= pu; hi -= pl; } else { lo += pl; hi += pu; }
        pl = rnd(pl * a / (n + 1), w, false);
        pu = rnd(pu * a / (n + 1), w, true);
        if (pu <= eps) return {lo - 2 * pu, hi + 2 * pu};
    }
}

// exp x = 2^k e^r, r = x - k ln2 (k integer: any choice is sound; k ~ x/ln2 keeps |r| <~ 0.35).
// With |x| <= 2^24, |k| < 2^25, so ln2 to relative 2^-(p+27) gives |k| * width <= ~2^-p.
// Then e^r = (e^(r/2^m))^(2^m) with |r/2^m| <= 2^-8. Squaring positive intervals is monotone;
// each squaring at most doubles the relative width, hence m extra guard bits in the grid.
QInterval exp_enc_full(const mpq_class& x, long p) {
    if (abs(x) > scale2(mpq_class(1), 24)) throw std::domain_error("q_exp: |x| > 2^24");
    if (sgn(x) == 0) return {1, 1};
    const QInterval L = ln2_enc(p + 27);
    mpz_class kz;
    const mpq_class q = x / L.lo + mpq_class(1) / 2;
    mpz_fdiv_q(kz.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
    const long k = kz.get_si();
    const QInterval r = q_sub(q_point(x), q_mul(q_point(mpq_class(k)), L));
    const mpq_class rl = rnd(r.lo, p + 4, false), rh = rnd(r.hi, p + 4, true);
    const mpq_class rmax = abs(rl) > abs(rh) ? abs(rl) : abs(rh);
    long m = 0;
    while (rmax > scale2(mpq_class(1), m - 8)) ++m;
    const long w = p + m + 4;
    mpq_class lo = exp_enc(scale2(rl, -m), w).lo, hi = exp_enc(scale2(rh, -m), w).hi;
    if (sgn(lo) < 0) lo = 0;  // e^r > 0
    for (long i = 0; i < m; ++i) { lo = rnd(lo * lo, w, false); hi = rnd(hi * hi, w, true); }
    return outward({scale2(lo, k), scale2(hi, k)}, p);
}

}  // namespace

bool QInterval::contains(const mpq_class& x) const { return lo <= x && x <= hi; }

mpq_class round_down(const mpq_class& x, unsigned bits) { return rnd(x, static_cast<long>(bits), false); }
mpq_class round_up(const mpq_class& x, unsigned bits) { return rnd(x, static_cast<long>(bits), true); }

QInterval q_ln2(unsigned bits) { return outward(ln2_enc(bits + kGuard), bits + kGuard); }
QInterval q_log(const mpq_class& x, unsigned bits) { return log_enc(x, bits + kGuard); }
QInterval q_log2(const mpq_class& x, unsigned bits) { return log2_enc(x, bits + kGuard); }
QInterval q_exp(const mpq_class& x, unsigned bits) { return exp_enc_full(x, bits + kGuard); }

// H2(p) = -(p log2 p + (1-p) log2(1-p)); for 0 < p < 1 both summands are >= 0, so the
// relative errors of the two enclosures carry over to the sum without cancellation.
QInterval q_h2(const mpq_class& p, unsigned bits) {
    if (sgn(p) < 0 || p > 1) throw std::domain_error("q_h2: p outside [0,1]");
    if (sgn(p) == 0 || p == 1) return {0, 0};
    if (p == mpq_class(1) / 2) return {1, 1};
    const long w = bits + kGuard;
    const mpq_class q = 1 - p;
    QInterval s = q_add(q_mul(q_point(p), log2_enc(p, w + 2)), q_mul(q_point(q), log2_enc(q, w + 2)));
    return outward({-s.hi, -s.lo}, w);
}

QInterval q_point(const mpq_class& x) { return {x, x}; }
QInterval q_add(const QInterval& a, const QInterval& b) { return {a.lo + b.lo, a.hi + b.hi}; }
QInterval q_sub(const QInterval& a, const QInterval& b) { return {a.lo - b.hi, a.hi - b.lo}; }

QInterval q_mul(const QInterval& a, const QInterval& b) {
    const mpq_class c[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
    QInterval r{c[0], c[0]};
    for (const mpq_class& v : c) {
        if (v < r.lo) r.lo = v;
        if (v > r.hi) r.hi = v;
    }
    return r;
}

QInterval q_div(const QInterval& a, const QInterval& b) {
    if (sgn(b.lo) <= 0 && sgn(b.hi) >= 0) throw std::domain_error("q_div: divisor contains 0");
    return q_mul(a, {1 / b.hi, 1 / b.lo});
}

}  // namespace attncert::checker
