// T5 (docs/theorems.md#t5), tensor attention, three models, written from the certificate format:
//  - four-cache-embed: K2 = V2 = 1 makes tensor attention T1's attention; T1's Lemma 1/3 and
//    INDEX are re-derived from the regenerated keys, and the identity's lemmas must be the
//    checker's own statements, re-proved by cvc5 (the second route; Z3 is the producer's word);
//  - four-cache-native: every query a_i o b_i against every pair (j1, j2) != (i, i) by a plain
//    triple loop (XOR + popcount), Lemma 1 with 2N + 1 zero-score pairs of Bob's token;
//  - two-cache: T1 with N = (n - 1)^2 free pair rows and 2n - 1 zero rows of Bob's token.
#include <omp.h>

#include <algorithm>
#include <exception>

#include "cert.hpp"
#include "decide.hpp"
#include "t1_fields.hpp"
#include "json_strict.hpp"
#include "lemmas.hpp"
#include "sign_keys.hpp"

namespace attncert::checker {

namespace {

// The checker's own statements of the embedding lemmas (n = 2, 3, 4 tokens, d = 2 coordinates), in
// the certificate's order: a certificate's scripts must equal these up to whitespace.
const std::vector<LemmaStatement>& embedding_statements() {
  static const std::vector<LemmaStatement> table = {
      {"t5_embedding_scores(n=2,d=2)", R"smt((set-logic QF_NRA)
(declare-const q0 Real)
(declare-const q1 Real)
(declare-const ka0_0 Real)
(declare-const kb0_0 Real)
(declare-const ka0_1 Real)
(declare-const kb0_1 Real)
(declare-const ka1_0 Real)
(declare-const kb1_0 Real)
(declare-const ka1_1 Real)
(declare-const kb1_1 Real)
(assert (= kb0_0 1))
(assert (= kb0_1 1))
(assert (= kb1_0 1))
(assert (= kb1_1 1))
(assert (not (and (= (+ (* q0 (* ka0_0 kb0_0)) (* q1 (* ka0_1 kb0_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka0_0 kb1_0)) (* q1 (* ka0_1 kb1_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka1_0 kb0_0)) (* q1 (* ka1_1 kb0_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka1_0 kb1_0)) (* q1 (* ka1_1 kb1_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)))))
(check-sat)
)smt"},
      {"t5_embedding_identity(n=2,d=2)", R"smt((set-logic QF_NRA)
(declare-const va0_0 Real)
(declare-const vb0_0 Real)
(declare-const va0_1 Real)
(declare-const vb0_1 Real)
(declare-const va1_0 Real)
(declare-const vb1_0 Real)
(declare-const va1_1 Real)
(declare-const vb1_1 Real)
(declare-const e0_0 Real)
(declare-const e0_1 Real)
(declare-const f0 Real)
(declare-const e1_0 Real)
(declare-const e1_1 Real)
(declare-const f1 Real)
(assert (= vb0_0 1))
(assert (= vb0_1 1))
(assert (= vb1_0 1))
(assert (= vb1_1 1))
(assert (> f0 0))
(assert (= e0_0 f0))
(assert (= e0_1 f0))
(assert (> f1 0))
(assert (= e1_0 f1))
(assert (= e1_1 f1))
(assert (not (and (= (* (+ (* e0_0 (* va0_0 vb0_0)) (* e0_1 (* va0_0 vb1_0)) (* e1_0 (* va1_0 vb0_0)) (* e1_1 (* va1_0 vb1_0)) 0) (+ f0 f1 0)) (* (+ (* f0 va0_0) (* f1 va1_0) 0) (+ e0_0 e0_1 e1_0 e1_1 0))) (= (* (+ (* e0_0 (* va0_1 vb0_1)) (* e0_1 (* va0_1 vb1_1)) (* e1_0 (* va1_1 vb0_1)) (* e1_1 (* va1_1 vb1_1)) 0) (+ f0 f1 0)) (* (+ (* f0 va0_1) (* f1 va1_1) 0) (+ e0_0 e0_1 e1_0 e1_1 0))))))
(check-sat)
)smt"},
      {"t5_embedding_scores(n=3,d=2)", R"smt((set-logic QF_NRA)
(declare-const q0 Real)
(declare-const q1 Real)
(declare-const ka0_0 Real)
(declare-const kb0_0 Real)
(declare-const ka0_1 Real)
(declare-const kb0_1 Real)
(declare-const ka1_0 Real)
(declare-const kb1_0 Real)
(declare-const ka1_1 Real)
(declare-const kb1_1 Real)
(declare-const ka2_0 Real)
(declare-const kb2_0 Real)
(declare-const ka2_1 Real)
(declare-const kb2_1 Real)
(assert (= kb0_0 1))
(assert (= kb0_1 1))
(assert (= kb1_0 1))
(assert (= kb1_1 1))
(assert (= kb2_0 1))
(assert (= kb2_1 1))
(assert (not (and (= (+ (* q0 (* ka0_0 kb0_0)) (* q1 (* ka0_1 kb0_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka0_0 kb1_0)) (* q1 (* ka0_1 kb1_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka0_0 kb2_0)) (* q1 (* ka0_1 kb2_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka1_0 kb0_0)) (* q1 (* ka1_1 kb0_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka1_0 kb1_0)) (* q1 (* ka1_1 kb1_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka1_0 kb2_0)) (* q1 (* ka1_1 kb2_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka2_0 kb0_0)) (* q1 (* ka2_1 kb0_1)) 0) (+ (* q0 ka2_0) (* q1 ka2_1) 0)) (= (+ (* q0 (* ka2_0 kb1_0)) (* q1 (* ka2_1 kb1_1)) 0) (+ (* q0 ka2_0) (* q1 ka2_1) 0)) (= (+ (* q0 (* ka2_0 kb2_0)) (* q1 (* ka2_1 kb2_1)) 0) (+ (* q0 ka2_0) (* q1 ka2_1) 0)))))
(check-sat)
)smt"},
      {"t5_embedding_identity(n=3,d=2)", R"smt((set-logic QF_NRA)
(declare-const va0_0 Real)
(declare-const vb0_0 Real)
(declare-const va0_1 Real)
(declare-const vb0_1 Real)
(declare-const va1_0 Real)
(declare-const vb1_0 Real)
(declare-const va1_1 Real)
(declare-const vb1_1 Real)
(declare-const va2_0 Real)
(declare-const vb2_0 Real)
(declare-const va2_1 Real)
(declare-const vb2_1 Real)
(declare-const e0_0 Real)
(declare-const e0_1 Real)
(declare-const e0_2 Real)
(declare-const f0 Real)
(declare-const e1_0 Real)
(declare-const e1_1 Real)
(declare-const e1_2 Real)
(declare-const f1 Real)
(declare-const e2_0 Real)
(declare-const e2_1 Real)
(declare-const e2_2 Real)
(declare-const f2 Real)
(assert (= vb0_0 1))
(assert (= vb0_1 1))
(assert (= vb1_0 1))
(assert (= vb1_1 1))
(assert (= vb2_0 1))
(assert (= vb2_1 1))
(assert (> f0 0))
(assert (= e0_0 f0))
(assert (= e0_1 f0))
(assert (= e0_2 f0))
(assert (> f1 0))
(assert (= e1_0 f1))
(assert (= e1_1 f1))
(assert (= e1_2 f1))
(assert (> f2 0))
(assert (= e2_0 f2))
(assert (= e2_1 f2))
(assert (= e2_2 f2))
(assert (not (and (= (* (+ (* e0_0 (* va0_0 vb0_0)) (* e0_1 (* va0_0 vb1_0)) (* e0_2 (* va0_0 vb2_0)) (* e1_0 (* va1_0 vb0_0)) (* e1_1 (* va1_0 vb1_0)) (* e1_2 (* va1_0 vb2_0)) (* e2_0 (* va2_0 vb0_0)) (* e2_1 (* va2_0 vb1_0)) (* e2_2 (* va2_0 vb2_0)) 0) (+ f0 f1 f2 0)) (* (+ (* f0 va0_0) (* f1 va1_0) (* f2 va2_0) 0) (+ e0_0 e0_1 e0_2 e1_0 e1_1 e1_2 e2_0 e2_1 e2_2 0))) (= (* (+ (* e0_0 (* va0_1 vb0_1)) (* e0_1 (* va0_1 vb1_1)) (* e0_2 (* va0_1 vb2_1)) (* e1_0 (* va1_1 vb0_1)) (* e1_1 (* va1_1 vb1_1)) (* e1_2 (* va1_1 vb2_1)) (* e2_0 (* va2_1 vb0_1)) (* e2_1 (* va2_1 vb1_1)) (* e2_2 (* va2_1 vb2_1)) 0) (+ f0 f1 f2 0)) (* (+ (* f0 va0_1) (* f1 va1_1) (* f2 va2_1) 0) (+ e0_0 e0_1 e0_2 e1_0 e1_1 e1_2 e2_0 e2_1 e2_2 0))))))
(check-sat)
)smt"},
      {"t5_embedding_scores(n=4,d=2)", R"smt((set-logic QF_NRA)
(declare-const q0 Real)
(declare-const q1 Real)
(declare-const ka0_0 Real)
(declare-const kb0_0 Real)
(declare-const ka0_1 Real)
(declare-const kb0_1 Real)
(declare-const ka1_0 Real)
(declare-const kb1_0 Real)
(declare-const ka1_1 Real)
(declare-const kb1_1 Real)
(declare-const ka2_0 Real)
(declare-const kb2_0 Real)
(declare-const ka2_1 Real)
(declare-const kb2_1 Real)
(declare-const ka3_0 Real)
(declare-const kb3_0 Real)
(declare-const ka3_1 Real)
(declare-const kb3_1 Real)
(assert (= kb0_0 1))
(assert (= kb0_1 1))
(assert (= kb1_0 1))
(assert (= kb1_1 1))
(assert (= kb2_0 1))
(assert (= kb2_1 1))
(assert (= kb3_0 1))
(assert (= kb3_1 1))
(assert (not (and (= (+ (* q0 (* ka0_0 kb0_0)) (* q1 (* ka0_1 kb0_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka0_0 kb1_0)) (* q1 (* ka0_1 kb1_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka0_0 kb2_0)) (* q1 (* ka0_1 kb2_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka0_0 kb3_0)) (* q1 (* ka0_1 kb3_1)) 0) (+ (* q0 ka0_0) (* q1 ka0_1) 0)) (= (+ (* q0 (* ka1_0 kb0_0)) (* q1 (* ka1_1 kb0_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka1_0 kb1_0)) (* q1 (* ka1_1 kb1_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka1_0 kb2_0)) (* q1 (* ka1_1 kb2_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka1_0 kb3_0)) (* q1 (* ka1_1 kb3_1)) 0) (+ (* q0 ka1_0) (* q1 ka1_1) 0)) (= (+ (* q0 (* ka2_0 kb0_0)) (* q1 (* ka2_1 kb0_1)) 0) (+ (* q0 ka2_0) (* q1 ka2_1) 0)) (= (+ (* q0 (* ka2_0 kb1_0)) (* q1 (* ka2_1 kb1_1)) 0) (+ (* q0 ka2_0) (* q1 ka2_1) 0)) (= (+ (* q0 (* ka2_0 kb2_0)) (* q1 (* ka2_1 kb2_1)) 0) (+ (* q0 ka2_0) (* q1 ka2_1) 0)) (= (+ (* q0 (* ka2_0 kb3_0)) (* q1 (* ka2_1 kb3_1)) 0) (+ (* q0 ka2_0) (* q1 ka2_1) 0)) (= (+ (* q0 (* ka3_0 kb0_0)) (* q1 (* ka3_1 kb0_1)) 0) (+ (* q0 ka3_0) (* q1 ka3_1) 0)) (= (+ (* q0 (* ka3_0 kb1_0)) (* q1 (* ka3_1 kb1_1)) 0) (+ (* q0 ka3_0) (* q1 ka3_1) 0)) (= (+ (* q0 (* ka3_0 kb2_0)) (* q1 (* ka3_1 kb2_1)) 0) (+ (* q0 ka3_0) (* q1 ka3_1) 0)) (= (+ (* q0 (* ka3_0 kb3_0)) (* q1 (* ka3_1 kb3_1)) 0) (+ (* q0 ka3_0) (* q1 ka3_1) 0)))))
(check-sat)
)smt"},
      {"t5_embedding_identity(n=4,d=2)", R"smt((set-logic QF_NRA)
(declare-const va0_0 Real)
(declare-const vb0_0 Real)
(declare-const va0_1 Real)
(declare-const vb0_1 Real)
(declare-const va1_0 Real)
(declare-const vb1_0 Real)
(declare-const va1_1 Real)
(declare-const vb1_1 Real)
(declare-const va2_0 Real)
(declare-const vb2_0 Real)
(declare-const va2_1 Real)
(declare-const vb2_1 Real)
(declare-const va3_0 Real)
(declare-const vb3_0 Real)
(declare-const va3_1 Real)
(declare-const vb3_1 Real)
(declare-const e0_0 Real)
(declare-const e0_1 Real)
(declare-const e0_2 Real)
(declare-const e0_3 Real)
(declare-const f0 Real)
(declare-const e1_0 Real)
(declare-const e1_1 Real)
(declare-const e1_2 Real)
(declare-const e1_3 Real)
(declare-const f1 Real)
(declare-const e2_0 Real)
(declare-const e2_1 Real)
(declare-const e2_2 Real)
(declare-const e2_3 Real)
(declare-const f2 Real)
(declare-const e3_0 Real)
(declare-const e3_1 Real)
(declare-const e3_2 Real)
(declare-const e3_3 Real)
(declare-const f3 Real)
(assert (= vb0_0 1))
(assert (= vb0_1 1))
(assert (= vb1_0 1))
(assert (= vb1_1 1))
(assert (= vb2_0 1))
(assert (= vb2_1 1))
(assert (= vb3_0 1))
(assert (= vb3_1 1))
(assert (> f0 0))
(assert (= e0_0 f0))
(assert (= e0_1 f0))
(assert (= e0_2 f0))
(assert (= e0_3 f0))
(assert (> f1 0))
(assert (= e1_0 f1))
(assert (= e1_1 f1))
(assert (= e1_2 f1))
(assert (= e1_3 f1))
(assert (> f2 0))
(assert (= e2_0 f2))
(assert (= e2_1 f2))
(assert (= e2_2 f2))
(assert (= e2_3 f2))
(assert (> f3 0))
(assert (= e3_0 f3))
(assert (= e3_1 f3))
(assert (= e3_2 f3))
(assert (= e3_3 f3))
(assert (not (and (= (* (+ (* e0_0 (* va0_0 vb0_0)) (* e0_1 (* va0_0 vb1_0)) (* e0_2 (* va0_0 vb2_0)) (* e0_3 (* va0_0 vb3_0)) (* e1_0 (* va1_0 vb0_0)) (* e1_1 (* va1_0 vb1_0)) (* e1_2 (* va1_0 vb2_0)) (* e1_3 (* va1_0 vb3_0)) (* e2_0 (* va2_0 vb0_0)) (* e2_1 (* va2_0 vb1_0)) (* e2_2 (* va2_0 vb2_0)) (* e2_3 (* va2_0 vb3_0)) (* e3_0 (* va3_0 vb0_0)) (* e3_1 (* va3_0 vb1_0)) (* e3_2 (* va3_0 vb2_0)) (* e3_3 (* va3_0 vb3_0)) 0) (+ f0 f1 f2 f3 0)) (* (+ (* f0 va0_0) (* f1 va1_0) (* f2 va2_0) (* f3 va3_0) 0) (+ e0_0 e0_1 e0_2 e0_3 e1_0 e1_1 e1_2 e1_3 e2_0 e2_1 e2_2 e2_3 e3_0 e3_1 e3_2 e3_3 0))) (= (* (+ (* e0_0 (* va0_1 vb0_1)) (* e0_1 (* va0_1 vb1_1)) (* e0_2 (* va0_1 vb2_1)) (* e0_3 (* va0_1 vb3_1)) (* e1_0 (* va1_1 vb0_1)) (* e1_1 (* va1_1 vb1_1)) (* e1_2 (* va1_1 vb2_1)) (* e1_3 (* va1_1 vb3_1)) (* e2_0 (* va2_1 vb0_1)) (* e2_1 (* va2_1 vb1_1)) (* e2_2 (* va2_1 vb2_1)) (* e2_3 (* va2_1 vb3_1)) (* e3_0 (* va3_1 vb0_1)) (* e3_1 (* va3_1 vb1_1)) (* e3_2 (* va3_1 vb2_1)) (* e3_3 (* va3_1 vb3_1)) 0) (+ f0 f1 f2 f3 0)) (* (+ (* f0 va0_1) (* f1 va1_1) (* f2 va2_1) (* f3 va3_1) 0) (+ e0_0 e0_1 e0_2 e0_3 e1_0 e1_1 e1_2 e1_3 e2_0 e2_1 e2_2 e2_3 e3_0 e3_1 e3_2 e3_3 0))))))
(check-sat)
)smt"},
  };
  return table;
}


// Stored {inner product: count} with counts summing to `total`; by_differing[k] for k = (d - ip)/2.
std::vector<std::uint64_t> read_counts(const json& h, const std::string& name, std::size_t d, std::uint64_t total, long& max_inner) {
  if (!h.is_object()) throw Malformed(name + " must be a JSON object");
  std::vector<std::uint64_t> out(d + 1, 0);
  std::uint64_t sum = 0;
  bool first = true;
  for (const auto& item : h.items()) {
    const std::string at = name + "[" + item.key() + "]";
    const mpz_class ip = canonical_integer(item.key(), at);
    if (!item.value().is_number_unsigned() || item.value().get<std::uint64_t>() == 0)
      throw Malformed(at + " must be a positive JSON integer");
    const mpz_class dz(static_cast<unsigned long>(d));
    if (ip < -dz || ip > dz || mpz_class(dz - ip) % 2 != 0) throw Rejected(at + ": not an inner product of d-dimensional signs");
    const std::uint64_t count = item.value().get<std::uint64_t>();
    if (count > total - sum) throw Rejected(name + ": counts sum to more than " + std::to_string(total));
    sum += count;
    const long inner = ip.get_si();
    out[static_cast<std::size_t>((static_cast<long>(d) - inner) / 2)] = count;
    if (first || inner > max_inner) max_inner = inner;
    first = false;
  }
  if (sum != total) throw Rejected(name + ": counts sum to " + std::to_string(sum) + ", not " + std::to_string(total));
  return out;
}

// One query of the native model: h[k] = #{(j1, j2) != (i, i) : popcount(a_i^b_i^a_j1^b_j2) = k}.
template <std::size_t Words>
void native_row(const Keys& A, const Keys& B, std::size_t i, std::uint32_t* h) {
  const std::size_t words = Words ? Words : A.words;
  std::fill(h, h + A.d + 1, 0);
  std::uint64_t y[Words ? Words : 1024];
  std::vector<std::uint64_t> ybig(Words ? 0 : words);
  std::uint64_t* yy = Words ? y : ybig.data();
  for (std::size_t j1 = 0; j1 < A.n; ++j1) {
    for (std::size_t w = 0; w < words; ++w) yy[w] = A.row(i)[w] ^ B.row(i)[w] ^ A.row(j1)[w];
    for (std::size_t j2 = 0; j2 < B.n; ++j2) {
      unsigned differ = 0;
      for (std::size_t w = 0; w < words; ++w) differ += static_cast<unsigned>(__builtin_popcountll(yy[w] ^ B.row(j2)[w]));
      ++h[differ];
    }
  }
  --h[0];  // the pair (i, i): Bob's target
}

// Low dimension: per d, the 2m generator rows' 2^{2m} codewords (the pair products) enumerated
// here, their weight distribution, Lemma 1 with 2N + 1 zero rows at C = B^3 d, Lemma 3, INDEX on N d.
void check_low_dim(const Cert& c) {
  c.expect_sections({"derived"});
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"model", "d_min", "d_max", "B", "notion", "eta", "delta"});
  const std::uint64_t d_min = integer_in(prm, "parameters", "d_min", 2, 256), d_max = integer_in(prm, "parameters", "d_max", 2, 256);
  if (d_min > d_max) throw Malformed("parameters: d_min > d_max");
  const mpq_class B = rational_field(prm, "parameters", "B");
  const mpq_class eta = rational_field(prm, "parameters", "eta"), delta = rational_field(prm, "parameters", "delta");
  const std::string notion = text(prm, "parameters", "notion");
  if (B <= 0) throw Malformed("parameters.B must be > 0");
  if (eta < 0 || eta >= 1) throw Malformed("parameters.eta must lie in [0, 1)");
  if (delta < 0 || delta >= 1) throw Malformed("parameters.delta must lie in [0, 1)");
  if (notion != "rel" && notion != "abs" && notion != "l2") throw Malformed("parameters.notion must be rel, abs or l2");
  const json& inst = c.doc.at("instance");
  expect_keys(inst, "instance", {"keys", "rows"});
  if (text(inst, "instance", "keys") != "code_pairs") throw Malformed("instance.keys must be \"code_pairs\"");
  const json& der = c.doc.at("derived");
  expect_keys(der, "derived", {"rows"});
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "rows"});
  if (text(claim, "claim", "kind") != "bounded_entry_kv_cache_lower_bound_bits") throw Malformed("claim.kind is not bounded_entry_kv_cache_lower_bound_bits");
  const json &ir = inst.at("rows"), &dr = der.at("rows"), &cr = claim.at("rows");
  const std::size_t count = d_max - d_min + 1;
  if (!ir.is_array() || !dr.is_array() || !cr.is_array() || ir.size() != count || dr.size() != count || cr.size() != count)
    throw Malformed("instance.rows, derived.rows and claim.rows must have one entry per d in d_min..d_max");
  // Budget: all codewords enumerated, counted per 256 coordinates (d <= 256: one each).
  std::uint64_t budget = 0;
  for (std::size_t r = 0; r < count; ++r) {
    const std::string at = "instance.rows[" + std::to_string(r) + "]";
    expect_keys(ir[r], at, {"d", "C", "code", "generator", "m", "N", "zero_rows"});
    const std::uint64_t m = integer_in(ir[r], at, "m", 1, 15);
    budget += std::uint64_t{1} << (2 * m);
  }
  if (budget > c.opt.max_pairs)
    throw Malformed("needs " + std::to_string(budget) + " codewords enumerated, above --max-pairs " + std::to_string(c.opt.max_pairs));
  const mpz_class one = mpz_class(1) << 96;
  auto upper = [&](const mpq_class& x) { return x <= -67 ? mpz_class(1) : ceil_q(q_exp(x, 128).hi * mpq_class(one)); };
  for (std::size_t r = 0; r < count; ++r) {
    const std::string ia = "instance.rows[" + std::to_string(r) + "]", da = "derived.rows[" + std::to_string(r) + "]",
                      ca = "claim.rows[" + std::to_string(r) + "]";
    const std::size_t d = d_min + r;
    for (const auto& [obj, at] : {std::pair<const json*, std::string>{&ir[r], ia}, {&dr[r], da}, {&cr[r], ca}})
      if (integer_field(*obj, at, "d") != mpz_class(static_cast<unsigned long>(d))) throw Malformed(at + ".d must be d_min + " + std::to_string(r));
    expect_keys(dr[r], da, {"d", "D", "weight_distribution", "w_min_lower", "phi_upper", "p_upper", "H2(p)"});
    expect_keys(cr[r], ca, {"d", "bits", "bits_ceil"});
    text(ir[r], ia, "code");  // the construction's name: for the reader, the generator rows decide
    const std::uint64_t m = integer_in(ir[r], ia, "m", 1, 15), N = std::uint64_t{1} << m;
    if (integer_in(ir[r], ia, "N", 2, 1u << 15) != N) throw Malformed(ia + ".N must be 2^m");
    if (integer_in(ir[r], ia, "zero_rows", 1, UINT32_MAX) != 2 * N + 1) throw Rejected(ia + ".zero_rows is not 2N + 1 (Bob's token's pairs)");
    const mpq_class C = rational_field(ir[r], ia, "C");
    if (C != B * B * B * mpq_class(static_cast<unsigned long>(d))) throw Rejected(ia + ".C is not B^3 d");
    if (C > mpq_class(mpz_class(static_cast<unsigned long>(format_limits().max_C_num)))) throw Malformed(ia + ".C exceeds 2^23");
    const json& gen = ir[r].at("generator");
    if (!gen.is_array() || gen.size() != 2 * m) throw Malformed(ia + ".generator must hold 2m rows");
    // 2m independent rows of length d need 2m <= d: reject at once what the enumeration would.
    if (2 * m > d) throw Rejected(ia + ".generator: 2m = " + std::to_string(2 * m) + " rows of length d = " + std::to_string(d) + " are dependent");
    std::vector<std::vector<std::uint64_t>> g;
    const std::size_t words = (d + 63) / 64;
    for (const json& row : gen) {
      if (!row.is_string() || row.get<std::string>().size() != d || row.get<std::string>().find_first_not_of("01") != std::string::npos)
        throw Malformed(ia + ".generator: a row is not d characters 0/1");
      std::vector<std::uint64_t> bits(words, 0);
      const std::string s = row.get<std::string>();
      for (std::size_t col = 0; col < d; ++col)
        if (s[col] == '1') bits[col / 64] |= std::uint64_t{1} << (col % 64);
      g.push_back(bits);
    }
    // Every codeword of the 2m rows: message u -> XOR of the rows with bit set (Gray order walk).
    std::vector<std::uint64_t> A(d + 1, 0), cw(words, 0);
    A[0] = 1;  // u = 0
    for (std::uint64_t u = 1; u < (std::uint64_t{1} << (2 * m)); ++u) {
      const int t = __builtin_ctzll(u);  // Gray code step: flip row t
      for (std::size_t w = 0; w < words; ++w) cw[w] ^= g[static_cast<std::size_t>(t)][w];
      unsigned wt = 0;
      for (std::size_t w = 0; w < words; ++w) wt += static_cast<unsigned>(__builtin_popcountll(cw[w]));
      ++A[wt];
    }
    if (A[0] != 1) throw Rejected(ia + ".generator: dependent rows (a nonzero message has weight 0: pair products coincide)");
    const json& wd = dr[r].at("weight_distribution");
    if (!wd.is_array() || wd.size() != d + 1) throw Malformed(da + ".weight_distribution must hold d + 1 JSON integers");
    for (std::size_t k = 0; k <= d; ++k)
      if (!wd[k].is_number_unsigned() || wd[k].get<std::uint64_t>() != A[k])
        throw Rejected(da + ".weight_distribution[" + std::to_string(k) + "] differs from the regenerated code");
    std::size_t Dmin = 0;
    for (std::size_t k = 1; k <= d && !Dmin; ++k)
      if (A[k]) Dmin = k;
    if (integer_field(dr[r], da, "D") != mpz_class(static_cast<unsigned long>(Dmin))) throw Rejected(da + ".D is not the minimum nonzero weight");
    // Lemma 1 (every query alike), Lemma 3, INDEX.
    mpz_class Dfix = one + upper(-C) * static_cast<unsigned long>(2 * N + 1);
    for (std::size_t k = 1; k <= d; ++k)
      if (A[k]) {
        mpq_class x(-2 * static_cast<long>(k), static_cast<unsigned long>(d));
        x.canonicalize();
        Dfix += upper(C * x) * mpz_class(std::to_string(A[k]));
      }
    mpq_class w_check(one, Dfix);
    w_check.canonicalize();
    if (rational_field(dr[r], da, "w_min_lower") > w_check) throw Rejected(da + ".w_min_lower exceeds the re-derived bound");
    const mpq_class phi = rational_field(dr[r], da, "phi_upper"), p = rational_field(dr[r], da, "p_upper");
    const std::uint64_t F = lemma3_flips(notion, eta, d, one, Dfix);
    if (phi < mpq_class(static_cast<unsigned long>(F), static_cast<unsigned long>(d))) throw Rejected(da + ".phi_upper is below F/d");
    if (phi > 1) throw Rejected(da + ".phi_upper must lie in [0, 1]");
    if (p != delta + phi) throw Rejected(da + ".p_upper is not delta + phi_upper");
    if (2 * p >= 1) throw Rejected(da + ".p_upper >= 1/2: INDEX gives no bound");
    auto h2 = [&](unsigned b) { return q_h2(p, b); };
    check_contains(h2, dr[r].at("H2(p)"), da + ".H2(p)");
    const mpq_class bits = rational_field(cr[r], ca, "bits");
    const mpq_class Nd(mpz_class(static_cast<unsigned long>(N)) * static_cast<unsigned long>(d));
    if (!decide_le(h2, 1 - bits / Nd, ca + ".bits")) throw Rejected(ca + ".bits exceeds N d (1 - H2(p))");
    if (integer_field(cr[r], ca, "bits_ceil") != ceil_q(bits)) throw Rejected(ca + ".bits_ceil is not ceil(bits)");
  }
  c.summary = "all " + std::to_string(count) + " rows re-derived (the pair products' codewords enumerated, weights, Lemma 1/3, INDEX)";
}

}  // namespace

void check_t5(const Cert& c) {
  const FormatLimits lim = format_limits();
  const json& prm = c.doc.at("parameters");
  if (prm.is_object() && prm.contains("model") && prm.at("model").is_string() && prm.at("model").get<std::string>() == "low-dim")
    return check_low_dim(c);
  expect_keys(prm, "parameters", {"model", "n", "N", "d", "C", "notion", "eta", "delta", "zero_rows"});
  const std::string model = text(prm, "parameters", "model");
  if (model != "four-cache-embed" && model != "four-cache-native" && model != "two-cache")
    throw Malformed("parameters.model must be four-cache-embed, four-cache-native, two-cache or low-dim");
  const bool embed = model == "four-cache-embed", native = model == "four-cache-native";
  c.expect_sections(embed ? std::initializer_list<const char*>{"statistics", "derived", "embedding"}
                          : std::initializer_list<const char*>{"statistics", "derived"});
  const std::uint64_t n = integer_in(prm, "parameters", "n", 3, lim.max_keys + 1);
  const std::size_t N = integer_in(prm, "parameters", "N", 2, lim.max_keys);
  const std::size_t d = integer_in(prm, "parameters", "d", 1, lim.max_dim);
  const std::uint64_t expect_N = model == "two-cache" ? (n - 1) * (n - 1) : n - 1;
  if (N != expect_N) throw Malformed(model == "two-cache" ? "parameters.N must be (n - 1)^2" : "parameters.N must be n - 1");
  if (native && N > 65535) throw Malformed("parameters.N: the native model needs N^2 < 2^32");
  const std::uint64_t zero_rows = integer_in(prm, "parameters", "zero_rows", 1, UINT64_MAX);
  const std::uint64_t expect_zero = embed ? 1 : native ? 2 * N + 1 : 2 * n - 1;
  if (zero_rows != expect_zero) throw Rejected("parameters.zero_rows is not " + std::to_string(expect_zero) + " (Bob's token's rows in this model)");
  const T1Params tp = read_t1_params(prm, lim.max_C_num);
  const mpq_class &C = tp.C, &eta = tp.eta;
  const std::string& notion = tp.notion;
  const T1Outcome out = read_t1_outcome(c);
  const mpq_class &w_stored = out.w_stored, &phi = out.phi;

  // The embedding's statements (cheap) before any recomputation.
  std::vector<std::pair<const LemmaStatement*, std::string>> lemmas;  // statement, stored cvc5 verdict
  if (embed) {
    const json& em = c.doc.at("embedding");
    expect_keys(em, "embedding", {"K2", "V2", "lemmas"});
    if (text(em, "embedding", "K2") != "1" || text(em, "embedding", "V2") != "1")
      throw Rejected("embedding: K2 and V2 must be \"1\" (all-ones; the identity needs both)");
    const json& ls = em.at("lemmas");
    const auto& table = embedding_statements();
    if (!ls.is_array() || ls.size() != table.size()) throw Malformed("embedding.lemmas must list the " + std::to_string(table.size()) + " embedding lemmas");
    for (std::size_t k = 0; k < ls.size(); ++k) {
      const std::string at = "embedding.lemmas[" + std::to_string(k) + "]";
      expect_keys(ls[k], at, {"name", "smtlib2", "z3", "cvc5"});
      if (text(ls[k], at, "name") != table[k].name) throw Rejected(at + ".name is not " + table[k].name);
      if (collapse_whitespace(text(ls[k], at, "smtlib2")) != collapse_whitespace(table[k].smtlib2))
        throw Rejected(at + ".smtlib2: the statement differs from the checker's");
      if (text(ls[k], at, "z3") != "unsat") throw Malformed(at + ".z3 must be \"unsat\"");
      const std::string c5 = text(ls[k], at, "cvc5");
      if (c5 != "unsat" && c5 != "unknown" && c5 != "unavailable") throw Malformed(at + ".cvc5 must be \"unsat\", \"unknown\" or \"unavailable\"");
      lemmas.push_back({&table[k], c5});
    }
  }

  // INDEX on N d bits given p (cheap).
  check_index_bits(out, tp.delta, N, d);

  // Lemma 1 in 96-bit fixed point with zero_rows rows of score 0.
  const mpz_class one = mpz_class(1) << 96;
  auto upper = [&](const mpq_class& x) { return x <= -67 ? mpz_class(1) : ceil_q(q_exp(x, 128).hi * mpq_class(one)); };
  const json& stats = c.doc.at("statistics");
  std::vector<mpz_class> U(d + 1);
  std::vector<mpz_class> D(N);
  std::vector<std::uint64_t> row_flips(N);
  const mpz_class UC = upper(-C);
  auto fill_U = [&](const std::vector<std::uint64_t>& by_differing) {
    for (std::size_t k = 0; k <= d; ++k) {
      if (by_differing[k] == 0) continue;
      mpq_class x(-2 * static_cast<long>(k), static_cast<unsigned long>(d));
      x.canonicalize();
      U[k] = upper(C * x);
    }
  };
  auto row = [&](std::size_t i, const std::uint32_t* h) {
    mpz_class Di = one + UC * mpz_class(std::to_string(zero_rows));
    for (std::size_t k = 0; k <= d; ++k)
      if (h[k]) Di += U[k] * static_cast<unsigned long>(h[k]);
    row_flips[i] = lemma3_flips(notion, eta, d, one, Di);
    D[i] = std::move(Di);
  };

  if (!native) {
    expect_keys(stats, "statistics", {"inner_product_histogram", "max_inner"});
    const KeySource source = read_key_source(c.doc.at("instance"), true, N, d);
    if (model == "two-cache" && source.kind == KeySource::Kind::rows) throw Malformed("instance: the two-cache model takes random or hadamard keys");
    const PairHistogram hist = read_histogram(stats, "statistics", N, d);
    if (!stats.at("max_inner").is_number_integer() || !equals_integer(stats.at("max_inner"), hist.max_inner))
      throw Rejected("statistics.max_inner is not the largest inner product of statistics.inner_product_histogram");
    c.within_budget(N, d);
    const Keys K = source.generate(N, d);
    fill_U(hist.by_differing);
    expect_same_histogram(hist, row_histograms(K, c.opt.threads, row), d, "statistics");
  } else {
    expect_keys(stats, "statistics", {"pair_product_histogram", "max_inner"});
    const json& inst = c.doc.at("instance");
    expect_keys(inst, "instance", {"keys_a", "keys_b", "query"});
    if (text(inst, "instance", "query") != "a_i o b_i") throw Malformed("instance.query must be \"a_i o b_i\"");
    const KeySource sa = read_key_source(inst.at("keys_a"), true, N, d), sb = read_key_source(inst.at("keys_b"), true, N, d);
    if (sa.kind == KeySource::Kind::hadamard && sb.kind == KeySource::Kind::hadamard)
      throw Rejected("instance: Hadamard rows for both factors collide (h_i o h_j = h_{i xor j})");
    const std::uint64_t per_query = static_cast<std::uint64_t>(N) * N - 1;
    long max_inner = 0;
    const std::vector<std::uint64_t> stored = read_counts(stats.at("pair_product_histogram"), "statistics.pair_product_histogram", d,
                                                          per_query * N, max_inner);
    if (!stats.at("max_inner").is_number_integer() || !equals_integer(stats.at("max_inner"), max_inner))
      throw Rejected("statistics.max_inner is not the largest inner product of statistics.pair_product_histogram");
    // Budget: N^3 pair evaluations, each counting ceil(d/256) (N < 2^16: no overflow).
    const std::uint64_t evals = static_cast<std::uint64_t>(N) * N * N * ((d + 255) / 256);
    if (evals > c.opt.max_pairs)
      throw Malformed("needs " + std::to_string(evals) + " pair evaluations (counted per 256 coordinates), above --max-pairs " +
                      std::to_string(c.opt.max_pairs) + " (raise it to check this certificate)");
    const Keys A = sa.generate(N, d), B = sb.generate(N, d);
    fill_U(stored);
    auto one_row = A.words == 1 ? &native_row<1> : A.words == 2 ? &native_row<2> : A.words == 3 ? &native_row<3> : A.words == 4 ? &native_row<4> : &native_row<0>;
    std::vector<std::uint64_t> total(d + 1, 0);
    std::exception_ptr failure;
#pragma omp parallel num_threads(c.opt.threads > 0 ? c.opt.threads : omp_get_max_threads())
    {
      std::vector<std::uint32_t> h(d + 1);
      std::vector<std::uint64_t> mine(d + 1, 0);
#pragma omp for schedule(dynamic, 1)
      for (std::size_t i = 0; i < N; ++i) {
        one_row(A, B, i, h.data());
        for (std::size_t k = 0; k <= d; ++k) mine[k] += h[k];
        try {
          row(i, h.data());
        } catch (...) {
#pragma omp critical(attncert_t5_failure)
          if (!failure) failure = std::current_exception();
        }
      }
#pragma omp critical(attncert_t5_total)
      for (std::size_t k = 0; k <= d; ++k) total[k] += mine[k];
    }
    if (failure) std::rethrow_exception(failure);
    for (std::size_t k = 0; k <= d; ++k)
      if (total[k] != stored[k])
        throw Rejected("statistics.pair_product_histogram[" + std::to_string(static_cast<long>(d) - 2 * static_cast<long>(k)) +
                       "] differs from the regenerated instance");
  }

  const mpz_class& Dmax = *std::max_element(D.begin(), D.end());
  mpq_class w_check(one, Dmax);
  w_check.canonicalize();
  if (w_stored > w_check) throw Rejected("derived.w_min_lower exceeds the re-derived lower bound on min w");
  mpz_class total_flips = 0;
  for (std::uint64_t f : row_flips) total_flips += static_cast<unsigned long>(f);
  mpq_class phi_check(total_flips, mpz_class(static_cast<unsigned long>(N)) * static_cast<unsigned long>(d));
  phi_check.canonicalize();
  if (phi < phi_check) throw Rejected("derived.phi_upper is below the re-derived flip fraction");

  if (embed) {
    std::size_t reproved = 0;
    std::string z3_only;
    for (const auto& [st, stored_c5] : lemmas) {
      const SmtRun r = run_cvc5(st->smtlib2, c.opt.smt_timeout_ms);
      if (r.answer == SmtAnswer::sat) throw Rejected(std::string("embedding lemma ") + st->name + ": cvc5 finds a counterexample (sat)");
      if (r.answer == SmtAnswer::unsat) ++reproved;
      else if (stored_c5 == "unsat")
        throw Inconclusive(std::string("embedding lemma ") + st->name + ": the certificate says cvc5 proved it, cvc5 here: " + r.detail);
      else z3_only += std::string(z3_only.empty() ? "" : ", ") + st->name;
    }
    c.summary = "T1 re-derived through the embedding K2 = V2 = 1; " + std::to_string(reproved) + "/" + std::to_string(lemmas.size()) +
                " embedding lemmas re-proved by cvc5" + (z3_only.empty() ? "" : " (Z3-only, the producer's word: " + z3_only + ")");
  } else if (native) {
    c.summary = "all " + std::to_string(N) + " queries' pair-product histograms (" + std::to_string(static_cast<std::uint64_t>(N) * N * N) +
                " pair evaluations) re-derived, Lemma 1/3, INDEX";
  } else {
    c.summary = "T1 re-derived with N = (n-1)^2 = " + std::to_string(N) + " free pair rows and " + std::to_string(zero_rows) + " zero rows";
  }
}

}  // namespace attncert::checker
