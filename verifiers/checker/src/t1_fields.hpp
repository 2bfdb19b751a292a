// The fields a T1-shaped certificate shares (t1, and t5's embed, native and two-cache models), read
// and checked once: the parameters C, eta, delta, notion; the derived w_min_lower, phi_upper,
// p_upper, H2(p); the claim's bits; and INDEX on N d bits with error p.
#pragma once
#include <cstdint>
#include <string>

#include "cert.hpp"
#include "decide.hpp"
#include "json_strict.hpp"
#include "qarith.hpp"

namespace attncert::checker {

struct T1Params {
  mpq_class C, eta, delta;
  std::string notion;
};

// parameters.C in (0, max_C], eta and delta in [0, 1), notion rel | abs | l2 (Malformed otherwise).
inline T1Params read_t1_params(const json& prm, std::uint64_t max_C) {
  T1Params t;
  t.C = rational_field(prm, "parameters", "C");
  t.eta = rational_field(prm, "parameters", "eta");
  t.delta = rational_field(prm, "parameters", "delta");
  t.notion = text(prm, "parameters", "notion");
  if (t.C <= 0 || t.C > mpq_class(mpz_class(static_cast<unsigned long>(max_C))))
    throw Malformed("parameters.C must lie in (0, " + std::to_string(max_C) + "]");
  if (t.eta < 0 || t.eta >= 1) throw Malformed("parameters.eta must lie in [0, 1)");
  if (t.delta < 0 || t.delta >= 1) throw Malformed("parameters.delta must lie in [0, 1)");
  if (t.notion != "rel" && t.notion != "abs" && t.notion != "l2") throw Malformed("parameters.notion must be rel, abs or l2");
  return t;
}

struct T1Outcome {
  const json* derived = nullptr;
  mpq_class w_stored, phi, p, bits;
  mpz_class bits_ceil;
};

// derived {w_min_lower, phi_upper, p_upper, H2(p)} and claim {kind: kv_cache_space_lower_bound_bits,
// bits, bits_ceil}, parsed (nothing decided yet).
inline T1Outcome read_t1_outcome(const Cert& c) {
  T1Outcome o;
  const json& der = c.doc.at("derived");
  expect_keys(der, "derived", {"w_min_lower", "phi_upper", "p_upper", "H2(p)"});
  o.derived = &der;
  o.w_stored = rational_field(der, "derived", "w_min_lower");
  o.phi = rational_field(der, "derived", "phi_upper");
  o.p = rational_field(der, "derived", "p_upper");
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "bits", "bits_ceil"});
  if (text(claim, "claim", "kind") != "kv_cache_space_lower_bound_bits")
    throw Malformed("claim.kind is not kv_cache_space_lower_bound_bits");
  o.bits = rational_field(claim, "claim", "bits");
  o.bits_ceil = integer_field(claim, "claim", "bits_ceil");
  return o;
}

// INDEX on N d bits with error p = delta + phi (cheap, before the rows that justify phi):
// H2(p) in the stored enclosure, bits <= N d (1 - H2(p)), bits_ceil = ceil(bits).
inline void check_index_bits(const T1Outcome& o, const mpq_class& delta, std::uint64_t N, std::uint64_t d) {
  if (o.phi < 0 || o.phi > 1) throw Rejected("derived.phi_upper must lie in [0, 1] (a fraction of bits)");
  if (o.p != delta + o.phi) throw Rejected("derived.p_upper is not delta + phi_upper");
  if (2 * o.p >= 1) throw Rejected("derived.p_upper >= 1/2: INDEX gives no bound");
  auto h2 = [&](unsigned b) { return q_h2(o.p, b); };
  check_contains(h2, o.derived->at("H2(p)"), "derived.H2(p)");
  const mpq_class Nd(mpz_class(static_cast<unsigned long>(N)) * static_cast<unsigned long>(d));
  if (!decide_le(h2, 1 - o.bits / Nd, "claim.bits")) throw Rejected("claim.bits exceeds N d (1 - H2(p))");
  if (o.bits_ceil != ceil_q(o.bits)) throw Rejected("claim.bits_ceil is not ceil(claim.bits)");
}

}  // namespace attncert::checker
