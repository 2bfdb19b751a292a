// T2 (docs/theorems.md#planned, T2), the bounded-entry lower bound: for dimension d and entry bound B,
// the linear code of length d whose T1 instance certifies the most bits.
//
// Bounded-entry model: query and key entries lie in [-B, B]. The instance takes keys B s_j and the
// query B s_i for the first N codewords s_1..s_N of a binary code (as signs, bit 1 -> -1), values
// (-1)^{x_j} as in T1, and Bob's token with key 0 and value 0. Its scores are B^2 <s_i, s_j>.
//
// Mapping to T1 (t1.hpp): H1 with keys s_j and query (C/d) s_i has scores (C/d) <s_i, s_j>, so with
//   C = B^2 d
// every score, hence the attention output, is the same: T1's certification applies verbatim. The gap
// between token i and a token at Hamming distance k is C - (C/d)(d - 2k) = 2 B^2 k, Bob's token scores
// 0 = C - B^2 d, and T1's per-row Lemma 1 becomes
//   w_i >= 1 / (1 + sum_k h_i[k] e^{-2 B^2 k} + e^{-B^2 d}),
// which the spec's coarse form 1/(1 + (N-1) e^{-2 B^2 D} + e^{-B^2 d}) bounds from below (both are
// reported). For a linear code and N = 2^j (the subcode spanned by its first j generator rows)
// every row's histogram is the subcode's weight distribution A (minus the zero word: h_i[k] = A_k
// for k >= 1), computed exactly by Gray enumeration; so one row decides all: T1's exp_table (the
// 128-bit fixed-point upper enclosures of e^{-2Ck/d} and e^{-C}), lemma3_flips, and the INDEX bound
// N d (1 - H2(delta + F/d)) give exactly what certify_t1 gives on the explicit instance (tests
// compare both).
//
// Candidate codes of length d (all linear; every name is a construction of codes.hpp):
//   RM(r, m) for 0 <= r <= m, 1 <= m <= 15; BCH(m, delta) for 2 <= m <= 16 and each odd designed
//   distance delta that gives a new dimension; extend(BCH(m, delta)) (the parity bit).
//   A base code of length L <= d is padded with d - L zero coordinates (+1 entries: distances kept);
//   for each family the smallest base length L > d is shortened by L - d coordinates when that
//   leaves dimension >= 1 (distances kept). Family "rm" is RM only, "bch" BCH only, "ebch" extended
//   BCH only, "all" all three.
//   From each such code, the subcodes of its first j generator rows, 1 <= j <= min(k, max_log2_N):
//   N = 2^j keys, minimum distance D by enumeration (checked against the construction's claim).
// The row certifying the most bits wins (exact rational comparison); among equal bits the larger
// certified weight w_min (the better isolated rows), then the earlier candidate in the order above
// (families in the order RM, BCH, extended BCH; within one, increasing m then r or delta; then
// increasing j).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/codes.hpp"
#include "attncert/reductions/limits.hpp"
#include "attncert/reductions/t1.hpp"

namespace attncert::reductions {

namespace limits {
inline constexpr std::uint64_t t2_max_dim = 256;  // T2 is the low-dimension regime
inline constexpr unsigned t2_max_log2_N = 20;     // N = 2^j <= 2^20 keys (max_keys)
}  // namespace limits

struct T2Request {
  std::size_t d = 0;                // 2 <= d <= 256
  core::Rational B = 1;             // entry bound B > 0, B^2 d <= 2^23 (T1's range of C)
  Notion notion = Notion::rel;
  core::Rational eta = defaults::eta(), delta = defaults::delta();
  std::string code = "all";         // candidate families: all | rm | bch | ebch
  unsigned max_log2_N = limits::t2_max_log2_N;  // 1 .. 20
};

struct T2Row {
  std::size_t d = 0;
  core::Rational B, C;              // C = B^2 d, the T1 scale of this instance
  T1Params prm;                     // C, notion, eta, delta as T1 takes them
  bool certified = false;
  std::string reason;               // why it certified, or why no candidate did
  std::size_t candidates = 0;       // (code, N) pairs evaluated
  // The chosen instance (when nothing certifies: the candidate with the smallest p, for diagnosis).
  Code code;                        // length d; its first N codewords in message order are the keys
  std::size_t N = 0;                // 2^j keys
  std::size_t D = 0;                // exact minimum distance of those N codewords (Gray enumeration)
  std::vector<std::uint64_t> weights;  // A_0..A_d of the subcode: every row's histogram (A_0 = 1 is the row itself)
  core::Rational w_min;             // T1's Lemma 1 from the histogram (every row the same)
  core::Rational w_spec;            // the spec's 1/(1 + (N-1)e^{-2B^2 D} + e^{-B^2 d}), rounded down
  core::Rational margin;            // 2 w_min - 1
  std::uint32_t flips = 0;          // Lemma 3 per row
  core::Rational phi, p;            // flips / d; delta + phi
  core::Rational h2_lo, h2_hi, bits;  // H2(p) enclosure and N d (1 - H2(p)) (0 when not certified)
  core::Integer bits_ceil;
  core::Rational d_e_d_lo, d_e_d_hi;  // enclosure of d e^d
  core::Rational ratio_lo, ratio_hi;  // enclosure of bits / (d e^d)
};

// The candidate codes of length d for a family ("all" | "rm" | "bch" | "ebch") in the order above
// (also T5's low-dimension model's candidates).
std::vector<Code> t2_candidate_codes(std::size_t d, const std::string& family);

// Validates the request (ParameterError naming "d", "B", "eta", "delta", "code" or "max_log2_N")
// and returns the best certified row, exactly.
T2Row bounded_entry_bound(const T2Request& req);

// The chosen instance as T1 sees it: keys s_j (the bounded-entry keys are B s_j) and T1's
// parameters with C = B^2 d. certify_t1(t2_keys(row), gram_histogram(...), row.prm) reproduces
// row.bits.
core::SignMatrix t2_keys(const T2Row& row);

}  // namespace attncert::reductions
