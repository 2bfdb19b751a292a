// INDEX (spec §1): every one-way protocol for INDEX_N with average error <= p sends at least
// N(1 - H2(p)) bits. The checker re-encloses H2(p) and re-decides the claimed bound.
#include "cert.hpp"
#include "decide.hpp"
#include "json_strict.hpp"

namespace attncert::checker {

void check_index(const Cert& c) {
  c.expect_sections({"derived"});
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"N", "p"});
  mpz_class N = integer_field(prm, "parameters", "N");
  mpq_class p = rational_field(prm, "parameters", "p");
  if (N < 1) throw Malformed("parameters.N must be >= 1");
  if (p < 0 || p > mpq_class(1, 2)) throw Malformed("parameters.p must lie in [0, 1/2]");
  if (!c.doc.at("instance").is_null()) throw Malformed("instance must be null (INDEX is about all protocols)");
  const json& der = c.doc.at("derived");
  expect_keys(der, "derived", {"H2(p)"});
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "bits", "bits_ceil"});
  if (text(claim, "claim", "kind") != "one_way_message_bits_lower_bound")
    throw Malformed("claim.kind is not one_way_message_bits_lower_bound");
  mpq_class bits = rational_field(claim, "claim", "bits");
  mpz_class bits_ceil = integer_field(claim, "claim", "bits_ceil");

  auto h2 = [&](unsigned b) { return q_h2(p, b); };
  check_contains(h2, der.at("H2(p)"), "derived.H2(p)");
  // bits <= N (1 - H2(p))  <=>  H2(p) <= 1 - bits / N
  if (!decide_le(h2, 1 - bits / mpq_class(N), "claim.bits")) throw Rejected("claim.bits exceeds N(1 - H2(p))");
  if (bits_ceil != ceil_q(bits)) throw Rejected("claim.bits_ceil is not ceil(claim.bits)");
}

}  // namespace attncert::checker
