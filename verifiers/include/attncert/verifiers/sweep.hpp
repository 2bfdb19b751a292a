// Sweeps: a grid of verifier runs written as CSV, plus a gnuplot SVG when gnuplot is installed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attncert/core/rational.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

// "a..b" (powers of two from a to b), "a..b:s" (arithmetic, step s) or "x,y,z". Throws BadInput.
std::vector<std::uint64_t> parse_grid(const std::string& text, const std::string& name, bool geometric_default);

struct T1SweepOptions {
  std::vector<std::uint64_t> n, d;
  std::string notion = "rel";
  core::Rational eta = core::Rational(1, 4), delta = 0;
  core::Rational eps = core::Rational(1, 2), delta_prime = core::Rational(1, 100);  // C rule and curves
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

}  // namespace attncert::verifiers
