// The independent certificate checker (docs/certificates.md). Trusted base: verifiers/checker only.
// It shares no code with the producer: GMP rationals (gmpxx), its own rational Taylor enclosures
// of exp/log (qarith), its own copy of the documented generators, naive statistics, its own copy
// of each lemma's statement, and cvc5 (a separate program) as the second route for lemmas.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attncert::checker {

// accepted: every claim re-derived. rejected: some claim is false (or its stored evidence is).
// malformed: unreadable, unknown format/version/theorem, missing, unknown or non-canonical fields,
// or beyond the checker's budget. inconclusive: a claim needs a route that is unavailable here
// (e.g. cvc5 is not installed or timed out on a lemma the certificate says cvc5 proved).
enum class Verdict { accepted, rejected, malformed, inconclusive };

struct CheckOptions {
  // Most key pairs a certificate may ask the checker to recompute, a pair of d-coordinate keys
  // counting ceil(d/256) (the default covers the largest
  // certificate the default suite writes: N = 65535 keys, 2147385345 pairs).
  std::uint64_t max_pairs = std::uint64_t{1} << 31;
  int threads = 0;                // OpenMP threads for the naive recomputation (0: all cores)
  unsigned smt_timeout_ms = 20000;  // per lemma, for the cvc5 route
};

struct CheckResult {
  Verdict verdict;
  std::string theorem;
  std::string message;  // accepted: what was re-derived (and by which routes); else the first failure
};

CheckResult check_certificate_text(const std::string& text, const CheckOptions& opt = {});

// `attncert check FILE...`: one line per file; exit 0 if all accepted, 1 if any was rejected,
// 2 if any was unreadable or malformed, 3 if any was inconclusive (and none rejected/malformed).
int check_files_main(const std::vector<std::string>& files, bool quiet, const CheckOptions& opt = {});

// The format's limits as the checker enforces them (docs/certificates.md, "Limits"). The producer
// refuses the same inputs as bad input; a test compares both sides.
struct FormatLimits {
  std::uint64_t max_keys = std::uint64_t{1} << 20;  // N of gram/t1 (rows of explicit keys too)
  std::uint64_t max_dim = 65535;                    // d
  std::uint64_t max_C_num = std::uint64_t{1} << 23; // C in (0, 2^23]
};
FormatLimits format_limits();

}  // namespace attncert::checker
