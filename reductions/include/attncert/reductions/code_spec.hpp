// The spelling of a code as a key source (`--keys code:...`), kept apart from codes.hpp so that
// keys.hpp stays light. The codes themselves: codes.hpp.
#pragma once
#include <cstdint>
#include <string>

namespace attncert::reductions {

// code:rm:R:M            Reed–Muller RM(R, M): length 2^M, 0 <= R <= M, 1 <= M <= 15
// code:bch:M:DELTA       narrow-sense primitive binary BCH: length 2^M - 1, 2 <= M <= 16,
//                        designed distance 1 <= DELTA <= 2^M - 1 (dimension must be >= 1)
// code:random:LEN:K      random linear code, full-rank generator v1 seeded by --seed;
//                        1 <= K <= min(LEN, 32) (its distance is known only by enumeration)
// code:greedy:LEN:D:MAX  greedy non-linear code over a seeded random order (--seed):
//                        1 <= D <= LEN <= 65535, 2 <= MAX <= 65536, LEN * MAX <= 2^28
// code:lexicode:LEN:D:MAX  greedy over the lexicographic order: LEN <= 24, same D and MAX ranges
struct CodeSpec {
  enum class Family { rm, bch, random, greedy, lexicode } family = Family::rm;
  std::uint64_t a = 0, b = 0, c = 0;  // rm: r, m; bch: m, delta; random: len, k; greedy/lexicode: len, D, max
  std::string text() const;           // "code:rm:2:4", the spelling parse_code_spec reads back
};

// Parses "code:FAMILY:..." and checks every range above. Throws ParameterError("keys") with the
// reason (unknown code, a missing or non-numeric field, r > m, delta out of range, k > 32, ...).
CodeSpec parse_code_spec(const std::string& text);

}  // namespace attncert::reductions
