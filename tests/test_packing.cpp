#include <catch2/catch.hpp>

#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/packing.hpp"

using namespace attncert;
using reductions::Code;
using reductions::SatAnswer;

TEST_CASE("packing: t maps to the minimum distance D = ceil((d - t)/2)", "[packing]") {
  CHECK(reductions::packing_min_distance(8, 2) == 3);
  CHECK(reductions::packing_min_distance(8, 1) == 4);  // odd t against even d: same D as t = 0
  CHECK(reductions::packing_min_distance(8, 0) == 4);
  CHECK(reductions::packing_min_distance(8, -8) == 8);
  CHECK(reductions::packing_min_distance(5, 4) == 1);
  CHECK(reductions::sign_inner_product(0b0000, 0b1111, 4) == -4);
  CHECK(reductions::sign_inner_product(0b0101, 0b0110, 4) == 0);
  for (auto [d, t, name] : {std::tuple{1, 0, "d"}, std::tuple{17, 0, "d"}, std::tuple{6, 6, "t"}, std::tuple{6, -7, "t"}}) {
    try {
      reductions::packing_min_distance(d, t);
      FAIL("no ParameterError for d = " << d << ", t = " << t);
    } catch (const reductions::ParameterError& e) {
      CHECK(e.parameter == name);
    }
  }
  CHECK_THROWS_AS(reductions::packing_exists(5, 1, 0, 1000), reductions::ParameterError);
}

TEST_CASE("packing: the exact check rejects planted wrong codes", "[packing]") {
  CHECK(reductions::is_packing({0b00000, 0b00111, 0b11001, 0b11110}, 5, -1));  // D = 3: a code of size 4
  CHECK_FALSE(reductions::is_packing({0b00000, 0b00111, 0b11001, 0b11100}, 5, -1));  // 00111 vs 11100: distance 2
  CHECK_FALSE(reductions::is_packing({0b00000, 0b00000}, 5, 4));       // repeated word
  CHECK_FALSE(reductions::is_packing({0b100000}, 5, 4));               // word outside {0,1}^5
}

TEST_CASE("packing numbers for d <= 5 by SAT equal exhaustive search and the code tables", "[packing][z3]") {
  for (int d = 2; d <= 5; ++d)
    for (int t = -d; t <= d - 1; t += 2) {  // t with the parity of d: D = d, d-1, ..., 1
      const int D = reductions::packing_min_distance(d, t);
      const auto p = reductions::packing_number(d, t, 20000);
      INFO("d = " << d << ", t = " << t << ", D = " << D);
      REQUIRE(p.exact);
      CHECK(reductions::is_packing(p.best, d, t));
      const int brute = reductions::brute_force_packing_number(d, t);
      CHECK(static_cast<int>(p.best.size()) == brute);
      REQUIRE(p.known);
      CHECK(*p.known == brute);
    }
}

TEST_CASE("packing: exhaustive search for d = 6 against the table, including A(6,3) = 8", "[packing]") {
  for (int D = 1; D <= 6; ++D) {
    const int t = 6 - 2 * D;
    INFO("D = " << D);
    CHECK(reductions::brute_force_packing_number(6, t) == *reductions::known_binary_code_size(6, D));
  }
  CHECK(reductions::brute_force_packing_number(6, 0) == 8);  // D = 3
}

TEST_CASE("packing: the clique search agrees with exhaustive search and the table", "[packing]") {
  for (int d = 2; d <= 6; ++d)
    for (int t = -d; t <= d - 2; t += 2) {
      INFO("d = " << d << ", t = " << t);
      const auto c = reductions::clique_packing_number(d, t);
      REQUIRE(c);
      CHECK(*c == reductions::brute_force_packing_number(d, t));
    }
  CHECK(reductions::clique_packing_number(7, 1) == 16);  // A(7,3): the Hamming code is optimal
  CHECK(reductions::clique_packing_number(8, 0) == 16);  // A(8,4)
  CHECK(reductions::clique_packing_number(7, -1) == 8);  // A(7,4)
  CHECK(reductions::clique_packing_number(8, -2) == 4);  // A(8,5)
  CHECK_FALSE(reductions::clique_packing_number(8, 2, 10).has_value());  // a tiny budget: inconclusive
}

TEST_CASE("packing: sat at the optimum is re-checked, unsat one above; symmetry breaking changes no answer", "[packing][z3]") {
  // A(7,3) = 16 (the Hamming code): 16 words exist, and A(7,4) = A(6,3) = 8 so 9 do not at D = 4.
  const auto yes = reductions::packing_exists(7, 1, 16, 30000);
  CHECK(yes.answer == SatAnswer::sat);
  CHECK(reductions::is_packing(yes.code, 7, 1));
  CHECK(yes.code.size() == 16);
  CHECK(reductions::packing_exists(7, -1, 9, 30000).answer == SatAnswer::unsat);
  // Without symmetry breaking the answers agree on small cases (A(5,3) = 4, A(6,4) = 4).
  for (bool sb : {true, false}) {
    CHECK(reductions::packing_exists(5, -1, 4, 20000, sb).answer == SatAnswer::sat);
    CHECK(reductions::packing_exists(5, -1, 5, 20000, sb).answer == SatAnswer::unsat);
    CHECK(reductions::packing_exists(6, -2, 5, 20000, sb).answer == SatAnswer::unsat);
  }
  // A wrong claim "A(5,3) >= 5" is never certified: the query at 5 is unsat.
  const auto p = reductions::packing_number(5, -1, 20000);
  CHECK(p.best.size() == 4);
  CHECK(p.exact);
  REQUIRE_FALSE(p.queries.empty());
  CHECK(p.queries.back().N == 5);
  CHECK(p.queries.back().answer == SatAnswer::unsat);
}

TEST_CASE("packing: a timeout is inconclusive, never a proof", "[packing][z3]") {
  // A(10,3) = 72 is far beyond a 1 ms budget: the answer is unknown, and packing_number keeps only
  // the greedy lower bound, not exact.
  const auto q = reductions::packing_exists(10, 4, 73, 1);
  CHECK(q.answer == SatAnswer::unknown);
  const auto p = reductions::packing_number(10, 4, 1);
  CHECK_FALSE(p.exact);
  CHECK(reductions::is_packing(p.best, 10, 4));
  CHECK(p.known == 72);
}
