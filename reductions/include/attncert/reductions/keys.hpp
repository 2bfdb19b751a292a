// Key sources shared by T1, T2 and T5 (docs/theorems.md#t1, "Key sources"): seeded random signs, explicit
// codes (Sylvester-Hadamard, and the codes of codes.hpp spelled code:...), or keys read from a file.
#pragma once
#include <cstdint>
#include <string>

#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/code_spec.hpp"

namespace attncert::reductions {

struct KeySource {
  enum class Kind { random, hadamard, file, code } kind = Kind::random;
  std::uint64_t seed = 1;  // random; code:random and code:greedy
  std::string path;        // file
  CodeSpec code;           // code
  // "random(seed=7)", "hadamard", "file:PATH", "code:bch:5:7", "code:random:64:20(seed=7)"
  std::string describe() const;
  bool code_is_seeded() const;  // code:random, code:greedy: the codewords depend on the seed
};

// Parses "random", "hadamard", "file:PATH" or a code (the --keys option):
//   code:rm:R:M  code:bch:M:DELTA  code:random:LEN:K  code:greedy:LEN:D:MAX  code:lexicode:LEN:D:MAX
// with the ranges of code_spec.hpp. Throws ParameterError("keys") naming what is wrong.
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
// must be 0 or agree with the file). Code keys are the code's first N codewords as sign rows
// (bit 1 -> -1) in message order for linear codes (u = 0, 1, 2, ...: the zero word first) and in
// construction order for greedy codes (codes.hpp); the code fixes d (a given d must agree) and
// N = 0 takes min(|code|, defaults::t1_n - 1) words. Throws ParameterError on a mismatch.
// With `code_note`, a code source also describes its code there: "BCH(m=5,delta=7) [31,16,>=7] (BCH
// bound: ...)" (name, parameters, how the claimed distance is known).
core::SignMatrix make_keys(const KeySource& src, std::size_t N, std::size_t d, std::string* code_note = nullptr);

}  // namespace attncert::reductions
