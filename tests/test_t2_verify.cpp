// verify t2 (docs/theorems.md#t2) and its independent checker path check_t2
// (docs/certificates.md#t2): every row certified and accepted; tampered rows rejected.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "attncert/checker/checker.hpp"
#include "attncert/reductions/covering.hpp"
#include "attncert/reductions/t2.hpp"
#include "attncert/verifiers/verify_t2.hpp"

using namespace attncert;
using checker::Verdict;
using nlohmann::json;

namespace {
Verdict check(const json& c) { return checker::check_certificate_text(c.dump()).verdict; }

verifiers::Outcome run(std::size_t a, std::size_t b, core::Rational B = 1, core::Rational cos_theta = {1, 2},
                       reductions::Notion notion = reductions::Notion::rel, core::Rational delta = 0) {
  verifiers::T2Options o;
  o.d_min = a;
  o.d_max = b;
  o.B = B;
  o.cos_theta = cos_theta;
  o.notion = notion;
  o.delta = delta;
  verifiers::CommonOptions opt;
  opt.quiet = true;
  return verifiers::verify_t2(o, opt);
}
}  // namespace

TEST_CASE("verify t2 certifies every row and its certificate matches the library", "[t2]") {
  auto o = run(2, 10);
  REQUIRE(o.status == verifiers::certified);
  const json& c = o.certificate;
  REQUIRE(c["theorem"] == "t2");
  REQUIRE(c["instance"]["rows"].size() == 9);
  for (std::size_t r = 0; r < 9; ++r) {
    const std::size_t d = 2 + r;
    reductions::T2Request req;
    req.d = d;
    auto row = reductions::bounded_entry_bound(req);
    CHECK(c["instance"]["rows"][r]["N"] == std::to_string(row.N));
    CHECK(c["derived"]["rows"][r]["D"] == std::to_string(row.D));
    CHECK(c["claim"]["rows"][r]["bits"] == core::to_string(row.bits));
    CHECK(c["instance"]["rows"][r]["generator"].size() == row.code.dimension());
    auto cov = reductions::covering_bounds(static_cast<int>(d), core::Rational(1, 2));
    CHECK(c["covering"]["rows"][r]["lower"] == core::to_string(cov.lower));
  }
  CHECK(check(c) == Verdict::accepted);
}

TEST_CASE("check_t2 accepts other parameters: B, l2, delta, obtuse caps", "[t2]") {
  auto o = run(5, 9, core::Rational(3, 2), core::Rational(-1, 3), reductions::Notion::l2, core::Rational(1, 100));
  REQUIRE(o.status == verifiers::certified);
  CHECK(check(o.certificate) == Verdict::accepted);
  auto o2 = run(2, 5, 1, core::Rational(9, 10));
  REQUIRE(o2.status == verifiers::certified);
  CHECK(check(o2.certificate) == Verdict::accepted);
  // tiny caps (mu about 2^-1000 at d = 256): the checker's theta + r s cancels and it refines
  auto o5 = run(255, 256, 1, core::Rational(999, 1000));
  REQUIRE(o5.status == verifiers::certified);
  CHECK(check(o5.certificate) == Verdict::accepted);
  // cos theta = 0: the producer stores mu = 1/2 exactly (hemispheres); the checker decides it
  auto o3 = run(2, 6, 1, 0);
  REQUIRE(o3.status == verifiers::certified);
  CHECK(o3.certificate["covering"]["rows"][3]["cap_measure"]["lo"] == "1/2");
  CHECK(check(o3.certificate) == Verdict::accepted);
  // d = 2, cos theta = 1/2: mu = 1/3 exactly; an exact stored interval is accepted, a wrong one not
  auto o4 = run(2, 3);
  json e = o4.certificate;
  e["covering"]["rows"][0]["cap_measure"] = {{"lo", "1/3"}, {"hi", "1/3"}};
  CHECK(check(e) == Verdict::accepted);
  e["covering"]["rows"][0]["cap_measure"] = {{"lo", "1/3"}, {"hi", "1/3"}};
  e["covering"]["rows"][1]["cap_measure"] = {{"lo", "1/4"}, {"hi", "1/4"}};  // d = 3: mu = (1 - c)/2 = 1/4
  CHECK(check(e) == Verdict::accepted);
  e["covering"]["rows"][1]["cap_measure"] = {{"lo", "1/5"}, {"hi", "1/5"}};
  CHECK(check(e) == Verdict::rejected);
}

TEST_CASE("check_t2 rejects tampered rows", "[t2]") {
  auto o = run(2, 12);
  REQUIRE(o.status == verifiers::certified);
  const json good = o.certificate;
  REQUIRE(check(good) == Verdict::accepted);
  auto rejected = [&](auto&& edit) {
    json c = good;
    edit(c);
    return check(c) == Verdict::rejected;
  };
  // a generator row changed (first bit flipped)
  CHECK(rejected([](json& c) {
    std::string s = c["instance"]["rows"][6]["generator"][0];
    s[0] = s[0] == '0' ? '1' : '0';
    c["instance"]["rows"][6]["generator"][0] = s;
  }));
  // D claimed larger
  CHECK(rejected([](json& c) {
    auto& r = c["derived"]["rows"][5];
    r["D"] = std::to_string(std::stoul(r["D"].get<std::string>()) + 1);
  }));
  // the weights changed (one word moved up a weight)
  CHECK(rejected([](json& c) {
    auto& r = c["derived"]["rows"][8];
    std::size_t D = std::stoul(r["D"].get<std::string>());
    r["weight_distribution"][D] = r["weight_distribution"][D].get<long>() - 1;
    r["weight_distribution"][D + 1] = r["weight_distribution"][D + 1].get<long>() + 1;
  }));
  // bits raised above N d
  CHECK(rejected([](json& c) {
    std::size_t N = std::stoul(c["instance"]["rows"][9]["N"].get<std::string>());
    c["claim"]["rows"][9]["bits"] = std::to_string(N * 11 + 1);
    c["claim"]["rows"][9]["bits_ceil"] = std::to_string(N * 11 + 1);
  }));
  // w_min raised above Lemma 1
  CHECK(rejected([](json& c) { c["derived"]["rows"][3]["w_min_lower"] = "1"; }));
  // cos theta of one row, or of all rows, changed
  CHECK(rejected([](json& c) { c["covering"]["rows"][4]["cos_theta"] = "3/5"; }));
  CHECK(rejected([](json& c) {
    c["parameters"]["cos_theta"] = "3/5";
    for (auto& r : c["covering"]["rows"]) r["cos_theta"] = "3/5";
  }));
  // the covering lower bound raised by one
  CHECK(rejected([](json& c) {
    auto& r = c["covering"]["rows"][7];
    r["lower"] = core::to_string(core::Integer(r["lower"].get<std::string>()) + 1);
  }));
  // the cap measure interval shrunk onto a wrong point (even d: irrational), or shifted (odd d: exact)
  CHECK(rejected([](json& c) { auto& m = c["covering"]["rows"][2]["cap_measure"]; m["lo"] = m["hi"]; }));
  CHECK(rejected([](json& c) { auto& m = c["covering"]["rows"][3]["cap_measure"]; m["hi"] = m["lo"]; m["lo"] = "0"; m["hi"] = "1/1000000"; }));
  // an interval just above the true value (d = 6: irrational mu; [hi, hi + 2^-100]) is told apart
  CHECK(rejected([](json& c) {
    auto& m = c["covering"]["rows"][4]["cap_measure"];
    std::string hi = m["hi"];
    m["lo"] = hi;
    m["hi"] = core::to_string(core::parse_rational(hi) + core::pow2(-100));
  }));
  // C not B^2 d; N beyond what the rows give
  CHECK(rejected([](json& c) { c["instance"]["rows"][1]["C"] = "7"; }));
  CHECK(rejected([](json& c) {
    auto& r = c["instance"]["rows"][10];
    r["N"] = std::to_string(2 * std::stoul(r["N"].get<std::string>()));
  }));
  // a lowered lower bound is still true: accepted
  json weaker = good;
  weaker["covering"]["rows"][7]["lower"] = "1";
  CHECK(check(weaker) == Verdict::accepted);
}

TEST_CASE("check_t2 checks the covering upper bounds by their routes", "[t2][covering]") {
  auto o = run(2, 8);
  REQUIRE(o.status == verifiers::certified);
  const json good = o.certificate;
  REQUIRE(check(good) == Verdict::accepted);
  const auto& rows = good["covering"]["rows"];
  CHECK(rows[0]["upper_route"] == "explicit_circle");        // d = 2: the rational 4-gon
  CHECK(rows[0]["upper"] == "4");
  CHECK(rows[1]["upper_route"] == "explicit_sphere");        // d = 3: the octahedron
  CHECK(rows[1]["upper"] == "6");
  CHECK(rows[2]["upper_route"] == "maximal_separated_set");  // d = 4: floor(1 / mu(theta/2))
  CHECK(rows[2]["upper"] == "34");
  auto verdict = [&](auto&& edit) {
    json c = good;
    edit(c);
    return check(c);
  };
  // the separated-set bound lowered by one: (upper + 1) mu(theta/2) > 1 fails
  CHECK(verdict([](json& c) { c["covering"]["rows"][2]["upper"] = "33"; }) == Verdict::rejected);
  CHECK(verdict([](json& c) { c["covering"]["rows"][6]["upper"] = c["covering"]["rows"][6]["lower"]; }) == Verdict::rejected);
  // a raised upper bound is still true
  CHECK(verdict([](json& c) { c["covering"]["rows"][2]["upper"] = "35"; }) == Verdict::accepted);
  // the half-cap interval moved above the truth
  CHECK(verdict([](json& c) {
    auto& m = c["covering"]["rows"][3]["half_cap_measure"];
    m["lo"] = m["hi"];
    m["hi"] = core::to_string(core::parse_rational(m["hi"].get<std::string>()) + core::pow2(-20));
  }) == Verdict::rejected);
  // explicit coverings: a center dropped (3 points cannot cover S^1 at 60 degrees; 5 cannot cover S^2),
  // a center moved off the sphere, a claimed size below the number of centers, a route for the wrong d
  CHECK(verdict([](json& c) {
    auto& r = c["covering"]["rows"][0];
    r["centers"].erase(r["centers"].begin());
    r["upper"] = "3";
  }) == Verdict::rejected);
  CHECK(verdict([](json& c) {
    auto& r = c["covering"]["rows"][1];
    r["centers"].erase(r["centers"].begin());
    r["upper"] = "5";
  }) == Verdict::rejected);
  CHECK(verdict([](json& c) { c["covering"]["rows"][1]["centers"][0][0] = "1/2"; }) == Verdict::rejected);
  CHECK(verdict([](json& c) { c["covering"]["rows"][1]["upper"] = "5"; }) == Verdict::rejected);
  CHECK(verdict([](json& c) { c["covering"]["rows"][1]["upper_route"] = "explicit_circle"; }) == Verdict::rejected);
  // antipodal caps need cos theta <= 0; unknown routes are malformed
  CHECK(verdict([](json& c) {
    auto& r = c["covering"]["rows"][4];
    r["upper_route"] = "antipodal";
    r["upper"] = r["lower"];
  }) == Verdict::rejected);
  CHECK(verdict([](json& c) { c["covering"]["rows"][4]["upper_route"] = "volume"; }) == Verdict::malformed);
  CHECK(verdict([](json& c) { c["covering"]["rows"][4].erase("half_cap_measure"); }) == Verdict::malformed);
  // obtuse caps: two antipodal caps, accepted; a claim of 1 is below the lower bound 2
  auto obtuse = run(2, 5, 1, {-1, 3});
  REQUIRE(obtuse.status == verifiers::certified);
  CHECK(obtuse.certificate["covering"]["rows"][3]["upper_route"] == "antipodal");
  CHECK(check(obtuse.certificate) == Verdict::accepted);
  json one = obtuse.certificate;
  one["covering"]["rows"][3]["upper"] = "1";
  CHECK(check(one) != Verdict::accepted);
}

TEST_CASE("verify t2 writes one certificate per certified row", "[t2]") {
  // A fresh directory under the system's temporary one, removed at the end (not the working
  // directory, which may be the source tree).
  struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("attncert-t2-rows-" + std::to_string(std::random_device{}()));
    ~TempDir() { std::filesystem::remove_all(path); }
  } tmp;
  const std::string dir = tmp.path.string();
  verifiers::T2Options o;
  o.d_min = 3;
  o.d_max = 5;
  o.cert_rows = dir;
  verifiers::CommonOptions opt;
  opt.quiet = true;
  REQUIRE(verifiers::verify_t2(o, opt).status == verifiers::certified);
  for (int d = 3; d <= 5; ++d) {
    std::ifstream in(dir + "/t2_d" + std::to_string(d) + ".json");
    REQUIRE(in.good());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(checker::check_certificate_text(text).verdict == Verdict::accepted);
  }
}

TEST_CASE("check_t2 refuses malformed t2 certificates and the budget", "[t2]") {
  auto o = run(2, 4);
  REQUIRE(o.status == verifiers::certified);
  json c = o.certificate;
  c["instance"]["rows"][0]["N"] = "3";  // not a power of two
  CHECK(check(c) == Verdict::malformed);
  c = o.certificate;
  c["instance"]["rows"][1]["generator"][0] = "0a1";
  CHECK(check(c) == Verdict::malformed);
  c = o.certificate;
  c["covering"]["rows"].erase(c["covering"]["rows"].begin());
  CHECK(check(c) == Verdict::malformed);
  c = o.certificate;
  c["parameters"]["cos_theta"] = "1";
  CHECK(check(c) == Verdict::malformed);
  checker::CheckOptions tight;
  tight.max_pairs = 4;
  CHECK(checker::check_certificate_text(o.certificate.dump(), tight).verdict == Verdict::malformed);
}

TEST_CASE("verify t2 rejects bad input and is inconclusive when no row certifies", "[t2]") {
  verifiers::CommonOptions opt;
  opt.quiet = true;
  verifiers::T2Options bad;
  bad.d_min = 1;
  CHECK_THROWS_AS(verifiers::verify_t2(bad, opt), verifiers::BadInput);
  bad = {};
  bad.d_max = 300;
  CHECK_THROWS_AS(verifiers::verify_t2(bad, opt), verifiers::BadInput);
  bad = {};
  bad.B = 0;
  CHECK_THROWS_AS(verifiers::verify_t2(bad, opt), verifiers::BadInput);
  bad = {};
  bad.cos_theta = -1;
  CHECK_THROWS_AS(verifiers::verify_t2(bad, opt), verifiers::BadInput);
  auto o = run(2, 4, 1, {1, 2}, reductions::Notion::rel, core::Rational(1, 2));
  CHECK(o.status == verifiers::inconclusive);
  CHECK(o.certificate.is_null());
}
