// Block lazy Gumbel sampling (lazy_gumbel_block.hpp): the shared tail sequence, the vectorised
// logarithms and the dense score function.
#include "attncert/reductions/lazy_gumbel_block.hpp"
#include "knn_simd.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#if (defined(ATTNCERT_MVEC_AVX512) && defined(__AVX512F__)) || (defined(ATTNCERT_MVEC_AVX2) && defined(__AVX2__)) || defined(__AVX512F__)
// g++ 12 reports -Wmaybe-uninitialized inside its own AVX-512 extract/shuffle intrinsics (the
// unused pass-through operand of the masked builtins); not a defect of this file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#if defined(ATTNCERT_MVEC_AVX512) && defined(__AVX512F__)
#define ATTNCERT_LOG_WIDTH 8
extern "C" __m512d _ZGVeN8v_log(__m512d);
extern "C" __m512d _ZGVeN8v_log1p(__m512d);
extern "C" __m512d _ZGVeN8v_exp(__m512d);
#elif defined(ATTNCERT_MVEC_AVX2) && defined(__AVX2__)
#define ATTNCERT_LOG_WIDTH 4
extern "C" __m256d _ZGVdN4v_log(__m256d);
extern "C" __m256d _ZGVdN4v_log1p(__m256d);
extern "C" __m256d _ZGVdN4v_exp(__m256d);
#else
#define ATTNCERT_LOG_WIDTH 1
#endif

namespace attncert::reductions::knn {

namespace detail {

bool vector_log_built() { return ATTNCERT_LOG_WIDTH > 1; }

// log_batch, exp_batch, log1p_batch: out[i] = f(in[i]) for i < n, by libmvec's vector variant of f
// where built (8 or 4 lanes), the rest by std::f. One definition for the three functions.
#if ATTNCERT_LOG_WIDTH == 8
#define ATTNCERT_VECTOR_LOOP(f) \
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(out + i, _ZGVeN8v_##f(_mm512_loadu_pd(in + i)));
#elif ATTNCERT_LOG_WIDTH == 4
#define ATTNCERT_VECTOR_LOOP(f) \
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, _ZGVdN4v_##f(_mm256_loadu_pd(in + i)));
#else
#define ATTNCERT_VECTOR_LOOP(f)
#endif
#define ATTNCERT_BATCH(f)                                           \
  void f##_batch(const double* in, double* out, std::size_t n) {    \
    std::size_t i = 0;                                              \
    ATTNCERT_VECTOR_LOOP(f)                                         \
    for (; i < n; ++i) out[i] = std::f(in[i]);                      \
  }
ATTNCERT_BATCH(log)
ATTNCERT_BATCH(exp)
ATTNCERT_BATCH(log1p)
#undef ATTNCERT_BATCH
#undef ATTNCERT_VECTOR_LOOP

}  // namespace detail

namespace {

// A stream of its own seeded from the caller's generator (core::Xoshiro256ss, whose next() is
// inline: the hot loops draw ~200 numbers per sample). The law of the samples does not depend on
// the generator. Bulk uniforms (uniforms()) come from 8 xoshiro256** generators in the lanes of
// AVX-512 registers where AVX-512DQ is built (each lane's state from the caller's generator), else
// from the scalar stream.
struct LocalRng {
  core::Xoshiro256ss gen;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  __m512i v[4];
#endif
  explicit LocalRng(core::Xoshiro256ss& g) : gen(g.next()) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    alignas(64) std::uint64_t lanes[4][8];
    for (auto& w : lanes)
      for (auto& x : w) x = g.next();
    for (int l = 0; l < 8; ++l)
      if (!(lanes[0][l] | lanes[1][l] | lanes[2][l] | lanes[3][l])) lanes[0][l] = 1;
    for (int w = 0; w < 4; ++w) v[w] = _mm512_load_si512(lanes[w]);
#endif
  }
  // out[0..n) uniform in (0, 1) as uniform(); n rounded up to a multiple of 8 is written.
  void uniforms(double* out, std::size_t n) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    const __m512d scale = _mm512_set1_pd(0x1.0p-53), half = _mm512_set1_pd(0x1.0p-54);
    for (std::size_t i = 0; i < n; i += 8) {
      const __m512i s1x5 = _mm512_add_epi64(v[1], _mm512_slli_epi64(v[1], 2));
      const __m512i r7 = _mm512_rol_epi64(s1x5, 7);
      const __m512i result = _mm512_add_epi64(r7, _mm512_slli_epi64(r7, 3));  // * 9
      const __m512i t = _mm512_slli_epi64(v[1], 17);
      v[2] = _mm512_xor_si512(v[2], v[0]);
      v[3] = _mm512_xor_si512(v[3], v[1]);
      v[1] = _mm512_xor_si512(v[1], v[2]);
      v[0] = _mm512_xor_si512(v[0], v[3]);
      v[2] = _mm512_xor_si512(v[2], t);
      v[3] = _mm512_rol_epi64(v[3], 45);
      const __m512d d = _mm512_cvtepu64_pd(_mm512_srli_epi64(result, 11));
      _mm512_storeu_pd(out + i, _mm512_fmadd_pd(d, scale, half));
    }
#else
    for (std::size_t i = 0; i < (n + 7) / 8 * 8; ++i) out[i] = uniform();
#endif
  }
  std::uint64_t next() { return gen.next(); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53 + 0x1.0p-54; }  // (0, 1), as uniform_open01
  // Uniform in [0, bound), bound >= 1, without modulo bias: Lemire's multiply-shift with rejection
  // (the high word of x * bound; a low word below 2^64 mod bound is rejected), so a division is
  // needed only when the low word is below bound.
  std::uint64_t below(std::uint64_t bound) {
    unsigned __int128 prod = static_cast<unsigned __int128>(next()) * bound;
    auto low = static_cast<std::uint64_t>(prod);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        prod = static_cast<unsigned __int128>(next()) * bound;
        low = static_cast<std::uint64_t>(prod);
      }
    }
    return static_cast<std::uint64_t>(prod >> 64);
  }
};

template <class Rng>
void uniforms8(Rng& rng, double* u) {
  if constexpr (requires { rng.uniforms(u, 8); }) rng.uniforms(u, 8);
  else for (int t = 0; t < 8; ++t) u[t] = detail::uniform_open01(rng);
}

template <class Rng>
std::uint64_t binomial_skips_batched(std::uint64_t N, double a, Rng& rng) {
  if (N == 0 || !(a > 0)) return 0;  // p = 0
  if (std::isinf(a)) return N;       // p = 1
  const double inv_a = 1.0 / a;
  std::uint64_t count = 0;
  double pos = 0;
  const double limit = static_cast<double>(N);
  double u[8], lu[8];
#if defined(__AVX512F__)
  // The same successes as the loop below, 8 at a time: success t of a batch lies at trial index
  // base + sum_{i <= t} (gap_i + 1) - 1 (integer-valued doubles: exact sums below 2^53, and a sum
  // of non-negative terms rounds monotonically, so "below N" is decided as by the serial loop).
  const __m512d vinv = _mm512_set1_pd(inv_a), vlimit = _mm512_set1_pd(limit), one = _mm512_set1_pd(1.0);
  const __m512i sh1 = _mm512_setr_epi64(0, 0, 1, 2, 3, 4, 5, 6), sh2 = _mm512_setr_epi64(0, 0, 0, 1, 2, 3, 4, 5),
                sh4 = _mm512_setr_epi64(0, 0, 0, 0, 0, 1, 2, 3);
  for (;;) {
    uniforms8(rng, u);
    detail::log_batch(u, lu, 8);
    const __m512d gap = _mm512_roundscale_pd(_mm512_mul_pd(_mm512_sub_pd(_mm512_setzero_pd(), _mm512_loadu_pd(lu)), vinv), _MM_FROUND_TO_NEG_INF);
    __m512d x = _mm512_add_pd(gap, one);
    x = _mm512_mask_add_pd(x, 0xFE, x, _mm512_permutexvar_pd(sh1, x));
    x = _mm512_mask_add_pd(x, 0xFC, x, _mm512_permutexvar_pd(sh2, x));
    x = _mm512_mask_add_pd(x, 0xF0, x, _mm512_permutexvar_pd(sh4, x));
    const __m512d incl = _mm512_add_pd(x, _mm512_set1_pd(pos));  // pos: trials decided so far
    const __mmask8 ok = _mm512_cmp_pd_mask(_mm512_sub_pd(incl, one), vlimit, _CMP_LT_OQ);
    count += static_cast<std::uint64_t>(std::popcount(static_cast<unsigned>(ok)));
    if (ok != 0xFF) return count;
    alignas(64) double last[8];
    _mm512_store_pd(last, incl);
    pos = last[7];
  }
#else
  for (;;) {
    uniforms8(rng, u);
    detail::log_batch(u, lu, 8);
    for (int t = 0; t < 8; ++t) {  // E = -log U ~ Exp(1); gap = floor(E / a) as in binomial_by_skips
      pos += std::floor(-lu[t] * inv_a);
      if (!(pos < limit)) return count;
      ++count;
      if (count == N) return count;
      pos += 1;
    }
  }
#endif
}

// Binomial(N, p), p = 1 - e^{-a}, by inversion: P(0) = (1 - p)^N = e^{-a N}, P(k + 1) = P(k) (N - k) /
// (k + 1) * (e^a - 1) (the odds p / (1 - p) = expm1(a)), k = the first index whose running sum F(k)
// reaches U ~ Uniform(0, 1). One uniform and two exponentials per draw, ~E[m] multiplications; the
// same law as the skips. Used while e^{-a N} stays a normal double (a N <= 700), else the skips.
template <class Rng>
std::uint64_t binomial_inversion(std::uint64_t N, double a, Rng& rng) {
  if (N == 0 || !(a > 0)) return 0;
  if (std::isinf(a)) return N;
  const double aN = a * static_cast<double>(N);
  if (!(aN <= 700)) return binomial_skips_batched(N, a, rng);
  const double odds = std::expm1(a);
  double P = std::exp(-aN), F = P;
  double u;
  if constexpr (requires { rng.uniform(); }) u = rng.uniform(); else u = detail::uniform_open01(rng);
  std::uint64_t k = 0;
  while (u > F && k < N) {
    P *= static_cast<double>(N - k) / static_cast<double>(k + 1) * odds;
    ++k;
    F += P;
  }
  return k;
}

}  // namespace

namespace detail {
std::uint64_t binomial_by_skips_batched(std::uint64_t N, double a, core::Xoshiro256ss& rng) {
  return binomial_skips_batched(N, a, rng);
}
std::uint64_t binomial_by_inversion(std::uint64_t N, double a, core::Xoshiro256ss& rng) {
  return binomial_inversion(N, a, rng);
}
}  // namespace detail

namespace {

inline std::size_t hash_slot(std::uint32_t x, std::size_t mask) {
  return static_cast<std::size_t>((std::uint64_t(x) * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

// Starts a new generation of a stamped open-addressing table (all slots empty) with a power-of-two
// size >= want: the table is reallocated only to grow (or, every 2^32 generations, to clear), else
// only the slots in use are probed. Returns the mask (size - 1).
template <class Entry>
std::size_t new_generation(std::vector<Entry>& table, std::size_t& used_size, std::uint32_t& gen, std::size_t want) {
  std::size_t size = 64;
  while (size < want) size *= 2;
  if (table.size() < size || gen == std::numeric_limits<std::uint32_t>::max()) {
    table.assign(std::max(size, table.size()), Entry{});
    gen = 0;
  }
  ++gen;
  used_size = size;
  return size - 1;
}

}  // namespace

void LazyGumbelBlockSampler::sample(std::span<const LazyGumbelBlockRow> rows, std::size_t ell,
                                    const LazyGumbelBlockScore& score, core::Xoshiro256ss& rng,
                                    std::span<std::uint32_t> picks, LazyGumbelBlockStats* stats,
                                    const LazyGumbelBlockOptions& options) {
  const std::size_t R = rows.size();
  if (R == 0 || R > 64) throw ParameterError("rows", "a block needs 1 to 64 rows, got " + std::to_string(R));
  if (ell == 0) throw ParameterError("ell", "must be >= 1");
  if (picks.size() != R * ell)
    throw ParameterError("picks", "needs rows * ell = " + std::to_string(R * ell) + " entries, got " + std::to_string(picks.size()));
  const double frac = options.shared_max_fraction;
  if (!(frac >= 0 && frac <= 1)) throw ParameterError("shared_max_fraction", "must lie in [0, 1]");
  const LazyGumbelVariant variant = options.variant;
  const auto& prefetch = options.prefetch;
  const bool with_replacement = variant == LazyGumbelVariant::tail_with_replacement;

  // Validate the rows and build key -> mask of rows whose top-k set holds the key.
  std::size_t total_k = 0;
  for (std::size_t r = 0; r < R; ++r) {
    const auto& row = rows[r];
    const std::size_t k = row.topk.size();
    if (k == 0) throw ParameterError("k", "row " + std::to_string(r) + ": the top-k set must not be empty");
    if (k > row.n)
      throw ParameterError("k", "row " + std::to_string(r) + ": the top-k set has " + std::to_string(k) + " indices but n = " + std::to_string(row.n));
    if (!(row.slack >= 0) || std::isinf(row.slack)) throw ParameterError("slack", "row " + std::to_string(r) + ": must be finite and >= 0");
    total_k += k;
  }
  std::size_t smap_size = 0;
  const std::size_t smask = new_generation(smap_, smap_size, smap_gen_, 2 * total_k);
  for (std::size_t r = 0; r < R; ++r) {
    const std::uint64_t bit = std::uint64_t{1} << r;
    for (const std::uint32_t j : rows[r].topk) {
      if (j >= rows[r].n)
        throw ParameterError("topk", "row " + std::to_string(r) + ": index " + std::to_string(j) + " >= n = " + std::to_string(rows[r].n));
      std::size_t h = hash_slot(j, smask);
      while (smap_[h].stamp == smap_gen_ && smap_[h].key != j) h = (h + 1) & smask;
      if (smap_[h].stamp != smap_gen_) smap_[h] = {j, smap_gen_, 0};
      if (smap_[h].mask & bit) throw ParameterError("topk", "row " + std::to_string(r) + ": indices must be distinct");
      smap_[h].mask |= bit;
    }
  }
  std::size_t n_max = 0;
  for (const auto& row : rows) n_max = std::max(n_max, row.n);
  in_any_.assign((n_max + 63) / 64, 0);  // keys in some top-k set: most sequence keys skip the table
  for (const auto& row : rows)
    for (const std::uint32_t j : row.topk) in_any_[j >> 6] |= std::uint64_t{1} << (j & 63);
  auto in_topk_mask = [&](std::uint32_t x) -> std::uint64_t {
    if (!(in_any_[x >> 6] >> (x & 63) & 1)) return 0;
    std::size_t h = hash_slot(x, smask);
    while (smap_[h].stamp == smap_gen_) {
      if (smap_[h].key == x) return smap_[h].mask;
      h = (h + 1) & smask;
    }
    return 0;
  };
  LocalRng lrng(rng);

  // Heads: the top-k scores once per row, through the same bulk function as the tails.
  if (rows_.size() < R) rows_.resize(R);
  for (std::size_t r = 0; r < R; ++r) {
    RowState& st = rows_[r];
    const auto S = rows[r].topk;
    const std::size_t k = S.size();
    st.s.resize(k);
    st.cdf.resize(k);
    st.sorted.clear();
    one_row_.assign(1, static_cast<std::uint32_t>(r));
    score(one_row_, S, st.s.data());
    double mx = -std::numeric_limits<double>::infinity();
    st.s_min = std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < k; ++t) {
      const double s = st.s[t];
      if (std::isnan(s) || std::isinf(s))
        throw ParameterError("score", "row " + std::to_string(r) + ": score of key " + std::to_string(S[t]) + " is not finite");
      mx = std::max(mx, s);
      st.s_min = std::min(st.s_min, s);
    }
    for (std::size_t t = 0; t < k; ++t) st.cdf[t] = st.s[t] - mx;
    detail::exp_batch(st.cdf.data(), st.cdf.data(), k);
    double z = 0;
    for (std::size_t t = 0; t < k; ++t) st.cdf[t] = (z += st.cdf[t]);
    st.log_z = mx + std::log(z);
    st.tail_n = rows[r].n - k;
  }
  if (stats) {
    stats->head_evals += total_k;
    if (stats->row_tail_draws.size() < R) stats->row_tail_draws.resize(R, 0);
  }

  // Per-sample state of each row.
  std::vector<double> M(R), p(R);
  std::vector<std::uint32_t> best(R);
  std::vector<std::uint64_t> m(R), target(R);

  // Step 4 for one row: its tail scores in buf_s_[0..cnt), truncated Gumbels, the running argmax.
  auto finish_tail = [&](std::size_t r, const std::uint32_t* keys, std::size_t cnt) {
    buf_v_.resize((cnt + 7) / 8 * 8);
    buf_x_.resize(cnt);
    lrng.uniforms(buf_v_.data(), cnt);
    const double minus_p = -p[r];
    for (std::size_t i = 0; i < cnt; ++i) buf_v_[i] *= minus_p;  // -V p
    detail::log1p_batch(buf_v_.data(), buf_x_.data(), cnt);                              // log1p(-V p) = -X
    for (std::size_t i = 0; i < cnt; ++i) buf_x_[i] = -buf_x_[i];                         // X in (0, a)
    detail::log_batch(buf_x_.data(), buf_v_.data(), cnt);                                 // log X = -G
    // v_i = s_i + G_i into buf_x_, their maximum, and a check that every score is finite (s * 0 is
    // +-0 for a finite s, NaN otherwise); then the first index of the maximum, if it beats M_r
    // (the same winner as scanning for v > M_r in order).
    double vmax = -std::numeric_limits<double>::infinity(), zero_sum = 0;
    std::size_t i = 0;
#if defined(__AVX512F__)
    __m512d vm = _mm512_set1_pd(vmax), zs = _mm512_setzero_pd();
    for (; i + 8 <= cnt; i += 8) {
      const __m512d sv = _mm512_loadu_pd(buf_s_.data() + i);
      const __m512d v = _mm512_sub_pd(sv, _mm512_loadu_pd(buf_v_.data() + i));
      _mm512_storeu_pd(buf_x_.data() + i, v);
      vm = _mm512_max_pd(vm, v);
      zs = _mm512_add_pd(zs, _mm512_mul_pd(sv, _mm512_setzero_pd()));
    }
    vmax = _mm512_reduce_max_pd(vm);
    zero_sum = _mm512_reduce_add_pd(zs);
#endif
    for (; i < cnt; ++i) {
      const double v = buf_s_[i] - buf_v_[i];
      buf_x_[i] = v;
      vmax = std::max(vmax, v);
      zero_sum += buf_s_[i] * 0.0;
    }
    if (!(zero_sum == 0))
      for (std::size_t j = 0; j < cnt; ++j)
        if (std::isnan(buf_s_[j]) || std::isinf(buf_s_[j]))
          throw ParameterError("score", "row " + std::to_string(r) + ": score of key " + std::to_string(keys[j]) + " is not finite");
    if (vmax > M[r])
      for (std::size_t j = 0; j < cnt; ++j)
        if (buf_x_[j] == vmax) { best[r] = keys[j]; break; }
  };

  for (std::size_t t = 0; t < ell; ++t) {
    std::uint64_t needing = 0;
    std::size_t shared_total = 0;
    scored_rows_.clear();
    // 1. heads and tail sizes; fallback rows finish at once.
    for (std::size_t r = 0; r < R; ++r) {
      const RowState& st = rows_[r];
      const auto S = rows[r].topk;
      const double u = lrng.uniform() * st.cdf.back();
      const std::size_t J = std::min<std::size_t>(std::size_t(std::upper_bound(st.cdf.begin(), st.cdf.end(), u) - st.cdf.begin()), S.size() - 1);
      M[r] = st.log_z - std::log(-std::log(lrng.uniform()));  // + Gumbel(0, 1)
      best[r] = S[J];
      double B = M[r] - st.s_min - rows[r].slack;
      if (variant == LazyGumbelVariant::b_off_by_one) B += 1;
      const double a = std::exp(-B);
      p[r] = -std::expm1(-a);
      m[r] = binomial_inversion(st.tail_n, a, lrng);
      if (stats) {
        stats->samples += 1;
        stats->tail_draws += m[r];
        stats->zero_tail += (m[r] == 0);
        stats->row_tail_draws[r] += m[r];
      }
      if (m[r] == 0) continue;
      if (static_cast<double>(m[r]) <= frac * static_cast<double>(st.tail_n)) {
        needing |= std::uint64_t{1} << r;
        scored_rows_.push_back(static_cast<std::uint32_t>(r));
        shared_total += m[r];
        continue;
      }
      // Fallback: Floyd's algorithm on row r's own admissible non-top keys (LazyGumbelTopK's path).
      RowState& sr = rows_[r];
      if (sr.sorted.empty()) {
        sr.sorted.assign(S.begin(), S.end());
        std::sort(sr.sorted.begin(), sr.sorted.end());
      }
      if (with_replacement) {
        ranks_.clear();
        for (std::uint64_t i = 0; i < m[r]; ++i) ranks_.push_back(rng.below(sr.tail_n));
      } else {
        detail::floyd_ranks(sr.tail_n, m[r], rng, ranks_);
      }
      fallback_keys_.clear();
      for (const std::uint64_t rank : ranks_) fallback_keys_.push_back(detail::rank_to_index(rank, sr.sorted));
      one_row_.assign(1, static_cast<std::uint32_t>(r));
      buf_s_.resize(fallback_keys_.size());
      score(one_row_, fallback_keys_, buf_s_.data());
      finish_tail(r, fallback_keys_.data(), fallback_keys_.size());
      if (stats) {
        stats->fallback_rows += 1;
        stats->tail_evals += fallback_keys_.size();
      }
    }
    // 2. the shared sequence for the rows in `needing`.
    if (needing) {
      // seq_: the drawn keys some needing row takes, in order; exc_[i]: the rows (needing then) for
      // which seq_[i] is not admissible (rare: key >= n_r or in S_r). Row r has taken
      // L - #{i < L: r in exc_[i]} keys after L entries, so it is done when L reaches
      // target[r] = m_r + (its exceptions so far).
      std::size_t N = 0, n_min = std::numeric_limits<std::size_t>::max();
      std::uint64_t next_target = std::numeric_limits<std::uint64_t>::max();
      for (const std::uint32_t r : scored_rows_) {
        N = std::max(N, rows[r].n);
        n_min = std::min(n_min, rows[r].n);
        target[r] = m[r];
        next_target = std::min(next_target, m[r]);
      }
      seq_.clear();
      exc_.clear();
      std::uint64_t drawn = 0;
      // Row r stops after about (m_r + 1) N / (n_r - k_r) draws; the table is sized for the largest
      // such estimate (at most shared_max_fraction N + N / A) and grows if the sequence runs longer.
      double expect = 0;
      for (const std::uint32_t r : scored_rows_)
        expect = std::max(expect, double(m[r] + 1) * double(N) / double(std::max<std::uint64_t>(rows_[r].tail_n, 1)));
      std::size_t seen_size = 0;
      std::size_t vmask = new_generation(seen_, seen_size, seen_gen_, 4 * std::min<std::size_t>(N, std::size_t(expect) + 16));
      std::size_t seen_count = 0;
      while (needing) {
        const auto x = static_cast<std::uint32_t>(lrng.below(N));
        if (!with_replacement) {
          std::size_t h = hash_slot(x, vmask);
          bool repeat = false;
          while (seen_[h].stamp == seen_gen_) {
            if (seen_[h].key == x) { repeat = true; break; }
            h = (h + 1) & vmask;
          }
          if (repeat) continue;
          seen_[h] = {x, seen_gen_};
          if (++seen_count * 2 > seen_size) {  // rehash into a table twice the size
            std::vector<std::uint32_t> old;
            for (std::size_t i = 0; i < seen_size; ++i)
              if (seen_[i].stamp == seen_gen_) old.push_back(seen_[i].key);
            vmask = new_generation(seen_, seen_size, seen_gen_, 2 * seen_size);
            for (const std::uint32_t y : old) {
              std::size_t g = hash_slot(y, vmask);
              while (seen_[g].stamp == seen_gen_) g = (g + 1) & vmask;
              seen_[g] = {y, seen_gen_};
            }
          }
        }
        ++drawn;
        std::uint64_t exc = in_topk_mask(x) & needing;
        if (x >= n_min)
          for (std::uint64_t b = needing; b; b &= b - 1) {
            const int r = std::countr_zero(b);
            if (x >= rows[r].n) exc |= std::uint64_t{1} << r;
          }
        if (exc == needing) continue;  // no row that still needs keys may take x
        seq_.push_back(x);
        exc_.push_back(exc);
        if (prefetch) prefetch(x);  // the key's row loads while the sequence goes on
        const std::uint64_t L = seq_.size();
        if (exc) {
          for (std::uint64_t b = exc; b; b &= b - 1) ++target[std::countr_zero(b)];
          next_target = std::numeric_limits<std::uint64_t>::max();
          for (std::uint64_t b = needing; b; b &= b - 1) next_target = std::min(next_target, target[std::countr_zero(b)]);
        }
        if (L == next_target) {  // x was the m_r-th admissible key of these rows
          next_target = std::numeric_limits<std::uint64_t>::max();
          for (std::uint64_t b = needing; b; b &= b - 1) {
            const int r = std::countr_zero(b);
            if (target[r] == L) needing &= ~(std::uint64_t{1} << r);
            else next_target = std::min(next_target, target[r]);
          }
        }
      }
      if (stats) {
        stats->sequences += 1;
        stats->sequence_length += drawn;
        stats->sequence_keys += seq_.size();
        stats->tail_evals += shared_total;
      }
      // 3.-4. each row's tail keys (sequence keys the rows share: their rows of K stay in cache) are
      // scored by one call per row, then its truncated Gumbels.
      for (const std::uint32_t r : scored_rows_) {
        const std::size_t cnt = m[r];
        buf_s_.resize(cnt);
        fallback_keys_.resize(cnt);
        const std::uint64_t bit = std::uint64_t{1} << r;
        std::size_t c = 0;
        for (std::size_t i = 0; c < cnt && i < seq_.size(); ++i)  // row r's first m_r admissible keys
          if (!(exc_[i] & bit)) fallback_keys_[c++] = seq_[i];
        if (c != cnt) throw std::logic_error("lazy_gumbel_block: a row's tail is short (internal error)");
        one_row_.assign(1, r);
        score(one_row_, fallback_keys_, buf_s_.data());
        finish_tail(r, fallback_keys_.data(), cnt);
      }
    }
    for (std::size_t r = 0; r < R; ++r) picks[r * ell + t] = best[r];
  }
}

// ---- DenseDotScorer ----

namespace {

// <q, k> in the documented order: 16 lane sums (lane l: an fma chain over the coordinates
// x = l, l + 16, ... in increasing order, a missing coordinate as fma(0, 0, .)), then the pairwise
// tree (l, l + 8), (l, l + 4), (l, l + 2), (0, 1).
[[maybe_unused]] inline float dot_lanes16(const float* q, const float* k, std::size_t d) {
#if defined(__AVX512F__)
  __m512 acc = _mm512_setzero_ps();
  std::size_t x = 0;
  for (; x + 16 <= d; x += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + x), _mm512_loadu_ps(k + x), acc);
  if (x < d) {
    const __mmask16 m = static_cast<__mmask16>((1u << (d - x)) - 1);
    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + x), _mm512_maskz_loadu_ps(m, k + x), acc);
  }
  const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(acc),
                                  _mm512_castps512_ps256(_mm512_shuffle_f32x4(acc, acc, 0xEE)));
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  const __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
#else
  float acc[16] = {};
  for (std::size_t x0 = 0; x0 < d; x0 += 16)
    for (std::size_t l = 0; l < 16; ++l) {
      const std::size_t x = x0 + l;
      acc[l] = std::fma(x < d ? q[x] : 0.0f, x < d ? k[x] : 0.0f, acc[l]);
    }
  for (std::size_t w = 8; w >= 1; w /= 2)
    for (std::size_t l = 0; l < w; ++l) acc[l] = acc[l] + acc[l + w];
  return acc[0];
#endif
}

}  // namespace

#if defined(__AVX512F__)
// 16 dots at once in dot_lanes16's order: acc[j] holds the 16 lane sums of dot j; the tree
// (l, l + 8), (l, l + 4), (l, l + 2), (0, 1) is applied to all 16 at once by pairing registers
// (stage 1 pairs dots j and j + 8, ...), which leaves dot perm[i] in lane i; a final permutation
// puts dot i in lane i. Each dot's additions are exactly dot_lanes16's.
inline __m512 reduce16(__m512 (&A)[16]) {
  __m512 B[8], C[4], Dv[2];
  for (int j = 0; j < 8; ++j)
    B[j] = _mm512_add_ps(_mm512_shuffle_f32x4(A[j], A[j + 8], 0x44), _mm512_shuffle_f32x4(A[j], A[j + 8], 0xEE));
  for (int j = 0; j < 4; ++j)
    C[j] = _mm512_add_ps(_mm512_shuffle_f32x4(B[j], B[j + 4], 0x88), _mm512_shuffle_f32x4(B[j], B[j + 4], 0xDD));
  for (int j = 0; j < 2; ++j)
    Dv[j] = _mm512_add_ps(_mm512_shuffle_ps(C[j], C[j + 2], 0x44), _mm512_shuffle_ps(C[j], C[j + 2], 0xEE));
  const __m512 E = _mm512_add_ps(_mm512_shuffle_ps(Dv[0], Dv[1], 0x88), _mm512_shuffle_ps(Dv[0], Dv[1], 0xDD));
  const __m512i idx = _mm512_setr_epi32(0, 2, 1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15);
  return _mm512_permutexvar_ps(idx, E);
}
#endif

void DenseDotScorer::prefetch(std::uint32_t key) const {
  const char* pf = reinterpret_cast<const char*>(K_ + std::size_t(key) * d_);
  for (std::size_t o = 0; o < d_ * sizeof(float); o += 64) __builtin_prefetch(pf + o);
}

void DenseDotScorer::operator()(std::span<const std::uint32_t> rows, std::span<const std::uint32_t> keys, double* out) {
  const std::size_t L = keys.size(), d = d_;
  if (L == 0) return;
#if defined(__AVX512F__)
  const std::size_t full = d / 16, rest = d % 16;
  const __mmask16 rmask = static_cast<__mmask16>((1u << rest) - 1);
  for (std::size_t a = 0; a < rows.size(); ++a) {
    const float* q = queries[rows[a]];
    for (std::size_t b0 = 0; b0 < L; b0 += 16) {
      const std::size_t cnt = std::min<std::size_t>(16, L - b0);
      if (b0 + 16 < L)  // the next group's rows
        for (std::size_t b = b0 + 16; b < std::min(L, b0 + 32); ++b) {
          const char* pf = reinterpret_cast<const char*>(K_ + std::size_t(keys[b]) * d);
          for (std::size_t o = 0; o < d * sizeof(float); o += 64) __builtin_prefetch(pf + o);
        }
      const float* kr[16];
      for (std::size_t j = 0; j < 16; ++j) kr[j] = K_ + std::size_t(keys[b0 + std::min(j, cnt - 1)]) * d;  // pad: repeat the last
      __m512 acc[16];
      for (auto& v : acc) v = _mm512_setzero_ps();
      for (std::size_t c = 0; c < full; ++c) {
        const __m512 qv = _mm512_loadu_ps(q + 16 * c);
        for (std::size_t j = 0; j < 16; ++j) acc[j] = _mm512_fmadd_ps(qv, _mm512_loadu_ps(kr[j] + 16 * c), acc[j]);
      }
      if (rest) {
        const __m512 qv = _mm512_maskz_loadu_ps(rmask, q + 16 * full);
        for (std::size_t j = 0; j < 16; ++j) acc[j] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(rmask, kr[j] + 16 * full), acc[j]);
      }
      const __m512 sums = reduce16(acc);
      const __m512d vscale = _mm512_set1_pd(scale_);
      const __m512d lo = _mm512_mul_pd(vscale, _mm512_cvtps_pd(_mm512_castps512_ps256(sums)));
      const __m512d hi = _mm512_mul_pd(vscale, _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_shuffle_f32x4(sums, sums, 0xEE))));
      double* o = out + a * L + b0;
      const unsigned full_mask = cnt >= 16 ? 0xFFFFu : (1u << cnt) - 1;
      _mm512_mask_storeu_pd(o, static_cast<__mmask8>(full_mask & 0xFF), lo);
      _mm512_mask_storeu_pd(o + 8, static_cast<__mmask8>(full_mask >> 8), hi);
    }
  }
#else
  for (std::size_t a = 0; a < rows.size(); ++a) {
    const float* q = queries[rows[a]];
    detail::for_each_prefetched(
        L, d * sizeof(float), [&](std::size_t b) { return K_ + std::size_t(keys[b]) * d; },
        [&](std::size_t b) { out[a * L + b] = scale_ * double(dot_lanes16(q, K_ + std::size_t(keys[b]) * d, d)); });
  }
#endif
}

}  // namespace attncert::reductions::knn
