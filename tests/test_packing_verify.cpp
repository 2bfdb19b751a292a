// verify packing and check_packing: witnesses, optimality claims, tampering, the budget, bad input.
#include <catch2/catch.hpp>

#include "attncert/checker/checker.hpp"
#include "attncert/verifiers/verify_packing.hpp"

using namespace attncert;
using checker::Verdict;
using nlohmann::json;

namespace {
verifiers::Outcome run(int a, int b, std::optional<int> t = std::nullopt) {
  verifiers::PackingOptions o;
  o.d_min = a;
  o.d_max = b;
  o.t = t;
  verifiers::CommonOptions opt;
  opt.quiet = true;
  return verifiers::verify_packing(o, opt);
}
Verdict check(const json& c, std::uint64_t max_pairs = std::uint64_t{1} << 31) {
  checker::CheckOptions opt;
  opt.max_pairs = max_pairs;
  return checker::check_certificate_text(c.dump(), opt).verdict;
}
// The row of (d, t) in a certificate of every t.
std::size_t row_of(const json& c, int d, int t) {
  const auto& rows = c["claim"]["rows"];
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i]["d"] == std::to_string(d) && rows[i]["t"] == std::to_string(t)) return i;
  FAIL("no row d=" << d << " t=" << t);
  return 0;
}
}  // namespace

TEST_CASE("verify packing: exact values, the table, and an accepted certificate", "[packing]") {
  auto o = run(2, 7);
  REQUIRE(o.status == verifiers::certified);
  CHECK(check(o.certificate) == Verdict::accepted);
  const json& c = o.certificate;
  CHECK(c["claim"]["rows"].size() == 2 + 3 + 4 + 5 + 6 + 7);
  // A(7, 3) = 16 (the Hamming code), A(6, 3) = 8, A(7, 2) = 64: all proved optimal
  CHECK(c["claim"]["rows"][row_of(c, 7, 1)]["lower"] == "16");
  CHECK(c["claim"]["rows"][row_of(c, 7, 1)]["optimal"] == true);
  CHECK(c["claim"]["rows"][row_of(c, 6, 0)]["lower"] == "8");
  CHECK(c["claim"]["rows"][row_of(c, 7, 3)]["lower"] == "64");
  auto one_t = run(4, 6, 0);
  REQUIRE(one_t.status == verifiers::certified);
  CHECK(one_t.certificate["claim"]["rows"].size() == 3);
  CHECK(check(one_t.certificate) == Verdict::accepted);
}

TEST_CASE("check_packing rejects planted wrong packing claims and tampered witnesses", "[packing][checker]") {
  auto o = run(5, 7);
  REQUIRE(o.status == verifiers::certified);
  const json good = o.certificate;
  REQUIRE(check(good) == Verdict::accepted);
  auto verdict = [&](auto&& edit) {
    json c = good;
    edit(c);
    return check(c);
  };
  const std::size_t r = row_of(good, 7, 1);  // 16 words at distance >= 3
  // A planted wrong optimality claim: one word dropped, 15 claimed optimal. The checker's own search
  // finds 16 and rejects (Singleton and Plotkin do not apply here).
  CHECK(verdict([&](json& c) {
    auto& w = c["instance"]["rows"][r]["words"];
    w.erase(w.begin() + 3);
    c["claim"]["rows"][r]["lower"] = "15";
  }) == Verdict::rejected);
  // ... the same row honestly marked a lower bound is accepted
  CHECK(verdict([&](json& c) {
    auto& w = c["instance"]["rows"][r]["words"];
    w.erase(w.begin() + 3);
    c["claim"]["rows"][r]["lower"] = "15";
    c["claim"]["rows"][r]["optimal"] = false;
  }) == Verdict::accepted);
  // A planted wrong optimum where a bound decides: d = 5, t = -1 (D = 3), 3 of the 4 words kept.
  const std::size_t r5 = row_of(good, 5, -1);
  CHECK(verdict([&](json& c) {
    auto& w = c["instance"]["rows"][r5]["words"];
    w.erase(w.begin());
    c["claim"]["rows"][r5]["lower"] = "3";
  }) == Verdict::rejected);
  // a word changed so that two words come too close
  CHECK(verdict([&](json& c) {
    auto& w = c["instance"]["rows"][r]["words"];
    std::string s = w[1];
    s[0] = s[0] == '0' ? '1' : '0';
    w[1] = s;
  }) == Verdict::rejected);
  // a duplicated word to claim one more
  CHECK(verdict([&](json& c) {
    auto& w = c["instance"]["rows"][r]["words"];
    w.push_back(w[0]);
    c["claim"]["rows"][r]["lower"] = "17";
  }) == Verdict::rejected);
  // lower above the witness
  CHECK(verdict([&](json& c) { c["claim"]["rows"][r]["lower"] = "17"; }) == Verdict::rejected);
  // D not ceil((d - t)/2); a row's t moved; rows reordered; unknown kind; a non-boolean flag
  CHECK(verdict([&](json& c) { c["claim"]["rows"][r]["D"] = "4"; }) == Verdict::rejected);
  CHECK(verdict([&](json& c) { c["claim"]["rows"][r]["t"] = "3"; }) == Verdict::malformed);
  CHECK(verdict([&](json& c) { std::swap(c["instance"]["rows"][0], c["instance"]["rows"][1]); }) == Verdict::malformed);
  CHECK(verdict([&](json& c) { c["claim"]["kind"] = "packing"; }) == Verdict::malformed);
  CHECK(verdict([&](json& c) { c["claim"]["rows"][r]["optimal"] = "true"; }) == Verdict::malformed);
  CHECK(verdict([&](json& c) { c["instance"]["rows"][r]["words"][0] = "01x0101"; }) == Verdict::malformed);
  CHECK(verdict([&](json& c) { c["parameters"]["d_max"] = "11"; }) == Verdict::malformed);
  // The exhaustive search counts against --max-pairs: a tiny budget leaves the optimum inconclusive.
  CHECK(check(good, 64) == Verdict::inconclusive);
}

TEST_CASE("verify packing rejects bad input naming the parameter", "[packing]") {
  auto bad = [](verifiers::PackingOptions o, const std::string& name) {
    verifiers::CommonOptions opt;
    opt.quiet = true;
    try {
      verifiers::verify_packing(o, opt);
    } catch (const verifiers::BadInput& e) {
      return std::string(e.what()).rfind(name, 0) == 0;
    }
    return false;
  };
  verifiers::PackingOptions o;
  o.d_min = 1;
  CHECK(bad(o, "--d"));
  o.d_min = 2;
  o.d_max = 11;
  CHECK(bad(o, "--d"));
  o.d_max = 4;
  o.t = 4;  // t <= d - 1 for every d: 4 > 2 - 1
  CHECK(bad(o, "--t"));
  o.t = -3;  // t >= -d: -3 < -2
  CHECK(bad(o, "--t"));
  o.t.reset();
  o.timeout_ms = 0;
  CHECK(bad(o, "--timeout-ms"));
}
