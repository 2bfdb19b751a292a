// T6 kNN index layer: top-k keys by inner product (maximum inner product search) for each query,
// by exact brute force (always available: float32 GEMM scores, or "brute-int8": 8-bit scores with a
// rigorous quantisation-error filter and float re-scoring of the survivors, an exact top-k with the
// same slack; near ties may come out in another order than brute force's) or
// a FAISS index (flat, HNSW, IVF; when the build found libfaiss-dev), behind one function. Proposal
// side: scores are float32, nothing here is certified.
//
// Causal search (n_queries == n_keys): query i may only return keys j <= i. A query with fewer than
// k admissible keys gets fewer neighbours (all i + 1 of them for brute force) - never a padded
// sentinel index or a -inf score. FAISS indexes are filled causally in blocks of queries: a block
// [b0, b1) searches the index holding keys 0..b0-1, the keys b0..i of its own block are scored
// exactly, the two candidate lists are merged, and only then are keys b0..b1-1 added.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace attncert::reductions::knn {

enum class IndexKind { brute, brute_int8, faiss_flat, faiss_hnsw, faiss_ivf };

// "brute" | "brute-int8" | "flat" | "hnsw" | "ivf"; throws ParameterError("index", ...) for another name and for a
// FAISS kind when the build has no FAISS.
IndexKind parse_index_kind(const std::string& name);
const char* index_kind_name(IndexKind kind);
bool faiss_available();  // the build found FAISS (ATTNCERT_FAISS)

struct IndexOptions {
  int threads = 0;                      // 0: all cores
  int hnsw_m = 32;                      // HNSW graph degree
  int hnsw_ef_construction = 64;        // HNSW build beam
  int hnsw_ef_search = 0;               // HNSW search beam; 0: max(k, 16). The layer's own
                                        // causal search takes a beam narrower than k as it is and lists the
                                        // best k of every key it scored (a query whose beam scored fewer
                                        // than k keys is searched again k wide); FAISS's search raises it to k
  bool hnsw_faiss_search = false;       // causal HNSW: FAISS's IndexHNSW::search instead of the layer's own
                                        // beam search over FAISS's graph (knn_faiss.cpp, beam_search)
  bool hnsw_int8_search = true;         // the layer's own (causal) search traverses level 0 by 8-bit key
                                        // codes (one cache line per 64 dimensions) and re-ranks its ef
                                        // results by float scores; false: float scores throughout.
                                        // Non-causal HNSW uses FAISS's own search either way.
  std::size_t ivf_nlist = 0;            // IVF cells; 0: about 4 sqrt(n_keys), at most n_keys / 39
  std::size_t ivf_nprobe = 0;           // IVF cells probed per query; 0: max(1, nlist / 8)
  std::size_t causal_block = 1024;      // queries per causal block (FAISS); brute force uses its own tiles
  std::size_t brute_block = 256;        // queries per brute-force score tile (fewer past 64 MiB, at least 16)
};

// Per query i, its neighbours S_i by decreasing score (ties: smaller key index first) with the
// scores <q_i, k_j> as the index computed them (float32, unscaled): distinct admissible keys, never a
// placeholder; min(k, m_i) of them for the exact kinds (m_i admissible keys), at most that for FAISS.
struct TopK {
  std::vector<std::uint64_t> offset{0};  // n_queries + 1 entries; S_i = index[offset[i] .. offset[i+1])
  std::vector<std::uint32_t> index;
  std::vector<float> score;
  // exact: the top-k of the computed float scores, and `slack` bounds what float rounding can hide:
  // every admissible j outside S_i has <q_i,k_j> <= min_{j' in S_i} <q_i,k_j'> + slack for the real
  // inner products of the float inputs (2 gamma_d max_i ||q_i|| max_j ||k_j|| + d 2^-149, gamma_d =
  // d u/(1-d u), u = 2^-24; the second term covers subnormal products; every kind rejects inputs
  // with max ||q|| max ||k|| >= 2^126, whose scores could overflow). Not exact (FAISS): approximate, slack
  // unknown (nullopt); the experiments measure the achieved slack and recall against brute force.
  bool exact = false;
  std::optional<double> slack;
  double build_seconds = 0;   // index construction (training + adding keys); 0 for brute force
  double search_seconds = 0;  // everything else (brute force: all of it)
  std::uint64_t search_distance_evals = 0;  // FAISS HNSW: query-key distance evaluations while searching

  std::size_t queries() const { return offset.size() - 1; }
  std::span<const std::uint32_t> neighbours(std::size_t i) const {
    return {index.data() + offset[i], static_cast<std::size_t>(offset[i + 1] - offset[i])};
  }
  std::span<const float> scores(std::size_t i) const {
    return {score.data() + offset[i], static_cast<std::size_t>(offset[i + 1] - offset[i])};
  }
};

// Top-k by inner product of each row of Q (n_queries x d) among the rows of K (n_keys x d), both
// row-major float32. causal: n_queries == n_keys and query i sees keys 0..i. Throws ParameterError
// naming "k" (k = 0 or k > n_keys), "d", "n", "causal", "index", "queries"/"keys" (non-finite
// entries) on bad input.
TopK top_k(IndexKind kind, const float* Q, const float* K, std::size_t n_queries, std::size_t n_keys, std::size_t d,
           std::size_t k, bool causal, const IndexOptions& opt = {});

// Recall and achieved slack of `approx` against the exact brute-force `exact` on the same inputs:
// recall = |S_i ∩ S*_i| / |S*_i| averaged over queries; achieved slack = max over queries of
// (the largest exact score outside S_i among S*_i) - (min over S_i of its exact score), clamped at 0,
// with exact scores recomputed in double; short_queries counts queries with fewer neighbours in
// `approx` than in `exact`. Q, K as for top_k.
struct TopKQuality {
  double recall = 0, achieved_slack = 0;
  std::size_t short_queries = 0;
};
TopKQuality compare_top_k(const TopK& approx, const TopK& exact, const float* Q, const float* K, std::size_t d);

namespace detail {
// Exact top-k by 8-bit scores with a rigorous quantisation-error filter and float re-scoring of the
// survivors (knn_int8.cpp); `slack` is brute force's float-rounding slack for the same inputs. None
// when the inputs are outside the 8-bit path's error analysis (int8_applicable): then brute force.
std::optional<TopK> int8_top_k(const float* Q, const float* K, std::size_t n_queries, std::size_t n_keys, std::size_t d,
                               std::size_t k, bool causal, const IndexOptions& opt, double slack);
// Whether the 8-bit path's error analysis covers these inputs: d <= 65536 (the integer sums stay
// below 2^31), every nonzero query row's largest |entry| and every nonzero centred key row's
// largest |k_l - mu_l| (mu: the keys' mean, as quantised) in [2^-40, 2^40] (no scale overflows, no
// float score underflows or overflows). top_k falls back to float brute force otherwise.
// (Prepares the 8-bit operands to decide; int8_top_k decides the same way on its own.)
bool int8_applicable(const float* Q, const float* K, std::size_t n_queries, std::size_t n_keys, std::size_t d);
// An exact kind's result before its lists are filled: exact, `slack`, and room for min(k, m_i) keys
// per query i (m_i = i + 1 causal, else n_keys).
TopK exact_lists(std::size_t n_queries, std::size_t n_keys, std::size_t k, bool causal, double slack);
// The FAISS path (knn_faiss.cpp); throws ParameterError("index", ...) without FAISS.
TopK faiss_top_k(IndexKind kind, const float* Q, const float* K, std::size_t n_queries, std::size_t n_keys, std::size_t d,
                 std::size_t k, bool causal, const IndexOptions& opt);
// The top-k by (score desc, index asc) of candidates (score, index) with distinct indices, appended
// to out as one more query's list.
void merge_top(std::vector<std::pair<float, std::uint32_t>>& cand, std::size_t k, TopK& out);
// merge_top in two steps: cand cut to its top k in that order (rows may do this in parallel), then
// appended to out as one more query's list (in query order).
void sort_top(std::vector<std::pair<float, std::uint32_t>>& cand, std::size_t k);
void append_top(const std::vector<std::pair<float, std::uint32_t>>& top, TopK& out);
}  // namespace detail

}  // namespace attncert::reductions::knn
