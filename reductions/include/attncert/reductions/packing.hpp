// Exact small-case packing numbers (docs/theorems.md: the Z3 lemmas and T2): P(d, t), the largest N
// of vectors in {±1}^d with pairwise inner product <= t, proved optimal by `unsat` at N + 1.
//
// Correspondence with binary codes (exact): map +1 -> 0, -1 -> 1. Then ⟨u, v⟩ = d - 2 dist(u, v),
// so ⟨u, v⟩ <= t  <=>  dist(u, v) >= (d - t)/2  <=>  dist(u, v) >= D := ceil((d - t)/2), and
// P(d, t) = A(d, D), the largest binary code of length d and minimum distance D. Antipodal pairs
// (complementary words, distance d) are allowed on both sides; the vectors of a packing are a set,
// which for t <= d - 1 (D >= 1) is already implied by the distance condition. Values of t with the
// parity of d are the ones that matter: t and t - 1 (t of the other parity) give the same D.
//
// Trust policy: a `sat` answer yields N words that are re-checked exactly (distinct, every pairwise
// inner product computed in integers); `unknown`/timeout is inconclusive, never a bound.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attncert::reductions {

// A word of {±1}^d as a bitmask: bit k set means coordinate k is -1. d <= 16.
using Word = std::uint32_t;
using Code = std::vector<Word>;

// D = ceil((d - t)/2). Throws ParameterError ("d": outside [2, 16]; "t": outside [-d, d-1]).
int packing_min_distance(int d, int t);
// ⟨u, v⟩ = d - 2 popcount(u xor v).
int sign_inner_product(Word u, Word v, int d);
// Exact check: every word in [0, 2^d), pairwise distinct, pairwise inner product <= t.
bool is_packing(const Code& code, int d, int t);

// The greedy lexicode: scan 0, 1, ..., 2^d - 1 and keep each word at distance >= D from all kept.
Code greedy_lexicode(int d, int t);
// Exhaustive maximum (branch and bound over all subsets containing the zero word, which loses
// nothing: translating a code by one of its words preserves distances). d <= 6.
int brute_force_packing_number(int d, int t);

// A second, solver-free route for d <= 8: maximum clique (containing the zero word) in the graph on
// {0,1}^d with edges at distance >= D, by branch and bound with a greedy-colouring bound (the
// MCQ scheme of Tomita and Seki). Stops after `node_budget` search nodes: nullopt = inconclusive.
std::optional<int> clique_packing_number(int d, int t, long node_budget = 50000000);

// The SAT instance "N words, pairwise distance >= D" as SMT-LIB2 (Boolean x_i_k = bit k of word i,
// Z3's ((_ at-least D) ...) cardinality over the xors of each pair) with the documented symmetry
// breaking (packing.cpp): word 0 is zero, rows strictly increasing and columns non-decreasing in
// lexicographic order.
std::string packing_smtlib2(int d, int t, int N, bool symmetry_breaking = true);

enum class SatAnswer { sat, unsat, unknown };
const char* to_string(SatAnswer a);

struct PackingQuery {
  int N = 0;
  SatAnswer answer = SatAnswer::unknown;
  Code code;            // when sat: the model's words, re-checked by is_packing
  std::string reason;   // "unsat", "sat (re-checked)", "unknown: timeout", ...
  double seconds = 0;
};
// Does a packing of N words exist? Z3 (QF_FD: SAT with native cardinality constraints) on
// packing_smtlib2's text, with a wall-clock limit.
PackingQuery packing_exists(int d, int t, int N, unsigned timeout_ms, bool symmetry_breaking = true);

struct PackingNumber {
  int d = 0, t = 0, D = 0;
  Code best;                  // the largest packing found, re-checked exactly
  bool exact = false;         // best.size() + 1 proved impossible (unsat)
  std::vector<PackingQuery> queries;  // the solver calls, in order
  double seconds = 0;
  std::optional<long> known;  // the cited value A(d, D), when known_binary_code_size has it
};
// Starts from the greedy lexicode; where the cited table value is larger, asks N = that value first
// (a proposal: a sat model re-checked exactly is what raises the bound); then asks
// N = |best| + 1, + 2, ... until unsat (exact) or unknown (inconclusive: only |best| stands).
PackingNumber packing_number(int d, int t, unsigned timeout_ms_per_query);

// A(n, D) for n <= 10 from the standard tables (MacWilliams–Sloane; Brouwer's tables of bounds for
// binary codes), only values that are exactly known, e.g. A(8,3) = 20, A(9,3) = 40, A(10,3) = 72,
// A(10,5) = 12; A(n, 2e) = A(n-1, 2e-1). nullopt when the table here does not list it.
std::optional<long> known_binary_code_size(int n, int D);

}  // namespace attncert::reductions
