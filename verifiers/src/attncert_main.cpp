// The umbrella CLI: attncert verify <theorem> | verify --suite NAME | check FILE...
#include <cstdio>
#include <iostream>

#include "attncert/core/atomic_file.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/suite.hpp"
#include "checker/checker.hpp"

using namespace attncert::verifiers;

int main(int argc, char** argv) {
  attncert::core::install_interrupt_cleanup();
  CLI::App app{"attncert: executable, exactly checked limits of attention", "attncert"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", "attncert 0.1.0");

  CommonOptions opt;
  std::string seed_text = "1", suite, cert_dir;
  CLI::App* verify = app.add_subcommand("verify", "certify a theorem instance (or a whole suite)");
  add_common_options(*verify, opt, seed_text);
  verify->add_option("--suite", suite, "run a named suite: default | quick");
  verify->add_option("--cert-dir", cert_dir, "with --suite: write one certificate per entry into DIR");
  verify->require_subcommand(0, 1);
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (const auto& spec : verifier_specs()) {
    CLI::App* sub = verify->add_subcommand(spec.name, spec.description);
    sub->fallthrough();  // common options may follow the theorem name
    runners.emplace_back(sub, spec.setup(*sub));
  }

  std::vector<std::string> files;
  bool check_quiet = false;
  CLI::App* check = app.add_subcommand("check", "re-verify certificates with the independent checker");
  check->add_option("files", files, "certificate files")->required();
  check->add_flag("--quiet,-q", check_quiet, "exit code only");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "attncert: error: %s (see --help)\n", e.what());
    return bad_input;
  }

  return guarded("attncert", [&]() -> int {
    if (*check) return attncert::checker::check_files_main(files, check_quiet);
    opt.seed = parse_seed(seed_text);
    for (auto& [sub, run] : runners)
      if (*sub) {
        if (!suite.empty()) throw BadInput("--suite cannot be combined with a theorem subcommand");
        return finish(run(opt), opt);
      }
    if (suite.empty()) throw BadInput("verify: name a theorem (index, gram, lemmas) or --suite NAME");
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
