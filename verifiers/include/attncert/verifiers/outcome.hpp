// What a verifier run produces, independent of how the CLI renders it.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace attncert::verifiers {

// Process exit codes (README, "Exit codes"). internal_error is a bug of ours (a failed invariant,
// an overflow), never a verdict about the input.
enum Status : int { certified = 0, refuted = 1, bad_input = 2, inconclusive = 3, internal_error = 4 };
const char* status_name(int status);

struct Outcome {
  std::string theorem;  // "index", "gram", ...
  std::string label;    // short parameter summary, e.g. "N=100000 p=1/10"
  int status = inconclusive;
  std::string reason;   // one line: what held, or why not
  std::string claim;    // one line: the certified statement (empty unless certified)
  std::vector<std::pair<std::string, std::string>> table;  // rows for the human report
  nlohmann::json certificate;  // null when the run produced none
  double seconds = 0;
};

// Options every verifier takes (README, "Common options").
struct CommonOptions {
  std::uint64_t seed = 1;
  int threads = 0;
  std::string cert;   // certificate path ("" = none)
  bool json = false;  // machine-readable summary on stdout
  std::string junit;  // JUnit XML path ("" = none)
  bool quiet = false; // no progress bar, no table
};

// Bad input: carries the one-line message; the CLI prints it and exits with status 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file that cannot be read or written (the path is in the message): bad input, exit 2.
struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace attncert::verifiers
