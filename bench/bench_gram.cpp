// Gram-histogram kernels vs the bare XOR+popcount loop over the same data (the practical limit).
// pairs/s counts the N(N-1)/2 unordered pairs for every side, on the same threads.
#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <vector>

#include "attncert/core/sign_matrix.hpp"
#include "bare_loop.hpp"

using namespace attncert::core;

namespace {

const SignMatrix& keys(std::size_t n, std::size_t d) {
  static std::size_t cn = 0, cd = 0;
  static SignMatrix s;
  if (cn != n || cd != d) s = SignMatrix::random(n, d, 1), cn = n, cd = d;
  return s;
}

int threads_arg(const benchmark::State& st) { return static_cast<int>(st.range(2)); }

template <GramKernel Kernel>
void BM_GramHistogram(benchmark::State& st) {
  const SignMatrix& s = keys(static_cast<std::size_t>(st.range(0)), static_cast<std::size_t>(st.range(1)));
  if (Kernel == GramKernel::avx512 && !gram_avx512_built()) {
    st.SkipWithError("this build has no AVX-512 kernel");
    return;
  }
  GramOptions opt;
  opt.threads = threads_arg(st);
  opt.kernel = Kernel;
  for (auto _ : st) {
    GramHistogram h = gram_histogram(s, opt);
    benchmark::DoNotOptimize(h.row(0));
  }
  double pairs = static_cast<double>(s.rows()) * static_cast<double>(s.rows() - 1) / 2;
  st.counters["pairs/s"] = benchmark::Counter(pairs * static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}

void BM_BarePopcount(benchmark::State& st) {
  const SignMatrix& s = keys(static_cast<std::size_t>(st.range(0)), static_cast<std::size_t>(st.range(1)));
  const std::size_t n = s.rows();
  auto fn = attncert::bench::bare_for(s.words());
  for (auto _ : st) benchmark::DoNotOptimize(fn(s.row(0), n, threads_arg(st)));
  double pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
  st.counters["pairs/s"] = benchmark::Counter(pairs * static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}

// Context, not the peer: unordered popcounts alone in the AVX-512 kernel's word-major layout (eight
// rows per vector, VPOPCNTQ; each row against all later vectors), summed. The conversion to that
// layout is outside the timed loop here, inside the kernel's time there.
#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
// GCC 12's broadcast intrinsics pass a self-initialised _mm512_undefined placeholder.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <int W>
std::uint64_t soa_pairs(const std::vector<std::uint64_t>& soa, std::size_t nvec, int threads) {
  constexpr std::size_t kTile = 8;  // vectors per tile side
  const std::size_t tiles = (nvec + kTile - 1) / kTile;
  std::uint64_t total = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : total) num_threads(threads)
  for (std::size_t ti = 0; ti < tiles; ++ti) {
    __m512i acc = _mm512_setzero_si512();
    for (std::size_t vi = ti * kTile; vi < std::min(nvec, (ti + 1) * kTile); ++vi)
      for (std::size_t lane = 0; lane < 8; ++lane) {
        __m512i a[W];
        for (int w = 0; w < W; ++w) a[w] = _mm512_set1_epi64(static_cast<long long>(soa[(vi * W + w) * 8 + lane]));
        for (std::size_t vj = vi + 1; vj < nvec; ++vj)  // whole vectors above the diagonal block
          for (int w = 0; w < W; ++w)
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(&soa[(vj * W + w) * 8]), a[w])));
      }
    total += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(acc));
  }
  return total;
}

void BM_WordMajorPopcount(benchmark::State& st) {
  const SignMatrix& s = keys(static_cast<std::size_t>(st.range(0)), static_cast<std::size_t>(st.range(1)));
  if (s.words() != 4 || s.rows() % 8) {
    st.SkipWithError("only d = 256 with rows a multiple of 8");
    return;
  }
  const std::size_t n = s.rows(), nvec = n / 8;
  std::vector<std::uint64_t> soa(n * 4);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t w = 0; w < 4; ++w) soa[((r / 8) * 4 + w) * 8 + r % 8] = s.row(r)[w];
  for (auto _ : st) benchmark::DoNotOptimize(soa_pairs<4>(soa, nvec, threads_arg(st)));
  // pairs between different vectors (the 28 pairs inside each vector are left out)
  double pairs = static_cast<double>(nvec) * static_cast<double>(nvec - 1) / 2 * 64;
  st.counters["pairs/s"] = benchmark::Counter(pairs * static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}
#endif

void args(benchmark::internal::Benchmark* b) {
  for (long d : {64, 256, 1024}) b->Args({16384, d, 2});
  b->Args({65536, 256, 2});
  b->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
}

}  // namespace

BENCHMARK(BM_GramHistogram<GramKernel::avx512>)->Name("BM_GramHistogram/avx512")->Apply(args);
BENCHMARK(BM_GramHistogram<GramKernel::portable>)->Name("BM_GramHistogram/portable")->Apply(args);
BENCHMARK(BM_BarePopcount)->Apply(args);
#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
BENCHMARK(BM_WordMajorPopcount)->Args({16384, 256, 2})->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
#endif
BENCHMARK_MAIN();
