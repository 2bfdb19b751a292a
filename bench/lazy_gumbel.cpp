// Lazy Gumbel sampling (issue #10, third performance target): score evaluations per sample against
// the exact expectation k + E[m], E[m] = (n-k) e^{S_min} / (Z_S + e^{S_min}) (lazy_gumbel.hpp), and
// the time per sample against the peer: exact sampling by a full softmax and inverse CDF over all
// n scores (O(n) evaluations per sample), both on the same rows in the same run.
//
// Rows: q, keys with entries N(0,1)-like (sum of 4 uniforms, centred), d = 64, scale 1/sqrt(d);
// k = ceil(sqrt(n)), exact top-k by brute force (not timed: given the top-k, as in the spec).
// usage: lazy_gumbel [reps=5] [samples_per_row=2000] [rows=32]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/lazy_gumbel.hpp"
#include "timing.hpp"

using namespace attncert;
namespace knn = attncert::reductions::knn;

namespace {
double normalish(core::Xoshiro256ss& r) {
  double s = 0;
  for (int t = 0; t < 4; ++t) s += static_cast<double>(r.next() >> 11) * 0x1.0p-53;
  return (s - 2) * std::sqrt(3.0);
}
}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::size_t per_row = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 2000;
  const std::size_t rows = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 32;
  const std::size_t d = 64;
  std::uint64_t sink = 0;
  std::printf("n,k,samples,evals_per_sample,k_plus_Em,ratio,lazy_ns_per_sample,full_ns_per_sample,speedup\n");
  for (std::size_t n : {1024, 4096, 16384, 65536}) {
    const std::size_t k = static_cast<std::size_t>(std::ceil(std::sqrt(double(n))));
    core::Xoshiro256ss gen(n);
    std::vector<double> keys(n * d);
    for (double& x : keys) x = normalish(gen);
    // scores of `rows` queries (computed once: the benchmark is about sampling given scores)
    std::vector<std::vector<double>> scores(rows, std::vector<double>(n));
    std::vector<std::vector<std::uint32_t>> topk(rows);
    double expected = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<double> q(d);
      for (double& x : q) x = normalish(gen);
      for (std::size_t j = 0; j < n; ++j) {
        double s = 0;
        for (std::size_t c = 0; c < d; ++c) s += q[c] * keys[j * d + c];
        scores[r][j] = s / std::sqrt(double(d));
      }
      std::vector<std::uint32_t> idx(n);
      std::iota(idx.begin(), idx.end(), 0u);
      std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                        [&](auto a, auto b) { return scores[r][a] > scores[r][b]; });
      topk[r].assign(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k));
      std::vector<double> sS;
      for (auto j : topk[r]) sS.push_back(scores[r][j]);
      expected += k + knn::lazy_gumbel_expectation(n, sS, 0).expected_m;
    }
    expected /= static_cast<double>(rows);
    std::vector<double> lazy_t, full_t, evals;
    for (int rep = 0; rep < reps; ++rep) {
      core::Xoshiro256ss rng(1000 + rep);
      knn::LazyGumbelStats st;
      auto t0 = bench::Clock::now();
      for (std::size_t r = 0; r < rows; ++r) {
        const double* s = scores[r].data();
        const knn::LazyGumbelTopK head(n, topk[r], 0.0);  // prepared once per row
        for (std::size_t t = 0; t < per_row; ++t) sink += head.sample([s](std::uint32_t j) { return s[j]; }, rng, &st);
      }
      lazy_t.push_back(bench::seconds_since(t0) / double(rows * per_row) * 1e9);
      evals.push_back(double(st.score_evals) / double(st.samples));
      // peer: exact softmax + inverse CDF per sample (all n scores read per sample)
      t0 = bench::Clock::now();
      const std::size_t peer_samples = std::max<std::size_t>(1, per_row / 20);
      for (std::size_t r = 0; r < rows; ++r) {
        const double* s = scores[r].data();
        for (std::size_t t = 0; t < peer_samples; ++t) {
          double mx = -INFINITY, z = 0;
          for (std::size_t j = 0; j < n; ++j) mx = std::max(mx, s[j]);
          for (std::size_t j = 0; j < n; ++j) z += std::exp(s[j] - mx);
          double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53 * z, acc = 0;
          std::size_t j = 0;
          for (; j + 1 < n; ++j) {
            acc += std::exp(s[j] - mx);
            if (acc > u) break;
          }
          sink += j;
        }
      }
      full_t.push_back(bench::seconds_since(t0) / double(rows * peer_samples) * 1e9);
    }
    const double e = bench::median(evals), lt = bench::median(lazy_t), ft = bench::median(full_t);
    std::printf("%zu,%zu,%zu,%.4f,%.4f,%.4f,%.0f,%.0f,%.1f\n", n, k, rows * per_row, e, expected, e / expected, lt, ft, ft / lt);
  }
  std::fprintf(stderr, "(checksum %llu)\n", static_cast<unsigned long long>(sink));
  return 0;
}
