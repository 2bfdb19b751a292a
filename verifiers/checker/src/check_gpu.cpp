// T7 (docs/certificates.md#gpu): per-element error bounds of a float attention kernel. The
// checker regenerates the exactly representable inputs (its own gpu_inputs v1), encloses the exact
// attention A = sum_j e^{s_j} V_j / sum_j e^{s_j} with integer arithmetic and decides, for every
// element, |x - A| <= bound, where x is the stored binary32 output. For family t1 also the sign
// of x and of A must equal the INDEX bit V[t_r][c].
//
// Exactness: entries are m 2^e (integer m, one e per matrix), the scale is sm 2^se (odd sm), so
// s_j = S_j sm 2^{eQ+eK+se} with the integer S_j = sum_c Qm[c] Km[j][c] (|S_j| < 2^48 * 1024 =
// 2^58: int64). With S_max the window's largest S_j, s_j - s_max = -(S_max - S_j) sm 2^E, an
// exact dyadic rational y_j <= 0 with numerator < 2^59 * 2^24 = 2^83 (128-bit). The weights
// w_j = e^{-y_j} in (0, 1] (the max's weight is exactly 1) are enclosed in fixed point 2^-W, and
//   Num_c = sum_j w_j Vm[j][c],   Den = sum_j w_j >= 1,   A_c = 2^eV Num_c / Den.
// First pass W = 63 (gpu_exp.hpp, 128-bit sums: |Num| < 2^63 2^24 2^20 = 2^107); elements it
// cannot decide are redone for their row with mpz sums and mpz fixed-point weights
// (gpu_exp_neg_precise) at W = 128 .. 1024 bits.
#include <omp.h>

#include <atomic>

#include <algorithm>
#include <bit>
#include <optional>

#include "cert.hpp"
#include "gpu_exp.hpp"
#include "gpu_inputs.hpp"
#include "json_strict.hpp"
#include "qarith.hpp"

namespace attncert::checker {

namespace {
using i128 = __int128;
using u128 = unsigned __int128;

mpz_class to_mpz(u128 v) {
  mpz_class hi(static_cast<unsigned long>(static_cast<std::uint64_t>(v >> 64)));
  return (hi << 64) + mpz_class(static_cast<unsigned long>(static_cast<std::uint64_t>(v)));
}
mpz_class to_mpz(i128 v) { return v < 0 ? mpz_class(-to_mpz(static_cast<u128>(-v))) : to_mpz(static_cast<u128>(v)); }

mpq_class times_pow2(mpq_class x, long k) {
  if (k >= 0) mpq_mul_2exp(x.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(k));
  else mpq_div_2exp(x.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(-k));
  return x;
}

bool is_pow2(const mpz_class& z) { return z > 0 && mpz_popcount(z.get_mpz_t()) == 1; }
long log2_exact(const mpz_class& z) { return static_cast<long>(mpz_sizeinbase(z.get_mpz_t(), 2)) - 1; }

// binary32 bits -> exact value (finite patterns only; the caller refused NaN/Inf).
mpq_class binary32_value(std::uint32_t bits) {
  const std::uint32_t e = (bits >> 23) & 0xff, f = bits & 0x7fffff;
  mpq_class v(static_cast<unsigned long>(e == 0 ? f : (f | 0x800000u)));
  v = times_pow2(v, e == 0 ? -149 : static_cast<long>(e) - 150);
  return (bits >> 31) ? mpq_class(-v) : v;
}

// One row's exact attention enclosure: A_c in [2^eV (P_c - Err_c) / Den, 2^eV (P_c + Err_c) / Den]
// for some Den in [den_lo, den_hi] (all in the same fixed-point unit, which cancels).
struct RowEnclosure {
  std::vector<mpz_class> P, Err;
  mpz_class den_lo, den_hi;
};

// The interval of 2^eV N / D over N in [P - Err, P + Err], D in [dlo, dhi], dlo > 0.
QInterval quotient(const mpz_class& P, const mpz_class& Err, const mpz_class& dlo, const mpz_class& dhi, int eV) {
  const mpz_class nlo = P - Err, nhi = P + Err;
  mpq_class lo(nlo, sgn(nlo) >= 0 ? dhi : dlo), hi(nhi, sgn(nhi) >= 0 ? dlo : dhi);
  lo.canonicalize();
  hi.canonicalize();
  return {times_pow2(lo, eV), times_pow2(hi, eV)};
}

enum class Decision { holds, violated, unknown };

struct Element {
  mpq_class x, bound;
  int want_sign = 0;  // t1: +1 or -1 (the INDEX bit); 0 otherwise
};

// |x - A| <= bound for A in the enclosure; for t1 also sign(A) = want_sign (sign(x) checked apart).
Decision decide(const Element& el, const QInterval& A, std::string& why) {
  if (el.x - A.hi > el.bound || A.lo - el.x > el.bound) {
    why = "|x - A| exceeds the bound";
    return Decision::violated;
  }
  const bool within = el.x - A.lo <= el.bound && A.hi - el.x <= el.bound;
  if (el.want_sign != 0) {
    if ((el.want_sign > 0 && sgn(A.hi) <= 0) || (el.want_sign < 0 && sgn(A.lo) >= 0)) {
      why = "the exact attention's sign differs from the INDEX bit";
      return Decision::violated;
    }
    const bool sign_ok = el.want_sign > 0 ? sgn(A.lo) > 0 : sgn(A.hi) < 0;
    return within && sign_ok ? Decision::holds : Decision::unknown;
  }
  return within ? Decision::holds : Decision::unknown;
}

struct Problem {
  GpuInputs in;
  long sm = 1;  // scale = sm 2^se, sm odd
  int se = 0;
};

int score_exponent(const Problem& pb) { return pb.in.Q.exp + pb.in.K.exp + pb.se; }

// S_j for the row's window and their maximum.
std::vector<std::int64_t> scores(const Problem& pb, std::size_t r, std::int64_t& smax) {
  const GpuInputs& in = pb.in;
  const std::size_t d = in.d;
  std::vector<std::int64_t> S(in.hi[r] - in.lo[r]);
  const std::int32_t* q = in.Q.mant.data() + r * d;
  for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
    const std::int32_t* k = in.K.mant.data() + j * d;
    std::int64_t s = 0;
    for (std::size_t c = 0; c < d; ++c) s += static_cast<std::int64_t>(q[c]) * k[c];
    S[j - in.lo[r]] = s;
  }
  smax = S.empty() ? 0 : *std::max_element(S.begin(), S.end());
  return S;
}

// First pass, W = 63: 128-bit integer sums of gpu_exp_neg weights.
RowEnclosure row_fast(const Problem& pb, std::size_t r) {
  const GpuInputs& in = pb.in;
  const std::size_t d = in.d;
  std::int64_t smax;
  const std::vector<std::int64_t> S = scores(pb, r, smax);
  const int E = score_exponent(pb);
  std::vector<i128> P(d, 0);
  std::vector<u128> Err(d, 0);
  u128 dlo = 0, dhi = 0;
  for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
    const u128 D = static_cast<u128>(static_cast<std::uint64_t>(smax - S[j - in.lo[r]])) * static_cast<u128>(pb.sm);
    const FixedInterval w = gpu_exp_neg(D, E);
    dlo += w.lo, dhi += w.hi;
    const std::int32_t* v = in.V.mant.data() + j * d;
    const i128 wl = static_cast<i128>(w.lo);
    const std::uint64_t width = w.hi - w.lo;
    for (std::size_t c = 0; c < d; ++c) {
      P[c] += wl * v[c];
      Err[c] += static_cast<u128>(width) * static_cast<std::uint32_t>(v[c] < 0 ? -v[c] : v[c]);
    }
  }
  RowEnclosure e;
  e.P.reserve(d), e.Err.reserve(d);
  for (std::size_t c = 0; c < d; ++c) e.P.push_back(to_mpz(P[c])), e.Err.push_back(to_mpz(Err[c]));
  e.den_lo = to_mpz(dlo), e.den_hi = to_mpz(dhi);
  return e;
}

// Refinement at W bits: each weight by gpu_exp_neg_precise on the exact argument (units 2^-W).
RowEnclosure row_precise(const Problem& pb, std::size_t r, unsigned W) {
  const GpuInputs& in = pb.in;
  const std::size_t d = in.d;
  std::int64_t smax;
  const std::vector<std::int64_t> S = scores(pb, r, smax);
  const int E = score_exponent(pb);
  const Ln2Fixed ln2 = gpu_ln2_fixed(W);
  RowEnclosure e;
  e.P.assign(d, 0), e.Err.assign(d, 0);
  mpz_class wl, wh, width, D;
  for (std::size_t j = in.lo[r]; j < in.hi[r]; ++j) {
    D = mpz_class(static_cast<unsigned long>(smax - S[j - in.lo[r]])) * pb.sm;
    gpu_exp_neg_precise(D, E, W, ln2, wl, wh);
    e.den_lo += wl, e.den_hi += wh;
    width = wh - wl;
    const std::int32_t* v = in.V.mant.data() + j * d;
    for (std::size_t c = 0; c < d; ++c) {
      const unsigned long mag = static_cast<unsigned long>(v[c] < 0 ? -static_cast<long>(v[c]) : v[c]);
      if (v[c] >= 0) mpz_addmul_ui(e.P[c].get_mpz_t(), wl.get_mpz_t(), mag);
      else mpz_submul_ui(e.P[c].get_mpz_t(), wl.get_mpz_t(), mag);
      mpz_addmul_ui(e.Err[c].get_mpz_t(), width.get_mpz_t(), mag);
    }
  }
  return e;
}

struct RowFailure {
  std::size_t element = 0;
  enum Kind { violated, undecidable, over_budget, internal } kind = violated;
  std::string why;
};

// A is a convex combination of the window's V[j][c]: it lies in [min_j, max_j] (exactly V's value
// when the column is constant, a rational A no weight enclosure could pin down).
QInterval clamp_to_hull(QInterval A, std::int32_t vmin, std::int32_t vmax, int eV) {
  const mpq_class lo = times_pow2(mpq_class(static_cast<long>(vmin)), eV), hi = times_pow2(mpq_class(static_cast<long>(vmax)), eV);
  if (A.lo < lo) A.lo = lo;
  if (A.hi > hi) A.hi = hi;
  return A;
}

// The refinement's share of the budget: a row refined at W bits costs |window| * d * W/64 units
// (mpz sums of W-bit weights), all rows together at most --max-pairs (docs/certificates.md,
// "What the checker re-derives"). A row that would exceed it makes the check inconclusive.
struct RefineBudget {
  std::atomic<std::uint64_t> used{0};
  std::uint64_t limit = 0;
  bool take(std::uint64_t units) {
    std::uint64_t now = used.load();
    do {
      if (units > limit || now > limit - units) return false;
    } while (!used.compare_exchange_weak(now, now + units));
    return true;
  }
};

// Every element of row r: first the fast enclosure, then refinements for what is left.
std::optional<RowFailure> check_row(const Problem& pb, std::size_t r, const std::vector<Element>& els,
                                    RefineBudget& budget) {
  const GpuInputs& in = pb.in;
  const std::size_t d = in.d;
  std::vector<std::size_t> open;
  for (std::size_t c = 0; c < d; ++c) open.push_back(c);
  std::string why;
  if (in.lo[r] == in.hi[r]) {  // masked row: A = 0 exactly
    for (std::size_t c : open)
      if (decide(els[r * d + c], {0, 0}, why) != Decision::holds)
        return RowFailure{r * d + c, RowFailure::violated, "masked row: " + why};
    return std::nullopt;
  }
  std::vector<std::int32_t> vmin(in.V.mant.begin() + static_cast<std::ptrdiff_t>(in.lo[r] * d),
                                 in.V.mant.begin() + static_cast<std::ptrdiff_t>(in.lo[r] * d + d));
  std::vector<std::int32_t> vmax = vmin;
  for (std::size_t j = in.lo[r] + 1; j < in.hi[r]; ++j)
    for (std::size_t c = 0; c < d; ++c) {
      const std::int32_t v = in.V.mant[j * d + c];
      vmin[c] = std::min(vmin[c], v), vmax[c] = std::max(vmax[c], v);
    }
  for (unsigned W = 63; !open.empty(); W = W == 63 ? 128 : 2 * W) {
    if (W > 1024)
      return RowFailure{r * d + open.front(), RowFailure::undecidable,
                        "undecidable at the checker's precision limit (weights to 2^-1024): the claim is not established"};
    if (W > 63 && !budget.take(static_cast<std::uint64_t>(in.hi[r] - in.lo[r]) * d * (W / 64)))
      return RowFailure{r * d + open.front(), RowFailure::over_budget,
                        "refining to " + std::to_string(W) + " bits would exceed --max-pairs " +
                            std::to_string(budget.limit) + " (raise it to decide this element)"};
    const RowEnclosure e = W == 63 ? row_fast(pb, r) : row_precise(pb, r, W);
    std::vector<std::size_t> still;
    for (std::size_t c : open) {
      const QInterval A = clamp_to_hull(quotient(e.P[c], e.Err[c], e.den_lo, e.den_hi, in.V.exp), vmin[c], vmax[c], in.V.exp);
      const Decision dec = decide(els[r * d + c], A, why);
      if (dec == Decision::violated) return RowFailure{r * d + c, RowFailure::violated, why};
      if (dec == Decision::unknown) still.push_back(c);
    }
    open = std::move(still);
  }
  return std::nullopt;
}

std::uint32_t parse_hex32(const json& v, const std::string& where) {
  if (!v.is_string()) throw Malformed(where + " must be a string of 8 lower-case hex digits");
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() != 8) throw Malformed(where + ": '" + s + "' is not 8 lower-case hex digits");
  std::uint32_t bits = 0;
  for (char ch : s) {
    unsigned digit;
    if (ch >= '0' && ch <= '9') digit = static_cast<unsigned>(ch - '0');
    else if (ch >= 'a' && ch <= 'f') digit = static_cast<unsigned>(ch - 'a' + 10);
    else throw Malformed(where + ": '" + s + "' is not 8 lower-case hex digits");
    bits = bits << 4 | digit;
  }
  if (((bits >> 23) & 0xff) == 0xff) throw Malformed(where + ": '" + s + "' is not a finite binary32 (NaN or Inf)");
  return bits;
}

// A dyadic rational (denominator a power of two), canonical, at `where`.
mpq_class dyadic_at(const json& v, const std::string& where) {
  if (!v.is_string()) throw Malformed(where + " must be a string (an exact rational)");
  mpq_class q = canonical_rational(v.get<std::string>(), where);
  if (!is_pow2(q.get_den())) throw Malformed(where + ": '" + v.get<std::string>() + "' is not dyadic (denominator not a power of two)");
  return q;
}
}  // namespace

void check_gpu(const Cert& c) {
  c.expect_sections({});
  // parameters
  const json& prm = c.doc.at("parameters");
  expect_keys(prm, "parameters",
              {"kernel", "dtype", "n", "d", "rows", "scale", "splits", "block", "tile_q", "tile_k", "device", "exp_ulps"});
  const std::string kernel = text(prm, "parameters", "kernel");
  if (kernel != "decode" && kernel != "split-decode" && kernel != "prefill")
    throw Malformed("parameters.kernel must be decode, split-decode or prefill");
  GpuInputRequest req;
  req.prefill = kernel == "prefill";
  if (!gpu_dtype_from(text(prm, "parameters", "dtype"), req.dtype)) throw Malformed("parameters.dtype must be f32, f16 or bf16");
  req.n = integer_in(prm, "parameters", "n", 1, std::uint64_t{1} << 20);
  req.d = integer_in(prm, "parameters", "d", 1, 1024);
  if (std::uint64_t{req.n} * req.d > (std::uint64_t{1} << 26)) throw Malformed("parameters.n * parameters.d must be <= 2^26");
  const std::size_t rows = req.prefill ? req.n : 1;
  if (integer_field(prm, "parameters", "rows") != mpz_class(static_cast<unsigned long>(rows)))
    throw Malformed(std::string("parameters.rows must be ") + (req.prefill ? "n for prefill" : "1 for " + kernel));
  Problem pb;
  {
    const mpq_class scale = dyadic_at(member(prm, "parameters", "scale"), "parameters.scale");
    if (sgn(scale) <= 0) throw Malformed("parameters.scale must be > 0");
    mpz_class m = scale.get_num();
    long e = -log2_exact(scale.get_den());
    const long tz = static_cast<long>(mpz_scan1(m.get_mpz_t(), 0));
    m >>= static_cast<mp_bitcnt_t>(tz);
    e += tz;
    const long bits = static_cast<long>(mpz_sizeinbase(m.get_mpz_t(), 2));
    if (bits > 24 || e < -149 || e + bits > 128) throw Malformed("parameters.scale is not representable as a binary32");
    pb.sm = m.get_si(), pb.se = static_cast<int>(e);
  }
  for (const char* k : {"splits", "block", "tile_q", "tile_k"})
    if (integer_field(prm, "parameters", k) <= 0) throw Malformed(path("parameters", k) + " must be a positive integer");
  const std::string device = text(prm, "parameters", "device");
  if (device != "host" && device != "cuda") throw Malformed("parameters.device must be host or cuda");
  if (rational_field(prm, "parameters", "exp_ulps") < 0) throw Malformed("parameters.exp_ulps must be >= 0");

  // instance
  const json& inst = c.doc.at("instance");
  if (!inst.is_object() || !inst.contains("family")) throw Malformed("missing field instance.family");
  if (!gpu_family_from(text(inst, "instance", "family"), req.family))
    throw Malformed("instance.family must be random, t1, needle, equal, masked or range");
  const bool t1 = req.family == GpuFamily::t1;
  std::vector<std::string> inst_keys = {"generator", "generator_version", "rng", "rng_version", "seed", "family"};
  if (t1) inst_keys.push_back("amplitude");
  expect_keys(inst, "instance", inst_keys);
  if (text(inst, "instance", "generator") != "gpu_inputs") throw Malformed("unknown generator (instance.generator)");
  version_one(inst, "instance", "generator_version");
  if (text(inst, "instance", "rng") != "xoshiro256ss") throw Malformed("unknown rng (instance.rng)");
  version_one(inst, "instance", "rng_version");
  req.seed = integer_in(inst, "instance", "seed", 0, ~std::uint64_t{0});
  if (t1) {
    const mpq_class a = rational_field(inst, "instance", "amplitude");
    const bool pow2 = (a.get_den() == 1 && is_pow2(a.get_num())) || (a.get_num() == 1 && is_pow2(a.get_den()));
    if (!pow2) throw Malformed("instance.amplitude must be a power of two 2^a, a in [-24, 15]");
    const long ae = a.get_den() == 1 ? log2_exact(a.get_num()) : -log2_exact(a.get_den());
    if (ae < -24 || ae > 15) throw Malformed("instance.amplitude must be a power of two 2^a, a in [-24, 15]");
    req.amplitude_exp = static_cast<int>(ae);
  }

  // claim
  const json& claim = c.doc.at("claim");
  if (t1) expect_keys(claim, "claim", {"kind", "outputs", "bounds", "index_decoding"});
  else expect_keys(claim, "claim", {"kind", "outputs", "bounds"});
  if (text(claim, "claim", "kind") != "float_error_bounds") throw Malformed("claim.kind is not float_error_bounds");
  if (t1 && text(claim, "claim", "index_decoding") != "agree") throw Malformed("claim.index_decoding must be \"agree\"");
  // The budget, before the per-element arrays (whose size it bounds): one unit per (row, key,
  // column) of the windows, i.e. one multiply-add of a score and one of the weighted sums, against
  // --max-pairs (docs/certificates.md#checker).
  const std::uint64_t work = gpu_window_pairs(req) * req.d;  // <= 2^40 * 2^10: no overflow
  if (work > c.opt.max_pairs)
    throw Malformed("needs " + std::to_string(work) + " row-key-column terms, above --max-pairs " +
                    std::to_string(c.opt.max_pairs) + " (raise it to check this certificate)");

  const std::size_t count = rows * req.d;
  const json& outs = claim.at("outputs");
  const json& bnds = claim.at("bounds");
  if (!outs.is_array() || outs.size() != count)
    throw Malformed("claim.outputs must be an array of rows * d = " + std::to_string(count) + " binary32 patterns");
  if (!bnds.is_array() || bnds.size() != count)
    throw Malformed("claim.bounds must be an array of rows * d = " + std::to_string(count) + " exact rationals");
  std::vector<Element> els(count);
  std::vector<std::uint32_t> bits(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string at = std::to_string(i);  // "[i]" (built so, not by operator+: GCC 12's -Wrestrict false positive)
    at.insert(0, 1, '[');
    at.push_back(']');
    bits[i] = parse_hex32(outs[i], "claim.outputs" + at);
    els[i].x = binary32_value(bits[i]);
    els[i].bound = dyadic_at(bnds[i], "claim.bounds" + at);
    if (sgn(els[i].bound) < 0) throw Malformed("claim.bounds" + at + " must be >= 0");
  }

  pb.in = gpu_inputs_v1(req);
  const GpuInputs& in = pb.in;
  if (t1)
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t col = 0; col < req.d; ++col) {
        const std::size_t i = r * req.d + col;
        const int want = in.V.mant[in.target[r] * req.d + col];
        els[i].want_sign = want;
        const bool x_ok = want > 0 ? sgn(els[i].x) > 0 : sgn(els[i].x) < 0;
        if (!x_ok)
          throw Rejected("claim.outputs[" + std::to_string(i) + "] (row " + std::to_string(r) + ", column " +
                         std::to_string(col) + "): the output's sign differs from the INDEX bit V[t_r][c] = " +
                         std::to_string(want));
      }

  std::vector<std::optional<RowFailure>> fail(rows);
  RefineBudget budget;
  budget.limit = c.opt.max_pairs;
  std::atomic<bool> stop{false};  // the first failing row ends the check: no work after a verdict
  const int threads = c.opt.threads > 0 ? c.opt.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t r = 0; r < rows; ++r) {
    if (stop.load(std::memory_order_relaxed)) continue;
    try {
      fail[r] = check_row(pb, r, els, budget);
    } catch (const std::exception& e) {  // never let an exception leave the parallel region
      fail[r] = RowFailure{r * req.d, RowFailure::internal, e.what()};
    }
    if (fail[r]) stop.store(true, std::memory_order_relaxed);
  }
  // A violated element anywhere decides (rejected); otherwise the first other failure.
  for (std::size_t r = 0; r < rows; ++r)
    if (fail[r] && fail[r]->kind == RowFailure::violated)
      throw Rejected("claim.outputs[" + std::to_string(fail[r]->element) + "] (row " + std::to_string(r) + ", column " +
                     std::to_string(fail[r]->element % req.d) + "): " + fail[r]->why);
  for (std::size_t r = 0; r < rows; ++r)
    if (fail[r]) {
      const RowFailure& f = *fail[r];
      if (f.kind == RowFailure::internal)  // e.g. out of memory: nothing is claimed either way
        throw Inconclusive("row " + std::to_string(r) + ": the recomputation failed: " + f.why);
      if (f.kind == RowFailure::over_budget)
        throw Inconclusive("claim.outputs[" + std::to_string(f.element) + "] (row " + std::to_string(r) + "): " + f.why);
      throw Rejected("claim.outputs[" + std::to_string(f.element) + "] (row " + std::to_string(r) + ", column " +
                     std::to_string(f.element % req.d) + "): " + f.why);
    }
  c.summary = "all " + std::to_string(count) + " outputs within their bounds of the exact attention (" +
              std::to_string(gpu_window_pairs(req)) + " row-key pairs re-derived)" +
              (t1 ? "; every output's sign and the exact one decode the INDEX bits" : "");
}

}  // namespace attncert::checker
