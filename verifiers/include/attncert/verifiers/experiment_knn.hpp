// `attncert experiment knn-speed | knn-error`: the kNN-attention paper's two experiments
// (docs/theorems.md#t6) as CSV + SVG/PNG plots (gnuplot when installed), with a
// progress bar on stderr. Proposal-side measurements in float arithmetic: nothing here certifies.
#pragma once
#include "attncert/verifiers/sweep.hpp"
#include <cstdint>
#include <string>
#include <vector>

#include "attncert/reductions/knn_index.hpp"

namespace attncert::verifiers {

// The `experiment` subcommand of `attncert` (argv[0] = "experiment"); returns the exit code.
int experiment_main(int argc, const char* const* argv);


// Forward time vs n: exact float32 attention against kNN attention (top-k + softmax over the top-k)
// with k = round(sqrt n) and k = round(n^(1/4)), per index; index build time reported separately.
struct KnnSpeedOptions {
  std::uint64_t n_min = 1024, n_max = 16384;  // powers of two from n_min while <= n_max, then n_max
  std::uint64_t d = 64;
  std::vector<reductions::knn::IndexKind> indexes;  // empty: brute, and hnsw when FAISS is built in
  reductions::knn::IndexOptions index;              // FAISS parameters (threads are taken from `threads`)
  bool causal = true;
  int reps = 1;  // timings are medians of reps runs
  std::uint64_t seed = 1;
  int threads = 0;
  bool quiet = false;
  std::string out_dir = "out/experiment_knn";
};
struct KnnSpeedResult {
  std::string csv;
  PlotFiles plot;
  std::size_t rows = 0;
};
KnnSpeedResult knn_speed(const KnnSpeedOptions& o);

// Mean absolute error of kNN attention vs exact attention against k, at n queries/keys of dimension
// d with every entry of Q, K, V uniform in [-B, B] for each B, scale 1/sqrt(d), causal.
struct KnnErrorOptions {
  std::uint64_t n = 1000, d = 64;
  std::vector<std::uint64_t> bounds{10, 30, 50};
  std::vector<std::uint64_t> ks{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000};
  std::uint64_t seed = 1;
  int threads = 0;
  bool quiet = false;
  std::string out_dir = "out/experiment_knn";
};
struct KnnErrorResult {
  std::string csv;
  PlotFiles plot;
  std::size_t rows = 0;
};
KnnErrorResult knn_error(const KnnErrorOptions& o);

}  // namespace attncert::verifiers
