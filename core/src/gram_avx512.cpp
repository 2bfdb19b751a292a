// The AVX-512 Gram-histogram kernel: per-row histograms by bit-sliced one-hot counting.
//
// Rows are stored word-major in vectors of eight (word w of rows 8b .. 8b+7 is one 512-bit vector),
// so that for a row i and a vector block b, VPOPCNTQ gives the eight values v = popcount(s_i ^ s_j).
// Instead of scattering increments into histograms, each value becomes a one-hot bit
// 1 << (v - base) in its 64-bit lane (K such vectors cover a window of 64K bins), and one-hot
// vectors are summed *bitwise* into carry-save (Harley-Seal) counters: plane p holds bit p of 512
// independent counters, one per (lane, bin), and two ternary-logic instructions absorb a vector.
//
// Each unordered pair (i, j), i in an earlier vector block than j, is evaluated once and its
// one-hot vector X(i, b) is counted twice:
//   - into i's row counter R_i (its low planes held in registers across each 32 blocks), whose lanes
//     are summed when it is decoded; and
//   - into block b's column counter C_b, whose lane l is the histogram of row 8b + l over earlier
//     rows. X is buffered for a tile of 128 rows i and absorbed into C_b 32 vectors at a time.
// Threads own disjoint row tiles; each thread has private column counters, added at the end.
// Pairs inside one vector block (28 per block) are counted directly.
//
// Values outside the window (rare when the distances concentrate, e.g. random or Hadamard keys,
// whose distances sit near d/2) give a zero one-hot; each group of 32 vectors ORs its offsets, and
// a group with an offset outside the window is rescanned and its outliers counted one by one
// (atomically: the column row may belong to another thread's tile). The window is centred on the
// median of a sample of distances. Results are exact for any input; only speed depends on data.
#include "gram_kernels.hpp"

#if ATTNCERT_GRAM_AVX512
// GCC 12's _mm512_sllv_epi64 and broadcasts pass _mm512_undefined_*() (self-initialised
// placeholders) as unused merge sources, which -Wmaybe-uninitialized reports at every inlined use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace attncert::core::detail {

namespace {

// Rows per tile (a multiple of 32): each column update absorbs kTileRows / 32 Harley-Seal blocks,
// so larger tiles cut the traffic to the column counters (which leave L2 for large N). Measured at
// d = 256, N = 65536 (N = 16384): 32 rows 1.25 s (60 ms), 64: 1.09 s (60), 128: 1.01 s (60),
// 256: 1.01 s (60).
constexpr std::size_t kTileRows = 128;

// Column chunk: blocks swept per row before the tile's one-hot buffer (kTileRows x kChunk x K
// vectors, 256 KiB for K = 1) is absorbed into the column counters, while it is still in L2.
// Measured with 32-row tiles at N = 16384, d = 256: 32 blocks 46 ms, 64: 51, 128: 48, 256: 53, 512: 57.
constexpr std::size_t kChunk = 32;

inline void csa(__m512i& carry, __m512i& sum, __m512i a, __m512i b, __m512i c) {
  carry = _mm512_ternarylogic_epi64(a, b, c, 0xE8);  // majority
  sum = _mm512_ternarylogic_epi64(a, b, c, 0x96);    // parity
}

// Harley-Seal step: one-hot inputs in(q0) .. in(q0 + 7) into the ones/twos/fours planes; returns
// the carries of weight 8.
template <class In>
inline __m512i eight_inputs(__m512i& ones, __m512i& twos, __m512i& fours, const In& in, int q0) {
  __m512i ta, tb, fa, fb, eights;
  csa(ta, ones, ones, in(q0 + 0), in(q0 + 1));
  csa(tb, ones, ones, in(q0 + 2), in(q0 + 3));
  csa(fa, twos, twos, ta, tb);
  csa(ta, ones, ones, in(q0 + 4), in(q0 + 5));
  csa(tb, ones, ones, in(q0 + 6), in(q0 + 7));
  csa(fb, twos, twos, ta, tb);
  csa(eights, fours, fours, fa, fb);
  return eights;
}

// Binary increment of the counters by the bits of x, starting at plane `from`. Carries into the
// high planes are sparse, so from plane 8 on the ripple stops as soon as no counter carries.
inline void ripple(__m512i* planes, int from, int count, __m512i x) {
  for (int p = from; p < count; ++p) {
    __m512i c = _mm512_and_si512(planes[p], x);
    planes[p] = _mm512_xor_si512(planes[p], x);
    x = c;
    if (p >= 8 && !_mm512_test_epi64_mask(x, x)) break;
  }
}

// Add 32 inputs in(0) .. in(31) to the counters P (planes 0..planes-1, binary digits).
template <class In>
inline void absorb32(__m512i* P, int planes, const In& in) {
  __m512i ones = P[0], twos = P[1], fours = P[2], eights = P[3], sixteens[2];
  for (int half = 0; half < 2; ++half) {
    const __m512i ea = eight_inputs(ones, twos, fours, in, 16 * half);
    const __m512i eb = eight_inputs(ones, twos, fours, in, 16 * half + 8);
    csa(sixteens[half], eights, eights, ea, eb);
  }
  P[0] = ones, P[1] = twos, P[2] = fours, P[3] = eights;
  __m512i thirtytwos;
  csa(thirtytwos, P[4], P[4], sixteens[0], sixteens[1]);
  ripple(P, 5, planes, thirtytwos);
}

struct Layout {
  std::size_t n, d, words, stride, vecs;  // stride = 8 * words; vecs = ceil(n / 8)
  unsigned base;                          // the window is bins base .. base + 64K - 1
  int planes;                             // counters hold up to 2^planes - 1
};

inline __mmask8 lanes_of(const Layout& L, std::size_t b) {
  const std::size_t rest = L.n - 8 * b;
  return rest >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << rest) - 1);
}

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

inline int bit_length(std::size_t x) { return x ? 64 - __builtin_clzll(x) : 0; }

inline void add_atomic(std::uint32_t& c, std::uint32_t x) { std::atomic_ref<std::uint32_t>(c).fetch_add(x, std::memory_order_relaxed); }

// Lanes whose offset (value - base, unsigned) has a bit set here lie outside the 64K-bin window
// (values below base wrap around to huge offsets).
template <int K>
inline __m512i outside_window() {
  return _mm512_set1_epi64(~static_cast<long long>(64 * K - 1));
}

// Count, one by one, the valid lanes of offsets u (value - base) of row i against block b that fall
// outside the window: in row i and in row 8b + lane.
template <int K>
void count_outliers(const Layout& L, __m512i u, __mmask8 valid, std::size_t i, std::size_t b, GramHistogram& h) {
  __mmask8 m = _mm512_mask_test_epi64_mask(valid, u, outside_window<K>());
  alignas(64) std::uint64_t buf[8];
  _mm512_store_si512(buf, u);
  while (m) {
    const int l = __builtin_ctz(m);
    m = static_cast<__mmask8>(m & (m - 1));
    const std::size_t v = static_cast<std::uint32_t>(buf[l] + L.base);
    add_atomic(h.row(i)[v], 1);
    add_atomic(h.row(8 * b + static_cast<std::size_t>(l))[v], 1);
  }
}

// Row i against blocks [b0, b1) (all after i's own block): its one-hot vectors go into the row
// counters R (K windows x planes) and into the tile buffer X[(b - b0) * kTileRows * K + slot * K + k].
template <int W, int K>
void sweep_row(const Layout& layout, const std::uint64_t* soa, const std::uint64_t* a, std::size_t i, std::size_t slot,
               std::size_t b0, std::size_t b1, __m512i* R, __m512i* X, GramHistogram& h) {
  const Layout L = layout;  // a local copy: the stores below could otherwise alias it
  const __m512i vbase = _mm512_set1_epi64(L.base), one = _mm512_set1_epi64(1);
  const __m512i outside = outside_window<K>();
  const std::size_t last_full = L.n / 8, xstep = kTileRows * K;  // blocks before last_full have eight rows
  auto offset = [&](std::size_t b) { return _mm512_sub_epi64(popcounts<W>(a, soa + b * L.stride, L.words), vbase); };
  auto onehot = [&](__m512i u, int k, __mmask8 valid) {
    return _mm512_maskz_sllv_epi64(valid, one, k == 0 ? u : _mm512_sub_epi64(u, _mm512_set1_epi64(64 * k)));
  };
  std::size_t b = b0;
  __m512i u[K > 1 ? 32 : 1];  // with one window the offsets are consumed as they are computed
  for (; b + 32 <= b1 && b + 32 <= last_full; b += 32) {
    __m512i orv = _mm512_setzero_si512();
    auto next = [&](int q) {
      const __m512i x = offset(b + static_cast<std::size_t>(q));
      orv = _mm512_or_si512(orv, x);
      return x;
    };
    if constexpr (K > 1)
      for (int q = 0; q < 32; ++q) u[q] = next(q);
    for (int k = 0; k < K; ++k) {
      __m512i* Xk = X + (b - b0) * xstep + slot * K + static_cast<std::size_t>(k);
      absorb32(R + k * L.planes, L.planes, [&](int q) {
        const __m512i x = onehot(K > 1 ? u[q] : next(q), k, 0xFF);
        _mm512_store_si512(Xk + static_cast<std::size_t>(q) * xstep, x);
        return x;
      });
    }
    if (__builtin_expect(_mm512_test_epi64_mask(orv, outside) != 0, 0))
      for (int q = 0; q < 32; ++q)
        count_outliers<K>(L, K > 1 ? u[q] : offset(b + static_cast<std::size_t>(q)), 0xFF, i, b + static_cast<std::size_t>(q), h);
  }
  for (; b < b1; ++b) {  // the rest one block at a time (and the partial last block)
    const __mmask8 valid = lanes_of(L, b);
    const __m512i x = offset(b);
    for (int k = 0; k < K; ++k) {
      const __m512i y = onehot(x, k, valid);
      ripple(R + k * L.planes, 0, L.planes, y);
      _mm512_store_si512(X + (b - b0) * xstep + slot * K + static_cast<std::size_t>(k), y);
    }
    count_outliers<K>(L, x, valid, i, b, h);
  }
}

// Totals of the counters P of one window (planes 0 .. planes-1; the higher ones must be zero):
// per lane (per_lane) or summed over lanes (summed[0..63]).
void decode_lanes(const __m512i* P, int planes, std::uint32_t (*per_lane)[64], std::uint32_t* summed) {
  alignas(64) std::uint16_t masks[32];  // masks[4 lane + g]: bins 16g .. 16g+15 of that lane
  __m512i acc[8][4];
  for (auto& lane : acc)
    for (auto& a : lane) a = _mm512_setzero_si512();
  for (int p = 0; p < planes; ++p) {
    _mm512_store_si512(masks, P[p]);
    const __m512i w = _mm512_set1_epi32(static_cast<int>(1u << p));
    for (int lane = 0; lane < 8; ++lane)
      for (int g = 0; g < 4; ++g) acc[lane][g] = _mm512_mask_add_epi32(acc[lane][g], masks[4 * lane + g], acc[lane][g], w);
  }
  if (per_lane)
    for (int lane = 0; lane < 8; ++lane)
      for (int g = 0; g < 4; ++g) _mm512_storeu_si512(per_lane[lane] + 16 * g, acc[lane][g]);
  if (summed)
    for (int g = 0; g < 4; ++g) {
      __m512i t = acc[0][g];
      for (int lane = 1; lane < 8; ++lane) t = _mm512_add_epi32(t, acc[lane][g]);
      _mm512_storeu_si512(summed + 16 * g, t);
    }
}

struct Free {
  void operator()(void* p) const { std::free(p); }
};
using VecBuffer = std::unique_ptr<void, Free>;

VecBuffer zeroed_vectors(std::size_t count) {
  void* p = std::aligned_alloc(64, std::max<std::size_t>(1, count) * sizeof(__m512i));
  if (!p) throw std::bad_alloc();
  std::fill(static_cast<__m512i*>(p), static_cast<__m512i*>(p) + count, _mm512_setzero_si512());
  return VecBuffer(p);
}

template <int W, int K>
void run(const SignMatrix& s, GramHistogram& hist, const GramOptions& opt, const Layout& L) {
  const std::size_t n = L.n, words = L.words, stride = L.stride, vecs = L.vecs;
  const std::size_t window = 64 * static_cast<std::size_t>(K);
  const std::size_t bins = std::min(window, L.d + 1 - L.base);  // window bins that exist
  const std::size_t planes = static_cast<std::size_t>(L.planes);
  std::vector<std::uint64_t> soa(vecs * stride, 0);  // padding lanes stay zero and are masked
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t w = 0; w < words; ++w) soa[(r / 8) * stride + 8 * w + r % 8] = s.row(r)[w];

  const std::size_t tiles = (n + kTileRows - 1) / kTileRows;
  // Threads: no more than tiles or processors (more only add private column counters), and no
  // more than fit their column counters in about 1 GiB (at least one thread, whatever it needs).
  const std::size_t column_bytes = vecs * K * planes * sizeof(__m512i);
  const std::size_t wanted = static_cast<std::size_t>(std::max(1, opt.threads > 0 ? opt.threads : omp_get_max_threads()));
  const int threads = static_cast<int>(std::max<std::size_t>(1, std::min({wanted, tiles, static_cast<std::size_t>(omp_get_num_procs()), (std::size_t{1} << 30) / column_bytes})));
  // Per-thread buffers, allocated here so that running out of memory throws std::bad_alloc to the
  // caller instead of terminating inside the parallel region: column counters (vecs x K x planes),
  // row counters of a tile and the tile's one-hot buffer.
  std::vector<VecBuffer> columns, row_counters, onehots;
  for (int t = 0; t < threads; ++t) {
    columns.push_back(zeroed_vectors(vecs * K * planes));
    row_counters.push_back(zeroed_vectors(kTileRows * K * planes));
    onehots.push_back(zeroed_vectors(kChunk * kTileRows * K));
  }
  // Each row's counts against later blocks (the window's existing bins only), written only by the
  // thread owning the row's tile; the histogram itself receives only atomic outlier increments
  // until all tiles are done.
  std::vector<std::uint32_t> rowwin(n * bins, 0);
  std::atomic<std::size_t> done{0};

#pragma omp parallel num_threads(threads)
  {
    const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
    __m512i* C = static_cast<__m512i*>(columns[t].get());
    __m512i* R = static_cast<__m512i*>(row_counters[t].get());
    __m512i* X = static_cast<__m512i*>(onehots[t].get());

#pragma omp for schedule(dynamic, 1)
    for (std::size_t tile = 0; tile < tiles; ++tile) {
      const std::size_t i0 = tile * kTileRows, i1 = std::min(n, i0 + kTileRows);
      const std::size_t first = i0 / 8 + 1;  // blocks after the tile's first block
      std::fill(R, R + kTileRows * K * planes, _mm512_setzero_si512());
      for (std::size_t b0 = first; b0 < vecs; b0 += kChunk) {
        const std::size_t b1 = std::min(vecs, b0 + kChunk);
        for (std::size_t i = i0; i < i0 + kTileRows; ++i) {
          const std::size_t slot = i - i0;
          // The row pairs with blocks after its own (within the tile the own blocks are first - 1 ..
          // first + 14, so only the first chunk has any to skip); a row past the end with none.
          // Skipped blocks contribute zero one-hot vectors to the columns.
          const std::size_t from = i < n ? std::max(b0, i / 8 + 1) : b1;
          for (std::size_t b = b0; b < std::min(from, b1); ++b)
            for (int k = 0; k < K; ++k) X[(b - b0) * kTileRows * K + slot * K + static_cast<std::size_t>(k)] = _mm512_setzero_si512();
          if (from < b1) sweep_row<W, K>(L, soa.data(), s.row(i), i, slot, from, b1, R + slot * K * planes, X + (from - b0) * kTileRows * K, hist);
        }
        for (std::size_t b = b0; b < b1; ++b)
          for (int k = 0; k < K; ++k) {
            const __m512i* Xb = X + (b - b0) * kTileRows * K + static_cast<std::size_t>(k);
            for (std::size_t q0 = 0; q0 < kTileRows; q0 += 32)
              absorb32(C + (b * K + static_cast<std::size_t>(k)) * planes, L.planes,
                       [&](int q) { return _mm512_load_si512(Xb + (q0 + static_cast<std::size_t>(q)) * K); });
          }
      }
      for (std::size_t i = i0; i < i1; ++i)
        for (std::size_t k = 0; 64 * k < bins; ++k) {
          std::uint32_t summed[64];
          decode_lanes(R + ((i - i0) * K + k) * planes, bit_length(vecs - i / 8 - 1), nullptr, summed);
          std::copy_n(summed, std::min<std::size_t>(64, bins - 64 * k), rowwin.data() + i * bins + 64 * k);
        }
      const std::size_t now = done.fetch_add(1, std::memory_order_relaxed) + 1;
      if (t == 0 && opt.progress) opt.progress(now, tiles);
    }
    // (implicit barrier) Row and column counts of every thread, and the pairs inside each block.
#pragma omp for schedule(static)
    for (std::size_t b = 0; b < vecs; ++b) {
      const std::size_t rows = std::min<std::size_t>(8, n - 8 * b);
      alignas(64) std::uint32_t acc[8][64 * K], per_lane[8][64];
      for (std::size_t lane = 0; lane < rows; ++lane)
        std::copy_n(rowwin.data() + (8 * b + lane) * bins, bins, acc[lane]);
      for (std::size_t th = 0; th < columns.size(); ++th)
        for (std::size_t k = 0; 64 * k < bins; ++k) {  // (a thread the runtime did not start left its counters zero)
          decode_lanes(static_cast<const __m512i*>(columns[th].get()) + (b * K + k) * planes, bit_length(8 * b), per_lane,
                       nullptr);
          const std::size_t end = std::min<std::size_t>(64, bins - 64 * k);
          for (std::size_t lane = 0; lane < rows; ++lane)
            for (std::size_t bin = 0; bin < end; ++bin) acc[lane][64 * k + bin] += per_lane[lane][bin];
        }
      for (std::size_t lane = 0; lane < rows; ++lane) {
        std::uint32_t* h = hist.row(8 * b + lane) + L.base;
        for (std::size_t bin = 0; bin < bins; ++bin) h[bin] += acc[lane][bin];
      }
      for (std::size_t i = 8 * b; i < 8 * b + rows; ++i)
        for (std::size_t j = i + 1; j < 8 * b + rows; ++j) {
          const std::size_t v = s.distance(i, j);
          hist.row(i)[v] += 1;
          hist.row(j)[v] += 1;
        }
    }
  }
  if (opt.progress) opt.progress(tiles, tiles);
}

// The window's first bin: centred on the median of the distances between a sample of rows,
// clipped to [0, d]. `outside` receives how many sampled distances fall outside the window.
unsigned window_base(const SignMatrix& s, std::size_t width, std::size_t& sampled, std::size_t& outside) {
  const std::size_t n = s.rows(), d = s.cols(), m = std::min<std::size_t>(n, 64);
  std::vector<unsigned> dist;
  for (std::size_t a = 0; a < m; ++a)
    for (std::size_t c = 0; c < 15; ++c) {
      const std::size_t i = a * n / m, j = (a * n / m + 1 + c * (n - 1) / 15) % n;
      if (i != j) dist.push_back(static_cast<unsigned>(s.distance(i, j)));
    }
  unsigned base = 0;
  if (d + 1 > width && !dist.empty()) {
    std::nth_element(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(dist.size() / 2), dist.end());
    const std::size_t med = dist[dist.size() / 2];
    base = static_cast<unsigned>(std::min(med > width / 2 ? med - width / 2 : 0, d + 1 - width));
  }
  sampled = dist.size();
  outside = 0;
  for (unsigned v : dist) outside += v < base || v >= base + width;
  return base;
}

// ---- The rectangular pair-product histograms (T5): queries x_r against all pairs (j1, j2). ----
// For a query r and a row j1 of A, y = x_r ^ a_j1 is computed once and swept against the B rows
// exactly as sweep_row sweeps a row against later blocks: VPOPCNTQ distances of eight B rows, a
// one-hot vector per window, absorbed 32 at a time into the query's own carry-save counters (only
// row counters: no column side, so no tile buffer). A thread owns whole queries, so outliers are
// counted into the query's histogram row without atomics.

template <int K>
void count_row_outliers(const Layout& L, __m512i u, __mmask8 valid, std::uint32_t* hrow) {
  __mmask8 m = _mm512_mask_test_epi64_mask(valid, u, outside_window<K>());
  if (!m) return;
  alignas(64) std::uint64_t buf[8];
  _mm512_store_si512(buf, u);
  while (m) {
    const int l = __builtin_ctz(m);
    m = static_cast<__mmask8>(m & (m - 1));
    hrow[static_cast<std::uint32_t>(buf[l] + L.base)] += 1;
  }
}

template <int W, int K>
void sweep_pairs(const Layout& layout, const std::uint64_t* soa, const std::uint64_t* y, __m512i* R, std::uint32_t* hrow) {
  const Layout L = layout;
  const __m512i vbase = _mm512_set1_epi64(L.base), one = _mm512_set1_epi64(1);
  const __m512i outside = outside_window<K>();
  const std::size_t last_full = L.n / 8;
  auto offset = [&](std::size_t b) { return _mm512_sub_epi64(popcounts<W>(y, soa + b * L.stride, L.words), vbase); };
  auto onehot = [&](__m512i u, int k, __mmask8 valid) {
    return _mm512_maskz_sllv_epi64(valid, one, k == 0 ? u : _mm512_sub_epi64(u, _mm512_set1_epi64(64 * k)));
  };
  std::size_t b = 0;
  __m512i u[K > 1 ? 32 : 1];
  for (; b + 32 <= last_full; b += 32) {
    __m512i orv = _mm512_setzero_si512();
    auto next = [&](int q) {
      const __m512i x = offset(b + static_cast<std::size_t>(q));
      orv = _mm512_or_si512(orv, x);
      return x;
    };
    if constexpr (K > 1)
      for (int q = 0; q < 32; ++q) u[q] = next(q);
    for (int k = 0; k < K; ++k)
      absorb32(R + k * L.planes, L.planes, [&](int q) { return onehot(K > 1 ? u[q] : next(q), k, 0xFF); });
    if (__builtin_expect(_mm512_test_epi64_mask(orv, outside) != 0, 0))
      for (int q = 0; q < 32; ++q)
        count_row_outliers<K>(L, K > 1 ? u[q] : offset(b + static_cast<std::size_t>(q)), 0xFF, hrow);
  }
  for (; b < L.vecs; ++b) {  // the rest one block at a time (and the partial last block)
    const __mmask8 valid = lanes_of(L, b);
    const __m512i x = offset(b);
    for (int k = 0; k < K; ++k) ripple(R + k * L.planes, 0, L.planes, onehot(x, k, valid));
    count_row_outliers<K>(L, x, valid, hrow);
  }
}

template <int W, int K>
void run_pairs(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B, GramHistogram& hist, const GramOptions& opt,
               const Layout& L) {
  const std::size_t words = L.words, stride = L.stride, vecs = L.vecs, m = L.n;
  const std::size_t window = 64 * static_cast<std::size_t>(K);
  const std::size_t bins = std::min(window, L.d + 1 - L.base);
  const std::size_t planes = static_cast<std::size_t>(L.planes);
  std::vector<std::uint64_t> soa(vecs * stride, 0);  // B word-major, eight rows to a vector
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t w = 0; w < words; ++w) soa[(r / 8) * stride + 8 * w + r % 8] = B.row(r)[w];
  const std::size_t queries = Q.rows(), nA = A.rows();
  const std::size_t wanted = static_cast<std::size_t>(std::max(1, opt.threads > 0 ? opt.threads : omp_get_max_threads()));
  const int threads = static_cast<int>(std::max<std::size_t>(1, std::min({wanted, queries, static_cast<std::size_t>(omp_get_num_procs())})));
  std::vector<VecBuffer> counters;
  for (int t = 0; t < threads; ++t) counters.push_back(zeroed_vectors(K * planes));
  std::atomic<std::size_t> done{0};
#pragma omp parallel num_threads(threads)
  {
    __m512i* R = static_cast<__m512i*>(counters[static_cast<std::size_t>(omp_get_thread_num())].get());
    const bool reporter = omp_get_thread_num() == 0;
    std::vector<std::uint64_t> y(words);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t r = 0; r < queries; ++r) {
      std::fill(R, R + K * planes, _mm512_setzero_si512());
      std::uint32_t* hrow = hist.row(r);
      const std::uint64_t* x = Q.row(r);
      for (std::size_t j1 = 0; j1 < nA; ++j1) {
        const std::uint64_t* a = A.row(j1);
        for (std::size_t w = 0; w < words; ++w) y[w] = x[w] ^ a[w];
        sweep_pairs<W, K>(L, soa.data(), y.data(), R, hrow);
      }
      for (std::size_t k = 0; 64 * k < bins; ++k) {
        std::uint32_t summed[64];
        decode_lanes(R + k * planes, L.planes, nullptr, summed);
        const std::size_t end = std::min<std::size_t>(64, bins - 64 * k);
        for (std::size_t bin = 0; bin < end; ++bin) hrow[L.base + 64 * k + bin] += summed[bin];
      }
      const std::size_t now = done.fetch_add(1, std::memory_order_relaxed) + 1;
      if (reporter && opt.progress) opt.progress(now, queries);
    }
  }
  if (opt.progress) opt.progress(queries, queries);
}

}  // namespace

bool gram_histogram_avx512(const SignMatrix& s, GramHistogram& hist, const GramOptions& opt) {
  const std::size_t n = s.rows(), d = s.cols(), words = s.words();
  // Window of 64K bins, K = 1, 2 or 4, wide enough for about +-4 standard deviations of a random
  // pair's distance (sd = sqrt(d)/2).
  int K = 1;
  while (K <= 4 && 32.0 * K < 2.0 * std::sqrt(static_cast<double>(d))) K *= 2;
  if (K > 4) return false;
  const std::size_t width = 64 * static_cast<std::size_t>(K);
  Layout L{};
  L.n = n, L.d = d, L.words = words, L.stride = 8 * words, L.vecs = (n + 7) / 8;
  std::size_t sampled = 0, outside = 0;
  L.base = window_base(s, width, sampled, outside);
  // Automatic choice: when more than 1 in 8 sampled distances fall outside the window, the outlier
  // path would dominate; leave such matrices to the portable kernel.
  if (opt.kernel == GramKernel::automatic && 8 * outside > sampled) return false;
  // A (lane, bin) counter sees at most n values: 2^planes > n (and at least the 6 planes the
  // Harley-Seal steps use).
  L.planes = std::max(6, bit_length(n));
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

bool pair_histogram_avx512(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B, GramHistogram& hist,
                           const GramOptions& opt) {
  const std::size_t d = B.cols(), words = B.words();
  int K = 1;
  while (K <= 4 && 32.0 * K < 2.0 * std::sqrt(static_cast<double>(d))) K *= 2;
  if (K > 4) return false;
  const std::size_t width = 64 * static_cast<std::size_t>(K);
  Layout L{};
  L.n = B.rows(), L.d = d, L.words = words, L.stride = 8 * words, L.vecs = (B.rows() + 7) / 8;
  // The window: centred on the median of 960 sampled distances popcount(x_r ^ a_j1 ^ b_j2).
  std::vector<unsigned> dist;
  const std::size_t nq = Q.rows(), na = A.rows(), nb = B.rows();
  for (std::size_t t = 0; t < 960; ++t) {
    const std::size_t r = t * 7919 % nq, j1 = t * 104729 % na, j2 = t * 1299709 % nb;
    unsigned pc = 0;
    for (std::size_t w = 0; w < words; ++w)
      pc += static_cast<unsigned>(__builtin_popcountll(Q.row(r)[w] ^ A.row(j1)[w] ^ B.row(j2)[w]));
    dist.push_back(pc);
  }
  unsigned base = 0;
  if (d + 1 > width) {
    std::nth_element(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(dist.size() / 2), dist.end());
    const std::size_t med = dist[dist.size() / 2];
    base = static_cast<unsigned>(std::min(med > width / 2 ? med - width / 2 : 0, d + 1 - width));
  }
  std::size_t outside = 0;
  for (unsigned v : dist) outside += v < base || v >= base + width;
  if (opt.kernel == GramKernel::automatic && 8 * outside > dist.size()) return false;
  L.base = base;
  // A (lane, bin) counter sees at most |A| * ceil(|B| / 8) values.
  L.planes = std::max(6, bit_length(na * L.vecs));
  switch (words) {
#define ATTNCERT_CASE(W)                                     \
  case W:                                                    \
    if (K == 1) run_pairs<W, 1>(Q, A, B, hist, opt, L);      \
    else if (K == 2) run_pairs<W, 2>(Q, A, B, hist, opt, L); \
    else run_pairs<W, 4>(Q, A, B, hist, opt, L);             \
    return true;
    ATTNCERT_CASE(1)
    ATTNCERT_CASE(2)
    ATTNCERT_CASE(4)
    ATTNCERT_CASE(8)
    ATTNCERT_CASE(16)
#undef ATTNCERT_CASE
    default:
      if (K == 1) run_pairs<0, 1>(Q, A, B, hist, opt, L);
      else if (K == 2) run_pairs<0, 2>(Q, A, B, hist, opt, L);
      else run_pairs<0, 4>(Q, A, B, hist, opt, L);
      return true;
  }
}

}  // namespace attncert::core::detail

#else

namespace attncert::core::detail {
bool gram_histogram_avx512(const SignMatrix&, GramHistogram&, const GramOptions&) { return false; }
bool pair_histogram_avx512(const SignMatrix&, const SignMatrix&, const SignMatrix&, GramHistogram&, const GramOptions&) {
  return false;
}
}  // namespace attncert::core::detail

#endif
