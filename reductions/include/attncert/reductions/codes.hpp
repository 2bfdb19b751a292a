// Binary codes with a claimed minimum distance and its exact certification (docs/theorems.md#planned,
// T2: "keys from binary codes of certified minimum distance"). T2 builds its hard instances from them;
// T1 and T5 take them as key sources.
//
// Bits and signs: a codeword is a row of a core::SignMatrix; bit c = 1 is entry -1 (as everywhere
// in attncert), so the Hamming distance of two words is SignMatrix::distance and the inner product
// of their sign vectors is length - 2 distance.
//
// Linear codes are given by a full-rank k x n generator matrix G (rows g_0..g_{k-1}). The codeword
// of message u in [0, 2^k) is XOR of the g_i with bit i of u set ("message order": u = 0, 1, 2, ...;
// u = 0 is the zero word). The first 2^j codewords in message order form the subcode spanned by
// g_0..g_{j-1}. Non-linear codes are an explicit list of words in construction order.
//
// Constructions and their generator versions (an instance is regenerated from name, version and,
// where random, the seed; a change of algorithm gets a new version):
//
// "reed-muller" v1, RM(r, m): length 2^m, coordinate c in [0, 2^m) is the point whose bit j is x_j.
//   Rows are the evaluations of monomials of degree <= r: first x_0, ..., x_{m-1} (when r >= 1),
//   then the constant 1, then degree 2, 3, ..., r; within a degree the monomials x_S in increasing
//   order of the mask S. Row bit c = 1 iff (c & S) == S. Dimension sum_{i<=r} C(m, i); distance
//   2^{m-r} (theorem). With this order the message order of RM(1, m) is exactly the Sylvester–Hadamard
//   key order of hadamard_keys (rows h_0..h_{d-1}, then -h_0..-h_{d-1}); tests/test_codes.cpp checks it.
//
// "bch" v1, narrow-sense primitive binary BCH(m, delta): length n = 2^m - 1. GF(2^m) = GF(2)[x] /
//   p_m(x) with p_m from primitive_polynomial(m) (a fixed table, each entry checked primitive when
//   used), alpha = x. g(x) = lcm of the minimal polynomials of alpha^1, ..., alpha^{delta-1}, i.e. the
//   product over the distinct cyclotomic cosets {i 2^s mod n} met by 1..delta-1 of
//   prod_{e in coset} (x - alpha^e). Dimension k = n - deg g; rows x^i g(x) for i = 0..k-1, bit c of a
//   row the coefficient of x^c. Distance >= delta (the BCH bound); the true distance may be larger.
//
// "random-linear" v1 over xoshiro256ss v1 (core/rng.hpp) with a seed:
//   full_rank:  candidate rows are drawn like "signs" v1 rows (ceil(n/64) successive next() words,
//               bit c of word w is column 64w + c, bits beyond n discarded); a candidate in the span
//               of the rows accepted so far (the zero row included) is discarded; stop at k rows.
//   systematic: row i is e_i on columns 0..k-1 followed by n - k random columns, drawn like a
//               "signs" v1 row of length n - k (column k + c takes bit c).
//
// "greedy" v1 (non-linear): scan candidate words in an order; accept a word when its distance to every
//   word accepted so far is >= D; stop after max_words accepted words or when the candidates run out.
//   lexicographic: candidates 0, 1, ..., 2^n - 1 (bit c of the integer is column c), n <= 24.
//   random: candidates drawn like "signs" v1 rows of length n from xoshiro256ss v1 with the seed,
//           at most 64 * max_words of them.
//   Every accepted pair has distance >= D by construction; the pairwise enumeration certifies it.
//
// Transformations (lengths for dimensions that are not 2^m or 2^m - 1): shorten (keep the codewords
// that vanish on the last s coordinates, delete those: [n - s, k - s', >= D]), pad (append p zero
// coordinates, +1 entries: distances unchanged), extend_parity (append the overall parity bit: an
// odd lower bound D becomes D + 1), subcode (the first j rows). Row order (it fixes the message
// order, hence which codewords come first): shorten eliminates columns n-1, n-2, ..., n-s in turn,
// each time taking the first row that has the column's bit as pivot, XORing it into the other rows
// with that bit and removing it; the rows left keep their order. pad, extend_parity and subcode keep
// the rows' order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/code_spec.hpp"

namespace attncert::reductions {

// How a claimed minimum distance is known.
enum class DistanceBasis { theorem, bch_bound, construction, enumeration };
const char* to_string(DistanceBasis b);  // "theorem", "BCH bound", "construction", "enumeration"

struct DistanceClaim {
  std::size_t distance = 0;
  bool exact = false;    // the claim is the minimum distance itself (else a lower bound on it)
  DistanceBasis basis = DistanceBasis::construction;
  std::string why;       // e.g. "theorem: RM(r,m) has distance 2^{m-r}"
};

struct Code {
  std::string name;           // "RM(2,4)", "BCH(m=4,delta=5)", "pad(RM(1,3),2)", ...
  std::size_t length = 0;
  bool linear = true;
  core::SignMatrix generator; // linear: k x length, full rank, rows in message order
  core::SignMatrix words;     // non-linear: the words in construction order
  DistanceClaim claim;

  std::size_t dimension() const { return generator.rows(); }  // k (linear codes)
  // 2^k or the number of words; throws std::overflow_error when k >= 64.
  std::uint64_t size() const;
  // "[n,k,D]" for a linear code, "(n,M,D)" otherwise, with D the claim (">=D" for a lower bound).
  std::string parameters() const;
};

// --- constructions (each throws ParameterError naming the parameter on bad input) ---
// `rows` > 0 (RM, BCH, make_code) builds only the first min(rows, k) generator rows: the same code
// as subcode(full, rows) (name "sub(...)", a lower-bound claim) without materialising a large
// generator (RM(r, 15) or BCH(16, delta) have up to 2^15 or 2^16 rows of as many bits).
Code reed_muller(unsigned r, unsigned m, std::size_t rows = 0);  // 0 <= r <= m, 1 <= m <= 15
// The primitive polynomial p_m used for GF(2^m), 2 <= m <= 16, as a bit mask (bit i: coefficient
// of x^i): m=2 x^2+x+1, 3 x^3+x+1, 4 x^4+x+1, 5 x^5+x^2+1, 6 x^6+x+1, 7 x^7+x^3+1,
// 8 x^8+x^4+x^3+x^2+1, 9 x^9+x^4+1, 10 x^10+x^3+1, 11 x^11+x^2+1, 12 x^12+x^6+x^4+x+1,
// 13 x^13+x^4+x^3+x+1, 14 x^14+x^10+x^6+x+1, 15 x^15+x+1, 16 x^16+x^12+x^3+x+1.
std::uint32_t primitive_polynomial(unsigned m);
// True when p_m is primitive: x has multiplicative order 2^m - 1 modulo p_m (checked by powering).
bool is_primitive(std::uint32_t poly, unsigned m);
// g(x) of BCH(m, delta) as coefficients (index i: coefficient of x^i), deg g = size - 1.
std::vector<std::uint8_t> bch_generator_polynomial(unsigned m, std::size_t delta);
Code bch(unsigned m, std::size_t delta, std::size_t rows = 0);  // 2 <= m <= 16, 1 <= delta <= 2^m - 1
enum class RandomLinear { full_rank, systematic };
Code random_linear(std::size_t n, std::size_t k, std::uint64_t seed, RandomLinear kind = RandomLinear::full_rank);
enum class GreedyOrder { lexicographic, random };
// 2 <= max_words <= 2^20, n * max_words <= 2^28 bits; up to 64 * max_words candidates (random order),
// each compared with the words accepted so far.
Code greedy(std::size_t n, std::size_t D, std::size_t max_words, GreedyOrder order, std::uint64_t seed = 1);
// The code a key spec names (seed for random and greedy codes; `rows` as above for RM and BCH).
// Errors become ParameterError("keys").
Code make_code(const CodeSpec& spec, std::uint64_t seed, std::size_t rows = 0);
// Dimension of RM(r, m): sum_{i <= r} C(m, i).
std::size_t rm_dimension(unsigned r, unsigned m);
// Dimension of BCH(m, delta) from the cyclotomic cosets alone (no generator built).
std::size_t bch_dimension(unsigned m, std::size_t delta);

// --- transformations (linear codes; pad works on any code) ---
Code shorten(const Code& c, std::size_t s);    // s < length; the result must keep dimension >= 1
Code pad(const Code& c, std::size_t p);        // p zero coordinates appended
Code extend_parity(const Code& c);             // overall parity coordinate appended
Code subcode(const Code& c, std::size_t j);    // rows g_0..g_{j-1}, 1 <= j <= k
// Renames c to "sub(name,j)" and turns its claim into the subcode's lower bound (c already holds
// only its first j rows).
void mark_subcode(Code& c, std::size_t j);

// Rank of the rows of a bit matrix over GF(2).
std::size_t gf2_rank(const core::SignMatrix& rows);

// --- codewords and keys ---
// The codeword of message u (linear) or word u (non-linear), as bits.
std::vector<std::uint64_t> codeword(const Code& c, std::uint64_t u);
// The first N codewords (message order, or construction order) as sign rows (bit 1 -> -1).
// Throws ParameterError("n") when N exceeds the code's size. RM(1, m) reuses hadamard_keys.
core::SignMatrix code_keys(const Code& c, std::size_t N);

// --- exact minimum distance ---
struct EnumerationOptions {
  int threads = 0;          // 0: OpenMP default
  int chunk_log2 = -1;      // split the 2^k Gray sequence into 2^t chunks; -1: chosen from k
  // Called with (codewords or rows done, total), never concurrently; may be empty.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// Largest k the Gray enumeration accepts (2^32 codewords).
inline constexpr std::size_t max_enumeration_dimension = 32;

struct DistanceResult {
  std::size_t distance = 0;       // exact minimum distance (linear: minimum nonzero weight)
  std::uint64_t examined = 0;     // codewords (linear) or unordered pairs (non-linear) examined
  std::uint64_t witness_a = 0, witness_b = 0;  // linear: a message of minimum weight (b = 0);
                                               // non-linear: a closest pair of word indices
};

// Linear codes, k <= 32: every nonzero codeword visited once in binary-reflected Gray order (each
// step XORs one generator row) with popcount, parallel over chunks of the sequence, no early exit.
// Non-linear codes: every unordered pair. Throws ParameterError("k") above 32, ("n") for a
// non-linear code with fewer than 2 or more than 2^20 words, ("code") for a rank-deficient
// generator or two equal words (distance 0: not a code of that size).
DistanceResult min_distance(const Code& c, const EnumerationOptions& opt = {});
// "Is the minimum distance >= D?": the same enumeration, stopping at the first word (pair) closer than D.
bool distance_at_least(const Code& c, std::size_t D, const EnumerationOptions& opt = {});
// Linear, k <= 32: A_w = number of codewords of weight w, w = 0..n (A_0 = 1).
std::vector<std::uint64_t> weight_distribution(const Code& c, const EnumerationOptions& opt = {});
// Linear: the weight distributions of the subcodes spanned by g_0..g_{j-1} for j = 0..jmax
// (jmax <= min(k, 32)), from one Gray pass over 2^jmax messages: the first 2^j Gray codes are the
// messages below 2^j.
std::vector<std::vector<std::uint64_t>> prefix_weight_distributions(const Code& c, std::size_t jmax);

// The enumeration compared with the code's claim: holds when distance >= claim (a lower bound)
// or distance == claim (an exact claim).
struct DistanceCertificate {
  DistanceResult result;
  bool claim_holds = false;
  std::string detail;  // "enumeration: D = 4 = claim (theorem: ...)" or what contradicts the claim
};
DistanceCertificate certify_distance(const Code& c, const EnumerationOptions& opt = {});
// The code with its claim replaced by the exact distance the enumeration finds (basis
// "enumeration", exact), after certify_distance; throws std::logic_error when the enumeration
// contradicts the construction's claim (a construction bug). Random codes claim only ">= 1" until then.
Code with_enumerated_distance(Code c, const EnumerationOptions& opt = {});

}  // namespace attncert::reductions
