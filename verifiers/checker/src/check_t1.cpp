// T1 (spec §2): Lemma 1 bounds every row's softmax self-weight w_i from its histogram, Lemma 3
// turns the margin 2 w_i - 1 into decoded bits (flips), and INDEX on N d bits with error
// delta + phi gives the claimed bound on the KV cache.
#include <algorithm>

#include "cert.hpp"
#include "decide.hpp"
#include "json_strict.hpp"
#include "sign_keys.hpp"
#include "t1_fields.hpp"

namespace attncert::checker {

void check_t1(const Cert& c) {
  c.expect_sections({"statistics", "derived"});
  const FormatLimits lim = format_limits();
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"n", "N", "d", "C", "notion", "eta", "delta"});
  const std::size_t n = integer_in(prm, "parameters", "N", 2, lim.max_keys);
  const std::size_t d = integer_in(prm, "parameters", "d", 1, lim.max_dim);
  if (integer_field(prm, "parameters", "n") != mpz_class(static_cast<unsigned long>(n + 1)))
    throw Malformed("parameters.n must be N + 1");
  const T1Params tp = read_t1_params(prm, lim.max_C_num);
  const mpq_class &C = tp.C, &eta = tp.eta;
  const std::string& notion = tp.notion;
  const KeySource source = read_key_source(c.doc.at("instance"), true, n, d);

  const json& stats = c.doc.at("statistics");
  expect_keys(stats, "statistics", {"inner_product_histogram", "max_inner"});
  const PairHistogram hist = read_histogram(stats, "statistics", n, d);
  const json& mi = stats.at("max_inner");
  if (!mi.is_number_integer()) throw Malformed("statistics.max_inner must be a JSON integer");
  if (!equals_integer(mi, hist.max_inner))
    throw Rejected("statistics.max_inner is not the largest inner product of statistics.inner_product_histogram");

  const T1Outcome out = read_t1_outcome(c);
  const mpq_class &w_stored = out.w_stored, &phi = out.phi;
  // INDEX on N d bits given p (cheap), before the rows that justify phi (O(N^2 d)).
  check_index_bits(out, tp.delta, n, d);

  // Lemma 1 in 96-bit fixed point: U_k >= 2^96 e^{-2Ck/d}, D_i = 2^96 + sum_k h_i[k] U_k + U_C >= 2^96 / w_i.
  c.within_budget(n, d);
  const Keys K = source.generate(n, d);
  // Only the bins of the stored histogram get a factor: a row with any other bin makes the summed
  // histograms differ, and expect_same_histogram rejects before any D_i is used. For x <= -67 <
  // -96 ln 2, 2^96 e^x < 1, so 1 is an upper bound without an exp enclosure (whose cost grows with
  // |x|; C up to 2^23 would otherwise cost minutes per certificate).
  const mpz_class one = mpz_class(1) << 96;
  auto upper = [&](const mpq_class& x) {
    return x <= -67 ? mpz_class(1) : ceil_q(q_exp(x, 128).hi * mpq_class(one));
  };
  std::vector<mpz_class> U(d + 1);
  for (std::size_t k = 0; k <= d; ++k) {
    if (hist.by_differing[k] == 0) continue;
    mpq_class x(-2 * static_cast<long>(k), static_cast<unsigned long>(d));
    x.canonicalize();
    U[k] = upper(C * x);
  }
  const mpz_class UC = upper(-C);
  std::vector<mpz_class> D(n);
  std::vector<std::uint64_t> row_flips(n);
  auto row = [&](std::size_t i, const std::uint32_t* h) {  // writes only D[i], row_flips[i]
    mpz_class Di = one + UC;
    for (std::size_t k = 0; k <= d; ++k)
      if (h[k]) Di += U[k] * static_cast<unsigned long>(h[k]);
    row_flips[i] = lemma3_flips(notion, eta, d, one, Di);
    D[i] = std::move(Di);
  };
  expect_same_histogram(hist, row_histograms(K, c.opt.threads, row), d, "statistics");

  const mpz_class& Dmax = *std::max_element(D.begin(), D.end());
  mpq_class w_check(one, Dmax);
  w_check.canonicalize();
  if (w_stored > w_check) throw Rejected("derived.w_min_lower exceeds the re-derived lower bound on min_i w_i");
  mpz_class total_flips = 0;
  for (std::uint64_t f : row_flips) total_flips += static_cast<unsigned long>(f);
  mpq_class phi_check(total_flips, mpz_class(static_cast<unsigned long>(n)) * static_cast<unsigned long>(d));
  phi_check.canonicalize();
  if (phi < phi_check) throw Rejected("derived.phi_upper is below the re-derived flip fraction");
}

}  // namespace attncert::checker
