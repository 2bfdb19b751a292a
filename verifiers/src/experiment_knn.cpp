// `attncert experiment ...` (experiment_knn.hpp): the subcommand's options and the plot helper.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/experiment_knn.hpp"
#include "attncert/verifiers/sweep.hpp"

namespace attncert::verifiers {

namespace knn = reductions::knn;

namespace {

void print_files(const std::string& csv, const PlotFiles& p) {
  std::printf("wrote %s\n", csv.c_str());
  if (p.svg.empty()) std::printf("no plot (gnuplot not found or failed)\n");
  else std::printf("wrote %s\nwrote %s\n", p.svg.c_str(), p.png.c_str());
}

}  // namespace

int experiment_main(int argc, const char* const* argv) {
  CLI::App app{"attncert experiment: the kNN-attention paper's experiments as CSV + SVG/PNG plots", "attncert experiment"};
  app.require_subcommand(1, 1);

  struct SpeedText {
    std::string n_min = "1024", n_max = "16384", d = "64", index, seed = "1", reps = "1", out = "out/experiment_knn";
    std::string hnsw_m = "32", ef_construction = "64", ef_search = "0", nlist = "0", nprobe = "0", causal_block = "1024";
    bool non_causal = false;
  };
  auto st = std::make_shared<SpeedText>();
  KnnSpeedOptions so;
  CLI::App* speed = app.add_subcommand("knn-speed", "forward time vs n: exact float32 attention and kNN attention (k = sqrt n, n^1/4)");
  speed->add_option("--n-min", st->n_min, "smallest n (default 1024)");
  speed->add_option("--n-max", st->n_max, "largest n (default 16384; the paper's range goes to 65536)");
  speed->add_option("--d", st->d, "dimension (default 64)");
  speed->add_option("--index", st->index,
                    std::string("indexes, comma-separated: brute,brute-int8,flat,hnsw,ivf (default brute,brute-int8") + (knn::faiss_available() ? ",hnsw)" : ")"));
  speed->add_flag("--non-causal", st->non_causal, "every query sees every key (default: causal, j <= i)");
  speed->add_option("--hnsw-m", st->hnsw_m, "HNSW graph degree M (default 32)");
  speed->add_option("--ef-construction", st->ef_construction, "HNSW build beam (default 64)");
  speed->add_option("--ef-search", st->ef_search, "HNSW search beam; 0: max(k, 16); below k the list is the best k of every key the beam scored (default 0)");
  speed->add_option("--nlist", st->nlist, "IVF cells (default 0: about 4 sqrt(n), at most n/39)");
  speed->add_option("--nprobe", st->nprobe, "IVF cells probed per query (default 0: nlist/8)");
  speed->add_option("--causal-block", st->causal_block, "queries per causal block of the FAISS indexes (default 1024)");
  speed->add_option("--reps", st->reps, "repetitions; times are medians (default 1)");
  speed->add_option("--seed", st->seed, "input seed (default 1)");
  speed->add_option("--threads", so.threads, "threads (0: all cores)")->check(CLI::Range(0, 4096));
  speed->add_option("--out", st->out, "output directory (default out/experiment_knn)");
  speed->add_flag("--quiet,-q", so.quiet, "no progress bar");

  struct ErrorText {
    std::string n = "1000", d = "64", bounds = "10,30,50", k = "1,2,4,8,16,32,64,128,256,512,1000", seed = "1",
                out = "out/experiment_knn";
  };
  auto et = std::make_shared<ErrorText>();
  KnnErrorOptions eo;
  CLI::App* error = app.add_subcommand("knn-error", "mean absolute error of kNN attention vs k (entries uniform in [-B, B], causal)");
  error->add_option("--n", et->n, "queries = keys (default 1000)");
  error->add_option("--d", et->d, "dimension (default 64)");
  error->add_option("--B", et->bounds, "entry bounds B, comma-separated (default 10,30,50)");
  error->add_option("--k", et->k, "k values: a,b,c or a..b (powers of two) or a..b:step (default " + et->k + ")");
  error->add_option("--seed", et->seed, "input seed (default 1)");
  error->add_option("--threads", eo.threads, "threads (0: all cores)")->check(CLI::Range(0, 4096));
  error->add_option("--out", et->out, "output directory (default out/experiment_knn)");
  error->add_flag("--quiet,-q", eo.quiet, "no progress bar");

  if (const auto code = parse_command_line(app, argc, argv, "attncert")) return *code;
  return guarded("attncert", [&]() -> int {
    reject_empty_values(app);
    if (*speed) {
      so.n_min = parse_count(st->n_min, "--n-min", 2, 1u << 20);
      so.n_max = parse_count(st->n_max, "--n-max", 2, 1u << 20);
      if (so.n_min > so.n_max) throw BadInput("--n-max: must be >= --n-min");
      so.d = parse_count(st->d, "--d", 1, 4096);
      so.reps = static_cast<int>(parse_count(st->reps, "--reps", 1, 100));
      so.seed = parse_seed(st->seed);
      so.causal = !st->non_causal;
      so.index.hnsw_m = static_cast<int>(parse_count(st->hnsw_m, "--hnsw-m", 2, 512));
      so.index.hnsw_ef_construction = static_cast<int>(parse_count(st->ef_construction, "--ef-construction", 1, 1u << 16));
      so.index.hnsw_ef_search = static_cast<int>(parse_count(st->ef_search, "--ef-search", 0, 1u << 16));
      so.index.ivf_nlist = parse_count(st->nlist, "--nlist", 0, 1u << 20);
      so.index.ivf_nprobe = parse_count(st->nprobe, "--nprobe", 0, 1u << 20);
      so.index.causal_block = parse_count(st->causal_block, "--causal-block", 1, 1u << 20);
      so.out_dir = st->out;
      if (!st->index.empty()) {
        std::string item;
        std::stringstream ss(st->index);
        while (std::getline(ss, item, ',')) so.indexes.push_back(knn::parse_index_kind(item));
      }
      KnnSpeedResult r = knn_speed(so);
      std::printf("%zu rows\n", r.rows);
      print_files(r.csv, r.plot);
      return 0;
    }
    eo.n = parse_count(et->n, "--n", 2, 1u << 16);
    eo.d = parse_count(et->d, "--d", 1, 4096);
    eo.bounds = parse_grid(et->bounds, "--B", false);
    for (auto b : eo.bounds)
      if (b > 1000) throw BadInput("--B: every B must be <= 1000, got " + std::to_string(b));
    eo.ks.clear();
    if (et->k.find("..") == std::string::npos) {  // parse_grid rejects 0 as "--k ..." too; k <= n is checked here
      std::string item;
      std::stringstream ss(et->k);
      while (std::getline(ss, item, ',')) eo.ks.push_back(parse_count(item, "--k", 0, ~std::uint64_t{0} >> 1));
    } else {
      eo.ks = parse_grid(et->k, "--k", true);
    }
    if (eo.ks.empty()) throw BadInput("--k: empty list");
    for (auto k : eo.ks) {
      if (k == 0) throw BadInput("--k: every k must be >= 1, got 0");
      if (k > eo.n) throw BadInput("--k: every k must be <= n = " + std::to_string(eo.n) + ", got " + std::to_string(k));
    }
    eo.seed = parse_seed(et->seed);
    eo.out_dir = et->out;
    KnnErrorResult r = knn_error(eo);
    std::printf("%zu rows\n", r.rows);
    print_files(r.csv, r.plot);
    return 0;
  });
}

}  // namespace attncert::verifiers
