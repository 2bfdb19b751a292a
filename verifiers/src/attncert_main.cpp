// The umbrella CLI: attncert verify <theorem> | verify --suite NAME | check FILE...
#include <cstdio>
#include <iostream>

#include "attncert/core/atomic_file.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/suite.hpp"
#include "attncert/verifiers/sweep.hpp"
#include "attncert/checker/checker.hpp"

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
  std::string names;
  for (const auto& spec : verifier_specs()) {
    CLI::App* sub = verify->add_subcommand(spec.name, spec.description);
    sub->fallthrough();  // common options may follow the theorem name
    sub->footer("Common options (see attncert verify --help): --seed N, --threads N, --cert FILE, --json, --junit FILE, --quiet\n"
                "Exit codes: 0 certified, 1 refuted, 2 bad input, 3 inconclusive");
    names += (names.empty() ? "" : ", ") + spec.name;
    runners.emplace_back(sub, spec.setup(*sub));
  }

  CLI::App* sweep = app.add_subcommand("sweep", "run a verifier over a parameter grid: CSV + SVG plot");
  sweep->require_subcommand(1, 1);
  CLI::App* sweep_t1_cmd = sweep->add_subcommand("t1", "T1 phase diagram over (n, d)");
  std::string sw_n = "256..65536", sw_d = "8..128:8", sw_notion = "rel", sw_eta = "1/4", sw_delta = "0", sw_eps = "1/2",
              sw_dp = "1/100", sw_out = "out/sweep_t1", sw_seed = "1";
  int sw_threads = 0;
  bool sw_quiet = false;
  sweep_t1_cmd->add_option("--n", sw_n, "sequence lengths: a..b (powers of two), a..b:step or a,b,c (default 256..65536)");
  sweep_t1_cmd->add_option("--d", sw_d, "dimensions: a..b:step, a..b (powers of two) or a,b,c (default 8..128:8)");
  sweep_t1_cmd->add_option("--notion", sw_notion, "rel | abs | l2 (default rel)");
  sweep_t1_cmd->add_option("--eta", sw_eta, "eta in [0, 1) (default 1/4)");
  sweep_t1_cmd->add_option("--delta", sw_delta, "delta in [0, 1) (default 0)");
  sweep_t1_cmd->add_option("--eps", sw_eps, "C = ceil(16 ln(8N)/(1 - eps))/16, and the curves' rho target (default 1/2)");
  sweep_t1_cmd->add_option("--delta-prime", sw_dp, "the curves' failure probability (default 1/100)");
  sweep_t1_cmd->add_option("--out", sw_out, "output directory (default out/sweep_t1)");
  sweep_t1_cmd->add_option("--seed", sw_seed, "key seed (default 1)");
  sweep_t1_cmd->add_option("--threads", sw_threads, "threads (0: all cores)")->check(CLI::Range(0, 4096));
  sweep_t1_cmd->add_flag("--quiet,-q", sw_quiet, "no progress bar");

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
    if (*sweep_t1_cmd) {
      T1SweepOptions s;
      s.n = parse_grid(sw_n, "--n", true);
      s.d = parse_grid(sw_d, "--d", true);
      s.notion = sw_notion;
      s.eta = parse_rational_param(sw_eta, "--eta");
      s.delta = parse_rational_param(sw_delta, "--delta");
      s.eps = parse_rational_param(sw_eps, "--eps");
      s.delta_prime = parse_rational_param(sw_dp, "--delta-prime");
      s.out_dir = sw_out;
      CommonOptions o;
      o.seed = parse_seed(sw_seed);
      o.threads = sw_threads;
      o.quiet = sw_quiet;
      SweepResult r = sweep_t1(s, o);
      std::printf("%zu cells, %zu certified\nwrote %s\nwrote %s\n", r.cells, r.certified, r.csv.c_str(), r.curves_csv.c_str());
      if (r.svg.empty()) std::printf("no plot (gnuplot not found or failed)\n");
      else std::printf("wrote %s\nwrote %s\n", r.svg.c_str(), r.png.c_str());
      return 0;
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
