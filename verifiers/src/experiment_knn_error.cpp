// `attncert experiment knn-error` (experiment_knn.hpp): mean absolute error of kNN attention vs k.
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/knn_attention.hpp"
#include "attncert/reductions/knn_exact.hpp"
#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/experiment_knn.hpp"
#include "attncert/verifiers/progress.hpp"

namespace attncert::verifiers {

namespace knn = reductions::knn;

namespace {

// Entries uniform in [-B, B], rounded to float32 (the index works in float32; the attention in double
// on the same numbers).
std::vector<float> uniform(std::size_t count, double B, core::Xoshiro256ss& rng) {
  std::vector<float> v(count);
  for (auto& x : v) x = static_cast<float>((double(rng.next() >> 11) / double(std::uint64_t{1} << 53) * 2 - 1) * B);
  return v;
}

// The top-k lists truncated to their first k entries (the lists are sorted, so this is the top-k).
knn::TopK prefix(const knn::TopK& t, std::size_t k) {
  knn::TopK p;
  p.exact = t.exact;
  p.slack = t.slack;
  for (std::size_t i = 0; i < t.queries(); ++i) {
    auto S = t.neighbours(i);
    auto s = t.scores(i);
    const std::size_t m = std::min(k, S.size());
    p.index.insert(p.index.end(), S.begin(), S.begin() + m);
    p.score.insert(p.score.end(), s.begin(), s.begin() + m);
    p.offset.push_back(p.index.size());
  }
  return p;
}

}  // namespace

KnnErrorResult knn_error(const KnnErrorOptions& o) {
  try {
    make_directories(o.out_dir);
  } catch (const FileError& e) {
    throw BadInput(std::string("--out: ") + e.what());
  }
  const std::size_t n = o.n, d = o.d;
  std::uint64_t kmax = 0;
  for (auto k : o.ks) kmax = std::max(kmax, k);
  const double scale = knn::default_scale(d);
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  Progress bar("experiment knn-error", "cells", !o.quiet);
  std::ostringstream csv;
  csv << "B,n,d,k,mae,max_abs_err,mean_eps,mean_bound\n";
  KnnErrorResult res;
  std::size_t done = 0, total = o.bounds.size() * o.ks.size();
  for (auto B : o.bounds) {
    core::Xoshiro256ss rng(o.seed ^ (B * 0x9E3779B97F4A7C15ull));
    auto Qf = uniform(n * d, double(B), rng), Kf = uniform(n * d, double(B), rng), Vf = uniform(n * d, double(B), rng);
    std::vector<double> Q(Qf.begin(), Qf.end()), K(Kf.begin(), Kf.end()), V(Vf.begin(), Vf.end());
    knn::AttentionOptions ao;
    ao.scale = scale;
    ao.causal = true;
    ao.threads = o.threads;
    std::vector<double> exact(n * d), out(n * d);
    knn::exact_attention(Q.data(), K.data(), V.data(), n, n, d, d, ao, exact.data());
    knn::IndexOptions io;
    io.threads = o.threads;
    const knn::TopK all = knn::top_k(knn::IndexKind::brute, Qf.data(), Kf.data(), n, n, d, kmax, true, io);
    for (auto k : o.ks) {
      const knn::TopK t = prefix(all, k);
      knn::knn_attention(Q.data(), K.data(), V.data(), n, n, d, d, t, scale, out.data(), o.threads);
      double err = 0, worst = 0;
      for (std::size_t x = 0; x < n * d; ++x) {
        const double e = std::abs(out[x] - exact[x]);
        err += e;
        worst = std::max(worst, e);
      }
      // eps_i = D_i(outside S_i) and the bound eps_i * range_c (docs/theorems.md#t6), averaged over (i, c).
      double eps_sum = 0, bound_sum = 0;
#pragma omp parallel for num_threads(threads) reduction(+ : eps_sum, bound_sum) schedule(dynamic, 16)
      for (std::size_t i = 0; i < n; ++i) {
        auto e = knn::knn_error_terms(Q.data() + i * d, K.data(), V.data(), i + 1, d, d, t.neighbours(i), scale);
        eps_sum += e.eps;
        for (std::size_t c = 0; c < d; ++c) bound_sum += e.eps * e.range[c];
      }
      csv << B << "," << n << "," << d << "," << k << "," << approx(err / double(n * d), 8) << "," << approx(worst, 8) << ","
          << approx(eps_sum / double(n), 8) << "," << approx(bound_sum / double(n * d), 8) << "\n";
      ++res.rows;
      bar.update(++done, total);
    }
  }
  bar.finish();
  res.csv = o.out_dir + "/knn_error.csv";
  write_file_atomic(res.csv, csv.str());

  std::ostringstream plot;
  plot << "set datafile separator ','\n"
       << "set title \"T6: kNN attention vs exact attention, mean absolute error vs k (n = " << n << ", d = " << d
       << ", causal, scale 1/sqrt(d))\\nentries of Q, K, V uniform in [-B, B]; exact top-k (brute force); float64 "
          "(the floor near 1e-14 is rounding)\" noenhanced\n"
       << "set xlabel 'k'\nset ylabel 'mean |o - o_kNN|' noenhanced\nset logscale x 2\nset logscale y\nset format y '%.0e'\n"
       << "set key top right\nset grid\nplot ";
  const char* colours[] = {"#d73027", "#4575b4", "#1a9850", "#984ea3", "#ff7f00"};
  for (std::size_t b = 0; b < o.bounds.size(); ++b)
    plot << (b ? ", \\\n     " : "") << "'" << res.csv << "' using 4:($1==" << o.bounds[b] << " && $5 > 0 ? $5 : 1/0) with linespoints lw 2 pt 7 lc rgb '"
         << colours[b % 5] << "' title 'B = " << o.bounds[b] << "'";
  plot << "\n";
  res.plot = render_plot(o.out_dir, "knn_error", plot.str());
  return res;
}

}  // namespace attncert::verifiers
