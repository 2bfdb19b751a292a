#include "attncert/reductions/t5.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "attncert/core/entropy.hpp"
#include "attncert/core/rng.hpp"
#include "attncert/reductions/errors.hpp"

namespace attncert::reductions {

using core::Integer;
using core::Interval;
using core::Rational;
using core::RationalMatrix;
using core::RationalVector;

// ---------------------------------------------------------------------------------------------
// Tensor attention

RationalMatrix pair_rows(const RationalMatrix& X1, const RationalMatrix& X2, std::size_t tokens) {
  const std::size_t n1 = tokens ? std::min(tokens, X1.size()) : X1.size();
  const std::size_t n2 = tokens ? std::min(tokens, X2.size()) : X2.size();
  RationalMatrix out;
  out.reserve(n1 * n2);
  for (std::size_t j1 = 0; j1 < n1; ++j1)
    for (std::size_t j2 = 0; j2 < n2; ++j2) {
      if (X1[j1].size() != X2[j2].size()) throw std::invalid_argument("pair_rows: rows of different length");
      RationalVector r(X1[j1].size());
      for (std::size_t l = 0; l < r.size(); ++l) r[l] = X1[j1][l] * X2[j2][l];
      out.push_back(std::move(r));
    }
  return out;
}

core::AttentionEnclosure tensor_attention_reference(const RationalVector& q, const RationalMatrix& K1,
                                                    const RationalMatrix& K2, const RationalMatrix& V1,
                                                    const RationalMatrix& V2, const Rational& scale,
                                                    const Rational& max_width, std::size_t tokens) {
  if (K1.size() != V1.size() || K2.size() != V2.size())
    throw std::invalid_argument("tensor_attention_reference: K and V differ in length");
  RationalVector qs(q.size());
  for (std::size_t l = 0; l < q.size(); ++l) qs[l] = scale * q[l];  // s = scale * sum_l q_l K1 K2
  return core::attention_reference(qs, pair_rows(K1, K2, tokens), pair_rows(V1, V2, tokens), max_width);
}

std::vector<double> tensor_attention_f64(const std::vector<double>& q, const std::vector<std::vector<double>>& K1,
                                         const std::vector<std::vector<double>>& K2,
                                         const std::vector<std::vector<double>>& V1,
                                         const std::vector<std::vector<double>>& V2, double scale, std::size_t tokens) {
  const std::size_t n1 = tokens ? std::min(tokens, K1.size()) : K1.size();
  const std::size_t n2 = tokens ? std::min(tokens, K2.size()) : K2.size();
  if (n1 == 0 || n2 == 0 || V1.size() < n1 || V2.size() < n2)
    throw std::invalid_argument("tensor_attention_f64: empty cache or K and V differ in length");
  const std::size_t d = q.size(), dv = V1[0].size();
  std::vector<double> s(n1 * n2);
  double smax = -INFINITY;
  for (std::size_t j1 = 0; j1 < n1; ++j1)
    for (std::size_t j2 = 0; j2 < n2; ++j2) {
      double x = 0;
      for (std::size_t l = 0; l < d; ++l) x += q[l] * K1[j1][l] * K2[j2][l];
      s[j1 * n2 + j2] = scale * x;
      smax = std::max(smax, scale * x);
    }
  std::vector<double> num(dv, 0.0);
  double den = 0;
  for (std::size_t j1 = 0; j1 < n1; ++j1)
    for (std::size_t j2 = 0; j2 < n2; ++j2) {
      const double w = std::exp(s[j1 * n2 + j2] - smax);
      den += w;
      for (std::size_t l = 0; l < dv; ++l) num[l] += w * V1[j1][l] * V2[j2][l];
    }
  for (double& x : num) x /= den;
  return num;
}

T5Model parse_t5_model(const std::string& s) {
  if (s == "four-cache-embed") return T5Model::embed;
  if (s == "four-cache-native") return T5Model::native;
  if (s == "two-cache") return T5Model::two_cache;
  if (s == "low-dim") return T5Model::low_dim;
  throw ParameterError("model", "'" + s + "' is not four-cache-embed, four-cache-native, two-cache or low-dim");
}

const char* to_string(T5Model m) {
  return m == T5Model::embed ? "four-cache-embed" : m == T5Model::native ? "four-cache-native" : m == T5Model::two_cache ? "two-cache" : "low-dim";
}

// ---------------------------------------------------------------------------------------------
// The embedding identity, exactly, on random instances

EmbeddingCheck check_embedding_identity(std::uint64_t seed, std::size_t instances, std::size_t max_n, std::size_t d) {
  EmbeddingCheck out;
  core::Xoshiro256ss rng(seed);
  auto small = [&](long range) {  // a rational in [-range, range] with denominator 1..8
    const long den = static_cast<long>(rng.below(8)) + 1;
    return Rational(static_cast<long>(rng.below(static_cast<std::uint64_t>(2 * range * den + 1))) - range * den, den);
  };
  for (std::size_t t = 0; t < instances && out.ok; ++t) {
    const std::size_t n = 1 + t % max_n;
    RationalVector q(d);
    RationalMatrix K1(n, RationalVector(d)), V1(n, RationalVector(d)), ones(n, RationalVector(d, Rational(1)));
    for (auto& x : q) x = small(2);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t l = 0; l < d; ++l) {
        K1[j][l] = small(2);
        V1[j][l] = small(3);
      }
    // (1) Scores: s(j1, j2) = sum_l q_l K1[j1,l] K2[j2,l] with K2 = 1 equals <q, K1[j1]>.
    const RationalMatrix KK = pair_rows(K1, ones), VV = pair_rows(V1, ones);
    std::vector<Rational> s1(n);
    for (std::size_t j1 = 0; j1 < n; ++j1)
      for (std::size_t l = 0; l < d; ++l) s1[j1] += q[l] * K1[j1][l];
    for (std::size_t p = 0; p < n * n; ++p) {
      Rational s = 0;
      for (std::size_t l = 0; l < d; ++l) s += q[l] * KK[p][l];
      ++out.pairs;
      if (s != s1[p / n]) {
        out.ok = false;
        out.detail = "instance " + std::to_string(t) + ": the score of pair " + std::to_string(p) + " differs from <q, K1[j1]>";
      }
    }
    // (2) Free positive weights: w_{j1} for every pair (j1, j2) (a pair's weight is a function of
    // its score, and the score depends on j1 alone).
    std::vector<Rational> w(n);
    for (auto& x : w) x = Rational(static_cast<long>(rng.below(1000)) + 1, static_cast<long>(rng.below(1000)) + 1);
    Rational Dt = 0, Da = 0;
    RationalVector Nt(d), Na(d);
    for (std::size_t p = 0; p < n * n; ++p) {
      Dt += w[p / n];
      for (std::size_t l = 0; l < d; ++l) Nt[l] += w[p / n] * VV[p][l];
    }
    for (std::size_t j = 0; j < n; ++j) {
      Da += w[j];
      for (std::size_t l = 0; l < d; ++l) Na[l] += w[j] * V1[j][l];
    }
    for (std::size_t l = 0; l < d && out.ok; ++l)
      if (Nt[l] / Dt != Na[l] / Da) {
        out.ok = false;
        out.detail = "instance " + std::to_string(t) + ": the weighted quotients differ at coordinate " + std::to_string(l);
      }
    // (3) The certified enclosures with the true exponentials intersect.
    const Rational width(1, 1 << 30);
    auto tensor = tensor_attention_reference(q, K1, ones, V1, ones, 1, width);
    auto plain = core::attention_reference(q, K1, V1, width);
    for (std::size_t l = 0; l < d && out.ok; ++l)
      if (tensor.out[l].hi_q() < plain.out[l].lo_q() || plain.out[l].hi_q() < tensor.out[l].lo_q()) {
        out.ok = false;
        out.detail = "instance " + std::to_string(t) + ": the enclosures are disjoint at coordinate " + std::to_string(l);
      }
    ++out.instances;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Certification from per-row histograms

namespace {
Rational from_u128(unsigned __int128 v) {
  Integer hi(static_cast<std::uint64_t>(v >> 64)), lo(static_cast<std::uint64_t>(v));
  return Rational((hi << 64) + lo);
}
}  // namespace

T5Report certify_rows(const core::GramHistogram& h, std::uint64_t zero_rows, const T1Params& prm) {
  T5Report r;
  r.rows = h.rows();
  r.d = h.cols();
  r.zero_rows = zero_rows;
  r.prm = prm;
  const std::size_t N = r.rows, d = r.d;
  if (N < 1) throw ParameterError("n", "T5 needs at least one row of Alice's");
  check_C(prm.C);
  check_eta_delta(prm.eta, prm.delta);
  r.max_inner = -static_cast<long>(d) - 1;
  for (std::size_t i = 0; i < N; ++i) {
    const std::uint32_t* hi = h.row(i);
    std::uint64_t others = 0;
    for (std::size_t k = 0; k <= d; ++k) others += hi[k];
    if (i == 0) r.others = others;
    else if (others != r.others) throw std::logic_error("certify_rows: rows have different numbers of competitors");
    for (std::size_t k = 0; k <= d; ++k)
      if (hi[k]) {
        const long m = core::GramHistogram::inner_of(d, k);
        if (m > r.max_inner) {
          r.max_inner = m;
          r.witness_row = i;
        }
        break;
      }
  }
  if (r.others == 0) throw ParameterError("n", "T5 needs competing rows (n >= 2)");
  r.rho = Rational(r.max_inner, static_cast<long>(d));

  // Lemma 1 per row: D_i = 2^64 (1 + sum_k h_i[k] e^{-2Ck/d} + zero_rows e^{-C}) rounded up.
  // Counts < 2^32 and U_k <= 2^64 + 1: the sum of at most 2^32 + 2^33 such terms stays < 2^127.
  const ExpTable E = exp_table(d, prm.C);
  const unsigned __int128 one = static_cast<unsigned __int128>(1) << ExpTable::kShift;
  std::vector<unsigned __int128> D(N);
  unsigned __int128 Dmax = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const std::uint32_t* hi = h.row(i);
    unsigned __int128 s = one + static_cast<unsigned __int128>(zero_rows) * E.up_C;
    for (std::size_t k = 0; k <= d; ++k) s += static_cast<unsigned __int128>(hi[k]) * E.up[k];
    D[i] = s;
    Dmax = std::max(Dmax, s);
  }
  const Rational one_q = from_u128(one);
  r.w_min = one_q / from_u128(Dmax);
  r.margin_min = 2 * r.w_min - 1;
  r.flips.resize(N);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < N; ++i) {
    r.flips[i] = lemma3_flips(one_q / from_u128(D[i]), prm, d);
    total += r.flips[i];
    r.rows_full += prm.notion == Notion::l2 ? r.flips[i] < d : r.flips[i] == 0;
  }
  r.phi = Rational(Integer(total), Integer(static_cast<std::uint64_t>(N) * d));
  r.p = prm.delta + r.phi;
  if (r.p * 2 >= 1) {
    if (r.collides())
      r.reason = "row " + std::to_string(r.witness_row) + "'s target coincides with another row (Bob cannot tell them apart) and delta + phi = " +
                 core::to_string(r.p) + " >= 1/2";
    else {
      const std::string why = prm.delta * 2 >= 1 ? "delta = " + core::to_string(prm.delta) + " alone is >= 1/2"
                              : r.rows_full < N   ? std::to_string(N - r.rows_full) + " of " + std::to_string(N) +
                                                      " rows lack the margin Lemma 3 needs"
                                                  : "the l2 flip fraction phi = " + core::to_string(r.phi) + " is too large";
      r.reason = "delta + phi = " + core::to_string(r.p) + " >= 1/2 (" + why + "): no bound";
    }
    return r;
  }
  const core::IndexBound b = core::index_bound(Integer(static_cast<std::uint64_t>(N) * d), r.p);
  r.certified = true;
  r.h2_lo = b.h2_lo;
  r.h2_hi = b.h2_hi;
  r.bits = b.bits;
  r.bits_ceil = b.bits_ceil;
  r.reason = "Lemma 1 per row (exact histograms, " + std::to_string(zero_rows) + " zero-score rows), Lemma 3 (" +
             std::string(to_string(prm.notion)) + "), INDEX on N*d bits";
  return r;
}

// ---------------------------------------------------------------------------------------------
// Four-cache, native

void check_native_key_sources(const KeySource& a, const KeySource& b) {
  auto ok = [](const KeySource& s) { return s.kind == KeySource::Kind::random || s.kind == KeySource::Kind::hadamard; };
  if (!ok(a)) throw ParameterError("keys-a", "the native model takes random or hadamard keys, got " + a.describe());
  if (!ok(b)) throw ParameterError("keys-b", "the native model takes random or hadamard keys, got " + b.describe());
  if (a.kind == KeySource::Kind::hadamard && b.kind == KeySource::Kind::hadamard)
    throw ParameterError("keys-b",
                         "Walsh-Hadamard rows for both factors collide (h_i o h_j = h_{i xor j}: the n^2 pair products "
                         "take only d distinct values); use random keys for at least one factor");
}

core::SignMatrix native_queries(const core::SignMatrix& a, const core::SignMatrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) throw std::invalid_argument("native_queries: a and b differ in shape");
  core::SignMatrix q(a.rows(), a.cols());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t w = 0; w < a.words(); ++w) q.row(i)[w] = a.row(i)[w] ^ b.row(i)[w];
  return q;
}

core::GramHistogram native_histograms(const core::SignMatrix& a, const core::SignMatrix& b, const core::GramOptions& opt) {
  core::GramHistogram h = core::pair_product_histogram(native_queries(a, b), a, b, opt);
  for (std::size_t i = 0; i < h.rows(); ++i) {
    if (h.row(i)[0] == 0) throw std::logic_error("native_histograms: the pair (i, i) is missing from bin 0");
    h.row(i)[0] -= 1;  // Bob's target pair (i, i) itself
  }
  return h;
}

}  // namespace attncert::reductions
