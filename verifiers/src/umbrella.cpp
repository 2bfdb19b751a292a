// The umbrella CLI: attncert verify <theorem> | verify --suite NAME | sweep <theorem> | check FILE...
// Every theorem subcommand, suite and sweep comes from the registry (registry.hpp).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "attncert/checker/checker.hpp"
#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/suite.hpp"
#include "attncert/verifiers/umbrella.hpp"

namespace attncert::verifiers {

int umbrella_main(int argc, const char* const* argv) {
  // `attncert gpu-check ARGS...` is `attncert verify gpu ARGS...` (the name the T7 issue uses).
  std::vector<const char*> args(argv, argv + argc);
  if (args.size() >= 2 && std::string(args[1]) == "gpu-check") {
    args[1] = "verify";
    args.insert(args.begin() + 2, "gpu");
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  CLI::App app{"attncert: executable, exactly checked limits of attention", "attncert"};
  app.footer("attncert gpu-check ARGS... is short for attncert verify gpu ARGS...\n"
             "attncert experiment knn-speed|knn-error [OPTIONS]: the T6 kNN-attention experiments (CSV + SVG/PNG)");
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", "attncert 0.1.0");

  CommonOptions opt;
  std::string seed_text = "1", suite, cert_dir, suites, names;
  for (const auto& s : suite_names()) suites += (suites.empty() ? "" : " | ") + s;
  CLI::App* verify = app.add_subcommand("verify", "certify a theorem instance (or a whole suite)");
  add_common_options(*verify, opt, seed_text);
  verify->add_option("--suite", suite, "run a named suite: " + suites);
  verify->add_option("--cert-dir", cert_dir, "with --suite: write one certificate per entry into DIR");
  verify->require_subcommand(0, 1);
  verify->footer(kVerifierFooter);
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (const Theorem* t : theorems()) {
    CLI::App* sub = verify->add_subcommand(t->id, t->summary);
    sub->fallthrough();  // common options may follow the theorem name
    sub->footer(std::string("Common options: see attncert verify --help\n") + kVerifierFooter);
    names += (names.empty() ? "" : ", ") + t->id;
    runners.emplace_back(sub, t->setup(*sub));
  }

  CLI::App* sweep = app.add_subcommand("sweep", "run a verifier over a parameter grid: CSV + SVG/PNG plot");
  sweep->require_subcommand(1, 1);
  CommonOptions sweep_opt;
  std::string sweep_seed = "1";
  std::vector<std::pair<CLI::App*, std::function<int(const CommonOptions&)>>> sweeps;
  for (const Theorem* t : theorems())
    if (t->sweep) {
      CLI::App* sub = sweep->add_subcommand(t->id, t->sweep->summary);
      sub->add_option("--seed", sweep_seed, "key seed (default 1)");
      sub->add_option("--threads", sweep_opt.threads, "threads (0: all cores)")->check(CLI::Range(0, 4096));
      sub->add_flag("--quiet,-q", sweep_opt.quiet, "no progress bar");
      sweeps.emplace_back(sub, t->sweep->setup(*sub));
    }

  std::vector<std::string> files;
  bool check_quiet = false;
  checker::CheckOptions check_opt;
  CLI::App* check = app.add_subcommand("check", "re-verify certificates with the independent checker");
  check->add_option("files", files, "certificate files")->required();
  check->add_flag("--quiet,-q", check_quiet, "exit code only");
  check->add_option("--max-pairs", check_opt.max_pairs, "most key pairs a certificate may ask to recompute (default 2^31)");
  check->add_option("--threads", check_opt.threads, "threads (0: all cores)")->check(CLI::Range(0, 4096));
  check->add_option("--smt-timeout-ms", check_opt.smt_timeout_ms, "cvc5 time limit per lemma (default 20000)")
      ->check(CLI::Range(1u, 3600000u));

  if (const auto code = parse_command_line(app, argc, argv, "attncert")) return *code;

  return guarded("attncert", [&]() -> int {
    reject_empty_values(app);
    if (*check) return checker::check_files_main(files, check_quiet, check_opt);
    for (auto& [sub, run] : sweeps)
      if (*sub) {
        sweep_opt.seed = parse_seed(sweep_seed);
        return run(sweep_opt);
      }
    opt.seed = parse_seed(seed_text);
    for (auto& [sub, run] : runners)
      if (*sub) {
        if (!suite.empty()) throw BadInput("--suite cannot be combined with a theorem subcommand");
        return finish(run(opt), opt);
      }
    if (suite.empty()) throw BadInput("verify: name a theorem (" + names + ") or --suite NAME");
    auto outcomes = run_suite(suite, cert_dir, opt);
    if (!opt.junit.empty()) write_junit(opt.junit, "attncert suite " + suite, outcomes);
    if (opt.json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& o : outcomes)
        j.push_back({{"theorem", o.theorem}, {"label", o.label}, {"status", status_name(o.status)},
                     {"reason", o.reason}, {"claim", o.claim}, {"seconds", o.seconds}});
      std::cout << j.dump(2) << "\n";
    } else if (!opt.quiet) {
      print_suite_table(outcomes);
    }
    return suite_status(outcomes);
  });
}

}  // namespace attncert::verifiers
