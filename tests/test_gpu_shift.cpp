// T7: the running bound on adversarial magnitudes (gpu_check/README.md "Bound model": the shift by
// the exact score of the maximum's key). The `needle` and `range` families of gpu_inputs v1 at f32
// and bf16, every kernel: finite bounds, small next to max |v|, decided exactly against the
// certified reference (gpu::Reference); negative cases: an output moved past its bound is
// violated, and a float tie between keys whose exact scores differ by 2^20 gets no small bound;
// the producer's certificates of such runs are accepted by the independent checker.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attncert/checker/checker.hpp"
#include "attncert/gpu/inputs.hpp"
#include "attncert/gpu/problem.hpp"
#include "attncert/gpu/reference.hpp"
#include "attncert/verifiers/verify_gpu.hpp"

using namespace attncert::gpu;

namespace {

Schedule schedule_for(KernelKind k) {
  Schedule s;
  s.kind = k;
  s.splits = 3;
  s.block = 50;
  s.tile_q = 16;
  s.tile_k = 32;
  return s;
}

double max_abs_v(const Problem& p) {
  double m = 0;
  for (float x : p.v) m = std::max(m, static_cast<double>(std::fabs(x)));
  return m;
}

// Every running bound finite and <= rel * max|v|; every element decided `holds` by the exact
// reference; and not vacuous: each of a sample of outputs moved by max(8 bound, one ulp) is
// decided `violated`.
void certify(const Problem& p, const Schedule& sc, double rel) {
  const HostRun run = run_host(p, sc);
  const double vmax = max_abs_v(p);
  std::size_t finite = 0, small = 0;
  for (double b : run.bound) {
    finite += std::isfinite(b);
    small += b <= rel * vmax;
  }
  CHECK(finite == run.bound.size());
  CHECK(small == run.bound.size());
  // Decided as the verifier states them: raised to 2^-149 (verifiers/src/verify_gpu.cpp), which
  // spares the reference thousands of bits where the running bound is ~2^-1000.
  std::vector<double> bound = run.bound;
  for (double& b : bound) b = std::max(b, 0x1p-149);
  Reference ref(p);
  const std::vector<Verdict> v = ref.decide(run.out, bound);
  CHECK(std::count(v.begin(), v.end(), Verdict::holds) == static_cast<long>(v.size()));
  // Moved outputs (a sample of elements).
  std::vector<float> moved = run.out;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < moved.size(); i += std::max<std::size_t>(1, moved.size() / 7)) idx.push_back(i);
  for (std::size_t i : idx) {
    const float x = run.out[i];
    const float up = static_cast<float>(static_cast<double>(x) + 8 * bound[i]);
    moved[i] = up != x ? up : std::nextafter(x, INFINITY);
  }
  Reference ref2(p);
  const std::vector<Verdict> w = ref2.decide(moved, bound);
  for (std::size_t i : idx) {
    INFO("element " << i << " out " << run.out[i] << " moved " << moved[i] << " bound " << bound[i]);
    CHECK(w[i] == Verdict::violated);
  }
}

InputSpec spec(Family f, DType t, KernelKind k, int n, int d, std::uint64_t seed) {
  return {.family = f, .dtype = t, .kernel = k, .n = n, .d = d, .seed = seed, .scale = default_scale(f, d)};
}

}  // namespace

TEST_CASE("gpu shift: needle (H = 2^30) at f32 and bf16, every kernel, finite small bounds that hold", "[gpu]") {
  // d = 32: the scale 1/sqrt(32) rounded to binary32 is not a power of two, so the needle's score
  // q_c0 * 2^30 * scale (~ 10^8) is rounded (f32: error up to ~4; bf16 inputs: likewise); before
  // the shift by the exact score these bounds were +inf. d = 64 (scale 1/8): exact scores.
  for (DType t : {DType::f32, DType::bf16})
    for (KernelKind k : {KernelKind::decode, KernelKind::split_decode, KernelKind::prefill})
      for (int d : {32, 64})
        for (std::uint64_t seed : {1u, 2u, 3u}) {
          const int n = k == KernelKind::prefill ? 90 : 500;
          const Problem p = make_inputs(spec(Family::needle, t, k, n, d, seed)).problem;
          INFO(to_string(k) << " " << to_string(t) << " d " << d << " seed " << seed);
          certify(p, schedule_for(k), 1e-3);
        }
}

TEST_CASE("gpu shift: range f32 (q, k ~ 2^30, v ~ 2^116), every kernel, finite small bounds that hold", "[gpu]") {
  // Scores ~ 2^63 with absolute errors ~ 2^40: the maximum's own weight is exactly 1, the other
  // keys lie ~ 2^50 below it (weights 0, bounded by 2^-1070 each).
  for (KernelKind k : {KernelKind::decode, KernelKind::split_decode, KernelKind::prefill})
    for (std::uint64_t seed : {1u, 4u}) {
      const int n = k == KernelKind::prefill ? 100 : 1023;
      const Problem p = make_inputs(spec(Family::range, DType::f32, k, n, 64, seed)).problem;
      INFO(to_string(k) << " seed " << seed);
      certify(p, schedule_for(k), 1e-3);
    }
}

TEST_CASE("gpu shift: a float tie between keys whose exact scores differ gets no small bound", "[gpu]") {
  // q = (2^30, 1); keys (2^30, 0) and (2^30, 2^20): exact scores 2^60 and 2^60 + 2^20, both round
  // to 2^60. The kernel weighs both keys 1 (output (v_0 + v_1) / 2); exact attention is v of the
  // larger key up to e^{-2^20}. The shift by the maximum's exact score must not hide that: the
  // bound is at least the error (here +inf), and decided `holds`.
  for (bool larger_first : {false, true})
    for (KernelKind k : {KernelKind::decode, KernelKind::split_decode, KernelKind::prefill}) {
      Problem p;
      p.dtype = DType::f32;
      p.n = 2;
      p.d = 2;
      p.rows = k == KernelKind::prefill ? 2 : 1;
      p.scale = 1.0f;
      for (int r = 0; r < p.rows; ++r) {
        p.q.insert(p.q.end(), {0x1p30f, 1.0f});
        p.lo.push_back(0);
        p.hi.push_back(k == KernelKind::prefill ? r + 1 : 2);
      }
      p.k = larger_first ? std::vector<float>{0x1p30f, 0x1p20f, 0x1p30f, 0.0f}
                         : std::vector<float>{0x1p30f, 0.0f, 0x1p30f, 0x1p20f};
      p.v = {1.0f, -3.0f, -2.0f, 5.0f};
      Schedule sc = schedule_for(k);
      sc.splits = 2;
      sc.block = 1;
      sc.tile_k = 1;
      const HostRun run = run_host(p, sc);
      const std::size_t last = static_cast<std::size_t>(p.rows - 1) * p.d;  // the row that sees both keys
      INFO(to_string(k) << (larger_first ? " larger first" : " larger second"));
      CHECK(run.out[last] == -0.5f);  // (1 + -2) / 2: the kernel cannot tell the keys apart
      CHECK(run.out[last + 1] == 1.0f);
      for (int c = 0; c < 2; ++c) CHECK(run.bound[last + c] >= 1.0);
      Reference ref(p);
      const std::vector<Verdict> v = ref.decide(run.out, run.bound);
      CHECK(std::count(v.begin(), v.end(), Verdict::holds) == static_cast<long>(v.size()));
    }
}

TEST_CASE("gpu shift: certificates of f32 range and needle runs are accepted by the checker", "[gpu]") {
  struct Run {
    Family f;
    DType t;
    KernelKind k;
    int n, d;
  };
  const Run runs[] = {{Family::range, DType::f32, KernelKind::split_decode, 1023, 64},
                      {Family::range, DType::f32, KernelKind::prefill, 40, 16},
                      {Family::range, DType::bf16, KernelKind::decode, 1023, 64},
                      {Family::needle, DType::f32, KernelKind::decode, 1024, 64},
                      {Family::needle, DType::f32, KernelKind::prefill, 60, 32},
                      {Family::needle, DType::bf16, KernelKind::split_decode, 1024, 32}};
  for (const Run& r : runs) {
    attncert::verifiers::GpuOptions prm;
    prm.inputs = spec(r.f, r.t, r.k, r.n, r.d, 1);
    prm.schedule = schedule_for(r.k);
    attncert::verifiers::CommonOptions opt;
    opt.quiet = true;
    const attncert::verifiers::Outcome o = attncert::verifiers::verify_gpu(prm, opt);
    INFO(o.label << ": " << o.reason);
    REQUIRE(o.status == attncert::verifiers::certified);
    const auto res = attncert::checker::check_certificate_text(o.certificate.dump());
    INFO(res.message);
    CHECK(res.verdict == attncert::checker::Verdict::accepted);
  }
}
