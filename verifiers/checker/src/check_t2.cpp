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
// Covering (section "covering"): per row the cap measure mu(cap theta) enclosure is checked against
// the checker's own enclosure (below: closed forms, arctan series, Machin's pi) and the claimed
// lower bound on the covering number against ceil(1 / mu.hi). The upper bound is reported for the
// reader and NOT checked (field "upper_reported").
#include <bit>
#include <cstdint>
#include <vector>

#include "cert.hpp"
#include "decide.hpp"
#include "json_strict.hpp"

namespace attncert::checker {

namespace {
constexpr std::uint64_t kMaxDim = 256;
constexpr unsigned kMaxLog2N = 20;

std::uint64_t flips_of(const std::string& notion, const mpq_class& eta, std::size_t d, const mpz_class& one,
                       const mpz_class& D) {
  mpq_class mu(mpz_class(2 * one - D), D);
  mu.canonicalize();
  if (notion == "rel") return mu > 0 ? 0 : d;
  if (notion == "abs") return mu > eta ? 0 : d;
  if (mu <= 0) return d;
  mpq_class f = eta * eta * mpq_class(static_cast<unsigned long>(d)) / (mu * mu);
  mpz_class fl;
  mpz_fdiv_q(fl.get_mpz_t(), f.get_num_mpz_t(), f.get_den_mpz_t());
  return fl > d ? d : fl.get_ui();
}

const json& array_of(const json& obj, const std::string& where, const std::string& key, std::size_t size) {
  const json& a = member(obj, where, key);
  if (!a.is_array() || a.size() != size)
    throw Malformed(path(where, key) + " must be an array of " + std::to_string(size) + " entries");
  return a;
}

// ---- the cap measure, by the checker's own closed forms and series ----------------------------
//
// mu(cap theta) on S^{d-1} = S_n(theta) / S_n(pi), n = d - 2, S_n(theta) = int_0^theta sin^n t dt
// (theta = arccos c in (0, pi); valid for every c in (-1, 1)). Integration by parts gives
//   S_n = -sin^{n-1}(theta) cos(theta) / n + (n-1)/n S_{n-2},   S_0 = theta,  S_1 = 1 - c.
// n odd: sin^{n-1} = (1 - c^2)^{(n-1)/2} is rational, so mu is an exact rational.
// n even: S_n = a_n theta + b_n s with s = sin theta = sqrt(1 - c^2), a_n, b_n rational
//   (a_0 = 1, b_0 = 0; a_n = (n-1)/n a_{n-2}; b_n = -c (1-c^2)^{(n-2)/2} / n + (n-1)/n b_{n-2}),
//   and S_n(pi) = a_n pi, so mu = (theta + (b_n/a_n) s) / pi, enclosed from enclosures of theta,
//   s and pi:
//   s: floor/ceil of an integer square root; theta = 2 arctan(t), t = sqrt((1-c)/(1+c)) >= 0
//   (tan(theta/2)), arctan increasing, so its endpoints' enclosures enclose it;
//   arctan(x), 0 <= x <= 1/2: the alternating series sum (-1)^k x^{2k+1}/(2k+1) with decreasing
//   terms, whose remainder is at most the first omitted term; 1/2 < x <= 1: pi/4 + arctan((x-1)/(x+1))
//   with |(x-1)/(x+1)| <= 1/3; x > 1: pi/2 - arctan(1/x); pi = 16 arctan(1/5) - 4 arctan(1/239)
//   (Machin). Every partial sum and power is rounded outward to P bits (round_down / round_up).

// arctan(x) for |x| <= 1/2 by the alternating series, outward at P bits.
QInterval atan_series(const mpq_class& x_in, unsigned P) {
  const bool neg = x_in < 0;
  const mpq_class x = neg ? mpq_class(-x_in) : x_in;
  if (x == 0) return {0, 0};
  const mpq_class x2 = x * x;
  const mpq_class eps(mpz_class(1), mpz_class(1) << P);
  mpq_class pl = round_down(x, P), ph = round_up(x, P);  // x^{2k+1}
  mpq_class lo = 0, hi = 0;
  for (unsigned long k = 0;; ++k) {
    const mpq_class den(static_cast<unsigned long>(2 * k + 1));
    const mpq_class tl = round_down(pl / den, P), th = round_up(ph / den, P);
    if (k % 2 == 0) { lo += tl; hi += th; } else { lo -= th; hi -= tl; }
    pl = round_down(pl * x2, P);
    ph = round_up(ph * x2, P);
    const mpq_class next = round_up(ph / mpq_class(static_cast<unsigned long>(2 * k + 3)), P);
    if (next < eps || k > 8 * P) {
      lo -= next;  // the remainder lies between 0 and the first omitted term
      hi += next;
      break;
    }
  }
  if (neg) return {-hi, -lo};
  return {lo, hi};
}

QInterval pi_enc(unsigned P) {
  const QInterval a = atan_series(mpq_class(1, 5), P), b = atan_series(mpq_class(1, 239), P);
  return {16 * a.lo - 4 * b.hi, 16 * a.hi - 4 * b.lo};
}

QInterval atan_enc(const mpq_class& x, unsigned P) {  // x >= 0
  if (x <= mpq_class(1, 2)) return atan_series(x, P);
  const QInterval pi = pi_enc(P);
  if (x <= 1) {
    mpq_class y = (x - 1) / (x + 1);
    const QInterval r = atan_series(y, P);
    return {pi.lo / 4 + r.lo, pi.hi / 4 + r.hi};
  }
  const QInterval r = atan_enc(1 / x, P);
  return {pi.lo / 2 - r.hi, pi.hi / 2 - r.lo};
}

// sqrt(q) for rational q >= 0, enclosed by dyadics with P fractional bits.
QInterval sqrt_enc(const mpq_class& q, unsigned P) {
  mpz_class n = q.get_num() * q.get_den() << (2 * P), r;  // sqrt(q) = sqrt(num den) / den
  mpz_sqrt(r.get_mpz_t(), n.get_mpz_t());
  const mpz_class scale = q.get_den() << P;
  mpq_class lo(r, scale), hi(mpz_class(r + 1), scale);
  lo.canonicalize();
  hi.canonicalize();
  return {lo, hi};
}

// mu(cap theta) on S^{d-1}, cos theta = c in (-1, 1), enclosed with about `bits` bits.
// Where mu is rational but the series route below only encloses it, mu is returned exactly, so a
// stored interval with an exact endpoint is decidable: c = 0 (theta = pi/2: S_n(pi/2) = S_n(pi)/2
// by sin(pi - t) = sin t, so mu = 1/2 for every d) and d = 2, c = +-1/2 (mu = theta/pi with
// theta = pi/3 or 2 pi/3). For any other rational c and even n the value is irrational, so no
// stored endpoint equals it and refinement decides: mu = q rational would give
// theta = q pi - r s with e^{i theta} = c + i s algebraic, so e^{-i r s} = e^{i theta} e^{-i q pi}
// algebraic, which Lindemann's theorem allows only for r s = 0, i.e. theta = q pi, and then
// c = cos(q pi) rational forces c in {0, +-1/2} (Niven), where r s != 0 except at c = 0 and d = 2.
// The rational part of the cap measure (independent of the precision): for odd n the exact mu,
// for even n the ratio r = b/a of mu = (theta + r s)/pi. Computed once per row; the powers of
// s^2 are kept incrementally (recomputing them for every m and every precision step cost minutes
// for cos theta near 1 at d = 256).
struct CapParts {
  bool exact = false;
  mpq_class mu, r;
};
CapParts cap_parts(std::size_t d, const mpq_class& c) {
  CapParts out;
  if (c == 0) return {true, mpq_class(1, 2), 0};
  if (d == 2 && c == mpq_class(1, 2)) return {true, mpq_class(1, 3), 0};
  if (d == 2 && c == mpq_class(-1, 2)) return {true, mpq_class(2, 3), 0};
  const mpq_class s2 = 1 - c * c;
  const long n = static_cast<long>(d) - 2;
  mpq_class pw = 1;  // s2^((m - 1) / 2) for odd m, s2^((m - 2) / 2) for even m
  if (n % 2 != 0) {  // exact
    mpq_class S = 1 - c, W = 2;
    for (long m = 3; m <= n; m += 2) {
      pw *= s2;
      const mpq_class f(m - 1, m);
      S = -pw * c / m + f * S;
      W = f * W;
    }
    out.exact = true;
    out.mu = S / W;
    out.mu.canonicalize();
    return out;
  }
  mpq_class a = 1, b = 0;
  for (long m = 2; m <= n; m += 2) {
    if (m > 2) pw *= s2;
    const mpq_class f(m - 1, m);
    a = f * a;
    b = -c * pw / m + f * b;
  }
  out.r = b / a;
  return out;
}

QInterval cap_measure_enc(const mpq_class& c, const CapParts& parts, unsigned bits) {
  if (parts.exact) return {parts.mu, parts.mu};
  const unsigned P = bits + 32;
  const mpq_class s2 = 1 - c * c;
  const mpq_class& r = parts.r;
  const QInterval s = sqrt_enc(s2, P), pi = pi_enc(P);
  const QInterval t = sqrt_enc((1 - c) / (1 + c), P);
  const QInterval tl = atan_enc(t.lo, P), th = atan_enc(t.hi, P);
  const mpq_class theta_lo = 2 * tl.lo, theta_hi = 2 * th.hi;
  const mpq_class num_lo = theta_lo + (r >= 0 ? r * s.lo : r * s.hi);
  const mpq_class num_hi = theta_hi + (r >= 0 ? r * s.hi : r * s.lo);
  // mu > 0; a tiny mu (theta small, d large) cancels in theta + r s, and a lower end <= 0 only
  // means that this precision is too low: the caller refines.
  const mpq_class lo = num_lo <= 0 ? mpq_class(0) : mpq_class(round_down(num_lo / pi.hi, P));
  mpq_class hi = round_up(num_hi / pi.lo, P);
  if (hi > 1) hi = 1;
  return {lo, hi};
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
    mpq_class phi_check(mpz_class(static_cast<unsigned long>(flips_of(notion, eta, d, one, Dsum))),
                        mpz_class(static_cast<unsigned long>(d)));
    phi_check.canonicalize();
    if (phi < phi_check) throw Rejected(wd + ".phi_upper is below the re-derived flip fraction");
    ++total_bits_ceil_rows;

    // Covering: mu(cap theta) in the stored interval, lower <= ceil(1 / mu.hi) <= ceil(1 / mu).
    const std::string wv = "covering.rows[" + std::to_string(r) + "]";
    const json& V = vrows[r];
    expect_keys(V, wv, {"d", "cos_theta", "cap_measure", "lower", "upper_reported"});
    if (integer_in(V, wv, "d", 2, kMaxDim) != d) throw Malformed(wv + ".d must be d_min + " + std::to_string(r));
    if (rational_field(V, wv, "cos_theta") != cos_theta) throw Rejected(wv + ".cos_theta is not parameters.cos_theta");
    integer_field(V, wv, "upper_reported");  // reported, not claimed
    const json& cap = member(V, wv, "cap_measure");
    const CapParts parts = cap_parts(d, cos_theta);
    check_contains([&](unsigned b) { return cap_measure_enc(cos_theta, parts, b); }, cap, wv + ".cap_measure");
    const mpq_class cap_hi = rational_field(cap, wv + ".cap_measure", "hi");
    if (cap_hi <= 0) throw Rejected(wv + ".cap_measure.hi must be > 0");
    const mpz_class lower = integer_field(V, wv, "lower");
    if (lower < 1 || lower > ceil_q(1 / cap_hi)) throw Rejected(wv + ".lower exceeds ceil(1 / cap_measure.hi)");
  }
  c.summary = "all " + std::to_string(total_bits_ceil_rows) +
              " rows re-derived (codewords, weights, D, Lemma 1/3, INDEX; cap measure and covering lower bound); "
              "covering upper bounds reported only";
}

}  // namespace attncert::checker
