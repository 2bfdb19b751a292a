// t5 (docs/theorems.md#t5): tensor attention's KV-cache space bounds, three models.
#pragma once
#include <cstdint>
#include <optional>

#include "attncert/core/rational.hpp"
#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/limits.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/reductions/t5.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

// Salt of the second factor's random keys in the native model: keys_b seed = seed XOR this (equal
// seeds would give a_j = b_j, whose pair products collide).
inline constexpr std::uint64_t kT5KeysBSalt = 0xB0B5EED5ull;

struct T5Options {
  reductions::T5Model model = reductions::T5Model::native;
  std::uint64_t n = 512, d = 256;                // sequence length (Alice holds n - 1 tokens), dimension
  std::optional<core::Rational> C;               // default: proposed from the instance's exact rho
  reductions::Notion notion = reductions::Notion::rel;
  core::Rational eta = reductions::defaults::eta(), delta = reductions::defaults::delta();
  reductions::KeySource keys;                    // embed, two-cache: T1's key sources
  reductions::KeySource keys_a;                  // native: random | hadamard (default random, seed 1)
  reductions::KeySource keys_b = [] {            // native: random | hadamard (default random, seed 1 XOR kT5KeysBSalt)
    reductions::KeySource k;
    k.seed = 1 ^ kT5KeysBSalt;
    return k;
  }();
  unsigned lemma_timeout_ms = reductions::defaults::lemma_timeout_ms;  // embed: the identity lemmas
  std::uint64_t decode_rows = reductions::defaults::decode_rows;       // native: 0 skips; all rows when N d <= 2^12
  // low-dim: the range of d (--d a..b), the entry bound B and the largest m (N = 2^m tokens)
  std::uint64_t d_min = 2, d_max = 16;
  core::Rational B = 1;
  unsigned max_log2_N = 10;
};
Outcome verify_t5(const T5Options& prm, const CommonOptions& opt);

}  // namespace attncert::verifiers
