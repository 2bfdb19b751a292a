// The certified reference for T7 (reference.hpp; docs/theorems.md#gpu, "The reference").
//
// Fast path, per row r with window [lo, hi):
//   every input is M * 2^E with integer M (a common exponent E per query row, one for K, one
//   for V), so dot_j = sum_c Mq_c Mk_jc is an exact 128-bit integer and the score is
//   s_j = scale 2^(Eq+Ek) dot_j. With x_j = s_j - s_max <= 0 (exact), MPFR's correctly rounded
//   exp gives integers e_lo_j <= 2^62 e^(x_j) <= e_hi_j (x_j = 0 gives exactly 2^62; x_j < -64
//   gives [0, 1]). Then N = sum_j 2^62 e^(x_j) Mv_jc lies in [S - R, S + R] with
//   S = sum_j e_lo_j Mv_jc and R = sum_j (e_hi_j - e_lo_j) |Mv_jc|, and D = sum_j 2^62 e^(x_j)
//   in [sum e_lo, sum e_hi], all exact 128-bit integers; A_rc = 2^Ev N / D is enclosed by the
//   directed quotients, rounded outward to doubles.
// Refinement (rows the fast enclosure cannot decide): the same computation with GMP integers in
// W-bit fixed point, W = 128, 256, 512, 1024 (core::refine), on exact scores held by MPFR.
#include "attncert/gpu/reference.hpp"

#include <stdint.h>  // before mpfr.h: declares mpfr_get_uj and friends
#include <gmp.h>
#include <mpfr.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "attncert/core/refine.hpp"

namespace attncert::gpu {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::holds: return "holds";
    case Verdict::violated: return "violated";
    case Verdict::undecided: return "undecided";
  }
  return "?";
}

namespace {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr int kFastBits = 62;                 // fixed-point bits of the fast weights
constexpr mpfr_prec_t kScorePrec = 1400;      // holds every exact score difference times scale
// The limit is the independent checker's (verifiers/checker/src/check_gpu.cpp): what the producer
// decides only past it, the checker could not confirm, so it is not certified.
constexpr mpfr_prec_t kRefineStart = 128, kRefineLimit = 1024;

int ceil_log2(std::uint64_t x) {
  int c = 0;
  while ((std::uint64_t{1} << c) < x) ++c;
  return c;
}

// A finite nonzero float is m 2^e with the integer m = its significand (< 2^24), read from its bits.
void significand(float f, std::int64_t& m, int& e) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const int ef = static_cast<int>((u >> 23) & 0xff);
  m = u & 0x7fffff;
  if (ef == 0) {
    e = -149;  // subnormal
  } else {
    m |= 0x800000;
    e = ef - 150;
  }
  if (u >> 31) m = -m;
}
// f = m 2^lsb with m odd, and |f| < 2^top.
void split(float f, int& lsb, int& top) {
  std::int64_t m;
  int e;
  significand(f, m, e);
  const auto a = static_cast<unsigned long long>(m < 0 ? -m : m);
  lsb = e + __builtin_ctzll(a);
  top = e + 64 - __builtin_clzll(a);
}

// values[i] = M[i] 2^E. `fits`: max |M| < 2^bits <= 2^62, so M is held as int64.
struct Mantissas {
  int E = 0, bits = 0;
  bool fits = true;
  std::vector<std::int64_t> M;
};

Mantissas mantissas(const float* x, std::size_t count) {
  Mantissas r;
  int emin = std::numeric_limits<int>::max(), tmax = std::numeric_limits<int>::min();
  for (std::size_t i = 0; i < count; ++i)
    if (x[i] != 0.0f) {
      int l, t;
      split(x[i], l, t);
      emin = std::min(emin, l);
      tmax = std::max(tmax, t);
    }
  if (emin == std::numeric_limits<int>::max()) {  // all zero
    r.M.assign(count, 0);
    return r;
  }
  r.E = emin;
  r.bits = tmax - emin;
  r.fits = r.bits <= 62;
  if (r.fits) {
    r.M.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      std::int64_t m;
      int e;
      significand(x[i], m, e);
      const std::int64_t a = m < 0 ? -m : m;  // shifts are exact: 2^(emin - e) divides a when e < emin
      const std::int64_t s = e >= emin ? a << (e - emin) : a >> (emin - e);
      r.M[i] = m < 0 ? -s : s;
    }
  }
  return r;
}

// mpz = x 2^-E for a float x that is a multiple of 2^E.
void mpz_from_float(mpz_t z, float x, int E) {
  if (x == 0.0f) {
    mpz_set_ui(z, 0);
    return;
  }
  std::int64_t m;
  int e;
  significand(x, m, e);  // x = m 2^e; E <= lsb(x), so the shifts are exact
  mpz_set_si(z, static_cast<long>(m));
  if (e >= E) mpz_mul_2exp(z, z, static_cast<mp_bitcnt_t>(e - E));
  else mpz_tdiv_q_2exp(z, z, static_cast<mp_bitcnt_t>(E - e));  // exact: 2^(E - e) divides m
}

void mpfr_set_u128(mpfr_t r, u128 v) {  // exact when prec(r) >= 128
  mpfr_set_uj(r, static_cast<std::uint64_t>(v >> 64), MPFR_RNDN);
  mpfr_mul_2ui(r, r, 64, MPFR_RNDN);
  mpfr_add_ui(r, r, static_cast<unsigned long>(static_cast<std::uint64_t>(v)), MPFR_RNDN);
}
void mpfr_set_i128(mpfr_t r, i128 v) {
  if (v < 0) {
    mpfr_set_u128(r, static_cast<u128>(-v));
    mpfr_neg(r, r, MPFR_RNDN);
  } else {
    mpfr_set_u128(r, static_cast<u128>(v));
  }
}

struct Mpfr {  // RAII for one mpfr_t
  mpfr_t x;
  explicit Mpfr(mpfr_prec_t p) { mpfr_init2(x, p); }
  ~Mpfr() { mpfr_clear(x); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
  operator mpfr_ptr() { return x; }
};
struct Mpz {
  mpz_t z;
  Mpz() { mpz_init(z); }
  ~Mpz() { mpz_clear(z); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  operator mpz_ptr() { return z; }
};

// Decides |out - A| <= b from an enclosure [lo, hi] of A, with directed rounding at `prec` bits
// (each test is a sound one-sided comparison; a tie at this precision is `undecided`).
Verdict decide_enclosure(mpfr_srcptr lo, mpfr_srcptr hi, float out, double b, mpfr_prec_t prec) {
  if (!std::isfinite(out) || std::isnan(b)) return Verdict::violated;
  if (std::isinf(b)) return b > 0 ? Verdict::holds : Verdict::violated;
  Mpfr o(prec), up_dn(prec), up_up(prec), dn_dn(prec), dn_up(prec);
  mpfr_set_flt(o, out, MPFR_RNDN);
  mpfr_add_d(up_dn, o, b, MPFR_RNDD);  // <= out + b
  mpfr_add_d(up_up, o, b, MPFR_RNDU);  // >= out + b
  mpfr_sub_d(dn_dn, o, b, MPFR_RNDD);  // <= out - b
  mpfr_sub_d(dn_up, o, b, MPFR_RNDU);  // >= out - b
  if (mpfr_lessequal_p(hi, up_dn) && mpfr_greaterequal_p(lo, dn_up)) return Verdict::holds;
  if (mpfr_greater_p(lo, up_up) || mpfr_less_p(hi, dn_dn)) return Verdict::violated;
  return Verdict::undecided;
}

}  // namespace

struct Reference::Impl {
  Problem P;
  ReferenceOptions opt;
  int threads = 1;
  std::vector<Mantissas> q;  // per row
  Mantissas k, v;
  std::vector<double> lo, hi;  // fast enclosures, rows x d
  int log2d = 0, log2n = 0;

  // Refinement state: the exact scaled score differences x_j of one row (kept for the next ask).
  int cached_row = -1;
  std::vector<__mpfr_struct> x;  // mpfr_t elements
  void clear_cache() {
    for (auto& t : x) mpfr_clear(&t);
    x.clear();
    cached_row = -1;
  }
  ~Impl() { clear_cache(); }

  bool int_scores(int r) const { return q[r].fits && k.fits && q[r].bits + k.bits + log2d <= 124; }
  bool int_values() const { return v.fits && v.bits + kFastBits + log2n + 1 <= 125; }

  // ---- fast path ----
  i128 dot(int r, int j) const {
    const std::int64_t* a = q[r].M.data();
    const std::int64_t* b = k.M.data() + static_cast<std::size_t>(j) * P.d;
    i128 s = 0;
    for (int c = 0; c < P.d; ++c) s += static_cast<i128>(a[c]) * b[c];
    return s;
  }

  // The fixed-point weight enclosure [elo, ehi] of 2^62 e^(x) for x = scale 2^e delta, delta <= 0.
  static void weight(mpfr_t xs, mpfr_t y, i128 delta, float scale, int e, std::uint64_t& elo, std::uint64_t& ehi) {
    if (delta == 0) {
      elo = ehi = std::uint64_t{1} << kFastBits;
      return;
    }
    mpfr_set_i128(xs, delta);
    mpfr_mul_d(xs, xs, static_cast<double>(scale), MPFR_RNDN);  // exact: 128 + 24 bits <= prec
    mpfr_mul_2si(xs, xs, e, MPFR_RNDN);
    if (mpfr_cmp_si(xs, -64) < 0) {  // e^x < e^-64 < 2^-92
      elo = 0;
      ehi = 1;
      return;
    }
    mpfr_exp(y, xs, MPFR_RNDD);
    mpfr_mul_2ui(y, y, kFastBits, MPFR_RNDN);
    elo = mpfr_get_uj(y, MPFR_RNDD);
    mpfr_nextabove(y);
    ehi = mpfr_get_uj(y, MPFR_RNDU);
  }

  void enclose_fast(int r, i128 NL, i128 NU, u128 DL, u128 DU, int c) {
    Mpfr n(160), d(160), t(64);
    const std::size_t i = static_cast<std::size_t>(r) * P.d + c;
    mpfr_set_i128(n, NL);
    mpfr_set_u128(d, NL >= 0 ? DU : DL);
    mpfr_div(t, n, d, MPFR_RNDD);
    mpfr_mul_2si(t, t, v.E, MPFR_RNDD);
    lo[i] = mpfr_get_d(t, MPFR_RNDD);
    mpfr_set_i128(n, NU);
    mpfr_set_u128(d, NU >= 0 ? DL : DU);
    mpfr_div(t, n, d, MPFR_RNDU);
    mpfr_mul_2si(t, t, v.E, MPFR_RNDU);
    hi[i] = mpfr_get_d(t, MPFR_RNDU);
  }

  // One row on the fast path; `inner` parallelizes over the keys (decode), else serial.
  void fast_row(int r, bool inner) {
    const int wl = P.lo[r], wh = P.hi[r], m = wh - wl, d = P.d;
    const std::size_t base = static_cast<std::size_t>(r) * d;
    if (m <= 0) {
      std::fill(lo.begin() + base, lo.begin() + base + d, 0.0);
      std::fill(hi.begin() + base, hi.begin() + base + d, 0.0);
      return;
    }
    if (!int_scores(r) || !int_values()) {  // unusual magnitudes: the GMP path at 128 bits
      std::vector<int> cols(d);
      for (int c = 0; c < d; ++c) cols[c] = c;
      row_exact(r, cols, kRefineStart, [&](int c, mpfr_srcptr L, mpfr_srcptr H) {
        lo[base + c] = mpfr_get_d(L, MPFR_RNDD);
        hi[base + c] = mpfr_get_d(H, MPFR_RNDU);
      });
      return;
    }
    std::vector<i128> dots(m);
    std::vector<std::uint64_t> elo(m), ehi(m);
    std::vector<i128> S(d, 0), R(d, 0);
    u128 DL = 0, DU = 0;
    const int e = q[r].E + k.E;
    const int nt = inner ? threads : 1;
#pragma omp parallel num_threads(nt) if (nt > 1 && m >= 4096)
    {
#pragma omp for schedule(static)
      for (int j = 0; j < m; ++j) dots[j] = dot(r, wl + j);
#pragma omp single
      {
        i128 mx = dots[0];
        for (int j = 1; j < m; ++j) mx = std::max(mx, dots[j]);
        for (int j = 0; j < m; ++j) dots[j] -= mx;
      }
      Mpfr xs(200), y(64);
#pragma omp for schedule(static)
      for (int j = 0; j < m; ++j) weight(xs, y, dots[j], P.scale, e, elo[j], ehi[j]);
      std::vector<i128> s(d, 0), rr(d, 0);
      u128 dl = 0, du = 0;
#pragma omp for schedule(static) nowait
      for (int j = 0; j < m; ++j) {
        const std::int64_t* vj = v.M.data() + static_cast<std::size_t>(wl + j) * d;
        const i128 a = static_cast<i128>(elo[j]);
        const std::uint64_t w = ehi[j] - elo[j];
        dl += elo[j];
        du += ehi[j];
        for (int c = 0; c < d; ++c) {
          s[c] += a * vj[c];
          const std::int64_t av = vj[c] < 0 ? -vj[c] : vj[c];
          rr[c] += static_cast<i128>(w) * av;
        }
      }
#pragma omp critical
      {
        for (int c = 0; c < d; ++c) {
          S[c] += s[c];
          R[c] += rr[c];
        }
        DL += dl;
        DU += du;
      }
    }
    for (int c = 0; c < d; ++c) enclose_fast(r, S[c] - R[c], S[c] + R[c], DL, DU, c);
  }

  // ---- exact path (refinement) ----
  // x_j = s_j - s_max for the keys of row r, exact, cached.
  void scores_exact(int r) {
    if (cached_row == r) return;
    clear_cache();
    const int wl = P.lo[r], m = P.hi[r] - P.lo[r], d = P.d;
    x.resize(m);
    for (auto& t : x) mpfr_init2(&t, kScorePrec);
    if (int_scores(r)) {
      std::vector<i128> dots(m);
      for (int j = 0; j < m; ++j) dots[j] = dot(r, wl + j);
      const i128 mx = *std::max_element(dots.begin(), dots.end());
      for (int j = 0; j < m; ++j) {
        mpfr_set_i128(&x[j], dots[j] - mx);
        mpfr_mul_2si(&x[j], &x[j], q[r].E + k.E, MPFR_RNDN);
      }
    } else {  // general floats: exact sums of exact products (spans stay below kScorePrec bits)
      Mpfr a(64), b(64);
      for (int j = 0; j < m; ++j) {
        mpfr_set_ui(&x[j], 0, MPFR_RNDN);
        for (int c = 0; c < d; ++c) {
          mpfr_set_flt(a, P.q[static_cast<std::size_t>(r) * d + c], MPFR_RNDN);
          mpfr_set_flt(b, P.k[static_cast<std::size_t>(wl + j) * d + c], MPFR_RNDN);
          mpfr_fma(&x[j], a, b, &x[j], MPFR_RNDN);
        }
      }
      int jm = 0;
      for (int j = 1; j < m; ++j)
        if (mpfr_greater_p(&x[j], &x[jm])) jm = j;
      Mpfr mx(kScorePrec);
      mpfr_set(mx, &x[jm], MPFR_RNDN);
      for (int j = 0; j < m; ++j) mpfr_sub(&x[j], &x[j], mx, MPFR_RNDN);
    }
    for (int j = 0; j < m; ++j) mpfr_mul_d(&x[j], &x[j], static_cast<double>(P.scale), MPFR_RNDN);
    cached_row = r;
  }

  // Encloses A_rc for the columns `cols` of row r (non-empty window) in W-bit fixed point and
  // hands each enclosure [L, H] (precision W + 64) to `sink(c, L, H)`.
  template <class Sink>
  void row_exact(int r, const std::vector<int>& cols, mpfr_prec_t W, Sink sink) {
    scores_exact(r);
    const int wl = P.lo[r], m = P.hi[r] - P.lo[r], d = P.d;
    std::vector<__mpz_struct> elo(m), dif(m);  // mpz_t elements
    for (int j = 0; j < m; ++j) {
      mpz_init(&elo[j]);
      mpz_init(&dif[j]);
    }
    const int nt = threads;
#pragma omp parallel num_threads(nt) if (nt > 1 && m >= 256)
    {
      Mpfr y(W + 2);
      Mpz hi_z;
#pragma omp for schedule(dynamic, 64)
      for (int j = 0; j < m; ++j) {
        if (mpfr_zero_p(&x[j])) {
          mpz_set_ui(&elo[j], 1);
          mpz_mul_2exp(&elo[j], &elo[j], W);
          mpz_set_ui(&dif[j], 0);
        } else if (mpfr_cmp_si(&x[j], -static_cast<long>(W)) < 0) {  // e^x < e^-W < 2^-W
          mpz_set_ui(&elo[j], 0);
          mpz_set_ui(&dif[j], 1);
        } else {
          mpfr_exp(y, &x[j], MPFR_RNDD);
          mpfr_mul_2ui(y, y, W, MPFR_RNDN);
          mpfr_get_z(&elo[j], y, MPFR_RNDD);
          mpfr_nextabove(y);
          mpfr_get_z(hi_z, y, MPFR_RNDU);
          mpz_sub(&dif[j], hi_z, &elo[j]);
        }
      }
    }
    Mpz DL, DU, S, R, NL, NU, vz;
    for (int j = 0; j < m; ++j) {
      mpz_add(DL, DL, &elo[j]);
      mpz_add(DU, DU, &elo[j]);
      mpz_add(DU, DU, &dif[j]);
    }
    Mpfr n(64), den(64), L(W + 64), H(W + 64);
    for (int c : cols) {
      mpz_set_ui(S, 0);
      mpz_set_ui(R, 0);
      for (int j = 0; j < m; ++j) {
        mpz_from_float(vz, P.v[static_cast<std::size_t>(wl + j) * d + c], v.E);
        mpz_addmul(S, &elo[j], vz);
        if (mpz_sgn(&dif[j]) != 0) {
          mpz_abs(vz, vz);
          mpz_addmul(R, &dif[j], vz);
        }
      }
      mpz_sub(NL, S, R);
      mpz_add(NU, S, R);
      auto quotient = [&](mpfr_ptr out, mpz_srcptr num, mpz_srcptr dd, mpfr_rnd_t rnd) {
        mpfr_set_prec(n, std::max<mpfr_prec_t>(64, static_cast<mpfr_prec_t>(mpz_sizeinbase(num, 2))));
        mpfr_set_prec(den, std::max<mpfr_prec_t>(64, static_cast<mpfr_prec_t>(mpz_sizeinbase(dd, 2))));
        mpfr_set_z(n, num, MPFR_RNDN);  // exact at these precisions
        mpfr_set_z(den, dd, MPFR_RNDN);
        mpfr_div(out, n, den, rnd);
        mpfr_mul_2si(out, out, v.E, rnd);
      };
      quotient(L, NL, mpz_sgn(NL.z) >= 0 ? DU.z : DL.z, MPFR_RNDD);
      quotient(H, NU, mpz_sgn(NU.z) >= 0 ? DL.z : DU.z, MPFR_RNDU);
      sink(c, L, H);
    }
    for (int j = 0; j < m; ++j) {
      mpz_clear(&elo[j]);
      mpz_clear(&dif[j]);
    }
  }
};

Reference::Reference(const Problem& p, const ReferenceOptions& opt) : impl_(std::make_unique<Impl>()) {
  Impl& I = *impl_;
  I.P = p;
  I.opt = opt;
  I.threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  const std::size_t R = static_cast<std::size_t>(p.rows), n = static_cast<std::size_t>(p.n), d = static_cast<std::size_t>(p.d);
  if (p.rows < 1 || p.n < 1 || p.d < 1) throw std::invalid_argument("reference: rows, n and d must be >= 1");
  if (p.q.size() != R * d || p.k.size() != n * d || p.v.size() != n * d)
    throw std::invalid_argument("reference: q, k, v do not have rows x d, n x d, n x d entries");
  if (p.lo.size() != R || p.hi.size() != R) throw std::invalid_argument("reference: one window per row expected");
  for (std::size_t r = 0; r < R; ++r)
    if (p.lo[r] < 0 || p.lo[r] > p.n || p.hi[r] < 0 || p.hi[r] > p.n)  // hi <= lo: an empty window
      throw std::invalid_argument("reference: window of row " + std::to_string(r) + " outside [0, n]");
  if (!(p.scale > 0.0f) || !std::isfinite(p.scale)) throw std::invalid_argument("reference: scale must be finite and > 0");
  for (const auto* m : {&p.q, &p.k, &p.v})
    for (float x : *m)
      if (!std::isfinite(x)) throw std::invalid_argument("reference: non-finite input");
  I.log2d = ceil_log2(d);
  I.log2n = ceil_log2(n);
  I.q.resize(R);
  for (std::size_t r = 0; r < R; ++r) I.q[r] = mantissas(p.q.data() + r * d, d);
  I.k = mantissas(p.k.data(), p.k.size());
  I.v = mantissas(p.v.data(), p.v.size());
  I.lo.assign(R * d, 0.0);
  I.hi.assign(R * d, 0.0);
  if (R == 1) {
    I.fast_row(0, true);
  } else {
    std::atomic<std::size_t> done{0};
    const bool generic = [&] {
      for (std::size_t r = 0; r < R; ++r)
        if (!I.int_scores(static_cast<int>(r)) || !I.int_values()) return true;
      return false;
    }();
    if (generic) {  // the GMP path shares the row cache: one row at a time
      for (std::size_t r = 0; r < R; ++r) {
        I.fast_row(static_cast<int>(r), false);
        if (opt.progress) opt.progress(r + 1, R);
      }
    } else {
#pragma omp parallel for schedule(dynamic, 1) num_threads(I.threads)
      for (std::size_t r = 0; r < R; ++r) {
        I.fast_row(static_cast<int>(R - 1 - r), false);  // long rows first
        const std::size_t k = ++done;
        if (opt.progress && omp_get_thread_num() == 0) opt.progress(k, R);
      }
      if (opt.progress) opt.progress(R, R);
    }
  }
}

Reference::~Reference() = default;

const Problem& Reference::problem() const { return impl_->P; }

std::pair<double, double> Reference::enclosure(int r, int c) const {
  const std::size_t i = static_cast<std::size_t>(r) * impl_->P.d + c;
  return {impl_->lo.at(i), impl_->hi.at(i)};
}

double Reference::error_estimate(int r, int c, float out) const {
  if (!std::isfinite(out)) return std::numeric_limits<double>::quiet_NaN();
  auto [l, h] = enclosure(r, c);
  return std::max(std::fabs(static_cast<double>(out) - l), std::fabs(static_cast<double>(out) - h));
}

std::vector<double> Reference::errors(const std::vector<float>& out) const {
  const Problem& P = impl_->P;
  if (out.size() != static_cast<std::size_t>(P.rows) * P.d) throw std::invalid_argument("reference: outputs must have rows x d entries");
  std::vector<double> e(out.size());
  for (int r = 0; r < P.rows; ++r)
    for (int c = 0; c < P.d; ++c) e[static_cast<std::size_t>(r) * P.d + c] = error_estimate(r, c, out[static_cast<std::size_t>(r) * P.d + c]);
  return e;
}

std::vector<Verdict> Reference::decide(const std::vector<float>& out, const std::vector<double>& bound, DecideStats* stats) {
  Impl& I = *impl_;
  const Problem& P = I.P;
  const std::size_t N = static_cast<std::size_t>(P.rows) * P.d;
  if (out.size() != N || bound.size() != N) throw std::invalid_argument("reference: outputs and bounds must have rows x d entries");
  DecideStats st;
  std::vector<Verdict> verdict(N);
  {
    Mpfr L(64), H(64);
    for (std::size_t i = 0; i < N; ++i) {
      mpfr_set_d(L, I.lo[i], MPFR_RNDN);
      mpfr_set_d(H, I.hi[i], MPFR_RNDN);
      verdict[i] = decide_enclosure(L, H, out[i], bound[i], 192);
      if (verdict[i] == Verdict::undecided) ++st.undecided_fast;
    }
  }
  for (int r = 0; r < P.rows && st.undecided_fast > 0; ++r) {
    std::vector<int> cols;
    for (int c = 0; c < P.d; ++c)
      if (verdict[static_cast<std::size_t>(r) * P.d + c] == Verdict::undecided) cols.push_back(c);
    if (cols.empty()) continue;
    ++st.rows_refined;
    try {
      core::refine(
          [&](mpfr_prec_t W) -> std::optional<bool> {
            st.max_precision = std::max<long>(st.max_precision, W);
            std::vector<int> still;
            I.row_exact(r, cols, W, [&](int c, mpfr_srcptr L, mpfr_srcptr H) {
              const std::size_t i = static_cast<std::size_t>(r) * P.d + c;
              I.lo[i] = std::max(I.lo[i], mpfr_get_d(L, MPFR_RNDD));  // the tighter enclosure, for the
              I.hi[i] = std::min(I.hi[i], mpfr_get_d(H, MPFR_RNDU));  // statistics of errors()
              verdict[i] = decide_enclosure(L, H, out[i], bound[i], std::max<mpfr_prec_t>(2400, W + 64));
              if (verdict[i] == Verdict::undecided) still.push_back(c);
            });
            cols = still;
            if (cols.empty()) return true;
            return std::nullopt;
          },
          "gpu reference", kRefineStart, kRefineLimit);
    } catch (const core::Undecided&) {
      // the remaining columns stay `undecided`
    }
  }
  I.clear_cache();
  if (stats) *stats = st;
  return verdict;
}

int Reference::exact_sign(int r, int c) {
  Impl& I = *impl_;
  auto [l, h] = enclosure(r, c);
  if (l > 0) return 1;
  if (h < 0) return -1;
  if (l == 0 && h == 0) return 0;
  if (I.P.hi[r] - I.P.lo[r] <= 0) return 0;
  const int s = core::refine(
      [&](mpfr_prec_t W) -> std::optional<int> {
        std::optional<int> res;
        I.row_exact(r, {c}, W, [&](int, mpfr_srcptr L, mpfr_srcptr H) {
          if (mpfr_sgn(L) > 0) res = 1;
          else if (mpfr_sgn(H) < 0) res = -1;
          else if (mpfr_zero_p(L) && mpfr_zero_p(H)) res = 0;
        });
        return res;
      },
      "gpu reference: sign of output (" + std::to_string(r) + ", " + std::to_string(c) + ")", kRefineStart, kRefineLimit);
  return s;
}

}  // namespace attncert::gpu
