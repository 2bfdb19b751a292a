// Exact minimum distance of a random [n, k] linear code by Gray enumeration of its 2^k codewords
// (reductions/include/attncert/reductions/codes.hpp), against the bare popcount loop over the same
// number of n-bit words, alternating within each repetition (so drift on a shared machine hits
// both sides alike); prints both medians and the ratio of word rates. Usage:
//   codes_distance [--n 128] [--k 32] [--reps 3] [--threads 2] [--seed 1] [--chunk-log2 T]
// (--chunk-log2 2: 4 chunks, fewer than the 8 lanes, so the word-by-word walk runs: for comparison.)
//
// The bare loop: 2^k words, in blocks of 64: T[j] XOR (s + b * 0x9E3779B97F4A7C15) for block b and
// j < 64 (T: 64 random n-bit rows in L1, s a random word, the block term so nothing is hoisted),
// summing their popcounts, OpenMP over blocks; the word count is fixed at compile time so the
// compiler may vectorise over j. It is the practical limit of "popcount 2^k
// words of n bits" without the Gray walk's dependency from one word to the next.
#include <omp.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "attncert/core/rng.hpp"
#include "attncert/reductions/codes.hpp"
#include "timing.hpp"

using attncert::bench::Clock;
using attncert::bench::median;
using attncert::bench::seconds_since;
namespace red = attncert::reductions;

namespace {

[[noreturn]] void bad(const std::string& msg) {
  std::fprintf(stderr, "codes_distance: %s\n", msg.c_str());
  std::exit(2);
}

// CPU seconds of the whole process (all threads): on a shared machine, words per CPU-second is
// steadier than words per wall-second.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::size_t count_arg(const char* name, const char* v, std::size_t lo, std::size_t hi) {
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 10);
  if (!*v || *end || v[0] == '-' || x < lo || x > hi)
    bad(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<std::size_t>(x);
}

template <int W>
std::uint64_t bare_words(const std::uint64_t* T, const std::uint64_t* s, std::uint64_t total, int threads) {
  std::uint64_t sum = 0;
  const std::uint64_t blocks = total / 64;  // 64 words per block: T[j] XOR (s + b * golden)
#pragma omp parallel for schedule(dynamic, 4096) reduction(+ : sum) num_threads(threads)
  for (std::uint64_t b = 0; b < blocks; ++b) {
    std::uint64_t x[W], acc = 0;
    for (int t = 0; t < W; ++t) x[t] = s[t] + b * 0x9E3779B97F4A7C15ull;
    for (int j = 0; j < 64; ++j)
      for (int t = 0; t < W; ++t) acc += static_cast<std::uint64_t>(__builtin_popcountll(T[j * W + t] ^ x[t]));
    sum += acc;
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 128, k = 32, reps = 3, threads = 2, seed = 1;
  int chunk_log2 = -1;
  for (int a = 1; a < argc; ++a) {
    std::string key = argv[a];
    if (a + 1 >= argc) bad(key + " needs a value");
    const char* v = argv[++a];
    if (key == "--n") n = count_arg("--n", v, 65, 256);
    else if (key == "--k") k = count_arg("--k", v, 1, 32);
    else if (key == "--reps") reps = count_arg("--reps", v, 1, 1000);
    else if (key == "--threads") threads = count_arg("--threads", v, 1, 4096);
    else if (key == "--chunk-log2") chunk_log2 = static_cast<int>(count_arg("--chunk-log2", v, 0, 32));
    else if (key == "--seed") seed = count_arg("--seed", v, 0, ~std::size_t{0} >> 1);
    else bad("unknown option " + key);
  }
  if (k > n) bad("--k must not exceed --n");
  if (k < 6) bad("--k must be >= 6 (the bare loop works in blocks of 64 words)");
  const std::size_t W = (n + 63) / 64;
  if (W != 2) bad("--n must lie in 65..128 (two words per codeword, as in the issue's benchmark)");
  const red::Code code = red::random_linear(n, k, seed);
  std::vector<std::uint64_t> T(64 * W), s(W);
  attncert::core::Xoshiro256ss g(seed + 1);
  for (auto& x : T) x = g.next();
  for (auto& x : s) x = g.next();
  red::EnumerationOptions opt;
  opt.threads = static_cast<int>(threads);
  opt.chunk_log2 = chunk_log2;
  std::vector<double> te, tb, ce, cb;
  std::size_t distance = 0;
  volatile std::uint64_t sink = 0;
  const std::uint64_t total = std::uint64_t{1} << k;
  for (std::size_t r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    double c0 = cpu_seconds();
    distance = red::min_distance(code, opt).distance;
    te.push_back(seconds_since(t0));
    ce.push_back(cpu_seconds() - c0);
    t0 = Clock::now();
    c0 = cpu_seconds();
    sink = sink + bare_words<2>(T.data(), s.data(), total, static_cast<int>(threads));
    tb.push_back(seconds_since(t0));
    cb.push_back(cpu_seconds() - c0);
    std::fprintf(stderr, "rep %zu: enumeration %.3f s (cpu %.3f s), bare %.3f s (cpu %.3f s)\n", r + 1, te.back(), ce.back(),
                 tb.back(), cb.back());
  }
  const double words = static_cast<double>(total), me = median(te), mb = median(tb);
  std::printf("code %s, minimum distance %zu (exact, 2^%zu codewords), threads=%zu reps=%zu\n"
              "enumeration: median %.3f s (min %.3f), %.3g words/s\n"
              "bare loop:   median %.3f s (min %.3f), %.3g words/s\n"
              "enumeration / bare word rate: %.2f\n"
              "per CPU-second (all threads): enumeration %.3g words, bare %.3g words, ratio %.2f\n",
              code.name.c_str(), distance, k, threads, reps, me, *std::min_element(te.begin(), te.end()), words / me, mb,
              *std::min_element(tb.begin(), tb.end()), words / mb, mb / me, words / median(ce), words / median(cb),
              median(cb) / median(ce));
  return 0;
}
