// T1 (docs/theorems.md#t1): the INDEX reduction H1(N, d, C, keys) and its exact certification.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attncert/core/attention_ref.hpp"
#include "attncert/core/interval.hpp"
#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/limits.hpp"

namespace attncert::reductions {

// Approximation notions (docs/theorems.md#conventions). Formalization: all three are supported; certificates name one.
enum class Notion { rel, abs, l2 };
Notion parse_notion(const std::string& s);  // throws ParameterError("notion")
const char* to_string(Notion n);

// H1: Alice's tokens t = 1..N are (q = 0, k = s_t, v = (-1)^{x_t}); Bob, to learn row i, appends
// (q = (C/d) s_i, k = 0, v = 0). Alice's bits x are an N x d sign matrix (-1 <=> bit 1).
struct H1Instance {
  std::size_t N, d;
  core::Rational C;
  core::SignMatrix keys, bits;
  // The N + 1 tokens' keys and values and Bob's query for row i, as exact rationals.
  void bob_view(std::size_t i, core::RationalVector& q, core::RationalMatrix& K, core::RationalMatrix& V) const;
};
// bits are generator "signs" v1 with seed `bits_seed` (the bound holds for every x; the bits are
// only used by the end-to-end decoding check).
H1Instance make_h1(core::SignMatrix keys, const core::Rational& C, std::uint64_t bits_seed);

struct T1Params {
  core::Rational C = 16, eta = defaults::eta(), delta = defaults::delta();
  Notion notion = Notion::rel;
};

// Range checks of T1's parameters, shared by the library and the CLI (which calls them before any
// long work); each throws ParameterError naming the parameter and the value.
// C in (0, 2^23]: the certificate format's range, within which the checker's exp enclosure works.
void check_C(const core::Rational& C);
void check_eta_delta(const core::Rational& eta, const core::Rational& delta);             // [0, 1) each
void check_rho_target(const core::Rational& eps, const core::Rational& delta_prime);    // (0, 1) each

// Fixed-point upper enclosures U_k >= 2^64 e^{-2Ck/d} (k = 0..d) and U_C >= 2^64 e^{-C}; with them
// D_i = 2^64 + sum_k h_i[k] U_k + U_C >= 2^64 / w_i exactly in 128-bit integers (Lemma 1).
struct ExpTable {
  static constexpr int kShift = 64;
  std::vector<unsigned __int128> up;  // index k = popcount distance, inner product d - 2k
  unsigned __int128 up_C;
};
ExpTable exp_table(std::size_t d, const core::Rational& C);

// Lemma 3 for one row whose attention weight is >= w (margin mu = 2w - 1): the bits an
// approximation within the notion may flip: rel 0 when mu > 0, abs 0 when mu > eta, l2
// floor(eta^2 d / mu^2) capped at d; d (the whole row) without the margin. certify_t1 applies it per
// row; T2 (t2.hpp) to the one row histogram every codeword of a linear code shares.
std::uint32_t lemma3_flips(const core::Rational& w, const T1Params& prm, std::size_t d);

struct T1Report {
  std::size_t N = 0, d = 0;
  T1Params prm;
  long max_inner = 0;
  core::Rational rho;
  core::Rational w_min;         // certified lower bound on min_i w_i, histogram bound (Lemma 1)
  core::Rational w_min_coarse;  // the coarse rho bound 1/(1 + (N-1)e^{-C(1-rho)} + e^{-C})
  core::Rational margin_min;    // 2 w_min - 1 (Lemma 2)
  core::Rational tv_max;        // max_i (1 - w_i) <= 1 - w_min: distance to a 1-sparse distribution (T3)
  std::size_t rows_full = 0;    // rows whose every bit decodes (rel/abs), or with mu_i > 0 (l2)
  std::vector<std::uint32_t> flips;  // per row: bits that may flip (d when the row has no margin)
  core::Rational phi;           // mean_i flips_i / d (Lemma 3)
  core::Rational p;             // delta + phi: upper bound on Bob's average error
  bool certified = false;
  core::Rational h2_lo, h2_hi, bits;  // H2(p) enclosure and the bound N d (1 - H2(p))
  core::Integer bits_ceil;
  bool coarse_certified = false;
  core::Rational bits_coarse;   // the same bound from the coarse rho estimate (0 if it fails)
  std::string reason;           // why it certified, or why not
  bool keys_coincide() const { return max_inner == static_cast<long>(d); }  // with !certified: refuted
  std::size_t witness_i = 0, witness_j = 0;  // a pair attaining max_inner
};

T1Report certify_t1(const core::SignMatrix& keys, const core::GramHistogram& h, const T1Params& prm);

// Spec §2 "Asymptotics": the dimension that makes rho <= eps hold with probability >= 1 - delta'
// for N uniformly random sign keys, from Hoeffding + union bound and from the exact binomial tail,
// and the C to use with it.
std::size_t d_hoeffding(std::size_t N, const core::Rational& eps, const core::Rational& delta_prime);
// The exact bound C(N,2) * P[<s,s'> > eps d] <= delta' (a rational comparison) at the returned d;
// found by bisection up to d_hoeffding, so it is sufficient (not claimed minimal).
std::size_t d_binomial(std::size_t N, const core::Rational& eps, const core::Rational& delta_prime);
core::Rational pair_tail(std::size_t d, long t);  // P[<s,s'> >= t] for uniform s, s' in {±1}^d
// C = ceil(16 ln(8N) / (1 - eps)) / 16: then (N-1) e^{-C(1-eps)} <= 1/8, so w_i >= 8/9 - o(1).
core::Rational default_C(std::size_t N, const core::Rational& eps);

}  // namespace attncert::reductions
