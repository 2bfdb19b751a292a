// Block lazy Gumbel sampling (lazy_gumbel_block.hpp): the shared tail sequence, the vectorised
// logarithms and the dense score function.
#include "attncert/reductions/lazy_gumbel_block.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#if (defined(ATTNCERT_MVEC_AVX512) && defined(__AVX512F__)) || (defined(ATTNCERT_MVEC_AVX2) && defined(__AVX2__)) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#if defined(ATTNCERT_MVEC_AVX512) && defined(__AVX512F__)
#define ATTNCERT_LOG_WIDTH 8
extern "C" __m512d _ZGVeN8v_log(__m512d);
extern "C" __m512d _ZGVeN8v_log1p(__m512d);
#elif defined(ATTNCERT_MVEC_AVX2) && defined(__AVX2__)
#define ATTNCERT_LOG_WIDTH 4
extern "C" __m256d _ZGVdN4v_log(__m256d);
extern "C" __m256d _ZGVdN4v_log1p(__m256d);
#else
#define ATTNCERT_LOG_WIDTH 1
#endif

namespace attncert::reductions::knn {

namespace detail {

bool vector_log_built() { return ATTNCERT_LOG_WIDTH > 1; }

void log_batch(const double* in, double* out, std::size_t n) {
  std::size_t i = 0;
#if ATTNCERT_LOG_WIDTH == 8
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(out + i, _ZGVeN8v_log(_mm512_loadu_pd(in + i)));
#elif ATTNCERT_LOG_WIDTH == 4
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, _ZGVdN4v_log(_mm256_loadu_pd(in + i)));
#endif
  for (; i < n; ++i) out[i] = std::log(in[i]);
}

void log1p_batch(const double* in, double* out, std::size_t n) {
  std::size_t i = 0;
#if ATTNCERT_LOG_WIDTH == 8
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(out + i, _ZGVeN8v_log1p(_mm512_loadu_pd(in + i)));
#elif ATTNCERT_LOG_WIDTH == 4
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, _ZGVdN4v_log1p(_mm256_loadu_pd(in + i)));
#endif
  for (; i < n; ++i) out[i] = std::log1p(in[i]);
}

std::uint64_t binomial_by_skips_batched(std::uint64_t N, double a, core::Xoshiro256ss& rng) {
  if (N == 0 || !(a > 0)) return 0;  // p = 0
  if (std::isinf(a)) return N;       // p = 1
  const double inv_a = 1.0 / a;
  std::uint64_t count = 0;
  double pos = 0;
  const double limit = static_cast<double>(N);
  double u[8], lu[8];
  for (;;) {
    for (double& x : u) x = uniform_open01(rng);
    log_batch(u, lu, 8);
    for (int t = 0; t < 8; ++t) {  // E = -log U ~ Exp(1); gap = floor(E / a) as in binomial_by_skips
      pos += std::floor(-lu[t] * inv_a);
      if (!(pos < limit)) return count;
      ++count;
      if (count == N) return count;
      pos += 1;
    }
  }
}

}  // namespace detail

namespace {

inline std::size_t hash_slot(std::uint32_t x, std::size_t mask) {
  return static_cast<std::size_t>((std::uint64_t(x) * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

// Grows a stamped open-addressing table to at least `want` slots (power of two) and starts a new
// generation (all slots empty).
void new_generation(std::vector<std::uint32_t>& stamp, std::uint32_t& gen, std::size_t want,
                    std::vector<std::uint32_t>* keys, std::vector<std::uint64_t>* masks) {
  std::size_t size = 64;
  while (size < want) size *= 2;
  if (stamp.size() < size || gen == std::numeric_limits<std::uint32_t>::max()) {
    stamp.assign(std::max(size, stamp.size()), 0);
    if (keys) keys->resize(stamp.size());
    if (masks) masks->resize(stamp.size());
    gen = 0;
  }
  ++gen;
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
  new_generation(smap_stamp_, smap_gen_, 2 * total_k, &smap_key_, &smap_mask_);
  const std::size_t smask = smap_stamp_.size() - 1;
  for (std::size_t r = 0; r < R; ++r) {
    const std::uint64_t bit = std::uint64_t{1} << r;
    for (const std::uint32_t j : rows[r].topk) {
      if (j >= rows[r].n)
        throw ParameterError("topk", "row " + std::to_string(r) + ": index " + std::to_string(j) + " >= n = " + std::to_string(rows[r].n));
      std::size_t h = hash_slot(j, smask);
      while (smap_stamp_[h] == smap_gen_ && smap_key_[h] != j) h = (h + 1) & smask;
      if (smap_stamp_[h] != smap_gen_) {
        smap_stamp_[h] = smap_gen_;
        smap_key_[h] = j;
        smap_mask_[h] = 0;
      }
      if (smap_mask_[h] & bit) throw ParameterError("topk", "row " + std::to_string(r) + ": indices must be distinct");
      smap_mask_[h] |= bit;
    }
  }
  auto in_topk_mask = [&](std::uint32_t x) -> std::uint64_t {
    std::size_t h = hash_slot(x, smask);
    while (smap_stamp_[h] == smap_gen_) {
      if (smap_key_[h] == x) return smap_mask_[h];
      h = (h + 1) & smask;
    }
    return 0;
  };

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
    double z = 0;
    for (std::size_t t = 0; t < k; ++t) st.cdf[t] = (z += std::exp(st.s[t] - mx));
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
  std::vector<std::uint64_t> m(R), filled(R);
  if (tail_begin_.size() < R + 1) tail_begin_.resize(R + 1);

  // Step 4 for one row: its tail scores in buf_s_[0..cnt), truncated Gumbels, the running argmax.
  auto finish_tail = [&](std::size_t r, const std::uint32_t* keys, std::size_t cnt) {
    buf_v_.resize(cnt);
    buf_x_.resize(cnt);
    for (std::size_t i = 0; i < cnt; ++i) buf_v_[i] = -detail::uniform_open01(rng) * p[r];  // -V p
    detail::log1p_batch(buf_v_.data(), buf_x_.data(), cnt);                              // log1p(-V p) = -X
    for (std::size_t i = 0; i < cnt; ++i) buf_x_[i] = -buf_x_[i];                         // X in (0, a)
    detail::log_batch(buf_x_.data(), buf_v_.data(), cnt);                                 // log X = -G
    double Mr = M[r];
    std::uint32_t br = best[r];
    for (std::size_t i = 0; i < cnt; ++i) {
      const double s = buf_s_[i];
      if (std::isnan(s) || std::isinf(s))
        throw ParameterError("score", "row " + std::to_string(r) + ": score of key " + std::to_string(keys[i]) + " is not finite");
      const double v = s - buf_v_[i];
      if (v > Mr) { Mr = v; br = keys[i]; }
    }
    best[r] = br;
  };

  for (std::size_t t = 0; t < ell; ++t) {
    std::uint64_t needing = 0;
    std::size_t shared_total = 0;
    scored_rows_.clear();
    // 1. heads and tail sizes; fallback rows finish at once.
    for (std::size_t r = 0; r < R; ++r) {
      const RowState& st = rows_[r];
      const auto S = rows[r].topk;
      const double u = detail::uniform_open01(rng) * st.cdf.back();
      const std::size_t J = std::min<std::size_t>(std::size_t(std::upper_bound(st.cdf.begin(), st.cdf.end(), u) - st.cdf.begin()), S.size() - 1);
      M[r] = st.log_z + detail::standard_gumbel(rng);
      best[r] = S[J];
      double B = M[r] - st.s_min - rows[r].slack;
      if (variant == LazyGumbelVariant::b_off_by_one) B += 1;
      const double a = std::exp(-B);
      p[r] = -std::expm1(-a);
      m[r] = detail::binomial_by_skips_batched(st.tail_n, a, rng);
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
      std::size_t N = 0, n_min = std::numeric_limits<std::size_t>::max();
      std::size_t off = 0;
      for (const std::uint32_t r : scored_rows_) {
        N = std::max(N, rows[r].n);
        n_min = std::min(n_min, rows[r].n);
        tail_begin_[r] = off;
        off += m[r];
        filled[r] = 0;
      }
      tail_pos_.resize(off);
      seq_.clear();  // the keys some row uses, in sequence order (a compact index per used key)
      std::uint64_t drawn = 0;
      // The expected length is about N * max_r m_r / (n_r - k_r) <= frac * N; the table grows if needed.
      new_generation(seen_stamp_, seen_gen_, 4 * std::min<std::size_t>(N, 2 * shared_total + 64), &seen_key_, nullptr);
      std::size_t seen_count = 0;
      while (needing) {
        const auto x = static_cast<std::uint32_t>(rng.below(N));
        if (!with_replacement) {
          std::size_t vmask = seen_stamp_.size() - 1;
          std::size_t h = hash_slot(x, vmask);
          bool repeat = false;
          while (seen_stamp_[h] == seen_gen_) {
            if (seen_key_[h] == x) { repeat = true; break; }
            h = (h + 1) & vmask;
          }
          if (repeat) continue;
          seen_stamp_[h] = seen_gen_;
          seen_key_[h] = x;
          if (++seen_count * 2 > seen_stamp_.size()) {  // rehash into a table twice the size
            std::vector<std::uint32_t> old;
            for (std::size_t i = 0; i < seen_stamp_.size(); ++i)
              if (seen_stamp_[i] == seen_gen_) old.push_back(seen_key_[i]);
            new_generation(seen_stamp_, seen_gen_, 2 * seen_stamp_.size(), &seen_key_, nullptr);
            vmask = seen_stamp_.size() - 1;
            for (const std::uint32_t y : old) {
              std::size_t g = hash_slot(y, vmask);
              while (seen_stamp_[g] == seen_gen_) g = (g + 1) & vmask;
              seen_stamp_[g] = seen_gen_;
              seen_key_[g] = y;
            }
          }
        }
        ++drawn;
        std::uint64_t bits = needing;
        if (x >= n_min)
          for (std::uint64_t b = bits; b; b &= b - 1) {
            const int r = std::countr_zero(b);
            if (x >= rows[r].n) bits &= ~(std::uint64_t{1} << r);
          }
        if (!bits) continue;
        bits &= ~in_topk_mask(x);
        if (!bits) continue;
        const auto idx = static_cast<std::uint32_t>(seq_.size());
        seq_.push_back(x);
        for (; bits; bits &= bits - 1) {
          const int r = std::countr_zero(bits);
          tail_pos_[tail_begin_[r] + filled[r]] = idx;
          if (++filled[r] == m[r]) needing &= ~(std::uint64_t{1} << r);
        }
      }
      // 3. one bulk score call for the used keys and the rows that need a tail.
      const std::size_t L = seq_.size();
      scores_.resize(scored_rows_.size() * L);
      score(scored_rows_, seq_, scores_.data());
      if (stats) {
        stats->sequences += 1;
        stats->sequence_length += drawn;
        stats->tail_evals += scored_rows_.size() * L;
      }
      // 4. each row's truncated Gumbels over its tail.
      for (std::size_t a = 0; a < scored_rows_.size(); ++a) {
        const std::uint32_t r = scored_rows_[a];
        const std::size_t cnt = m[r];
        buf_s_.resize(cnt);
        fallback_keys_.resize(cnt);
        const std::uint32_t* pos = tail_pos_.data() + tail_begin_[r];
        for (std::size_t i = 0; i < cnt; ++i) {
          buf_s_[i] = scores_[a * L + pos[i]];
          fallback_keys_[i] = seq_[pos[i]];
        }
        finish_tail(r, fallback_keys_.data(), cnt);
      }
    }
    for (std::size_t r = 0; r < R; ++r) picks[r * ell + t] = best[r];
  }
}

// ---- DenseDotScorer ----

namespace {

#if defined(__AVX512F__)
// acc[r][c] = chain of fmas over the d coordinates for rows q[0..NR) and key chunks c (16 keys each)
template <int NR, int NC>
inline void dot_tile(const float* const* q, const float* kt, std::size_t Lp, std::size_t d, std::size_t l0, float* out,
                     std::size_t ld) {
  __m512 acc[NR][NC];
  for (int r = 0; r < NR; ++r)
    for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_setzero_ps();
  for (std::size_t x = 0; x < d; ++x) {
    const float* row = kt + x * Lp + l0;
    __m512 kv[NC];
    for (int c = 0; c < NC; ++c) kv[c] = _mm512_loadu_ps(row + 16 * c);
    for (int r = 0; r < NR; ++r) {
      const __m512 qv = _mm512_set1_ps(q[r][x]);
      for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_fmadd_ps(qv, kv[c], acc[r][c]);
    }
  }
  for (int r = 0; r < NR; ++r)
    for (int c = 0; c < NC; ++c) _mm512_storeu_ps(out + r * ld + l0 + 16 * c, acc[r][c]);
}

template <int NR>
inline void dot_rows(const float* const* q, const float* kt, std::size_t Lp, std::size_t d, float* out) {
  std::size_t l0 = 0;
  for (; l0 + 64 <= Lp; l0 += 64) dot_tile<NR, 4>(q, kt, Lp, d, l0, out, Lp);
  for (; l0 < Lp; l0 += 16) dot_tile<NR, 1>(q, kt, Lp, d, l0, out, Lp);
}
#endif

}  // namespace

void DenseDotScorer::operator()(std::span<const std::uint32_t> rows, std::span<const std::uint32_t> keys, double* out) {
  const std::size_t L = keys.size(), d = d_;
  if (L == 0 || rows.empty()) return;
  const std::size_t Lp = (L + 15) / 16 * 16;
  kt_.resize(d * Lp);
  constexpr std::size_t ahead = 8;
  for (std::size_t b = 0; b < L; ++b) {
    if (b + ahead < L) {
      const char* pf = reinterpret_cast<const char*>(K_ + std::size_t(keys[b + ahead]) * d);
      for (std::size_t o = 0; o < d * sizeof(float); o += 64) __builtin_prefetch(pf + o);
    }
    const float* kr = K_ + std::size_t(keys[b]) * d;
    for (std::size_t x = 0; x < d; ++x) kt_[x * Lp + b] = kr[x];
  }
  for (std::size_t x = 0; x < d; ++x)
    for (std::size_t b = L; b < Lp; ++b) kt_[x * Lp + b] = 0;
  acc_.resize(2 * Lp);
  std::size_t a = 0;
#if defined(__AVX512F__)
  for (; a + 2 <= rows.size(); a += 2) {
    const float* q[2] = {queries[rows[a]], queries[rows[a + 1]]};
    dot_rows<2>(q, kt_.data(), Lp, d, acc_.data());
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t b = 0; b < L; ++b) out[(a + r) * L + b] = scale_ * double(acc_[r * Lp + b]);
  }
  for (; a < rows.size(); ++a) {
    const float* q[1] = {queries[rows[a]]};
    dot_rows<1>(q, kt_.data(), Lp, d, acc_.data());
    for (std::size_t b = 0; b < L; ++b) out[a * L + b] = scale_ * double(acc_[b]);
  }
#else
  for (; a < rows.size(); ++a) {
    const float* q = queries[rows[a]];
    for (std::size_t b = 0; b < L; ++b) {
      float s = 0;
      for (std::size_t x = 0; x < d; ++x) s = std::fma(q[x], kt_[x * Lp + b], s);
      out[a * L + b] = scale_ * double(s);
    }
  }
#endif
}

}  // namespace attncert::reductions::knn
