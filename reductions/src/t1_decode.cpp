#include "attncert/reductions/t1_decode.hpp"

#include <algorithm>
#include <optional>

#include "attncert/core/refine.hpp"

namespace attncert::reductions {

using core::Interval;
using core::Rational;

std::vector<Interval> bob_output(const H1Instance& inst, std::size_t i, mpfr_prec_t prec) {
  const std::size_t N = inst.N, d = inst.d;
  // Group Alice's other tokens by their distance k to key i: only the distances that occur get a
  // row of A (at most N - 1 of them, not d + 1: at d = 65535 a dense table was 34 GB).
  std::vector<std::size_t> dist(N);
  std::vector<long> cnt(d + 1, 0);
  for (std::size_t j = 0; j < N; ++j)
    if (j != i) cnt[dist[j] = inst.keys.distance(i, j)] += 1;
  std::vector<std::size_t> slot(d + 1, 0), ks;  // slot[k]: k's row of A, for the ks that occur
  for (std::size_t k = 0; k <= d; ++k)
    if (cnt[k]) slot[k] = ks.size(), ks.push_back(k);
  std::vector<long> A(ks.size() * d, 0);  // A[slot * d + l] = sum of Alice's bits (as signs) at l
  for (std::size_t j = 0; j < N; ++j) {
    if (j == i) continue;
    long* row = A.data() + slot[dist[j]] * d;
    for (std::size_t l = 0; l < d; ++l) row[l] += inst.bits.entry(j, l);
  }
  std::vector<Interval> e(ks.size());
  Interval den = Interval::from_long(1, prec) + core::exp(Interval::from_rational(-inst.C, prec));
  for (std::size_t s = 0; s < ks.size(); ++s) {
    e[s] = core::exp(Interval::from_rational(-2 * inst.C * Rational(static_cast<long>(ks[s]), static_cast<long>(d)), prec));
    den = den + e[s] * Interval::from_long(cnt[ks[s]], prec);
  }
  std::vector<Interval> Z;
  Z.reserve(d);
  for (std::size_t l = 0; l < d; ++l) {
    Interval num = Interval::from_long(inst.bits.entry(i, l), prec);
    for (std::size_t s = 0; s < ks.size(); ++s)
      if (A[s * d + l]) num = num + e[s] * Interval::from_long(A[s * d + l], prec);
    Z.push_back(num / den);
  }
  return Z;
}

namespace {

struct RowCheck {
  std::size_t back = 0, flips = 0;  // bits recovered; adversarial flips (l2)
  std::string failure;              // empty when every promise held
};

// Row i at working precision prec, from Bob's enclosed output Z: perturb it adversarially within
// the notion, decode, and compare with Alice's bits (row i of x). A failure may be an artefact of
// wide enclosures; the caller refines before it believes one.
RowCheck check_row(const std::vector<Interval>& Z, const core::SignMatrix& x, const T1Params& prm, std::uint32_t promised_flips,
                   std::size_t i, mpfr_prec_t prec) {
  RowCheck out;
  const std::size_t d = Z.size();
  const Interval ieta = Interval::from_rational(prm.eta, prec), zero = Interval::from_long(0, prec);
  // The adversary's output Zhat; a bit decodes as [Zhat < 0] and is recovered when its sign is
  // certain and right (the enclosure decides, never a float).
  std::vector<bool> flipped(d, false);
  if (prm.notion == Notion::l2) {
    // Budget^2 <= eta^2 ||Z||^2 (upper bound); moving coordinate l to 0 costs Z_l^2 (lower bound).
    Interval norm2 = zero;
    for (const auto& z : Z) norm2 = norm2 + z * z;
    const Rational budget = (ieta * ieta * norm2).hi_q();
    std::vector<std::pair<Rational, std::size_t>> cost;
    for (std::size_t l = 0; l < d; ++l) {
      const Rational lo = Z[l].lo_q(), hi = Z[l].hi_q();
      const Rational m = (lo > 0) ? lo : (hi < 0 ? Rational(-hi) : Rational(0));
      cost.push_back({m * m, l});
    }
    std::sort(cost.begin(), cost.end());
    Rational spent = 0;
    for (const auto& [c, l] : cost) {
      if (spent + c > budget) break;
      spent += c;
      flipped[l] = true;
      ++out.flips;
    }
    if (out.flips > promised_flips)
      out.failure = "row " + std::to_string(i) + ": adversary flips " + std::to_string(out.flips) +
                    " > F_i = " + std::to_string(promised_flips);
  }
  for (std::size_t l = 0; l < d; ++l) {
    if (flipped[l]) continue;
    const int v = x.entry(i, l);
    Interval zh = Z[l];
    if (prm.notion == Notion::rel) zh = (Interval::from_long(1, prec) - ieta) * Z[l];  // toward 0
    if (prm.notion == Notion::abs) zh = Z[l] - ieta * Interval::from_long(v, prec);   // toward -v
    const bool sure_neg = core::less(zh, zero) == core::Tribool::yes;
    const bool sure_pos = core::less(zero, zh) == core::Tribool::yes;
    if ((v < 0 && sure_neg) || (v > 0 && sure_pos)) ++out.back;
  }
  const std::size_t promised = d - promised_flips;
  if (out.failure.empty() && out.back < promised)
    out.failure = "row " + std::to_string(i) + ": " + std::to_string(out.back) + " bits recovered, " +
                  std::to_string(promised) + " promised";
  return out;
}

}  // namespace

DecodeReport decode_rows(const core::SignMatrix& x, const T1Params& prm, const std::vector<std::uint32_t>& flips,
                         std::size_t rows,
                         const std::function<std::vector<Interval>(std::size_t i, mpfr_prec_t prec)>& bob) {
  DecodeReport out;
  const std::size_t N = x.rows(), d = x.cols();
  rows = std::min(rows, N);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t i = rows == N ? r : r * (N - 1) / std::max<std::size_t>(rows - 1, 1);
    // 128 bits decide every row of the instances we make; refine before believing a failure.
    RowCheck row;
    try {
      row = core::refine(
          [&](mpfr_prec_t prec) -> std::optional<RowCheck> {
            row = check_row(bob(i, prec), x, prm, flips[i], i, prec);
            return row.failure.empty() ? std::optional<RowCheck>(row) : std::nullopt;
          },
          "decoding check", 128, 1024);
    } catch (const core::Undecided&) {
      // row holds the failure seen at the highest precision
    }
    out.rows += 1;
    out.bits += d;
    out.certified_bits += d - flips[i];
    out.recovered += row.back;
    out.worst_flips = std::max(out.worst_flips, row.flips);
    if (!row.failure.empty() && out.ok) {
      out.ok = false;
      out.detail = row.failure;
    }
  }
  return out;
}

DecodeReport decode_check(const H1Instance& inst, const T1Report& rep, std::size_t rows) {
  return decode_rows(inst.bits, rep.prm, rep.flips, rows,
                     [&](std::size_t i, mpfr_prec_t prec) { return bob_output(inst, i, prec); });
}

}  // namespace attncert::reductions
