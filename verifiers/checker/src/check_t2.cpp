// T2 (docs/theorems.md#t2, docs/certificates.md#t2): for each dimension d of the range, the keys
// are the first N = 2^j codewords of a binary linear code in message order. The checker re-derives
// them from the stored generator rows by its own enumeration, the weight distribution and D, every
// row's Lemma 1 bound (one histogram serves all rows, see below), Lemma 3 flips and the INDEX bits.
//
// Why one histogram: message order puts the codeword of message u = sum_i u_i g_i at position u,
// so the first 2^j codewords are exactly the span of g_0..g_{j-1} (messages below 2^j use only
// bits 0..j-1). That set is a linear subcode: the distance from s_u to s_v is the weight of
// s_{u xor v}, and v -> u xor v permutes [0, 2^j). So every row's distance histogram is the
// subcode's weight distribution without its zero word. The checker insists on N = 2^j, j <= k,
// and on no nonzero message of weight 0 (the first j rows independent: no two keys coincide).
//
// Covering (section "covering"): per row the cap measures mu(cap theta) and mu(cap theta/2) are
// checked against the checker's own enclosures (sphere_cover.hpp: closed forms, arctan series,
// Machin's pi), the claimed lower bound on the covering number against ceil(1 / mu.hi), and the
// claimed upper bound by the route it names: two antipodal caps (cos theta <= 0), a maximal
// theta-separated set ((upper + 1) mu(theta/2) > 1), or explicit centers the checker verifies
// exactly (d = 2 angular gaps, d = 3 its own branch and bound).
#include <bit>
#include <cstdint>
#include <vector>

#include "cert.hpp"
#include "decide.hpp"
#include "json_strict.hpp"
#include "sphere_cover.hpp"

namespace attncert::checker {

namespace {
constexpr std::uint64_t kMaxDim = 256;
constexpr unsigned kMaxLog2N = 20;


// Parse centers: an array of points, each an array of `dim` rational strings.
std::vector<std::vector<mpq_class>> centers_of(const json& V, const std::string& wv, std::size_t dim) {
  const json& a = member(V, wv, "centers");
  if (!a.is_array() || a.empty() || a.size() > 4096) throw Malformed(wv + ".centers must be an array of 1..4096 points");
  std::vector<std::vector<mpq_class>> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string wp = wv + ".centers[" + std::to_string(i) + "]";
    if (!a[i].is_array() || a[i].size() != dim) throw Malformed(wp + " must have " + std::to_string(dim) + " coordinates");
    std::vector<mpq_class> x;
    for (const json& v : a[i]) {
      if (!v.is_string()) throw Malformed(wp + " coordinates must be rational strings");
      const mpq_class q = canonical_rational(v.get<std::string>(), wp);
      // Short coordinates: their size drives the exact arithmetic, which --max-pairs does not count.
      if (mpz_sizeinbase(q.get_num_mpz_t(), 2) > 256 || mpz_sizeinbase(q.get_den_mpz_t(), 2) > 256)
        throw Malformed(wp + " coordinates must have numerator and denominator below 2^256");
      x.push_back(q);
    }
    out.push_back(std::move(x));
  }
  return out;
}
}  // namespace

void check_t2(const Cert& c) {
  c.expect_sections({"derived", "covering"});
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters", {"d_min", "d_max", "B", "notion", "eta", "delta", "cos_theta"});
  const std::size_t d_min = integer_in(prm, "parameters", "d_min", 2, kMaxDim);
  const std::size_t d_max = integer_in(prm, "parameters", "d_max", d_min, kMaxDim);
  const mpq_class B = rational_field(prm, "parameters", "B");
  const mpq_class eta = rational_field(prm, "parameters", "eta");
  const mpq_class delta = rational_field(prm, "parameters", "delta");
  const std::string notion = text(prm, "parameters", "notion");
  const mpq_class cos_theta = rational_field(prm, "parameters", "cos_theta");
  if (B <= 0) throw Malformed("parameters.B must be > 0");
  if (cos_theta <= -1 || cos_theta >= 1) throw Malformed("parameters.cos_theta must lie in (-1, 1)");
  // The cap measure's series cost grows with the size of cos_theta's denominator, which --max-pairs
  // does not count: the format limits it (a 19 KB certificate with a 3000-digit one took 2 minutes).
  if (mpz_sizeinbase(cos_theta.get_den_mpz_t(), 2) > 65)
    throw Malformed("parameters.cos_theta: the denominator must be at most 2^64");
  if (eta < 0 || eta >= 1) throw Malformed("parameters.eta must lie in [0, 1)");
  if (delta < 0 || delta >= 1) throw Malformed("parameters.delta must lie in [0, 1)");
  if (notion != "rel" && notion != "abs" && notion != "l2") throw Malformed("parameters.notion must be rel, abs or l2");
  const std::size_t rows = d_max - d_min + 1;

  const json& inst = c.doc.at("instance");
  expect_keys(inst, "instance", {"keys", "rows"});
  if (text(inst, "instance", "keys") != "code_prefix") throw Malformed("instance.keys must be \"code_prefix\"");
  const json& irows = array_of(inst, "instance", "rows", rows);
  const json& der = c.doc.at("derived");
  expect_keys(der, "derived", {"rows"});
  const json& drows = array_of(der, "derived", "rows", rows);
  const json& claim = c.doc.at("claim");
  expect_keys(claim, "claim", {"kind", "rows"});
  if (text(claim, "claim", "kind") != "bounded_entry_kv_cache_lower_bound_bits")
    throw Malformed("claim.kind is not bounded_entry_kv_cache_lower_bound_bits");
  const json& crows = array_of(claim, "claim", "rows", rows);
  const json& cov = c.doc.at("covering");
  expect_keys(cov, "covering", {"rows"});
  const json& vrows = array_of(cov, "covering", "rows", rows);

  // Cheap structure of every row and the enumeration budget before any work.
  std::uint64_t total_words = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::string wi = "instance.rows[" + std::to_string(r) + "]";
    expect_keys(irows[r], wi, {"d", "C", "code", "generator", "N"});
    const std::uint64_t N = integer_in(irows[r], wi, "N", 2, std::uint64_t{1} << kMaxLog2N);
    if (!std::has_single_bit(N)) throw Malformed(wi + ".N must be a power of two (the first 2^j codewords)");
    total_words += N;
  }
  if (total_words > c.opt.max_pairs)
    throw Malformed("needs " + std::to_string(total_words) + " codewords enumerated, above --max-pairs " +
                    std::to_string(c.opt.max_pairs) + " (raise it to check this certificate)");

  // 160-bit fixed point: at least as fine as the producer's 128-bit exp table, so a correct
  // producer's w_min_lower never exceeds the checker's bound (ceil at 2^-160 <= ceil at 2^-128).
  const mpz_class one = mpz_class(1) << 160;
  auto upper = [&](const mpq_class& x) {  // >= 2^160 e^x; for x <= -111 < -160 ln 2, 2^160 e^x < 1
    return x <= -111 ? mpz_class(1) : ceil_q(q_exp(x, 200).hi * mpq_class(one));
  };
  std::uint64_t total_bits_ceil_rows = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t d = d_min + r;
    const std::string wi = "instance.rows[" + std::to_string(r) + "]", wd = "derived.rows[" + std::to_string(r) + "]",
                      wc = "claim.rows[" + std::to_string(r) + "]";
    const json& I = irows[r];
    const json& Dr = drows[r];
    const json& Cr = crows[r];
    if (integer_in(I, wi, "d", 2, kMaxDim) != d) throw Malformed(wi + ".d must be d_min + " + std::to_string(r));
    const mpq_class C = rational_field(I, wi, "C");
    if (C != B * B * mpq_class(static_cast<unsigned long>(d))) throw Rejected(wi + ".C is not B^2 d");
    if (C > mpq_class(mpz_class(1) << 23)) throw Malformed(wi + ".C exceeds 2^23");
    text(I, wi, "code");  // a name for the reader; the generator rows decide
    const std::uint64_t N = integer_in(I, wi, "N", 2, std::uint64_t{1} << kMaxLog2N);
    const unsigned j = static_cast<unsigned>(std::countr_zero(N));
    const json& G = member(I, wi, "generator");
    if (!G.is_array() || G.empty() || G.size() > d) throw Malformed(wi + ".generator must hold 1..d rows");
    if (G.size() < j) throw Rejected(wi + ".N = 2^" + std::to_string(j) + " exceeds the code's 2^k codewords");
    // The first j rows as bit words (column c is bit c % 64 of word c / 64).
    const std::size_t W = (d + 63) / 64;
    std::vector<std::uint64_t> g(G.size() * W, 0);
    for (std::size_t i = 0; i < G.size(); ++i) {
      if (!G[i].is_string()) throw Malformed(wi + ".generator rows must be strings");
      const std::string s = G[i].get<std::string>();
      if (s.size() != d) throw Malformed(wi + ".generator[" + std::to_string(i) + "] must have length d");
      for (std::size_t col = 0; col < d; ++col) {
        if (s[col] == '1') g[i * W + col / 64] |= std::uint64_t{1} << (col % 64);
        else if (s[col] != '0') throw Malformed(wi + ".generator rows must be strings of 0 and 1");
      }
    }
    // Every codeword of the span of g_0..g_{j-1} once, Gray order: step i XORs row ctz(i).
    std::vector<std::uint64_t> A(d + 1, 0);
    std::vector<std::uint64_t> cur(W, 0);
    A[0] = 1;
    for (std::uint64_t u = 1; u < N; ++u) {
      const unsigned b = static_cast<unsigned>(std::countr_zero(u));
      unsigned w = 0;
      for (std::size_t k = 0; k < W; ++k) {
        cur[k] ^= g[b * W + k];
        w += static_cast<unsigned>(std::popcount(cur[k]));
      }
      if (w == 0) throw Rejected(wi + ".generator: its first j rows are dependent (two keys coincide)");
      ++A[w];
    }
    std::size_t Dmin = 1;
    while (A[Dmin] == 0) ++Dmin;

    expect_keys(Dr, wd, {"d", "D", "weight_distribution", "w_min_lower", "phi_upper", "p_upper", "H2(p)"});
    if (integer_in(Dr, wd, "d", 2, kMaxDim) != d) throw Malformed(wd + ".d must be d_min + " + std::to_string(r));
    if (integer_field(Dr, wd, "D") != mpz_class(static_cast<unsigned long>(Dmin)))
      throw Rejected(wd + ".D is not the minimum distance of the first N codewords (re-derived " + std::to_string(Dmin) + ")");
    const json& wdist = array_of(Dr, wd, "weight_distribution", d + 1);
    for (std::size_t k = 0; k <= d; ++k) {
      if (!wdist[k].is_number_integer()) throw Malformed(wd + ".weight_distribution entries must be JSON integers");
      if (!equals_integer(wdist[k], static_cast<long>(A[k])))
        throw Rejected(wd + ".weight_distribution[" + std::to_string(k) + "] differs from the enumeration (" +
                       std::to_string(A[k]) + ")");
    }
    const mpq_class w_stored = rational_field(Dr, wd, "w_min_lower");
    const mpq_class phi = rational_field(Dr, wd, "phi_upper");
    const mpq_class p = rational_field(Dr, wd, "p_upper");
    expect_keys(Cr, wc, {"d", "bits", "bits_ceil"});
    if (integer_in(Cr, wc, "d", 2, kMaxDim) != d) throw Malformed(wc + ".d must be d_min + " + std::to_string(r));
    const mpq_class bits = rational_field(Cr, wc, "bits");
    const mpz_class bits_ceil = integer_field(Cr, wc, "bits_ceil");

    // INDEX on N d bits with error p.
    if (phi < 0 || phi > 1) throw Rejected(wd + ".phi_upper must lie in [0, 1]");
    if (p != delta + phi) throw Rejected(wd + ".p_upper is not delta + phi_upper");
    if (2 * p >= 1) throw Rejected(wd + ".p_upper >= 1/2: INDEX gives no bound");
    auto h2 = [&](unsigned b) { return q_h2(p, b); };
    check_contains(h2, Dr.at("H2(p)"), wd + ".H2(p)");
    const mpq_class Nd(mpz_class(static_cast<unsigned long>(N)) * static_cast<unsigned long>(d));
    if (!decide_le(h2, 1 - bits / Nd, wc + ".bits")) throw Rejected(wc + ".bits exceeds N d (1 - H2(p))");
    if (bits_ceil != ceil_q(bits)) throw Rejected(wc + ".bits_ceil is not ceil(bits)");

    // Lemma 1 (fixed point, as check_t1): D = 2^160 + sum_{k>=1} A_k U_k + U_C >= 2^160 / w_i,
    // U_k >= 2^160 e^{-2Ck/d} (= e^{-2 B^2 k}), U_C >= 2^160 e^{-C}; the same for every row.
    mpz_class Dsum = one + upper(-C);
    for (std::size_t k = 1; k <= d; ++k) {
      if (A[k] == 0) continue;
      mpq_class x(-2 * static_cast<long>(k), static_cast<unsigned long>(d));
      x.canonicalize();
      Dsum += upper(C * x) * static_cast<unsigned long>(A[k]);
    }
    mpq_class w_check(one, Dsum);
    w_check.canonicalize();
    if (w_stored > w_check) throw Rejected(wd + ".w_min_lower exceeds the re-derived Lemma 1 bound");
    // Lemma 3: every row flips the same F coordinates, so phi = N F / (N d) = F / d.
    mpq_class phi_check(mpz_class(static_cast<unsigned long>(lemma3_flips(notion, eta, d, one, Dsum))),
                        mpz_class(static_cast<unsigned long>(d)));
    phi_check.canonicalize();
    if (phi < phi_check) throw Rejected(wd + ".phi_upper is below the re-derived flip fraction");
    ++total_bits_ceil_rows;

    // Covering: mu(cap theta) in the stored interval, lower <= ceil(1 / mu.hi) <= ceil(1 / mu).
    const std::string wv = "covering.rows[" + std::to_string(r) + "]";
    const json& V = vrows[r];
    const std::string route = V.is_object() && V.contains("upper_route") && V["upper_route"].is_string()
                                  ? V["upper_route"].get<std::string>() : "";
    const bool explicit_route = route == "explicit_circle" || route == "explicit_sphere";
    if (explicit_route)
      expect_keys(V, wv, {"d", "cos_theta", "cap_measure", "lower", "half_cap_measure", "upper", "upper_route", "centers",
                          "producer_route"});
    else
      expect_keys(V, wv, {"d", "cos_theta", "cap_measure", "lower", "half_cap_measure", "upper", "upper_route"});
    if (integer_in(V, wv, "d", 2, kMaxDim) != d) throw Malformed(wv + ".d must be d_min + " + std::to_string(r));
    if (rational_field(V, wv, "cos_theta") != cos_theta) throw Rejected(wv + ".cos_theta is not parameters.cos_theta");
    const json& cap = member(V, wv, "cap_measure");
    const CapMeasure mu(d, cos_theta);
    check_contains(mu, cap, wv + ".cap_measure");
    const mpq_class cap_hi = rational_field(cap, wv + ".cap_measure", "hi");
    if (cap_hi <= 0) throw Rejected(wv + ".cap_measure.hi must be > 0");
    const mpz_class lower = integer_field(V, wv, "lower");
    if (lower < 1 || lower > ceil_q(1 / cap_hi)) throw Rejected(wv + ".lower exceeds ceil(1 / cap_measure.hi)");
    const json& half = member(V, wv, "half_cap_measure");
    const HalfCapMeasure mu_half(d, cos_theta);
    check_contains(mu_half, half, wv + ".half_cap_measure");
    const mpz_class upper = integer_field(V, wv, "upper");
    if (upper < lower) throw Rejected(wv + ".upper is below lower");
    if (route == "antipodal") {
      // Caps of radius theta >= pi/2 around p and -p: every x has <x, p> >= 0 >= c or <x, -p> >= 0.
      if (cos_theta > 0) throw Rejected(wv + ".upper_route antipodal needs cos theta <= 0");
      if (upper < 2) throw Rejected(wv + ".upper < 2 with two antipodal caps");
    } else if (route == "maximal_separated_set") {
      // A maximal theta-separated set covers, and its caps of radius theta/2 are disjoint, so it has
      // at most 1 / mu(theta/2) points: upper >= floor(1 / mu(theta/2)) iff (upper + 1) mu(theta/2) > 1.
      const mpq_class half_lo = rational_field(half, wv + ".half_cap_measure", "lo");
      if (mpq_class(upper + 1) * half_lo <= 1) throw Rejected(wv + ".upper is below floor(1 / half_cap_measure.lo)");
    } else if (explicit_route) {
      if (route == "explicit_circle" ? d != 2 : d != 3)
        throw Rejected(wv + ".upper_route " + route + " does not fit d = " + std::to_string(d));
      text(V, wv, "producer_route");  // for the reader: the checker decides by its own route
      const auto centers = centers_of(V, wv, d);
      if (mpz_class(static_cast<unsigned long>(centers.size())) > upper)
        throw Rejected(wv + ".upper is below the number of explicit centers");
      std::string why;
      if (d == 2) {
        why = circle_cover_failure(centers, cos_theta);
      } else {
        // Box-center tests count against --max-pairs, 1024 each: one test is a few exact rational
        // products (about 2 us, some 2000 key pairs; an audit's 4096-center file would have run for
        // an hour when each test counted 1).
        std::uint64_t boxes = 0;
        const std::uint64_t box_budget = c.opt.max_pairs / 1024 / (centers.size() + 1);
        why = sphere_cover_failure(centers, cos_theta, 16, box_budget, boxes);
        if (!why.empty() && boxes > box_budget)  // a limit of this run, not a verdict on the claim
          throw Inconclusive(wv + ".centers: the branch and bound exceeds --max-pairs (" + std::to_string(boxes) +
                             " boxes); raise it to check this row");
      }
      if (!why.empty()) throw Rejected(wv + ".centers: not a covering established by the checker: " + why);
    } else {
      throw Malformed(wv + ".upper_route must be antipodal, maximal_separated_set, explicit_circle or explicit_sphere");
    }
  }
  c.summary = "all " + std::to_string(total_bits_ceil_rows) +
              " rows re-derived (codewords, weights, D, Lemma 1/3, INDEX; cap measures and both covering bounds)";
}

}  // namespace attncert::checker
