// SubGen's observe() rate at d = 16 on one core (issue #9: at least 10^6 tokens/s), against a bare
// loop that only copies each token (key and value, 2 d floats) into a preallocated cache: both
// read the same pregenerated clusterable stream (bench/subgen_stream.hpp: m = 16 centers, noise
// sigma = 0.02; SubGen r = 0.3, t = 16, s = 256), 2^16 tokens cycled. Items = tokens.
//   subgen_observe --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "attncert/reductions/subgen.hpp"
#include "subgen_stream.hpp"

namespace {

constexpr std::size_t kTokens = 1 << 16;

struct Data {
  std::size_t d;
  std::vector<float> K, V;
  explicit Data(std::size_t d_) : d(d_), K(kTokens * d_), V(kTokens * d_) {
    attncert::bench::ClusterStream s(d, 16, 0.02, 1);
    for (std::size_t j = 0; j < kTokens; ++j) s.next(&K[j * d], &V[j * d]);
  }
};

const Data& data(std::size_t d) {
  static Data d4(4), d16(16), d64(64);
  return d == 4 ? d4 : d == 16 ? d16 : d64;
}

void BM_CopyTokens(benchmark::State& state) {
  const Data& D = data(static_cast<std::size_t>(state.range(0)));
  const std::size_t d = D.d;
  std::vector<float> cache(2 * d * kTokens);
  std::size_t j = 0;
  for (auto _ : state) {
    std::copy(D.K.begin() + static_cast<std::ptrdiff_t>(j * d), D.K.begin() + static_cast<std::ptrdiff_t>((j + 1) * d),
              cache.begin() + static_cast<std::ptrdiff_t>(2 * j * d));
    std::copy(D.V.begin() + static_cast<std::ptrdiff_t>(j * d), D.V.begin() + static_cast<std::ptrdiff_t>((j + 1) * d),
              cache.begin() + static_cast<std::ptrdiff_t>((2 * j + 1) * d));
    benchmark::ClobberMemory();
    j = (j + 1) & (kTokens - 1);
  }
  benchmark::DoNotOptimize(cache.data());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_SubGenObserve(benchmark::State& state) {
  const Data& D = data(static_cast<std::size_t>(state.range(0)));
  const std::size_t d = D.d;
  attncert::reductions::SubGen g(d, {.r = 0.3, .t = 16, .s = 256, .seed = 1});
  std::size_t j = 0;
  for (auto _ : state) {
    g.observe(std::span<const float>(D.K.data() + j * d, d), std::span<const float>(D.V.data() + j * d, d));
    j = (j + 1) & (kTokens - 1);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["clusters"] = static_cast<double>(g.clusters());
  state.counters["words"] = static_cast<double>(g.words_used());
}

}  // namespace

BENCHMARK(BM_CopyTokens)->Arg(16)->Arg(4)->Arg(64);
BENCHMARK(BM_SubGenObserve)->Arg(16)->Arg(4)->Arg(64);
BENCHMARK_MAIN();
