// T6 (docs/certificates.md#t6): re-derives a statistical certificate of lazy Gumbel sampling from
// its stored counts. Regenerates the integer instance ("t6-entries" v1), checks every top-k set's
// slack condition exactly, encloses the exact softmax probabilities, E[m], P[m=0], eps_i and the
// attention outputs with qarith, decides the tests (a)-(d) and checks every Clopper-Pearson bound by
// an exact rational binomial tail. Written from the certificate format alone.
#include <algorithm>
#include <functional>

#include "cert.hpp"
#include "decide.hpp"
#include "generators.hpp"
#include "json_strict.hpp"
#include "qarith.hpp"

namespace attncert::checker {

namespace {

using Vec = std::vector<std::uint64_t>;

Vec uint_array(const json& a, const std::string& where, std::size_t len, std::uint64_t max) {
  if (!a.is_array() || a.size() != len) throw Malformed(where + " must be an array of " + std::to_string(len) + " integers");
  Vec out;
  for (std::size_t i = 0; i < len; ++i) {
    if (!a[i].is_number_unsigned() && !(a[i].is_number_integer() && a[i].get<std::int64_t>() >= 0))
      throw Malformed(where + "[" + std::to_string(i) + "] must be a non-negative JSON integer");
    const std::uint64_t v = a[i].get<std::uint64_t>();
    if (v > max) throw Malformed(where + "[" + std::to_string(i) + "] exceeds " + std::to_string(max));
    out.push_back(v);
  }
  return out;
}

mpq_class Q(std::uint64_t v) { return mpq_class(mpz_class(std::to_string(v), 10)); }
mpq_class Qs(long v) { return mpq_class(v); }

QInterval qabs(const QInterval& x) {
  if (sgn(x.lo) >= 0) return x;
  if (sgn(x.hi) <= 0) return {-x.hi, -x.lo};
  return {0, -x.lo > x.hi ? mpq_class(-x.lo) : x.hi};
}

// sqrt enclosure of a rational x >= 0 on the grid 2^-bits: s = isqrt(floor(x 4^bits)).
QInterval q_sqrt(const QInterval& x, unsigned bits) {
  auto root = [&](const mpq_class& v, bool up) {
    mpz_class scaled = v.get_num() << (2 * bits), s;
    mpz_fdiv_q(scaled.get_mpz_t(), scaled.get_mpz_t(), v.get_den_mpz_t());
    mpz_sqrt(s.get_mpz_t(), scaled.get_mpz_t());
    if (up) s += 1;
    mpq_class r(s, mpz_class(1) << bits);
    r.canonicalize();
    return r;
  };
  return {root(x.lo, false), root(x.hi, true)};
}

// a <= b: 1 yes, 0 no, -1 undecided.
int le(const QInterval& a, const QInterval& b) { return a.hi <= b.lo ? 1 : a.lo > b.hi ? 0 : -1; }

// sum_{i in [lo, hi]} C(N,i) a^i (D-a)^{N-i} for p = a/D, by T_{i+1} = T_i (N-i) a / ((i+1)(D-a)).
mpz_class binom_terms(std::uint64_t N, std::uint64_t lo, std::uint64_t hi, const mpz_class& a, const mpz_class& b) {
  mpz_class t, sum = 0;
  mpz_pow_ui(t.get_mpz_t(), b.get_mpz_t(), N);  // T_0
  for (std::uint64_t i = 0; i <= hi; ++i) {
    if (i >= lo) sum += t;
    if (i == hi) break;
    t *= mpz_class(std::to_string(N - i), 10) * a;
    mpz_divexact(t.get_mpz_t(), t.get_mpz_t(), mpz_class(mpz_class(std::to_string(i + 1), 10) * b).get_mpz_t());
  }
  return sum;
}

// P_p[X <= x] for X ~ Bin(N, p), exact. Walks from the nearer end via symmetry.
mpq_class binom_cdf(std::uint64_t N, std::uint64_t x, const mpq_class& p) {
  if (x >= N || sgn(p) == 0) return 1;
  if (p == 1) return 0;
  const mpz_class a = p.get_num(), D = p.get_den(), b = D - a;
  mpz_class DN;
  mpz_pow_ui(DN.get_mpz_t(), D.get_mpz_t(), N);
  mpq_class r;
  if (x <= N / 2) r = mpq_class(binom_terms(N, 0, x, a, b), DN);
  else r = 1 - mpq_class(binom_terms(N, 0, N - x - 1, b, a), DN);  // P[X > x] = P[N - X <= N - x - 1]
  r.canonicalize();
  return r;
}

struct Params {
  std::size_t n, d, k;
  long qk, vb;
  mpq_class scale, slack, eps, delta, alpha;
  std::uint64_t N, T, ell, seed;
};

}  // namespace

void check_t6(const Cert& c) {
  c.expect_sections({"statistics", "derived"});
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"n", "d", "k", "qk_bound", "v_bound", "scale", "slack", "samples", "trials", "ell", "eps",
                                  "delta", "alpha", "sampler"});
  Params p;
  p.n = integer_in(prm, "parameters", "n", 1, 256);
  p.d = integer_in(prm, "parameters", "d", 1, 64);
  p.k = integer_in(prm, "parameters", "k", 1, p.n);
  p.qk = static_cast<long>(integer_in(prm, "parameters", "qk_bound", 0, 64));
  p.vb = static_cast<long>(integer_in(prm, "parameters", "v_bound", 1, 64));
  p.scale = rational_field(prm, "parameters", "scale");
  p.slack = rational_field(prm, "parameters", "slack");
  p.N = integer_in(prm, "parameters", "samples", 100, 100000);
  p.T = integer_in(prm, "parameters", "trials", 10, 100000);
  p.ell = integer_in(prm, "parameters", "ell", 1, 100000);
  p.eps = rational_field(prm, "parameters", "eps");
  p.delta = rational_field(prm, "parameters", "delta");
  p.alpha = rational_field(prm, "parameters", "alpha");
  const std::string sampler = text(prm, "parameters", "sampler");
  if (sampler != "exact" && sampler != "tail-with-replacement" && sampler != "b-off-by-one")
    throw Malformed("parameters.sampler must be exact, tail-with-replacement or b-off-by-one");
  if (sgn(p.scale) <= 0 || p.scale > 16) throw Malformed("parameters.scale must lie in (0, 16]");
  if (sgn(p.slack) < 0 || p.slack > 64) throw Malformed("parameters.slack must lie in [0, 64]");
  if (sgn(p.eps) <= 0 || p.eps >= 2) throw Malformed("parameters.eps must lie in (0, 2)");
  if (sgn(p.delta) <= 0 || p.delta >= 1) throw Malformed("parameters.delta must lie in (0, 1)");
  if (sgn(p.alpha) <= 0 || p.alpha >= 1) throw Malformed("parameters.alpha must lie in (0, 1)");
  const std::size_t n = p.n, d = p.d, k = p.k;
  // The largest |score|, scale R^2 d: the exact exp enclosures grow with it (an audit's 8-query
  // certificate at scale 1, R = 64, d = 64 ran for minutes).
  if (p.scale * p.qk * p.qk * static_cast<long>(d) > 1024)
    throw Malformed("parameters: scale * qk_bound^2 * d (the largest |score|) must be at most 1024");
  // Work: T n d comparisons of trial means, n^2 d enclosure products.
  if (p.T * n * d > c.opt.max_pairs / 64)
    throw Malformed("needs " + std::to_string(p.T * n * d) + " trial comparisons, above --max-pairs / 64 (raise it)");
  // The exact Clopper-Pearson sums: about N^2 digit operations for each of the 2n per-query bounds,
  // T^2 for the two failure bounds (N = 10^5 took 4-14 s per bound), counted 64 per unit.
  {
    const long double cp_work = 2.0L * n * p.N * p.N + 2.0L * p.T * p.T;
    if (cp_work > 64.0L * static_cast<long double>(c.opt.max_pairs))
      throw Malformed("the exact Clopper-Pearson sums (2 n samples^2 + 2 trials^2 = " + std::to_string(static_cast<double>(cp_work)) +
                      ") exceed 64 * --max-pairs (raise it)");
  }

  const json& inst = c.doc.at("instance");
  expect_keys(inst, "instance", {"generator", "generator_version", "rng", "rng_version", "seed"});
  if (text(inst, "instance", "generator") != "t6-entries") throw Malformed("instance.generator must be t6-entries");
  if (text(inst, "instance", "rng") != "xoshiro256ss") throw Malformed("instance.rng must be xoshiro256ss");
  version_one(inst, "instance", "generator_version");
  version_one(inst, "instance", "rng_version");
  p.seed = integer_in(inst, "instance", "seed", 0, ~std::uint64_t{0});

  // The instance: Q, K (entries in [-qk, qk]) then V ([-vb, vb]), row-major, below(2R+1) - R.
  Xoshiro256ss rng(p.seed);
  auto fill = [&](long R) {
    std::vector<long> m(n * d);
    for (auto& x : m) x = static_cast<long>(rng.below(static_cast<std::uint64_t>(2 * R + 1))) - R;
    return m;
  };
  const std::vector<long> Qm = fill(p.qk), Km = fill(p.qk), V = fill(p.vb);
  long vmax = 0;
  for (long v : V) vmax = std::max(vmax, v < 0 ? -v : v);
  std::vector<std::vector<long>> g(n, std::vector<long>(n, 0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t cc = 0; cc < d; ++cc) g[i][j] += Qm[i * d + cc] * Km[j * d + cc];

  // Statistics: shapes, sums, the slack condition of every top-k set.
  const json& st = c.doc.at("statistics");
  expect_keys(st, "statistics", {"topk", "counts", "tail_draws", "zero_tail", "trial_counts"});
  const json& topk_j = array_of(st, "statistics", "topk", n);
  const json& counts_j = array_of(st, "statistics", "counts", n);
  const Vec tail = uint_array(member(st, "statistics", "tail_draws"), "statistics.tail_draws", n, p.N * (n - k));
  const Vec zero = uint_array(member(st, "statistics", "zero_tail"), "statistics.zero_tail", n, p.N);
  std::vector<Vec> S(n), counts(n);
  std::vector<std::vector<bool>> inS(n, std::vector<bool>(n, false));
  for (std::size_t i = 0; i < n; ++i) {
    const std::string w = "statistics.topk[" + std::to_string(i) + "]";
    S[i] = uint_array(topk_j[i], w, k, n - 1);
    for (auto j : S[i]) {
      if (inS[i][j]) throw Malformed(w + " repeats key " + std::to_string(j));
      inS[i][j] = true;
    }
    long gmin = g[i][S[i][0]];
    for (auto j : S[i]) gmin = std::min(gmin, g[i][j]);
    for (std::size_t j = 0; j < n; ++j)
      if (!inS[i][j] && p.scale * Qs(g[i][j]) > p.scale * Qs(gmin) + p.slack)
        throw Rejected(w + ": key " + std::to_string(j) + " outside the set scores above S_min + slack");
    counts[i] = uint_array(counts_j[i], "statistics.counts[" + std::to_string(i) + "]", n, p.N);
    std::uint64_t sum = 0;
    for (auto v : counts[i]) sum += v;
    if (sum != p.N) throw Rejected("statistics.counts[" + std::to_string(i) + "] does not sum to parameters.samples");
    // each sample with m >= 1 draws at least one and at most n - k tail keys
    if (tail[i] < p.N - zero[i] || tail[i] > (p.N - zero[i]) * (n - k))
      throw Rejected("statistics.tail_draws[" + std::to_string(i) + "] is impossible given statistics.zero_tail");
  }
  const json& trials_j = array_of(st, "statistics", "trial_counts", p.T);
  std::vector<std::vector<Vec>> trials(p.T);
  for (std::size_t t = 0; t < p.T; ++t) {
    const std::string w = "statistics.trial_counts[" + std::to_string(t) + "]";
    if (!trials_j[t].is_array() || trials_j[t].size() != n) throw Malformed(w + " must hold n arrays");
    for (std::size_t i = 0; i < n; ++i) {
      trials[t].push_back(uint_array(trials_j[t][i], w + "[" + std::to_string(i) + "]", n, p.ell));
      std::uint64_t sum = 0;
      for (auto v : trials[t][i]) sum += v;
      if (sum != p.ell) throw Rejected(w + "[" + std::to_string(i) + "] does not sum to parameters.ell");
    }
  }

  const json& der = c.doc.at("derived");
  expect_keys(der, "derived", {"tau", "hoeffding_radius", "ell_rule", "rows", "failures", "failure_cp_lower", "failure_cp_upper"});
  const json& rows_j = array_of(der, "derived", "rows", n);
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "alpha", "sampler_tv_upper", "failure_probability_upper", "delta"});
  if (text(claim, "claim", "kind") != "t6_statistical") throw Malformed("claim.kind is not t6_statistical");
  if (rational_field(claim, "claim", "alpha") != p.alpha) throw Rejected("claim.alpha is not parameters.alpha");
  if (rational_field(claim, "claim", "delta") != p.delta) throw Rejected("claim.delta is not parameters.delta");

  // l = ceil((2/eps^2) ln(2 n d / delta)), decided on enclosures (ln of a rational > 1 is irrational).
  {
    const mpz_class stored = integer_field(der, "derived", "ell_rule");
    const mpq_class x = 2 / (p.eps * p.eps), y = Q(2 * n * d) / p.delta;
    auto enc = [&](unsigned b) { return q_mul(q_point(x), q_log(y, b)); };
    const mpq_class s(stored);
    // stored - 1 < x ln y <= stored
    if (!decide_le(enc, s, "derived.ell_rule") || decide_le(enc, s - 1, "derived.ell_rule"))
      throw Rejected("derived.ell_rule is not ceil((2/eps^2) ln(2nd/delta))");
  }

  // Clopper-Pearson bounds, exactly (cheap compared with the enclosures; done once). Their
  // denominators are limited so that the exact binomial sums stay affordable.
  auto cp_field = [&](const json& obj, const std::string& where, const std::string& key) {
    mpq_class v = rational_field(obj, where, key);
    if (mpz_sizeinbase(v.get_den_mpz_t(), 2) > 33 || (mpz_sizeinbase(v.get_den_mpz_t(), 2) == 33 && mpz_popcount(v.get_den_mpz_t()) != 1))
      throw Malformed(path(where, key) + ": the denominator must be at most 2^32");
    return v;
  };
  const mpq_class lvl_b = p.alpha / Q(16 * n), lvl_c = p.alpha / 4;
  std::vector<mpq_class> cp_lo(n), cp_hi(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string w = "derived.rows[" + std::to_string(i) + "]";
    const json& row = rows_j[i];
    expect_keys(row, w, {"l1", "tv_upper", "expected_m", "p_zero", "cp_lower", "cp_upper", "knn_eps", "knn_max_abs_error"});
    cp_lo[i] = cp_field(row, w, "cp_lower");
    cp_hi[i] = cp_field(row, w, "cp_upper");
    if (sgn(cp_lo[i]) < 0 || cp_hi[i] > 1 || cp_lo[i] > cp_hi[i]) throw Rejected(w + ": need 0 <= cp_lower <= cp_upper <= 1");
    if (zero[i] > 0 && 1 - binom_cdf(p.N, zero[i] - 1, cp_lo[i]) > lvl_b)
      throw Rejected(w + ".cp_lower is not a Clopper-Pearson lower bound at level alpha/(16n)");
    if (zero[i] < p.N && binom_cdf(p.N, zero[i], cp_hi[i]) > lvl_b)
      throw Rejected(w + ".cp_upper is not a Clopper-Pearson upper bound at level alpha/(16n)");
    // At the ends the exact bounds are 1 (all N counted) and 0 (none): P[X <= N] = 1, P[X >= 0] = 1.
    if (zero[i] == p.N && cp_hi[i] != 1) throw Rejected(w + ".cp_upper must be 1 when every sample had m = 0");
    if (zero[i] == 0 && sgn(cp_lo[i]) != 0) throw Rejected(w + ".cp_lower must be 0 when no sample had m = 0");
  }
  const std::uint64_t F_stored = integer_in(der, "derived", "failures", 0, p.T);
  const mpq_class f_lo = cp_field(der, "derived", "failure_cp_lower"), f_hi = cp_field(der, "derived", "failure_cp_upper");
  if (sgn(f_lo) < 0 || f_hi > 1 || f_lo > f_hi) throw Rejected("derived: need 0 <= failure_cp_lower <= failure_cp_upper <= 1");
  if (F_stored > 0 && 1 - binom_cdf(p.T, F_stored - 1, f_lo) > lvl_c)
    throw Rejected("derived.failure_cp_lower is not a Clopper-Pearson lower bound at level alpha/4");
  if (F_stored < p.T && binom_cdf(p.T, F_stored, f_hi) > lvl_c)
    throw Rejected("derived.failure_cp_upper is not a Clopper-Pearson upper bound at level alpha/4");
  // Every trial failed: the only upper bound is 1 (P[X <= T] = 1 for every p); none failed: the
  // only lower bound is 0. (Before this check a certificate with T of T failures could claim <= delta.)
  if (F_stored == p.T && f_hi != 1) throw Rejected("derived.failure_cp_upper must be 1 when every trial failed");
  if (F_stored == 0 && sgn(f_lo) != 0) throw Rejected("derived.failure_cp_lower must be 0 when no trial failed");
  if (rational_field(claim, "claim", "failure_probability_upper") != f_hi)
    throw Rejected("claim.failure_probability_upper is not derived.failure_cp_upper");
  if (f_hi > p.delta) throw Rejected("claim: the failure probability bound exceeds delta");

  // The enclosures, at increasing precision until every check decides.
  mpq_class tv_max_check = 0;
  for (unsigned bits = 128;; bits *= 4) {
    if (bits > 8192) throw Rejected("a check stays undecided at the checker's precision limit (8192 bits)");
    bool undecided = false;
    auto contains = [&](const QInterval& e, const json& stored, const std::string& where) {
      expect_keys(stored, where, {"lo", "hi"});
      const mpq_class lo = rational_field(stored, where, "lo"), hi = rational_field(stored, where, "hi");
      if (lo > hi) throw Rejected(where + ": lo > hi");
      if (lo <= e.lo && e.hi <= hi) return;
      if (e.hi < lo || e.lo > hi) throw Rejected(where + " does not contain the true value");
      undecided = true;
    };
    auto need = [&](int r, const std::string& what) {
      if (r == 0) throw Rejected(what);
      if (r < 0) undecided = true;
    };
    const mpq_class Nq = Q(p.N);
    const QInterval L4 = q_log(Q(4 * n) / p.alpha, bits), L16 = q_log(Q(16 * n) / p.alpha, bits);
    const QInterval tau = q_add(q_sqrt(q_point(Q(n) / Nq), bits),
                                q_sqrt({2 * L4.lo / Nq, 2 * L4.hi / Nq}, bits));
    const QInterval h = q_mul(q_point(Q(n - k)), q_sqrt({L16.lo / (2 * Nq), L16.hi / (2 * Nq)}, bits));
    contains(tau, der.at("tau"), "derived.tau");
    contains(h, der.at("hoeffding_radius"), "derived.hoeffding_radius");
    std::vector<std::vector<QInterval>> o(n);
    tv_max_check = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string w = "derived.rows[" + std::to_string(i) + "]";
      const json& row = rows_j[i];
      const long gmax = *std::max_element(g[i].begin(), g[i].end());
      std::vector<QInterval> e(n);
      QInterval Z{0, 0}, ZS{0, 0}, Zo{0, 0};
      for (std::size_t j = 0; j < n; ++j) {
        e[j] = q_exp(p.scale * Qs(g[i][j] - gmax), bits);
        if (inS[i][j]) ZS = q_add(ZS, e[j]); else Zo = q_add(Zo, e[j]);
      }
      Z = q_add(ZS, Zo);
      // (a)
      QInterval l1{0, 0};
      for (std::size_t j = 0; j < n; ++j) l1 = q_add(l1, qabs(q_sub(q_point(Q(counts[i][j]) / Nq), q_div(e[j], Z))));
      contains(l1, row.at("l1"), w + ".l1");
      need(le(l1, tau), w + ": L1 distance to the exact softmax exceeds tau (sampler refuted)");
      const mpq_class tv = rational_field(row, w, "tv_upper");
      need(le({(l1.lo + tau.lo) / 2, (l1.hi + tau.hi) / 2}, q_point(tv)), w + ".tv_upper is below (L1 + tau)/2");
      tv_max_check = std::max(tv_max_check, tv);
      // (b)
      long gmin = gmax;
      for (auto j : S[i]) gmin = std::min(gmin, g[i][j]);
      const QInterval t = q_exp(p.scale * Qs(gmin - gmax) + p.slack, bits), nk = q_point(Q(n - k));
      // k = n: no tail, so E[m] = 0, P[m = 0] = 1, eps_i = 0 and o = o^kNN exactly (an enclosure
      // would never decide a stored exact endpoint: the audit's {1, 1} ran to the precision limit).
      const bool all = k == n;
      const QInterval Em = all ? QInterval{0, 0} : q_div(q_mul(nk, t), q_add(ZS, t));
      QInterval P0 = all ? QInterval{1, 1} : q_div(ZS, q_add(ZS, q_mul(nk, t)));
      if (P0.hi > 1) P0.hi = 1;  // a probability
      contains(Em, row.at("expected_m"), w + ".expected_m");
      contains(P0, row.at("p_zero"), w + ".p_zero");
      need(le(qabs(q_sub(q_point(Q(tail[i]) / Nq), Em)), h), w + ": mean of m is outside E[m] +- Hoeffding radius");
      need(le(q_point(cp_lo[i]), P0), w + ": P[m=0] is below the Clopper-Pearson interval");
      need(le(P0, q_point(cp_hi[i])), w + ": P[m=0] is above the Clopper-Pearson interval");
      // (d) and the outputs for (c)
      const QInterval eps_i = all ? QInterval{0, 0} : q_div(Zo, Z);
      contains(eps_i, row.at("knn_eps"), w + ".knn_eps");
      // exact identity with rational weights (the enclosures' lower endpoints)
      mpq_class wZ = 0, wZS = 0, wZo = 0;
      for (std::size_t j = 0; j < n; ++j) (inS[i][j] ? wZS : wZo) += e[j].lo;
      wZ = wZS + wZo;
      QInterval errmax{0, 0};
      for (std::size_t cc = 0; cc < d; ++cc) {
        QInterval sAll{0, 0}, sS{0, 0}, sO{0, 0};
        mpq_class qAll = 0, qS = 0, qO = 0;
        long vmin = V[cc], vmx = V[cc];
        for (std::size_t j = 0; j < n; ++j) {
          const long v = V[j * d + cc];
          vmin = std::min(vmin, v), vmx = std::max(vmx, v);
          const QInterval ev = q_mul(e[j], q_point(Qs(v)));
          sAll = q_add(sAll, ev);
          if (inS[i][j]) sS = q_add(sS, ev), qS += e[j].lo * v; else sO = q_add(sO, ev), qO += e[j].lo * v;
          qAll += e[j].lo * v;
        }
        const QInterval oc = q_div(sAll, Z), muS = q_div(sS, ZS), err = all ? QInterval{0, 0} : q_sub(oc, muS);
        o[i].push_back(oc);
        const mpq_class q_err = qAll / wZ - qS / wZS;
        const mpq_class q_rhs = k == n ? mpq_class(0) : (wZo / wZ) * (qO / wZo - qS / wZS);
        if (q_err != q_rhs) throw Rejected(w + ": the kNN error identity fails for rational weights");
        if (k < n) {
          const QInterval rhs = q_mul(eps_i, q_sub(q_div(sO, Zo), muS));
          if (err.hi < rhs.lo || rhs.hi < err.lo) throw Rejected(w + ": o - o^kNN differs from eps (mu_out - mu_S)");
        }
        const QInterval ae = qabs(err), bound = q_mul(eps_i, q_point(Qs(vmx - vmin)));
        if (bound.hi < ae.lo) throw Rejected(w + ": |o - o^kNN| exceeds eps_i (max v - min v)");
        errmax = {std::max(errmax.lo, ae.lo), std::max(errmax.hi, ae.hi)};
      }
      contains(errmax, row.at("knn_max_abs_error"), w + ".knn_max_abs_error");
    }
    // (c): which trials miss by more than eps ||V||_max somewhere.
    const QInterval tol = q_point(p.eps * Qs(vmax));
    std::uint64_t F = 0;
    bool trial_undecided = false;
    for (std::size_t t = 0; t < p.T; ++t) {
      bool miss = false, und = false;
      for (std::size_t i = 0; i < n && !miss; ++i)
        for (std::size_t cc = 0; cc < d && !miss; ++cc) {
          mpq_class sum = 0;
          for (std::size_t j = 0; j < n; ++j) sum += Q(trials[t][i][j]) * Qs(V[j * d + cc]);
          const int r = le(qabs(q_sub(q_point(sum / Q(p.ell)), o[i][cc])), tol);
          if (r == 0) miss = true;
          if (r < 0) und = true;
        }
      if (miss) ++F;
      else if (und) trial_undecided = true;
    }
    if (trial_undecided) undecided = true;
    else if (F != F_stored) throw Rejected("derived.failures is not the number of trials that miss by more than eps ||V||_max");
    if (!undecided) break;
  }
  if (rational_field(claim, "claim", "sampler_tv_upper") != tv_max_check)
    throw Rejected("claim.sampler_tv_upper is not the largest derived.rows[].tv_upper");
  c.summary = "sampler counts, E[m], P[m=0], Clopper-Pearson bounds, " + std::to_string(p.T) +
              " estimator trials and the kNN identity re-derived";
}

}  // namespace attncert::checker
