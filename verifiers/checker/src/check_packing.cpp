// packing (docs/theorems.md#packing, docs/certificates.md#packing): P(d, t) is the largest number of
// vectors in {±1}^d with pairwise inner products <= t. As words of {0,1}^d (bit 1 = sign -1),
// <u, v> = d - 2 dist(u, v), so the condition is dist(u, v) >= D = ceil((d - t)/2).
//
// Per row the checker re-checks the stored witness exactly (distinct words, every pairwise distance
// >= D, as many as claimed) and, for a row claimed optimal, proves that no packing of lower + 1
// words exists by the first of its own routes that applies:
//   Singleton: deleting D - 1 coordinates keeps the words distinct, so P <= 2^{d-D+1};
//   Plotkin (2D > d): summing distances over pairs, M(M-1)/2 D <= sum over coordinates of
//     w_c (M - w_c) <= d M^2 / 4, so M (2D - d) <= 2D and P <= floor(2D / (2D - d));
//   exhaustive search: a packing may be translated by one of its words (distances are kept), so
//     one with lower + 1 words exists iff the graph on the nonzero words of weight >= D, with edges
//     at distance >= D, has a clique of `lower` vertices; a branch and bound with a greedy colouring
//     bound (the colour classes are independent sets, so a clique meets each at most once) decides
//     it. Its search nodes count 512 each against --max-pairs (a node colours up to 2^d vertices);
//     past it the row is inconclusive.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "cert.hpp"
#include "json_strict.hpp"

namespace attncert::checker {

namespace {
constexpr int kMaxD = 10;

using Bits = std::vector<std::uint64_t>;

struct CliqueSearch {
  std::vector<std::uint32_t> verts;  // the words of weight >= D
  std::vector<Bits> adj;             // adj[i]: neighbours of verts[i] (by index)
  std::size_t words = 0;
  std::uint64_t nodes = 0, budget = 0;
  bool out_of_budget = false;

  CliqueSearch(int d, int D, std::uint64_t budget_) : budget(budget_) {
    for (std::uint32_t w = 1; w < (1u << d); ++w)
      if (std::popcount(w) >= D) verts.push_back(w);
    words = (verts.size() + 63) / 64;
    adj.assign(verts.size(), Bits(words, 0));
    for (std::size_t i = 0; i < verts.size(); ++i)
      for (std::size_t j = 0; j < verts.size(); ++j)
        if (i != j && std::popcount(verts[i] ^ verts[j]) >= D) adj[i][j / 64] |= std::uint64_t{1} << (j % 64);
  }

  // Is there a clique of `need` more vertices inside P?
  bool expand(const Bits& P, std::size_t need) {
    if (need == 0) return true;
    if (++nodes > budget) {
      out_of_budget = true;
      return false;
    }
    // Greedy colouring of P in index order: order[] with colour[] nondecreasing.
    std::vector<std::size_t> order;
    std::vector<std::size_t> colour;
    Bits uncoloured = P;
    std::size_t k = 0;
    while (std::any_of(uncoloured.begin(), uncoloured.end(), [](std::uint64_t x) { return x != 0; })) {
      ++k;
      Bits Q = uncoloured;  // candidates for colour k: not adjacent to any vertex of colour k
      for (std::size_t w = 0; w < words; ++w)
        while (Q[w]) {
          const std::size_t v = w * 64 + static_cast<std::size_t>(std::countr_zero(Q[w]));
          Q[w] &= Q[w] - 1;
          uncoloured[v / 64] &= ~(std::uint64_t{1} << (v % 64));
          for (std::size_t x = 0; x < words; ++x) Q[x] &= ~adj[v][x];
          order.push_back(v);
          colour.push_back(k);
        }
    }
    if (k < need) return false;
    Bits Pc = P;
    for (std::size_t idx = order.size(); idx-- > 0;) {
      if (colour[idx] < need) return false;  // the rest of P has fewer than `need` colours
      const std::size_t v = order[idx];
      Bits next(words);
      for (std::size_t x = 0; x < words; ++x) next[x] = Pc[x] & adj[v][x];
      if (expand(next, need - 1)) return true;
      if (out_of_budget) return false;
      Pc[v / 64] &= ~(std::uint64_t{1} << (v % 64));
    }
    return false;
  }
};

}  // namespace

void check_packing(const Cert& c) {
  c.expect_sections({});
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"d_min", "d_max", "t", "timeout_ms"});
  const int d_min = static_cast<int>(integer_in(prm, "parameters", "d_min", 2, kMaxD));
  const int d_max = static_cast<int>(integer_in(prm, "parameters", "d_max", static_cast<std::uint64_t>(d_min), kMaxD));
  integer_in(prm, "parameters", "timeout_ms", 1, 3600000);
  const std::string t_text = text(prm, "parameters", "t");
  bool all_t = t_text == "all";
  long t_fixed = 0;
  if (!all_t) {
    const mpz_class tz = canonical_integer(t_text, "parameters.t");
    if (tz < -kMaxD || tz > kMaxD) throw Malformed("parameters.t must be \"all\" or an integer in [-d, d-1]");
    t_fixed = tz.get_si();
  }
  std::vector<std::pair<int, int>> cases;
  for (int d = d_min; d <= d_max; ++d) {
    if (all_t)
      for (int D = 1; D <= d; ++D) cases.emplace_back(d, d - 2 * D);
    else {
      if (t_fixed < -d || t_fixed > d - 1) throw Malformed("parameters.t must lie in [-d, d-1] for every d");
      cases.emplace_back(d, static_cast<int>(t_fixed));
    }
  }
  const json& inst = c.doc.at("instance");
  expect_keys(inst, "instance", {"rows"});
  const json& irows = array_of(inst, "instance", "rows", cases.size());
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "rows"});
  if (text(claim, "claim", "kind") != "packing_numbers") throw Malformed("claim.kind is not packing_numbers");
  const json& crows = array_of(claim, "claim", "rows", cases.size());

  std::uint64_t spent = 0;
  std::size_t optimal = 0, singleton = 0, plotkin = 0, searched = 0;
  for (std::size_t r = 0; r < cases.size(); ++r) {
    const auto [d, t] = cases[r];
    const int D = (d - t + 1) / 2;  // d - t >= 1
    const std::string wi = "instance.rows[" + std::to_string(r) + "]", wc = "claim.rows[" + std::to_string(r) + "]";
    const json& I = irows[r];
    const json& C = crows[r];
    expect_keys(I, wi, {"d", "t", "words"});
    expect_keys(C, wc, {"d", "t", "D", "lower", "optimal", "producer_route"});
    if (integer_in(I, wi, "d", 2, kMaxD) != static_cast<std::uint64_t>(d) || integer_in(C, wc, "d", 2, kMaxD) != static_cast<std::uint64_t>(d))
      throw Malformed(wi + ".d / " + wc + ".d must follow the parameters' order");
    if (canonical_integer(text(I, wi, "t"), wi + ".t") != t || canonical_integer(text(C, wc, "t"), wc + ".t") != t)
      throw Malformed(wi + ".t / " + wc + ".t must follow the parameters' order");
    if (integer_field(C, wc, "D") != D) throw Rejected(wc + ".D is not ceil((d - t)/2)");
    text(C, wc, "producer_route");
    const json& opt_flag = member(C, wc, "optimal");
    if (!opt_flag.is_boolean()) throw Malformed(wc + ".optimal must be true or false");
    // The witness.
    const json& W = member(I, wi, "words");
    if (!W.is_array() || W.empty() || W.size() > (std::size_t{1} << d))
      throw Malformed(wi + ".words must be an array of 1..2^d words");
    std::vector<std::uint32_t> words;
    for (const json& x : W) {
      if (!x.is_string() || x.get<std::string>().size() != static_cast<std::size_t>(d))
        throw Malformed(wi + ".words entries must be strings of d characters 0/1");
      const std::string s = x.get<std::string>();
      std::uint32_t w = 0;
      for (int k = 0; k < d; ++k) {
        if (s[static_cast<std::size_t>(k)] == '1') w |= 1u << k;
        else if (s[static_cast<std::size_t>(k)] != '0') throw Malformed(wi + ".words entries must be strings of 0 and 1");
      }
      words.push_back(w);
    }
    for (std::size_t i = 0; i < words.size(); ++i)
      for (std::size_t j = i + 1; j < words.size(); ++j) {
        if (words[i] == words[j]) throw Rejected(wi + ".words: word " + std::to_string(j) + " repeats word " + std::to_string(i));
        if (d - 2 * std::popcount(words[i] ^ words[j]) > t)
          throw Rejected(wi + ".words: words " + std::to_string(i) + " and " + std::to_string(j) + " have inner product above t");
      }
    const mpz_class lower = integer_field(C, wc, "lower");
    if (lower != static_cast<unsigned long>(words.size())) throw Rejected(wc + ".lower is not the number of witness words");
    if (!opt_flag.get<bool>()) continue;
    // Optimal: no packing of lower + 1 words.
    ++optimal;
    const std::uint64_t M = words.size();
    if (M >= (std::uint64_t{1} << (d - D + 1))) {
      ++singleton;
      continue;
    }
    if (2 * D > d && M >= static_cast<std::uint64_t>((2 * D) / (2 * D - d))) {
      ++plotkin;
      continue;
    }
    CliqueSearch s(d, D, c.opt.max_pairs > spent ? (c.opt.max_pairs - spent) / 512 : 0);
    Bits all(s.words, 0);
    for (std::size_t v = 0; v < s.verts.size(); ++v) all[v / 64] |= std::uint64_t{1} << (v % 64);
    const bool bigger = s.expand(all, M);  // M more words beside the zero word: M + 1 in all
    spent += s.nodes * 512;
    if (bigger) throw Rejected(wc + ".optimal: the checker's search found a packing of lower + 1 words");
    if (s.out_of_budget)
      throw Inconclusive(wc + ".optimal: the exhaustive search exceeds --max-pairs (" + std::to_string(s.nodes) +
                         " nodes); raise it to check this row");
    ++searched;
  }
  c.summary = "all " + std::to_string(cases.size()) + " witnesses re-checked; " + std::to_string(optimal) +
              " optimal values re-proved (Singleton " + std::to_string(singleton) + ", Plotkin " + std::to_string(plotkin) +
              ", exhaustive search " + std::to_string(searched) + ")";
}

}  // namespace attncert::checker
