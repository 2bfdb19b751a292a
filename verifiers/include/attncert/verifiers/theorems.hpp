// The verifiers, each a pure function from parameters to an Outcome (the CLI only renders it).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

// The exact Gram histograms of `keys` with a progress bar on stderr (unless --quiet/--json).
core::GramHistogram gram_with_progress(const core::SignMatrix& keys, const std::string& label, const CommonOptions& opt);

// spec §1: INDEX_N with average error p needs N (1 - H2(p)) bits.
struct IndexParams {
  core::Integer N = 100000;
  core::Rational p = core::Rational(1, 10);
};
Outcome verify_index(const IndexParams& prm, const CommonOptions& opt);

// Near-orthogonality of seeded random sign keys (the statistic behind T1/T2/T5): the exact
// off-diagonal inner-product histogram and rho = max_{i != j} <s_i, s_j> / d, optionally
// certified against a threshold rho_max (refuted with the offending pair when it is exceeded).
struct GramParams {
  std::uint64_t N = 1024, d = 128;
  std::optional<core::Rational> rho_max;
};
Outcome verify_gram(const GramParams& prm, const CommonOptions& opt);

// T1 (spec §2): the certified Theta(n d) space bound on a concrete H1 instance.
struct T1Options {
  std::uint64_t n = 4096, d = 256;  // sequence length n: N = n - 1 of Alice's tokens
  std::optional<core::Rational> C;  // default: default_C(N, rho) from the instance's exact rho
  std::string notion = "rel";
  core::Rational eta = core::Rational(1, 4), delta = 0;
  std::string keys = "random";      // random | hadamard | file:PATH
  bool auto_params = false;         // pick d (binomial tail) and C from n, eps, delta'
  core::Rational eps = core::Rational(1, 2), delta_prime = core::Rational(1, 100);
  std::uint64_t decode_rows = 16;   // rows for the end-to-end decoding check (0: skip)
  bool n_given = false, d_given = false;  // a key file fixes N and d unless given (then they must agree)
};
Outcome verify_t1(const T1Options& prm, const CommonOptions& opt);

// Z3 lemmas of spec §9 that are generic (sign margin, decoding); one outcome per lemma set.
Outcome verify_lemmas(unsigned timeout_ms, const CommonOptions& opt);

}  // namespace attncert::verifiers
