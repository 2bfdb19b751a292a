#include <chrono>
#include <memory>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/progress.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/sweep.hpp"

namespace attncert::verifiers {

namespace red = attncert::reductions;
using core::Rational;

std::vector<std::uint64_t> parse_grid(const std::string& text, const std::string& name, bool geometric_default) {
  std::vector<std::uint64_t> v;
  auto dots = text.find("..");
  if (dots == std::string::npos) {
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) v.push_back(parse_count(item, name, 1, red::limits::max_keys));
  } else {
    std::string a = text.substr(0, dots), rest = text.substr(dots + 2), step;
    if (auto colon = rest.find(':'); colon != std::string::npos) {
      step = rest.substr(colon + 1);
      rest = rest.substr(0, colon);
    }
    std::uint64_t lo = parse_count(a, name, 1, red::limits::max_keys), hi = parse_count(rest, name, 1, red::limits::max_keys);
    if (lo > hi) throw BadInput(name + ": empty range " + text);
    if (step.empty() && geometric_default) {
      for (std::uint64_t x = lo; x <= hi; x *= 2) v.push_back(x);
    } else {
      std::uint64_t s = step.empty() ? 1 : parse_count(step, name + " step", 1, red::limits::max_keys);
      for (std::uint64_t x = lo; x <= hi; x += s) v.push_back(x);
    }
  }
  if (v.empty()) throw BadInput(name + ": empty grid");
  if (v.size() > red::limits::max_grid_points)
    throw BadInput(name + ": more than " + std::to_string(red::limits::max_grid_points) + " grid points");
  return v;
}

SweepResult sweep_t1(const T1SweepOptions& s, const CommonOptions& opt) {
  red::T1Params tp;
  tp.notion = red::parse_notion(s.notion);  // std::invalid_argument naming --notion -> exit 2
  red::check_eta_delta(s.eta, s.delta);
  red::check_rho_target(s.eps, s.delta_prime);
  for (auto n : s.n)
    if (n < 3 || n > red::limits::max_keys + 1)
      throw BadInput("--n: every n must lie in [3, " + std::to_string(red::limits::max_keys + 1) + "]");
  for (auto d : s.d)
    if (d > red::limits::max_dim) throw BadInput("--d: every d must be <= " + std::to_string(red::limits::max_dim));
  tp.eta = s.eta;
  tp.delta = s.delta;
  try {
    make_directories(s.out_dir);
  } catch (const FileError& e) {
    throw BadInput(std::string("--out: ") + e.what());
  }

  SweepResult res;
  std::ostringstream csv, curves;
  csv << "n,N,d,C,max_inner,rho,w_min_lower,phi_upper,certified,bits,bits_per_Nd,seconds,coarse_certified,w_min_coarse\n";
  curves << "n,N,log2_n,d_hoeffding,d_binomial\n";
  // Work is ~ n^2 d per cell: weight the progress bar by it.
  double total = 0, done = 0;
  for (auto n : s.n)
    for (auto d : s.d) total += double(n) * double(n) * double(d);
  Progress bar("sweep t1", "%", !opt.quiet);
  for (auto n : s.n) {
    const std::size_t N = n - 1;
    curves << n << "," << N << "," << std::log2(double(n)) << "," << red::d_hoeffding(N, s.eps, s.delta_prime) << ","
           << red::d_binomial(N, s.eps, s.delta_prime) << "\n";
    tp.C = red::default_C(N, s.eps);
    for (auto d : s.d) {
      auto t0 = std::chrono::steady_clock::now();
      core::SignMatrix keys = core::SignMatrix::random(N, d, opt.seed);
      core::GramOptions go;
      go.threads = opt.threads;
      red::T1Report r = red::certify_t1(keys, core::gram_histogram(keys, go), tp);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      Rational Nd(static_cast<long>(N * d));
      csv << n << "," << N << "," << d << "," << core::to_string(tp.C) << "," << r.max_inner << ","
          << r.rho.convert_to<double>() << "," << r.w_min.convert_to<double>() << "," << r.phi.convert_to<double>() << ","
          << (r.certified ? 1 : 0) << "," << (r.certified ? core::to_string(r.bits_ceil) : "0") << ","
          << (r.certified ? (r.bits / Nd).convert_to<double>() : 0.0) << "," << secs << ","
          << (r.coarse_certified ? 1 : 0) << "," << r.w_min_coarse.convert_to<double>() << "\n";
      res.cells += 1;
      res.certified += r.certified;
      done += double(n) * double(n) * double(d);
      bar.update(static_cast<std::size_t>(100 * done / total), 100);
    }
  }
  bar.finish();
  res.csv = s.out_dir + "/t1.csv";
  res.curves_csv = s.out_dir + "/t1_curves.csv";
  write_file_atomic(res.csv, csv.str());
  write_file_atomic(res.curves_csv, curves.str());

  // The plot: certified (filled) vs not (cross) over (log2 n, d), with the sufficient-d curves,
  // as SVG and PNG (some SVG viewers do not draw gnuplot's point symbols).
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    std::ostringstream body;
    body << "set datafile separator ','\n"
         << "set title \"T1 phase diagram: is the Omega(n d) space bound certified? (" << s.notion << ", eta=" << core::to_string(s.eta)
         << ", delta=" << core::to_string(s.delta) << ")\\nrandom keys, C = ceil(16 ln(8N)/(1-eps))/16, eps=" << core::to_string(s.eps)
         << "; curves: d sufficient for rho <= eps w.p. 1-delta', delta'=" << core::to_string(s.delta_prime) << "\" noenhanced\n"
         << "set xlabel 'log2 n'\nset ylabel 'd'\nset key outside bottom center horizontal\nset grid\nset offsets 0.3, 0.3, 4, 4\n"
         << "plot '" << res.csv << "' using (log($1)/log(2)):($9==1 && $13==1?$3:1/0) with points pt 7 ps 1.1 lc rgb '#1a9850' title 'certified (coarse rho bound suffices)', \\\n"
         << "     '" << res.csv << "' using (log($1)/log(2)):($9==1 && $13==0?$3:1/0) with points pt 5 ps 1.0 lc rgb '#fdae61' title 'certified only with exact per-row histograms', \\\n"
         << "     '" << res.csv << "' using (log($1)/log(2)):($9==0?$3:1/0) with points pt 2 ps 1.1 lw 2 lc rgb '#d73027' title 'not certified', \\\n"
         << "     '" << res.curves_csv << "' using 3:4 with lines lw 2 lc rgb '#4575b4' title 'Hoeffding + union bound', \\\n"
         << "     '" << res.curves_csv << "' using 3:5 with lines lw 2 dt 2 lc rgb '#313695' title 'exact binomial tail'\n";
    const PlotFiles p = render_plot(s.out_dir, "t1", body.str());
    res.svg = p.svg;
    res.png = p.png;
  }
  return res;
}

Sweep t1_sweep() {
  auto setup = [](CLI::App& sub) -> std::function<int(const CommonOptions&)> {
    struct Text {
      std::string n = "256..65536", d = "8..128:8", notion = red::defaults::notion, eta = core::to_string(red::defaults::eta()),
                  delta = core::to_string(red::defaults::delta()), eps = core::to_string(red::defaults::eps()),
                  delta_prime = core::to_string(red::defaults::delta_prime()), out = "out/sweep_t1";
    };
    auto t = std::make_shared<Text>();
    sub.add_option("--n", t->n, "sequence lengths: a..b (powers of two), a..b:step or a,b,c (default " + t->n + ")");
    sub.add_option("--d", t->d, "dimensions: a..b:step, a..b (powers of two) or a,b,c (default " + t->d + ")");
    sub.add_option("--notion", t->notion, "rel | abs | l2 (default " + t->notion + ")");
    sub.add_option("--eta", t->eta, "eta in [0, 1) (default " + t->eta + ")");
    sub.add_option("--delta", t->delta, "delta in [0, 1) (default " + t->delta + ")");
    sub.add_option("--eps", t->eps, "C = ceil(16 ln(8N)/(1 - eps))/16, and the curves' rho target (default " + t->eps + ")");
    sub.add_option("--delta-prime", t->delta_prime, "the curves' failure probability (default " + t->delta_prime + ")");
    sub.add_option("--out", t->out, "output directory (default " + t->out + ")");
    return [t](const CommonOptions& o) {
      T1SweepOptions s;
      s.n = parse_grid(t->n, "--n", true);
      s.d = parse_grid(t->d, "--d", true);
      s.notion = t->notion;
      s.eta = parse_rational_param(t->eta, "--eta");
      s.delta = parse_rational_param(t->delta, "--delta");
      s.eps = parse_rational_param(t->eps, "--eps");
      s.delta_prime = parse_rational_param(t->delta_prime, "--delta-prime");
      s.out_dir = t->out;
      SweepResult r = sweep_t1(s, o);
      std::printf("%zu cells, %zu certified\nwrote %s\nwrote %s\n", r.cells, r.certified, r.csv.c_str(), r.curves_csv.c_str());
      if (r.svg.empty()) std::printf("no plot (gnuplot not found or failed)\n");
      else std::printf("wrote %s\nwrote %s\n", r.svg.c_str(), r.png.c_str());
      return 0;
    };
  };
  return {"T1 phase diagram over (n, d): CSV + SVG/PNG", setup};
}

}  // namespace attncert::verifiers
