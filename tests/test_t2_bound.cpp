// T2's bounded-entry lower bound (reductions/include/attncert/reductions/t2.hpp): the chosen code's
// row against T1's certify_t1 on the explicit instance, the spec's coarse form, instances that
// must not certify, and bad input.
#include <catch2/catch.hpp>

#include "attncert/core/interval.hpp"
#include "attncert/reductions/codes.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/t2.hpp"

using namespace attncert;
using core::Rational;
namespace red = attncert::reductions;

namespace {

red::T1Report explicit_t1(const red::T2Row& row) {
  core::SignMatrix keys = red::t2_keys(row);
  return red::certify_t1(keys, core::gram_histogram(keys), row.prm);
}

void expect_parameter_error(const red::T2Request& r, const std::string& parameter) {
  try {
    red::bounded_entry_bound(r);
    FAIL("accepted bad " << parameter);
  } catch (const red::ParameterError& e) {
    CHECK(e.parameter == parameter);
  }
}

}  // namespace

TEST_CASE("T2 bounded-entry bound equals T1's certification of the explicit instance", "[t2]") {
  struct Case { std::size_t d; Rational B; red::Notion notion; Rational eta, delta; };
  std::vector<Case> cases;
  for (std::size_t d = 2; d <= 13; ++d) cases.push_back({d, 1, red::Notion::rel, Rational(1, 4), 0});
  cases.push_back({8, 1, red::Notion::l2, Rational(1, 4), Rational(1, 100)});
  cases.push_back({12, Rational(3, 4), red::Notion::l2, Rational(1, 3), Rational(1, 20)});
  cases.push_back({10, 1, red::Notion::abs, Rational(1, 4), Rational(1, 10)});
  cases.push_back({9, 2, red::Notion::rel, Rational(1, 4), 0});
  cases.push_back({16, Rational(1, 2), red::Notion::rel, Rational(1, 4), 0});
  for (const Case& c : cases) {
    CAPTURE(c.d, core::to_string(c.B), red::to_string(c.notion));
    red::T2Request r;
    r.d = c.d;
    r.B = c.B;
    r.notion = c.notion;
    r.eta = c.eta;
    r.delta = c.delta;
    red::T2Row row = red::bounded_entry_bound(r);
    REQUIRE(row.certified);
    CHECK(row.C == c.B * c.B * Rational(static_cast<long>(c.d)));
    CHECK(row.prm.C == row.C);
    CHECK(row.code.length == c.d);
    CHECK(row.N == (std::size_t{1} << row.code.dimension()));
    // The exact distance and weights are the subcode's, by an independent enumeration.
    CHECK(red::weight_distribution(row.code) == row.weights);
    CHECK(red::min_distance(row.code).distance == row.D);
    CHECK(red::certify_distance(row.code).claim_holds);
    // T1 on the explicit keys (every pair's histogram) gives the same numbers.
    red::T1Report t1 = explicit_t1(row);
    REQUIRE(t1.certified);
    CHECK(t1.w_min == row.w_min);
    CHECK(t1.p == row.p);
    CHECK(t1.bits == row.bits);
    CHECK(t1.bits_ceil == row.bits_ceil);
    CHECK(t1.max_inner == static_cast<long>(c.d) - 2 * static_cast<long>(row.D));
    // The spec's coarse Lemma 1 form is never better than the histogram form.
    CHECK(row.w_spec <= row.w_min);
    CHECK(row.margin == 2 * row.w_min - 1);
    // bits <= N d, and the ratio to d e^d is an enclosure.
    CHECK(row.bits <= Rational(static_cast<long>(row.N * c.d)));
    CHECK(row.ratio_lo <= row.ratio_hi);
    CHECK(row.ratio_lo * row.d_e_d_hi == row.bits);
    core::Interval ded = core::Interval::from_long(static_cast<long>(c.d), 200) * core::exp(core::Interval::from_long(static_cast<long>(c.d), 200));
    CHECK(row.d_e_d_lo <= ded.hi_q());
    CHECK(row.d_e_d_hi >= ded.lo_q());
  }
}

TEST_CASE("T2 picks the best candidate: no listed code certifies more", "[t2]") {
  // At d = 8, B = 1, rel: the even-weight code [8,7,2] (N = 128) beats RM(1,3) (N = 16, D = 4).
  red::T2Request r;
  r.d = 8;
  red::T2Row row = red::bounded_entry_bound(r);
  CHECK(row.N == 128);
  CHECK(row.D == 2);
  CHECK(row.bits == 1024);
  red::T1Params p = row.prm;
  for (red::Code c : {red::reed_muller(1, 3), red::reed_muller(0, 3), red::extend_parity(red::bch(3, 3)), red::reed_muller(3, 3)}) {
    core::SignMatrix keys = red::code_keys(c, static_cast<std::size_t>(c.size()));
    red::T1Report t1 = red::certify_t1(keys, core::gram_histogram(keys), p);
    CHECK((!t1.certified || t1.bits <= row.bits));
  }
  // The whole space {0,1}^8 (N = 256, D = 1) does not isolate its rows at B = 1.
  core::SignMatrix all = red::code_keys(red::reed_muller(3, 3), 256);
  CHECK_FALSE(red::certify_t1(all, core::gram_histogram(all), p).certified);
  // Restricting the families or N never helps.
  for (const char* fam : {"rm", "bch", "ebch"}) {
    red::T2Request f = r;
    f.code = fam;
    red::T2Row g = red::bounded_entry_bound(f);
    CHECK(g.bits <= row.bits);
  }
  for (const char* fam : {"all", "rm", "bch", "ebch"})
    for (std::size_t d = 2; d <= 40; ++d) {
      red::T2Request f;
      f.d = d;
      f.code = fam;
      f.max_log2_N = 12;
      CAPTURE(fam, d);
      red::T2Row g = red::bounded_entry_bound(f);
      CHECK(g.code.length == d);
      CHECK(g.N >= 2);
      CHECK(g.N <= 4096);
    }
  red::T2Request small = r;
  small.max_log2_N = 4;
  red::T2Row s = red::bounded_entry_bound(small);
  CHECK(s.N <= 16);
  CHECK(s.bits <= row.bits);
  CHECK(s.certified);
}

TEST_CASE("T2 does not certify when B is too small to isolate the rows", "[t2]") {
  for (std::size_t d : {2u, 8u, 24u}) {
    red::T2Request r;
    r.d = d;
    r.B = Rational(1, 10);
    red::T2Row row = red::bounded_entry_bound(r);
    CAPTURE(d);
    CHECK_FALSE(row.certified);
    CHECK(row.bits == 0);
    CHECK(row.bits_ceil == 0);
    CHECK(row.reason.find("no candidate code") != std::string::npos);
    // Even the best-isolated pair (N = 2, the repetition-like code) has no margin: w < 1/2.
    CHECK(row.N == 2);
    CHECK(row.w_min * 2 < 1);
    // T1 on the explicit instance agrees: no bound.
    CHECK_FALSE(explicit_t1(row).certified);
  }
  // l2 at d = 4, B = 1/2: a margin exists but the l2 flips reach half the bits.
  red::T2Request r;
  r.d = 4;
  r.B = Rational(1, 2);
  r.notion = red::Notion::l2;
  red::T2Row row = red::bounded_entry_bound(r);
  CHECK_FALSE(row.certified);
  CHECK(row.w_min * 2 > 1);
  CHECK(row.flips > 0);
  CHECK(row.p * 2 >= 1);
  // delta alone >= 1/2 never certifies.
  red::T2Request half;
  half.d = 8;
  half.delta = Rational(1, 2) - Rational(1, 1000000);
  half.notion = red::Notion::rel;
  CHECK(red::bounded_entry_bound(half).certified);  // just below 1/2: a (tiny) bound
  half.delta = Rational(999, 1000);
  CHECK_FALSE(red::bounded_entry_bound(half).certified);
}

TEST_CASE("T2 bad input names the parameter", "[t2]") {
  red::T2Request r;
  r.d = 1;
  expect_parameter_error(r, "d");
  r.d = 257;
  expect_parameter_error(r, "d");
  r.d = 8;
  r.B = 0;
  expect_parameter_error(r, "B");
  r.B = -1;
  expect_parameter_error(r, "B");
  r.B = 1024;  // B^2 d = 2^23: the edge of T1's range is fine ...
  CHECK(red::bounded_entry_bound(r).certified);
  r.B = 1025;  // ... beyond it is not
  expect_parameter_error(r, "B");
  r.B = 1;
  r.code = "golay";
  expect_parameter_error(r, "code");
  r.code = "all";
  r.eta = 1;
  expect_parameter_error(r, "eta");
  r.eta = Rational(1, 4);
  r.delta = -1;
  expect_parameter_error(r, "delta");
  r.delta = 0;
  r.max_log2_N = 0;
  expect_parameter_error(r, "max_log2_N");
  r.max_log2_N = 21;
  expect_parameter_error(r, "max_log2_N");
}
