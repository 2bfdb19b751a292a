#include "attncert/reductions/packing.hpp"

#include "attncert/core/z3_watchdog.hpp"

#include <z3++.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/packing_compare.hpp"

namespace attncert::reductions {

int packing_min_distance(int d, int t) {
  if (d < 2 || d > 16) throw ParameterError("d", "must lie in [2, 16], got " + std::to_string(d));
  if (t < -d || t > d - 1)
    throw ParameterError("t", "must lie in [-d, d-1] = [" + std::to_string(-d) + ", " + std::to_string(d - 1) +
                                  "], got " + std::to_string(t));
  return (d - t + 1) / 2;  // d - t >= 1, so integer division is the ceiling
}

int sign_inner_product(Word u, Word v, int d) { return d - 2 * std::popcount(u ^ v); }

bool is_packing(const Code& code, int d, int t) {
  packing_min_distance(d, t);
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (code[i] >> d) return false;
    for (std::size_t j = i + 1; j < code.size(); ++j)
      if (code[i] == code[j] || sign_inner_product(code[i], code[j], d) > t) return false;
  }
  return true;
}

namespace {
// Whether w is at Hamming distance >= D from every word of `kept` (the greedy step of both
// greedy_lexicode and random_greedy_packing).
bool far_from_all(const std::vector<Word>& kept, Word w, int D) {
  return std::none_of(kept.begin(), kept.end(), [&](Word u) { return std::popcount(u ^ w) < D; });
}
}  // namespace

Code greedy_lexicode(int d, int t) {
  const int D = packing_min_distance(d, t);
  Code c;
  for (Word w = 0; w < (Word(1) << d); ++w)
    if (far_from_all(c, w, D)) c.push_back(w);
  return c;
}

namespace {
// Maximum clique containing vertex 0 in the graph on {0,1}^d with edges at distance >= D:
// candidates as a 64-bit mask, bound |R| + |P|.
void clique(std::uint64_t P, int size, int& best, const std::vector<std::uint64_t>& adj) {
  if (P == 0) {
    best = std::max(best, size);
    return;
  }
  if (size + std::popcount(P) <= best) return;
  const int v = std::countr_zero(P);
  clique(P & adj[v] & ~((std::uint64_t(2) << v) - 1), size + 1, best, adj);  // take v (only later vertices)
  clique(P & ~(std::uint64_t(1) << v), size, best, adj);                     // leave v
}
}  // namespace

int brute_force_packing_number(int d, int t) {
  const int D = packing_min_distance(d, t);
  if (d > 6) throw ParameterError("d", "brute force is for d <= 6, got " + std::to_string(d));
  const int n = 1 << d;
  std::vector<std::uint64_t> adj(n, 0);
  for (int u = 0; u < n; ++u)
    for (int v = 0; v < n; ++v)
      if (std::popcount(static_cast<unsigned>(u ^ v)) >= D) adj[u] |= std::uint64_t(1) << v;
  int best = 1;
  clique(adj[0], 1, best, adj);
  return best;
}

namespace {
// 256-vertex bitsets for the clique search.
struct Set256 {
  std::uint64_t w[4] = {0, 0, 0, 0};
  void set(int v) { w[v >> 6] |= std::uint64_t(1) << (v & 63); }
  void reset(int v) { w[v >> 6] &= ~(std::uint64_t(1) << (v & 63)); }
  bool empty() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
  Set256 operator&(const Set256& o) const {
    Set256 r;
    for (int i = 0; i < 4; ++i) r.w[i] = w[i] & o.w[i];
    return r;
  }
  int first() const {
    for (int i = 0; i < 4; ++i)
      if (w[i]) return i * 64 + std::countr_zero(w[i]);
    return -1;
  }
};

struct CliqueSearch {
  std::vector<Set256> adj;
  int best = 0;
  long nodes = 0, budget = 0;
  bool out_of_budget = false;

  // MCQ: colour P greedily (each colour class an independent set); a vertex of colour k can lead to
  // a clique of at most size + k. Vertices are expanded from the highest colour down.
  void expand(int size, Set256 P) {
    if (++nodes > budget) {
      out_of_budget = true;
      return;
    }
    std::vector<int> order, colour;
    Set256 uncoloured = P;
    for (int k = 1; !uncoloured.empty(); ++k) {
      Set256 Q = uncoloured;
      while (!Q.empty()) {
        const int v = Q.first();
        Q.reset(v);
        uncoloured.reset(v);
        for (int i = 0; i < 4; ++i) Q.w[i] &= ~adj[v].w[i];  // same colour only for non-neighbours
        order.push_back(v);
        colour.push_back(k);
      }
    }
    for (std::size_t idx = order.size(); idx-- > 0;) {
      if (size + colour[idx] <= best || out_of_budget) return;
      const int v = order[idx];
      const Set256 next = P & adj[v];
      if (next.empty()) best = std::max(best, size + 1);
      else expand(size + 1, next);
      P.reset(v);
    }
  }
};
}  // namespace

std::optional<int> clique_packing_number(int d, int t, long node_budget) {
  const int D = packing_min_distance(d, t);
  if (d > 8) throw ParameterError("d", "the clique search is for d <= 8, got " + std::to_string(d));
  const int n = 1 << d;
  CliqueSearch s;
  s.adj.resize(n);
  s.budget = node_budget;
  for (int u = 0; u < n; ++u)
    for (int v = 0; v < n; ++v)
      if (std::popcount(static_cast<unsigned>(u ^ v)) >= D) s.adj[u].set(v);
  s.best = 1;
  s.expand(1, s.adj[0]);  // cliques through the zero word (translation loses nothing)
  if (s.out_of_budget) return std::nullopt;
  return s.best;
}

namespace {
std::string x(int i, int k) { return "x_" + std::to_string(i) + "_" + std::to_string(k); }

// a <lex b (strict) or a <=lex b over Boolean terms, false < true, first position most significant:
//   lt(a, b) = (¬a_0 ∧ b_0) ∨ (a_0 = b_0 ∧ lt(a_1.., b_1..)),  lt(empty) = false, le(empty) = true.
std::string lex(const std::vector<std::string>& a, const std::vector<std::string>& b, bool strict) {
  std::string s = strict ? "false" : "true";
  for (std::size_t p = a.size(); p-- > 0;)
    s = "(or (and (not " + a[p] + ") " + b[p] + ") (and (= " + a[p] + " " + b[p] + ") " + s + "))";
  return s;
}
}  // namespace

// Symmetry breaking, and why it loses no packing. The symmetries of the Hamming cube used:
// translation by a word (w -> w xor a) and coordinate permutations; both preserve distances, and
// so does reordering the words of a code. Given any code C of N words with minimum distance >= D:
//  (1) translate by one of its words: the result contains the zero word;
//  (2) among all N x d matrices whose rows are the words of this code in some order with columns
//      in some order, take the least one in the row-major reading (false < true). If some row were
//      lexicographically greater than the next, swapping them would make the reading smaller; if
//      some column were greater than the next (top row most significant), then at the first row r
//      where they differ the left column has 1 and the right 0, the rows above r are unchanged by
//      swapping the two columns and row r becomes smaller: again a smaller reading. So the least
//      matrix has rows non-decreasing (strictly, since words are distinct) and columns
//      non-decreasing. Column permutations keep the zero word in the code, and the zero word is
//      the lexicographically least row, so it is row 0.
// Hence a code of size N exists iff one exists that satisfies: row 0 = 0, rows strictly
// increasing, columns non-decreasing. These constraints prune only symmetric copies.
std::string packing_smtlib2(int d, int t, int N, bool symmetry_breaking) {
  const int D = packing_min_distance(d, t);
  if (N < 1 || N > 4096) throw ParameterError("N", "must lie in [1, 4096], got " + std::to_string(N));
  std::ostringstream s;
  s << "; " << N << " words of {0,1}^" << d << " at pairwise distance >= " << D << " (inner product <= " << t << ")\n";
  s << "(set-logic QF_FD)\n";
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < d; ++k) s << "(declare-const " << x(i, k) << " Bool)\n";
  for (int i = 0; i < N; ++i)
    for (int j = i + 1; j < N; ++j) {
      s << "(assert ((_ at-least " << D << ")";
      for (int k = 0; k < d; ++k) s << " (xor " << x(i, k) << " " << x(j, k) << ")";
      s << "))\n";
    }
  if (symmetry_breaking) {
    for (int k = 0; k < d; ++k) s << "(assert (not " << x(0, k) << "))\n";
    std::vector<std::vector<std::string>> rows(N), cols(d);
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < d; ++k) {
        rows[i].push_back(x(i, k));
        cols[k].push_back(x(i, k));
      }
    for (int i = 0; i + 1 < N; ++i) s << "(assert " << lex(rows[i], rows[i + 1], true) << ")\n";
    for (int k = 0; k + 1 < d; ++k) s << "(assert " << lex(cols[k], cols[k + 1], false) << ")\n";
  }
  s << "(check-sat)\n";
  return s.str();
}

const char* to_string(SatAnswer a) {
  switch (a) {
    case SatAnswer::sat: return "sat";
    case SatAnswer::unsat: return "unsat";
    default: return "unknown";
  }
}

using Watchdog = core::Z3Watchdog;  // the wall-clock limit (core/z3_watchdog.hpp)

PackingQuery packing_exists(int d, int t, int N, unsigned timeout_ms, bool symmetry_breaking) {
  const auto t0 = std::chrono::steady_clock::now();
  PackingQuery q;
  q.N = N;
  const std::string text = packing_smtlib2(d, t, N, symmetry_breaking);
  auto done = [&](SatAnswer a, std::string why) {
    q.answer = a;
    q.reason = std::move(why);
    q.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return q;
  };
  try {
    z3::context ctx;
    z3::solver solver(ctx, "QF_FD");
    solver.add(ctx.parse_string(text.c_str()));
    z3::check_result r;
    {
      Watchdog w(ctx, timeout_ms);
      r = solver.check();
    }
    if (r == z3::unsat) return done(SatAnswer::unsat, "unsat");
    if (r == z3::unknown) return done(SatAnswer::unknown, "unknown: " + solver.reason_unknown());
    const z3::model m = solver.get_model();
    Code code;
    for (int i = 0; i < N; ++i) {
      Word w = 0;
      for (int k = 0; k < d; ++k)
        if (m.eval(ctx.bool_const(x(i, k).c_str()), true).is_true()) w |= Word(1) << k;
      code.push_back(w);
    }
    if (!is_packing(code, d, t)) return done(SatAnswer::unknown, "sat model failed the exact re-check");
    q.code = std::move(code);
    return done(SatAnswer::sat, "sat (re-checked)");
  } catch (const z3::exception& e) {
    return done(SatAnswer::unknown, std::string("z3 error: ") + e.msg());
  }
}

PackingNumber packing_number(int d, int t, unsigned timeout_ms_per_query) {
  const auto t0 = std::chrono::steady_clock::now();
  PackingNumber out;
  out.d = d;
  out.t = t;
  out.D = packing_min_distance(d, t);
  out.known = known_binary_code_size(d, out.D);
  out.best = greedy_lexicode(d, t);
  if (!is_packing(out.best, d, t)) throw std::logic_error("greedy lexicode failed its exact check");
  // The cited table value only proposes where to ask first (a jump over the climb from the greedy
  // code); only a re-checked sat model raises the lower bound, and only unsat makes it exact.
  if (out.known && *out.known > static_cast<long>(out.best.size()) && *out.known <= 4096) {
    PackingQuery q = packing_exists(d, t, static_cast<int>(*out.known), timeout_ms_per_query);
    out.queries.push_back(q);
    if (q.answer == SatAnswer::sat) out.best = q.code;
  }
  while (out.best.size() < (std::size_t(1) << d)) {
    PackingQuery q = packing_exists(d, t, static_cast<int>(out.best.size()) + 1, timeout_ms_per_query);
    out.queries.push_back(q);
    if (q.answer == SatAnswer::sat) out.best = q.code;
    else {
      out.exact = q.answer == SatAnswer::unsat;
      break;
    }
  }
  if (out.best.size() == (std::size_t(1) << d)) out.exact = true;  // the whole cube
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::optional<long> known_binary_code_size(int n, int D) {
  if (n < 1 || D < 1) return std::nullopt;
  if (D > n) return 1;
  if (D == 1) return 1L << n;
  if (D == 2) return 1L << (n - 1);
  if (D % 2 == 0) return n >= 2 ? known_binary_code_size(n - 1, D - 1) : std::nullopt;  // A(n,2e) = A(n-1,2e-1)
  // Odd D >= 3, n <= 10: the standard tables of A(n, d) (MacWilliams–Sloane; Brouwer).
  static const long d3[] = {0, 1, 1, 2, 2, 4, 8, 16, 20, 40, 72};  // A(n,3), n = 0..10
  static const long d5[] = {0, 1, 1, 1, 1, 2, 2, 2, 4, 6, 12};     // A(n,5)
  if (n > 10) return std::nullopt;
  if (D == 3) return d3[n];
  if (D == 5) return d5[n];
  // D >= 7 odd, n <= 10: the Plotkin range 2D > n gives A <= 2 floor(D/(2D-n)) = 2 here (or 1 if D > n,
  // handled above), and any word with its complement-at-distance-n pair attains 2.
  if (3 * D > 2 * n) return 2;
  return std::nullopt;
}

std::uint64_t random_greedy_packing(int d, int D, std::uint64_t seed, std::uint64_t draws) {
  if (d < 2 || d > 16) throw ParameterError("d", "must lie in [2, 16], got " + std::to_string(d));
  core::Xoshiro256ss rng(seed);
  std::vector<Word> kept;
  const Word mask = (Word(1) << d) - 1;
  for (std::uint64_t i = 0; i < draws; ++i) {
    const Word w = static_cast<Word>(rng.next()) & mask;
    if (far_from_all(kept, w, D)) kept.push_back(w);
  }
  return kept.size();
}

}  // namespace attncert::reductions
