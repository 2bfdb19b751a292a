// Command-line plumbing shared by the umbrella `attncert` and the per-theorem executables.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attncert/core/rational.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

void add_common_options(CLI::App& app, CommonOptions& opt, std::string& seed_text);
std::uint64_t parse_seed(const std::string& text);  // throws BadInput

// Parameter parsing with one-line errors that name the parameter (thrown as BadInput).
std::uint64_t parse_count(const std::string& text, const std::string& name, std::uint64_t min,
                          std::uint64_t max);
core::Rational parse_rational_param(const std::string& text, const std::string& name);

// Renders an outcome (table or JSON on stdout), writes --cert and --junit files, returns the exit code.
int finish(const Outcome& o, const CommonOptions& opt);
void write_junit(const std::string& path, const std::string& suite, const std::vector<Outcome>& outcomes);

// Runs `body` and maps exceptions to exit codes: BadInput and CLI parse errors -> 2 with one line
// on stderr, anything else unexpected -> 3 ("inconclusive: internal error ...").
int guarded(const std::string& prog, const std::function<int()>& body);

// A verifier subcommand: registers its options on `sub` and returns the function that runs it.
using Runner = std::function<Outcome(const CommonOptions&)>;
struct VerifierSpec {
  std::string name, description;
  std::function<Runner(CLI::App& sub)> setup;
};
const std::vector<VerifierSpec>& verifier_specs();

// main() of a per-theorem executable (verifiers/verify_<name>).
int single_verifier_main(const std::string& name, int argc, char** argv);

}  // namespace attncert::verifiers
