// Gram statistics of seeded sign keys: the exact histogram of off-diagonal inner products, its
// maximum rho * d with a witness pair, and optionally rho <= rho_max (or its refutation).
#include "cert.hpp"
#include "json_strict.hpp"
#include "sign_keys.hpp"

namespace attncert::checker {

void check_gram(const Cert& c) {
  c.expect_sections({"statistics"});
  const FormatLimits lim = format_limits();
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"N", "d"});
  const std::size_t n = integer_in(prm, "parameters", "N", 2, lim.max_keys);
  const std::size_t d = integer_in(prm, "parameters", "d", 1, lim.max_dim);
  const KeySource source = read_key_source(c.doc.at("instance"), false, n, d);
  const json& stats = c.doc.at("statistics");
  expect_keys(stats, "statistics", {"inner_product_histogram"});
  const PairHistogram hist = read_histogram(stats, "statistics", n, d);

  // The claim against the stored histogram (cheap) ...
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "max_inner", "rho", "witness"}, {"rho_max", "holds"});
  if (text(claim, "claim", "kind") != "max_off_diagonal_inner_product")
    throw Malformed("claim.kind is not max_off_diagonal_inner_product");
  const json& mi = claim.at("max_inner");
  if (!mi.is_number_integer()) throw Malformed("claim.max_inner must be a JSON integer");
  if (!equals_integer(mi, hist.max_inner))
    throw Rejected("claim.max_inner is not the largest inner product of statistics.inner_product_histogram");
  const mpq_class rho = rational_field(claim, "claim", "rho");
  mpq_class exact_rho(hist.max_inner, static_cast<unsigned long>(d));
  exact_rho.canonicalize();  // gmpxx compares canonical fractions only
  if (rho != exact_rho) throw Rejected("claim.rho is not max_inner / d");
  const json& w = claim.at("witness");
  if (!w.is_array() || w.size() != 2 || !w[0].is_number_unsigned() || !w[1].is_number_unsigned())
    throw Malformed("claim.witness must be a pair of row indices (JSON integers)");
  const std::uint64_t wi = w[0].get<std::uint64_t>(), wj = w[1].get<std::uint64_t>();
  if (wi >= n || wj >= n || wi == wj) throw Rejected("claim.witness is not a pair of distinct rows below N");
  if (claim.contains("rho_max")) {
    const mpq_class rmax = rational_field(claim, "claim", "rho_max");
    if (claim.contains("holds") && !claim.at("holds").is_boolean()) throw Malformed("claim.holds must be true or false");
    const bool holds = !claim.contains("holds") || claim.at("holds").get<bool>();
    if (holds != (rho <= rmax)) throw Rejected(holds ? "claim: rho exceeds rho_max" : "claim: refutation does not hold");
  } else if (claim.contains("holds")) {
    throw Malformed("claim.holds without claim.rho_max");
  }

  // ... then the histogram against the regenerated keys (O(N^2 d), within the budget).
  c.within_budget(n, d);
  const Keys K = source.generate(n, d);
  expect_same_histogram(hist, row_histograms(K, c.opt.threads, [](std::size_t, const std::uint32_t*) {}), d,
                        "statistics");
  if (K.inner(wi, wj) != hist.max_inner) throw Rejected("claim.witness does not attain max_inner");
}

}  // namespace attncert::checker
