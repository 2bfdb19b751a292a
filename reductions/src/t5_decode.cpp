// T5 native: Bob's actual output, perturbed and decoded (t5.hpp; the same check as T1's
// t1_decode.cpp, on the pair-product instance).
#include <algorithm>
#include <optional>

#include "attncert/core/refine.hpp"
#include "attncert/reductions/t5.hpp"

namespace attncert::reductions {

using core::Interval;
using core::Rational;

std::vector<Interval> native_bob_output(const core::SignMatrix& a, const core::SignMatrix& b, const core::SignMatrix& x,
                                        const Rational& C, std::size_t i, mpfr_prec_t prec) {
  const std::size_t N = a.rows(), d = a.cols(), words = a.words();
  // Distances that occur get a row of A, in order of first appearance (no dense (d+1) x d table).
  std::vector<std::size_t> slot(d + 1, SIZE_MAX), ks;
  std::vector<long> A, H;
  std::vector<std::uint64_t> y(words);
  std::vector<std::uint32_t> cnt(d + 1);
  for (std::size_t j1 = 0; j1 < N; ++j1) {
    for (std::size_t w = 0; w < words; ++w) y[w] = a.row(i)[w] ^ b.row(i)[w] ^ a.row(j1)[w];
    std::fill(cnt.begin(), cnt.end(), 0);
    for (std::size_t j2 = 0; j2 < N; ++j2) {
      std::size_t k = 0;
      for (std::size_t w = 0; w < words; ++w) k += static_cast<std::size_t>(__builtin_popcountll(y[w] ^ b.row(j2)[w]));
      ++cnt[k];
    }
    for (std::size_t k = 0; k <= d; ++k) {
      if (!cnt[k]) continue;
      if (slot[k] == SIZE_MAX) {
        slot[k] = ks.size();
        ks.push_back(k);
        A.resize(ks.size() * d, 0);
        H.push_back(0);
      }
      long* row = A.data() + slot[k] * d;
      H[slot[k]] += cnt[k];
      for (std::size_t l = 0; l < d; ++l) row[l] += static_cast<long>(cnt[k]) * x.entry(j1, l);
    }
  }
  std::vector<Interval> e(ks.size());
  Interval den = Interval::from_long(static_cast<long>(native_zero_rows(N)), prec) * core::exp(Interval::from_rational(-C, prec));
  for (std::size_t s = 0; s < ks.size(); ++s) {
    e[s] = core::exp(Interval::from_rational(-2 * C * Rational(static_cast<long>(ks[s]), static_cast<long>(d)), prec));
    den = den + e[s] * Interval::from_long(H[s], prec);
  }
  std::vector<Interval> Z;
  Z.reserve(d);
  for (std::size_t l = 0; l < d; ++l) {
    Interval num = Interval::from_long(0, prec);
    for (std::size_t s = 0; s < ks.size(); ++s)
      if (A[s * d + l]) num = num + e[s] * Interval::from_long(A[s * d + l], prec);
    Z.push_back(num / den);
  }
  return Z;
}

namespace {

struct RowCheck {
  std::size_t back = 0, flips = 0;
  std::string failure;
};

// As T1's check_row (t1_decode.cpp), on the native output.
RowCheck check_row(const std::vector<Interval>& Z, const core::SignMatrix& x, const T5Report& rep, std::size_t i, mpfr_prec_t prec) {
  RowCheck out;
  const std::size_t d = Z.size();
  const Interval ieta = Interval::from_rational(rep.prm.eta, prec), zero = Interval::from_long(0, prec);
  std::vector<bool> flipped(d, false);
  if (rep.prm.notion == Notion::l2) {
    Interval norm2 = zero;
    for (const auto& z : Z) norm2 = norm2 + z * z;
    const Rational budget = (ieta * ieta * norm2).hi_q();
    std::vector<std::pair<Rational, std::size_t>> cost;
    for (std::size_t l = 0; l < d; ++l) {
      const Rational lo = Z[l].lo_q(), hi = Z[l].hi_q();
      const Rational m = lo > 0 ? lo : (hi < 0 ? Rational(-hi) : Rational(0));
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
    if (out.flips > rep.flips[i])
      out.failure = "row " + std::to_string(i) + ": adversary flips " + std::to_string(out.flips) + " > F_i = " + std::to_string(rep.flips[i]);
  }
  for (std::size_t l = 0; l < d; ++l) {
    if (flipped[l]) continue;
    const int v = x.entry(i, l);
    Interval zh = Z[l];
    if (rep.prm.notion == Notion::rel) zh = (Interval::from_long(1, prec) - ieta) * Z[l];
    if (rep.prm.notion == Notion::abs) zh = Z[l] - ieta * Interval::from_long(v, prec);
    const bool sure_neg = core::less(zh, zero) == core::Tribool::yes, sure_pos = core::less(zero, zh) == core::Tribool::yes;
    if ((v < 0 && sure_neg) || (v > 0 && sure_pos)) ++out.back;
  }
  const std::size_t promised = d - rep.flips[i];
  if (out.failure.empty() && out.back < promised)
    out.failure = "row " + std::to_string(i) + ": " + std::to_string(out.back) + " bits recovered, " + std::to_string(promised) + " promised";
  return out;
}

}  // namespace

DecodeReport native_decode_check(const core::SignMatrix& a, const core::SignMatrix& b, const core::SignMatrix& x,
                                 const T5Report& rep, std::size_t rows) {
  DecodeReport out;
  const std::size_t N = a.rows(), d = a.cols();
  rows = std::min(rows, N);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t i = rows == N ? r : r * (N - 1) / std::max<std::size_t>(rows - 1, 1);
    RowCheck row;
    try {
      row = core::refine(
          [&](mpfr_prec_t prec) -> std::optional<RowCheck> {
            row = check_row(native_bob_output(a, b, x, rep.prm.C, i, prec), x, rep, i, prec);
            return row.failure.empty() ? std::optional<RowCheck>(row) : std::nullopt;
          },
          "decoding check", 128, 1024);
    } catch (const core::Undecided&) {
      // row holds the failure seen at the highest precision
    }
    out.rows += 1;
    out.bits += d;
    out.certified_bits += d - rep.flips[i];
    out.recovered += row.back;
    out.worst_flips = std::max(out.worst_flips, row.flips);
    if (!row.failure.empty() && out.ok) {
      out.ok = false;
      out.detail = row.failure;
    }
  }
  return out;
}

}  // namespace attncert::reductions
