// The kNN index layer (knn_index.hpp): names, validation, exact brute force, merging, quality.
#include "attncert/reductions/knn_index.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/knn_exact.hpp"
#include "knn_blas.hpp"
#include "knn_simd.hpp"

namespace attncert::reductions::knn {

IndexKind parse_index_kind(const std::string& name) {
  IndexKind k;
  if (name == "brute") return IndexKind::brute;
  if (name == "brute-int8") return IndexKind::brute_int8;
  if (name == "flat") k = IndexKind::faiss_flat;
  else if (name == "hnsw") k = IndexKind::faiss_hnsw;
  else if (name == "ivf") k = IndexKind::faiss_ivf;
  else throw ParameterError("index", "must be brute, brute-int8, flat, hnsw or ivf, got '" + name + "'");
  if (!faiss_available())
    throw ParameterError("index", "'" + name + "' needs FAISS, which this build lacks (install libfaiss-dev and reconfigure)");
  return k;
}

const char* index_kind_name(IndexKind kind) {
  switch (kind) {
    case IndexKind::brute: return "brute";
    case IndexKind::brute_int8: return "brute-int8";
    case IndexKind::faiss_flat: return "flat";
    case IndexKind::faiss_hnsw: return "hnsw";
    case IndexKind::faiss_ivf: return "ivf";
  }
  return "?";
}

namespace {

// x with 4 significant digits (%.4g) for error messages.
std::string approx_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

using Clock = std::chrono::steady_clock;

void check_inputs(const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d, std::size_t k, bool causal) {
  if (d == 0) throw ParameterError("d", "must be >= 1, got 0");
  if (nq == 0 || nk == 0) throw ParameterError("n", "needs at least one query and one key");
  if (nk > std::numeric_limits<std::uint32_t>::max()) throw ParameterError("n", "at most 2^32 - 1 keys");
  if (k == 0) throw ParameterError("k", "must be >= 1, got 0");
  if (k > nk) throw ParameterError("k", "must be <= n = " + std::to_string(nk) + ", got " + std::to_string(k));
  if (causal && nq != nk)
    throw ParameterError("causal", "needs as many queries as keys, got " + std::to_string(nq) + " and " + std::to_string(nk));
  for (std::size_t i = 0; i < nq * d; ++i)
    if (!std::isfinite(Q[i])) throw ParameterError("queries", "entry " + std::to_string(i) + " is not finite");
  for (std::size_t i = 0; i < nk * d; ++i)
    if (!std::isfinite(K[i])) throw ParameterError("keys", "entry " + std::to_string(i) + " is not finite");
}

double norm2(const float* x, std::size_t d) {
  double s = 0;
  for (std::size_t l = 0; l < d; ++l) s += double(x[l]) * double(x[l]);
  return std::sqrt(s);
}

// 2 gamma_d max ||q|| max ||k|| + d 2^-149 (knn_index.hpp), inflated by 1e-9 relative for the double
// norms. The second term is underflow: a float product's absolute error is at most 2^-150 once it is
// subnormal (adding subnormals is exact), d products per inner product, two inner products compared.
// Inputs whose inner products could overflow float32 (max ||q|| max ||k|| >= 2^126) are bad input for
// every index kind: their float scores could be infinite, and no finite slack would bound what that
// hides (an approximate index would rank infinite or NaN scores arbitrarily).
double rounding_slack(const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d) {
  double mq = 0, mk = 0;
  for (std::size_t i = 0; i < nq; ++i) mq = std::max(mq, norm2(Q + i * d, d));
  for (std::size_t j = 0; j < nk; ++j) mk = std::max(mk, norm2(K + j * d, d));
  if (!(mq * mk < std::ldexp(1.0, 126)))
    throw ParameterError("keys", "inner products up to max|q| max|k| = " + approx_text(mq * mk) +
                                     " could overflow float32 (queries and keys: max|q| max|k| must be below 2^126)");
  const double u = std::ldexp(1.0, -24), du = double(d) * u;
  const double gamma = du / (1 - du);
  return (2 * gamma * mq * mk + double(d) * std::ldexp(1.0, -149)) * (1 + 1e-9);
}

bool better(const std::pair<float, std::uint32_t>& a, const std::pair<float, std::uint32_t>& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

}  // namespace

namespace detail {

void sort_top(std::vector<std::pair<float, std::uint32_t>>& cand, std::size_t k) {
  // The candidate lists come from disjoint key ranges (index / own block) or from one FAISS list
  // (distinct labels): no index repeats.
  // Selected and sorted as integers (rank_key: the same order as `better`; radix_sort from 64 keys
  // on), which is several times faster than a partial sort of the pairs.
  const std::size_t kk = std::min(k, cand.size());
  thread_local std::vector<std::uint64_t> key, tmp;
  key.resize(cand.size());
  for (std::size_t t = 0; t < cand.size(); ++t) key[t] = rank_key(cand[t].first, cand[t].second);
  keep_smallest_sorted(key, kk, tmp);
  cand.resize(kk);
  for (std::size_t t = 0; t < kk; ++t) cand[t] = {rank_score(key[t]), static_cast<std::uint32_t>(key[t])};
}

TopK exact_lists(std::size_t nq, std::size_t nk, std::size_t k, bool causal, double slack) {
  TopK out;
  out.exact = true;
  out.slack = slack;
  out.offset.assign(nq + 1, 0);
  for (std::size_t i = 0; i < nq; ++i) out.offset[i + 1] = out.offset[i] + std::min(k, causal ? i + 1 : nk);
  out.index.resize(out.offset[nq]);
  out.score.resize(out.offset[nq]);
  return out;
}

void append_top(const std::vector<std::pair<float, std::uint32_t>>& top, TopK& out) {
  for (const auto& [score, index] : top) {
    out.index.push_back(index);
    out.score.push_back(score);
  }
  out.offset.push_back(out.index.size());
}

void merge_top(std::vector<std::pair<float, std::uint32_t>>& cand, std::size_t k, TopK& out) {
  sort_top(cand, k);
  append_top(cand, out);
}

}  // namespace detail

namespace {

// One row of scores s[0..m): its top min(k, m) by (score desc, index asc). Keys scoring above the
// threshold are appended (branch-free) to a buffer; a buffer holding 2k or more is cut back to its
// best k (nth_element) and the threshold becomes the k-th best score so far. A later key scoring
// exactly the threshold loses the tie (larger index), so `> thr` loses nothing. The row goes in
// chunks whose maximum (a vectorised reduction) is compared with the threshold first.
void select_row(const float* s, std::size_t m, std::size_t k, std::vector<std::pair<float, std::uint32_t>>& buf,
                std::uint32_t* idx_out, float* score_out) {
  constexpr std::size_t C = 16;
  const std::size_t kk = std::min(k, m), cap = 2 * kk + C;
  buf.resize(cap + C);
  float thr = -std::numeric_limits<float>::infinity();
  std::size_t pos = 0;
  auto compact = [&] {
    std::nth_element(buf.begin(), buf.begin() + std::ptrdiff_t(kk - 1), buf.begin() + std::ptrdiff_t(pos), better);
    pos = kk;
    thr = buf[kk - 1].first;
  };
  std::size_t j = 0;
  for (; j + C <= m; j += C) {
    float mx = s[j];
#pragma omp simd reduction(max : mx)
    for (std::size_t t = 0; t < C; ++t) mx = std::max(mx, s[j + t]);
    if (!(mx > thr)) continue;
    for (std::size_t t = 0; t < C; ++t) {
      buf[pos] = {s[j + t], std::uint32_t(j + t)};
      pos += s[j + t] > thr;
    }
    if (pos >= cap) compact();
  }
  for (; j < m; ++j) {
    buf[pos] = {s[j], std::uint32_t(j)};
    pos += s[j] > thr;
  }
  if (pos > kk) compact();
  std::sort(buf.begin(), buf.begin() + std::ptrdiff_t(kk), better);
  for (std::size_t r = 0; r < kk; ++r) {
    idx_out[r] = buf[r].second;
    score_out[r] = buf[r].first;
  }
}

// `slack`: rounding_slack of the same inputs.
TopK brute_top_k(const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d, std::size_t k, bool causal,
                 const IndexOptions& opt, double slack) {
  auto t0 = Clock::now();
  TopK out = detail::exact_lists(nq, nk, k, causal, slack);
  // One (B x n_keys) score tile per thread, kept under 64 MiB (at least 16 rows) for long sequences.
  const std::size_t tile_rows = std::max<std::size_t>(16, (std::size_t{64} << 20) / (sizeof(float) * nk));
  const std::size_t B = std::max<std::size_t>(1, std::min({opt.brute_block, nq, tile_rows}));
  const std::size_t blocks = (nq + B - 1) / B;
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  detail::BlasSingleThread guard;
#pragma omp parallel num_threads(threads)
  {
    std::vector<float> S(B * nk);
    std::vector<std::pair<float, std::uint32_t>> tmp;
#pragma omp for schedule(dynamic, 1)
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t i0 = b * B, rows = std::min(B, nq - i0), kend = causal ? i0 + rows : nk;
      detail::gemm_abt(rows, kend, d, 1.0f, Q + i0 * d, d, K, d, S.data(), kend);
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t i = i0 + r, m = causal ? i + 1 : nk;
        select_row(S.data() + r * kend, m, k, tmp, out.index.data() + out.offset[i], out.score.data() + out.offset[i]);
      }
    }
  }
  out.search_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

}  // namespace

TopK top_k(IndexKind kind, const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d, std::size_t k,
           bool causal, const IndexOptions& opt) {
  check_inputs(Q, K, nq, nk, d, k, causal);
  const double slack = rounding_slack(Q, K, nq, nk, d);  // also rejects inputs whose scores could overflow
  if (kind == IndexKind::brute_int8)  // brute force when the 8-bit path does not apply
    if (std::optional<TopK> t = detail::int8_top_k(Q, K, nq, nk, d, k, causal, opt, slack)) return std::move(*t);
  if (kind == IndexKind::brute || kind == IndexKind::brute_int8) return brute_top_k(Q, K, nq, nk, d, k, causal, opt, slack);
  return detail::faiss_top_k(kind, Q, K, nq, nk, d, k, causal, opt);
}

TopKQuality compare_top_k(const TopK& approx, const TopK& exact, const float* Q, const float* K, std::size_t d) {
  TopKQuality q;
  const std::size_t nq = exact.queries();
  if (approx.queries() != nq) throw ParameterError("queries", "the two top-k lists cover different query counts");
  double recall_sum = 0;
  std::vector<std::uint32_t> sorted;
  for (std::size_t i = 0; i < nq; ++i) {
    auto a = approx.neighbours(i), e = exact.neighbours(i);
    const std::size_t want = e.size();
    if (a.size() < want) ++q.short_queries;
    sorted.assign(a.begin(), a.end());
    std::sort(sorted.begin(), sorted.end());
    auto in_a = [&](std::uint32_t j) { return std::binary_search(sorted.begin(), sorted.end(), j); };
    std::size_t hit = 0;
    for (auto j : e) hit += in_a(j);
    recall_sum += want ? double(hit) / double(want) : 1.0;
    if (a.empty()) continue;
    auto dot = [&](std::uint32_t j) {
      double s = 0;
      for (std::size_t l = 0; l < d; ++l) s += double(Q[i * d + l]) * double(K[std::size_t(j) * d + l]);
      return s;
    };
    double min_in = std::numeric_limits<double>::infinity(), max_out = -std::numeric_limits<double>::infinity();
    for (auto j : a) min_in = std::min(min_in, dot(j));
    for (auto j : e)
      if (!in_a(j)) max_out = std::max(max_out, dot(j));
    if (max_out > min_in) q.achieved_slack = std::max(q.achieved_slack, max_out - min_in);
  }
  q.recall = nq ? recall_sum / double(nq) : 1.0;
  return q;
}

}  // namespace attncert::reductions::knn
