// T2's bounded-entry lower bound (t2.hpp): candidate codes of length d, each prefix subcode's
// weight distribution by Gray enumeration, T1's Lemma 1/Lemma 3/INDEX on the common row histogram.
#include "attncert/reductions/t2.hpp"

#include <optional>
#include <stdexcept>

#include "attncert/core/entropy.hpp"
#include "attncert/core/interval.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/packing_compare.hpp"

namespace attncert::reductions {

using core::Integer;
using core::Interval;
using core::Rational;

namespace {

Rational from_u128(unsigned __int128 v) {
  Integer hi(static_cast<std::uint64_t>(v >> 64)), lo(static_cast<std::uint64_t>(v));
  return Rational((hi << 64) + lo);
}

struct Eval {
  std::size_t code = 0, j = 0;
  Rational w, p;
  std::uint32_t flips = 0;
  bool certified = false;
  core::IndexBound bound;
};

}  // namespace

T2Row bounded_entry_bound(const T2Request& req) {
  if (req.d < 2 || req.d > limits::t2_max_dim)
    throw ParameterError("d", "T2 needs 2 <= d <= " + std::to_string(limits::t2_max_dim) + ", got " + std::to_string(req.d));
  if (req.B <= 0) throw ParameterError("B", "the entry bound must be > 0, got " + core::to_string(req.B));
  const Rational C = req.B * req.B * Rational(static_cast<long>(req.d));
  if (C > Rational(Integer(limits::max_C)))
    throw ParameterError("B", "B^2 d = " + core::to_string(C) + " exceeds 2^23 (T1's range of C)");
  check_eta_delta(req.eta, req.delta);
  if (req.code != "all" && req.code != "rm" && req.code != "bch" && req.code != "ebch")
    throw ParameterError("code", "unknown code family '" + req.code + "' (all, rm, bch, ebch)");
  if (req.max_log2_N < 1 || req.max_log2_N > limits::t2_max_log2_N)
    throw ParameterError("max_log2_N", "must lie in [1, " + std::to_string(limits::t2_max_log2_N) + "], got " + std::to_string(req.max_log2_N));

  const std::size_t d = req.d;
  T2Row row;
  row.d = d;
  row.B = req.B;
  row.C = C;
  row.prm.C = C;
  row.prm.notion = req.notion;
  row.prm.eta = req.eta;
  row.prm.delta = req.delta;

  const std::vector<Code> codes = t2_candidate_codes(d, req.code);
  const ExpTable E = exp_table(d, C);
  const unsigned __int128 one = static_cast<unsigned __int128>(1) << ExpTable::kShift;
  const Rational one_q = from_u128(one);

  std::vector<std::vector<std::vector<std::uint64_t>>> weights(codes.size());
  std::optional<Eval> best, closest;  // best certified; smallest p when none certifies
  for (std::size_t ci = 0; ci < codes.size(); ++ci) {
    const std::size_t jmax = std::min<std::size_t>(codes[ci].dimension(), req.max_log2_N);
    weights[ci] = prefix_weight_distributions(codes[ci], jmax);
    for (std::size_t j = 1; j <= jmax; ++j) {
      const std::vector<std::uint64_t>& A = weights[ci][j];
      ++row.candidates;
      // Lemma 1 on the shared row histogram h[k] = A_k (k >= 1), exactly as certify_t1 sums it.
      unsigned __int128 D = one + E.up_C;
      for (std::size_t k = 1; k <= d; ++k) D += static_cast<unsigned __int128>(A[k]) * E.up[k];
      Eval e;
      e.code = ci;
      e.j = j;
      e.w = one_q / from_u128(D);
      e.flips = lemma3_flips(e.w, row.prm, d);
      e.p = req.delta + Rational(static_cast<long>(e.flips), static_cast<long>(d));
      if (e.p * 2 < 1) {
        e.certified = true;
        e.bound = core::index_bound(Integer(std::uint64_t{1} << j) * d, e.p);
        if (!best || e.bound.bits > best->bound.bits || (e.bound.bits == best->bound.bits && e.w > best->w)) best = e;
      } else if (!closest || e.p < closest->p || (e.p == closest->p && e.w > closest->w)) {
        closest = e;
      }
    }
  }
  if (!best && !closest) throw std::logic_error("T2: no candidate code of length " + std::to_string(d));

  const Eval& e = best ? *best : *closest;
  row.certified = best.has_value();
  row.code = subcode(codes[e.code], e.j);
  row.N = std::size_t{1} << e.j;
  row.weights = weights[e.code][e.j];
  for (std::size_t k = 1; k <= d && !row.D; ++k)
    if (row.weights[k]) row.D = k;
  if (row.code.claim.exact ? row.D != row.code.claim.distance : row.D < row.code.claim.distance)
    throw std::logic_error("T2: enumeration gives distance " + std::to_string(row.D) + ", contradicting the claim of " + row.code.name);
  row.w_min = e.w;
  row.margin = 2 * e.w - 1;
  row.flips = e.flips;
  row.phi = Rational(static_cast<long>(e.flips), static_cast<long>(d));
  row.p = e.p;
  {
    const mpfr_prec_t prec = 160;
    Interval b2 = Interval::from_rational(req.B * req.B, prec);
    Interval den = Interval::from_long(1, prec) +
                   Interval::from_long(static_cast<long>(row.N - 1), prec) *
                       core::exp(-(Interval::from_long(2 * static_cast<long>(row.D), prec) * b2)) +
                   core::exp(-(b2 * Interval::from_long(static_cast<long>(d), prec)));
    row.w_spec = core::round_down(Rational(1) / den.hi_q(), 64);
    Interval ded = Interval::from_long(static_cast<long>(d), prec) * core::exp(Interval::from_long(static_cast<long>(d), prec));
    row.d_e_d_lo = ded.lo_q();
    row.d_e_d_hi = ded.hi_q();
  }
  const std::string what = row.code.name + " " + row.code.parameters() + ", N = " + std::to_string(row.N) +
                           ", D = " + std::to_string(row.D);
  if (row.certified) {
    row.h2_lo = e.bound.h2_lo;
    row.h2_hi = e.bound.h2_hi;
    row.bits = e.bound.bits;
    row.bits_ceil = e.bound.bits_ceil;
    row.ratio_lo = row.bits / row.d_e_d_hi;
    row.ratio_hi = row.bits / row.d_e_d_lo;
    row.reason = what + ": Lemma 1 (every row's histogram is the weight distribution), Lemma 3 (" +
                 std::string(to_string(req.notion)) + "), INDEX on N*d bits, C = B^2 d = " + core::to_string(C);
  } else {
    row.bits = 0;
    row.bits_ceil = 0;
    row.reason = "no candidate code of length " + std::to_string(d) + " gives delta + phi < 1/2 at B = " + core::to_string(req.B) +
                 "; the closest, " + what + ", has w >= " + core::to_string(core::round_down(e.w, 32)) +
                 " and delta + phi = " + core::to_string(e.p);
  }
  return row;
}

core::SignMatrix t2_keys(const T2Row& row) { return code_keys(row.code, row.N); }

namespace {
// A base code brought to length d: padded when shorter, shortened when longer (if a codeword remains).
std::optional<Code> fit(const Code& base, std::size_t d) {
  if (base.length == d) return base;
  if (base.length < d) return pad(base, d - base.length);
  const std::size_t s = base.length - d;
  if (base.dimension() <= s) return std::nullopt;
  return shorten(base, s);
}

}  // namespace

// The candidate codes of length d in the documented order (t2.hpp).
std::vector<Code> t2_candidate_codes(std::size_t d, const std::string& family) {
  std::vector<Code> out;
  auto add = [&](const Code& base) {
    if (auto c = fit(base, d)) out.push_back(std::move(*c));
  };
  if (family == "all" || family == "rm") {
    for (unsigned m = 1; m <= 15; ++m) {
      for (unsigned r = 0; r <= m; ++r) add(reed_muller(r, m));
      if ((std::size_t{1} << m) > d) break;  // the smallest length above d is the last one shortened
    }
  }
  for (bool extended : {false, true}) {
    if (!(family == "all" || family == (extended ? "ebch" : "bch"))) continue;
    for (unsigned m = 2; m <= 16; ++m) {
      const std::size_t n = (std::size_t{1} << m) - 1, L = n + (extended ? 1 : 0);
      std::size_t last_k = 0;
      for (std::size_t delta = 1; delta <= n; delta += 2) {
        Code b = bch(m, delta);
        if (b.dimension() == last_k) continue;  // same code as the previous designed distance
        last_k = b.dimension();
        if (L > d && b.dimension() <= L - d) break;  // shortening would leave nothing; k only falls
        add(extended ? extend_parity(b) : b);
      }
      if (L > d) break;
    }
  }
  return out;
}

LinearChoice best_linear_code(std::size_t d, std::size_t D) {
  LinearChoice best;
  for (const Code& c : t2_candidate_codes(d, "all")) {
    const std::size_t k = std::min<std::size_t>(c.dimension(), 20);
    const auto wd = prefix_weight_distributions(c, k);
    for (std::size_t j = k; j >= 1; --j) {
      std::size_t w = 1;
      while (w <= d && wd[j][w] == 0) ++w;
      if (w >= D) {  // minimum distance of the subcode of 2^j words (w > d: no nonzero word)
        if ((std::uint64_t{1} << j) > best.size) best = {std::uint64_t{1} << j, j == c.dimension() ? c.name : "subcode(" + c.name + ", " + std::to_string(j) + ")"};
        break;
      }
    }
  }
  return best;
}

}  // namespace attncert::reductions
