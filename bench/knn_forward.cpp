// T6 performance targets (bench/RESULTS.md, "t6"), each with its peer in the same run:
//   --mode sample (defaults n = 65536, k = 256, index hnsw): exact float32 causal attention against
//     kNN attention by sampling: top-k from the index (build excluded, reported), then ell lazy-Gumbel
//     samples per query and the mean of the sampled v_j; also the softmax over the top-k. Mean
//     absolute errors against the exact float32 output. The samples come from the block sampler
//     (reductions/lazy_gumbel_block.hpp: --block-rows consecutive queries share each tail sequence
//     and its score evaluations) unless --samplers says otherwise; each listed sampler is timed in
//     every repetition (same top-k lists), so old and new are measured in the same run.
//   --mode forward (defaults n = 8000, k = round(sqrt n), index brute): the whole kNN forward (top-k +
//     softmax over the top-k) with the index build included, against exact float32 attention.
// Times are medians over --reps runs. Inputs: entries uniform in [-sqrt 3, sqrt 3], scale 1/sqrt(d).
// Usage: knn_forward [--mode sample|forward] [--n N] [--d D] [--k K] [--ell L] [--index brute|brute-int8|flat|hnsw|ivf]
//                    [--reps R] [--threads T] [--seed S] [--hnsw-m M] [--ef-construction E] [--ef-search E]
//                    [--causal-block B] [--recall] [--faiss-search] [--float-search]
//                    [--samplers block,per-query,old] [--per-query-sampler] [--old-sampler] [--block-rows R]
// Samplers: block (default; LazyGumbelBlockSampler with DenseDotScorer, R = --block-rows queries per
// block, default 64); per-query (LazyGumbelHead: scores once per query, one categorical draw and one
// Gumbel per sample, tail per query); old (k Gumbels per sample, LazyGumbelTopK::sample via
// lazy_gumbel_sample). --per-query-sampler and --old-sampler add that sampler to the list.
// --faiss-search: causal HNSW searched by FAISS's IndexHNSW::search instead of the index layer's beam search.
// --ef-search E: the HNSW beam (default max(k, 16)); below k the layer's own search lists the best k
// of every key the beam scored (bench/RESULTS.md, t6: the n = 65536 target is met at E = 16).
// --float-search: the index layer's HNSW beam search by float scores instead of 8-bit key codes.
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/knn_attention.hpp"
#include "attncert/reductions/knn_exact.hpp"
#include "attncert/reductions/knn_index.hpp"
#include "attncert/reductions/lazy_gumbel.hpp"
#include "attncert/reductions/lazy_gumbel_block.hpp"
#include "timing.hpp"

using namespace attncert::reductions::knn;
using attncert::bench::Clock;
using attncert::bench::median;
using attncert::bench::seconds_since;

namespace {

// Inputs on transparent huge pages where the system grants them on request (THP "madvise"): the
// kNN side reads key and value rows at random. The exact engine reads the same arrays.
template <class T>
struct HugeAlloc {
  using value_type = T;
  HugeAlloc() = default;
  template <class U>
  HugeAlloc(const HugeAlloc<U>&) {}
  T* allocate(std::size_t count) {
    constexpr std::size_t huge = std::size_t{2} << 20;
    const std::size_t bytes = (count * sizeof(T) + huge - 1) / huge * huge;
    void* p = std::aligned_alloc(huge, bytes);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { std::free(p); }
  template <class U>
  bool operator==(const HugeAlloc<U>&) const { return true; }
};
using Floats = std::vector<float, HugeAlloc<float>>;

Floats unit_uniform(std::size_t count, attncert::core::Xoshiro256ss& rng) {
  Floats v(count);
  for (auto& x : v) x = static_cast<float>((double(rng.next() >> 40) / double(1 << 24) * 2 - 1) * std::sqrt(3.0));
  return v;
}

double mae(const Floats& a, const Floats& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += std::abs(double(a[i]) - double(b[i]));
  return s / double(a.size());
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "knn_forward: error: %s\n", why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "sample", index = "";
  long n = 0, d = 64, k = 0, ell = 16, reps = 3, threads = 2, seed = 1, hnsw_m = 32, efc = 64, efs = 0, cblock = 1024;
  bool recall = false, faiss_search = false, float_search = false;
  long block_rows = 64;
  bool explicit_samplers = false;
  std::vector<std::string> samplers;  // block, per-query, old
  for (int a = 1; a < argc; ++a) {
    std::string f = argv[a];
    auto num = [&](long& x) {
      if (a + 1 >= argc) usage((f + " needs a value").c_str());
      char* end;
      x = std::strtol(argv[++a], &end, 10);
      if (*end || x < 0) usage((f + ": not a non-negative integer").c_str());
    };
    if (f == "--mode" && a + 1 < argc) mode = argv[++a];
    else if (f == "--index" && a + 1 < argc) index = argv[++a];
    else if (f == "--n") num(n);
    else if (f == "--d") num(d);
    else if (f == "--k") num(k);
    else if (f == "--ell") num(ell);
    else if (f == "--reps") num(reps);
    else if (f == "--threads") num(threads);
    else if (f == "--seed") num(seed);
    else if (f == "--hnsw-m") num(hnsw_m);
    else if (f == "--ef-construction") num(efc);
    else if (f == "--ef-search") num(efs);
    else if (f == "--causal-block") num(cblock);
    else if (f == "--recall") recall = true;
    else if (f == "--old-sampler") samplers.push_back("old");
    else if (f == "--per-query-sampler") samplers.push_back("per-query");
    else if (f == "--samplers" && a + 1 < argc) {
      std::string list = argv[++a];
      explicit_samplers = true;
      for (std::size_t at = 0; at <= list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        samplers.push_back(list.substr(at, comma - at));
        at = comma + 1;
      }
    } else if (f == "--block-rows") num(block_rows);
    else if (f == "--faiss-search") faiss_search = true;
    else if (f == "--float-search") float_search = true;
    else usage(("unknown option " + f).c_str());
  }
  if (mode != "sample" && mode != "forward") usage("--mode must be sample or forward");
  if (!n) n = mode == "sample" ? 65536 : 8000;
  if (!k) k = mode == "sample" ? 256 : std::lround(std::sqrt(double(n)));
  if (index.empty()) index = mode == "sample" ? "hnsw" : "brute";
  if (!explicit_samplers) samplers.insert(samplers.begin(), "block");  // --old-sampler etc. add to the block sampler
  {
    std::vector<std::string> unique;
    for (const auto& sname : samplers)
      if (std::find(unique.begin(), unique.end(), sname) == unique.end()) unique.push_back(sname);
    samplers = unique;
  }
  for (const auto& sname : samplers)
    if (sname != "block" && sname != "per-query" && sname != "old") usage(("--samplers: unknown sampler '" + sname + "' (block, per-query, old)").c_str());
  if (block_rows < 1 || block_rows > 64) usage("--block-rows must lie in 1..64");
  if (n < 2 || d < 1 || k < 1 || k > n || reps < 1 || threads < 1 || ell < 1) usage("need n >= 2, d >= 1, 1 <= k <= n, reps, threads, ell >= 1");
  IndexKind kind;
  try {
    kind = parse_index_kind(index);
  } catch (const std::exception& e) {
    usage(e.what());
  }
  omp_set_num_threads(int(threads));
  const std::size_t N = std::size_t(n), D = std::size_t(d), K = std::size_t(k);
  attncert::core::Xoshiro256ss rng{static_cast<std::uint64_t>(seed)};
  auto Q = unit_uniform(N * D, rng), Kx = unit_uniform(N * D, rng), V = unit_uniform(N * D, rng);
  const double scale = default_scale(D);
  AttentionOptions ao;
  ao.scale = scale;
  ao.causal = true;
  ao.threads = int(threads);
  IndexOptions io;
  io.threads = int(threads);
  io.hnsw_m = int(hnsw_m);
  io.hnsw_ef_construction = int(efc);
  io.hnsw_ef_search = int(efs);
  io.causal_block = std::size_t(cblock);
  io.hnsw_faiss_search = faiss_search;
  io.hnsw_int8_search = !float_search;
  std::printf("# knn_forward --mode %s --n %ld --d %ld --k %ld --index %s --reps %ld --threads %ld%s%s\n", mode.c_str(), n, d, k,
              index.c_str(), reps, threads, mode == "sample" ? (" --ell " + std::to_string(ell)).c_str() : "",
              kind == IndexKind::faiss_hnsw ? (" --hnsw-m " + std::to_string(hnsw_m) + " --ef-construction " + std::to_string(efc) +
                                                 " --ef-search " + std::to_string(efs > 0 ? efs : std::max<long>(k, 16)) +
                                                 (faiss_search ? " --faiss-search" : float_search ? " (own beam search, float scores)" : " (own beam search, 8-bit codes)")).c_str() : "");
  std::printf("# causal, scale 1/sqrt(d), entries uniform in [-sqrt3, sqrt3], BLAS %s, FAISS %s\n", attention_uses_blas() ? "yes" : "no",
              faiss_available() ? "yes" : "no");

  Floats exact(N * D), out(N * D);
  std::vector<double> t_exact, t_build, t_search, t_soft;
  TopK top;
  struct SamplerRun {
    std::string name;
    Floats est;
    std::vector<double> times;
    std::uint64_t evals = 0, samples = 0, sequences = 0, sequence_length = 0, fallback = 0, tail = 0;
  };
  std::vector<SamplerRun> runs;
  if (mode == "sample")
    for (const auto& sname : samplers) runs.push_back({sname, Floats(N * D), {}});
  for (long r = 0; r < reps; ++r) {
    // The two sides alternate within each repetition (robust to drift on a shared machine).
    auto t0 = Clock::now();
    exact_attention(Q.data(), Kx.data(), V.data(), N, N, D, D, ao, exact.data());
    t_exact.push_back(seconds_since(t0));
    top = top_k(kind, Q.data(), Kx.data(), N, N, D, K, true, io);
    t_build.push_back(top.build_seconds);
    t_search.push_back(top.search_seconds);
    t0 = Clock::now();
    knn_attention(Q.data(), Kx.data(), V.data(), N, N, D, D, top, scale, out.data(), int(threads));
    t_soft.push_back(seconds_since(t0));
    std::fprintf(stderr, "rep %ld: exact %.3f s, build %.3f s, search %.3f s, softmax %.3f s\n", r + 1, t_exact.back(), t_build.back(),
                 t_search.back(), t_soft.back());
    if (mode != "sample") continue;
    // ell lazy-Gumbel samples per query (slack 0: the index's top-k is taken as exact, see RESULTS.md),
    // by each listed sampler in turn on the same top-k lists.
    for (auto& run : runs) {
      t0 = Clock::now();
      std::uint64_t ev = 0, sm = 0, seqs = 0, seq_len = 0, fallback = 0, tail = 0;
      Floats& est = run.est;
      if (run.name == "block") {
        // Blocks of R consecutive queries: the rows share each sample's tail sequence and its scores.
        const std::size_t R = std::size_t(block_rows), nblocks = (N + R - 1) / R;
#pragma omp parallel num_threads(int(threads)) reduction(+ : ev, sm, seqs, seq_len, fallback, tail)
        {
          LazyGumbelBlockSampler sampler;
          LazyGumbelBlockStats st;
          DenseDotScorer scorer(Kx.data(), D, scale);  // one fma chain for head and tail scores
          const LazyGumbelBlockScore fn = std::ref(scorer);
          LazyGumbelBlockOptions opt;
          opt.prefetch = [&scorer](std::uint32_t j) { scorer.prefetch(j); };  // rows load while the sequence is drawn
          std::vector<LazyGumbelBlockRow> rows;
          std::vector<std::uint32_t> picks;
          std::vector<double> acc(D);
#pragma omp for schedule(dynamic, 1)
          for (std::size_t b = 0; b < nblocks; ++b) {
            const std::size_t i0 = b * R, i1 = std::min(N, i0 + R);
            rows.clear();
            scorer.queries.clear();
            for (std::size_t i = i0; i < i1; ++i) {
              rows.push_back({i + 1, top.neighbours(i), 0.0});
              scorer.queries.push_back(Q.data() + i * D);
            }
            attncert::core::Xoshiro256ss g(std::uint64_t(seed) * 0xD1B54A32D192ED03ull + b);
            picks.resize(rows.size() * std::size_t(ell));
            sampler.sample(rows, std::size_t(ell), fn, g, picks, &st, opt);
            for (std::size_t r = 0; r < rows.size(); ++r) {
              std::fill(acc.begin(), acc.end(), 0.0);
              for (std::size_t t = 0; t < std::size_t(ell); ++t) {
                const float* vj = V.data() + std::size_t(picks[r * std::size_t(ell) + t]) * D;
#pragma omp simd
                for (std::size_t c = 0; c < D; ++c) acc[c] += vj[c];
              }
              for (std::size_t c = 0; c < D; ++c) est[(i0 + r) * D + c] = float(acc[c] / double(ell));
            }
          }
          ev += st.score_evals();
          sm += st.samples;
          seqs += st.sequences;
          seq_len += st.sequence_length;
          fallback += st.fallback_rows;
          tail += st.tail_draws;
        }
      } else {
        const bool old_sampler = run.name == "old";
#pragma omp parallel num_threads(int(threads)) reduction(+ : ev, sm, tail)
        {
          LazyGumbelStats st;
          LazyGumbelHead head;
          std::vector<std::uint32_t> picks;
          std::vector<double> acc(D);
#pragma omp for schedule(dynamic, 64)
          for (std::size_t i = 0; i < N; ++i) {
            attncert::core::Xoshiro256ss g(std::uint64_t(seed) * 0x9E3779B97F4A7C15ull + i);
            // s_j = scale <q_i, k_j>; prefetch(j) lets the sampler overlap the loads of the key rows.
            struct Score {
              const float* q;
              const float* K;
              std::size_t D;
              double scale;
              double operator()(std::uint32_t j) const {
                const float* kj = K + std::size_t(j) * D;
                float s = 0;
#pragma omp simd reduction(+ : s)
                for (std::size_t l = 0; l < D; ++l) s += q[l] * kj[l];
                return scale * double(s);
              }
              void prefetch(std::uint32_t j) const {
                const char* p = reinterpret_cast<const char*>(K + std::size_t(j) * D);
                for (std::size_t b = 0; b < D * sizeof(float); b += 64) __builtin_prefetch(p + b);
              }
            } score{Q.data() + i * D, Kx.data(), D, scale};
            std::fill(acc.begin(), acc.end(), 0.0);
            if (old_sampler) {
              for (long t = 0; t < ell; ++t) {
                const std::uint32_t j = lazy_gumbel_sample(i + 1, top.neighbours(i), 0.0, score, g, &st);
                const float* vj = V.data() + std::size_t(j) * D;
                for (std::size_t c = 0; c < D; ++c) acc[c] += vj[c];
              }
            } else {
              // The top-k set is prepared once per query and its scores evaluated once (LazyGumbelHead).
              const LazyGumbelTopK topk(i + 1, top.neighbours(i), 0.0);
              head.reset(topk, score, &st);
              picks.resize(std::size_t(ell));
              for (long t = 0; t < ell; ++t) picks[std::size_t(t)] = head.sample(score, g, &st);
              for (const std::uint32_t j : picks) {  // the value rows after all draws: independent loads
                const float* vj = V.data() + std::size_t(j) * D;
#pragma omp simd
                for (std::size_t c = 0; c < D; ++c) acc[c] += vj[c];
              }
            }
            for (std::size_t c = 0; c < D; ++c) est[i * D + c] = float(acc[c] / double(ell));
          }
          ev += st.score_evals;
          sm += st.samples;
          tail += st.tail_draws;
        }
      }
      run.times.push_back(seconds_since(t0));
      run.evals = ev;
      run.samples = sm;
      run.sequences = seqs;
      run.sequence_length = seq_len;
      run.fallback = fallback;
      run.tail = tail;
      std::fprintf(stderr, "rep %ld: sampling (%s) %.3f s\n", r + 1, run.name.c_str(), run.times.back());
    }
  }
  const double ex = median(t_exact), bu = median(t_build), se = median(t_search), so = median(t_soft);
  std::printf("exact float32 attention          %9.3f s\n", ex);
  std::printf("index build (%-5s)               %9.3f s\n", index.c_str(), bu);
  std::printf("top-k search                     %9.3f s   index distance evals/query %.0f\n", se,
              double(top.search_distance_evals) / double(N));
  std::printf("softmax over top-k               %9.3f s   MAE vs exact %.4g\n", so, mae(out, exact));
  if (mode == "sample") {
    for (const auto& run : runs) {
      const double sa = median(run.times), per = double(run.samples);
      std::string label = run.name == "old" ? "k Gumbels per sample" : run.name == "per-query" ? "prepared head, per query"
                                                                                                : "block of " + std::to_string(block_rows) + " queries";
      std::printf("lazy-Gumbel sampling (ell = %ld, %s)  %9.3f s   MAE vs exact %.4g   score evals/sample %.1f   tail draws/sample %.1f\n",
                  ell, label.c_str(), sa, mae(run.est, exact), double(run.evals) / per, double(run.tail) / per);
      if (run.name == "block")
        std::printf("  block sampler: mean sequence length %.1f (keys drawn per block and sample), fallback rows %.3g%% of samples, vector logs %s\n",
                    run.sequences ? double(run.sequence_length) / double(run.sequences) : 0.0, 100.0 * double(run.fallback) / per,
                    detail::vector_log_built() ? "libmvec" : "scalar");
      std::printf("kNN by sampling (%s), end to end (search + sampling, build excluded) %.3f s: %.2fx faster than exact\n",
                  run.name.c_str(), se + sa, ex / (se + sa));
    }
    std::printf("kNN softmax over top-k, end to end (search + softmax, build excluded) %.3f s: %.2fx faster than exact\n", se + so,
                ex / (se + so));
  } else {
    std::printf("whole kNN forward (build + search + softmax) %.3f s (target < 0.5 s); exact %.3f s\n", bu + se + so, ex);
  }
  if (recall) {
    TopK ref = top_k(IndexKind::brute, Q.data(), Kx.data(), N, N, D, K, true, io);
    auto qual = compare_top_k(top, ref, Q.data(), Kx.data(), D);
    std::printf("recall vs brute force %.4f, achieved slack %.4g (inner-product units), short lists %zu\n", qual.recall,
                qual.achieved_slack, qual.short_queries);
  }
  return 0;
}
