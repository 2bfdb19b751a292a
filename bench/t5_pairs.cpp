// T5's native four-cache certification statistic against T1's Gram kernel, alternating within
// each repetition (drift on a shared machine hits both sides alike). Prints the medians, pair
// rates and peak memory. Usage:
//   t5_pairs [--n 1024] [--d 256] [--gram-N 16384] [--reps 5] [--threads 2] [--full 1]
// The bare loop (XOR + popcount of the same pairs, summed, no histogram) is the third column.
// n is the sequence length (N = n - 1 queries against N^2 pairs each: N^3 pair evaluations);
// gram-N keys give gram-N (gram-N - 1)/2 unordered pairs to the Gram kernel. --full 1 also runs
// the whole certification (histograms + Lemma 1/3 + INDEX) once and reports its time.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/t5.hpp"
#include "timing.hpp"

using namespace attncert;
using attncert::bench::Clock;
using attncert::bench::median;
using attncert::bench::seconds_since;

namespace {
// The bare rectangular loop over the same pair evaluations: for each query and j1, y = x ^ a_j1
// (fixed word count W), then the summed popcounts of y ^ b_j2 over all j2 (no histogram): the
// practical limit of XOR + popcount on this machine, which the compiler vectorises over j2.
template <int W>
std::uint64_t bare_rect(const core::SignMatrix& Q, const core::SignMatrix& A, const core::SignMatrix& B, int threads) {
  std::uint64_t total = 0;
  const std::size_t nb = B.rows();
  const std::uint64_t* bb = B.row(0);
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : total) num_threads(threads)
  for (std::size_t r = 0; r < Q.rows(); ++r) {
    std::uint64_t acc = 0;
    for (std::size_t j1 = 0; j1 < A.rows(); ++j1) {
      std::uint64_t y[W];
      for (int w = 0; w < W; ++w) y[w] = Q.row(r)[w] ^ A.row(j1)[w];
      for (std::size_t j2 = 0; j2 < nb; ++j2)
        for (int w = 0; w < W; ++w) acc += static_cast<std::uint64_t>(__builtin_popcountll(y[w] ^ bb[j2 * W + w]));
    }
    total += acc;
  }
  return total;
}

[[noreturn]] void bad(const std::string& msg) {
  std::fprintf(stderr, "t5_pairs: %s\n", msg.c_str());
  std::exit(2);
}
std::size_t count_arg(const std::string& name, const char* v, std::size_t lo, std::size_t hi) {
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v, &end, 10);
  if (!*v || *end || v[0] == '-' || x < lo || x > hi) bad(name + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<std::size_t>(x);
}
double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1024, d = 256, gN = 16384, reps = 5, threads = 2, full = 0;
  for (int a = 1; a < argc; ++a) {
    const std::string k = argv[a];
    if (a + 1 >= argc) bad(k + " needs a value");
    const char* v = argv[++a];
    if (k == "--n") n = count_arg(k, v, 3, 65536);
    else if (k == "--d") d = count_arg(k, v, 1, 4096);
    else if (k == "--gram-N") gN = count_arg(k, v, 2, 1u << 20);
    else if (k == "--reps") reps = count_arg(k, v, 1, 1000);
    else if (k == "--threads") threads = count_arg(k, v, 1, 4096);
    else if (k == "--full") full = count_arg(k, v, 0, 1);
    else bad("unknown option " + k);
  }
  const std::size_t N = n - 1;
  const core::SignMatrix a = core::SignMatrix::random(N, d, 1), b = core::SignMatrix::random(N, d, 2);
  const core::SignMatrix g = core::SignMatrix::random(gN, d, 3);
  core::GramOptions opt;
  opt.threads = static_cast<int>(threads);
  if (a.words() != 4) bad("--d must need 4 words (193..256) for the bare loop");
  const core::SignMatrix q = reductions::native_queries(a, b);
  std::vector<double> tt, tg, tb;
  unsigned long long check = 0;
  for (std::size_t r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    const core::GramHistogram h = reductions::native_histograms(a, b, opt);
    tt.push_back(seconds_since(t0));
    check += h.row(0)[d / 2];
    t0 = Clock::now();
    const core::GramHistogram hg = core::gram_histogram(g, opt);
    tg.push_back(seconds_since(t0));
    check += hg.row(0)[d / 2];
    t0 = Clock::now();
    check += bare_rect<4>(q, a, b, static_cast<int>(threads));
    tb.push_back(seconds_since(t0));
  }
  const double t5_pairs = static_cast<double>(N) * static_cast<double>(N) * static_cast<double>(N);
  const double gram_pairs = static_cast<double>(gN) * static_cast<double>(gN - 1) / 2;
  const double mt = median(tt), mg = median(tg);
  std::printf("t5 native  n=%zu d=%zu: %.4g pair evaluations, median %.3f s over %zu reps, %.3g pairs/s\n", n, d, t5_pairs, mt, reps,
              t5_pairs / mt);
  std::printf("t1 gram    N=%zu d=%zu: %.4g unordered pairs, median %.3f s, %.3g pairs/s\n", gN, d, gram_pairs, mg, gram_pairs / mg);
  std::printf("bare loop  n=%zu d=%zu: median %.3f s, %.3g pairs/s (t5 kernel / bare: %.3f)\n", n, d, median(tb), t5_pairs / median(tb),
              median(tb) / mt);
  std::printf("ratio t5/gram pair rate: %.3f   (threads %zu, avx512 built %d, checksum %llu)\n", (t5_pairs / mt) / (gram_pairs / mg), threads,
              core::gram_avx512_built() ? 1 : 0, check);
  if (full) {
    auto t0 = Clock::now();
    const core::GramHistogram h = reductions::native_histograms(a, b, opt);
    reductions::T1Params prm;
    prm.C = 24;
    const reductions::T5Report rep = reductions::certify_rows(h, reductions::native_zero_rows(N), prm);
    std::printf("full certification (histograms + Lemma 1/3 + INDEX): %.3f s, certified %d, bits %s\n", seconds_since(t0),
                rep.certified ? 1 : 0, core::to_string(rep.bits_ceil).c_str());
  }
  std::printf("peak RSS %.1f MiB\n", peak_mib());
}
