// Certificate round trips through the independent checker, and rejection of tampered ones.
#include <catch2/catch.hpp>
#include <limits>

#include "attncert/verifiers/verify_gram.hpp"
#include "attncert/verifiers/verify_index.hpp"
#include "attncert/checker/checker.hpp"

using namespace attncert;
using checker::Verdict;
using nlohmann::json;

namespace {
Verdict check(const json& c) { return checker::check_certificate_text(c.dump()).verdict; }

json index_cert(long N, core::Rational p) {
  return verifiers::verify_index({core::Integer(N), p}, {}).certificate;
}

json gram_cert(std::uint64_t N, std::uint64_t d, std::uint64_t seed, std::optional<core::Rational> rho = {}) {
  verifiers::CommonOptions o;
  o.seed = seed;
  o.quiet = true;
  return verifiers::verify_gram({N, d, rho}, o).certificate;
}
}  // namespace

TEST_CASE("INDEX certificates round-trip through the checker", "[checker][index]") {
  for (auto [N, p] : std::vector<std::pair<long, core::Rational>>{
           {100000, {1, 10}}, {1, {0}}, {1024, {1, 2}}, {4096, {1, 3}}, {1000000, {1, 1000}}}) {
    json c = index_cert(N, p);
    auto r = checker::check_certificate_text(c.dump());
    INFO(r.message);
    CHECK(r.verdict == Verdict::accepted);
  }
}

TEST_CASE("tampered INDEX certificates are rejected, naming the claim", "[checker][index]") {
  json good = index_cert(100000, {1, 10});
  REQUIRE(check(good) == Verdict::accepted);
  json c = good;
  c["claim"]["bits"] = "53101";  // just above N(1 - H2(p)) = 53100.44...
  auto r = checker::check_certificate_text(c.dump());
  CHECK(r.verdict == Verdict::rejected);
  CHECK(r.message.find("claim.bits") != std::string::npos);
  c = good;
  c["claim"]["bits_ceil"] = "53102";
  CHECK(check(c) == Verdict::rejected);
  c = good;
  c["parameters"]["p"] = "11/100";  // the claim no longer follows, and H2 interval misses H2(p)
  CHECK(check(c) == Verdict::rejected);
  c = good;
  c["parameters"]["N"] = "99999";
  CHECK(check(c) == Verdict::rejected);
  c = good;
  c["derived"]["H2(p)"]["lo"] = "47/100";  // interval no longer contains H2(1/10) = 0.46899...
  CHECK(check(c) == Verdict::rejected);
  c = good;
  c["format_version"] = 2;
  r = checker::check_certificate_text(c.dump());
  CHECK(r.verdict == Verdict::malformed);
  CHECK(r.message.find("format_version") != std::string::npos);
  c = good;
  c["parameters"]["p"] = "0.1";  // not an exact p/q string
  CHECK(check(c) == Verdict::malformed);
  c = good;
  c["parameters"]["p"] = "1/0";
  CHECK(check(c) == Verdict::malformed);
  c = good;
  c["claim"].erase("bits");
  CHECK(check(c) == Verdict::malformed);
  CHECK(checker::check_certificate_text("{\"format\": ").verdict == Verdict::malformed);
  CHECK(checker::check_certificate_text("[]").verdict == Verdict::malformed);
  c = good;
  c["theorem"] = "t99";
  CHECK(check(c) == Verdict::malformed);
}

TEST_CASE("Gram certificates: round trip, wrong seed, tampered statistics", "[checker][gram]") {
  json good = gram_cert(300, 70, 11, core::Rational(3, 4));
  REQUIRE(check(good) == Verdict::accepted);
  json c = good;
  c["instance"]["seed"] = "12";
  auto r = checker::check_certificate_text(c.dump());
  CHECK(r.verdict == Verdict::rejected);
  CHECK(r.message.find("histogram") != std::string::npos);
  c = good;
  c["claim"]["max_inner"] = good["claim"]["max_inner"].get<long>() - 2;
  CHECK(check(c) == Verdict::rejected);
  c = good;
  auto& hist = c["statistics"]["inner_product_histogram"];
  hist[hist.begin().key()] = hist.begin().value().get<std::uint64_t>() + 1;
  CHECK(check(c) == Verdict::rejected);
  c = good;
  c["claim"]["rho_max"] = "1/100";  // rho is larger: the claimed inequality is false
  CHECK(check(c) == Verdict::rejected);
  c = good;
  c["claim"]["witness"] = {0, 0};
  CHECK(check(c) == Verdict::rejected);
  c = good;
  c["instance"]["generator_version"] = 2;
  CHECK(check(c) == Verdict::malformed);
}

TEST_CASE("a threshold that the keys exceed is refuted, and the refutation checks", "[checker][gram]") {
  verifiers::CommonOptions o;
  o.seed = 3;
  o.quiet = true;
  auto out = verifiers::verify_gram({200, 16, core::Rational(1, 4)}, o);  // d = 16: rho is large
  CHECK(out.status == verifiers::refuted);
  CHECK(check(out.certificate) == Verdict::accepted);  // the refutation itself is re-derived
  json c = out.certificate;
  c["claim"]["holds"] = true;
  CHECK(check(c) == Verdict::rejected);
}

TEST_CASE("checker: one decimal spelling per number, strict types, no wrap-around, no duplicate keys",
          "[checker]") {
  // Regressions from the soundness audit: each of these was accepted once.
  json idx = index_cert(1000, {1, 10});
  REQUIRE(check(idx) == Verdict::accepted);
  json c = idx;
  c["claim"]["bits"] = "0700";  // GMP's base 0 read this as octal 448 < 531
  c["claim"]["bits_ceil"] = "0700";
  CHECK(check(c) == Verdict::malformed);
  c = idx;
  c["parameters"]["p"] = "01/10";
  CHECK(check(c) == Verdict::malformed);
  c = idx;
  c["parameters"]["p"] = "-0/10";
  CHECK(check(c) == Verdict::malformed);

  verifiers::CommonOptions o;
  o.seed = 4;
  o.quiet = true;
  json refuted = verifiers::verify_gram({300, 64, core::Rational(1, 4)}, o).certificate;
  REQUIRE(check(refuted) == Verdict::accepted);
  for (json bad_holds : {json("true"), json(1), json("yes")}) {
    c = refuted;
    c["claim"]["holds"] = bad_holds;  // was read as false, i.e. as a (true) refutation
    CHECK(check(c) == Verdict::malformed);
  }
  c = refuted;
  c["claim"].erase("rho_max");
  CHECK(check(c) == Verdict::malformed);  // holds without rho_max

  json keys = gram_cert(40, 16, 9);
  REQUIRE(check(keys) == Verdict::accepted);
  c = keys;
  c["claim"]["max_inner"] = std::numeric_limits<std::uint64_t>::max();  // get<long>() wrapped this to -1
  CHECK(check(c) == Verdict::rejected);
  c = keys;
  auto& h = c["statistics"]["inner_product_histogram"];
  h[h.begin().key()] = h.begin().value().get<std::uint64_t>() + (std::uint64_t{1} << 63);  // 2x wraps
  CHECK(check(c) == Verdict::rejected);

  std::string text = idx.dump();
  auto pos = text.find("\"p\":");
  REQUIRE(pos != std::string::npos);
  std::string dup = text.substr(0, pos) + "\"p\":\"1/2\"," + text.substr(pos);  // first p = 1/2, last = 1/10
  CHECK(checker::check_certificate_text(dup).verdict == Verdict::malformed);
}
