// Kernel vs bare loop, alternating within each repetition (so drift on a shared machine hits both
// sides alike); prints both medians and the ratio of pair rates. Usage:
//   gram_ratio [--N 16384] [--d 256] [--reps 9] [--threads 2] [--kernel avx512|portable|automatic]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "attncert/core/sign_matrix.hpp"
#include "bare_loop.hpp"
#include "timing.hpp"

using namespace attncert::core;
using attncert::bench::Clock;
using attncert::bench::median;
using attncert::bench::seconds_since;

namespace {

[[noreturn]] void bad(const std::string& msg) {
  std::fprintf(stderr, "gram_ratio: %s\n", msg.c_str());
  std::exit(2);
}

std::size_t count_arg(const char* name, const char* v, std::size_t lo, std::size_t hi) {
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 10);
  if (!*v || *end || v[0] == '-' || x < lo || x > hi) bad(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<std::size_t>(x);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 16384, d = 256, reps = 9, threads = 2;
  GramKernel kernel = GramKernel::automatic;
  for (int a = 1; a < argc; ++a) {
    std::string k = argv[a];
    if (a + 1 >= argc) bad(k + " needs a value");
    const char* v = argv[++a];
    if (k == "--N") n = count_arg("--N", v, 2, 1u << 20);
    else if (k == "--d") d = count_arg("--d", v, 1, 1024);
    else if (k == "--reps") reps = count_arg("--reps", v, 1, 1000);
    else if (k == "--threads") threads = count_arg("--threads", v, 1, 4096);
    else if (k == "--kernel") {
      std::string s = v;
      if (s == "avx512") kernel = GramKernel::avx512;
      else if (s == "portable") kernel = GramKernel::portable;
      else if (s == "automatic") kernel = GramKernel::automatic;
      else bad("--kernel must be avx512, portable or automatic");
    } else bad("unknown option " + k);
  }
  const SignMatrix s = SignMatrix::random(n, d, 1);
  auto bare = attncert::bench::bare_for(s.words());
  if (!bare) bad("--d must need 1, 4 or 16 words (d in 1..64, 193..256 or 961..1024)");
  if (kernel == GramKernel::avx512 && !gram_avx512_built()) bad("--kernel avx512: this build has no AVX-512 kernel");
  GramOptions opt;
  opt.threads = static_cast<int>(threads);
  opt.kernel = kernel;
  std::vector<double> tk, tb;
  volatile std::uint64_t sink = 0;
  for (std::size_t r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    GramHistogram h = gram_histogram(s, opt);
    tk.push_back(seconds_since(t0));
    t0 = Clock::now();
    sink = sink + bare(s.row(0), n, static_cast<int>(threads)) + h.row(0)[0];
    tb.push_back(seconds_since(t0));
  }
  const double pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2, mk = median(tk), mb = median(tb);
  std::printf("N=%zu d=%zu threads=%zu reps=%zu\nkernel: median %.1f ms (min %.1f), %.3g pairs/s\n"
              "bare:   median %.1f ms (min %.1f), %.3g pairs/s\nkernel / bare pair rate: %.2f\n",
              n, d, threads, reps, mk * 1e3, *std::min_element(tk.begin(), tk.end()) * 1e3, pairs / mk, mb * 1e3,
              *std::min_element(tb.begin(), tb.end()) * 1e3, pairs / mb, mb / mk);
  return 0;
}
