// A theorem is one registration (README, "Adding a theorem"). Each verifier's own file defines a
// Theorem; the one list in cmake/theorems.cmake names them; the umbrella CLI, the per-theorem
// executables, the suites, the sweeps and the certificate header all read this registry.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

// Registers a verifier's options on its (sub)command and returns the function that runs it.
using Runner = std::function<Outcome(const CommonOptions&)>;
using Setup = std::function<Runner(CLI::App&)>;

// `attncert sweep <id>`: registers the sweep's options and returns what runs it (exit code; it
// writes its CSV and plots itself).
struct Sweep {
  std::string summary;
  std::function<std::function<int(const CommonOptions&)>(CLI::App&)> setup;
};

struct Theorem {
  std::string id;       // CLI subcommand, certificate "theorem", executable verify_<id>
  std::string summary;  // one line for --help
  Setup setup;
  // Suite name -> argument lines, each parsed by `setup` exactly as the command line would be.
  std::map<std::string, std::vector<std::string>> suites;
  std::optional<Sweep> sweep;
  std::string checker;  // the independent checker's function for this theorem's certificates
};

// Built-in theorems in the order of cmake/theorems.cmake, then registered extras.
const std::vector<const Theorem*>& theorems();
const Theorem* find_theorem(const std::string& id);  // nullptr when unknown
// Adds a theorem after the built-ins (tests, extensions). Throws std::logic_error for an id that
// is taken or not of the form [a-z][a-z0-9_]*.
void register_theorem(Theorem t);
// Every suite name some theorem contributes to, sorted.
std::vector<std::string> suite_names();

}  // namespace attncert::verifiers
