// `attncert experiment knn-speed` (experiment_knn.hpp): forward time vs n.
#include <chrono>
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
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Entries uniform in [-sqrt 3, sqrt 3] (unit variance) from xoshiro256ss: 24 random bits per entry.
std::vector<float> unit_uniform(std::size_t count, core::Xoshiro256ss& rng) {
  std::vector<float> v(count);
  for (auto& x : v) x = static_cast<float>((double(rng.next() >> 40) / double(1 << 24) * 2 - 1) * std::sqrt(3.0));
  return v;
}

struct Row {
  std::uint64_t n, k;
  std::string method, index, rule;
  double build_s = 0, search_s = 0, softmax_s = 0, forward_s = 0, mae = 0, recall = -1, slack = -1;
};

}  // namespace

KnnSpeedResult knn_speed(const KnnSpeedOptions& o) {
  std::vector<knn::IndexKind> kinds = o.indexes;
  if (kinds.empty()) {
    kinds.push_back(knn::IndexKind::brute);
    kinds.push_back(knn::IndexKind::brute_int8);
    if (knn::faiss_available()) kinds.push_back(knn::IndexKind::faiss_hnsw);
  }
  std::vector<std::uint64_t> ns;
  for (std::uint64_t n = o.n_min; n <= o.n_max; n *= 2) ns.push_back(n);
  if (ns.back() != o.n_max) ns.push_back(o.n_max);
  try {
    make_directories(o.out_dir);
  } catch (const FileError& e) {
    throw BadInput(std::string("--out: ") + e.what());
  }
  const std::size_t d = o.d;
  const double scale = knn::default_scale(d);
  double total = 0, done = 0;
  for (auto n : ns) total += double(n) * double(n);
  Progress bar("experiment knn-speed", "permille", !o.quiet);
  std::vector<Row> rows;
  for (auto n : ns) {
    core::Xoshiro256ss rng(o.seed ^ (n * 0x9E3779B97F4A7C15ull));
    auto Q = unit_uniform(n * d, rng), K = unit_uniform(n * d, rng), V = unit_uniform(n * d, rng);
    std::vector<float> exact(n * d), out(n * d);
    knn::AttentionOptions ao;
    ao.scale = scale;
    ao.causal = o.causal;
    ao.threads = o.threads;
    std::vector<double> t;
    // One untimed run first: the threads, BLAS buffers and fresh pages of this n are set up outside
    // the timings (the first n measured was up to 7x slow without it).
    knn::exact_attention(Q.data(), K.data(), V.data(), n, n, d, d, ao, exact.data());
    for (int r = 0; r < o.reps; ++r) {
      auto t0 = Clock::now();
      knn::exact_attention(Q.data(), K.data(), V.data(), n, n, d, d, ao, exact.data());
      t.push_back(since(t0));
    }
    const double step = double(n) * double(n) / double(1 + 2 * kinds.size());  // one exact + per index two k rules
    auto advance = [&] {
      done += step;
      bar.update(static_cast<std::size_t>(1000 * done / total), 1000);
    };
    advance();
    Row ex{n, n, "exact", "-", "all"};
    ex.forward_s = median(t);
    rows.push_back(ex);
    const std::vector<std::pair<std::string, std::uint64_t>> rules = {
        {"sqrt", std::max<std::uint64_t>(1, std::llround(std::sqrt(double(n))))},
        {"quarter", std::max<std::uint64_t>(1, std::llround(std::pow(double(n), 0.25)))}};
    for (const auto& [rule, k] : rules) {
      knn::TopK reference;  // brute force's lists, for recall and achieved slack of the FAISS indexes
      bool have_reference = false;
      for (auto kind : kinds) {
        knn::IndexOptions io = o.index;
        io.threads = o.threads;
        std::vector<double> tb, ts, tm, tf;
        knn::TopK top;
        for (int r = 0; r < o.reps; ++r) {
          top = knn::top_k(kind, Q.data(), K.data(), n, n, d, k, o.causal, io);
          auto t0 = Clock::now();
          knn::knn_attention(Q.data(), K.data(), V.data(), n, n, d, d, top, scale, out.data(), o.threads);
          const double soft = since(t0);
          tb.push_back(top.build_seconds);
          ts.push_back(top.search_seconds);
          tm.push_back(soft);
          tf.push_back(top.search_seconds + soft);
        }
        Row row{n, k, "knn", knn::index_kind_name(kind), rule};
        row.build_s = median(tb);
        row.search_s = median(ts);
        row.softmax_s = median(tm);
        row.forward_s = median(tf);
        double err = 0;
        for (std::size_t x = 0; x < n * d; ++x) err += std::abs(double(out[x]) - double(exact[x]));
        row.mae = err / double(n * d);
        if (kind == knn::IndexKind::brute) {
          reference = top;
          have_reference = true;
          row.recall = 1;
          row.slack = 0;
        } else if (have_reference) {
          auto q = knn::compare_top_k(top, reference, Q.data(), K.data(), d);
          row.recall = q.recall;
          row.slack = q.achieved_slack;
        }
        rows.push_back(row);
        advance();
      }
    }
  }
  bar.finish();

  KnnSpeedResult res;
  std::ostringstream csv;
  csv << "n,d,causal,method,index,k_rule,k,build_s,search_s,softmax_s,forward_s,forward_with_build_s,mae,recall,achieved_slack\n";
  auto opt_num = [](double x) { return x < 0 ? std::string() : approx(x, 6); };
  for (const auto& r : rows)
    csv << r.n << "," << d << "," << (o.causal ? 1 : 0) << "," << r.method << "," << r.index << "," << r.rule << "," << r.k << ","
        << approx(r.build_s) << "," << approx(r.search_s) << "," << approx(r.softmax_s) << "," << approx(r.forward_s) << ","
        << approx(r.forward_s + r.build_s) << "," << approx(r.mae) << "," << opt_num(r.recall) << "," << opt_num(r.slack) << "\n";
  res.csv = o.out_dir + "/knn_speed.csv";
  write_file_atomic(res.csv, csv.str());
  res.rows = rows.size();

  // Plot data: one gnuplot index block per series (exact; each index x k rule; each FAISS build).
  std::ostringstream dat, plot;
  std::vector<std::string> titles, styles;
  auto series = [&](const std::string& title, const std::string& style, auto pick) {
    std::ostringstream block;
    std::size_t points = 0;
    for (const auto& r : rows)
      if (double y = pick(r); y >= 0) {
        block << r.n << " " << y << "\n";
        ++points;
      }
    if (!points) return;
    dat << block.str() << "\n\n";
    titles.push_back(title);
    styles.push_back(style);
  };
  series("exact attention (float32, BLAS)", "lw 3 lc rgb '#000000' pt 7", [](const Row& r) { return r.method == "exact" ? r.forward_s : -1.0; });
  const char* colours[] = {"#d73027", "#4575b4", "#1a9850", "#984ea3"};
  for (std::size_t ki = 0; ki < kinds.size(); ++ki) {
    const std::string name = knn::index_kind_name(kinds[ki]);
    for (std::string rule : {"sqrt", "quarter"}) {
      const std::string label = rule == "sqrt" ? "k = sqrt(n)" : "k = n^{1/4}";
      series("kNN, " + name + ", " + label, std::string("lw 2 lc rgb '") + colours[ki % 4] + "' pt " + (rule == "sqrt" ? "5" : "9") +
                                                (rule == "sqrt" ? " dt 1" : " dt 2"),
             [&](const Row& r) { return r.method == "knn" && r.index == name && r.rule == rule ? r.forward_s : -1.0; });
    }
    if (kinds[ki] != knn::IndexKind::brute && kinds[ki] != knn::IndexKind::brute_int8)
      series(name + " index build (not in forward time)", std::string("lw 1 lc rgb '") + colours[ki % 4] + "' pt 1 dt 3",
             [&](const Row& r) { return r.method == "knn" && r.index == name && r.rule == "sqrt" ? r.build_s : -1.0; });
  }
  const std::string datfile = o.out_dir + "/knn_speed_plot.dat";
  write_file_atomic(datfile, dat.str());
  plot << "set title \"T6: forward time vs n (d = " << d << ", " << (o.causal ? "causal" : "non-causal")
       << ", float32, " << (o.threads > 0 ? std::to_string(o.threads) : std::string("all")) << " threads; kNN = top-k + softmax over the top-k)\" noenhanced\n"
       << "set xlabel 'n'\nset ylabel 'seconds'\nset logscale xy\nset key top left\nset grid\n"
       << "plot ";
  for (std::size_t s = 0; s < titles.size(); ++s)
    plot << (s ? ", \\\n     " : "") << "'" << datfile << "' index " << s << " using 1:2 with linespoints " << styles[s] << " title '"
         << titles[s] << "'";
  plot << "\n";
  res.plot = render_plot(o.out_dir, "knn_speed", plot.str());
  return res;
}

}  // namespace attncert::verifiers
