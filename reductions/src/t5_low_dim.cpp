// T5, low dimension (t5.hpp, docs/theorems.md#t5): T2's code argument on pair products.
#include <optional>

#include "attncert/core/entropy.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/t2.hpp"
#include "attncert/reductions/t5.hpp"

namespace attncert::reductions {

using core::Integer;
using core::Rational;


T5LowDimRow low_dim_bound(std::size_t d, const Rational& B, const T1Params& prm_in, unsigned max_log2_N) {
  if (d < 2 || d > limits::t5_low_dim_max_dim)
    throw ParameterError("d", "the low-dim model needs 2 <= d <= " + std::to_string(limits::t5_low_dim_max_dim) + ", got " + std::to_string(d));
  if (B <= 0) throw ParameterError("B", "the entry bound must be > 0, got " + core::to_string(B));
  const Rational C = B * B * B * Rational(static_cast<long>(d));
  if (C > Rational(Integer(limits::max_C))) throw ParameterError("B", "B^3 d = " + core::to_string(C) + " exceeds 2^23 (T1's range of C)");
  check_eta_delta(prm_in.eta, prm_in.delta);
  if (max_log2_N < 1 || max_log2_N > limits::t5_low_dim_max_log2_N)
    throw ParameterError("max_log2_N", "must lie in [1, " + std::to_string(limits::t5_low_dim_max_log2_N) + "], got " + std::to_string(max_log2_N));
  T5LowDimRow best;
  best.d = d;
  best.B = B;
  best.C = C;
  best.prm = prm_in;
  best.prm.C = C;
  bool have = false;
  Rational best_p = 2;
  for (const Code& code : t2_candidate_codes(d, "all")) {
    if (code.dimension() < 2) continue;  // the pair products need two factors' rows
    const std::size_t jmax = std::min<std::size_t>(code.dimension(), 2 * max_log2_N) & ~std::size_t{1};
    if (jmax < 2) continue;
    const auto pw = prefix_weight_distributions(code, jmax);
    for (std::size_t j = 2; j <= jmax; j += 2) {
      const std::vector<std::uint64_t>& A = pw[j];
      ++best.candidates;
      const std::size_t m = j / 2, N = std::size_t{1} << m;
      core::GramHistogram h(1, d);  // the one row every query shares: the nonzero codewords' weights
      for (std::size_t k = 1; k <= d; ++k) h.row(0)[k] = static_cast<std::uint32_t>(A[k]);
      h.row(0)[0] = static_cast<std::uint32_t>(A[0] - 1);  // > 0 only for dependent rows (then no margin)
      const T5Report one = certify_rows(h, native_zero_rows(N), best.prm);
      const Rational p = one.p;
      bool take = false;
      core::IndexBound ib;
      if (p * 2 < 1) {
        ib = core::index_bound(Integer(static_cast<std::uint64_t>(N) * d), p);
        take = !best.certified || ib.bits > best.bits || (ib.bits == best.bits && one.w_min > best.w_min);
      } else if (!best.certified && (!have || p < best_p)) {
        take = true;  // nothing certifies yet: keep the smallest p for diagnosis
      }
      if (!take) continue;
      have = true;
      best_p = p;
      best.code = code;
      best.m = m;
      best.N = N;
      best.weights = A;
      best.D = 0;
      for (std::size_t k = 1; k <= d; ++k)
        if (A[k]) {
          best.D = k;
          break;
        }
      best.w_min = one.w_min;
      best.margin = one.margin_min;
      best.flips = one.flips[0];
      best.phi = one.phi;
      best.p = p;
      best.certified = p * 2 < 1;
      if (best.certified) {
        best.h2_lo = ib.h2_lo;
        best.h2_hi = ib.h2_hi;
        best.bits = ib.bits;
        best.bits_ceil = ib.bits_ceil;
        best.reason = "Lemma 1 from the 2m-row subcode's weight distribution (every query alike), Lemma 3, INDEX on N*d bits";
      } else {
        best.bits = 0;
        best.bits_ceil = 0;
        best.reason = "no candidate certifies (best delta + phi = " + core::to_string(p) + " >= 1/2)";
      }
    }
  }
  if (!have) best.reason = "no linear code of length " + std::to_string(d) + " with dimension >= 2 among the candidates";
  return best;
}

void low_dim_keys(const T5LowDimRow& row, core::SignMatrix& a, core::SignMatrix& b) {
  a = core::SignMatrix(row.N, row.d);
  b = core::SignMatrix(row.N, row.d);
  const std::size_t words = a.words();
  for (std::size_t j = 0; j < row.N; ++j)
    for (std::size_t t = 0; t < row.m; ++t) {
      if (!((j >> t) & 1)) continue;
      for (std::size_t w = 0; w < words; ++w) {
        a.row(j)[w] ^= row.code.generator.row(t)[w];
        b.row(j)[w] ^= row.code.generator.row(row.m + t)[w];
      }
    }
}

}  // namespace attncert::reductions
