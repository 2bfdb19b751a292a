// The FAISS indexes of the kNN index layer (knn_index.hpp): flat, HNSW and IVF by inner product,
// causal search by blocks. FAISS headers stay in this file; without FAISS (ATTNCERT_HAVE_FAISS unset)
// the FAISS kinds are bad input.
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/knn_index.hpp"

#ifdef ATTNCERT_HAVE_FAISS
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#endif

namespace attncert::reductions::knn {

bool faiss_available() {
#ifdef ATTNCERT_HAVE_FAISS
  return true;
#else
  return false;
#endif
}

namespace detail {

#ifndef ATTNCERT_HAVE_FAISS

TopK faiss_top_k(IndexKind kind, const float*, const float*, std::size_t, std::size_t, std::size_t, std::size_t, bool,
                 const IndexOptions&) {
  throw ParameterError("index", std::string("'") + index_kind_name(kind) +
                                    "' needs FAISS, which this build lacks (install libfaiss-dev and reconfigure)");
}

#else

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// FAISS parallelises with OpenMP over the calling thread's team size; restored on exit.
struct OmpThreads {
  int saved = omp_get_max_threads();
  explicit OmpThreads(int t) { omp_set_num_threads(t > 0 ? t : saved); }
  ~OmpThreads() { omp_set_num_threads(saved); }
};

// Debian's FAISS 1.7.3 is built with its portable distance code (fvec_inner_product_ref, no SIMD),
// which made HNSW search several times slower than it needs to be. The HNSW graph therefore sits on
// this flat storage, whose distance computer is a loop the compiler vectorises for this target;
// everything else (graph, search, add) is FAISS's own.
inline float dot(const float* a, const float* b, std::size_t d) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t l = 0; l < d; ++l) s += a[l] * b[l];
  return s;
}

// Distance evaluations of query-to-key distances, summed over threads when each computer is deleted
// (FAISS 1.7.3's hnsw_stats are not filled by IndexHNSW::search).
std::atomic<std::uint64_t> query_distance_evals{0};

struct SimdIPDistance final : faiss::FlatCodesDistanceComputer {
  std::size_t d;
  const float* q = nullptr;
  std::uint64_t evals = 0;
  explicit SimdIPDistance(const faiss::IndexFlat& s)
      : faiss::FlatCodesDistanceComputer(s.codes.data(), s.code_size), d(static_cast<std::size_t>(s.d)) {}
  ~SimdIPDistance() override { query_distance_evals += evals; }
  const float* row(idx_t i) const { return reinterpret_cast<const float*>(codes + std::size_t(i) * code_size); }
  void set_query(const float* x) override { q = x; }
  float distance_to_code(const std::uint8_t* code) override {
    ++evals;
    return dot(q, reinterpret_cast<const float*>(code), d);
  }
  float symmetric_dis(idx_t i, idx_t j) override { return dot(row(i), row(j), d); }
};

struct SimdFlatIP final : faiss::IndexFlatIP {
  using faiss::IndexFlatIP::IndexFlatIP;
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override { return new SimdIPDistance(*this); }
};

// Beam search over a FAISS HNSW graph (the graph and storage are FAISS's; only the search is ours):
// greedy descent through the upper levels, then the standard level-0 beam of width ef (candidates by
// best score, stop when the best candidate is worse than the worst of ef results). Unlike FAISS
// 1.7.3's search (a linear-scan candidate heap, one virtual call per distance, no prefetching) the
// unvisited neighbours of a node are gathered first, their rows prefetched, then scored. Returns
// the top min(k, found) by inner product per query (labels -1 past the found ones), and adds the
// query-key distance evaluations to `evals`.
void beam_search(const faiss::IndexHNSW& index, const float* Q, std::size_t rows, std::size_t d, std::size_t k,
                 std::size_t ef, int nthreads, float* dist_out, faiss::Index::idx_t* label_out, std::uint64_t& evals) {
  const faiss::HNSW& g = index.hnsw;
  const float* X = static_cast<const faiss::IndexFlat*>(index.storage)->get_xb();
  const std::size_t ntotal = static_cast<std::size_t>(index.ntotal);
  ef = std::max(ef, k);
  std::uint64_t total = 0;
#pragma omp parallel num_threads(nthreads) reduction(+ : total)
  {
    std::vector<std::uint32_t> stamp(ntotal, 0);
    std::uint32_t cur_stamp = 0;
    using Item = std::pair<float, std::int32_t>;
    std::vector<Item> top, cand;  // top: min-heap (worst first) of at most ef; cand: max-heap
    std::vector<std::int32_t> batch;
    auto worse = [](const Item& a, const Item& b) { return a.first > b.first; };   // min-heap order
    auto better = [](const Item& a, const Item& b) { return a.first < b.first; };  // max-heap order
    auto row = [&](std::int32_t v) { return X + std::size_t(v) * d; };
    auto prefetch = [&](std::int32_t v) {
      const char* p = reinterpret_cast<const char*>(row(v));
      for (std::size_t b = 0; b < d * sizeof(float); b += 64) __builtin_prefetch(p + b);
    };
#pragma omp for schedule(dynamic, 16)
    for (std::size_t r = 0; r < rows; ++r) {
      const float* q = Q + r * d;
      if (++cur_stamp == 0) {  // wrapped: clear the stamps
        std::fill(stamp.begin(), stamp.end(), 0);
        cur_stamp = 1;
      }
      std::int32_t cur = g.entry_point;
      float dcur = dot(q, row(cur), d);
      ++total;
      for (int level = g.max_level; level >= 1; --level) {
        for (bool changed = true; changed;) {
          changed = false;
          std::size_t b, e;
          g.neighbor_range(cur, level, &b, &e);
          for (std::size_t t = b; t < e && g.neighbors[t] >= 0; ++t) prefetch(g.neighbors[t]);
          for (std::size_t t = b; t < e; ++t) {
            const std::int32_t v = g.neighbors[t];
            if (v < 0) break;
            const float dv = dot(q, row(v), d);
            ++total;
            if (dv > dcur) { dcur = dv; cur = v; changed = true; }
          }
        }
      }
      top.clear();
      cand.clear();
      top.emplace_back(dcur, cur);
      cand.emplace_back(dcur, cur);
      stamp[std::size_t(cur)] = cur_stamp;
      while (!cand.empty()) {
        const Item c = cand.front();
        if (top.size() >= ef && c.first < top.front().first) break;
        std::pop_heap(cand.begin(), cand.end(), better);
        cand.pop_back();
        std::size_t b, e;
        if (!cand.empty()) {  // the next node to expand (unless this one finds better): its neighbour list
          g.neighbor_range(cand.front().second, 0, &b, &e);
          for (std::size_t t = b; t < e; t += 16) __builtin_prefetch(g.neighbors.data() + t);
        }
        g.neighbor_range(c.second, 0, &b, &e);
        batch.clear();
        for (std::size_t t = b; t < e; ++t) {
          const std::int32_t v = g.neighbors[t];
          if (v < 0) break;
          if (stamp[std::size_t(v)] == cur_stamp) continue;
          stamp[std::size_t(v)] = cur_stamp;
          batch.push_back(v);
          prefetch(v);
        }
        total += batch.size();
        for (const std::int32_t v : batch) {
          const float dv = dot(q, row(v), d);
          if (top.size() < ef || dv > top.front().first) {
            cand.emplace_back(dv, v);
            std::push_heap(cand.begin(), cand.end(), better);
            top.emplace_back(dv, v);
            std::push_heap(top.begin(), top.end(), worse);
            if (top.size() > ef) {
              std::pop_heap(top.begin(), top.end(), worse);
              top.pop_back();
            }
          }
        }
      }
      std::sort(top.begin(), top.end(), [](const Item& a, const Item& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
      for (std::size_t t = 0; t < k; ++t) {
        dist_out[r * k + t] = t < top.size() ? top[t].first : -std::numeric_limits<float>::infinity();
        label_out[r * k + t] = t < top.size() ? top[t].second : -1;
      }
    }
  }
  evals += total;
}

// Transparent huge pages for [p, p + bytes) where the system grants them on request (THP
// "madvise"): HNSW reads key rows and neighbour lists at random, and with 4 KiB pages most of
// those reads also miss the TLB. Only advice; nothing depends on it.
void advise_huge(const void* p, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  const std::uintptr_t a = (reinterpret_cast<std::uintptr_t>(p) + 4095) & ~std::uintptr_t{4095};
  const std::uintptr_t e = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~std::uintptr_t{4095};
  if (e > a) madvise(reinterpret_cast<void*>(a), e - a, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// Reserve HNSW's storage and graph for all nk keys up front (no reallocation while adding, so the
// advice sticks): level 0 holds 2M neighbours per node, each upper level M, and a node has about
// 1/(M-1) upper levels on average; reserved for 2M + M per node.
void reserve_hnsw(faiss::IndexHNSW& h, std::size_t nk, std::size_t d) {
  auto& codes = static_cast<faiss::IndexFlat*>(h.storage)->codes;
  codes.reserve(nk * d * sizeof(float));
  advise_huge(codes.data(), codes.capacity());
  const std::size_t M = static_cast<std::size_t>(h.hnsw.nb_neighbors(1));
  h.hnsw.neighbors.reserve(nk * 3 * M);
  advise_huge(h.hnsw.neighbors.data(), h.hnsw.neighbors.capacity() * sizeof(h.hnsw.neighbors[0]));
  h.hnsw.offsets.reserve(nk + 1);
  h.hnsw.levels.reserve(nk);
}

struct Built {
  std::unique_ptr<faiss::IndexFlatIP> quantizer;  // IVF's coarse quantizer (owned here)
  std::unique_ptr<faiss::Index> index;
  std::size_t ef_search = 0, nprobe = 0;
};

Built make(IndexKind kind, const float* K, std::size_t nk, std::size_t d, std::size_t k, const IndexOptions& opt) {
  Built b;
  const int di = static_cast<int>(d);
  switch (kind) {
    case IndexKind::faiss_flat: b.index = std::make_unique<faiss::IndexFlatIP>(di); break;
    case IndexKind::faiss_hnsw: {
      if (opt.hnsw_m < 2) throw ParameterError("hnsw_m", "must be >= 2");
      auto h = std::make_unique<faiss::IndexHNSW>(new SimdFlatIP(di), opt.hnsw_m);
      h->own_fields = true;  // the index deletes its storage
      h->hnsw.efConstruction = std::max(opt.hnsw_ef_construction, 1);
      b.ef_search = std::max<std::size_t>({std::size_t(std::max(opt.hnsw_ef_search, 0)), k, 16});
      h->hnsw.efSearch = static_cast<int>(b.ef_search);
      b.index = std::move(h);
      break;
    }
    case IndexKind::faiss_ivf: {
      std::size_t nlist = opt.ivf_nlist ? opt.ivf_nlist : std::size_t(4 * std::sqrt(double(nk)));
      nlist = std::clamp<std::size_t>(nlist, 1, std::max<std::size_t>(1, nk / 39));  // FAISS wants >= 39 points per cell
      b.quantizer = std::make_unique<faiss::IndexFlatIP>(di);
      auto ivf = std::make_unique<faiss::IndexIVFFlat>(b.quantizer.get(), di, nlist, faiss::METRIC_INNER_PRODUCT);
      ivf->verbose = false;
      ivf->cp.verbose = false;
      ivf->train(static_cast<faiss::Index::idx_t>(nk), K);  // coarse centroids from all keys (part of the build)
      b.nprobe = opt.ivf_nprobe ? std::min(opt.ivf_nprobe, nlist) : std::max<std::size_t>(1, nlist / 8);
      ivf->nprobe = b.nprobe;
      b.index = std::move(ivf);
      break;
    }
    case IndexKind::brute: throw ParameterError("index", "brute force is not a FAISS index");
  }
  return b;
}

}  // namespace

TopK faiss_top_k(IndexKind kind, const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d,
                 std::size_t k, bool causal, const IndexOptions& opt) {
  OmpThreads threads(opt.threads);
  TopK out;
  out.exact = false;  // approximate; an honest slack is not known a priori
  auto t0 = Clock::now();
  Built b = make(kind, K, nk, d, k, opt);
  if (kind == IndexKind::faiss_hnsw) reserve_hnsw(static_cast<faiss::IndexHNSW&>(*b.index), nk, d);
  out.build_seconds += since(t0);

  std::vector<faiss::Index::idx_t> labels;
  std::vector<float> dist;
  std::vector<std::pair<float, std::uint32_t>> cand;
  if (!causal) {
    t0 = Clock::now();
    b.index->add(static_cast<faiss::Index::idx_t>(nk), K);
    out.build_seconds += since(t0);
    t0 = Clock::now();
    labels.resize(nq * k);
    dist.resize(nq * k);
    b.index->search(static_cast<faiss::Index::idx_t>(nq), Q, static_cast<faiss::Index::idx_t>(k), dist.data(), labels.data());
    for (std::size_t i = 0; i < nq; ++i) {
      cand.clear();
      for (std::size_t r = 0; r < k; ++r)
        if (labels[i * k + r] >= 0) cand.emplace_back(dist[i * k + r], static_cast<std::uint32_t>(labels[i * k + r]));
      merge_top(cand, k, out);
    }
    out.search_seconds += since(t0);
    return out;
  }

  // Causal: blocks of queries; the index holds the keys before the block, the block's own keys are
  // scored exactly, then the block's keys are added.
  const std::size_t B = std::max<std::size_t>(1, opt.causal_block);
  const int nthreads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  std::vector<std::vector<std::pair<float, std::uint32_t>>> rowtop;
  for (std::size_t b0 = 0; b0 < nq; b0 += B) {
    const std::size_t b1 = std::min(nq, b0 + B), rows = b1 - b0;
    t0 = Clock::now();
    const std::size_t kk = std::min(k, b0);  // the index holds b0 keys
    if (kk > 0) {
      labels.resize(rows * kk);
      dist.resize(rows * kk);
      if (kind == IndexKind::faiss_hnsw && !opt.hnsw_faiss_search) {
        beam_search(static_cast<const faiss::IndexHNSW&>(*b.index), Q + b0 * d, rows, d, kk, b.ef_search, nthreads, dist.data(),
                    labels.data(), out.search_distance_evals);
      } else {
        query_distance_evals = 0;
        b.index->search(static_cast<faiss::Index::idx_t>(rows), Q + b0 * d, static_cast<faiss::Index::idx_t>(kk), dist.data(), labels.data());
        out.search_distance_evals += query_distance_evals.load();
      }
    }
    rowtop.resize(rows);
#pragma omp parallel for schedule(dynamic, 16) num_threads(nthreads)
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t i = b0 + r;
      auto& c = rowtop[r];
      c.clear();
      for (std::size_t t = 0; t < kk; ++t)
        if (labels[r * kk + t] >= 0) c.emplace_back(dist[r * kk + t], static_cast<std::uint32_t>(labels[r * kk + t]));
      const float* q = Q + i * d;
      for (std::size_t j = b0; j <= i; ++j) c.emplace_back(dot(q, K + j * d, d), static_cast<std::uint32_t>(j));  // exactly
    }
    for (std::size_t r = 0; r < rows; ++r) merge_top(rowtop[r], k, out);
    out.search_seconds += since(t0);
    t0 = Clock::now();
    b.index->add(static_cast<faiss::Index::idx_t>(rows), K + b0 * d);
    out.build_seconds += since(t0);
  }
  return out;
}

#endif

}  // namespace detail
}  // namespace attncert::reductions::knn
