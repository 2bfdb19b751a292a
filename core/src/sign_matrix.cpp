#include "attncert/core/sign_matrix.hpp"

#include <omp.h>

#include <algorithm>
#include <stdexcept>

#include "attncert/core/rng.hpp"
#include "gram_kernels.hpp"

namespace attncert::core {

SignMatrix::SignMatrix(std::size_t rows, std::size_t cols)
    : rows_(rows), cols_(cols), words_((cols + 63) / 64), bits_(rows * words_, 0) {
  if (cols == 0) throw std::invalid_argument("SignMatrix: d must be >= 1");
}

void SignMatrix::set(std::size_t i, std::size_t c, int sign) {
  if (sign != 1 && sign != -1) throw std::invalid_argument("SignMatrix::set: sign must be +1 or -1");
  std::uint64_t bit = std::uint64_t{1} << (c & 63);
  if (sign < 0) row(i)[c >> 6] |= bit;
  else row(i)[c >> 6] &= ~bit;
}

std::size_t SignMatrix::distance(std::size_t i, std::size_t j) const {
  std::size_t pc = 0;
  for (std::size_t w = 0; w < words_; ++w) pc += static_cast<std::size_t>(__builtin_popcountll(row(i)[w] ^ row(j)[w]));
  return pc;
}

long SignMatrix::inner(std::size_t i, std::size_t j) const {
  return static_cast<long>(cols_) - 2 * static_cast<long>(distance(i, j));
}

SignMatrix SignMatrix::random(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  SignMatrix s(rows, cols);
  Xoshiro256ss rng(seed);
  const std::size_t tail = cols & 63;
  const std::uint64_t last_mask = tail ? (std::uint64_t{1} << tail) - 1 : ~std::uint64_t{0};
  for (std::size_t i = 0; i < rows; ++i) {
    std::uint64_t* r = s.row(i);
    for (std::size_t w = 0; w < s.words_; ++w) r[w] = rng.next();
    r[s.words_ - 1] &= last_mask;
  }
  return s;
}

long GramHistogram::max_inner_row(std::size_t i) const {
  const std::uint32_t* h = row(i);
  for (std::size_t k = 0; k <= cols_; ++k)
    if (h[k]) return inner_of(cols_, k);
  throw std::logic_error("GramHistogram::max_inner_row: row has no other rows");
}

long GramHistogram::max_inner() const {
  if (rows_ < 2) throw std::logic_error("GramHistogram::max_inner: needs at least 2 rows");
  long m = -static_cast<long>(cols_);
  for (std::size_t i = 0; i < rows_; ++i) m = std::max(m, max_inner_row(i));
  return m;
}

std::vector<std::uint64_t> GramHistogram::total() const {
  std::vector<std::uint64_t> t(cols_ + 1, 0);
  for (std::size_t i = 0; i < rows_; ++i)
    for (std::size_t k = 0; k <= cols_; ++k) t[k] += row(i)[k];
  return t;
}

std::pair<std::size_t, std::size_t> max_inner_witness(const SignMatrix& s, const GramHistogram& h) {
  const long m = h.max_inner();
  for (std::size_t i = 0; i < s.rows(); ++i)
    if (h.max_inner_row(i) == m)
      for (std::size_t j = 0; j < s.rows(); ++j)
        if (j != i && s.inner(i, j) == m) return {i, j};
  throw std::logic_error("max_inner_witness: histogram does not match the matrix");
}

GramHistogram gram_histogram_naive(const SignMatrix& s) {
  GramHistogram h(s.rows(), s.cols());
  for (std::size_t i = 0; i < s.rows(); ++i)
    for (std::size_t j = 0; j < s.rows(); ++j) {
      if (i == j) continue;
      long ip = 0;
      for (std::size_t c = 0; c < s.cols(); ++c) ip += s.entry(i, c) * s.entry(j, c);
      h.row(i)[static_cast<std::size_t>((static_cast<long>(s.cols()) - ip) / 2)] += 1;
    }
  return h;
}

namespace {

// Popcount of a XOR b over W words (W > 0 fixed at compile time, or 0 for a runtime length).
template <int W>
inline unsigned xor_popcount(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  unsigned pc = 0;
  if constexpr (W > 0) {
    for (int w = 0; w < W; ++w) pc += static_cast<unsigned>(__builtin_popcountll(a[w] ^ b[w]));
  } else {
    for (std::size_t w = 0; w < words; ++w) pc += static_cast<unsigned>(__builtin_popcountll(a[w] ^ b[w]));
  }
  return pc;
}

struct TileJob {
  const std::uint64_t* bits;
  std::size_t words, stride;  // words per row, histogram bins per row (d + 1)
  std::uint32_t* hist;
};

// Histograms of every pair (i, j), i in [i0, i1), j in [j0, j1) (j > i on a diagonal tile).
// Each pair updates the rows of both i and j; the round schedule guarantees exclusive rows.
template <int W>
void run_tile(const TileJob& t, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1,
              bool diagonal, std::vector<std::uint16_t>& pcs) {
  for (std::size_t i = i0; i < i1; ++i) {
    const std::uint64_t* a = t.bits + i * t.words;
    const std::size_t js = diagonal ? i + 1 : j0;
    if (js >= j1) continue;
    const std::size_t len = j1 - js;
    std::uint16_t* pc = pcs.data();
    const std::uint64_t* b = t.bits + js * t.words;
    // First the popcounts (a straight, vectorisable loop), then the scatter into histograms.
    for (std::size_t j = 0; j < len; ++j) pc[j] = static_cast<std::uint16_t>(xor_popcount<W>(a, b + j * t.words, t.words));
    std::uint32_t* hi = t.hist + i * t.stride;
    std::uint32_t* hj = t.hist + js * t.stride;
    for (std::size_t j = 0; j < len; ++j) {
      hi[pc[j]] += 1;
      hj[j * t.stride + pc[j]] += 1;
    }
  }
}

using TileFn = void (*)(const TileJob&, std::size_t, std::size_t, std::size_t, std::size_t, bool,
                        std::vector<std::uint16_t>&);

TileFn pick_tile(std::size_t words) {
  switch (words) {
    case 1: return run_tile<1>;
    case 2: return run_tile<2>;
    case 4: return run_tile<4>;
    case 8: return run_tile<8>;
    case 16: return run_tile<16>;
    default: return run_tile<0>;
  }
}

}  // namespace

bool gram_avx512_built() { return ATTNCERT_GRAM_AVX512 != 0; }

GramHistogram gram_histogram(const SignMatrix& s, const GramOptions& opt) {
  const std::size_t n = s.rows(), d = s.cols();
  GramHistogram h(n, d);
  if (n < 2) return h;
  if (d > 65535) throw std::invalid_argument("gram_histogram: d must be <= 65535");
  if (opt.kernel != GramKernel::portable) {
    if (detail::gram_histogram_avx512(s, h, opt)) return h;
    if (opt.kernel == GramKernel::avx512)
      throw std::invalid_argument(gram_avx512_built() ? "gram_histogram: the AVX-512 kernel needs d <= 4096"
                                                      : "gram_histogram: this build has no AVX-512 kernel");
  }
  // Tile height: a block of rows plus its histograms should sit in L2.
  std::size_t block = opt.block ? opt.block : std::clamp<std::size_t>((1u << 18) / (8 * s.words() + 4 * (d + 1)), 64, 1024);
  const std::size_t nb = (n + block - 1) / block;
  const std::size_t teams = nb + (nb & 1);  // round-robin needs an even count; block nb is a bye when odd
  const std::size_t rounds = teams - 1;     // plus one round of diagonal tiles
  const std::size_t total_tiles = nb * (nb + 1) / 2;
  TileJob job{s.row(0), s.words(), d + 1, h.row(0)};
  TileFn tile = pick_tile(s.words());
  std::size_t done = 0;
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();

#pragma omp parallel num_threads(threads)
  {
    std::vector<std::uint16_t> pcs(block);
    auto range = [&](std::size_t b, std::size_t& lo, std::size_t& hi) {
      lo = b * block;
      hi = std::min(n, lo + block);
    };
    // Round 0: the diagonal tiles (I, I), pairwise disjoint.
#pragma omp for schedule(dynamic, 1)
    for (std::size_t b = 0; b < nb; ++b) {
      std::size_t lo, hi;
      range(b, lo, hi);
      tile(job, lo, hi, lo, hi, true, pcs);
    }
#pragma omp single
    {
      done += nb;
      if (opt.progress) opt.progress(done, total_tiles);
    }
    // Rounds 1..teams-1 (circle method): every pair of blocks meets exactly once, each block
    // appears in at most one tile per round.
    for (std::size_t r = 0; r < rounds; ++r) {
#pragma omp for schedule(dynamic, 1)
      for (std::size_t k = 0; k < teams / 2; ++k) {
        std::size_t a, b;
        if (k == 0) {
          a = r;
          b = teams - 1;
        } else {
          a = (r + k) % (teams - 1);
          b = (r + teams - 1 - k) % (teams - 1);
        }
        if (a >= nb || b >= nb) continue;  // the bye
        if (a > b) std::swap(a, b);
        std::size_t i0, i1, j0, j1;
        range(a, i0, i1);
        range(b, j0, j1);
        tile(job, i0, i1, j0, j1, false, pcs);
      }
#pragma omp single
      {
        done += teams / 2 - (nb & 1);
        if (opt.progress) opt.progress(std::min(done, total_tiles), total_tiles);
      }
    }
  }
  return h;
}

static void same_shape(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B) {
  if (A.cols() != Q.cols() || B.cols() != Q.cols())
    throw std::invalid_argument("pair_product_histogram: queries and both key matrices need the same d");
  if (static_cast<unsigned __int128>(A.rows()) * B.rows() >= (static_cast<unsigned __int128>(1) << 32))
    throw std::invalid_argument("pair_product_histogram: |A| |B| must be < 2^32 (32-bit counts)");
  if (Q.cols() > 65535) throw std::invalid_argument("pair_product_histogram: d must be <= 65535");
}

GramHistogram pair_product_histogram(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B, const GramOptions& opt) {
  same_shape(Q, A, B);
  const std::size_t d = Q.cols(), words = Q.words(), nq = Q.rows(), na = A.rows(), nb = B.rows();
  GramHistogram h(nq, d);
  if (nq == 0 || na == 0 || nb == 0) return h;
  if (opt.kernel != GramKernel::portable) {
    if (detail::pair_histogram_avx512(Q, A, B, h, opt)) return h;
    if (opt.kernel == GramKernel::avx512)
      throw std::invalid_argument(gram_avx512_built() ? "pair_product_histogram: the AVX-512 kernel needs d <= 4096"
                                                      : "pair_product_histogram: this build has no AVX-512 kernel");
  }
  // Portable: per query and j1, y = x ^ a_j1, then the popcounts against every B row (a straight
  // loop) and the increments.
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  std::size_t done = 0;
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::uint64_t> y(words);
    std::vector<std::uint16_t> pc(nb);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t r = 0; r < nq; ++r) {
      std::uint32_t* hr = h.row(r);
      for (std::size_t j1 = 0; j1 < na; ++j1) {
        for (std::size_t w = 0; w < words; ++w) y[w] = Q.row(r)[w] ^ A.row(j1)[w];
        for (std::size_t j2 = 0; j2 < nb; ++j2) pc[j2] = static_cast<std::uint16_t>(xor_popcount<0>(y.data(), B.row(j2), words));
        for (std::size_t j2 = 0; j2 < nb; ++j2) hr[pc[j2]] += 1;
      }
#pragma omp critical(attncert_pair_progress)
      {
        ++done;
        if (opt.progress && omp_get_thread_num() == 0) opt.progress(done, nq);
      }
    }
  }
  if (opt.progress) opt.progress(nq, nq);
  return h;
}

GramHistogram pair_product_histogram_naive(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B) {
  same_shape(Q, A, B);
  const std::size_t d = Q.cols();
  GramHistogram h(Q.rows(), d);
  for (std::size_t r = 0; r < Q.rows(); ++r)
    for (std::size_t j1 = 0; j1 < A.rows(); ++j1)
      for (std::size_t j2 = 0; j2 < B.rows(); ++j2) {
        long ip = 0;
        for (std::size_t c = 0; c < d; ++c) ip += Q.entry(r, c) * A.entry(j1, c) * B.entry(j2, c);
        h.row(r)[static_cast<std::size_t>((static_cast<long>(d) - ip) / 2)] += 1;
      }
  return h;
}

}  // namespace attncert::core
