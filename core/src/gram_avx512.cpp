// The AVX-512 Gram-histogram kernel: per-row histograms by bit-sliced one-hot counting.
//
// For row i and eight rows j at a time (one 512-bit vector, rows stored word-major so that word w
// of the eight rows is one vector), VPOPCNTQ gives the eight values v = popcount(s_i ^ s_j).
// Instead of scattering eight increments into a histogram, each value becomes a one-hot bit
// 1 << (v - base) in its 64-bit lane (K such vectors cover a window of 64K bins), and the one-hot
// vectors are summed *bitwise* into carry-save (Harley-Seal) counters: plane p holds bit p of
// 512 independent counters, one per (lane, bin). Two ternary-logic instructions absorb a vector of
// eight values, so the histogram costs a fraction of the popcount itself. At the end of the row the
// planes are decoded into counts and summed over lanes.
//
// Values outside the window (rare when the distances concentrate around d/2, as for random or
// Hadamard keys) give a zero one-hot; every group of 16 vectors ORs its offsets, and a group with an
// offset outside the window is rescanned and its outliers counted one by one. The diagonal j = i
// (value 0) is counted like any other value and subtracted at the end. Results are exact for any
// input; only the speed depends on the concentration.
//
// Every row is computed independently over all j (ordered pairs): twice the popcounts of the
// unordered schedule, but no scattered writes and no synchronisation between threads.
#include "gram_kernels.hpp"

#if ATTNCERT_GRAM_AVX512
// GCC 12's _mm512_sllv_epi64 passes _mm512_undefined_pd() (a self-initialised placeholder) as the
// unused merge source, which -Wmaybe-uninitialized reports at every inlined use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace attncert::core::detail {

namespace {

constexpr int kHalfPlanes = 4;  // ones, twos, fours, eights of the in-register Harley-Seal stage

inline void csa(__m512i& carry, __m512i& sum, __m512i a, __m512i b, __m512i c) {
  carry = _mm512_ternarylogic_epi64(a, b, c, 0xE8);  // majority
  sum = _mm512_ternarylogic_epi64(a, b, c, 0x96);    // parity
}

struct Layout {
  std::size_t n, d, words, full_vecs, all_vecs;
  std::size_t width;     // 64 K bins
  int planes;            // bit planes per window: counters hold up to 2^planes - 1
  std::size_t chunk;     // vectors per j-chunk (a multiple of 32)
  unsigned tail_lanes;   // valid lanes of the last vector when n % 8 != 0
};

// Popcounts of s_i ^ s_j for the eight rows of vector block `blk`.
template <int W>
inline __m512i popcounts(const std::uint64_t* a, const std::uint64_t* blk, std::size_t words) {
  const std::size_t nw = W > 0 ? static_cast<std::size_t>(W) : words;
  __m512i acc0 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(blk), _mm512_set1_epi64(static_cast<long long>(a[0]))));
  __m512i acc1 = _mm512_setzero_si512();
  for (std::size_t w = 1; w < nw; ++w) {
    __m512i x = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(blk + 8 * w), _mm512_set1_epi64(static_cast<long long>(a[w]))));
    if (w & 1) acc1 = _mm512_add_epi64(acc1, x);
    else acc0 = _mm512_add_epi64(acc0, x);
  }
  return _mm512_add_epi64(acc0, acc1);
}

// Harley-Seal step: one-hot inputs oh(q0) .. oh(q0 + 7) into the ones/twos/fours planes; returns
// the carries of weight 8.
template <class OneHot>
inline __m512i eight_inputs(__m512i& ones, __m512i& twos, __m512i& fours, const OneHot& oh, int q0) {
  __m512i ta, tb, fa, fb, eights;
  csa(ta, ones, ones, oh(q0 + 0), oh(q0 + 1));
  csa(tb, ones, ones, oh(q0 + 2), oh(q0 + 3));
  csa(fa, twos, twos, ta, tb);
  csa(ta, ones, ones, oh(q0 + 4), oh(q0 + 5));
  csa(tb, ones, ones, oh(q0 + 6), oh(q0 + 7));
  csa(fb, twos, twos, ta, tb);
  csa(eights, fours, fours, fa, fb);
  return eights;
}

// Binary increment of the counters by the bits of x, starting at plane `from`.
inline void ripple(__m512i* planes, int from, int count, __m512i x) {
  for (int p = from; p < count; ++p) {
    __m512i c = _mm512_and_si512(planes[p], x);
    planes[p] = _mm512_xor_si512(planes[p], x);
    x = c;
  }
}

// Count, one by one, the lanes of offsets u (value - base) that fall outside the window.
template <int K>
inline void count_outliers(__m512i u, __mmask8 valid, unsigned base, std::uint32_t* h) {
  __mmask8 m = _mm512_mask_test_epi64_mask(valid, u, _mm512_set1_epi64(~static_cast<long long>(64 * K - 1)));
  if (!m) return;
  alignas(64) std::uint64_t buf[8];
  _mm512_store_si512(buf, u);
  while (m) {
    int l = __builtin_ctz(m);
    m = static_cast<__mmask8>(m & (m - 1));
    h[static_cast<std::uint32_t>(buf[l] + base)] += 1;
  }
}

// Absorb vector blocks [v0, v1) (full vectors; v1 - v0 any count) of row a into the state.
// st: K windows x planes vectors.
template <int W, int K>
void absorb(const Layout& L, unsigned base, const std::uint64_t* a, const std::uint64_t* soa, std::size_t v0,
            std::size_t v1, __m512i* st, std::uint32_t* h) {
  const __m512i vbase = _mm512_set1_epi64(base), one = _mm512_set1_epi64(1);
  const __m512i outside = _mm512_set1_epi64(~static_cast<long long>(64 * K - 1));
  const std::size_t stride = 8 * (W > 0 ? static_cast<std::size_t>(W) : L.words);
  std::size_t v = v0;
  // Blocks of 32 vectors: two 16-input Harley-Seal stages per window, then one carry-save step
  // into plane 4 and a ripple of the 32s from plane 5. With one window the offsets are consumed as
  // they are computed; a block with an outlier recomputes them (rare).
  __m512i u[K > 1 ? 32 : 1];
  for (; v + 32 <= v1; v += 32) {
    __m512i orv = _mm512_setzero_si512();
    auto offset = [&](int q) {
      __m512i x = _mm512_sub_epi64(popcounts<W>(a, soa + (v + static_cast<std::size_t>(q)) * stride, L.words), vbase);
      orv = _mm512_or_si512(orv, x);
      return x;
    };
    if constexpr (K > 1)
      for (int q = 0; q < 32; ++q) u[q] = offset(q);
    for (int k = 0; k < K; ++k) {
      __m512i* P = st + k * L.planes;
      __m512i ones = P[0], twos = P[1], fours = P[2], eights = P[3];
      const __m512i shift = _mm512_set1_epi64(64 * k);
      auto oh = [&](int q) {
        if constexpr (K == 1) return _mm512_sllv_epi64(one, offset(q));
        else return _mm512_sllv_epi64(one, _mm512_sub_epi64(u[q], shift));
      };
      __m512i sixteens[2];
      for (int half = 0; half < 2; ++half) {
        const int q0 = 16 * half;
        const __m512i ea = eight_inputs(ones, twos, fours, oh, q0);
        const __m512i eb = eight_inputs(ones, twos, fours, oh, q0 + 8);
        csa(sixteens[half], eights, eights, ea, eb);
      }
      P[0] = ones, P[1] = twos, P[2] = fours, P[3] = eights;
      __m512i thirtytwos;
      csa(thirtytwos, P[4], P[4], sixteens[0], sixteens[1]);
      ripple(P, 5, L.planes, thirtytwos);
    }
    if (__builtin_expect(_mm512_test_epi64_mask(orv, outside) != 0, 0))
      for (int q = 0; q < 32; ++q) {
        __m512i x = K > 1 ? u[q] : offset(q);
        count_outliers<K>(x, 0xFF, base, h);
      }
  }
  // The rest one vector at a time.
  for (; v < v1; ++v) {
    __m512i x = _mm512_sub_epi64(popcounts<W>(a, soa + v * stride, L.words), vbase);
    for (int k = 0; k < K; ++k)
      ripple(st + k * L.planes, 0, L.planes, _mm512_sllv_epi64(one, _mm512_sub_epi64(x, _mm512_set1_epi64(64 * k))));
    count_outliers<K>(x, 0xFF, base, h);
  }
}

// The partial last vector (lanes >= tail_lanes are padding).
template <int W, int K>
void absorb_tail(const Layout& L, unsigned base, const std::uint64_t* a, const std::uint64_t* soa, __m512i* st,
                 std::uint32_t* h) {
  const std::size_t stride = 8 * (W > 0 ? static_cast<std::size_t>(W) : L.words);
  const __mmask8 valid = static_cast<__mmask8>((1u << L.tail_lanes) - 1);
  __m512i x = _mm512_sub_epi64(popcounts<W>(a, soa + L.full_vecs * stride, L.words), _mm512_set1_epi64(base));
  for (int k = 0; k < K; ++k)
    ripple(st + k * L.planes, 0, L.planes,
           _mm512_maskz_sllv_epi64(valid, _mm512_set1_epi64(1), _mm512_sub_epi64(x, _mm512_set1_epi64(64 * k))));
  count_outliers<K>(x, valid, base, h);
}

// Add the counters' totals over the eight lanes into the row histogram h (bins base .. base+64K-1,
// clipped at d).
template <int K>
void decode(const Layout& L, unsigned base, const __m512i* st, std::uint32_t* h) {
  alignas(64) std::uint32_t win[64 * K];
  alignas(64) std::uint16_t masks[32];
  for (int k = 0; k < K; ++k) {
    __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    for (int p = 0; p < L.planes; ++p) {
      _mm512_store_si512(masks, st[k * L.planes + p]);
      const __m512i w = _mm512_set1_epi32(1 << p);
      // masks[4 * lane + g]: bins 16 g .. 16 g + 15 of that lane
      for (int lane = 0; lane < 8; ++lane)
        for (int g = 0; g < 4; ++g) acc[g] = _mm512_mask_add_epi32(acc[g], masks[4 * lane + g], acc[g], w);
    }
    for (int g = 0; g < 4; ++g) _mm512_store_si512(win + 64 * k + 16 * g, acc[g]);
  }
  const std::size_t end = std::min<std::size_t>(64 * K, L.d + 1 - base);
  for (std::size_t b = 0; b < end; ++b) h[base + b] += win[b];
}

constexpr std::size_t kSample = 15;  // sampled rows a window is centred on (median of 15)

// The window's first bin for row r: centred on the median distance from r to a fixed sample of
// rows, clipped to [0, d]. Optionally counts the sample's distances that fall outside the window.
unsigned row_base(const SignMatrix& s, std::size_t r, std::size_t width, std::size_t* outside = nullptr) {
  const std::size_t n = s.rows(), d = s.cols(), m = std::min(n, kSample);
  unsigned dist[kSample];
  for (std::size_t k = 0; k < m; ++k) {
    const std::size_t j = k * n / m;
    unsigned pc = 0;
    for (std::size_t w = 0; w < s.words(); ++w) pc += static_cast<unsigned>(__builtin_popcountll(s.row(r)[w] ^ s.row(j)[w]));
    dist[k] = pc;
  }
  unsigned base = 0;
  if (d + 1 > width) {
    std::nth_element(dist, dist + m / 2, dist + m);
    const std::size_t med = dist[m / 2];
    base = static_cast<unsigned>(std::min(med > width / 2 ? med - width / 2 : 0, d + 1 - width));
  }
  if (outside)
    for (std::size_t k = 0; k < m; ++k) *outside += dist[k] < base || dist[k] >= base + width;
  return base;
}

template <int W, int K>
void run(const SignMatrix& s, GramHistogram& hist, const GramOptions& opt, Layout L) {
  const std::size_t n = L.n, words = L.words, stride = 8 * words;
  // Word-major copy: vector block b holds rows 8b .. 8b+7, word w of them contiguous.
  std::vector<std::uint64_t> soa(L.all_vecs * stride, 0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t w = 0; w < words; ++w) soa[(r / 8) * stride + 8 * w + r % 8] = s.row(r)[w];

  constexpr std::size_t kGroup = 8;  // rows that share a j-chunk while it sits in L2
  const std::size_t groups = (n + kGroup - 1) / kGroup;
  const std::size_t state_vecs = static_cast<std::size_t>(K) * static_cast<std::size_t>(L.planes);
  std::atomic<std::size_t> done{0};
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();

#pragma omp parallel num_threads(threads)
  {
    struct Free {
      void operator()(void* p) const { std::free(p); }
    };
    std::unique_ptr<void, Free> state_mem(std::aligned_alloc(64, kGroup * state_vecs * sizeof(__m512i)));
    if (!state_mem) throw std::bad_alloc();
    __m512i* const state = static_cast<__m512i*>(state_mem.get());
    const bool reporter = omp_get_thread_num() == 0;
#pragma omp for schedule(dynamic, 1)
    for (std::size_t g = 0; g < groups; ++g) {
      const std::size_t r0 = g * kGroup, r1 = std::min(n, r0 + kGroup);
      std::fill(state, state + kGroup * state_vecs, _mm512_setzero_si512());
      unsigned bases[kGroup];
      for (std::size_t r = r0; r < r1; ++r) bases[r - r0] = row_base(s, r, L.width);
      for (std::size_t c0 = 0; c0 < L.full_vecs; c0 += L.chunk) {
        const std::size_t c1 = std::min(L.full_vecs, c0 + L.chunk);
        for (std::size_t r = r0; r < r1; ++r)
          absorb<W, K>(L, bases[r - r0], s.row(r), soa.data(), c0, c1, state + (r - r0) * state_vecs, hist.row(r));
      }
      for (std::size_t r = r0; r < r1; ++r) {
        __m512i* st = state + (r - r0) * state_vecs;
        if (L.tail_lanes) absorb_tail<W, K>(L, bases[r - r0], s.row(r), soa.data(), st, hist.row(r));
        decode<K>(L, bases[r - r0], st, hist.row(r));
        hist.row(r)[0] -= 1;  // the diagonal j = r
      }
      std::size_t now = done.fetch_add(1, std::memory_order_relaxed) + 1;
      if (reporter && opt.progress) opt.progress(now, groups);
    }
  }
  if (opt.progress) opt.progress(groups, groups);
}

}  // namespace

bool gram_histogram_avx512(const SignMatrix& s, GramHistogram& hist, const GramOptions& opt) {
  const std::size_t n = s.rows(), d = s.cols(), words = s.words();
  // Window of 64K bins, K = 1, 2 or 4, wide enough for about +-4 standard deviations of a random
  // pair's distance (sd = sqrt(d)/2); each row centres its window on its sampled median distance.
  int K = 1;
  while (K <= 4 && 32.0 * K < 2.0 * std::sqrt(static_cast<double>(d))) K *= 2;
  if (K > 4) return false;
  Layout L{};
  L.n = n, L.d = d, L.words = words;
  L.full_vecs = n / 8, L.all_vecs = (n + 7) / 8, L.tail_lanes = static_cast<unsigned>(n % 8);
  const std::size_t width = 64 * static_cast<std::size_t>(K);
  L.width = width;
  // Automatic choice: when the distances of a sample of rows spread beyond their windows (more
  // than 1 in 8 outside), the outlier path would dominate; leave such matrices to the portable kernel.
  if (opt.kernel == GramKernel::automatic) {
    std::size_t outside = 0, rows = std::min<std::size_t>(n, 64);
    for (std::size_t m = 0; m < rows; ++m) row_base(s, m * n / rows, width, &outside);
    if (8 * outside > rows * std::min(n, kSample)) return false;
  }
  // Each (lane, bin) counter sees at most all_vecs values.
  L.planes = 6;
  while ((std::size_t{1} << L.planes) <= L.all_vecs) ++L.planes;
  L.planes = std::max(L.planes, 6);
  // j-chunk of about 256 KiB of packed rows, a multiple of 32 vectors.
  L.chunk = std::max<std::size_t>(32, ((std::size_t{1} << 18) / (64 * words)) / 32 * 32);
  switch (words) {
#define ATTNCERT_CASE(W)                                  \
  case W:                                                 \
    if (K == 1) run<W, 1>(s, hist, opt, L);               \
    else if (K == 2) run<W, 2>(s, hist, opt, L);          \
    else run<W, 4>(s, hist, opt, L);                      \
    return true;
    ATTNCERT_CASE(1)
    ATTNCERT_CASE(2)
    ATTNCERT_CASE(4)
    ATTNCERT_CASE(8)
    ATTNCERT_CASE(16)
#undef ATTNCERT_CASE
    default:
      if (K == 1) run<0, 1>(s, hist, opt, L);
      else if (K == 2) run<0, 2>(s, hist, opt, L);
      else run<0, 4>(s, hist, opt, L);
      return true;
  }
}

}  // namespace attncert::core::detail

#else

namespace attncert::core::detail {
bool gram_histogram_avx512(const SignMatrix&, GramHistogram&, const GramOptions&) { return false; }
}  // namespace attncert::core::detail

#endif
