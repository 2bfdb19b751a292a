// Tests for the checker's rational transcendental enclosures (verifiers/checker/qarith).
// MPFR is used here ONLY as an independent reference; the checker itself never links it.
#include <catch2/catch.hpp>
#include <mpfr.h>

#include <random>
#include <stdexcept>

#include "qarith.hpp"

using namespace attncert::checker;

namespace {

struct F {  // RAII mpfr_t
    mpfr_t v;
    explicit F(mpfr_prec_t p) { mpfr_init2(v, p); }
    ~F() { mpfr_clear(v); }
    F(const F&) = delete;
    F& operator=(const F&) = delete;
};

using MpfrFn = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);

// For increasing f, the true f(x) lies in [f(down(x)) rounded down, f(up(x)) rounded up].
// The enclosure must contain that whole reference interval (width ~2^-prec).
bool contains_ref(MpfrFn f, const mpq_class& x, const QInterval& I, mpfr_prec_t prec = 1000) {
    F xd(prec), xu(prec), lo(prec), hi(prec);
    mpfr_set_q(xd.v, x.get_mpq_t(), MPFR_RNDD);
    mpfr_set_q(xu.v, x.get_mpq_t(), MPFR_RNDU);
    f(lo.v, xd.v, MPFR_RNDD);
    f(hi.v, xu.v, MPFR_RNDU);
    return mpfr_cmp_q(lo.v, I.lo.get_mpq_t()) >= 0 && mpfr_cmp_q(hi.v, I.hi.get_mpq_t()) <= 0;
}

mpq_class pow2(long e) {
    mpq_class r = 1;
    if (e >= 0) mpq_mul_2exp(r.get_mpq_t(), r.get_mpq_t(), e);
    else mpq_div_2exp(r.get_mpq_t(), r.get_mpq_t(), -e);
    return r;
}

mpq_class pow10(long e) {
    mpz_class p;
    mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(e < 0 ? -e : e));
    return e >= 0 ? mpq_class(p) : mpq_class(1) / mpq_class(p);
}

// hi - lo <= 2^-e * min(|lo|, |hi|)
bool rel_width_ok(const QInterval& I, long e) {
    mpq_class m = abs(I.lo) < abs(I.hi) ? abs(I.lo) : abs(I.hi);
    return I.hi - I.lo <= m * pow2(-e);
}

bool overlap(const QInterval& a, const QInterval& b) { return a.lo <= b.hi && b.lo <= a.hi; }

struct Gen {
    std::mt19937_64 rng{0x5eed1234abcdULL};
    mpz_class u40() { return mpz_class(static_cast<unsigned long>((rng() >> 24) + 1)); }  // [1, 2^40]
    mpq_class rat() { mpq_class q(u40(), u40()); q.canonicalize(); return q; }            // [2^-40, 2^40]
    mpq_class unit() {  // (0, 1)
        mpz_class a = u40(), b = u40();
        if (a > b) std::swap(a, b);
        if (a == b) b += 1;
        mpq_class q(a, b); q.canonicalize(); return q;
    }
    long range(long lo, long hi) { return lo + static_cast<long>(rng() % static_cast<unsigned long>(hi - lo + 1)); }
    unsigned bits() { static const unsigned b[] = {16, 53, 100, 300}; return b[rng() % 4]; }
    mpq_class log_point(int cat) {
        switch (cat % 4) {
            case 0: return rat() * pow10(-30);                                            // tiny
            case 1: return 1 + (rng() % 2 ? 1 : -1) * unit() * pow2(-range(1, 150));    // near 1
            case 2: return rat() * pow10(6);                                              // large
            default: return rat() * pow2(range(-300, 300));                               // wide
        }
    }
    mpq_class exp_point(int cat) {
        const mpq_class sign = rng() % 2 ? 1 : -1;
        switch (cat % 4) {
            case 0: return mpq_class(range(-700L << 20, 700L << 20)) / (1L << 20) + sign / u40();  // [-700,700]
            case 1: return sign * rat() * pow10(-30);                                            // tiny
            case 2: return sign * rat() / mpz_class(1UL << 34);                                  // moderate
            default: {  // near multiples of ln2/2 (k-rounding boundaries)
                mpq_class c(mpz_class(3465735902799727UL), mpz_class(10000000000000000UL));
                c.canonicalize();
                return c * range(-2000, 2000) + sign * unit() * pow2(-60);
            }
        }
    }
};

}  // namespace

TEST_CASE("round_down/round_up bracket and are dyadic", "[checker]") {
    Gen g;
    for (int i = 0; i < 300; ++i) {
        const mpq_class x = (i % 2 ? 1 : -1) * g.rat() * pow2(g.range(-20, 20));
        const unsigned bits = static_cast<unsigned>(g.range(0, 200));
        const mpq_class d = round_down(x, bits), u = round_up(x, bits);
        INFO("x=" << x << " bits=" << bits);
        REQUIRE(d <= x);
        REQUIRE(x <= u);
        REQUIRE(mpz_popcount(d.get_den_mpz_t()) == 1);  // denominator is a power of two
        REQUIRE(mpz_popcount(u.get_den_mpz_t()) == 1);
        REQUIRE(d.get_den() <= pow2(bits));
        REQUIRE(u.get_den() <= pow2(bits));
        REQUIRE(u - d == (d == x ? mpq_class(0) : pow2(-static_cast<long>(bits))));
    }
    REQUIRE(round_down(mpq_class(3, 4), 2) == mpq_class(3, 4));
    REQUIRE(round_up(mpq_class(1, 3), 0) == 1);
    REQUIRE(round_down(mpq_class(-1, 3), 0) == -1);
    REQUIRE(round_up(mpq_class(-1, 3), 1) == 0);
}

TEST_CASE("interval helpers", "[checker]") {
    const QInterval a{-2, 3}, b{-5, 1};
    const QInterval p = q_mul(a, b);
    REQUIRE(p.lo == -15);
    REQUIRE(p.hi == 10);
    const QInterval d = q_div(QInterval{1, 2}, QInterval{-4, -2});
    REQUIRE(d.lo == -1);
    REQUIRE(d.hi == mpq_class(-1, 4));
    REQUIRE(q_sub(a, b).lo == -3);
    REQUIRE(q_sub(a, b).hi == 8);
    REQUIRE(q_add(a, q_point(1)).hi == 4);
    REQUIRE(a.contains(0));
    REQUIRE_FALSE(a.contains(4));
    REQUIRE_THROWS_AS(q_div(a, b), std::domain_error);
    REQUIRE_THROWS_AS(q_div(a, QInterval{0, 1}), std::domain_error);
}

TEST_CASE("ln2 contains MPFR reference, width shrinks with bits", "[checker]") {
    for (unsigned bits : {16u, 53u, 100u, 300u, 2000u}) {
        const QInterval L = q_ln2(bits);
        F lo(2300), hi(2300);
        mpfr_const_log2(lo.v, MPFR_RNDD);
        mpfr_const_log2(hi.v, MPFR_RNDU);
        INFO("bits=" << bits);
        REQUIRE(mpfr_cmp_q(lo.v, L.lo.get_mpq_t()) >= 0);
        REQUIRE(mpfr_cmp_q(hi.v, L.hi.get_mpq_t()) <= 0);
        REQUIRE(rel_width_ok(L, static_cast<long>(bits)));
    }
}

TEST_CASE("log/log2 contain 1000-bit MPFR reference at random points", "[checker]") {
    Gen g;
    for (int i = 0; i < 240; ++i) {
        const mpq_class x = g.log_point(i);
        const unsigned bits = g.bits();
        INFO("x=" << x << " bits=" << bits);
        const QInterval L = q_log(x, bits);
        REQUIRE(contains_ref(mpfr_log, x, L));
        if (i % 3 == 0) REQUIRE(contains_ref(mpfr_log2, x, q_log2(x, bits)));
    }
}

TEST_CASE("exp contains 1000-bit MPFR reference at random points", "[checker]") {
    Gen g;
    for (int i = 0; i < 240; ++i) {
        const mpq_class x = g.exp_point(i);
        const unsigned bits = g.bits();
        INFO("x=" << x << " bits=" << bits);
        REQUIRE(contains_ref(mpfr_exp, x, q_exp(x, bits)));
    }
    REQUIRE(q_exp(0, 53).lo == 1);
    REQUIRE(q_exp(0, 53).hi == 1);
    REQUIRE(contains_ref(mpfr_exp, -pow2(24), q_exp(-pow2(24), 16)));
}

TEST_CASE("relative width at bits=200 is <= 2^-180", "[checker]") {
    Gen g;
    for (int i = 0; i < 60; ++i) {
        const mpq_class x = g.log_point(i), y = g.exp_point(i);
        INFO("x=" << x << " y=" << y);
        REQUIRE(rel_width_ok(q_log(x, 200), 180));
        REQUIRE(rel_width_ok(q_log2(x, 200), 180));
        REQUIRE(rel_width_ok(q_exp(y, 200), 180));
    }
}

TEST_CASE("bits ~2000 works and is tight", "[checker]") {
    const mpq_class x(mpz_class(12345), mpz_class(678)), y(mpz_class(-31337), mpz_class(97));
    const QInterval L = q_log(x, 2000), E = q_exp(y, 2000);
    REQUIRE(contains_ref(mpfr_log, x, L, 2300));
    REQUIRE(contains_ref(mpfr_exp, y, E, 2300));
    REQUIRE(rel_width_ok(L, 1980));
    REQUIRE(rel_width_ok(E, 1980));
}

TEST_CASE("log2 is exact on powers of two", "[checker]") {
    for (long e : {-100L, -3L, -1L, 0L, 1L, 10L, 1000L}) {
        const QInterval L = q_log2(pow2(e), 53);
        REQUIRE(L.lo == e);
        REQUIRE(L.hi == e);
    }
    REQUIRE(q_log(1, 100).lo == 0);
    REQUIRE(q_log(1, 100).hi == 0);
}

TEST_CASE("functional identities", "[checker]") {
    Gen g;
    for (int i = 0; i < 40; ++i) {
        const unsigned bits = g.bits();
        const mpq_class a = (i % 2 ? 1 : -1) * g.rat() * g.range(0, 50) / (1L << 40);
        const mpq_class b = g.exp_point(2);
        INFO("a=" << a << " b=" << b << " bits=" << bits);
        REQUIRE(overlap(q_mul(q_exp(a, bits), q_exp(b, bits)), q_exp(a + b, bits)));

        const mpq_class u = g.log_point(i), v = g.log_point(i + 1);
        REQUIRE(overlap(q_log(u * v, bits), q_add(q_log(u, bits), q_log(v, bits))));

        const QInterval L = q_log(u, bits);  // exp is increasing: u in [exp(L.lo), exp(L.hi)]
        const QInterval e1 = q_exp(L.lo, bits), e2 = q_exp(L.hi, bits);
        REQUIRE(e1.lo <= u);
        REQUIRE(u <= e2.hi);
        REQUIRE(e2.hi - e1.lo <= u * pow2(-static_cast<long>(bits) + 4));
    }
}

TEST_CASE("binary entropy H2", "[checker]") {
    REQUIRE(q_h2(0, 53).lo == 0);
    REQUIRE(q_h2(0, 53).hi == 0);
    REQUIRE(q_h2(1, 53).lo == 0);
    REQUIRE(q_h2(1, 53).hi == 0);
    REQUIRE(q_h2(mpq_class(1, 2), 53).lo == 1);
    REQUIRE(q_h2(mpq_class(1, 2), 53).hi == 1);

    // MPFR reference at 1000 bits: a handful of correctly rounded ops, total error far below
    // 2^-900, so [ref - 2^-900, ref + 2^-900] contains the true H2(p).
    Gen g;
    for (int i = 0; i < 20; ++i) {
        const mpq_class p = i == 0 ? mpq_class(1, 10) : i == 1 ? pow2(-40) : g.unit();
        const unsigned bits = i == 0 ? 100 : g.bits();
        F P(1000), Q(1000), t(1000), s(1000), lo(1000), hi(1000);
        mpfr_set_q(P.v, p.get_mpq_t(), MPFR_RNDN);
        mpfr_ui_sub(Q.v, 1, P.v, MPFR_RNDN);
        mpfr_log2(t.v, P.v, MPFR_RNDN);
        mpfr_mul(t.v, t.v, P.v, MPFR_RNDN);
        mpfr_log2(s.v, Q.v, MPFR_RNDN);
        mpfr_mul(s.v, s.v, Q.v, MPFR_RNDN);
        mpfr_add(s.v, s.v, t.v, MPFR_RNDN);
        mpfr_neg(s.v, s.v, MPFR_RNDN);
        mpfr_set_ui_2exp(t.v, 1, -900, MPFR_RNDN);
        mpfr_sub(lo.v, s.v, t.v, MPFR_RNDD);
        mpfr_add(hi.v, s.v, t.v, MPFR_RNDU);
        const QInterval H = q_h2(p, bits);
        INFO("p=" << p << " bits=" << bits);
        REQUIRE(mpfr_cmp_q(lo.v, H.lo.get_mpq_t()) >= 0);
        REQUIRE(mpfr_cmp_q(hi.v, H.hi.get_mpq_t()) <= 0);
        REQUIRE(rel_width_ok(H, static_cast<long>(bits) - 4));
        REQUIRE(overlap(H, q_h2(1 - p, bits)));
    }

    QInterval prev = q_h2(0, 53);
    for (int i = 1; i <= 32; ++i) {  // strictly increasing on [0, 1/2]
        const QInterval cur = q_h2(mpq_class(i, 64), 53);
        REQUIRE(prev.hi < cur.lo);
        prev = cur;
    }
}

TEST_CASE("domain errors", "[checker]") {
    REQUIRE_THROWS_AS(q_log(0, 53), std::domain_error);
    REQUIRE_THROWS_AS(q_log(-1, 53), std::domain_error);
    REQUIRE_THROWS_AS(q_log2(0, 53), std::domain_error);
    REQUIRE_THROWS_AS(q_log2(mpq_class(-1, 8), 53), std::domain_error);
    REQUIRE_THROWS_AS(q_exp(pow2(30), 53), std::domain_error);
    REQUIRE_THROWS_AS(q_exp(-pow2(30), 53), std::domain_error);
    REQUIRE_THROWS_AS(q_exp(pow2(24) + mpq_class(1, 2), 53), std::domain_error);
    REQUIRE_THROWS_AS(q_h2(mpq_class(3, 2), 53), std::domain_error);
    REQUIRE_THROWS_AS(q_h2(mpq_class(-1, 10), 53), std::domain_error);
}
