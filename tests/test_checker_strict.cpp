// The checker's strict reading: exact key sets, one spelling per number, cheap consistency checks
// and the pair budget before any recomputation, the format limits, and the exit codes.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <algorithm>
#include <map>
#include <unistd.h>

#include "attncert/checker/checker.hpp"
#include "attncert/reductions/lemmas.hpp"
#include "attncert/verifiers/verify_gram.hpp"
#include "attncert/verifiers/verify_index.hpp"
#include "attncert/verifiers/verify_t1.hpp"

using namespace attncert;
using checker::Verdict;
using nlohmann::json;

namespace {
checker::CheckResult run(const json& c, const checker::CheckOptions& opt = {}) {
  return checker::check_certificate_text(c.dump(), opt);
}
Verdict check(const json& c) { return run(c).verdict; }

// `c` is refused with `verdict` and a message that names `field`.
void expect(const json& c, Verdict verdict, const std::string& field) {
  auto r = run(c);
  INFO(c.dump().substr(0, 400));
  INFO(r.message);
  CHECK(r.verdict == verdict);
  CHECK(r.message.find(field) != std::string::npos);
}
void malformed(const json& c, const std::string& field) { expect(c, Verdict::malformed, field); }
void rejected(const json& c, const std::string& field) { expect(c, Verdict::rejected, field); }

json index_cert() { return verifiers::verify_index({core::Integer(100000), core::Rational(1, 10)}, {}).certificate; }

json gram_cert(std::uint64_t N, std::uint64_t d, std::optional<core::Rational> rho = {}) {
  verifiers::CommonOptions o;
  o.seed = 7;
  o.quiet = true;
  return verifiers::verify_gram({N, d, rho}, o).certificate;
}

json t1_cert(const std::string& keys = "random") {
  verifiers::CommonOptions o;
  o.seed = 5;
  o.quiet = true;
  verifiers::T1Options t;
  auto& r = t.request;
  r.keys = reductions::parse_key_source(keys, o.seed);
  if (keys == "random") {
    r.n = 300, r.d = 48;
  } else if (keys == "hadamard") {  // the whole code, N = 2d
    r.d = 32, r.notion = reductions::Notion::l2, r.eta = core::Rational(1, 4), r.delta = core::Rational(1, 10);
  } else {  // a key file fixes N and d
    r.C = core::Rational(8);
  }
  auto out = verifiers::verify_t1(t, o);
  REQUIRE(out.status == verifiers::certified);
  return out.certificate;
}

json explicit_t1_cert() {
  const std::string path = "attncert_test_checker_keys.txt";
  std::ofstream(path) << "+-+-\n0110\n";
  json c = t1_cert("file:" + path);
  std::remove(path.c_str());
  return c;
}
}  // namespace

TEST_CASE("checker: good certificates of every kind are accepted", "[checker]") {
  CHECK(check(index_cert()) == Verdict::accepted);
  CHECK(check(gram_cert(200, 40)) == Verdict::accepted);
  CHECK(check(gram_cert(200, 16, core::Rational(1, 4))) == Verdict::accepted);  // a refutation
  CHECK(check(t1_cert()) == Verdict::accepted);
  CHECK(check(t1_cert("hadamard")) == Verdict::accepted);
  CHECK(check(explicit_t1_cert()) == Verdict::accepted);
}

TEST_CASE("checker: unknown fields are malformed at every level", "[checker]") {
  json idx = index_cert(), gram = gram_cert(100, 32), t1 = t1_cert(), had = t1_cert("hadamard");
  json c = idx;
  c["comment"] = "hello";
  malformed(c, "unknown field comment");
  c = idx;
  c["statistics"] = json::object();  // INDEX has no statistics
  malformed(c, "unknown field statistics");
  c = gram;
  c["derived"] = json::object();  // gram has no derived
  malformed(c, "unknown field derived");
  c = idx;
  c["producer"]["build"] = "x";
  malformed(c, "producer.build");
  c = idx;
  c["parameters"]["q"] = "1/2";
  malformed(c, "parameters.q");
  c = idx;
  c["derived"]["H2(p)"]["mid"] = "1/2";
  malformed(c, "derived.H2(p).mid");
  c = idx;
  c["claim"]["bits_upper"] = "99999";  // an unchecked claim must not ride along
  malformed(c, "claim.bits_upper");
  c = t1;
  c["claim"]["bits_upper"] = "99999";
  malformed(c, "claim.bits_upper");
  c = t1;
  c["instance"]["rows"] = json::array({"+-", "-+"});  // rows beside seeded keys
  malformed(c, "instance.rows");
  c = had;
  c["instance"]["seed"] = "3";
  malformed(c, "instance.seed");
  c = gram;
  c["instance"]["keys"] = "random";  // gram's instance has no keys field
  malformed(c, "instance.keys");
  c = gram;
  c["statistics"]["max_inner"] = gram["claim"]["max_inner"];
  malformed(c, "statistics.max_inner");
  c = t1;
  c["statistics"]["rho"] = "1/2";
  malformed(c, "statistics.rho");
  c = t1;
  c["derived"]["w_min"] = "0";
  malformed(c, "derived.w_min");
  c = gram;
  c["claim"]["note"] = "x";
  malformed(c, "claim.note");
}

TEST_CASE("checker: missing fields are malformed, never defaulted", "[checker]") {
  json idx = index_cert(), gram = gram_cert(100, 32), t1 = t1_cert(), ex = explicit_t1_cert();
  json c = t1;
  c["instance"].erase("keys");  // was silently read as random keys
  malformed(c, "missing field instance.keys");
  for (const char* top : {"format", "producer", "parameters", "instance", "claim", "statistics", "derived"}) {
    c = t1;
    c.erase(top);
    auto r = run(c);
    CHECK(r.verdict == Verdict::malformed);
    CHECK(r.message.find(top) != std::string::npos);
  }
  c = idx;
  c.erase("instance");  // INDEX's instance is null, but present
  malformed(c, "missing field instance");
  c = idx;
  c["instance"] = json::object();
  malformed(c, "instance");
  c = t1;
  c["statistics"].erase("max_inner");
  malformed(c, "missing field statistics.max_inner");
  c = t1;
  c["derived"].erase("phi_upper");
  malformed(c, "missing field derived.phi_upper");
  c = t1;
  c["derived"]["H2(p)"].erase("hi");
  malformed(c, "derived.H2(p).hi");
  c = t1;
  c["parameters"].erase("notion");
  malformed(c, "missing field parameters.notion");
  c = gram;
  c["claim"].erase("witness");
  malformed(c, "missing field claim.witness");
  c = gram;
  c["instance"].erase("rng_version");
  malformed(c, "missing field instance.rng_version");
  c = ex;
  c["instance"].erase("rows");
  malformed(c, "missing field instance.rows");
  c = idx;
  c["producer"].erase("version");
  malformed(c, "missing field producer.version");
}

TEST_CASE("checker: integers stored as strings have one decimal spelling", "[checker]") {
  json idx = index_cert(), gram = gram_cert(100, 32), t1 = t1_cert();
  auto bad = [&](json c, const std::string& section, const std::string& key, const std::string& value) {
    c[section][key] = value;
    malformed(c, section + "." + key);
  };
  for (const char* v : {"128/2", "300/1", "0300", "+300", "300.0", " 300", "3e2", ""}) bad(t1, "parameters", "n", v);
  for (const char* v : {"598/2", "0299", "+299"}) bad(t1, "parameters", "N", v);
  for (const char* v : {"4/2", "96/2", "048", "+48", "-48"}) bad(t1, "parameters", "d", v);
  for (const char* v : {"007", "-0", "+5", "5/1", "0x5", "18446744073709551616", "-1"}) bad(t1, "instance", "seed", v);
  const std::string ceil = idx["claim"]["bits_ceil"];
  for (const std::string& v : {"0" + ceil, "+" + ceil, ceil + "/1", std::string("106202/2")}) bad(idx, "claim", "bits_ceil", v);
  for (const char* v : {"200/2", "0100", "-0"}) bad(gram, "parameters", "N", v);
  CHECK(check(gram) == Verdict::accepted);
}

TEST_CASE("checker: rationals are canonical and reduced", "[checker]") {
  json idx = index_cert(), t1 = t1_cert();
  auto bad = [&](json c, const std::string& section, const std::string& key, const std::string& value) {
    c[section][key] = value;
    malformed(c, section + "." + key);
  };
  for (const char* v : {"2/20", "1/010", "01/10", "-0", "0/5", "1/-10", "+1/10", "1/+10", "0.1", "1/0", "1 /10"})
    bad(idx, "parameters", "p", v);
  bad(t1, "parameters", "eta", "2/8");
  bad(t1, "parameters", "delta", "0/1");
  bad(t1, "parameters", "C", t1["parameters"]["C"].get<std::string>() + "/1");
  bad(t1, "derived", "phi_upper", "0/3");
  json c = t1;
  c["claim"]["bits"] = c["claim"]["bits"].get<std::string>() + "/1";  // "3/1" spelled for 3
  malformed(c, "claim.bits");
  c = idx;
  c["derived"]["H2(p)"]["lo"] = "2/4";
  malformed(c, "derived.H2(p).lo");
}

TEST_CASE("checker: versions are the JSON integer 1, JSON integers are not floats", "[checker]") {
  json idx = index_cert(), gram = gram_cert(100, 32), t1 = t1_cert(), had = t1_cert("hadamard");
  for (json v : {json(1.0), json("1"), json(true), json(-1), json(2)}) {
    json c = idx;
    c["format_version"] = v;
    malformed(c, "format_version");
    c = gram;
    c["instance"]["generator_version"] = v;
    malformed(c, "instance.generator_version");
    c = gram;
    c["instance"]["rng_version"] = v;
    malformed(c, "instance.rng_version");
    c = had;
    c["instance"]["generator_version"] = v;
    malformed(c, "instance.generator_version");
  }
  json c = gram;
  c["claim"]["max_inner"] = gram["claim"]["max_inner"].get<double>();  // 12.0: a float
  malformed(c, "claim.max_inner");
  c = gram;
  c["claim"]["max_inner"] = std::to_string(gram["claim"]["max_inner"].get<long>());
  malformed(c, "claim.max_inner");
  c = t1;
  c["statistics"]["max_inner"] = t1["statistics"]["max_inner"].get<double>();
  malformed(c, "statistics.max_inner");
  c = gram;
  c["claim"]["witness"][0] = gram["claim"]["witness"][0].get<double>();
  malformed(c, "claim.witness");
  c = gram;
  c["claim"]["witness"] = {-1, 1};
  malformed(c, "claim.witness");
  c = gram;
  c["claim"]["witness"] = {0, 1, 2};
  malformed(c, "claim.witness");
  const json& hist = gram["statistics"]["inner_product_histogram"];
  const std::string k = hist.begin().key(), at = "statistics.inner_product_histogram[" + k + "]";
  c = gram;
  c["statistics"]["inner_product_histogram"][k] = hist[k].get<double>();
  malformed(c, at);
  c = gram;
  c["statistics"]["inner_product_histogram"][k] = std::to_string(hist[k].get<std::uint64_t>());
  malformed(c, at);
  c = gram;
  c["statistics"]["inner_product_histogram"][k] = 0;  // zero counts are never written: one spelling
  malformed(c, at);
  c = gram;
  c["claim"]["holds"] = 0;
  c["claim"]["rho_max"] = "1";
  malformed(c, "claim.holds");
}

TEST_CASE("checker: cheap consistency checks name the field", "[checker]") {
  json gram = gram_cert(100, 32), t1 = t1_cert(), had = t1_cert("hadamard"), ex = explicit_t1_cert();
  json c = t1;
  c["parameters"]["n"] = "301";  // N is 299
  malformed(c, "parameters.n");
  // histogram keys: canonical integers, inner products of d-dimensional sign vectors
  // Moves the count of inner product 0 to `key`: the counts still sum to N(N-1)/2.
  auto rekey = [&](const std::string& key) {
    json e = gram;
    auto& h = e["statistics"]["inner_product_histogram"];
    h[key] = h["0"];
    h.erase("0");
    return e;
  };
  for (std::string key : {"+4", "04", "-0", "4.0", "x"}) malformed(rekey(key), "inner_product_histogram[" + key + "]");
  for (std::string key : {"34", "-34", "3", "1000"})  // d = 32: out of range, or odd
    rejected(rekey(key), "inner_product_histogram[" + key + "]");
  c = gram;
  c["statistics"]["inner_product_histogram"] = json::object();
  rejected(c, "counts sum to 0");
  c = gram;
  c["statistics"]["inner_product_histogram"]["0"] = gram["statistics"]["inner_product_histogram"]["0"].get<std::uint64_t>() - 1;
  rejected(c, "N(N-1)/2");  // one pair short
  // max_inner is the histogram's largest key, rho = max_inner / d, the witness a pair of rows < N
  c = gram;
  c["claim"]["max_inner"] = gram["claim"]["max_inner"].get<long>() + 2;
  rejected(c, "claim.max_inner");
  c = t1;
  c["statistics"]["max_inner"] = t1["statistics"]["max_inner"].get<long>() - 2;
  rejected(c, "statistics.max_inner");
  c = gram;
  c["claim"]["rho"] = "1/2";
  rejected(c, "claim.rho");
  c = gram;
  c["claim"]["witness"] = {0, 100};
  rejected(c, "claim.witness");
  c = gram;
  c["claim"]["witness"] = {5, 5};
  rejected(c, "claim.witness");
  // explicit rows: N rows of d signs
  c = ex;
  c["instance"]["rows"].push_back("++++");
  malformed(c, "instance.rows");
  c = ex;
  c["instance"]["rows"][0] = "+-+";
  malformed(c, "instance.rows");
  c = ex;
  c["instance"]["rows"][0] = "+-+0";
  malformed(c, "instance.rows");
  c = ex;
  c["instance"]["rows"][0] = 5;
  malformed(c, "instance.rows");
  c = had;
  c["parameters"]["N"] = "65", c["parameters"]["n"] = "66";  // N <= 2d = 64
  malformed(c, "hadamard");
  c = ex;
  c["instance"]["keys"] = "gaussian";
  malformed(c, "instance.keys");
}

TEST_CASE("checker: the pair budget refuses large certificates before any recomputation", "[checker]") {
  json good = t1_cert();  // N = 299, d = 48: 44551 pairs
  checker::CheckOptions opt;
  opt.max_pairs = 44551;
  CHECK(run(good, opt).verdict == Verdict::accepted);
  opt.max_pairs = 44550;
  auto r = run(good, opt);
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message == "needs 44551 key pairs (counted per 256 coordinates), above --max-pairs 44550 (raise it to check this certificate)");
  opt.max_pairs = 1000;
  r = run(gram_cert(100, 32), opt);  // 4950 pairs
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message.find("needs 4950 key pairs (counted per 256 coordinates), above --max-pairs 1000") != std::string::npos);

  // A hand-edited 2 KB certificate with N = 2^20, self-consistent up to the recomputation.
  json c = good;
  c["parameters"]["N"] = "1048576";
  c["parameters"]["n"] = "1048577";
  c["statistics"]["inner_product_histogram"] = {{"0", std::uint64_t{549755289600}}};  // 2^20 (2^20 - 1) / 2
  c["statistics"]["max_inner"] = 0;
  auto t0 = std::chrono::steady_clock::now();
  r = run(c);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message ==
        "needs 549755289600 key pairs (counted per 256 coordinates), above --max-pairs 2147483648 (raise it to check this certificate)");
  CHECK(seconds < 2);
  c["parameters"]["N"] = "1048577";  // beyond the format's limit on keys
  c["parameters"]["n"] = "1048578";
  malformed(c, "parameters.N");
}

TEST_CASE("checker: format limits are the ones enforced", "[checker]") {
  const auto lim = checker::format_limits();
  CHECK(lim.max_keys == (std::uint64_t{1} << 20));
  CHECK(lim.max_dim == 65535);
  CHECK(lim.max_C_num == (std::uint64_t{1} << 23));
  json wide = gram_cert(2, 65535);  // one pair at the largest d
  CHECK(check(wide) == Verdict::accepted);
  json c = wide;
  c["parameters"]["d"] = "65536";
  malformed(c, "parameters.d");
  c = wide;
  c["parameters"]["N"] = "1";
  malformed(c, "parameters.N");
  json t1 = t1_cert();
  c = t1;
  c["parameters"]["C"] = "8388609";
  malformed(c, "parameters.C");
  c["parameters"]["C"] = "0";
  malformed(c, "parameters.C");
  c["parameters"]["C"] = "-1/2";
  malformed(c, "parameters.C");
  c = t1;
  c["parameters"]["eta"] = "1";
  malformed(c, "parameters.eta");
  c = t1;
  c["parameters"]["delta"] = "-1/2";
  malformed(c, "parameters.delta");
}

TEST_CASE("checker: thread count does not change verdicts", "[checker]") {
  json good = t1_cert(), bad = good;
  bad["instance"]["seed"] = "6";
  for (int threads : {1, 2, 3}) {
    checker::CheckOptions opt;
    opt.threads = threads;
    CHECK(run(good, opt).verdict == Verdict::accepted);
    auto r = run(bad, opt);
    CHECK(r.verdict == Verdict::rejected);
    CHECK(r.message.find("statistics.inner_product_histogram") != std::string::npos);
  }
}

TEST_CASE("checker: exit codes rank malformed over rejected over inconclusive over accepted", "[checker]") {
  json good = index_cert(), bad = good, broken = good;
  bad["claim"]["bits_ceil"] = "1";
  broken["format_version"] = 2;
  // inconclusive: a lemma certificate saying cvc5 proved it, checked where cvc5 cannot run
  const std::string abs_script = reductions::decoding_lemma_scripts().at(2).smtlib2;  // lemma3_decoding_abs
  json unsure = {{"format", "attncert-certificate"}, {"format_version", 1}, {"theorem", "lemmas"},
                 {"producer", {{"name", "attncert"}, {"version", "0.1.0"}}}, {"parameters", {{"timeout_ms", "20000"}}},
                 {"instance", {{"lemmas", {{{"name", "lemma3_decoding_abs"}, {"smtlib2", abs_script}}}}}},
                 {"claim", {{"kind", "smt_lemmas_unsat"},
                            {"lemmas", {{{"name", "lemma3_decoding_abs"}, {"z3", "unsat"}, {"cvc5", "unsat"}}}}}}};
  std::map<std::string, json> files = {{"good", good}, {"bad", bad}, {"broken", broken}, {"unsure", unsure}};
  for (auto& [name, c] : files) std::ofstream("attncert_test_exit_" + name + ".json") << c.dump();
  auto f = [](const std::string& n) { return "attncert_test_exit_" + n + ".json"; };
  const char* old = std::getenv("ATTNCERT_CVC5");
  std::string saved = old ? old : "";
  setenv("ATTNCERT_CVC5", "/nonexistent/cvc5", 1);
  CHECK(checker::check_files_main({f("good")}, true) == 0);
  CHECK(checker::check_files_main({f("unsure")}, true) == 3);
  CHECK(checker::check_files_main({f("good"), f("unsure"), f("good")}, true) == 3);
  CHECK(checker::check_files_main({f("unsure"), f("bad"), f("unsure")}, true) == 1);
  CHECK(checker::check_files_main({f("bad"), f("broken"), f("unsure")}, true) == 2);
  CHECK(checker::check_files_main({f("good"), "attncert_test_exit_missing.json"}, true) == 2);
  if (old) setenv("ATTNCERT_CVC5", saved.c_str(), 1);
  else unsetenv("ATTNCERT_CVC5");
  for (auto& [name, c] : files) std::remove(f(name).c_str());
}

TEST_CASE("checker: the recomputation agrees for every number of words per key", "[checker]") {
  for (std::uint64_t d : {1, 2, 63, 64, 65, 128, 150, 192, 193, 255, 256, 257, 300}) {  // 1 to 5 words
    json good = gram_cert(60, d), bad = good;
    INFO("d = " << d);
    CHECK(check(good) == Verdict::accepted);
    bad["instance"]["seed"] = "8";
    if (d > 2) CHECK(check(bad) == Verdict::rejected);  // d <= 2: the two seeds may give one histogram
  }
}

TEST_CASE("checker: duplicate keys are malformed at any depth", "[checker]") {
  std::string text = gram_cert(60, 32).dump();
  auto pos = text.find("\"inner_product_histogram\":{");
  REQUIRE(pos != std::string::npos);
  pos += std::string("\"inner_product_histogram\":{").size();
  auto first = text.substr(pos, text.find(',', pos) - pos);  // "key":count
  std::string dup = text.substr(0, pos) + first + "," + text.substr(pos);
  auto r = checker::check_certificate_text(dup);
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message.find("duplicate key") != std::string::npos);
}

// Regressions from the second outside audit (session 14): each of these was a crash, an
// acceptance of a second spelling, or minutes of work from a few hundred bytes.
TEST_CASE("checker: lexical traps are malformed (deep nesting, -0, NUL, byte-order mark)", "[checker]") {
  const std::string good = gram_cert(60, 32).dump();
  CHECK(checker::check_certificate_text(good).verdict == Verdict::accepted);
  auto verdict_of = [](const std::string& text) { return checker::check_certificate_text(text); };
  // 100000 nested arrays in format_version crashed the error message's serializer (stack).
  std::string deep = good;
  auto pos = deep.find("\"format_version\":1");
  REQUIRE(pos != std::string::npos);
  deep.replace(pos, 18, "\"format_version\":" + std::string(100000, '[') + std::string(100000, ']'));
  auto r = verdict_of(deep);
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message.find("nesting deeper than 64") != std::string::npos);
  // 64 levels are fine for the lexer (the field is then wrong, not the nesting).
  std::string ok_depth = good;
  ok_depth.replace(pos, 18, "\"format_version\":" + std::string(62, '[') + std::string(62, ']'));
  r = verdict_of(ok_depth);
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message.find("format_version array") != std::string::npos);
  // -0 parses to the integer 0: a second spelling.
  std::string negzero = good;
  pos = negzero.find("\"max_inner\":");
  REQUIRE(pos != std::string::npos);
  auto end = negzero.find_first_of(",}", pos);
  negzero.replace(pos, end - pos, "\"max_inner\":-0");
  r = verdict_of(negzero);
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message.find("-0") != std::string::npos);
  // "-0" inside a string is the string's business, and -0.5 or -05 are other errors.
  CHECK(verdict_of(good + std::string(1, '\0') + "garbage").verdict == Verdict::malformed);
  CHECK(verdict_of(good + std::string(1, '\0') + "garbage").message.find("NUL byte") != std::string::npos);
  CHECK(verdict_of("\xEF\xBB\xBF" + good).message.find("byte-order mark") != std::string::npos);
}

TEST_CASE("checker: the pair budget weighs d, exp enclosures do not grow with C", "[checker]") {
  json g = gram_cert(100, 32);  // 4950 pairs of 32 coordinates
  checker::CheckOptions opt;
  opt.max_pairs = 4950;
  CHECK(run(g, opt).verdict == Verdict::accepted);
  // The same N with d = 65535 counts 256 times as much (a 515-byte certificate meant 33 CPU minutes).
  g["parameters"]["d"] = "65535";
  g["statistics"]["inner_product_histogram"] = {{"1", 4950}};
  g["claim"]["max_inner"] = 1;
  g["claim"]["rho"] = "1/65535";
  auto r = run(g, opt);
  CHECK(r.verdict == Verdict::malformed);
  INFO(r.message);
  CHECK(r.message.find("needs 1267200 key pairs") != std::string::npos);
  // T1 with C = 2^23: the exp enclosures of bins far below the top take the 2^96 e^x < 1 shortcut
  // and only the histogram's bins are enclosed (this took 17 s at d = 1024 before).
  json t = t1_cert();
  t["parameters"]["C"] = "8388608";
  auto t0 = std::chrono::steady_clock::now();
  r = run(t);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.verdict != Verdict::malformed);  // a verdict on the claim, reached quickly
  CHECK(seconds < 5);
}

TEST_CASE("checker: printed lines escape control bytes and stay short", "[checker]") {
  json c = index_cert();
  c["theorem"] = "x\nfake.json: ACCEPTED (index): all claims re-derived\n\x1b[2J" + std::string(100000, 'y');
  const std::string path = "attncert_test_printable.json";
  std::ofstream(path) << c.dump();
  std::fflush(stdout);
  std::FILE* saved = std::tmpfile();
  REQUIRE(saved);
  const int fd = dup(fileno(stdout));
  dup2(fileno(saved), fileno(stdout));
  const int code = checker::check_files_main({path, "."}, false);
  std::fflush(stdout);
  dup2(fd, fileno(stdout));
  close(fd);
  std::rewind(saved);
  std::string out;
  char buf[4096];
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, saved)) > 0) out.append(buf, got);
  std::fclose(saved);
  std::remove(path.c_str());
  CHECK(code == 2);
  CHECK(std::count(out.begin(), out.end(), '\n') == 2);  // one line per file, nothing forged
  CHECK(out.find("\\x0a") != std::string::npos);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.size() < 2000);
  CHECK(out.find(".: MALFORMED (?): is a directory") != std::string::npos);
}
