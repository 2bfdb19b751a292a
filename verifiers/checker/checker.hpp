// The independent certificate checker (README, "Certificates"). Trusted base: this folder only.
// It shares no code with the producer: GMP rationals (gmpxx), its own rational Taylor enclosures
// of exp/log (qarith), its own copy of the documented generator, and naive statistics.
#pragma once
#include <string>
#include <vector>

namespace attncert::checker {

enum class Verdict { accepted, rejected, malformed };

struct CheckResult {
  Verdict verdict;
  std::string theorem;
  std::string message;  // for rejected/malformed: the first claim that failed, in one line
};

CheckResult check_certificate_text(const std::string& text);

// `attncert check FILE...`: one line per file; exit 0 if all accepted, 1 if any was rejected,
// 2 if any was unreadable or malformed (unknown format or version, missing fields, bad JSON).
int check_files_main(const std::vector<std::string>& files, bool quiet);

}  // namespace attncert::checker
