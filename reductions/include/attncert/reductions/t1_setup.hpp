// T1's parameters as a user states them, resolved into a concrete instance (docs/theorems.md#t1):
// the dimension from --auto, N = 2d for Hadamard keys, N and d from a key file, the proposed C.
// Shared by `verify t1`, sweeps and the verifiers built on T1 (T2, T5).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/limits.hpp"
#include "attncert/reductions/t1.hpp"

namespace attncert::reductions {

struct T1Request {
  std::optional<std::uint64_t> n, d;  // sequence length n (Alice holds N = n - 1 keys); dimension
  std::optional<core::Rational> C;    // default: propose_C from the instance's exact rho
  Notion notion = Notion::rel;
  core::Rational eta = defaults::eta(), delta = defaults::delta();
  KeySource keys;                     // random (seeded), hadamard, file, code
  bool auto_params = false;           // d from the exact binomial tail for n, eps, delta'; C from eps
  core::Rational eps = defaults::eps(), delta_prime = defaults::delta_prime();
};

struct T1Setup {
  core::SignMatrix keys;              // N x d
  std::optional<core::Rational> C;    // given, or chosen by --auto; else propose_C after the Gram pass
  std::size_t d_hoeffding = 0, d_binomial = 0;  // with auto_params
  std::string code;                   // code keys: the code and how its distance is known (else empty)
};

// Validates every parameter (ParameterError naming it) and builds the keys. Absent n and d take
// defaults::t1_n / t1_d, except that Hadamard keys default to the whole code (N = 2d), a key
// file fixes both (given values must agree with the file) and a code fixes d (N defaults to
// min(|code|, t1_n - 1); a given n - 1 must not exceed |code|).
T1Setup resolve_t1(const T1Request& r);

// A proposal, not part of the proof: C = default_C(N, rho) from the instance's exact rho
// (rho = 1/2 in its place when keys coincide).
core::Rational propose_C(std::size_t N, long max_inner, std::size_t d);

}  // namespace attncert::reductions
