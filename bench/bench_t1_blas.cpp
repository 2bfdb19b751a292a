// The T1 hot step two ways on the same keys: attncert's bit-packed XOR+popcount gram_histogram (A)
// against the float-Gram alternative (B): BLAS ssyrk/sgemm on the ±1 float matrix, then per-row
// histograms of the Gram entries. Both must give identical histograms (fp32 is exact for d <= 2^24).
// Usage: bench_t1_blas --N 16384 --d 256 [--reps 5] [--threads 2] [--gemm]
#include <cblas.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "attncert/core/sign_matrix.hpp"
#include "timing.hpp"

extern "C" void openblas_set_num_threads(int);

using namespace attncert::core;
using attncert::bench::Clock;
using attncert::bench::median;
using attncert::bench::seconds_since;

namespace {

constexpr std::size_t kGramBytes = std::size_t{1} << 30;  // Gram buffer cap: peak RSS stays under ~2 GiB

struct Peer {
  std::size_t n, d;
  int threads;
  const float* a;         // n x d row-major, entries +1/-1
  std::vector<float>& c;  // Gram block buffer
  GramHistogram& h;
  int bad = 0;        // set when an entry is not an integer of the parity of d in [-d, d]
  double blas_s = 0;  // part of the wall time spent inside BLAS calls

  // k = (d - g) / 2 after checking g (branch-free); an invalid g is counted in bin 0 and flagged.
  std::size_t bin(float g, int& flag) const {
    const float fd = static_cast<float>(d);
    const int gi = static_cast<int>(g >= -fd && g <= fd ? g : 0.5f);  // 0.5f (NaN, out of range) fails below
    const int dk = static_cast<int>(d) - gi;
    const bool ok = static_cast<float>(gi) == g && (dk & 1) == 0;
    flag |= !ok;
    return ok ? static_cast<std::size_t>(dk >> 1) : 0;
  }

  // Block (I0: ri rows) x (J0: rj rows) in c with leading dimension rj; diag: upper triangle of a
  // diagonal block (I0 == J0), strictly above the diagonal. Each pair increments both rows: rows of I
  // by a parallel pass over rows, rows of J by a parallel pass over 64-column strips (race-free;
  // entries were checked by the first pass).
  void histogram_block(std::size_t i0, std::size_t ri, std::size_t j0, std::size_t rj, bool diag) {
    int flag = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(| : flag) num_threads(threads)
    for (std::size_t x = 0; x < ri; ++x) {
      std::uint32_t* hr = h.row(i0 + x);
      const float* cr = c.data() + x * rj;
      for (std::size_t y = diag ? x + 1 : 0; y < rj; ++y) ++hr[bin(cr[y], flag)];
    }
    bad |= flag;
    if (bad) return;  // the unchecked second pass below relies on the check
    const std::size_t strips = (rj + 63) / 64;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::size_t s = 0; s < strips; ++s) {
      const std::size_t y0 = s * 64, y1 = std::min(rj, y0 + 64);
      const std::size_t xend = diag ? y1 - 1 : ri;  // diagonal: rows x < y only
      for (std::size_t x = 0; x < xend; ++x) {
        const float* cr = c.data() + x * rj;
        for (std::size_t y = diag ? std::max(y0, x + 1) : y0; y < y1; ++y)
          ++h.row(j0 + y)[static_cast<std::size_t>((static_cast<int>(d) - static_cast<int>(cr[y])) >> 1)];
      }
    }
  }

  // ssyrk on diagonal blocks, sgemm on the off-diagonal block pairs of the upper triangle.
  void run_syrk() {
    const std::size_t r = std::min(n, static_cast<std::size_t>(std::sqrt(double(kGramBytes / 4))));
    for (std::size_t i0 = 0; i0 < n; i0 += r) {
      const std::size_t ri = std::min(r, n - i0);
      auto t0 = Clock::now();
      cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, int(ri), int(d), 1.0f, a + i0 * d, int(d), 0.0f,
                  c.data(), int(ri));
      blas_s += seconds_since(t0);
      histogram_block(i0, ri, i0, ri, true);
      for (std::size_t j0 = i0 + r; j0 < n; j0 += r) {
        const std::size_t rj = std::min(r, n - j0);
        t0 = Clock::now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(ri), int(rj), int(d), 1.0f, a + i0 * d, int(d),
                    a + j0 * d, int(d), 0.0f, c.data(), int(rj));
        blas_s += seconds_since(t0);
        histogram_block(i0, ri, j0, rj, false);
      }
    }
  }

  // Full Gram by row panels (twice the flops, each row's histogram from its own row only).
  void run_gemm() {
    const std::size_t r = std::max<std::size_t>(1, std::min(n, kGramBytes / 4 / n));
    for (std::size_t i0 = 0; i0 < n; i0 += r) {
      const std::size_t ri = std::min(r, n - i0);
      const auto t0 = Clock::now();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(ri), int(n), int(d), 1.0f, a + i0 * d, int(d), a,
                  int(d), 0.0f, c.data(), int(n));
      blas_s += seconds_since(t0);
      int flag = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(| : flag) num_threads(threads)
      for (std::size_t x = 0; x < ri; ++x) {
        std::uint32_t* hr = h.row(i0 + x);
        const float* cr = c.data() + x * n;
        for (std::size_t y = 0; y < n; ++y)
          if (y != i0 + x) ++hr[bin(cr[y], flag)];
      }
      bad |= flag;
    }
  }
};


}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 16384, d = 256;
  int reps = 5, threads = 2;
  bool gemm = false;
  for (int i = 1; i < argc; ++i) {
    auto val = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (val("--N")) n = std::strtoull(argv[++i], nullptr, 10);
    else if (val("--d")) d = std::strtoull(argv[++i], nullptr, 10);
    else if (val("--reps")) reps = std::atoi(argv[++i]);
    else if (val("--threads")) threads = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--gemm") == 0) gemm = true;
    else return std::fprintf(stderr, "usage: %s --N n --d d [--reps 5] [--threads 2] [--gemm]\n", argv[0]), 2;
  }
  if (n < 2 || n > (1u << 30) || d < 1 || d > (1u << 24) || reps < 1 || threads < 1)
    return std::fprintf(stderr, "need N >= 2, 1 <= d <= 2^24, reps >= 1, threads >= 1\n"), 2;
  openblas_set_num_threads(threads);

  // Untimed setup for both sides: the keys, their float copy, and B's Gram buffer.
  const SignMatrix s = SignMatrix::random(n, d, 1);
  std::vector<float> a(n * d);
#pragma omp parallel for num_threads(threads)
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < d; ++c) a[i * d + c] = static_cast<float>(s.entry(i, c));
  const std::size_t r = gemm ? std::min(n, kGramBytes / 4 / n) : std::min(n, std::size_t(std::sqrt(double(kGramBytes / 4))));
  std::vector<float> cbuf(gemm ? r * n : r * r);

  GramOptions opt;
  opt.threads = threads;
  std::vector<double> ta, tb, tblas;
  for (int rep = 0; rep < reps; ++rep) {
    auto t0 = Clock::now();
    GramHistogram ha = gram_histogram(s, opt);
    ta.push_back(seconds_since(t0));

    t0 = Clock::now();
    GramHistogram hb(n, d);
    Peer p{n, d, threads, a.data(), cbuf, hb};
    gemm ? p.run_gemm() : p.run_syrk();
    tb.push_back(seconds_since(t0));
    tblas.push_back(p.blas_s);

    if (p.bad) return std::fprintf(stderr, "FAIL: a Gram entry is not an integer of the parity of d\n"), 1;
    if (!(ha == hb)) return std::fprintf(stderr, "FAIL: attncert and BLAS histograms differ (rep %d)\n", rep), 1;
    std::printf("rep %d: attncert %.3f s, blas peer %.3f s (BLAS calls %.3f s, histogram %.3f s), histograms identical\n",
                rep, ta.back(), tb.back(), p.blas_s, tb.back() - p.blas_s);
  }

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double ma = median(ta), mb = median(tb);
  std::printf("\nT1 Gram histogram, seed 1; wall time excludes the key generation / float fill for both sides;\n"
              "B = %s on %zu-row blocks + OpenMP histogram (Gram buffer allocated once, untimed)\n",
              gemm ? "cblas_sgemm (full Gram, row panels)" : "cblas_ssyrk (diag blocks) + cblas_sgemm (off-diag)", r);
  std::printf("%8s %6s %7s %4s | %12s %12s | %12s %12s | %7s | %s\n", "N", "d", "threads", "reps", "A median s",
              "A min s", "B median s", "B min s", "B/A", "peak RSS MiB");
  std::printf("%8zu %6zu %7d %4d | %12.3f %12.3f | %12.3f %12.3f | %7.2f | %.0f\n", n, d, threads, reps, ma,
              *std::min_element(ta.begin(), ta.end()), mb, *std::min_element(tb.begin(), tb.end()), mb / ma,
              double(ru.ru_maxrss) / 1024);
  std::printf("B split (medians): BLAS calls %.3f s, histogram pass %.3f s\n", median(tblas), mb - median(tblas));
  std::printf("RESULT N=%zu d=%zu attncert_median_s=%.4f blas_median_s=%.4f ratio=%.3f\n", n, d, ma, mb, mb / ma);
  return 0;
}
