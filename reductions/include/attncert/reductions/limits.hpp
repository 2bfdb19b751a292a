// Limits and defaults of the verifiers' parameters, each in one place. The limits are also the
// certificate format's (docs/certificates.md, "Limits"): the producer refuses as bad input what
// the independent checker would reject as malformed; tests/test_limits.cpp compares both sides.
#pragma once
#include <cstdint>

#include "attncert/core/rational.hpp"

namespace attncert::reductions {

namespace limits {
inline constexpr std::uint64_t max_keys = std::uint64_t{1} << 20;  // N: keys, rows of a key file
inline constexpr std::uint64_t max_dim = 65535;                    // d
inline constexpr std::uint64_t max_C = std::uint64_t{1} << 23;     // C in (0, 2^23]
inline constexpr std::uint64_t max_grid_points = 4096;             // per sweep axis
}  // namespace limits

namespace defaults {
inline core::Rational eta() { return {1, 4}; }
inline core::Rational delta() { return 0; }
inline core::Rational eps() { return {1, 2}; }          // target rho for --auto, sweeps and C
inline core::Rational delta_prime() { return {1, 100}; }
inline const char* notion = "rel";
inline constexpr std::uint64_t t1_n = 4096, t1_d = 256;
inline constexpr std::uint64_t decode_rows = 16;
inline constexpr unsigned lemma_timeout_ms = 20000;
}  // namespace defaults

}  // namespace attncert::reductions
