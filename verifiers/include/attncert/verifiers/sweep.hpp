// Sweeps: a grid of verifier runs written as CSV, plus a gnuplot SVG when gnuplot is installed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attncert/core/rational.hpp"
#include "attncert/reductions/limits.hpp"
#include "attncert/verifiers/outcome.hpp"
#include "attncert/verifiers/registry.hpp"

namespace attncert::verifiers {

// "a..b" (powers of two from a to b), "a..b:s" (arithmetic, step s) or "x,y,z". Throws BadInput.
std::vector<std::uint64_t> parse_grid(const std::string& text, const std::string& name, bool geometric_default);

struct T1SweepOptions {
  std::vector<std::uint64_t> n, d;
  std::string notion = reductions::defaults::notion;
  core::Rational eta = reductions::defaults::eta(), delta = reductions::defaults::delta();
  core::Rational eps = reductions::defaults::eps(), delta_prime = reductions::defaults::delta_prime();  // C rule and curves
  std::string out_dir = "out/sweep_t1";
};

struct SweepResult {
  std::string csv, curves_csv, svg, png;  // paths written (svg/png "" when gnuplot is missing)
  std::size_t cells = 0, certified = 0;
};

// For every (n, d): random keys (seed), C = default_C(N, eps), certify_t1. Writes
// out_dir/t1.csv (one row per cell), out_dir/t1_curves.csv (Hoeffding and binomial-tail d per n)
// and out_dir/t1.svg + t1.png (phase diagram over (log2 n, d) with both curves), each atomically.
SweepResult sweep_t1(const T1SweepOptions& s, const CommonOptions& opt);

// The gnuplot script `body` (everything after `set terminal`/`set output`) rendered to
// dir/stem.svg and dir/stem.png, each atomically (a temporary name, then rename; removed on failure
// or Ctrl-C). A path is "" when gnuplot is missing or failed.
struct PlotFiles {
  std::string svg, png;
};
PlotFiles render_plot(const std::string& dir, const std::string& stem, const std::string& body);
// render_plot, then "wrote PATH" per file on stdout.
void write_plots(const std::string& dir, const std::string& stem, const std::string& body);

// `attncert sweep t1`: its options and runner, for t1's registration.
Sweep t1_sweep();

}  // namespace attncert::verifiers
