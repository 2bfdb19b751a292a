// Small lemmas proved with Z3 under attncert's trust policy:
//   unsat of (assumptions /\ not lemma)  => proved;
//   sat                                  => refuted only if the model is rational and our own exact
//                                           evaluator confirms it violates the lemma;
//   anything else (unknown, timeout, irrational model, Z3 error) => inconclusive, never proved.
// Only lemma code includes this header (it pulls in z3++.h).
#pragma once
#include <z3++.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attncert/core/rational.hpp"

namespace attncert::core {

enum class LemmaVerdict { proved, refuted, inconclusive };
const char* to_string(LemmaVerdict v);

struct LemmaResult {
  std::string name;     // lemma name given by caller
  LemmaVerdict verdict = LemmaVerdict::inconclusive;
  std::string reason;   // one line, e.g. "unsat", "unknown: timeout", "model has irrational value for x"
  std::vector<std::pair<std::string, std::string>> counterexample;  // var -> "p/q"; only when refuted
  double seconds = 0;
};

// Proves `assumptions => lemma` by checking `assumptions /\ not lemma` with a solver timeout of
// `timeout_ms`. Never throws for Z3 errors (they give inconclusive). Counterexample entries are
// sorted by name and cover every constant of the query; Bool constants are written "1"/"0".
LemmaResult prove(z3::context& ctx, const std::string& name, const z3::expr& lemma,
                  unsigned timeout_ms = 10000, const std::vector<z3::expr>& assumptions = {});

// Values of 0-ary constants, by name. Bool constants take 1 (true) or 0 (false).
using ExactEnv = std::map<std::string, Rational>;

// Exact evaluation of a Bool or arithmetic expression; Bool results are 1 (true) / 0 (false).
// Supports numerals, 0-ary constants (from `env`), + - * / unary-minus, < <= > >= = distinct,
// and or not => ite, true/false, to_real, and power with a non-negative integer numeral exponent
// (at most 4096; 0^0 is not evaluated). and/or/=>/ite use Kleene logic: a decided operand
// decides the result even if another operand cannot be evaluated (sound, since Z3 treats x/0 as
// some total function). Returns nullopt on division by zero, a missing constant, or anything else.
std::optional<Rational> eval_exact(const z3::expr& e, const ExactEnv& env);
// eval_exact for a Bool expression (nullopt if `e` is not Bool or cannot be evaluated).
std::optional<bool> eval_bool(const z3::expr& e, const ExactEnv& env);

}  // namespace attncert::core
