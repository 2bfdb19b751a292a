// "A theorem is one registration": a toy theorem registered from the test tree alone shows up in
// the umbrella CLI, the suites, the sweeps and the certificate header, with no edit anywhere else.
#include <catch2/catch.hpp>
#include <memory>

#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/suite.hpp"
#include "attncert/verifiers/umbrella.hpp"

using namespace attncert;
using namespace attncert::verifiers;

namespace {

int toy_sweeps = 0;

// The toy claim: k^2 >= k for a whole number k (certified), refuted when --claim-negative is set.
Theorem toy_theorem() {
  Theorem t;
  t.id = "toy";
  t.summary = "test-only toy theorem: k^2 >= k";
  t.setup = [](CLI::App& sub) -> Runner {
    auto k = std::make_shared<std::string>("2");
    auto neg = std::make_shared<bool>(false);
    sub.add_option("--k", *k, "a whole number");
    sub.add_flag("--claim-negative", *neg, "claim k^2 < k instead (refuted)");
    return [k, neg](const CommonOptions&) {
      Outcome o;
      o.theorem = "toy";
      const std::uint64_t v = parse_count(*k, "--k", 0, 1000000);
      o.label = "k=" + std::to_string(v);
      o.status = *neg ? refuted : certified;
      o.claim = std::to_string(v * v) + " >= " + std::to_string(v);
      o.reason = *neg ? "k^2 >= k for every whole k" : "arithmetic";
      if (o.status == certified) {
        o.certificate = certificate_header("toy");
        o.certificate["parameters"] = {{"k", std::to_string(v)}};
      }
      return o;
    };
  };
  t.suites = {{"toy-suite", {"--k 3", "--k 0", "--k 7 --seed 9"}}};
  t.sweep = Sweep{"toy sweep", [](CLI::App&) { return [](const CommonOptions&) { return ++toy_sweeps, 0; }; }};
  return t;
}

int run_cli(std::vector<const char*> args) {
  args.insert(args.begin(), "attncert");
  return umbrella_main(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("a toy theorem registered from the test tree is wired everywhere", "[registry]") {
  if (!find_theorem("toy")) register_theorem(toy_theorem());
  const Theorem* t = find_theorem("toy");
  REQUIRE(t != nullptr);
  CHECK(t->checker == "check_toy");
  CHECK(theorems().back() == t);  // after the built-ins
  // suites: its lines are parsed by its own option setup
  auto names = suite_names();
  CHECK(std::find(names.begin(), names.end(), "toy-suite") != names.end());
  auto out = run_suite("toy-suite", "", {});
  REQUIRE(out.size() == 3);
  CHECK(out[0].claim == "9 >= 3");
  CHECK(out[2].label == "k=7");
  CHECK(out[0].certificate["theorem"] == "toy");
  // the umbrella CLI: verify, suite, sweep, bad input
  CHECK(run_cli({"verify", "toy", "--k", "4", "--quiet"}) == certified);
  CHECK(run_cli({"verify", "toy", "--claim-negative", "--quiet"}) == refuted);
  CHECK(run_cli({"verify", "toy", "--k", "-1", "--quiet"}) == bad_input);
  CHECK(run_cli({"verify", "toy", "--k", "", "--quiet"}) == bad_input);
  CHECK(run_cli({"verify", "--suite", "toy-suite", "--quiet"}) == certified);
  const int before = toy_sweeps;
  CHECK(run_cli({"sweep", "toy"}) == 0);
  CHECK(toy_sweeps == before + 1);
}

TEST_CASE("the registry refuses taken and malformed ids, and headers name registered theorems only", "[registry]") {
  Theorem dup;
  dup.id = "t1";
  CHECK_THROWS_AS(register_theorem(dup), std::logic_error);
  Theorem bad;
  bad.id = "T-1";
  CHECK_THROWS_AS(register_theorem(bad), std::logic_error);
  CHECK_THROWS_AS(certificate_header("no_such_theorem"), std::logic_error);
  for (const char* id : {"index", "gram", "t1", "t2", "lemmas", "gpu"}) {
    REQUIRE(find_theorem(id) != nullptr);
    CHECK(certificate_header(id)["theorem"] == id);
    CHECK(find_theorem(id)->checker == std::string("check_") + id);
  }
  // every built-in suite line parses with its theorem's own options
  for (const Theorem* t : theorems())
    for (const auto& [suite, lines] : t->suites)
      for (const auto& line : lines) {
        CLI::App app;
        CommonOptions opt;
        std::string seed = "1";
        add_common_options(app, opt, seed);
        Runner keep = t->setup(app);  // owns the strings the options write into
        INFO(t->id << " [" << suite << "]: " << line);
        CHECK_NOTHROW(app.parse(line, false));
      }
}

TEST_CASE("internal errors are not bad input", "[registry]") {
  CHECK(guarded("test", [] { throw BadInput("--x: bad"); return 0; }) == bad_input);
  CHECK(guarded("test", [] { throw std::overflow_error("overflow"); return 0; }) == internal_error);
  CHECK(guarded("test", [] { throw std::logic_error("invariant"); return 0; }) == internal_error);
  CHECK(single_verifier_main("no_such_theorem", 0, nullptr) == internal_error);
}
