#include "attncert/verifiers/verify_t6.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>

#include "attncert/reductions/certificate_json.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/knn_grad.hpp"
#include "attncert/reductions/t6_estimators.hpp"
#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/reductions/t6.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/progress.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/sweep.hpp"

namespace attncert::verifiers {

using core::Rational;
namespace red = attncert::reductions;
namespace t6 = attncert::reductions::t6;

namespace {

nlohmann::json enc_json(const t6::Enclosure& e) { return red::interval_json(e.lo, e.hi); }

std::string part_text(t6::Verdict v) { return t6::to_string(v); }

nlohmann::json certificate_of(const t6::Report& rep) {
  const t6::Request& r = rep.req;
  nlohmann::json c = certificate_header("t6");
  c["parameters"] = {{"n", std::to_string(r.n)},
                     {"d", std::to_string(r.d)},
                     {"k", std::to_string(r.k)},
                     {"qk_bound", std::to_string(r.qk_bound)},
                     {"v_bound", std::to_string(r.v_bound)},
                     {"scale", core::to_string(r.scale)},
                     {"slack", core::to_string(r.slack)},
                     {"samples", std::to_string(r.samples)},
                     {"trials", std::to_string(r.trials)},
                     {"ell", std::to_string(rep.ell)},
                     {"eps", core::to_string(r.eps)},
                     {"delta", core::to_string(r.delta)},
                     {"alpha", core::to_string(r.alpha)},
                     {"sampler", red::knn::variant_name(r.sampler)}};
  c["instance"] = {{"generator", t6::kEntriesGenerator},
                   {"generator_version", t6::kEntriesVersion},
                   {"rng", core::kRngName},
                   {"rng_version", core::kRngVersion},
                   {"seed", std::to_string(r.seed)}};
  nlohmann::json topk = nlohmann::json::array(), counts = nlohmann::json::array(), tail = nlohmann::json::array(),
                 zero = nlohmann::json::array(), rows = nlohmann::json::array(), trials = nlohmann::json::array();
  for (const auto& row : rep.rows) {
    topk.push_back(row.topk);
    counts.push_back(row.counts);
    tail.push_back(row.tail_draws);
    zero.push_back(row.zero_tail);
    rows.push_back({{"l1", enc_json(row.l1)},
                    {"tv_upper", core::to_string(row.tv_upper)},
                    {"expected_m", enc_json(row.expected_m)},
                    {"p_zero", enc_json(row.p_zero)},
                    {"cp_lower", core::to_string(row.cp_lo)},
                    {"cp_upper", core::to_string(row.cp_hi)},
                    {"knn_eps", enc_json(row.knn_eps)},
                    {"knn_max_abs_error", enc_json(row.knn_err)}});
  }
  for (const auto& t : rep.trial_counts) trials.push_back(t);
  c["statistics"] = {{"topk", topk}, {"counts", counts}, {"tail_draws", tail}, {"zero_tail", zero}, {"trial_counts", trials}};
  c["derived"] = {{"tau", enc_json(rep.tau)},
                  {"hoeffding_radius", enc_json(rep.hoeffding)},
                  {"ell_rule", std::to_string(rep.ell_rule)},
                  {"rows", rows},
                  {"failures", std::to_string(rep.failures)},
                  {"failure_cp_lower", core::to_string(rep.fail_lo)},
                  {"failure_cp_upper", core::to_string(rep.fail_hi)}};
  c["claim"] = {{"kind", "t6_statistical"},
                {"alpha", core::to_string(r.alpha)},
                {"sampler_tv_upper", core::to_string(rep.tv_max)},
                {"failure_probability_upper", core::to_string(rep.fail_hi)},
                {"delta", core::to_string(r.delta)}};
  return c;
}

}  // namespace

Outcome verify_t6(const t6::Request& r, const CommonOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  t6::Request req = r;
  req.seed = opt.seed;
  Progress bar("t6 sampling", "step", !opt.quiet);
  const t6::Report rep = t6::run_t6(req, [&](std::size_t done, std::size_t total) { bar.update(done, total); });
  bar.finish();

  Outcome o;
  o.theorem = "t6";
  o.label = "n=" + std::to_string(r.n) + " d=" + std::to_string(r.d) + " k=" + std::to_string(r.k) +
            " eps=" + core::to_string(r.eps) + " delta=" + core::to_string(r.delta) +
            (r.sampler == red::knn::LazyGumbelVariant::exact ? "" : std::string(" sampler=") + red::knn::variant_name(r.sampler));
  std::size_t worst_a = 0, worst_b = 0;
  for (std::size_t i = 0; i < rep.rows.size(); ++i) {
    if (rep.rows[i].l1.hi > rep.rows[worst_a].l1.hi) worst_a = i;
    if (rep.rows[i].p0 != t6::Verdict::pass || rep.rows[i].mean_m != t6::Verdict::pass) worst_b = i;
  }
  const auto& ra = rep.rows[worst_a];
  const auto& rb = rep.rows[worst_b];
  Rational eps_max = 0, err_max = 0;
  for (const auto& row : rep.rows) eps_max = std::max(eps_max, row.knn_eps.hi), err_max = std::max(err_max, row.knn_err.hi);
  o.table = {
      {"instance", "n=" + std::to_string(r.n) + " keys/queries, d=" + std::to_string(r.d) + ", entries in [-" +
                       std::to_string(r.qk_bound) + ", " + std::to_string(r.qk_bound) + "] (Q, K), [-" + std::to_string(r.v_bound) +
                       ", " + std::to_string(r.v_bound) + "] (V), scale " + core::to_string(r.scale) + ", non-causal"},
      {"top-k, slack", "k=" + std::to_string(r.k) + " (exact top-k), c=" + core::to_string(r.slack)},
      {"sampler", red::knn::variant_name(r.sampler)},
      {"(a) exactness: max L1 vs tau", approx(ra.l1.hi, 5) + " vs " + approx(rep.tau.lo, 5) + " (query " + std::to_string(worst_a) +
                                            ", N=" + std::to_string(r.samples) + "): " + part_text(rep.part_a)},
      {"(a) TV(sampler, softmax) <=", approx(rep.tv_max, 5) + " for every query, at confidence 1 - alpha/4"},
      {"(b) E[m]: mean vs exact (query " + std::to_string(worst_b) + ")",
       approx(Rational(rb.tail_draws) / Rational(r.samples), 6) + " vs " + approx(rb.expected_m.lo, 6) + " +- " +
           approx(rep.hoeffding.hi, 4)},
      {"(b) P[m=0]: exact vs Clopper-Pearson", approx(rb.p_zero.lo, 6) + " in [" + approx(rb.cp_lo, 6) + ", " + approx(rb.cp_hi, 6) +
                                                   "]: " + part_text(rep.part_b)},
      {"score evaluations / sample", approx(double(rep.stats.score_evals) / double(rep.stats.samples), 6) + " (k + E[m] = " +
                                         approx(rep.expected_evals / double(rep.stats.samples), 6) + ")"},
      {"(c) l per query (rule)", std::to_string(rep.ell) + " (" + std::to_string(rep.ell_rule) + ")"},
      {"(c) failures / trials", std::to_string(rep.failures) + " / " + std::to_string(r.trials) + ", P[fail] in [" +
                                    approx(rep.fail_lo, 4) + ", " + approx(rep.fail_hi, 4) + "] vs delta " +
                                    core::to_string(r.delta) + ": " + part_text(rep.part_c)},
      {"(d) kNN: max eps_i, max |o - o^kNN|", approx(eps_max, 6) + ", " + approx(err_max, 6) + "; identity and bound: " +
                                                  part_text(rep.part_d)},
  };
  const t6::Verdict parts[] = {rep.part_a, rep.part_b, rep.part_c, rep.part_d};
  const char* names[] = {"(a) sampler exactness", "(b) E[m] / P[m=0]", "(c) estimator guarantee", "(d) kNN error identity"};
  std::string failed, undecided;
  for (int p = 0; p < 4; ++p) {
    if (parts[p] == t6::Verdict::fail) failed += (failed.empty() ? "" : ", ") + std::string(names[p]);
    if (parts[p] == t6::Verdict::undecided) undecided += (undecided.empty() ? "" : ", ") + std::string(names[p]);
  }
  const std::string alpha = core::to_string(r.alpha);
  if (!failed.empty()) {
    o.status = refuted;
    o.reason = "refuted at significance alpha=" + alpha + ": " + failed;
  } else if (!undecided.empty()) {
    o.status = inconclusive;
    o.reason = "not decided: " + undecided;
  } else {
    o.status = certified;
    o.reason = "(a)-(d) hold: sampler law within TV " + approx(rep.tv_max, 4) + " of the exact softmax, E[m] and P[m=0] match, " +
               std::to_string(rep.failures) + "/" + std::to_string(r.trials) + " estimator failures, kNN identity exact";
    o.claim = "at confidence 1 - " + alpha + ": TV(lazy Gumbel, softmax) <= " + approx(rep.tv_max, 4) +
              " per query and P[max |o^ - o| > eps ||V||_max] <= " + approx(rep.fail_hi, 4) + " <= delta=" +
              core::to_string(r.delta) + " with l=" + std::to_string(rep.ell);
    o.certificate = certificate_of(rep);
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

namespace {

Runner setup(CLI::App& sub) {
  struct Text {
    std::string n = "8", d = "4", k = "2", qk_bound = "2", v_bound = "2", scale = "1/2", slack = "0", samples = "10000",
                trials = "200", ell = "0", eps = "1/2", delta = "1/10", alpha = "1/1000", sampler = "exact";
  };
  auto t = std::make_shared<Text>();
  sub.add_option("--n", t->n, "keys = queries n, 1..256 (default 8)");
  sub.add_option("--d", t->d, "dimension d, 1..64 (default 4)");
  sub.add_option("--k", t->k, "top-k size, 1..n (default 2)");
  sub.add_option("--qk-bound", t->qk_bound, "Q and K entries uniform integers in [-R, R], R in 0..64 (default 2)");
  sub.add_option("--v-bound", t->v_bound, "V entries uniform integers in [-R, R], R in 1..64 (default 2)");
  sub.add_option("--scale", t->scale, "score scale in (0, 16], exact rational (default 1/2)");
  sub.add_option("--slack", t->slack, "slack c >= 0 given to the sampler (an exact top-k with c > 0 must stay exact; default 0)");
  sub.add_option("--samples", t->samples, "samples per query for (a) and (b), 100..10^5 (default 10000)");
  sub.add_option("--trials", t->trials, "estimator trials for (c), 10..10^5 (default 200)");
  sub.add_option("--ell", t->ell, "samples per query and trial for (c); 0 = the rule ceil((2/eps^2) ln(2nd/delta)) (default 0)");
  sub.add_option("--eps", t->eps, "estimator accuracy eps > 0 (times ||V||_max) (default 1/2)");
  sub.add_option("--delta", t->delta, "estimator failure probability delta in (0, 1) (default 1/10)");
  sub.add_option("--alpha", t->alpha, "significance of the statistical tests, in (0, 1) (default 1/1000)");
  sub.add_option("--sampler", t->sampler, "exact | tail-with-replacement | b-off-by-one (the last two are deliberately biased)");
  return [t](const CommonOptions& opt) {
    t6::Request r;
    r.n = parse_count(t->n, "--n", 1, t6::limits::max_n);
    r.d = parse_count(t->d, "--d", 1, t6::limits::max_d);
    r.k = parse_count(t->k, "--k", 1, t6::limits::max_n);
    if (r.k > r.n) throw BadInput("--k: must lie in [1, n] = [1, " + std::to_string(r.n) + "], got " + t->k);
    r.qk_bound = static_cast<std::int64_t>(parse_count(t->qk_bound, "--qk-bound", 0, t6::limits::max_entry_bound));
    r.v_bound = static_cast<std::int64_t>(parse_count(t->v_bound, "--v-bound", 1, t6::limits::max_entry_bound));
    r.scale = parse_rational_param(t->scale, "--scale");
    r.slack = parse_rational_param(t->slack, "--slack");
    r.samples = parse_count(t->samples, "--samples", t6::limits::min_samples, t6::limits::max_samples);
    r.trials = parse_count(t->trials, "--trials", t6::limits::min_trials, t6::limits::max_trials);
    r.ell = parse_count(t->ell, "--ell", 0, t6::limits::max_ell);
    r.eps = parse_rational_param(t->eps, "--eps");
    r.delta = parse_rational_param(t->delta, "--delta");
    r.alpha = parse_rational_param(t->alpha, "--alpha");
    if (!red::knn::parse_variant(t->sampler, r.sampler))
      throw BadInput("--sampler: must be exact, tail-with-replacement or b-off-by-one, got " + t->sampler);
    t6::validate(r);  // ParameterError naming the parameter -> exit 2 with its flag
    return verify_t6(r, opt);
  };
}


// `attncert sweep t6`: error of the sampled forward output and gradients against the exact ones,
// over the number of walks/samples W (the same W for every estimator), on a random float problem
// (entries uniform in [-1, 1), scale 1/sqrt(d)). Each point is the median over --reps seeds of
// max_ij |estimate - exact| / max_ij |exact|. Writes t6_grad.csv and t6_grad.svg/png.
std::function<int(const CommonOptions&)> sweep_setup(CLI::App& sub) {
  struct Text {
    std::string n = "64", d = "8", k = "0", walks = "16..16384", reps = "3", out = "out/sweep_t6";
  };
  auto t = std::make_shared<Text>();
  sub.add_option("--n", t->n, "keys = queries, 2..4096 (default 64)");
  sub.add_option("--d", t->d, "dimension, 1..64 (default 8)");
  sub.add_option("--k", t->k, "top-k of the lazy Gumbel sampler, 0 = ceil(sqrt(n)) (default 0)");
  sub.add_option("--walks", t->walks, "walks/samples W per estimate: a..b (powers of two), a..b:step or a,b,c (default 16..16384)");
  sub.add_option("--reps", t->reps, "seeds per point, the median is plotted, 1..15 (default 3)");
  sub.add_option("--out", t->out, "output directory (default " + t->out + ")");
  return [t](const CommonOptions& opt) {
    const std::size_t n = parse_count(t->n, "--n", 2, 4096), d = parse_count(t->d, "--d", 1, 64);
    std::size_t k = parse_count(t->k, "--k", 0, n);
    if (k == 0) k = static_cast<std::size_t>(std::ceil(std::sqrt(double(n))));
    const auto grid = parse_grid(t->walks, "--walks", true);
    const std::size_t reps = parse_count(t->reps, "--reps", 1, 15);
    if (t->out.empty()) throw BadInput("--out: empty value");
    make_directories(t->out);
    const double scale = 1 / std::sqrt(double(d));
    std::ostringstream csv;
    csv << "walks,o_err,dv_err,dq_err,dk_err,inv_sqrt_walks\n";
    Progress bar("sweep t6", "point", !opt.quiet);
    std::size_t done = 0;
    for (std::uint64_t W : grid) {
      std::vector<double> eo, ev, eq, ek;
      for (std::size_t r = 0; r < reps; ++r) {
        const std::uint64_t seed = opt.seed + r;
        const auto p = red::knn::random_grad_problem(n, d, scale, seed);
        const auto g = red::knn::exact_grads(p);
        const auto e = red::knn::estimate_grads(p, g.O, k, W, W, seed ^ 0x6772ull);
        // the forward estimator: the plain mean of W samples per query
        red::knn::RowSampler s(p, k);
        core::Xoshiro256ss rng(seed ^ 0x6f7574ull);
        red::knn::Mat O(n, d);
        for (std::size_t i = 0; i < n; ++i) {
          std::vector<std::uint32_t> idx(W);
          for (auto& j : idx) j = s.draw(i, rng);
          const auto m = red::knn::mean_estimate(idx, p.V.a, d);
          for (std::size_t c = 0; c < d; ++c) O(i, c) = m[c];
        }
        eo.push_back(red::knn::rel_max_error(O, g.O));
        ev.push_back(red::knn::rel_max_error(e.dV, g.dV));
        eq.push_back(red::knn::rel_max_error(e.dQ, g.dQ));
        ek.push_back(red::knn::rel_max_error(e.dK, g.dK));
        bar.update(++done, grid.size() * reps);
      }
      auto med = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[(v.size() - 1) / 2];
      };
      csv << W << ',' << approx(med(eo), 8) << ',' << approx(med(ev), 8) << ',' << approx(med(eq), 8) << ','
          << approx(med(ek), 8) << ',' << approx(1 / std::sqrt(double(W)), 8) << '\n';
    }
    bar.finish();
    const std::string path = t->out + "/t6_grad.csv";
    write_file_atomic(path, csv.str());
    std::printf("%zu points\nwrote %s\n", grid.size(), path.c_str());
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
      std::printf("no plot (gnuplot not found)\n");
      return 0;
    }
    std::ostringstream body;
    body << "set datafile separator ','\n"
         << "set title \"T6: lazy-Gumbel estimators vs exact (n=" << n << ", d=" << d << ", k=" << k
         << ", median of " << reps << " seeds)\" noenhanced\n"
         << "set xlabel 'walks / samples W'\nset ylabel 'max |estimate - exact| / max |exact|'\n"
         << "set logscale xy\nset grid\nset key outside bottom center horizontal\n"
         << "plot '" << path << "' using 1:2 with linespoints pt 7 lw 2 lc rgb '#1a9850' title 'O (mean of W samples)', \\\n"
         << "     '" << path << "' using 1:3 with linespoints pt 5 lw 2 lc rgb '#4575b4' title 'dV = P^T dO (walks)', \\\n"
         << "     '" << path << "' using 1:4 with linespoints pt 9 lw 2 lc rgb '#d73027' title 'dQ (covariance samples)', \\\n"
         << "     '" << path << "' using 1:5 with linespoints pt 11 lw 2 lc rgb '#984ea3' title 'dK (P^T products)', \\\n"
         << "     '" << path << "' using 1:6 with lines lw 1 dt 2 lc rgb '#888888' title '1/sqrt(W)'\n";
    write_plots(t->out, "t6_grad", body.str());
    return 0;
  };
}

}  // namespace

const Theorem& theorem_t6() {
  static const Theorem t{"t6",
                         "T6: lazy Gumbel sampling, the l-sample estimator and the kNN-attention error, verified statistically (docs/theorems.md#t6)",
                         setup,
                         {{"default", {"--n 8 --d 4 --k 2 --samples 4000 --trials 100",
                                       "--n 12 --d 3 --k 3 --slack 1/2 --qk-bound 3 --samples 4000 --trials 100 --eps 3/4"}},
                          {"quick", {"--n 6 --d 2 --k 2 --samples 2000 --trials 100"}}},
                         Sweep{"T6 estimators: error of O, dV, dQ, dK vs walks/samples (CSV + SVG/PNG)", sweep_setup},
                         "check_t6"};
  return t;
}

}  // namespace attncert::verifiers
