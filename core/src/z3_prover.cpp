#include "attncert/core/z3_prover.hpp"
#include "attncert/core/z3_watchdog.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace attncert::core {

const char* to_string(LemmaVerdict v) {
  switch (v) {
    case LemmaVerdict::proved: return "proved";
    case LemmaVerdict::refuted: return "refuted";
    case LemmaVerdict::inconclusive: return "inconclusive";
  }
  return "?";
}

namespace {

using Watchdog = Z3Watchdog;  // the time limit (z3_watchdog.hpp)

using Value = std::optional<Rational>;

Value truth(bool b) { return Rational(b ? 1 : 0); }

// A rational numeral's exact value; nullopt for irrational algebraic numbers and non-numerals.
Value numeral_value(const z3::expr& e) {
  if (e.is_algebraic() || !e.is_numeral()) return std::nullopt;
  return parse_rational(Z3_get_numeral_string(e.ctx(), e), "z3 numeral");
}

// True if cmp holds between every pair of neighbours (binary in practice).
template <class Cmp>
Value chain(const std::vector<Rational>& v, Cmp cmp) {
  if (v.size() < 2) return std::nullopt;
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!cmp(v[i - 1], v[i])) return truth(false);
  return truth(true);
}

Value power(const z3::expr& e, const Rational& base, const Rational& exp) {
  constexpr long max_exp = 4096;
  if (!e.arg(1).is_numeral() || denominator(exp) != 1 || exp < 0 || exp > max_exp) return std::nullopt;
  long n = numerator(exp).convert_to<long>();
  if (n == 0 && base == 0) return std::nullopt;  // Z3 leaves 0^0 uninterpreted
  Rational result = 1, b = base;
  for (; n > 0; n >>= 1, b *= b)
    if (n & 1) result *= b;
  return result;
}

// Every uninterpreted 0-ary constant in e, each once.
void collect_constants(const z3::expr& e, std::set<unsigned>& seen, std::vector<z3::expr>& out) {
  if (!e.is_app() || !seen.insert(e.id()).second) return;
  if (e.num_args() == 0 && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) out.push_back(e);
  for (unsigned i = 0; i < e.num_args(); ++i) collect_constants(e.arg(i), seen, out);
}

}  // namespace

Value eval_exact(const z3::expr& e, const ExactEnv& env) {
  if (!e.is_app()) return std::nullopt;  // quantifiers, bound variables
  if (e.is_numeral() || e.is_algebraic()) return numeral_value(e);
  const Z3_decl_kind kind = e.decl().decl_kind();
  const unsigned n = e.num_args();
  auto arg = [&](unsigned i) { return eval_exact(e.arg(i), env); };

  switch (kind) {  // operators that do not need every argument
    case Z3_OP_TRUE: return truth(true);
    case Z3_OP_FALSE: return truth(false);
    case Z3_OP_UNINTERPRETED: {
      if (n != 0) return std::nullopt;
      auto it = env.find(e.decl().name().str());
      return it == env.end() ? std::nullopt : Value(it->second);
    }
    case Z3_OP_AND:
    case Z3_OP_OR: {  // Kleene: one deciding operand (false for and, true for or) decides
      const bool decider = kind == Z3_OP_OR;
      bool undecided = false;
      for (unsigned i = 0; i < n; ++i) {
        Value v = arg(i);
        if (!v) undecided = true;
        else if ((*v != 0) == decider) return truth(decider);
      }
      return undecided ? std::nullopt : truth(!decider);
    }
    case Z3_OP_IMPLIES: {
      if (n != 2) return std::nullopt;
      Value a = arg(0), b = arg(1);
      if ((a && *a == 0) || (b && *b != 0)) return truth(true);
      return a && b ? truth(false) : std::nullopt;
    }
    case Z3_OP_NOT: {
      Value a = arg(0);
      return a ? truth(*a == 0) : std::nullopt;
    }
    case Z3_OP_ITE: {
      Value c = arg(0);
      return c ? arg(*c != 0 ? 1 : 2) : std::nullopt;
    }
    case Z3_OP_TO_REAL: return arg(0);
    default: break;
  }

  std::vector<Rational> v;  // the remaining operators are strict
  for (unsigned i = 0; i < n; ++i) {
    Value a = arg(i);
    if (!a) return std::nullopt;
    v.push_back(*a);
  }
  switch (kind) {
    case Z3_OP_UMINUS: return n == 1 ? Value(-v[0]) : std::nullopt;
    case Z3_OP_ADD: {
      Rational s = 0;
      for (const auto& x : v) s += x;
      return s;
    }
    case Z3_OP_MUL: {
      Rational p = 1;
      for (const auto& x : v) p *= x;
      return p;
    }
    case Z3_OP_SUB:
    case Z3_OP_DIV: {
      if (n < 2) return std::nullopt;
      Rational r = v[0];
      for (unsigned i = 1; i < n; ++i) {
        if (kind == Z3_OP_SUB) r -= v[i];
        else if (v[i] == 0) return std::nullopt;
        else r /= v[i];
      }
      return r;
    }
    case Z3_OP_LT: return chain(v, [](const Rational& a, const Rational& b) { return a < b; });
    case Z3_OP_LE: return chain(v, [](const Rational& a, const Rational& b) { return a <= b; });
    case Z3_OP_GT: return chain(v, [](const Rational& a, const Rational& b) { return a > b; });
    case Z3_OP_GE: return chain(v, [](const Rational& a, const Rational& b) { return a >= b; });
    case Z3_OP_EQ:
    case Z3_OP_IFF: return chain(v, [](const Rational& a, const Rational& b) { return a == b; });
    case Z3_OP_DISTINCT:
      for (unsigned i = 0; i < n; ++i)
        for (unsigned j = i + 1; j < n; ++j)
          if (v[i] == v[j]) return truth(false);
      return truth(true);
    case Z3_OP_POWER: return n == 2 ? power(e, v[0], v[1]) : std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<bool> eval_bool(const z3::expr& e, const ExactEnv& env) {
  if (!e.is_bool()) return std::nullopt;
  Value v = eval_exact(e, env);
  return v ? std::optional<bool>(*v != 0) : std::nullopt;
}

LemmaResult prove(z3::context& ctx, const std::string& name, const z3::expr& lemma,
                  unsigned timeout_ms, const std::vector<z3::expr>& assumptions) {
  const auto start = std::chrono::steady_clock::now();
  LemmaResult r;
  r.name = name;
  auto finish = [&](LemmaVerdict verdict, std::string reason) {
    r.verdict = verdict;
    r.reason = std::move(reason);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  };
  try {
    z3::expr_vector parts(ctx);
    for (const auto& a : assumptions) parts.push_back(a);
    parts.push_back(!lemma);
    const z3::expr query = z3::mk_and(parts);

    z3::solver solver(ctx);
    solver.add(query);
    z3::check_result res;
    {
      Watchdog limit(ctx, timeout_ms);
      res = solver.check();
    }
    switch (res) {
      case z3::unsat: return finish(LemmaVerdict::proved, "unsat");
      case z3::unknown: return finish(LemmaVerdict::inconclusive, "unknown: " + solver.reason_unknown());
      case z3::sat: break;
    }

    // Re-check the model exactly: every constant gets a rational (absent ones are completed to 0).
    const z3::model model = solver.get_model();
    std::set<unsigned> seen;
    std::vector<z3::expr> constants;
    collect_constants(query, seen, constants);
    ExactEnv env;
    for (const auto& c : constants) {
      const std::string var = c.decl().name().str();
      const z3::expr value = model.eval(c, true);
      if (value.is_algebraic())
        return finish(LemmaVerdict::inconclusive, "model has irrational value for " + var);
      Value x = value.is_true() ? truth(true) : value.is_false() ? truth(false) : numeral_value(value);
      if (!x) return finish(LemmaVerdict::inconclusive, "model value for " + var + " is not a numeral");
      if (!env.emplace(var, *x).second)
        return finish(LemmaVerdict::inconclusive, "two constants named " + var);
    }
    const std::optional<bool> violated = eval_bool(query, env);
    if (!violated) return finish(LemmaVerdict::inconclusive, "model cannot be evaluated exactly");
    if (!*violated) return finish(LemmaVerdict::inconclusive, "model failed exact re-check");
    for (const auto& [var, x] : env) r.counterexample.emplace_back(var, to_string(x));
    return finish(LemmaVerdict::refuted, "counterexample re-checked exactly");
  } catch (const z3::exception& ex) {
    return finish(LemmaVerdict::inconclusive, std::string("z3 error: ") + ex.msg());
  } catch (const std::invalid_argument& ex) {  // a numeral we could not read
    return finish(LemmaVerdict::inconclusive, ex.what());
  }
}

}  // namespace attncert::core
