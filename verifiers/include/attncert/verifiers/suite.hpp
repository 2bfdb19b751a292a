// The default verification suite: what `scripts/run` and `attncert verify --suite default` run.
#pragma once
#include <string>
#include <vector>

#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

struct Theorem;

// Runs one argument line of theorem t, parsed by its own option setup (as the command line is),
// with `base` as the common options (its seed unless the line sets --seed).
Outcome run_line(const Theorem& t, const std::string& line, const CommonOptions& base);

// Runs every registered theorem's lines of the named suite, in registry order; writes one
// certificate per entry into cert_dir when it is not empty. Throws BadInput for an unknown suite.
std::vector<Outcome> run_suite(const std::string& name, const std::string& cert_dir, const CommonOptions& opt);

// The suite's table (one row per entry) and the overall exit code (the worst status).
void print_suite_table(const std::vector<Outcome>& outcomes);
int suite_status(const std::vector<Outcome>& outcomes);

}  // namespace attncert::verifiers
