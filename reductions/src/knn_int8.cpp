// Exact top-k by 8-bit scores (index kind "brute-int8", knn_index.hpp): every admissible key is
// scored in 8-bit integers (AVX-512 VNNI: 64 multiply-adds per instruction, against 16 for float32),
// a rigorous bound on the quantisation error keeps every key that could belong to the top k, and the
// survivors are re-scored by the float inner product. The result is an exact top-k of float scores
// with brute force's rounding slack (near ties may be ordered differently from brute force's GEMM
// scores, which round differently).
//
// Centring: the keys are shifted by their mean mu (rounded to float) before quantisation. For one
// query q, <q, k_j - mu> = <q, k_j> - <q, mu> differs from the real score by the same constant for
// every key, so it ranks the keys exactly as the real scores do; keys that share a large common
// component (as attention keys often do) then quantise with a small error instead of a large one.
// Below, "k" is the centred key k - mu and s = <q, k - mu>; the float re-scoring uses the real keys.
//
// Quantisation (per row): f = 127 / max_l |x_l| (f = 0 for a zero row), c_l = lrint(x_l f) in
// [-127, 127]; x^_l = c_l / f. Error per entry |x_l - x^_l| <= e(x) with e(x) = (1/2 + 127 * 2^-23)
// / f (the half unit of lrint plus the rounding of x_l f: float for queries, double for the centred
// keys, whose difference k_l - mu_l is exact in double or within 2^-53 relative). For query q and
// key k, s = <q, k>, s^ = <q^, k^> = (sum_l c^q_l c^k_l) / (f_q f_k):
//   |s - s^| <= sum_l |q_l - q^_l| |k_l| + |q^_l| |k_l - k^_l| <= e(q) ||k||_1 + ||q^||_1 e(k).
// The bound used for query q over all keys is E(q) = e(q) max_k ||k||_1 + ||q^||_1 max_k e(k), plus
// the rounding of s^ in float (the integer sum is exact; its conversion, the two scale inverses
// (one after rounding f_k to float) and two products: six roundings, bounded by 2^-21 relative of
// |s^| <= ||q^||_1 max_k max_l |k^_l|), times 1 + 2^-10 for the double arithmetic of the bound.
// Filter: a key is kept unless s^ < t - 2E, where t is the k-th largest s^ among the keys scored so
// far (it only grows). A dropped key j has s_j <= s^_j + E < t - E <= s_j' for each of k keys j'
// scored before (s_j' >= s^_j' - E >= t - E), so k admissible keys have larger real scores and j is
// not in the real top k. The kept keys are re-scored by float inner products and the top k by
// (float score desc, index asc) returned: the top-k of the float scores among keys that include the
// real top-k, hence exact up to the float rounding that brute force reports as slack.
//
// Layout: key codes stored as c + 128 (unsigned, for VPDPBUSD's u8 x s8), 16 keys per block and 4
// dimensions per 32-bit lane: a 64-byte vector holds dimensions 4g..4g+3 of keys 16b..16b+15, so one
// VPDPBUSD with the query's 4 codes broadcast adds them into the 16 keys' sums; the +128 offset adds
// 128 sum_l c^q_l to every key's sum and is subtracted once. Queries go in tiles of 8 against chunks
// of keys that stay in the L2 cache, each chunk reused by all tiles of a 64-query group.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's own AVX-512 intrinsics
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#include <immintrin.h>
#endif
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "attncert/reductions/knn_index.hpp"
#include "knn_simd.hpp"

namespace attncert::reductions::knn::detail {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kKeysPerBlock = 16;
constexpr std::size_t kTile = 8;       // queries per register tile
constexpr std::size_t kGroup = 64;     // queries sharing one pass over a key chunk
constexpr std::size_t kChunkKeys = 2048;
constexpr std::size_t kFirstKeys = 8192;  // keys scored before any threshold (the guess's sample)


struct RowQuant {
  float f = 0;        // 127 / max |x| (0 for a zero row), rounded to float
  double mx = 0;      // max |x|
  double err = 0;     // e(x)
  double l1 = 0;      // ||x||_1
  double maxhat = 0;  // max_l |x^_l|
};

// The keys' mean, rounded to float (the shift that centres the keys; see the header comment).
std::vector<float> key_mean(const float* K, std::size_t nk, std::size_t d) {
  std::vector<double> sum(d, 0.0);
  for (std::size_t j = 0; j < nk; ++j)
    for (std::size_t l = 0; l < d; ++l) sum[l] += double(K[j * d + l]);
  std::vector<float> mu(d);
  for (std::size_t l = 0; l < d; ++l) mu[l] = static_cast<float>(sum[l] / double(nk));
  return mu;
}

// A centred key x'_l = k_l - mu_l (computed in double: exact unless the exponents of k_l and mu_l
// are more than 29 apart, else within 2^-53 relative), quantised like quantise_row() (knn_simd.hpp)
// but in double: f = 127 / max|x'|, c_l = lrint(x'_l f); |(k_l - mu_l) - c_l / f| <= (1/2 + 2^-40) / f,
// within e.
RowQuant quantise_centred(const float* k, const float* mu, std::size_t d, std::int8_t* c, std::vector<double>& x) {
  RowQuant r;
  double mx = 0;
  for (std::size_t l = 0; l < d; ++l) {
    x[l] = double(k[l]) - double(mu[l]);
    mx = std::max(mx, std::abs(x[l]));
  }
  const double f = mx > 0 ? 127.0 / mx : 0.0;
  r.f = static_cast<float>(f);
  r.mx = mx;
  std::int32_t cmax = 0;
  for (std::size_t l = 0; l < d; ++l) {
    c[l] = static_cast<std::int8_t>(std::clamp<long>(std::lrint(x[l] * f), -127, 127));
    cmax = std::max(cmax, std::abs(std::int32_t(c[l])));
    r.l1 += std::abs(x[l]);
  }
  if (f > 0) {
    r.err = (0.5 + 127.0 * 0x1p-23) / f;
    r.l1 *= 1 + double(d + 1) * 0x1p-52;  // the rounding of the d differences and the d-term sum
    r.maxhat = double(cmax) / f;
  }
  return r;
}

// gmax[g] = max x[16g .. 16g + 16) for the n / 16 whole groups of x[0..n).
void group_max(const float* x, std::size_t n, std::vector<float>& gmax) {
  gmax.resize(n / 16);
  for (std::size_t g = 0; g < n / 16; ++g) {
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
    gmax[g] = _mm512_reduce_max_ps(_mm512_loadu_ps(x + g * 16));
#else
    gmax[g] = *std::max_element(x + g * 16, x + g * 16 + 16);
#endif
  }
}

// The r-th largest of x[0..n) (1 <= r <= n), exactly; gmax: group_max of x (at least its first
// n / 16 entries). The group maxima are distinct elements of x, so when there are at least r groups,
// the r-th largest group maximum tau is at most the answer and at least r elements reach it; the
// answer is the r-th largest of those elements (all elements from the answer up are among them).
// Otherwise the r-th largest of all.
float rth_largest(const float* x, std::size_t n, std::size_t r, const std::vector<float>& gmax, std::vector<float>& tmp) {
  const std::size_t groups = n / 16;
  tmp.clear();
  if (groups >= r) {
    tmp.assign(gmax.begin(), gmax.begin() + std::ptrdiff_t(groups));
    std::nth_element(tmp.begin(), tmp.begin() + std::ptrdiff_t(r - 1), tmp.end(), std::greater<float>());
    const float tau = tmp[r - 1];
    // The elements reaching tau: only groups whose maximum reaches it hold any.
    tmp.resize(n + 16);
    std::size_t w = 0;
    for (std::size_t g = 0; g < groups; ++g) {
      if (gmax[g] < tau) continue;
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
      const __m512 v = _mm512_loadu_ps(x + g * 16);
      const __mmask16 m = _mm512_cmp_ps_mask(v, _mm512_set1_ps(tau), _CMP_GE_OQ);
      _mm512_storeu_ps(tmp.data() + w, _mm512_maskz_compress_ps(m, v));  // 16 entries of room
      w += static_cast<std::size_t>(__builtin_popcount(m));
#else
      for (std::size_t t = 0; t < 16; ++t) {
        tmp[w] = x[g * 16 + t];
        w += x[g * 16 + t] >= tau;
      }
#endif
    }
    for (std::size_t j = groups * 16; j < n; ++j) {
      tmp[w] = x[j];
      w += x[j] >= tau;
    }
    tmp.resize(w);
  } else {
    tmp.assign(x, x + n);
  }
  std::nth_element(tmp.begin(), tmp.begin() + std::ptrdiff_t(r - 1), tmp.end(), std::greater<float>());
  return tmp[r - 1];
}

// Per-query candidate buffer: keeps every key whose s^ reaches the threshold t - 2E.
struct Buffer {
  std::vector<float> s;            // s^ of the kept keys (structure of arrays: vector pushes)
  std::vector<std::uint32_t> id;
  std::size_t n = 0, cap = 0;      // kept, and the count that triggers a prune
  float thr = -std::numeric_limits<float>::infinity();  // t - 2E (t: k-th largest s^ so far)
  double twoE = 0;
  float guessed = -std::numeric_limits<float>::infinity();    // the threshold guessed after the first chunk
  float thr_final = -std::numeric_limits<float>::infinity();  // t - 2E (rounded down) at the last prune
  void reset(std::size_t k, double twoE_) {
    n = 0;
    cap = 4 * k + 64;
    grow();
    thr = guessed = thr_final = -std::numeric_limits<float>::infinity();
    twoE = twoE_;
  }
  void grow() {  // room for cap entries and one more vector of 16
    if (s.size() < cap + 16) {
      s.resize(cap + 16);
      id.resize(cap + 16);
    }
  }
  void prune(std::size_t k) {
    if (n < k) return;
    thread_local std::vector<float> tmp;
    tmp.assign(s.begin(), s.begin() + std::ptrdiff_t(n));
    std::nth_element(tmp.begin(), tmp.begin() + std::ptrdiff_t(k - 1), tmp.end(), std::greater<float>());
    const double t = tmp[k - 1];
    // Rounded down so that the float threshold never exceeds the real t - 2E.
    const float nt = std::nextafter(static_cast<float>(t - twoE), -std::numeric_limits<float>::infinity());
    thr_final = nt;
    thr = std::max(thr, nt);
    std::size_t w = 0;
    for (std::size_t r = 0; r < n; ++r) {  // branch-free compaction
      s[w] = s[r];
      id[w] = id[r];
      w += s[r] >= thr;
    }
    n = w;
    if (n * 2 > cap) {  // a dense band: grow instead of pruning again at once
      cap *= 2;
      grow();
    }
  }
  void push(float v, std::uint32_t j, std::size_t k) {
    s[n] = v;
    id[n] = j;
    if (++n >= cap) prune(k);
  }
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
  // The keys j0 + t for the set bits t of m, with their s^ in lanes of f.
  void push16(__m512 f, __mmask16 m, std::uint32_t j0, std::size_t k) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    // Compressed in registers and stored whole (the buffers have 16 entries of room): a compressing
    // store to memory is microcoded and slow on some CPUs (AMD Zen 4).
    _mm512_storeu_ps(s.data() + n, _mm512_maskz_compress_ps(m, f));
    _mm512_storeu_si512(id.data() + n, _mm512_maskz_compress_epi32(m, _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(j0)), lanes)));
    n += static_cast<std::size_t>(__builtin_popcount(m));
    if (n >= cap) prune(k);
  }
#endif
  // The first keys: the s^ of keys 0..n0-1 (all of them admissible), m admissible keys in all.
  // When they are all, the threshold is t - 2E from their k-th best at once. Otherwise it starts at the (1.75 k ns / m)-th best of the first ns
  // minus 2E (a guess, used when that rank is at least 48, verified by finish()); the keys reaching
  // the threshold are pushed. ns is enough for rank 48 where n0 allows: 1.75 times the expected
  // k ns / m keys above the real k-th best, so the guess is too high (and the query redone) with
  // probability about P[Poisson(27.4) >= 48] < 10^-4.
  void seed(const float* first, std::size_t n0, std::size_t k, std::size_t m, std::vector<float>& tmp) {
    thread_local std::vector<float> gmax;
    group_max(first, n0, gmax);
    if (m <= n0 && n0 > k) {  // all admissible keys are here: t itself, the final threshold at once
      const float t = rth_largest(first, n0, k, gmax, tmp);
      thr = std::nextafter(static_cast<float>(double(t) - twoE), -std::numeric_limits<float>::infinity());
    } else if (m > n0) {
      // The sample: enough keys for rank >= 48 (rounded up), at least 512, at most n0; the guess
      // only when the rank is within the sample (48 <= r <= ns).
      const std::size_t want = (48 * 4 * m + 7 * k - 1) / (7 * k) + 1;
      const std::size_t ns = std::min(n0, std::max<std::size_t>(want, 512));
      const std::size_t r = 7 * k * ns / (4 * m);
      if (r >= 48 && r <= ns) {
        guessed = std::nextafter(static_cast<float>(double(rth_largest(first, ns, r, gmax, tmp)) - twoE),
                                 -std::numeric_limits<float>::infinity());
        thr = guessed;
      }
    }
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
    for (std::size_t j = 0; j < n0; j += 16) {
      if (j / 16 < gmax.size() && gmax[j / 16] < thr) continue;  // no key of this group reaches thr
      const std::size_t lanes = std::min<std::size_t>(16, n0 - j);
      const __mmask16 valid = static_cast<__mmask16>((std::uint32_t{1} << lanes) - 1);
      const __m512 f = _mm512_maskz_loadu_ps(valid, first + j);
      const __mmask16 mk = _mm512_mask_cmp_ps_mask(valid, f, _mm512_set1_ps(thr), _CMP_GE_OQ);
      if (mk) push16(f, mk, static_cast<std::uint32_t>(j), k);
    }
#else
    for (std::size_t j = 0; j < n0; ++j)
      if ((j / 16 >= gmax.size() || gmax[j / 16] >= thr) && first[j] >= thr) push(first[j], static_cast<std::uint32_t>(j), k);
#endif
  }
  // The final cut; false when the guess cannot be verified: a key dropped below the guessed
  // threshold is only safe if the final t - 2E is at least that threshold.
  bool finish(std::size_t k) {
    const bool had_guess = guessed > -std::numeric_limits<float>::infinity();
    if (had_guess && n < k) return false;
    prune(k);
    return !had_guess || thr_final >= guessed;
  }
};

// The 8-bit operands of one call: keys centred, quantised and laid out in blocks, queries
// quantised, and each query's 2E. None when the inputs are outside the error analysis: d > 65536
// (|sum_l (c^k_l + 128) c^q_l| <= 255 * 127 d must stay below 2^31), or a nonzero query row, or a
// nonzero centred key row, whose largest |entry| is outside [2^-40, 2^40].
struct Operands {
  std::size_t G = 0;               // 4-dimension groups
  std::vector<std::uint8_t> kc;    // key codes + 128 in the blocked layout
  std::vector<float> kinv;         // 1/f per key (0 for a zero key or padding)
  std::vector<std::int8_t> qc;     // query codes, padded to 4G
  std::vector<float> qinv;         // 1/f per query
  std::vector<std::int32_t> qbias; // 128 sum_l c_l per query
  std::vector<double> twoE;        // 2E per query
};

bool in_range(double mx) { return mx == 0 || (mx >= 0x1p-40 && mx <= 0x1p40); }

std::optional<Operands> prepare(const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d) {
  if (d > 65536) return std::nullopt;
  Operands o;
  o.G = (d + 3) / 4;
  const std::size_t nblocks = (nk + kKeysPerBlock - 1) / kKeysPerBlock;  // 16-key blocks
  o.kc.assign(nblocks * o.G * 64, 128);
  o.kinv.assign(nblocks * kKeysPerBlock, 0.0f);
  double max_k_l1 = 0, max_k_err = 0, max_k_hat = 0;
  {
    const std::vector<float> mu = key_mean(K, nk, d);
    std::vector<std::int8_t> c(d);
    std::vector<double> x(d);
    for (std::size_t j = 0; j < nk; ++j) {
      const RowQuant r = quantise_centred(K + j * d, mu.data(), d, c.data(), x);
      if (!in_range(r.mx)) return std::nullopt;
      max_k_l1 = std::max(max_k_l1, r.l1);
      max_k_err = std::max(max_k_err, r.err);
      max_k_hat = std::max(max_k_hat, r.maxhat);
      o.kinv[j] = r.f > 0 ? 1.0f / r.f : 0.0f;
      const std::size_t b = j / kKeysPerBlock, t = j % kKeysPerBlock;
      for (std::size_t l = 0; l < d; ++l) o.kc[(b * o.G + l / 4) * 64 + t * 4 + l % 4] = static_cast<std::uint8_t>(c[l] + 128);
    }
  }
  o.qc.assign(nq * 4 * o.G, 0);
  o.qinv.assign(nq, 0.0f);
  o.qbias.assign(nq, 0);
  o.twoE.assign(nq, 0);
  for (std::size_t i = 0; i < nq; ++i) {
    std::int8_t* c = o.qc.data() + i * 4 * o.G;
    const RowScale rs = quantise_row(Q + i * d, d, c);
    if (!in_range(rs.mx)) return std::nullopt;
    std::int32_t sum = 0, sum_abs = 0;
    for (std::size_t l = 0; l < d; ++l) {
      sum += c[l];
      sum_abs += std::abs(std::int32_t(c[l]));
    }
    o.qbias[i] = 128 * sum;
    double err = 0, l1 = 0;  // e(q) and ||q^||_1
    if (rs.f > 0) {
      o.qinv[i] = 1.0f / rs.f;
      err = (0.5 + 127.0 * 0x1p-23) / double(rs.f);
      l1 = double(sum_abs) / double(rs.f);
    }
    const double E = err * max_k_l1 + l1 * max_k_err + 0x1p-21 * l1 * max_k_hat * (1 + 0x1p-10);
    o.twoE[i] = 2 * E * (1 + 0x1p-10);
  }
  return o;
}

}  // namespace

bool int8_applicable(const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d) {
  return prepare(Q, K, nq, nk, d).has_value();
}

std::optional<TopK> int8_top_k(const float* Q, const float* K, std::size_t nq, std::size_t nk, std::size_t d, std::size_t k,
                               bool causal, const IndexOptions& opt, double slack) {
  const auto t0 = Clock::now();
  std::optional<Operands> prepared = prepare(Q, K, nq, nk, d);
  if (!prepared) return std::nullopt;
  const Operands& ops = *prepared;
  const std::size_t G = ops.G;
  const std::vector<std::uint8_t>& kc = ops.kc;
  const std::vector<float>&kinv = ops.kinv, &qinv = ops.qinv;
  const std::vector<std::int8_t>& qc = ops.qc;
  const std::vector<std::int32_t>& qbias = ops.qbias;
  const std::vector<double>& twoE = ops.twoE;
  TopK out = exact_lists(nq, nk, k, causal, slack);

  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  const std::size_t ngroups = (nq + kGroup - 1) / kGroup;
#pragma omp parallel num_threads(threads)
  {
    std::vector<Buffer> buf(kGroup);
#if !(defined(__AVX512VNNI__) && defined(__AVX512BW__))
    alignas(64) float sc[kTile][kKeysPerBlock];
#endif
    std::vector<float> first(kGroup * kFirstKeys), tmp;  // the first keys' s^ per query of the group
    std::vector<std::uint64_t> cand, sort_tmp;  // rank keys of the re-scored survivors, and sort scratch
#pragma omp for schedule(dynamic, 1)
    for (std::size_t gi = 0; gi < ngroups; ++gi) {
      // Later groups see more causal keys: go from the last group down (the longest first).
      const std::size_t g = causal ? ngroups - 1 - gi : gi;
      const std::size_t i0 = g * kGroup, i1 = std::min(nq, i0 + kGroup);
      for (std::size_t i = i0; i < i1; ++i) buf[i - i0].reset(k, twoE[i]);
      const std::size_t kend = causal ? i1 : nk;  // keys 0..kend-1 are admissible for some query
      for (std::size_t c0 = 0; c0 < kend; c0 += kChunkKeys) {
        const std::size_t c1 = std::min(kend, c0 + kChunkKeys);
        for (std::size_t ti = i0; ti < i1; ti += kTile) {
          const std::size_t rows = std::min(kTile, i1 - ti);
          const std::size_t tend = causal ? std::min(c1, ti + rows) : c1;  // this tile's last key + 1
          for (std::size_t j0 = c0 / kKeysPerBlock * kKeysPerBlock; j0 < tend; j0 += kKeysPerBlock) {
            const std::uint8_t* kb = kc.data() + (j0 / kKeysPerBlock) * G * 64;
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
            __m512i acc[kTile];
            for (std::size_t r = 0; r < kTile; ++r) acc[r] = _mm512_setzero_si512();
            for (std::size_t gg = 0; gg < G; ++gg) {
              const __m512i kv = _mm512_loadu_si512(kb + gg * 64);
              for (std::size_t r = 0; r < kTile; ++r) {
                std::int32_t qw;
                std::memcpy(&qw, qc.data() + (ti + std::min(r, rows - 1)) * 4 * G + gg * 4, 4);
                acc[r] = _mm512_dpbusd_epi32(acc[r], kv, _mm512_set1_epi32(qw));
              }
            }
            const __m512 ks = _mm512_loadu_ps(kinv.data() + j0);
            for (std::size_t r = 0; r < rows; ++r) {
              const std::size_t i = ti + r;
              const std::size_t jmax = std::min(causal ? i + 1 : nk, j0 + kKeysPerBlock);  // admissible keys j0..jmax-1
              if (jmax <= j0) continue;
              Buffer& B = buf[i - i0];
              const __m512i v = _mm512_sub_epi32(acc[r], _mm512_set1_epi32(qbias[i]));
              const __m512 f = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(v), ks), _mm512_set1_ps(qinv[i]));
              const __mmask16 admissible = static_cast<__mmask16>((std::uint32_t{1} << (jmax - j0)) - 1);
              if (c0 < kFirstKeys) {
                _mm512_mask_storeu_ps(first.data() + (i - i0) * kFirstKeys + j0, admissible, f);
                continue;
              }
              __mmask16 m = _mm512_mask_cmp_ps_mask(admissible, f, _mm512_set1_ps(B.thr), _CMP_GE_OQ);
              if (!m) continue;
              B.push16(f, m, static_cast<std::uint32_t>(j0), k);
            }
#else
            for (std::size_t r = 0; r < rows; ++r)
              for (std::size_t t = 0; t < kKeysPerBlock; ++t) {
                std::int32_t s = 0;
                for (std::size_t gg = 0; gg < G; ++gg)
                  for (std::size_t u = 0; u < 4; ++u)
                    s += std::int32_t(kb[gg * 64 + t * 4 + u]) * std::int32_t(qc[(ti + r) * 4 * G + gg * 4 + u]);
                sc[r][t] = float(s - qbias[ti + r]) * kinv[j0 + t] * qinv[ti + r];
              }
            for (std::size_t r = 0; r < rows; ++r) {
              const std::size_t i = ti + r;
              const std::size_t jmax = std::min(causal ? i + 1 : nk, j0 + kKeysPerBlock);
              Buffer& B = buf[i - i0];
              for (std::size_t t = 0; t + j0 < jmax; ++t)
                if (c0 < kFirstKeys) first[(i - i0) * kFirstKeys + j0 + t] = sc[r][t];
                else if (sc[r][t] >= B.thr) B.push(sc[r][t], static_cast<std::uint32_t>(j0 + t), k);
            }
#endif
          }
        }
        if (c1 == std::min(kend, kFirstKeys))  // the first keys went to `first`: thresholds and the first pushes
          for (std::size_t i = i0; i < i1; ++i) {
            const std::size_t m = causal ? i + 1 : nk;
            buf[i - i0].seed(first.data() + (i - i0) * kFirstKeys, std::min(m, kFirstKeys), k, m, tmp);
          }
      }
      // Final filter, float re-scoring of the survivors, top k.
      for (std::size_t i = i0; i < i1; ++i) {
        Buffer& B = buf[i - i0];
        const std::size_t m = causal ? i + 1 : nk;
        std::vector<std::uint64_t>& c = cand;
        c.clear();
        auto rescore = [&](std::uint32_t j) { return rank_key(fdot(Q + i * d, K + std::size_t(j) * d, d), j); };
        if (B.finish(k)) {
          // Float re-scoring of the survivors, whose rows are read at random.
          for_each_prefetched(
              B.n, d * sizeof(float), [&](std::size_t t) { return K + std::size_t(B.id[t]) * d; },
              [&](std::size_t t) { c.push_back(rescore(B.id[t])); });
        } else {  // the first-chunk guess was too high (rare): this query by float scores alone
          for (std::size_t j = 0; j < m; ++j) c.push_back(rescore(static_cast<std::uint32_t>(j)));
        }
        const std::size_t kk = out.offset[i + 1] - out.offset[i];
        keep_smallest_sorted(c, kk, sort_tmp);
        for (std::size_t r = 0; r < kk; ++r) {
          out.index[out.offset[i] + r] = static_cast<std::uint32_t>(c[r]);
          out.score[out.offset[i] + r] = rank_score(c[r]);
        }
      }
    }
  }
  out.search_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

}  // namespace attncert::reductions::knn::detail
