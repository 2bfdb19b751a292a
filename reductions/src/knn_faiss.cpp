// The FAISS indexes of the kNN index layer (knn_index.hpp): flat, HNSW and IVF by inner product,
// causal search by blocks. FAISS headers stay in this file; without FAISS (ATTNCERT_HAVE_FAISS unset)
// the FAISS kinds are bad input.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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

struct SimdIPDistance final : faiss::FlatCodesDistanceComputer {
  std::size_t d;
  const float* q = nullptr;
  explicit SimdIPDistance(const faiss::IndexFlat& s)
      : faiss::FlatCodesDistanceComputer(s.codes.data(), s.code_size), d(static_cast<std::size_t>(s.d)) {}
  const float* row(idx_t i) const { return reinterpret_cast<const float*>(codes + std::size_t(i) * code_size); }
  void set_query(const float* x) override { q = x; }
  float distance_to_code(const std::uint8_t* code) override { return dot(q, reinterpret_cast<const float*>(code), d); }
  float symmetric_dis(idx_t i, idx_t j) override { return dot(row(i), row(j), d); }
};

struct SimdFlatIP final : faiss::IndexFlatIP {
  using faiss::IndexFlatIP::IndexFlatIP;
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override { return new SimdIPDistance(*this); }
};

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
      b.index->search(static_cast<faiss::Index::idx_t>(rows), Q + b0 * d, static_cast<faiss::Index::idx_t>(kk), dist.data(), labels.data());
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
