// Gram-histogram kernel vs the bare XOR+popcount loop over the same pairs (the practical limit).
// Both visit the N(N-1)/2 unordered pairs once, on the same threads; pairs/s is the figure of merit.
#include <benchmark/benchmark.h>
#include <omp.h>

#include "attncert/core/sign_matrix.hpp"

using namespace attncert::core;

namespace {

const SignMatrix& keys(std::size_t n, std::size_t d) {
  static std::size_t cn = 0, cd = 0;
  static SignMatrix s;
  if (cn != n || cd != d) s = SignMatrix::random(n, d, 1), cn = n, cd = d;
  return s;
}

int threads_arg(const benchmark::State& st) { return static_cast<int>(st.range(2)); }

void BM_GramHistogram(benchmark::State& st) {
  const SignMatrix& s = keys(static_cast<std::size_t>(st.range(0)), static_cast<std::size_t>(st.range(1)));
  GramOptions opt;
  opt.threads = threads_arg(st);
  for (auto _ : st) {
    GramHistogram h = gram_histogram(s, opt);
    benchmark::DoNotOptimize(h.row(0));
  }
  double pairs = static_cast<double>(s.rows()) * static_cast<double>(s.rows() - 1) / 2;
  st.counters["pairs/s"] = benchmark::Counter(pairs * static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}

// The bare loop: popcount of every unordered pair, summed (no histogram), OpenMP over rows, with
// the word count fixed at compile time like the kernel's, so the compiler may vectorise over j.
template <int W>
std::uint64_t bare_pairs(const std::uint64_t* base, std::size_t n, int threads) {
  std::uint64_t total = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(+ : total) num_threads(threads)
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t* a = base + i * W;
    std::uint64_t acc = 0;
    for (std::size_t j = i + 1; j < n; ++j) {
      const std::uint64_t* b = base + j * W;
      for (int k = 0; k < W; ++k) acc += static_cast<std::uint64_t>(__builtin_popcountll(a[k] ^ b[k]));
    }
    total += acc;
  }
  return total;
}

void BM_BarePopcount(benchmark::State& st) {
  const SignMatrix& s = keys(static_cast<std::size_t>(st.range(0)), static_cast<std::size_t>(st.range(1)));
  const std::size_t n = s.rows();
  auto fn = s.words() == 1 ? bare_pairs<1> : s.words() == 4 ? bare_pairs<4> : bare_pairs<16>;
  for (auto _ : st) benchmark::DoNotOptimize(fn(s.row(0), n, threads_arg(st)));
  double pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
  st.counters["pairs/s"] = benchmark::Counter(pairs * static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}

void args(benchmark::internal::Benchmark* b) {
  for (long d : {64, 256, 1024}) b->Args({16384, d, 2});
  b->Args({65536, 256, 2});
  b->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
}

}  // namespace

BENCHMARK(BM_GramHistogram)->Apply(args);
BENCHMARK(BM_BarePopcount)->Apply(args);
BENCHMARK_MAIN();
