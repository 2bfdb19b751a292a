// T6 statistical verification (t6.hpp).
#include "attncert/reductions/t6.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attncert/core/interval.hpp"
#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/t6_binomial.hpp"
#include "attncert/reductions/t6_estimators.hpp"

namespace attncert::reductions::t6 {

using core::Integer;
using core::Interval;
using core::Rational;
using core::Tribool;

std::int64_t Instance::dot(std::size_t i, std::size_t j) const {
  std::int64_t s = 0;
  for (std::size_t c = 0; c < d; ++c) s += Q[i * d + c] * K[j * d + c];
  return s;
}

std::int64_t Instance::vmax() const {
  std::int64_t m = 0;
  for (auto v : V) m = std::max(m, v < 0 ? -v : v);
  return m;
}

Instance make_instance(std::size_t n, std::size_t d, std::int64_t qk_bound, std::int64_t v_bound, const Rational& scale,
                       std::uint64_t seed) {
  Instance in;
  in.n = n;
  in.d = d;
  in.qk_bound = qk_bound;
  in.v_bound = v_bound;
  in.scale = scale;
  core::Xoshiro256ss rng(seed);
  auto fill = [&](std::vector<std::int64_t>& m, std::int64_t R) {
    m.resize(n * d);
    for (auto& x : m) x = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(2 * R + 1))) - R;
  };
  fill(in.Q, qk_bound);
  fill(in.K, qk_bound);
  fill(in.V, v_bound);
  return in;
}

std::vector<std::uint32_t> exact_topk(const Instance& inst, std::size_t i, std::size_t k) {
  std::vector<std::uint32_t> idx(inst.n);
  std::iota(idx.begin(), idx.end(), 0u);
  std::vector<std::int64_t> g(inst.n);
  for (std::size_t j = 0; j < inst.n; ++j) g[j] = inst.dot(i, j);
  std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return g[a] > g[b]; });
  idx.resize(k);
  return idx;
}

const char* to_string(Verdict v) {
  return v == Verdict::pass ? "pass" : v == Verdict::fail ? "fail" : "undecided";
}

void validate(const Request& r) {
  if (r.n < 1 || r.n > limits::max_n) throw ParameterError("n", "must lie in [1, " + std::to_string(limits::max_n) + "]");
  if (r.d < 1 || r.d > limits::max_d) throw ParameterError("d", "must lie in [1, " + std::to_string(limits::max_d) + "]");
  if (r.k < 1 || r.k > r.n)
    throw ParameterError("k", "must lie in [1, n] = [1, " + std::to_string(r.n) + "], got " + std::to_string(r.k));
  if (r.qk_bound < 0 || r.qk_bound > static_cast<std::int64_t>(limits::max_entry_bound))
    throw ParameterError("qk_bound", "must lie in [0, " + std::to_string(limits::max_entry_bound) + "]");
  if (r.v_bound < 1 || r.v_bound > static_cast<std::int64_t>(limits::max_entry_bound))
    throw ParameterError("v_bound", "must lie in [1, " + std::to_string(limits::max_entry_bound) + "]");
  if (r.scale <= 0 || r.scale > 16) throw ParameterError("scale", "must lie in (0, 16], got " + core::to_string(r.scale));
  if (r.slack < 0 || r.slack > 64) throw ParameterError("slack", "must lie in [0, 64], got " + core::to_string(r.slack));
  // |score| <= scale R^2 d: the exact exp enclosures (here and in the checker) grow with the range.
  if (r.scale * r.qk_bound * r.qk_bound * static_cast<std::int64_t>(r.d) > limits::max_score)
    throw ParameterError("scale", "scale * qk_bound^2 * d (the largest |score|) must be at most " +
                                      std::to_string(limits::max_score) + ", got " +
                                      core::to_string(core::Rational(r.scale * r.qk_bound * r.qk_bound * static_cast<std::int64_t>(r.d))));
  if (r.samples < limits::min_samples || r.samples > limits::max_samples)
    throw ParameterError("samples", "must lie in [" + std::to_string(limits::min_samples) + ", " +
                                        std::to_string(limits::max_samples) + "]");
  if (r.trials < limits::min_trials || r.trials > limits::max_trials)
    throw ParameterError("trials", "must lie in [" + std::to_string(limits::min_trials) + ", " +
                                       std::to_string(limits::max_trials) + "]");
  if (r.eps <= 0) throw ParameterError("eps", "must be > 0, got " + core::to_string(r.eps));
  if (r.eps >= 2) throw ParameterError("eps", "must be < 2 (eps ||V||_max >= 2 ||V||_max is never missed), got " + core::to_string(r.eps));
  if (r.delta <= 0 || r.delta >= 1) throw ParameterError("delta", "must lie in (0, 1), got " + core::to_string(r.delta));
  if (r.alpha <= 0 || r.alpha >= 1) throw ParameterError("alpha", "must lie in (0, 1), got " + core::to_string(r.alpha));
  if (r.ell > limits::max_ell) throw ParameterError("ell", "must be at most " + std::to_string(limits::max_ell));
}

namespace {

Interval point(const Rational& r, mpfr_prec_t prec) { return Interval::from_rational(r, prec); }
Interval iabs(const Interval& x) { return core::max(x, -x); }
Enclosure enc(const Interval& x) { return {x.lo_q(), x.hi_q()}; }
Interval clamp01(const Interval& x, mpfr_prec_t prec) {
  return core::intersect(x, Interval::hull(0, 1, prec));
}

Verdict le(const Interval& a, const Interval& b) {  // a <= b ?
  if (core::less_equal(a, b) == Tribool::yes) return Verdict::pass;
  if (core::less(b, a) == Tribool::yes) return Verdict::fail;
  return Verdict::undecided;
}
Verdict all_of(std::initializer_list<Verdict> vs) {
  bool undecided = false;
  for (Verdict v : vs) {
    if (v == Verdict::fail) return Verdict::fail;
    undecided |= v == Verdict::undecided;
  }
  return undecided ? Verdict::undecided : Verdict::pass;
}
void fold(Verdict& acc, Verdict v) { acc = all_of({acc, v}); }

// The samples and counts (randomness); decisions come after, at a chosen precision.
struct Sampled {
  std::vector<std::vector<std::uint32_t>> topk;
  std::vector<std::vector<std::uint64_t>> counts;
  std::vector<std::uint64_t> tail, zero;
  std::vector<std::vector<std::vector<std::uint64_t>>> trials;
};

// Everything decided at precision prec; returns whether all verdicts were decided.
bool decide(const Request& r, const Instance& inst, Report& rep, mpfr_prec_t prec) {
  const std::size_t n = r.n, d = r.d, k = r.k;
  const Rational N(Integer(r.samples));
  const Interval tau = core::sqrt(point(Rational(Integer(n)) / N, prec)) +
                       core::sqrt(point(Rational(2) / N, prec) * core::log(point(Rational(Integer(4 * n)) / r.alpha, prec)));
  const Interval hoeff = point(Rational(Integer(n - k)), prec) *
                         core::sqrt(core::log(point(Rational(Integer(16 * n)) / r.alpha, prec)) / point(2 * N, prec));
  rep.tau = enc(tau);
  rep.hoeffding = enc(hoeff);
  rep.part_a = rep.part_b = rep.part_d = Verdict::pass;
  rep.tv_max = 0;
  const Rational eps_v = r.eps * Rational(Integer(inst.vmax()));
  const Interval eps_v_i = point(eps_v, prec);
  std::vector<std::vector<Interval>> o_all(n);  // exact outputs, for (c)
  for (std::size_t i = 0; i < n; ++i) {
    QueryRow& row = rep.rows[i];
    std::vector<std::int64_t> g(n);
    for (std::size_t j = 0; j < n; ++j) g[j] = inst.dot(i, j);
    const std::int64_t gmax = *std::max_element(g.begin(), g.end());
    std::vector<Interval> e;
    std::vector<Rational> w;  // lower endpoints: positive rational weights for the exact identity
    e.reserve(n);
    for (std::size_t j = 0; j < n; ++j) {
      e.push_back(core::exp(point(inst.scale * Rational(Integer(g[j] - gmax)), prec)));
      w.push_back(e.back().lo_q());
    }
    std::vector<bool> inS(n, false);
    for (auto j : row.topk) inS[j] = true;
    Interval Z(prec), ZS(prec), Zout(prec);
    for (std::size_t j = 0; j < n; ++j) (inS[j] ? ZS : Zout) = (inS[j] ? ZS : Zout) + e[j];
    Z = ZS + Zout;
    // (a)
    Interval l1(prec);
    for (std::size_t j = 0; j < n; ++j) l1 = l1 + iabs(point(Rational(Integer(row.counts[j])) / N, prec) - e[j] / Z);
    row.l1 = enc(l1);
    row.exact = le(l1, tau);
    row.tv_upper = core::round_up((row.l1.hi + rep.tau.hi) / 2, 40);
    rep.tv_max = std::max(rep.tv_max, row.tv_upper);
    fold(rep.part_a, row.exact);
    // (b)
    std::int64_t gmin_S = gmax;
    for (auto j : row.topk) gmin_S = std::min(gmin_S, g[j]);
    const Interval t = core::exp(point(inst.scale * Rational(Integer(gmin_S - gmax)) + r.slack, prec));
    const Interval nk = point(Rational(Integer(n - k)), prec);
    const Interval Em = nk * t / (ZS + t), P0 = clamp01(ZS / (ZS + nk * t), prec);
    row.expected_m = enc(Em);
    row.p_zero = enc(P0);
    row.mean_m = le(iabs(point(Rational(Integer(row.tail_draws)) / N, prec) - Em), hoeff);
    row.p0 = all_of({le(point(row.cp_lo, prec), P0), le(P0, point(row.cp_hi, prec))});
    fold(rep.part_b, all_of({row.mean_m, row.p0}));
    // (d)
    std::vector<Interval> o(d, Interval(prec)), oS(d, Interval(prec)), oOut(d, Interval(prec));
    std::vector<Rational> qo(d), qS(d), qOut(d);
    Rational qZ = 0, qZS = 0, qZout = 0;
    for (std::size_t j = 0; j < n; ++j) (inS[j] ? qZS : qZout) += w[j];
    qZ = qZS + qZout;
    for (std::size_t c = 0; c < d; ++c) {
      for (std::size_t j = 0; j < n; ++j) {
        const std::int64_t v = inst.V[j * d + c];
        const Interval ev = e[j] * point(Rational(Integer(v)), prec);
        o[c] = o[c] + ev;
        (inS[j] ? oS[c] : oOut[c]) = (inS[j] ? oS[c] : oOut[c]) + ev;
        const Rational wv = w[j] * Rational(Integer(v));
        qo[c] += wv;
        (inS[j] ? qS[c] : qOut[c]) += wv;
      }
    }
    const Interval eps_i = Zout / Z;
    row.knn_eps = enc(eps_i);
    Verdict ident = Verdict::pass;
    Rational err_lo = 0, err_hi = 0;
    o_all[i].clear();
    for (std::size_t c = 0; c < d; ++c) {
      std::int64_t vmin = inst.V[c], vmx = inst.V[c];
      for (std::size_t j = 0; j < n; ++j) vmin = std::min(vmin, inst.V[j * d + c]), vmx = std::max(vmx, inst.V[j * d + c]);
      const Interval oc = o[c] / Z, muS = oS[c] / ZS, err = oc - muS;
      o_all[i].push_back(oc);
      // exact identity with rational weights w: o - o^kNN == eps (mu_out - mu_S)
      const Rational q_err = qo[c] / qZ - qS[c] / qZS;
      const Rational q_rhs = k == n ? Rational(0) : (qZout / qZ) * (qOut[c] / qZout - qS[c] / qZS);
      if (q_err != q_rhs) ident = Verdict::fail;
      if (k < n) {
        const Interval rhs = eps_i * (oOut[c] / Zout - muS);
        if (core::less(err, rhs) == Tribool::yes || core::less(rhs, err) == Tribool::yes) ident = Verdict::fail;
      }
      const Interval bound = eps_i * point(Rational(Integer(vmx - vmin)), prec);
      if (core::less(bound, iabs(err)) == Tribool::yes) ident = Verdict::fail;
      const Interval ae = iabs(err);
      const Rational alo = std::max(Rational(0), ae.lo_q());
      err_lo = std::max(err_lo, alo);
      err_hi = std::max(err_hi, ae.hi_q());
    }
    row.knn_err = {err_lo, err_hi};
    row.identity = ident;
    fold(rep.part_d, ident);
  }
  // (c)
  rep.failures = 0;
  Verdict trials_decided = Verdict::pass;
  const Rational ell(Integer(rep.ell));
  for (const auto& trial : rep.trial_counts) {
    bool miss = false, undecided = false;
    for (std::size_t i = 0; i < n && !miss; ++i)
      for (std::size_t c = 0; c < d && !miss; ++c) {
        Rational sum = 0;
        for (std::size_t j = 0; j < n; ++j) sum += Rational(Integer(trial[i][j])) * Rational(Integer(inst.V[j * d + c]));
        const Verdict v = le(iabs(point(sum / ell, prec) - o_all[i][c]), eps_v_i);
        if (v == Verdict::fail) miss = true;
        if (v == Verdict::undecided) undecided = true;
      }
    if (miss) ++rep.failures;
    else if (undecided) trials_decided = Verdict::undecided;
  }
  const Rational lvl = r.alpha / 4;
  rep.fail_hi = cp_upper(r.trials, rep.failures, lvl);
  rep.fail_lo = cp_lower(r.trials, rep.failures, lvl);
  if (trials_decided == Verdict::undecided) rep.part_c = Verdict::undecided;
  else if (rep.fail_hi <= r.delta) rep.part_c = Verdict::pass;
  else if (rep.fail_lo > r.delta) rep.part_c = Verdict::fail;
  else rep.part_c = Verdict::undecided;
  for (Verdict v : {rep.part_a, rep.part_b, rep.part_d})
    if (v == Verdict::undecided) return false;
  return trials_decided == Verdict::pass;
}

}  // namespace

Report run_t6(const Request& r, const std::function<void(std::size_t, std::size_t)>& progress) {
  validate(r);
  const Instance inst = make_instance(r.n, r.d, r.qk_bound, r.v_bound, r.scale, r.seed);
  Report rep;
  rep.req = r;
  rep.ell_rule = knn::mean_samples(r.n, r.d, r.eps, r.delta);
  rep.ell = r.ell ? r.ell : rep.ell_rule;
  if (rep.ell > limits::max_ell)
    throw ParameterError("eps", "the rule asks for l = " + std::to_string(rep.ell) + " > " + std::to_string(limits::max_ell) +
                                    " samples per query");
  core::Xoshiro256ss rng(r.seed ^ kSamplingSalt);
  // Slack as a double rounded up (a larger slack keeps the sampler exact).
  double c = r.slack.convert_to<double>();
  if (Rational(c) < r.slack) c = std::nextafter(c, INFINITY);
  const double scale = r.scale.convert_to<double>();
  const std::size_t n = r.n, total = n + r.trials;
  rep.rows.resize(n);
  std::vector<std::vector<double>> scores(n, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) scores[i][j] = scale * static_cast<double>(inst.dot(i, j));
    rep.rows[i].topk = exact_topk(inst, i, r.k);
  }
  // (a), (b): N samples per query.
  for (std::size_t i = 0; i < n; ++i) {
    QueryRow& row = rep.rows[i];
    row.counts.assign(n, 0);
    knn::LazyGumbelStats st;
    auto score = [&](std::uint32_t j) { return scores[i][j]; };
    const knn::LazyGumbelTopK head(n, row.topk, c);
    for (std::uint64_t t = 0; t < r.samples; ++t) ++row.counts[head.sample(score, rng, &st, r.sampler)];
    row.tail_draws = st.tail_draws;
    row.zero_tail = st.zero_tail;
    rep.stats.score_evals += st.score_evals;
    rep.stats.tail_draws += st.tail_draws;
    rep.stats.samples += st.samples;
    rep.stats.zero_tail += st.zero_tail;
    std::vector<double> sS;
    for (auto j : row.topk) sS.push_back(scores[i][j]);
    rep.expected_evals += static_cast<double>(r.samples) * (r.k + knn::lazy_gumbel_expectation(n, sS, c).expected_m);
    const Rational lvl = r.alpha / Rational(Integer(16 * n));
    row.cp_lo = cp_lower(r.samples, row.zero_tail, lvl);
    row.cp_hi = cp_upper(r.samples, row.zero_tail, lvl);
    if (progress) progress(i + 1, total);
  }
  // (c): T trials of l samples per query.
  rep.trial_counts.assign(r.trials, {});
  std::vector<knn::LazyGumbelTopK> heads;
  for (std::size_t i = 0; i < n; ++i) heads.emplace_back(n, rep.rows[i].topk, c);
  for (std::uint64_t t = 0; t < r.trials; ++t) {
    auto& tr = rep.trial_counts[t];
    tr.assign(n, std::vector<std::uint64_t>(n, 0));
    for (std::size_t i = 0; i < n; ++i) {
      auto score = [&](std::uint32_t j) { return scores[i][j]; };
      for (std::uint64_t s = 0; s < rep.ell; ++s) ++tr[i][heads[i].sample(score, rng, nullptr, r.sampler)];
    }
    if (progress) progress(n + t + 1, total);
  }
  for (mpfr_prec_t prec : {192, 1024})
    if (decide(r, inst, rep, prec)) break;
  return rep;
}

}  // namespace attncert::reductions::t6
