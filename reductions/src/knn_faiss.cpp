// The FAISS indexes of the kNN index layer (knn_index.hpp): flat, HNSW and IVF by inner product,
// causal search by blocks. FAISS headers stay in this file; without FAISS (ATTNCERT_HAVE_FAISS unset)
// the FAISS kinds are bad input.
// GCC 12 reports its own _mm512_reduce_add_epi32 (an _mm512_undefined_* merge source) as maybe uninitialised.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#include <immintrin.h>
#endif
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/knn_index.hpp"
#include "knn_blas.hpp"
#include "knn_simd.hpp"

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

// Distance evaluations of query-to-key distances, summed over threads when each computer is deleted
// (FAISS 1.7.3's hnsw_stats are not filled by IndexHNSW::search).
std::atomic<std::uint64_t> query_distance_evals{0};

// Debian's FAISS 1.7.3 is built with its portable distance code (fvec_inner_product_ref, no SIMD),
// which made HNSW search several times slower than it needs to be. The HNSW graph therefore sits on
// this flat storage, whose distance computer is fdot (knn_simd.hpp), a loop the compiler
// vectorises for this target; everything else (graph, search, add) is FAISS's own.
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
    return fdot(q, reinterpret_cast<const float*>(code), d);
  }
  float symmetric_dis(idx_t i, idx_t j) override { return fdot(row(i), row(j), d); }
};

struct SimdFlatIP final : faiss::IndexFlatIP {
  using faiss::IndexFlatIP::IndexFlatIP;
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override { return new SimdIPDistance(*this); }
};

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

// 64-byte aligned storage (one row of int8 codes starts a cache line; AVX-512 aligned loads).
template <class T>
struct AlignedAlloc {
  using value_type = T;
  AlignedAlloc() = default;
  template <class U>
  AlignedAlloc(const AlignedAlloc<U>&) {}
  T* allocate(std::size_t count) {
    const std::size_t bytes = (count * sizeof(T) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, bytes);
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { std::free(p); }
  template <class U>
  bool operator==(const AlignedAlloc<U>&) const { return true; }
};

// sum_l a_l b_l over `bytes` (a multiple of 64) unsigned a and signed b bytes, 64-byte aligned.
inline std::int32_t dot_u8s8(const std::uint8_t* a, const std::int8_t* b, std::size_t bytes) {
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
  __m512i acc = _mm512_setzero_si512();
  for (std::size_t o = 0; o < bytes; o += 64)
    acc = _mm512_dpbusd_epi32(acc, _mm512_load_si512(a + o), _mm512_load_si512(b + o));
  return _mm512_reduce_add_epi32(acc);
#else
  std::int32_t s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t l = 0; l < bytes; ++l) s += std::int32_t(a[l]) * std::int32_t(b[l]);
  return s;
#endif
}

// The keys of an HNSW index as 8-bit codes for the level-0 traversal (Int8Scorer), added in the
// same order as FAISS's storage. Rows are padded with zero codes (stored 128) to a multiple of 64
// bytes; the storage for all keys is allocated up front (on huge pages where granted).
struct Int8Keys {
  std::size_t d = 0, stride = 0, count = 0;
  std::vector<std::uint8_t, AlignedAlloc<std::uint8_t>> codes;
  std::vector<float> scale;
  Int8Keys(std::size_t dim, std::size_t capacity) : d(dim), stride((dim + 63) / 64 * 64), codes(capacity * stride, 128), scale(capacity, 0) {
    advise_huge(codes.data(), codes.size());
  }
  const std::uint8_t* row(std::size_t j) const { return codes.data() + j * stride; }
  void add(const float* K, std::size_t rows) {
    for (std::size_t r = 0; r < rows; ++r, ++count) {
      std::uint8_t* c = codes.data() + count * stride;
      const RowScale rs = quantise_row(K + r * d, d, reinterpret_cast<std::int8_t*>(c));
      for (std::size_t l = 0; l < d; ++l) c[l] = static_cast<std::uint8_t>(static_cast<std::int8_t>(c[l]) + 128);
      scale[count] = rs.mx / 127.0f;
    }
  }
};

// Level-0 scorers of the beam search: the score of key v for the current query, a prefetch of its
// row, and whether the results must be re-ranked by float scores at the end.
//   FloatScorer: the float inner product of FAISS's storage (what the results report).
//   Int8Scorer: keys quantised per row to 8 bits (k ~ scale_j * c_j, c_j in [-127, 127] stored as
//     c_j + 128 so that one AVX-512 VNNI instruction multiplies 64 unsigned key bytes by 64 signed
//     query bytes), the query to 8 bits by its own max; the approximate score is
//     (sum_l (c_jl + 128) q_l - 128 sum_l q_l) * scale_j, proportional to <q, k_j> up to rounding.
//     A 64-dimensional row is one cache line (a float row is four), and 65536 rows take 4 MiB, which
//     stays in the last-level cache. The traversal only proposes: the ef results are re-scored by
//     the float inner product and the top k of those are returned, as with FloatScorer.
struct FloatScorer {
  const float* X;
  std::size_t d;
  const float* q = nullptr;
  static constexpr bool rerank = false;
  void set_query(const float* query) { q = query; }
  float operator()(std::int32_t v) const { return fdot(q, X + std::size_t(v) * d, d); }
  void prefetch(std::int32_t v) const { prefetch_bytes(X + std::size_t(v) * d, d * sizeof(float)); }
};

struct Int8Scorer {
  const Int8Keys* keys;
  std::vector<std::int8_t, AlignedAlloc<std::int8_t>> qc;
  std::int32_t bias = 0;  // 128 * sum_l q_l
  static constexpr bool rerank = true;
  explicit Int8Scorer(const Int8Keys& k) : keys(&k), qc(k.stride, 0) {}
  void set_query(const float* query) {
    quantise_row(query, keys->d, qc.data());
    std::int32_t sum = 0;
    for (std::size_t l = 0; l < keys->d; ++l) sum += qc[l];
    bias = 128 * sum;
  }
  float operator()(std::int32_t v) const {
    return static_cast<float>(dot_u8s8(keys->row(std::size_t(v)), qc.data(), keys->stride) - bias) * keys->scale[std::size_t(v)];
  }
  void prefetch(std::int32_t v) const { prefetch_bytes(keys->row(std::size_t(v)), keys->stride); }
};

// FAISS's level-0 neighbour lists copied into a fixed stride of 2M ids per node, with 16-bit ids
// when the index holds at most 65536 keys: for M = 32 a list is two cache lines instead of four
// (FAISS: 32-bit ids, -1 padded, found through a per-node offset). Unused slots hold the node
// itself, which the search has always visited when it expands the node. Refreshed after every add
// (adding keys also rewires older nodes' lists); the copy is part of the index build.
template <class Id>
struct Level0 {
  std::size_t deg = 0;
  std::vector<Id, AlignedAlloc<Id>> nbr;
  void refresh(const faiss::HNSW& g, std::size_t count) {
    deg = static_cast<std::size_t>(g.nb_neighbors(0));
    if (nbr.size() < count * deg) {
      nbr.reserve(std::max(nbr.capacity(), count * deg));
      nbr.resize(count * deg);
    }
    for (std::size_t v = 0; v < count; ++v) {
      std::size_t b, e;
      g.neighbor_range(static_cast<faiss::HNSW::storage_idx_t>(v), 0, &b, &e);
      Id* out = nbr.data() + v * deg;
      std::size_t t = 0;
      for (; t < deg && b + t < e && g.neighbors[b + t] >= 0; ++t) out[t] = static_cast<Id>(g.neighbors[b + t]);
      for (; t < deg; ++t) out[t] = static_cast<Id>(v);
    }
  }
  const Id* list(std::size_t v) const { return nbr.data() + v * deg; }
};

// The beam of the level-0 search as one array of at most ef entries sorted by decreasing score, each
// marked once expanded (the candidate list of NSG/DiskANN): the next node to expand is the best
// unexpanded entry, and the search ends when every entry is expanded. This expands the same nodes in
// the same order as HNSW's pair of heaps (candidates, and the ef best found), since a candidate that
// has fallen out of the ef best is worse than all of them and ends the heap search when popped;
// an insertion is a binary search and a short move instead of two sift operations.
struct Pool {
  struct Entry {
    float score;
    std::uint32_t id;  // the key, with bit 31 set once expanded
  };
  static constexpr std::uint32_t expanded = std::uint32_t{1} << 31;
  std::vector<Entry> e;
  std::size_t size = 0, cap = 0, cursor = 0;  // entries before `cursor` are all expanded
  void reset(std::size_t ef) {
    cap = ef;
    size = cursor = 0;
    e.resize(ef + 1);
  }
  // Inserts (v, j) unless the pool is full and v is no better than its worst entry; ties go after
  // the entries already there.
  // Returns the position, or cap when not inserted.
  std::size_t insert(float v, std::uint32_t j) {
    if (size == cap && !(v > e[size - 1].score)) return cap;
    std::size_t lo = 0, len = size;  // first position with score < v (branch-free halving)
    while (len > 1) {
      const std::size_t half = len / 2;
      lo += (e[lo + half - 1].score >= v) ? half : 0;
      len -= half;
    }
    lo += (len == 1 && e[lo].score >= v);
    const std::size_t keep = size < cap ? size : cap - 1;  // entries kept after the insertion
    std::memmove(&e[lo + 1], &e[lo], (keep - lo) * sizeof(Entry));
    e[lo] = {v, j};
    size = keep + 1;
    cursor = std::min(cursor, lo);
    return lo;
  }
  std::size_t next() {  // the best unexpanded entry, or size
    while (cursor < size && (e[cursor].id & expanded)) ++cursor;
    return cursor;
  }
};

// Beam search over a FAISS HNSW graph (the graph and storage are FAISS's; only the search is ours):
// greedy descent through the upper levels by float scores, then the standard level-0 beam of width
// ef (candidates by best score, stop when the best candidate is worse than the worst of ef results)
// scored by `Scorer`. Unlike FAISS 1.7.3's search (a linear-scan candidate heap, one virtual call
// per distance, no prefetching) the unvisited neighbours of a node are gathered first, their rows
// prefetched, then scored. Scorers whose scores only approximate the inner product (rerank) have
// their results re-scored by the float inner product before the top k are taken. A beam narrower
// than k (ef < k) keeps every key it scores, and its results are the best k of them by the
// traversal's scores (re-scored); a narrow beam that scores fewer than k keys is rerun k wide for
// that query. Returns the top min(k, found) by float inner product per
// query, in no particular order (labels -1 past the found ones), and adds the query-key score
// evaluations (traversal and re-ranking) to `evals`.
template <class Id, class MakeScorer>
void beam_search(const faiss::IndexHNSW& index, const Level0<Id>& level0, MakeScorer make_scorer, const float* Q, std::size_t rows, std::size_t d,
                 std::size_t k, std::size_t ef, int nthreads, float* dist_out, faiss::Index::idx_t* label_out, std::uint64_t& evals) {
  const faiss::HNSW& g = index.hnsw;
  const float* X = static_cast<const faiss::IndexFlat*>(index.storage)->get_xb();
  const std::size_t ntotal = static_cast<std::size_t>(index.ntotal);
  ef = std::max<std::size_t>(ef, 1);
  const bool narrow = ef < k;  // a beam narrower than the list: the best k of every scored key

  std::uint64_t total = 0;
#pragma omp parallel num_threads(nthreads) reduction(+ : total)
  {
    auto scorer = make_scorer();
    std::vector<std::uint64_t> visited((ntotal + 63) / 64);
    std::vector<std::uint64_t> top;
    Pool pool;
    std::vector<std::uint64_t> scored;  // narrow beam: every key scored at level 0, as rank keys
    std::vector<std::int32_t> batch(level0.deg);
    std::vector<float> bscore(level0.deg);
    auto seen = [&](std::int32_t v) {  // marks v; true if it was marked already
      std::uint64_t& w = visited[std::size_t(v) >> 6];
      const std::uint64_t bit = std::uint64_t{1} << (std::size_t(v) & 63);
      const bool was = w & bit;
      w |= bit;
      return was;
    };
    auto row = [&](std::int32_t v) { return X + std::size_t(v) * d; };
    auto prefetch_row = [&](std::int32_t v) { prefetch_bytes(row(v), d * sizeof(float)); };
    auto prefetch_list = [&](std::size_t v) { prefetch_bytes(level0.list(v), level0.deg * sizeof(Id)); };
#pragma omp for schedule(dynamic, 16)
    for (std::size_t r = 0; r < rows; ++r) {
      const float* q = Q + r * d;
      std::int32_t cur = g.entry_point;
      float dcur = fdot(q, row(cur), d);
      ++total;
      for (int level = g.max_level; level >= 1; --level) {
        for (bool changed = true; changed;) {
          changed = false;
          std::size_t b, e;
          g.neighbor_range(cur, level, &b, &e);
          for (std::size_t t = b; t < e && g.neighbors[t] >= 0; ++t) prefetch_row(g.neighbors[t]);
          for (std::size_t t = b; t < e; ++t) {
            const std::int32_t v = g.neighbors[t];
            if (v < 0) break;
            const float dv = fdot(q, row(v), d);
            ++total;
            if (dv > dcur) { dcur = dv; cur = v; changed = true; }
          }
        }
      }
      scorer.set_query(q);
      if constexpr (std::decay_t<decltype(scorer)>::rerank) {
        dcur = scorer(cur);
        ++total;
      }
      // The level-0 beam of the given width from the descent's node; `collect`: every scored key
      // also goes to `scored`.
      auto level0_search = [&](std::size_t width, bool collect) {
        std::fill(visited.begin(), visited.end(), 0);
        pool.reset(width);
        pool.insert(dcur, std::uint32_t(cur));
        seen(cur);
        scored.clear();
        if (collect) scored.push_back(rank_key(dcur, std::uint32_t(cur)));
        for (std::size_t at; (at = pool.next()) < pool.size;) {
          const std::uint32_t c = pool.e[at].id;
          pool.e[at].id |= Pool::expanded;
          const Id* nb = level0.list(c);
          // The unvisited neighbours, without a branch per neighbour (whether one was visited is
          // unpredictable): each is written, and kept by advancing the count.
          std::size_t nbatch = 0;
          for (std::size_t t = 0; t < level0.deg; ++t) {
            const std::int32_t v = static_cast<std::int32_t>(nb[t]);
            batch[nbatch] = v;
            nbatch += !seen(v);
          }
          for (std::size_t t = 0; t < nbatch; ++t) scorer.prefetch(batch[t]);
          if (const std::size_t nx = pool.next(); nx < pool.size) prefetch_list(pool.e[nx].id);  // the likely next node's list
          total += nbatch;
          for (std::size_t t = 0; t < nbatch; ++t) bscore[t] = scorer(batch[t]);
          if (collect)
            for (std::size_t t = 0; t < nbatch; ++t) scored.push_back(rank_key(bscore[t], std::uint32_t(batch[t])));
          for (std::size_t t = 0; t < nbatch; ++t)
            if (pool.insert(bscore[t], std::uint32_t(batch[t])) < pool.cap) prefetch_list(std::size_t(batch[t]));  // likely expanded later
        }
      };
      // A narrow beam that scored fewer than k keys is widened to k for this query, so that a list is
      // short only when a k-wide beam also finds fewer than k keys.
      bool use_scored = narrow;
      level0_search(ef, narrow);
      if (narrow && scored.size() < k) {
        level0_search(k, false);
        use_scored = false;
      }
      // The results as rank keys (score desc, index asc; knn_simd.hpp): selected, re-scored and cut
      // as integers.
      top.clear();
      if (use_scored) {  // the best k scored keys by the traversal's scores
        if (scored.size() > k) std::nth_element(scored.begin(), scored.begin() + std::ptrdiff_t(k), scored.end());
        top.assign(scored.begin(), scored.begin() + std::ptrdiff_t(std::min(k, scored.size())));
      } else {
        for (std::size_t t = 0; t < pool.size; ++t) top.push_back(rank_key(pool.e[t].score, pool.e[t].id & ~Pool::expanded));
      }
      if constexpr (std::decay_t<decltype(scorer)>::rerank) {  // float scores for the results
        auto id = [&](std::size_t t) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(top[t])); };
        for_each_prefetched(
            top.size(), d * sizeof(float), [&](std::size_t t) { return row(id(t)); },
            [&](std::size_t t) { top[t] = rank_key(fdot(q, row(id(t)), d), static_cast<std::uint32_t>(id(t))); });
        total += top.size();
      }
      if (top.size() > k) std::nth_element(top.begin(), top.begin() + std::ptrdiff_t(k), top.end());
      for (std::size_t t = 0; t < k; ++t) {
        dist_out[r * k + t] = t < top.size() ? rank_score(top[t]) : -std::numeric_limits<float>::infinity();
        // (-1 as idx_t: a conditional with a uint32_t branch would make it 2^32 - 1.)
        label_out[r * k + t] = t < top.size() ? faiss::Index::idx_t(static_cast<std::uint32_t>(top[t])) : faiss::Index::idx_t(-1);
      }
    }
  }
  evals += total;
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
      // The own search's beam: opt's width, or max(k, 16) by default; FAISS's own search gets at
      // least k.
      b.ef_search = opt.hnsw_ef_search > 0 ? std::size_t(opt.hnsw_ef_search) : std::max<std::size_t>(k, 16);
      h->hnsw.efSearch = static_cast<int>(std::max(b.ef_search, k));
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
    case IndexKind::brute:
    case IndexKind::brute_int8: throw ParameterError("index", "brute force is not a FAISS index");
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

  // Causal: blocks of queries; the index holds the keys before the block, all of the block's own
  // keys are scored (float32 GEMM) and merged, then the block's keys are added.
  const std::size_t B = std::max<std::size_t>(1, opt.causal_block);
  const int nthreads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  const bool own_search = kind == IndexKind::faiss_hnsw && !opt.hnsw_faiss_search;
  Level0<std::uint16_t> level0_16;  // the level-0 lists for the own search (16-bit ids up to 65536 keys)
  Level0<std::uint32_t> level0_32;
  auto with_level0 = [&](auto&& f) {  // f on the one of the two this index uses
    if (nk <= 65536) f(level0_16); else f(level0_32);
  };
  std::optional<Int8Keys> int8;  // 8-bit codes for the level-0 traversal (built with the index)
  if (own_search) {  // reserved for all keys (no reallocation while the index grows)
    const std::size_t deg = static_cast<std::size_t>(static_cast<const faiss::IndexHNSW&>(*b.index).hnsw.nb_neighbors(0));
    with_level0([&](auto& level0) { level0.nbr.reserve(nk * deg); });
  }
  if (own_search && opt.hnsw_int8_search) {
    t0 = Clock::now();
    int8.emplace(d, nk);
    out.build_seconds += since(t0);
  }
  out.index.reserve(nq * k);  // the lists are appended block by block
  out.score.reserve(nq * k);
  out.offset.reserve(nq + 1);
  std::vector<std::vector<std::pair<float, std::uint32_t>>> rowtop;
  for (std::size_t b0 = 0; b0 < nq; b0 += B) {
    const std::size_t b1 = std::min(nq, b0 + B), rows = b1 - b0;
    t0 = Clock::now();
    const std::size_t kk = std::min(k, b0);  // the index holds b0 keys
    if (kk > 0) {
      labels.resize(rows * kk);
      dist.resize(rows * kk);
      if (own_search) {
        const auto& h = static_cast<const faiss::IndexHNSW&>(*b.index);
        auto run = [&](const auto& level0) {
          if (int8)
            beam_search(h, level0, [&] { return Int8Scorer(*int8); }, Q + b0 * d, rows, d, kk, b.ef_search, nthreads, dist.data(),
                        labels.data(), out.search_distance_evals);
          else
            beam_search(h, level0, [&] { return FloatScorer{static_cast<const faiss::IndexFlat*>(h.storage)->get_xb(), d}; },
                        Q + b0 * d, rows, d, kk, b.ef_search, nthreads, dist.data(), labels.data(), out.search_distance_evals);
        };
        with_level0(run);
      } else {
        query_distance_evals = 0;
        b.index->search(static_cast<faiss::Index::idx_t>(rows), Q + b0 * d, static_cast<faiss::Index::idx_t>(kk), dist.data(), labels.data());
        out.search_distance_evals += query_distance_evals.load();
      }
    }
    // The block's own keys, all scored by float32 GEMMs (tiles of 64 rows against chunks of 4096
    // keys up to the tile's last row), merged with each row's index list: an own key enters only
    // if it reaches the worst of a full list, and a list holding 2k candidates is cut back to its
    // best k (memory stays O(k) per row and 1 MiB of scores per thread, whatever the block size).
    rowtop.resize(rows);
    {
      constexpr std::size_t tile = 64, chunk = 4096;
      BlasSingleThread single;
#pragma omp parallel num_threads(nthreads)
      {
        std::vector<float> own(tile * chunk), worst(tile);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t r0 = 0; r0 < rows; r0 += tile) {
          const std::size_t r1 = std::min(rows, r0 + tile);
          for (std::size_t r = r0; r < r1; ++r) {
            auto& c = rowtop[r];
            c.clear();
            for (std::size_t t = 0; t < kk; ++t)
              if (labels[r * kk + t] >= 0) c.emplace_back(dist[r * kk + t], static_cast<std::uint32_t>(labels[r * kk + t]));
            float& w = worst[r - r0];
            w = -std::numeric_limits<float>::infinity();
            if (c.size() >= k) {
              w = c[0].first;
              for (const auto& e : c) w = std::min(w, e.first);
            }
          }
          for (std::size_t j0 = 0; j0 < r1; j0 += chunk) {
            const std::size_t j1 = std::min(r1, j0 + chunk), w = j1 - j0;
            gemm_abt<float>(r1 - r0, w, d, 1.0f, Q + (b0 + r0) * d, d, K + (b0 + j0) * d, d, own.data(), w);
            for (std::size_t r = r0; r < r1; ++r) {
              auto& c = rowtop[r];
              const float* sc = own.data() + (r - r0) * w;
              for (std::size_t j = j0; j < j1 && j <= r; ++j) {
                if (!(sc[j - j0] >= worst[r - r0])) continue;
                c.emplace_back(sc[j - j0], static_cast<std::uint32_t>(b0 + j));
                if (c.size() >= 2 * k) {  // keep the best k; later keys must reach the k-th
                  sort_top(c, k);
                  worst[r - r0] = c.back().first;
                }
              }
            }
          }
          for (std::size_t r = r0; r < r1; ++r) sort_top(rowtop[r], k);
        }
      }
    }
    // Appended in query order: the offsets first, then the lists copied in parallel.
    const std::size_t base = out.index.size();
    std::vector<std::size_t> at(rows + 1, base);
    for (std::size_t r = 0; r < rows; ++r) at[r + 1] = at[r] + rowtop[r].size();
    out.index.resize(at[rows]);
    out.score.resize(at[rows]);
#pragma omp parallel for schedule(static) num_threads(nthreads)
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t t = 0; t < rowtop[r].size(); ++t) {
        out.score[at[r] + t] = rowtop[r][t].first;
        out.index[at[r] + t] = rowtop[r][t].second;
      }
    out.offset.insert(out.offset.end(), at.begin() + 1, at.end());
    out.search_seconds += since(t0);
    t0 = Clock::now();
    b.index->add(static_cast<faiss::Index::idx_t>(rows), K + b0 * d);
    if (int8) int8->add(K + b0 * d, rows);
    if (own_search) {
      with_level0([&](auto& level0) { level0.refresh(static_cast<const faiss::IndexHNSW&>(*b.index).hnsw, b1); });
    }
    out.build_seconds += since(t0);
  }
  return out;
}

#endif

}  // namespace detail
}  // namespace attncert::reductions::knn
