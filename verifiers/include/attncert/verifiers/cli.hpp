// Command-line plumbing shared by the umbrella `attncert` and the per-theorem executables.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "attncert/core/rational.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

void add_common_options(CLI::App& app, CommonOptions& opt, std::string& seed_text);
// The help footer of every verifier: common options and exit codes.
inline constexpr const char* kVerifierFooter =
    "Common options: --seed N, --threads N, --cert FILE, --json, --junit FILE, --quiet\n"
    "Exit codes: 0 certified, 1 refuted, 2 bad input, 3 inconclusive, 4 internal error";
std::uint64_t parse_seed(const std::string& text);  // throws BadInput
// Parses argv into app. Returns the exit code when parsing ends the run (--help: the help, 0; a
// parse error: one line "PROG: error: ... (see --help)", 2), nullopt when the run goes on.
std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, const std::string& prog);

// Parameter parsing with one-line errors that name the parameter (thrown as BadInput).
std::uint64_t parse_count(const std::string& text, const std::string& name, std::uint64_t min,
                          std::uint64_t max);
core::Rational parse_rational_param(const std::string& text, const std::string& name);

// A number for the tables (display only, never a decision): `digits` significant digits (%g),
// "n/a" for NaN, "inf"/"-inf" for infinities.
std::string approx(double x, int digits = 6);
std::string approx(const core::Rational& r, int digits = 6);

// Renders an outcome (table or JSON on stdout), writes --cert and --junit files, returns the exit code.
int finish(const Outcome& o, const CommonOptions& opt);
void write_junit(const std::string& path, const std::string& suite, const std::vector<Outcome>& outcomes);

// Throws BadInput for any option of `app` (or its subcommands) given with an empty value:
// `--C ""` is bad input, not "absent".
void reject_empty_values(const CLI::App& app);

// Runs `body` and maps exceptions to exit codes: BadInput, a reductions::ParameterError (printed
// with the parameter's flag), a FileError, std::bad_alloc (parameters too large for this machine)
// and CLI parse errors -> 2 with one line on stderr;
// core::Undecided -> 3 (inconclusive); anything else -> 4 ("internal error").
int guarded(const std::string& prog, const std::function<int()>& body);

// main() of a per-theorem executable (verifiers/verify_<id>, generated from cmake/theorems.cmake).
int single_verifier_main(const std::string& id, int argc, char** argv);

}  // namespace attncert::verifiers
