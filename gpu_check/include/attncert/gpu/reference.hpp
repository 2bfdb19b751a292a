// T7 (docs/theorems.md#gpu): the certified reference. Encloses the exact attention output A_rc of
// a Problem (inputs are exact dyadic rationals) and decides, per element, whether a float output
// lies within a given bound of it: |out - A_rc| <= bound.
//
// How (reference.cpp): scores are exact integers (dyadic mantissas with a common exponent, 128-bit
// dot products); after subtracting the exact maximum, every weight e^{s_j - s_max} in (0, 1] is
// enclosed by MPFR's correctly rounded exp in 62-bit fixed point, and numerator and denominator are
// exact integer sums of those enclosures, so A_rc lies in [N_lo/D_hi, N_hi/D_lo] (outward rounded).
// Where that enclosure cannot decide a question, the row is recomputed at 128, 256, ... bits
// (core::refine, the filtered-predicate pattern); past 1024 bits (the checker's limit) the answer is `undecided`.
// MPFR and GMP stay inside the .cpp.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "attncert/gpu/problem.hpp"

namespace attncert::gpu {

struct ReferenceOptions {
  int threads = 0;  // OpenMP threads, 0: the runtime's default
  // Called now and then with (rows done, rows) while the enclosures are computed; may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

enum class Verdict { holds, violated, undecided };
const char* to_string(Verdict);

struct DecideStats {
  std::size_t undecided_fast = 0;  // elements the 62-bit enclosure could not decide
  std::size_t rows_refined = 0;    // rows recomputed at higher precision
  long max_precision = 0;          // the highest precision (bits) a refinement needed, 0 if none
};

class Reference {
 public:
  // Computes the fast enclosure of every output element. Throws std::invalid_argument on a
  // malformed problem (sizes, windows, non-finite or non-positive scale, non-finite inputs).
  explicit Reference(const Problem& p, const ReferenceOptions& opt = {});
  ~Reference();
  Reference(const Reference&) = delete;
  Reference& operator=(const Reference&) = delete;

  const Problem& problem() const;

  // For every element i = r*d + c: is |out[i] - A_rc| <= bound[i]? A non-finite out, or a NaN
  // bound, is `violated`; an infinite bound with a finite out `holds`. Refines rows as needed
  // (and keeps the refined, narrower enclosures for enclosure() and errors()).
  std::vector<Verdict> decide(const std::vector<float>& out, const std::vector<double>& bound,
                              DecideStats* stats = nullptr);

  // The fast enclosure [lo, hi] of A_rc, rounded outward to doubles (exact 0 for a masked row).
  std::pair<double, double> enclosure(int r, int c) const;
  // An upper estimate of |out - A_rc| from the enclosure (statistics only, never a decision);
  // NaN when out is not finite.
  double error_estimate(int r, int c, float out) const;
  std::vector<double> errors(const std::vector<float>& out) const;

  // The exact sign of A_rc (-1, 0 or +1; 0 only for a masked row or an exactly zero output),
  // refined as needed; throws core::Undecided when even 2^14 bits cannot tell.
  int exact_sign(int r, int c);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attncert::gpu
