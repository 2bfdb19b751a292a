// Lemma certificates: the checker's own statements, cvc5 as a subprocess (the real one, a missing
// one, and fakes), and the labelling of lemmas only Z3 proved.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "attncert/checker/checker.hpp"
#include "attncert/reductions/lemmas.hpp"

using attncert::checker::CheckOptions;
using attncert::checker::Verdict;
using nlohmann::json;

namespace {
// The four statements as the producer writes them (the checker holds its own copy).
const std::vector<attncert::reductions::SmtLemma> kLemmas = attncert::reductions::decoding_lemma_scripts();

json lemma_cert(const std::string& cvc5_claim = "unsat", std::size_t count = 4) {
  json inst = json::array(), claim = json::array();
  for (std::size_t i = 0; i < count; ++i) {
    inst.push_back({{"name", kLemmas[i].name}, {"smtlib2", kLemmas[i].smtlib2}});
    claim.push_back({{"name", kLemmas[i].name}, {"z3", "unsat"}, {"cvc5", cvc5_claim}});
  }
  return {{"format", "attncert-certificate"}, {"format_version", 1}, {"theorem", "lemmas"},
          {"producer", {{"name", "attncert"}, {"version", "0.1.0"}}}, {"parameters", {{"timeout_ms", "20000"}}},
          {"instance", {{"lemmas", inst}}}, {"claim", {{"kind", "smt_lemmas_unsat"}, {"lemmas", claim}}}};
}

attncert::checker::CheckResult run(const json& c, unsigned timeout_ms = 20000) {
  CheckOptions opt;
  opt.smt_timeout_ms = timeout_ms;
  return attncert::checker::check_certificate_text(c.dump(), opt);
}

// ATTNCERT_CVC5 set for one scope (unset: the real cvc5 on PATH), restored after.
struct Cvc5Env {
  bool had;
  std::string old;
  explicit Cvc5Env(const char* value) {
    const char* o = std::getenv("ATTNCERT_CVC5");
    had = o != nullptr;
    old = o ? o : "";
    if (value) setenv("ATTNCERT_CVC5", value, 1);
    else unsetenv("ATTNCERT_CVC5");
  }
  ~Cvc5Env() {
    if (had) setenv("ATTNCERT_CVC5", old.c_str(), 1);
    else unsetenv("ATTNCERT_CVC5");
  }
};

// An executable shell script standing in for cvc5, removed at scope exit.
struct FakeCvc5 {
  std::string path;
  explicit FakeCvc5(const std::string& body) {
    char dir[] = "/tmp/attncert-fake-cvc5-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    path = std::string(dir) + "/cvc5";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), 0755);
  }
  ~FakeCvc5() {
    std::remove(path.c_str());
    std::remove(path.substr(0, path.rfind('/')).c_str());
  }
};

bool real_cvc5() {
  Cvc5Env env(nullptr);
  auto r = run(lemma_cert("unknown", 1));
  if (r.message.find("1 re-proved by cvc5") != std::string::npos) return true;
  WARN("cvc5 is not on PATH here; the real-cvc5 cases are skipped (" << r.message << ")");
  return false;
}
}  // namespace

TEST_CASE("lemmas: every statement re-proved by the real cvc5", "[checker][lemmas]") {
  if (!real_cvc5()) return;
  Cvc5Env env(nullptr);
  for (const char* stored : {"unsat", "unknown", "unavailable"}) {
    auto r = run(lemma_cert(stored));
    INFO(r.message);
    CHECK(r.verdict == Verdict::accepted);
    CHECK(r.message == "4 lemmas: 4 re-proved by cvc5 (second route), 0 Z3-only (the producer's word)");
  }
  // whitespace is not part of a statement
  json c = lemma_cert();
  for (auto& l : c["instance"]["lemmas"]) {
    std::string s = l["smtlib2"], t = "  \n";
    for (char ch : s) t += ch == ' ' ? std::string(" \t ") : ch == '\n' ? std::string("\r\n\n") : std::string(1, ch);
    l["smtlib2"] = t + "\n\n";
  }
  CHECK(run(c).verdict == Verdict::accepted);
}

TEST_CASE("lemmas: a statement other than the checker's is rejected", "[checker][lemmas]") {
  Cvc5Env env("/nonexistent/cvc5");  // no cvc5 needed: the statements are compared first
  json c = lemma_cert();
  c["instance"]["lemmas"][2]["smtlib2"] = "(set-logic QF_NRA)\n(assert false)\n(check-sat)\n";  // trivially unsat
  auto r = run(c);
  CHECK(r.verdict == Verdict::rejected);
  CHECK(r.message.find("instance.lemmas[2].smtlib2") != std::string::npos);
  CHECK(r.message.find("differs from the checker's") != std::string::npos);
  c = lemma_cert();
  std::string s = c["instance"]["lemmas"][1]["smtlib2"];
  c["instance"]["lemmas"][1]["smtlib2"] = s.replace(s.find("(< eta 1)"), 9, "(< eta 2)");  // one symbol changed
  CHECK(run(c).verdict == Verdict::rejected);
  c = lemma_cert();
  c["instance"]["lemmas"][0]["name"] = c["claim"]["lemmas"][0]["name"] = "lemma9_anything";
  r = run(c);
  CHECK(r.verdict == Verdict::rejected);
  CHECK(r.message.find("lemma9_anything") != std::string::npos);
  c = lemma_cert();  // a real statement under another lemma's name
  c["instance"]["lemmas"][2]["smtlib2"] = kLemmas[1].smtlib2;
  CHECK(run(c).verdict == Verdict::rejected);
}

TEST_CASE("lemmas: the format is read strictly", "[checker][lemmas]") {
  Cvc5Env env("/nonexistent/cvc5");
  auto malformed = [](const json& c, const std::string& field) {
    auto r = run(c);
    INFO(r.message);
    CHECK(r.verdict == Verdict::malformed);
    CHECK(r.message.find(field) != std::string::npos);
  };
  json c = lemma_cert();
  c["claim"]["lemmas"][1]["name"] = kLemmas[2].name;  // same names, another order
  malformed(c, "claim.lemmas[1].name");
  c = lemma_cert();
  c["claim"]["lemmas"].erase(3);
  malformed(c, "claim.lemmas");
  c = lemma_cert();
  c["instance"]["lemmas"][1] = c["instance"]["lemmas"][0];
  c["claim"]["lemmas"][1] = c["claim"]["lemmas"][0];
  malformed(c, "listed twice");
  c = lemma_cert("unsat", 0);
  malformed(c, "instance.lemmas");
  for (const char* z3 : {"sat", "unknown", "UNSAT"}) {
    c = lemma_cert();
    c["claim"]["lemmas"][0]["z3"] = z3;
    malformed(c, "claim.lemmas[0].z3");
  }
  c = lemma_cert();
  c["claim"]["lemmas"][3]["cvc5"] = "timeout";
  malformed(c, "claim.lemmas[3].cvc5");
  c = lemma_cert();
  c["claim"]["lemmas"][0]["vampire"] = "unsat";
  malformed(c, "claim.lemmas[0].vampire");
  c = lemma_cert();
  c["instance"]["lemmas"][0]["proof"] = "...";
  malformed(c, "instance.lemmas[0].proof");
  c = lemma_cert();
  c["claim"]["lemmas"][0].erase("cvc5");
  malformed(c, "missing field claim.lemmas[0].cvc5");
  c = lemma_cert();
  c["claim"]["kind"] = "kv_cache_space_lower_bound_bits";
  malformed(c, "claim.kind");
  for (const char* t : {"020000", "20000/1", "0", "-5", "+20000"}) {
    c = lemma_cert();
    c["parameters"]["timeout_ms"] = t;
    malformed(c, "parameters.timeout_ms");
  }
  c = lemma_cert();
  c["parameters"]["timeout_ms"] = 20000;
  malformed(c, "parameters.timeout_ms");
  c = lemma_cert();
  c["statistics"] = json::object();
  malformed(c, "unknown field statistics");
  c = lemma_cert();
  c["instance"]["extra"] = 1;
  malformed(c, "instance.extra");
}

TEST_CASE("lemmas: without cvc5 a stored cvc5 proof is inconclusive, Z3-only lemmas are labelled", "[checker][lemmas]") {
  Cvc5Env env("/nonexistent/cvc5");
  auto r = run(lemma_cert("unsat"));
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.message.find("lemma2_sign_margin(k=3)") != std::string::npos);
  CHECK(r.message.find("cannot run /nonexistent/cvc5") != std::string::npos);
  r = run(lemma_cert("unavailable"));
  CHECK(r.verdict == Verdict::accepted);
  CHECK(r.message.find("4 lemmas: 0 re-proved by cvc5 (second route), 4 Z3-only (the producer's word): "
                       "lemma2_sign_margin(k=3) (cvc5 here: cannot run") == 0);
  CHECK(r.message.find("lemma3_decoding_l2_flips(d=2)") != std::string::npos);
  json c = lemma_cert("unavailable");
  c["claim"]["lemmas"][2]["cvc5"] = "unsat";  // one stored cvc5 proof that cannot be confirmed here
  r = run(c);
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.message.find("lemma3_decoding_abs") != std::string::npos);
}

TEST_CASE("lemmas: a fake cvc5 that finds a counterexample rejects, one that gives up is not trusted",
          "[checker][lemmas]") {
  {
    FakeCvc5 fake("echo sat");
    Cvc5Env env(fake.path.c_str());
    for (const char* stored : {"unsat", "unknown", "unavailable"}) {
      auto r = run(lemma_cert(stored));
      CHECK(r.verdict == Verdict::rejected);
      CHECK(r.message.find("cvc5 finds a counterexample") != std::string::npos);
    }
  }
  {
    FakeCvc5 fake("echo unknown");
    Cvc5Env env(fake.path.c_str());
    CHECK(run(lemma_cert("unsat")).verdict == Verdict::inconclusive);
    auto r = run(lemma_cert("unknown"));
    CHECK(r.verdict == Verdict::accepted);
    CHECK(r.message.find("0 re-proved by cvc5 (second route), 4 Z3-only") != std::string::npos);
    CHECK(r.message.find("answered 'unknown'") != std::string::npos);
  }
  {
    FakeCvc5 fake("echo 'unsat but not really'; echo unsat");  // only the first line counts
    Cvc5Env env(fake.path.c_str());
    CHECK(run(lemma_cert("unsat")).verdict == Verdict::inconclusive);
  }
}

TEST_CASE("lemmas: cvc5 gets the checker's script and time limit, the temp file is removed", "[checker][lemmas]") {
  char log[] = "/tmp/attncert-cvc5-log-XXXXXX";
  int fd = mkstemp(log);
  REQUIRE(fd >= 0);
  close(fd);
  // Answers unsat only for exactly: --lang=smt2 --tlimit=1234 FILE, FILE holding a check-sat script.
  FakeCvc5 fake(std::string("echo \"$3\" >> ") + log +
                "\n[ $# -eq 3 ] && [ \"$1\" = --lang=smt2 ] && [ \"$2\" = --tlimit=1234 ] && grep -q '(check-sat)' \"$3\""
                " && echo unsat || echo unknown");
  Cvc5Env env(fake.path.c_str());
  auto r = run(lemma_cert("unsat"), 1234);
  INFO(r.message);
  CHECK(r.verdict == Verdict::accepted);
  std::ifstream in(log);
  std::string script;
  int seen = 0;
  while (std::getline(in, script)) {
    ++seen;
    CHECK(std::ifstream(script).fail());  // removed after the run
  }
  CHECK(seen == 4);
  std::remove(log);
}

TEST_CASE("lemmas: a cvc5 that hangs is killed after the time limit + 5 s", "[checker][lemmas]") {
  FakeCvc5 fake("sleep 60 & sleep 60");  // a helper process too: the whole group is killed
  Cvc5Env env(fake.path.c_str());
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(lemma_cert("unsat", 1), 100);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.message.find("killed after 100 ms + 5 s") != std::string::npos);
  CHECK(seconds > 5);
  CHECK(seconds < 10);
}
