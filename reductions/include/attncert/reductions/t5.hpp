// T5 (docs/theorems.md#t5): tensor attention, its reference evaluation, and the three space lower
// bounds of [CLL25] as concrete certified instances: the four-cache model by the embedding
// K2 = V2 = 1 (the T1 bound transfers) and by the native pair-product reduction, and the
// two-cache model (T1 with the n^2 pair rows as free keys).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attncert/core/attention_ref.hpp"
#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/codes.hpp"
#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/reductions/t1_decode.hpp"

namespace attncert::reductions {

// ---- Tensor attention (spec §6, Alman–Song) ----
// Output for query q: sum_{j1,j2} e^{s(j1,j2)} (V1[j1] ∘ V2[j2]) / sum_{j1,j2} e^{s(j1,j2)} with
// s(j1,j2) = scale * sum_l q_l K1[j1,l] K2[j2,l]. `tokens` restricts to pairs with j1, j2 < tokens
// (generation step t = tokens: the autoregressive version); 0 means all rows.

// The n^2 pair rows (K1 ⊘ K2)[(j1, j2)] = K1[j1] ∘ K2[j2], row index j1 * m + j2 (m = K2's rows
// used), exactly; the same for values.
core::RationalMatrix pair_rows(const core::RationalMatrix& X1, const core::RationalMatrix& X2, std::size_t tokens = 0);

// Certified: every output coordinate enclosed within max_width (core::attention_reference on the
// pair rows, scores exact rationals, exp enclosed). Throws std::invalid_argument on shape errors.
core::AttentionEnclosure tensor_attention_reference(const core::RationalVector& q, const core::RationalMatrix& K1,
                                                    const core::RationalMatrix& K2, const core::RationalMatrix& V1,
                                                    const core::RationalMatrix& V2, const core::Rational& scale,
                                                    const core::Rational& max_width, std::size_t tokens = 0);

// float64, max-shifted: for proposals and plots only, never for a decision.
std::vector<double> tensor_attention_f64(const std::vector<double>& q, const std::vector<std::vector<double>>& K1,
                                         const std::vector<std::vector<double>>& K2,
                                         const std::vector<std::vector<double>>& V1,
                                         const std::vector<std::vector<double>>& V2, double scale, std::size_t tokens = 0);

// ---- Models ----
enum class T5Model { embed, native, two_cache, low_dim };
T5Model parse_t5_model(const std::string& s);  // throws ParameterError("model")
const char* to_string(T5Model m);               // four-cache-embed | four-cache-native | two-cache | low-dim

// ---- Four-cache, embedding: with K2 = V2 = 1 tensor attention is ordinary attention ----
// Checked exactly on `instances` random instances with n = 1..max_n tokens: (1) every score
// s(j1, j2) equals <q, K1[j1]> as a rational, (2) with the exponentials replaced by free positive
// rational weights w_{j1} (the weight of a pair depends only on its score), the tensor quotient
// equals the ordinary one as rationals, and (3) the certified enclosures of both attentions
// (with the true exponentials) intersect.
struct EmbeddingCheck {
  std::size_t instances = 0, pairs = 0;  // instances checked, pair scores compared
  bool ok = true;
  std::string detail;  // the first failure
};
EmbeddingCheck check_embedding_identity(std::uint64_t seed, std::size_t instances, std::size_t max_n, std::size_t d);

// ---- Certification from per-row histograms (the native and two-cache models) ----
// Bob's query isolates one row (a key row, or a pair) of score C among `others` rows of score
// C (d - 2k)/d, given as a histogram over k per row, and `zero_rows` rows of score 0 and value 0
// (Bob's own token's rows). Lemma 1: w >= 1/(1 + sum_k h[k] e^{-2Ck/d} + zero_rows e^{-C}) per row,
// in 128-bit fixed point; Lemma 3 per row; INDEX on rows * d bits.
struct T5Report {
  std::size_t rows = 0, d = 0;     // INDEX rows (Alice's bits: rows x d); d
  std::uint64_t others = 0;        // competing rows per query (with a nonzero score)
  std::uint64_t zero_rows = 0;
  T1Params prm;
  long max_inner = 0;              // the largest competing inner product over all queries
  core::Rational rho;              // max_inner / d
  core::Rational w_min, margin_min;
  std::size_t rows_full = 0;
  std::vector<std::uint32_t> flips;
  core::Rational phi, p;
  bool certified = false;
  core::Rational h2_lo, h2_hi, bits;
  core::Integer bits_ceil;
  std::size_t witness_row = 0;     // a query attaining max_inner
  std::string reason;
  bool collides() const { return max_inner == static_cast<long>(d); }  // another row equals Bob's target
};
T5Report certify_rows(const core::GramHistogram& h, std::uint64_t zero_rows, const T1Params& prm);

// ---- Four-cache, native: K1[j] = a_j, K2[j] = b_j, V1[j] = (-1)^{x_j}, V2 = 1 ----
// Alice's N = n - 1 tokens; Bob, to learn row i, appends token n with query (C/d)(a_i ∘ b_i)
// (formalization: the pair (i, i)) and K1 = K2 = V1 = V2 = 0. Every pair p = (j1, j2) != (i, i)
// of Alice's scores C S_p / d with S_p = <a_i∘b_i, a_j1∘b_j2> = d - 2 popcount(a_i^b_i^a_j1^b_j2);
// the 2N + 1 pairs with Bob's token score 0 and carry value 0.
// Rejects (ParameterError "keys-b") Walsh–Hadamard rows for both factors: h_i ∘ h_j = h_{i xor j},
// so the n^2 pair products take only d distinct values.
void check_native_key_sources(const KeySource& a, const KeySource& b);
// The queries a_i ∘ b_i (bit rows a_i ^ b_i), i < N.
core::SignMatrix native_queries(const core::SignMatrix& a, const core::SignMatrix& b);
// Per query i the exact histogram over all N^2 pairs except (i, i) (pair_product_histogram, then
// the pair (i, i) removed from bin 0).
core::GramHistogram native_histograms(const core::SignMatrix& a, const core::SignMatrix& b, const core::GramOptions& opt = {});
inline std::uint64_t native_zero_rows(std::size_t N) { return 2 * static_cast<std::uint64_t>(N) + 1; }

// The end-to-end decoding check of the native model (as T1's, t1_decode.hpp), with Alice's bits x
// (N x d signs, -1 <=> bit 1). Bob's output for row i is enclosed by an exact rewriting: grouping
// the N^2 pairs by their distance k to Bob's target, Z_l = sum_k e^{-2Ck/d} A_k[l] /
// (sum_k e^{-2Ck/d} H_k + (2N + 1) e^{-C}), A_k[l] the summed values x_{j1,l} of the pairs at
// distance k (the target pair (i, i) is at k = 0), H_k their count; the tests compare it with the
// general certified tensor reference.
std::vector<core::Interval> native_bob_output(const core::SignMatrix& a, const core::SignMatrix& b, const core::SignMatrix& x,
                                              const core::Rational& C, std::size_t i, mpfr_prec_t prec = 128);
// `rows` evenly spaced rows (all when rows >= N): the output perturbed adversarially within the
// notion (rel/abs: every coordinate toward the wrong sign by the most allowed; l2: the budget
// eta ||Z|| on the cheapest flips first), decoded as [Zhat < 0], compared with x and with the
// report's per-row promise d - flips_i.
DecodeReport native_decode_check(const core::SignMatrix& a, const core::SignMatrix& b, const core::SignMatrix& x,
                                 const T5Report& rep, std::size_t rows);

// ---- Two-cache: the n^2 pair rows of K1 ⊘ K2, V1 ⊘ V2 are free (the model assumption) ----
// Alice's n - 1 tokens supply the (n - 1)^2 rows among themselves, Bob's token the 2n - 1 rows
// that involve it (key 0, value 0). T1 with N = (n - 1)^2 keys.
inline std::uint64_t two_cache_rows(std::uint64_t n) { return (n - 1) * (n - 1); }
inline std::uint64_t two_cache_zero_rows(std::uint64_t n) { return 2 * n - 1; }

// ---- Low dimension: T2's code argument on pair products (bounded entries) ----
// Entries of q, K1, K2 lie in [-B, B]. Take a binary linear code of length d and 2m of its
// generator rows g_0..g_{2m-1} (the subcode of its first 2m rows); Alice's N = 2^m tokens have
// K1[j] = B a_j with a_j the codeword of message j over g_0..g_{m-1}, K2[j] = B b_j with b_j the
// codeword of message j over g_m..g_{2m-1} (as signs), V1 = (-1)^{x_j}, V2 = 1; Bob queries
// B (a_i o b_i), with K1 = K2 = V1 = V2 = 0. Scores are B^3 <a_i o b_i, a_j1 o b_j2>: T1's form with
// C = B^3 d. The pair products a_j1 ^ b_j2 are the 2^{2m} codewords of the subcode, each once, and by
// linearity every query's distances to the other N^2 - 1 pairs are the weights of the nonzero
// codewords: one weight distribution decides every row. Bob's token adds 2N + 1 pairs of score 0
// and value 0. INDEX on N d bits.
namespace limits {
inline constexpr std::uint64_t t5_low_dim_max_dim = 256;
inline constexpr unsigned t5_low_dim_max_log2_N = 15;  // N = 2^m <= 2^15 tokens: N^2 <= 2^30 pairs
}  // namespace limits

struct T5LowDimRow {
  std::size_t d = 0;
  core::Rational B, C;              // C = B^3 d
  T1Params prm;
  bool certified = false;
  std::string reason;
  std::size_t candidates = 0;       // (code, m) pairs evaluated
  Code code;                        // the base code fitted to length d; its first 2m rows are used
  std::size_t m = 0, N = 0;         // N = 2^m tokens of Alice's
  std::size_t D = 0;                // minimum distance of the 2^{2m} pair products
  std::vector<std::uint64_t> weights;  // A_0..A_d of the 2m-row subcode (A_0 = 1)
  core::Rational w_min, margin, phi, p;
  std::uint32_t flips = 0;
  core::Rational h2_lo, h2_hi, bits;
  core::Integer bits_ceil;
};
// The best certified row for dimension d (2..256; ParameterError naming "d", "B", "eta", "delta",
// "max_log2_N"): Reed-Muller, BCH and extended BCH codes fitted to length d (as T2), every m with
// 2m <= min(k, 2 max_log2_N); most bits wins, then the larger w_min.
T5LowDimRow low_dim_bound(std::size_t d, const core::Rational& B, const T1Params& prm,
                          unsigned max_log2_N = 10);
// Alice's keys of the chosen row: a (N x d) and b (N x d), as sign rows (bit 1 -> -1).
void low_dim_keys(const T5LowDimRow& row, core::SignMatrix& a, core::SignMatrix& b);

}  // namespace attncert::reductions
