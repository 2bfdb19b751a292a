#include "attncert/verifiers/verify_gpu.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include <omp.h>

#include "attncert/core/rational.hpp"
#include "attncert/core/refine.hpp"
#include "attncert/core/rng.hpp"
#include "attncert/gpu/reference.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/progress.hpp"
#include "attncert/verifiers/registry.hpp"

namespace attncert::verifiers {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string fmt(double x, int digits = 4) { return approx(x, digits); }

// The exact value of a finite double (or float) as a canonical rational "p/q" (q a power of 2).
std::string dyadic(double x) { return core::to_string(core::Rational(x)); }

std::string hex32(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", u);
  return buf;
}

// Nearest-rank quantile of sorted values (q in (0, 1]).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  std::size_t k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  if (k < 1) k = 1;
  return sorted[std::min(k, sorted.size()) - 1];
}

// A positive dyadic rational as odd * 2^e; nullopt when r is not dyadic or not positive.
struct Dyadic {
  core::Integer odd;
  long e;
};
std::optional<Dyadic> as_dyadic(const core::Rational& r) {
  if (r <= 0) return std::nullopt;
  core::Integer num = boost::multiprecision::numerator(r), den = boost::multiprecision::denominator(r);
  const unsigned long k = boost::multiprecision::msb(den);
  if (boost::multiprecision::lsb(den) != k) return std::nullopt;  // not a power of two
  const unsigned long t = boost::multiprecision::lsb(num);
  return Dyadic{num >> t, static_cast<long>(t) - static_cast<long>(k)};
}

// --scale: an exact binary32 value > 0.
float parse_scale(const std::string& text) {
  const core::Rational r = parse_rational_param(text, "--scale");
  if (r <= 0) throw BadInput("--scale: must be > 0, got " + text);
  auto dy = as_dyadic(r);
  bool ok = dy.has_value();
  if (ok) {
    const long bits = static_cast<long>(boost::multiprecision::msb(dy->odd)) + 1;
    ok = bits <= 24 && dy->e >= -149 && dy->e + bits <= 128;
  }
  if (!ok) {
    const float near = static_cast<float>(r.convert_to<double>());
    throw BadInput("--scale: " + text + " is not exactly a binary32 value (the nearest is " + dyadic(near) + ")");
  }
  return std::ldexp(dy->odd.convert_to<float>(), static_cast<int>(dy->e));
}

// --amplitude: a power of two 2^a, a in the format's range.
int parse_amplitude(const std::string& text) {
  namespace lim = gpu::limits;
  const core::Rational r = parse_rational_param(text, "--amplitude");
  auto dy = as_dyadic(r);
  if (!dy || dy->odd != 1 || dy->e < lim::min_amplitude_log2 || dy->e > lim::max_amplitude_log2)
    throw BadInput("--amplitude: must be a power of two 2^a with a in [" + std::to_string(lim::min_amplitude_log2) + ", " +
                   std::to_string(lim::max_amplitude_log2) + "], got " + text);
  return static_cast<int>(dy->e);
}

// The kernels name parameters ("splits: must ..."); the CLI names flags ("--splits: must ...").
[[noreturn]] void rethrow_as_flag(const std::invalid_argument& e) {
  const std::string msg = e.what();
  const std::size_t colon = msg.find(':');
  const std::string head = colon == std::string::npos ? "" : msg.substr(0, colon);
  for (const char* p : {"splits", "block", "tile_q", "tile_k", "n", "d", "scale", "amplitude", "inputs", "dtype", "kernel", "plant"})
    if (head == p) {
      std::string flag = std::string("--") + p;
      std::replace(flag.begin(), flag.end(), '_', '-');
      throw BadInput(flag + msg.substr(colon));
    }
  throw BadInput("--kernel: the schedule does not fit the problem: " + msg);
}

std::string schedule_text(const gpu::Schedule& s) {
  switch (s.kind) {
    case gpu::KernelKind::decode: return "decode";
    case gpu::KernelKind::split_decode: return "split-decode, " + std::to_string(s.splits) + " splits, blocks of " + std::to_string(s.block);
    case gpu::KernelKind::prefill: return "prefill (causal), tiles " + std::to_string(s.tile_q) + " x " + std::to_string(s.tile_k);
  }
  return "?";
}

}  // namespace

Outcome verify_gpu(const GpuOptions& prm, const CommonOptions& opt) {
  const auto t0 = Clock::now();
  gpu::InputSpec spec = prm.inputs;
  spec.seed = opt.seed;
  gpu::Schedule sched = prm.schedule;
  sched.kind = spec.kernel;
  const bool t1 = spec.family == gpu::Family::t1;
  if (opt.threads > 0) omp_set_num_threads(opt.threads);  // the host kernels' OpenMP loops too

  Outcome o;
  o.theorem = "gpu";
  o.label = std::string(gpu::to_string(spec.kernel)) + " " + gpu::to_string(spec.dtype) + " " + gpu::to_string(spec.family) +
            " n=" + std::to_string(spec.n) + " d=" + std::to_string(spec.d) +
            (prm.device == gpu::Device::cuda ? " cuda" : "") +
            (sched.plant != gpu::Plant::none ? std::string(" plant=") + gpu::to_string(sched.plant) : "");
  if (prm.device == gpu::Device::cuda) {
    const std::string why = gpu::cuda_unavailable_reason();
    if (!why.empty()) throw BadInput("--device cuda: " + why);
  }

  gpu::Inputs in;
  try {
    in = gpu::make_inputs(spec);
  } catch (const std::invalid_argument& e) {
    rethrow_as_flag(e);
  }
  const gpu::Problem& P = in.problem;
  const std::size_t N = static_cast<std::size_t>(P.rows) * P.d;

  // The kernel (host emulation: outputs, running and a-priori bounds), the device, the baseline.
  auto tk = Clock::now();
  gpu::HostRun host;
  try {
    host = gpu::run_host(P, sched);
  } catch (const std::invalid_argument& e) {
    rethrow_as_flag(e);
  }
  const double t_kernel = since(tk);
  if (host.out.size() != N || host.bound.size() != N || host.apriori.size() != N)
    throw std::logic_error("run_host returned " + std::to_string(host.out.size()) + " outputs for " + std::to_string(N) + " elements");
  std::vector<float> out = host.out;
  std::size_t bits_equal = 0;
  if (prm.device == gpu::Device::cuda) {
    std::vector<float> dev;
    try {
      dev = gpu::run_cuda(P, sched);
    } catch (const gpu::DeviceUnavailable& e) {
      const std::string why = e.what();  // run_cuda's message already names --device cuda
      throw BadInput(why.rfind("--device", 0) == 0 ? why : "--device cuda: " + why);
    } catch (const std::invalid_argument& e) {
      rethrow_as_flag(e);
    }
    if (dev.size() != N) throw std::logic_error("run_cuda returned " + std::to_string(dev.size()) + " outputs for " + std::to_string(N));
    for (std::size_t i = 0; i < N; ++i) bits_equal += std::memcmp(&dev[i], &host.out[i], sizeof(float)) == 0;
    out = dev;
  }
  const std::vector<float> naive = gpu::run_naive_f32(P);
  if (naive.size() != N) throw std::logic_error("run_naive_f32 returned the wrong number of outputs");

  // The bounds the certificate states: the running bound, raised to the floor
  //   f_c = max(2^-149, 2^-50 * max_j |V[j][c]|)
  // where it is smaller. Attention is a convex combination of V's column, and binary32 resolves
  // it to about 2^-24 max|V_c| at best, so a smaller bound says nothing more about a binary32
  // output; but deciding it can take hundreds of bits (t1 rows: |out - exact| ~ e^-1000; near the
  // range: running bounds ~1e-319 max|V|), while the floor is decided by the 62-bit first pass.
  // Raising a bound keeps it a valid bound (docs/certificates.md, gpu).
  std::vector<double> floor_c(static_cast<std::size_t>(P.d), 0.0);
  for (int j = 0; j < P.n; ++j)
    for (int c = 0; c < P.d; ++c)
      floor_c[c] = std::max(floor_c[c], std::fabs(static_cast<double>(P.v[static_cast<std::size_t>(j) * P.d + c])));
  for (double& f : floor_c) f = std::max(0x1p-149, f * 0x1p-50);  // exact: a power-of-two scaling
  std::vector<double> bound = host.bound;
  for (std::size_t i = 0; i < N; ++i)
    if (bound[i] < floor_c[i % P.d]) bound[i] = floor_c[i % P.d];  // NaN stays NaN (refuted below)

  // The certified reference decides every element.
  auto tr = Clock::now();
  Progress bar("gpu reference", "rows", !opt.quiet && !opt.json);
  gpu::ReferenceOptions ro;
  ro.threads = opt.threads;
  ro.progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
  gpu::Reference ref(P, ro);
  bar.finish();
  gpu::DecideStats ds;
  const std::vector<gpu::Verdict> verdict = ref.decide(out, bound, &ds);
  const std::vector<double> err = ref.errors(out), err_naive = ref.errors(naive);
  const double t_ref = since(tr);

  auto where = [&](std::size_t i) {
    return "element (" + std::to_string(i / P.d) + ", " + std::to_string(i % P.d) + ")";
  };
  std::size_t holds = 0, first_bad = N, first_nonfinite = N, first_undecided = N, first_unbounded = N, masked = 0;
  for (std::size_t i = 0; i < N; ++i) {
    if (verdict[i] == gpu::Verdict::holds) ++holds;
    if ((!std::isfinite(out[i]) || std::isnan(bound[i])) && first_nonfinite == N) first_nonfinite = i;
    if (std::isinf(bound[i]) && first_unbounded == N) first_unbounded = i;
    if (verdict[i] == gpu::Verdict::violated && first_bad == N) first_bad = i;
    if (verdict[i] == gpu::Verdict::undecided && first_undecided == N) first_undecided = i;
  }
  for (int r = 0; r < P.rows; ++r) masked += P.hi[r] <= P.lo[r];

  // Statistics (doubles from the enclosures: reported, never deciding).
  std::vector<double> ratio, tight, apr;
  double max_err = 0, max_err_naive = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const double b = bound[i], e = err[i];
    if (std::isfinite(e)) max_err = std::max(max_err, e);
    if (std::isfinite(err_naive[i])) max_err_naive = std::max(max_err_naive, err_naive[i]);
    if (!std::isfinite(e) || !std::isfinite(b)) continue;
    // e is an upper estimate from the enclosure; an element decided to hold has err/bound <= 1
    // exactly, which is the better statement where the enclosure is coarser than the bound.
    const bool decided = verdict[i] == gpu::Verdict::holds;
    if (b > 0) ratio.push_back(decided ? std::min(e / b, 1.0) : e / b);
    else if (e == 0 || decided) ratio.push_back(0);
    if (e > 0 && b > 0) tight.push_back(b / e);
    if (b > 0 && std::isfinite(host.apriori[i])) apr.push_back(host.apriori[i] / b);
  }
  for (auto* v : {&ratio, &tight, &apr}) std::sort(v->begin(), v->end());

  // t1: INDEX decoding from the kernel's output and from the exact value.
  auto twin = [&](int r) -> std::string {  // why exact attention may not decode row r
    const float* kt = P.k.data() + static_cast<std::size_t>(in.targets[r]) * P.d;
    for (int j = P.lo[r]; j < P.hi[r]; ++j)
      if (j != in.targets[r] && std::equal(kt, kt + P.d, P.k.data() + static_cast<std::size_t>(j) * P.d))
        return "key " + std::to_string(j) + " equals the target key";
    return "the amplitude is too small for this instance";
  };
  std::string decoding;
  bool decoding_ok = true;
  std::string decoding_reason;
  if (t1) {
    std::size_t agree = 0;
    try {
      for (int r = 0; r < P.rows && decoding_ok; ++r)
        for (int c = 0; c < P.d; ++c) {
          const std::size_t i = static_cast<std::size_t>(r) * P.d + c;
          const int bit = P.v[static_cast<std::size_t>(in.targets[r]) * P.d + c] > 0 ? 1 : -1;
          const int ks = out[i] > 0 ? 1 : out[i] < 0 ? -1 : 0;
          const int xs = ref.exact_sign(r, c);
          if (ks == bit && xs == bit) {
            ++agree;
            continue;
          }
          decoding_ok = false;
          decoding_reason = "INDEX decoding fails at " + where(i) + ": the target key " + std::to_string(in.targets[r]) +
                            " has V = " + std::to_string(bit) + ", the kernel's output has sign " + std::to_string(ks) +
                            ", the exact value has sign " + std::to_string(xs) +
                            (xs != bit ? " (exact attention itself does not decode: " + twin(r) + ")" : "");
          break;
        }
      decoding = decoding_ok ? std::to_string(agree) + "/" + std::to_string(N) + " signs agree with V[t_r][c] (kernel and exact)"
                             : "FAILED: " + decoding_reason;
    } catch (const core::Undecided& e) {
      decoding_ok = false;
      decoding = "undecided: " + std::string(e.what());
      decoding_reason = decoding;
    }
  }

  // The report.
  const std::string fam = std::string(gpu::to_string(spec.family)) +
                          (t1 ? " (amplitude 2^" + std::to_string(spec.amplitude_log2) + ", targets per row)" : "");
  o.table = {{"kernel", schedule_text(sched) + (sched.plant != gpu::Plant::none ? std::string(", PLANTED BUG ") + gpu::to_string(sched.plant) : "")},
             {"dtype, inputs", std::string(gpu::to_string(spec.dtype)) + ", " + fam + ", seed " + std::to_string(opt.seed)},
             {"n, d, rows", std::to_string(P.n) + ", " + std::to_string(P.d) + ", " + std::to_string(P.rows) +
                                (masked ? " (" + std::to_string(masked) + " masked)" : "")},
             {"scale", dyadic(P.scale) + " (~" + fmt(P.scale, 7) + ")"},
             {"device", prm.device == gpu::Device::cuda ? "cuda" : "host emulation"},
             {"exp ulp assumption (bound model only)", fmt(gpu::exp_ulps())},
             {"elements within bound (decided exactly)", std::to_string(holds) + "/" + std::to_string(N)},
             {"max err/bound", fmt(ratio.empty() ? std::nan("") : ratio.back())},
             {"median / p99 err/bound", fmt(quantile(ratio, 0.5)) + " / " + fmt(quantile(ratio, 0.99))},
             {"running-bound tightness (median bound/err)", fmt(quantile(tight, 0.5))},
             {"a-priori / running bound (median)", fmt(quantile(apr, 0.5))},
             {"max err kernel / fp32 naive", fmt(max_err) + " / " + fmt(max_err_naive) + " = " +
                                                 (max_err_naive > 0 ? fmt(max_err / max_err_naive) : std::string("n/a (naive exact)"))},
             {"reference refinement", std::to_string(ds.undecided_fast) + " elements past 62-bit fixed point" +
                                          (ds.rows_refined ? ", " + std::to_string(ds.rows_refined) + " rows refined up to " +
                                                                 std::to_string(ds.max_precision) + " bits"
                                                           : "")},
             {"time kernel / reference (s)", fmt(t_kernel, 3) + " / " + fmt(t_ref, 3)}};
  if (prm.device == gpu::Device::cuda)
    o.table.push_back({"bits equal host vs device", std::to_string(bits_equal) + "/" + std::to_string(N)});
  if (t1) o.table.push_back({"INDEX decoding", decoding});

  if (first_nonfinite < N) {
    o.status = refuted;
    o.reason = (std::isfinite(out[first_nonfinite]) ? std::string("a NaN bound at ")
                                                     : "a non-finite output (" + std::string(std::isnan(out[first_nonfinite]) ? "NaN" : "inf") + ") at ") +
               where(first_nonfinite);
  } else if (first_bad < N) {
    o.status = refuted;
    o.reason = "bound violated at " + where(first_bad) + ": out = " + fmt(out[first_bad], 9) + ", |out - exact| ~ " +
               fmt(err[first_bad]) + " > bound " + fmt(bound[first_bad]) +
               (bound[first_bad] > 0 ? " (err/bound ~ " + fmt(err[first_bad] / bound[first_bad]) + ")" : "");
  } else if (t1 && !decoding_ok && decoding.rfind("undecided", 0) != 0) {
    o.status = refuted;
    o.reason = decoding_reason;
  } else if (first_unbounded < N) {  // nothing violated, but nothing to certify there either
    o.status = inconclusive;
    o.reason = "the kernel's bound model gives no finite bound at " + where(first_unbounded) + " (|out - exact| ~ " +
               fmt(err[first_unbounded]) + ")";
  } else if (first_undecided < N || (t1 && !decoding_ok)) {
    o.status = inconclusive;
    o.reason = first_undecided < N ? "the reference cannot decide " + where(first_undecided) + " at 1024 bits (the checker's limit)" : decoding_reason;
  } else {
    o.status = certified;
    o.claim = "|out - exact| <= bound for all " + std::to_string(N) + " outputs (max err/bound " +
              fmt(ratio.empty() ? 0.0 : ratio.back(), 3) + ")" + (t1 ? ", INDEX decoding agrees" : "");
    o.reason = "every element decided exactly against the certified reference";
    nlohmann::json outputs = nlohmann::json::array(), bounds = nlohmann::json::array();
    for (std::size_t i = 0; i < N; ++i) {
      outputs.push_back(hex32(out[i]));
      bounds.push_back(dyadic(bound[i]));
    }
    o.certificate = certificate_header("gpu");
    o.certificate["parameters"] = {{"kernel", gpu::to_string(spec.kernel)},
                                   {"dtype", gpu::to_string(spec.dtype)},
                                   {"n", std::to_string(P.n)},
                                   {"d", std::to_string(P.d)},
                                   {"rows", std::to_string(P.rows)},
                                   {"scale", dyadic(P.scale)},
                                   {"splits", std::to_string(sched.splits)},
                                   {"block", std::to_string(sched.block)},
                                   {"tile_q", std::to_string(sched.tile_q)},
                                   {"tile_k", std::to_string(sched.tile_k)},
                                   {"device", prm.device == gpu::Device::cuda ? "cuda" : "host"},
                                   {"exp_ulps", dyadic(gpu::exp_ulps())}};
    o.certificate["instance"] = {{"generator", gpu::kInputsGenerator},
                                 {"generator_version", gpu::kInputsVersion},
                                 {"rng", core::kRngName},
                                 {"rng_version", core::kRngVersion},
                                 {"seed", std::to_string(opt.seed)},
                                 {"family", gpu::to_string(spec.family)}};
    if (t1) o.certificate["instance"]["amplitude"] = dyadic(std::ldexp(1.0, spec.amplitude_log2));
    o.certificate["claim"] = {{"kind", "float_error_bounds"}, {"outputs", outputs}, {"bounds", bounds}};
    if (t1) o.certificate["claim"]["index_decoding"] = "agree";
  }
  o.seconds = since(t0);
  return o;
}

namespace {

Runner setup(CLI::App& sub) {
  struct Text {
    std::string kernel = "decode", dtype = "f16", n = "4096", d = "128", inputs = "random", scale, amplitude,
                splits = "4", block = "128", tile_q = "64", tile_k = "64", device = "host", plant = "none";
  };
  auto t = std::make_shared<Text>();
  sub.add_option("--kernel", t->kernel, "decode | split-decode | prefill (default decode)");
  sub.add_option("--dtype", t->dtype, "input type: f32 | f16 | bf16 (default f16; fp32 accumulation)");
  sub.add_option("--n", t->n, "keys n (default 4096); prefill has n query rows");
  sub.add_option("--d", t->d, "head dimension d (default 128), n d <= 2^26");
  sub.add_option("--inputs", t->inputs, "input family: random | t1 | needle | equal | masked | range (default random)");
  sub.add_option("--scale", t->scale, "score scale, an exact binary32 value (default: the binary32 nearest 1/sqrt(d); 1 for range)");
  sub.add_option("--amplitude", t->amplitude, "t1: the queries are amplitude times the target key, a power of two (default: logits up to ~10^3)");
  sub.add_option("--splits", t->splits, "split-decode: number of splits (default 4)");
  sub.add_option("--block", t->block, "split-decode: keys per block (default 128)");
  sub.add_option("--tile-q", t->tile_q, "prefill: query rows per tile (default 64)");
  sub.add_option("--tile-k", t->tile_k, "prefill: keys per tile (default 64)");
  sub.add_option("--device", t->device, "host (emulation) | cuda (default host)");
  sub.add_option("--plant", t->plant, "deliberate bug, must be caught: none | drop-rescale | no-max-subtract (default none)");
  return [t](const CommonOptions& opt) {
    namespace lim = gpu::limits;
    GpuOptions prm;
    gpu::InputSpec& s = prm.inputs;
    try {
      s.kernel = gpu::parse_kernel(t->kernel);
      s.dtype = gpu::parse_dtype(t->dtype);
      s.family = gpu::parse_family(t->inputs);
    } catch (const std::invalid_argument& e) {
      rethrow_as_flag(e);
    }
    s.n = static_cast<int>(parse_count(t->n, "--n", 1, lim::max_n));
    s.d = static_cast<int>(parse_count(t->d, "--d", 1, lim::max_d));
    if (static_cast<std::uint64_t>(s.n) * static_cast<std::uint64_t>(s.d) > lim::max_nd)
      throw BadInput("--n: n d = " + std::to_string(static_cast<std::uint64_t>(s.n) * s.d) + " exceeds 2^26 (reduce --n or --d)");
    s.scale = t->scale.empty() ? gpu::default_scale(s.family, s.d) : parse_scale(t->scale);
    if (!t->amplitude.empty() && s.family != gpu::Family::t1) throw BadInput("--amplitude: only for --inputs t1");
    s.amplitude_log2 = t->amplitude.empty() ? gpu::default_amplitude_log2(s.scale, s.d) : parse_amplitude(t->amplitude);
    gpu::Schedule& sc = prm.schedule;
    sc.kind = s.kernel;
    sc.splits = static_cast<int>(parse_count(t->splits, "--splits", 1, lim::max_n));
    sc.block = static_cast<int>(parse_count(t->block, "--block", 1, lim::max_n));
    sc.tile_q = static_cast<int>(parse_count(t->tile_q, "--tile-q", 1, lim::max_n));
    sc.tile_k = static_cast<int>(parse_count(t->tile_k, "--tile-k", 1, lim::max_n));
    if (t->device == "host") prm.device = gpu::Device::host;
    else if (t->device == "cuda") prm.device = gpu::Device::cuda;
    else throw BadInput("--device: unknown device '" + t->device + "' (host | cuda)");
    bool known = false;
    for (gpu::Plant p : {gpu::Plant::none, gpu::Plant::drop_rescale, gpu::Plant::no_max_subtract})
      if (t->plant == gpu::to_string(p)) {
        sc.plant = p;
        known = true;
      }
    if (!known) throw BadInput("--plant: unknown plant '" + t->plant + "' (none | drop-rescale | no-max-subtract)");
    return verify_gpu(prm, opt);
  };
}

}  // namespace

const Theorem& theorem_gpu() {
  static const Theorem t{"gpu",
                         "T7: float attention kernels (decode, split-decode, prefill) within per-element error bounds of a certified exact reference (docs/theorems.md#gpu)",
                         setup,
                         {{"default",
                           {"--kernel decode --dtype f16 --inputs random --n 32768 --d 128",
                            "--kernel split-decode --dtype bf16 --inputs t1 --n 4097 --d 128 --splits 4 --block 128",
                            "--kernel prefill --dtype f16 --inputs needle --n 1024 --d 64 --tile-q 64 --tile-k 64",
                            "--kernel decode --dtype f32 --inputs masked --n 1023 --d 64",
                            "--kernel prefill --dtype f16 --inputs range --n 1023 --d 64 --tile-q 32 --tile-k 64",
                            "--kernel split-decode --dtype f32 --inputs equal --n 4096 --d 128 --splits 8 --block 64",
                            "--kernel prefill --dtype bf16 --inputs t1 --n 512 --d 64 --tile-q 64 --tile-k 64",
                            "--kernel prefill --dtype f32 --inputs needle --n 512 --d 32 --tile-q 64 --tile-k 64",
                            "--kernel split-decode --dtype f32 --inputs range --n 4096 --d 128 --splits 8 --block 128"}},
                          {"quick",
                           {"--kernel decode --dtype f16 --inputs random --n 1024 --d 64",
                            "--kernel split-decode --dtype bf16 --inputs t1 --n 257 --d 64 --splits 4 --block 32",
                            "--kernel prefill --dtype f16 --inputs masked --n 113 --d 32 --tile-q 16 --tile-k 16"}}},
                         std::nullopt,
                         "check_gpu"};
  return t;
}

}  // namespace attncert::verifiers
