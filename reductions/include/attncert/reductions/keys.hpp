// Key sources shared by T1, T2 and T5 (docs/theorems.md#t1, "Key sources"): seeded random signs, explicit
// codes, or keys read from a file.
#pragma once
#include <cstdint>
#include <string>

#include "attncert/core/sign_matrix.hpp"

namespace attncert::reductions {

struct KeySource {
  enum class Kind { random, hadamard, file } kind = Kind::random;
  std::uint64_t seed = 1;  // random
  std::string path;        // file
  std::string describe() const;  // "random(seed=7)", "hadamard", "file:PATH"
};

// Parses "random", "hadamard" or "file:PATH" (the --keys option). Throws ParameterError("keys").
KeySource parse_key_source(const std::string& text, std::uint64_t seed);

// The first N rows of the Sylvester–Hadamard code of order d (d a power of two): rows h_0..h_{d-1}
// then -h_0..-h_{d-1} (first-order Reed–Muller as signs); inner products are 0 or -d. N <= 2d.
// Entry (r, c) of h is (-1)^{popcount(r & c)}. Throws ParameterError otherwise.
core::SignMatrix hadamard_keys(std::size_t N, std::size_t d);

// One key per non-empty line, every line the same length d, characters '+'/'-' or '0'/'1'
// ('1' and '-' mean -1); '#' starts a comment line. Throws ParameterError("keys") naming the file
// and line on anything else (unreadable file, ragged rows, other characters, no rows).
core::SignMatrix read_keys_file(const std::string& path);

// Keys for an instance: random and hadamard take N and d; a file fixes both (N and d given
// must be 0 or agree with the file). Throws ParameterError on a mismatch.
core::SignMatrix make_keys(const KeySource& src, std::size_t N, std::size_t d);

}  // namespace attncert::reductions
