#include <catch2/catch.hpp>

#include "attncert/core/z3_prover.hpp"

using namespace attncert::core;

namespace {
Rational value_of(const LemmaResult& r, const std::string& var) {
  for (const auto& [name, text] : r.counterexample)
    if (name == var) return parse_rational(text, var);
  FAIL("no counterexample value for " << var);
  return 0;
}
}  // namespace

TEST_CASE("a true polynomial inequality is proved", "[z3]") {
  z3::context c;
  const z3::expr x = c.real_const("x"), y = c.real_const("y");
  const LemmaResult r = prove(c, "sum of squares", x * x + y * y >= 2 * x * y);
  CHECK(r.name == "sum of squares");
  CHECK(r.verdict == LemmaVerdict::proved);
  CHECK(r.reason == "unsat");
  CHECK(r.counterexample.empty());
  CHECK(std::string(to_string(r.verdict)) == "proved");
}

TEST_CASE("convex-combination lemma, as implication and through assumptions", "[z3]") {
  z3::context c;
  const z3::expr w = c.real_const("w"), u = c.real_const("u"), v = c.real_const("v"),
                 z = c.real_const("z");
  const std::vector<z3::expr> hyps = {w > c.real_val(1, 2), w <= 1, v == 1 || v == -1,
                                      u >= -1, u <= 1, z == w * v + (1 - w) * u};
  const z3::expr lemma = z * v >= 2 * w - 1;

  z3::expr_vector hv(c);
  for (const auto& h : hyps) hv.push_back(h);
  CHECK(prove(c, "implication", z3::implies(z3::mk_and(hv), lemma)).verdict == LemmaVerdict::proved);
  CHECK(prove(c, "assumptions", lemma, 10000, hyps).verdict == LemmaVerdict::proved);

  // Without the bound u >= -1 the lemma is false; the counterexample must re-check exactly.
  std::vector<z3::expr> weaker = hyps;
  weaker.erase(weaker.begin() + 3);
  const LemmaResult r = prove(c, "weaker", lemma, 10000, weaker);
  REQUIRE(r.verdict == LemmaVerdict::refuted);
  const Rational W = value_of(r, "w"), U = value_of(r, "u"), V = value_of(r, "v"), Z = value_of(r, "z");
  CHECK(W > Rational(1, 2));
  CHECK(W <= 1);
  CHECK((V == 1 || V == -1));
  CHECK(U <= 1);
  CHECK(Z == W * V + (1 - W) * U);
  CHECK(Z * V < 2 * W - 1);
}

TEST_CASE("a false lemma is refuted with an exact counterexample", "[z3]") {
  z3::context c;
  const z3::expr x = c.real_const("x");
  const LemmaResult r = prove(c, "square grows", z3::implies(x > 0, x * x > x));
  REQUIRE(r.verdict == LemmaVerdict::refuted);
  CHECK(r.reason == "counterexample re-checked exactly");
  REQUIRE(r.counterexample.size() == 1);
  const Rational X = value_of(r, "x");
  CHECK(X > 0);
  CHECK(X * X <= X);
}

TEST_CASE("an irrational model is inconclusive, not refuted", "[z3]") {
  z3::context c;
  const z3::expr x = c.real_const("x");
  const LemmaResult r = prove(c, "no root of 2", !(x * x == 2));
  CHECK(r.verdict == LemmaVerdict::inconclusive);
  CHECK(r.reason == "model has irrational value for x");
  CHECK(r.counterexample.empty());
}

TEST_CASE("a model that depends on division by zero is inconclusive", "[z3]") {
  z3::context c;
  const z3::expr x = c.real_const("x");
  // Z3 treats x/0 as an arbitrary total function, so it finds a "counterexample" that our exact
  // evaluator cannot confirm.
  const LemmaResult r = prove(c, "div by zero", x / c.real_val(0) == 0);
  CHECK(r.verdict == LemmaVerdict::inconclusive);
  CHECK(r.reason == "model cannot be evaluated exactly");
}

TEST_CASE("unknown and timeouts never become proved", "[z3]") {
  z3::context c;
  const z3::expr x = c.int_const("x"), y = c.int_const("y"), z = c.int_const("z");
  // False lemma (Pell: the least solution is x = 1766319049, y = 226153980): a wrapper that maps
  // unknown/timeout to proved fails here; a correct one may only say inconclusive or refuted.
  const LemmaResult pell = prove(c, "pell", !(x * x - 61 * y * y == 1 && y >= 1), 50);
  CHECK(pell.verdict != LemmaVerdict::proved);
  if (pell.verdict == LemmaVerdict::inconclusive) CHECK(pell.reason.rfind("unknown: ", 0) == 0);
  CHECK(pell.seconds < 5);

  // True lemma (Fermat, n = 3) that Z3 cannot prove: it must never be refuted.
  const LemmaResult fermat = prove(c, "fermat3", !(x * x * x + y * y * y == z * z * z), 50,
                                   {x >= 1, y >= 1, z >= 1});
  CHECK(fermat.verdict != LemmaVerdict::refuted);
  if (fermat.verdict == LemmaVerdict::inconclusive) CHECK(fermat.reason.rfind("unknown: ", 0) == 0);
}

TEST_CASE("exact evaluator", "[z3]") {
  z3::context c;
  const z3::expr x = c.real_const("x"), y = c.real_const("y"), n = c.int_const("n"),
                 b = c.bool_const("b");
  const ExactEnv env = {{"x", Rational(1, 2)}, {"y", 6}, {"n", -3}, {"b", 1}};

  CHECK(eval_exact((x + c.real_val(1, 3)) * y, env) == Rational(5));
  CHECK(eval_exact(-x - y / 4, env) == Rational(-2));
  CHECK(eval_exact(z3::pw(x, 3), env) == Rational(1, 8));
  CHECK(eval_exact(n * n + 2 * n, env) == Rational(3));
  CHECK(eval_exact(z3::to_real(n) / 2, env) == Rational(-3, 2));
  CHECK(eval_exact(z3::ite(x < y, x, y), env) == Rational(1, 2));

  CHECK(eval_bool(x * 2 == 1, env) == true);
  z3::expr_vector xs(c);
  xs.push_back(x);
  xs.push_back(y);
  xs.push_back(c.real_val(1, 2));
  CHECK(eval_bool(z3::distinct(xs), env) == false);
  CHECK(eval_bool(z3::implies(x > y, c.bool_val(false)), env) == true);
  CHECK(eval_bool(b && !(x >= y), env) == true);
  CHECK(eval_bool(b || (x <= 0), env) == true);

  // Division by zero, unknown constants, unsupported operators: not evaluable.
  CHECK(eval_exact(x / (y - 6), env) == std::nullopt);
  CHECK(eval_bool(x / (y - 6) > 1, env) == std::nullopt);
  CHECK(eval_exact(x + c.real_const("missing"), env) == std::nullopt);
  CHECK(eval_exact(z3::mod(n, 2), env) == std::nullopt);
  CHECK(eval_exact(z3::pw(x, y * x), env) == std::nullopt);  // non-numeral exponent
  CHECK(eval_exact(x, env) == Rational(1, 2));
  CHECK(eval_bool(x, env) == std::nullopt);  // not a Bool

  // Kleene logic: a decided operand decides even if another operand divides by zero.
  CHECK(eval_bool(c.bool_val(false) && (x / (y - 6) > 1), env) == false);
  CHECK(eval_bool(b || (x / (y - 6) > 1), env) == true);
  CHECK(eval_bool(b && (x / (y - 6) > 1), env) == std::nullopt);
}

// A limit that passes before Z3's check() begins must still stop it: Z3 clears a pending
// interrupt when a check starts, so the watchdog repeats it (a 1 ms limit once never fired).
TEST_CASE("a 1 ms limit is enforced even when it passes before the check starts", "[z3]") {
  z3::context c;
  const z3::expr x = c.int_const("x"), y = c.int_const("y"), z = c.int_const("z");
  for (int k = 0; k < 20; ++k) {
    const LemmaResult r = prove(c, "fermat3", !(x * x * x + y * y * y == z * z * z), 1, {x >= 1, y >= 1, z >= 1});
    CHECK(r.verdict != LemmaVerdict::proved);
    CHECK(r.seconds < 5);
  }
}
