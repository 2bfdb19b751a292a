// T7 (bench/RESULTS.md, T7): tightness of the running bound and of the a-priori bound
// on random inputs, for every kernel and dtype: the median over output elements of
// bound / |observed error|, where the observed error is |out - A| against exact attention
// evaluated in long double (relative accuracy ~1e-18, far below the errors measured). Also the
// maximum of |error| / bound (must be <= 1) and the host run time.
//   gpu_tightness [SEED]
//   gpu_tightness adversarial [SEED]   the `needle` and `range` families of gpu_inputs v1: how many
//                                      running bounds are finite, and bound / max|v| (median, max)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "attncert/gpu/inputs.hpp"
#include "attncert/gpu/problem.hpp"

using namespace attncert::gpu;

namespace {
float draw(std::mt19937_64& g, int p) {  // m 2^-p, |m| < 2^p: exactly representable with p bits
  const std::int64_t lim = (std::int64_t{1} << p) - 1;
  std::uniform_int_distribution<std::int64_t> dist(-lim, lim);
  return std::ldexp(static_cast<float>(dist(g)), -p);
}

Problem random_problem(DType t, KernelKind kind, int n, int d, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  Problem p;
  p.dtype = t;
  p.n = n;
  p.d = d;
  p.rows = kind == KernelKind::prefill ? n : 1;
  p.scale = 1.0f / std::sqrt(static_cast<float>(d));
  const int bits = significand_bits(t);
  for (auto* m : {&p.q, &p.k, &p.v}) {
    const std::size_t cnt = static_cast<std::size_t>(m == &p.q ? p.rows : n) * d;
    m->resize(cnt);
    for (auto& x : *m) x = draw(g, bits);
  }
  for (int r = 0; r < p.rows; ++r) {
    p.lo.push_back(0);
    p.hi.push_back(kind == KernelKind::prefill ? r + 1 : n);
  }
  return p;
}

std::vector<long double> exact(const Problem& p) { return attention_long_double(p); }

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}
}  // namespace

// The adversarial families: finite running bounds and their size next to max |v|. (No observed
// error here: long double cannot resolve these magnitudes; `attncert verify gpu` decides them.)
int adversarial(std::uint64_t seed) {
  struct Case { Family f; KernelKind kind; int n, d; };
  const Case cases[] = {{Family::needle, KernelKind::decode, 1024, 32},      {Family::needle, KernelKind::decode, 1024, 64},
                        {Family::needle, KernelKind::split_decode, 1024, 32}, {Family::needle, KernelKind::prefill, 512, 32},
                        {Family::range, KernelKind::decode, 1023, 64},        {Family::range, KernelKind::split_decode, 4096, 128},
                        {Family::range, KernelKind::prefill, 1023, 64}};
  std::printf("| family | kernel | n | d | dtype | finite bounds | bound / max|v| median | max |\n|---|---|---|---|---|---|---|---|\n");
  for (const Case& cs : cases)
    for (DType t : {DType::f32, DType::f16, DType::bf16}) {
      InputSpec is;
      is.family = cs.f;
      is.dtype = t;
      is.kernel = cs.kind;
      is.n = cs.n;
      is.d = cs.d;
      is.seed = seed;
      is.scale = default_scale(cs.f, cs.d);
      const Problem p = make_inputs(is).problem;
      Schedule sc;
      sc.kind = cs.kind;
      sc.splits = 8;
      sc.block = 128;
      sc.tile_q = 32;
      sc.tile_k = 64;
      const HostRun run = run_host(p, sc);
      double vmax = 0;
      for (float x : p.v) vmax = std::max(vmax, static_cast<double>(std::fabs(x)));
      std::vector<double> rel;
      std::size_t fin = 0;
      double worst = 0;
      for (double b : run.bound)
        if (std::isfinite(b)) {
          ++fin;
          rel.push_back(b / vmax);
          worst = std::max(worst, b / vmax);
        }
      std::printf("| %s | %s | %d | %d | %s | %zu/%zu | %.3g | %.3g |\n", to_string(cs.f), to_string(cs.kind), cs.n, cs.d,
                  to_string(t), fin, run.bound.size(), median(rel), rel.empty() ? NAN : worst);
      std::fflush(stdout);
    }
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "adversarial")
    return adversarial(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1);
  const std::uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1;
  struct Case { KernelKind kind; int n, d; };
  const Case cases[] = {{KernelKind::decode, 1024, 64},       {KernelKind::decode, 32768, 128},
                        {KernelKind::split_decode, 1024, 64}, {KernelKind::split_decode, 32768, 128},
                        {KernelKind::prefill, 256, 64},       {KernelKind::prefill, 1024, 64}};
  std::printf("| kernel | dtype | n | d | schedule | median bound/err | median apriori/err | median bound/apriori | max err/bound | naive-f32 err ratio (median) | host time (s) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  int bad = 0;
  for (const Case& cs : cases)
    for (DType t : {DType::f32, DType::f16, DType::bf16}) {
      const Problem p = random_problem(t, cs.kind, cs.n, cs.d, seed);
      Schedule sc;
      sc.kind = cs.kind;
      sc.splits = 8;
      sc.block = 128;
      sc.tile_q = 64;
      sc.tile_k = 64;
      const auto t0 = std::chrono::steady_clock::now();
      const HostRun run = run_host(p, sc);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const std::vector<float> naive = run_naive_f32(p);
      const std::vector<long double> ex = exact(p);
      std::vector<double> rb, ra, rba, rn;
      double worst = 0;
      for (std::size_t i = 0; i < ex.size(); ++i) {
        const double err = static_cast<double>(std::fabs(static_cast<long double>(run.out[i]) - ex[i]));
        const double nerr = static_cast<double>(std::fabs(static_cast<long double>(naive[i]) - ex[i]));
        rb.push_back(run.bound[i] / err);
        ra.push_back(run.apriori[i] / err);
        rba.push_back(run.bound[i] / run.apriori[i]);
        rn.push_back(err / nerr);
        worst = std::max(worst, err / run.bound[i]);
      }
      if (!(worst <= 1.0)) ++bad;
      char sched[64];
      if (cs.kind == KernelKind::decode) std::snprintf(sched, sizeof sched, "-");
      else if (cs.kind == KernelKind::split_decode) std::snprintf(sched, sizeof sched, "S=%d block=%d", sc.splits, sc.block);
      else std::snprintf(sched, sizeof sched, "tile %dx%d", sc.tile_q, sc.tile_k);
      std::printf("| %s | %s | %d | %d | %s | %.3g | %.3g | %.3g | %.3g | %.3g | %.2f |\n", to_string(cs.kind), to_string(t),
                  cs.n, cs.d, sched, median(rb), median(ra), median(rba), worst, median(rn), secs);
      std::fflush(stdout);
    }
  return bad ? 1 : 0;
}
