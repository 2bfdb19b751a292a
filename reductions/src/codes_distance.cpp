// Exact minimum distance: Gray-code enumeration of linear codes, all pairs of non-linear ones
// (codes.hpp).
#include <omp.h>
#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>

#include "attncert/reductions/codes.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/limits.hpp"

namespace attncert::reductions {

namespace {

// The codeword buffer: W words on the stack (registers) for the common lengths, a vector otherwise.
template <int W>
struct Buf {
  std::uint64_t v[W];
  explicit Buf(std::size_t) : v{} {}
  std::uint64_t* data() { return v; }
};
template <>
struct Buf<0> {
  std::vector<std::uint64_t> v;
  explicit Buf(std::size_t words) : v(words, 0) {}
  std::uint64_t* data() { return v.data(); }
};

// Visits the codewords of Gray indices [i0, i1): codeword(i) = sum of the rows selected by the bits
// of gray(i) = i ^ (i >> 1); from i - 1 to i exactly row ctz(i) changes. visit(i, weight) returns
// false to stop. Index 0 (the zero word) is not visited.
template <int W, class Visit>
void gray_run(const std::uint64_t* G, std::size_t words, std::uint64_t i0, std::uint64_t i1, Visit&& visit) {
  const std::size_t nw = W > 0 ? static_cast<std::size_t>(W) : words;
  Buf<W> buf(nw);
  std::uint64_t* cw = buf.data();
  // Over the set bits only: the equivalent "for r < 64: if bit r of gray(i0)" loop came out wrong for
  // W = 2 from g++ 12.2 -O3 -march=native (AVX-512; right with -fno-tree-loop-vectorize, clean under
  // UBSan). tests/test_codes.cpp covers chunks starting at nonzero indices for every W.
  for (std::uint64_t g = i0 ^ (i0 >> 1); g; g &= g - 1) {
    const std::uint64_t* row = G + static_cast<std::size_t>(__builtin_ctzll(g)) * nw;
    for (std::size_t t = 0; t < nw; ++t) cw[t] ^= row[t];
  }
  if (i0 != 0) {
    unsigned w = 0;
    for (std::size_t t = 0; t < nw; ++t) w += static_cast<unsigned>(__builtin_popcountll(cw[t]));
    if (!visit(i0, w)) return;
  }
  for (std::uint64_t i = i0 + 1; i < i1; ++i) {
    const std::uint64_t* row = G + static_cast<std::size_t>(__builtin_ctzll(i)) * nw;
    unsigned w = 0;
    for (std::size_t t = 0; t < nw; ++t) {
      cw[t] ^= row[t];
      w += static_cast<unsigned>(__builtin_popcountll(cw[t]));
    }
    if (!visit(i, w)) return;
  }
}

void check_enumerable(const Code& c) {
  if (!c.linear) return;
  const std::size_t k = c.dimension();
  if (k < 1) throw ParameterError("k", c.name + " has dimension 0");
  if (k > max_enumeration_dimension)
    throw ParameterError("k", c.name + " has dimension k = " + std::to_string(k) +
                                  " > 32: exhaustive enumeration covers at most 2^32 codewords");
}

struct Plan {
  std::uint64_t total, chunks, chunk;
};
Plan plan(std::size_t k, int chunk_log2) {
  int t = chunk_log2;
  if (t < 0) t = k <= 16 ? 0 : std::max<int>(4, static_cast<int>(k) - 22);
  t = std::min<int>(t, static_cast<int>(k));
  const std::uint64_t total = std::uint64_t{1} << k, chunks = std::uint64_t{1} << t;
  return {total, chunks, total / chunks};
}

struct Best {
  std::size_t weight = std::numeric_limits<std::size_t>::max();
  std::uint64_t index = 0;  // smallest Gray index attaining it (deterministic for any thread count)
  void merge(const Best& o) {
    if (o.weight < weight || (o.weight == weight && o.index < index)) *this = o;
  }
};

// The vectorised walk for exact distances: 8 consecutive chunks of one power-of-two size run in 8
// lanes. At offset o > 0 inside a chunk every lane steps by the same row ctz(o) (the chunks start at
// multiples of their size), so one broadcast row is XORed into 8 codewords and their popcounts and
// running minima are lane-parallel (AVX-512 VPOPCNTQ intrinsics when the build targets AVX-512 F +
// VPOPCNTDQ, plain loops otherwise). Per block of 256
// offsets only the lanes' minima are kept; a block that may hold a lighter word (or an equally light
// one at a smaller Gray index) is walked again word by word from its saved state, so `best` is
// exactly what the word-by-word walk finds.
constexpr int kLanes = 8;
constexpr std::uint64_t kBlock = 256;

// One block of offsets [from, to) in all lanes: cw advances, bmin gets each lane's minimum weight.
template <int W>
void lanes_block(const std::uint64_t* G, std::uint64_t (&cw)[W][kLanes], std::uint64_t from, std::uint64_t to,
                 std::uint64_t (&bmin)[kLanes]) {
#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
  __m512i v[W];
  for (int t = 0; t < W; ++t) v[t] = _mm512_load_si512(cw[t]);
  __m512i m = _mm512_set1_epi64(-1);
  for (std::uint64_t off = from; off < to; ++off) {
    const std::uint64_t* row = G + static_cast<std::size_t>(__builtin_ctzll(off)) * W;
    __m512i w = _mm512_setzero_si512();
    for (int t = 0; t < W; ++t) {
      v[t] = _mm512_xor_si512(v[t], _mm512_set1_epi64(static_cast<long long>(row[t])));
      w = _mm512_add_epi64(w, _mm512_popcnt_epi64(v[t]));
    }
    m = _mm512_mask_min_epu64(m, static_cast<__mmask8>(0xFF), m, w);  // the unmasked form trips GCC 12 -Wmaybe-uninitialized
  }
  for (int t = 0; t < W; ++t) _mm512_store_si512(cw[t], v[t]);
  _mm512_store_si512(bmin, m);
#else
  std::fill(bmin, bmin + kLanes, ~std::uint64_t{0});
  for (std::uint64_t off = from; off < to; ++off) {
    const std::uint64_t* row = G + static_cast<std::size_t>(__builtin_ctzll(off)) * W;
    std::uint64_t w[kLanes] = {};
    for (int t = 0; t < W; ++t)
      for (int l = 0; l < kLanes; ++l) {
        cw[t][l] ^= row[t];
        w[l] += static_cast<std::uint64_t>(__builtin_popcountll(cw[t][l]));
      }
    for (int l = 0; l < kLanes; ++l) bmin[l] = std::min(bmin[l], w[l]);
  }
#endif
}

template <int W>
void lanes_group(const std::uint64_t* G, std::uint64_t base, std::uint64_t chunk, Best& best) {
  auto consider = [&](std::size_t w, std::uint64_t idx) {
    if (w < best.weight || (w == best.weight && idx < best.index)) best.weight = w, best.index = idx;
  };
  alignas(64) std::uint64_t cw[W][kLanes] = {}, saved[W][kLanes];
  for (int l = 0; l < kLanes; ++l) {
    const std::uint64_t i0 = base + static_cast<std::uint64_t>(l) * chunk;
    for (std::uint64_t g = i0 ^ (i0 >> 1); g; g &= g - 1) {
      const std::uint64_t* row = G + static_cast<std::size_t>(__builtin_ctzll(g)) * W;
      for (int t = 0; t < W; ++t) cw[t][l] ^= row[t];
    }
    if (i0 != 0) {  // offset 0 of each lane; Gray index 0 is the zero word
      std::size_t w = 0;
      for (int t = 0; t < W; ++t) w += static_cast<std::size_t>(__builtin_popcountll(cw[t][l]));
      consider(w, i0);
    }
  }
  for (std::uint64_t bs = 0; bs < chunk; bs += kBlock) {
    const std::uint64_t from = bs == 0 ? 1 : bs, to = bs + kBlock;
    std::copy(&cw[0][0], &cw[0][0] + W * kLanes, &saved[0][0]);
    alignas(64) std::uint64_t bmin[kLanes];
    lanes_block<W>(G, cw, from, to, bmin);
    for (int l = 0; l < kLanes; ++l) {
      const std::uint64_t first = base + static_cast<std::uint64_t>(l) * chunk + from;
      if (!(bmin[l] < best.weight || (bmin[l] == best.weight && first < best.index))) continue;
      std::uint64_t x[W];
      for (int t = 0; t < W; ++t) x[t] = saved[t][l];
      for (std::uint64_t off = from; off < to; ++off) {
        const std::uint64_t* row = G + static_cast<std::size_t>(__builtin_ctzll(off)) * W;
        std::size_t w = 0;
        for (int t = 0; t < W; ++t) {
          x[t] ^= row[t];
          w += static_cast<std::size_t>(__builtin_popcountll(x[t]));
        }
        consider(w, first - from + off);
      }
    }
  }
}

// Minimum nonzero weight over all 2^k codewords; with Stop, returns as soon as a weight < stop_below
// is seen (then the result is only a witness of that).
template <int W, bool Stop>
Best linear_min(const Code& c, const EnumerationOptions& opt, std::size_t stop_below) {
  const Plan p = plan(c.dimension(), opt.chunk_log2);
  const std::uint64_t* G = c.generator.row(0);
  const std::size_t words = c.generator.words();
  Best best;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  std::mutex report;
  auto advance = [&](std::uint64_t words_done) {  // progress: `words_done` more codewords walked
    done.fetch_add(words_done, std::memory_order_relaxed);
    if (opt.progress) {
      std::lock_guard<std::mutex> lk(report);
      opt.progress(done.load(std::memory_order_relaxed), p.total);
    }
  };
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
  if constexpr (!Stop && W > 0) {
    if (p.chunks % kLanes == 0 && p.chunk % kBlock == 0) {
#pragma omp parallel num_threads(threads)
      {
        Best local;  // this thread's groups come in increasing order: ties never favour a later one
#pragma omp for schedule(dynamic, 1) nowait
        for (std::int64_t grp = 0; grp < static_cast<std::int64_t>(p.chunks / kLanes); ++grp) {
          lanes_group<W>(G, static_cast<std::uint64_t>(grp) * kLanes * p.chunk, p.chunk, local);
          advance(kLanes * p.chunk);
        }
#pragma omp critical(attncert_codes_best)
        best.merge(local);
      }
      return best;
    }
  }
#pragma omp parallel num_threads(threads)
  {
    Best local;
#pragma omp for schedule(dynamic, 1) nowait
    for (std::int64_t ch = 0; ch < static_cast<std::int64_t>(p.chunks); ++ch) {
      if (Stop && stop.load(std::memory_order_relaxed)) continue;
      const std::uint64_t i0 = static_cast<std::uint64_t>(ch) * p.chunk;
      Best b;
      gray_run<W>(G, words, i0, i0 + p.chunk, [&](std::uint64_t i, unsigned w) {
        if (w < b.weight) b.weight = w, b.index = i;
        if constexpr (Stop) {
          if (w < stop_below) return false;
        }
        return true;
      });
      local.merge(b);
      if (Stop && b.weight < stop_below) stop.store(true, std::memory_order_relaxed);
      advance(p.chunk);
    }
#pragma omp critical(attncert_codes_best)
    best.merge(local);
  }
  return best;
}

template <bool Stop>
Best linear_min_dispatch(const Code& c, const EnumerationOptions& opt, std::size_t stop_below) {
  switch (c.generator.words()) {
    case 1: return linear_min<1, Stop>(c, opt, stop_below);
    case 2: return linear_min<2, Stop>(c, opt, stop_below);
    case 3: return linear_min<3, Stop>(c, opt, stop_below);
    case 4: return linear_min<4, Stop>(c, opt, stop_below);
    default: return linear_min<0, Stop>(c, opt, stop_below);
  }
}

// All unordered pairs of a non-linear code; with stop_below > 0, stops at the first closer pair.
Best pairs_min(const Code& c, const EnumerationOptions& opt, std::size_t stop_below, std::uint64_t& witness_b) {
  const core::SignMatrix& s = c.words;
  const std::size_t N = s.rows();
  if (N < 2 || N > limits::max_keys)
    throw ParameterError("n", c.name + " has " + std::to_string(N) + " words; pairwise distance needs 2 .. 2^20");
  Best best;
  witness_b = 0;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  std::mutex report;
  const std::uint64_t total = static_cast<std::uint64_t>(N) * (N - 1) / 2;
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
  for (std::int64_t ii = 0; ii < static_cast<std::int64_t>(N) - 1; ++ii) {
    const std::size_t i = static_cast<std::size_t>(ii);
    if (stop.load(std::memory_order_relaxed)) continue;
    std::size_t bw = std::numeric_limits<std::size_t>::max(), bj = 0;
    for (std::size_t j = i + 1; j < N; ++j) {
      const std::size_t dij = s.distance(i, j);
      if (dij < bw) bw = dij, bj = j;
      if (dij < stop_below) break;
    }
    if (bw < stop_below) stop.store(true, std::memory_order_relaxed);
    {
#pragma omp critical(attncert_codes_pairs)
      {
        // pair index (i, j) ordered lexicographically: keep the first closest pair
        if (bw < best.weight || (bw == best.weight && i < best.index)) {
          best.weight = bw;
          best.index = i;
          witness_b = bj;
        }
      }
    }
    const std::uint64_t dn = done.fetch_add(N - 1 - i, std::memory_order_relaxed) + (N - 1 - i);
    if (opt.progress) {
      std::lock_guard<std::mutex> lk(report);
      opt.progress(std::max(dn, done.load(std::memory_order_relaxed)), total);
    }
  }
  return best;
}

}  // namespace

DistanceResult min_distance(const Code& c, const EnumerationOptions& opt) {
  check_enumerable(c);
  DistanceResult r;
  if (c.linear) {
    Best b = linear_min_dispatch<false>(c, opt, 0);
    r.distance = b.weight;
    r.examined = (std::uint64_t{1} << c.dimension()) - 1;
    r.witness_a = b.index ^ (b.index >> 1);
  } else {
    std::uint64_t wb = 0;
    Best b = pairs_min(c, opt, 0, wb);
    r.distance = b.weight;
    r.examined = static_cast<std::uint64_t>(c.words.rows()) * (c.words.rows() - 1) / 2;
    r.witness_a = b.index;
    r.witness_b = wb;
  }
  // A full-rank generator has no nonzero message of weight 0; distinct words have distance >= 1.
  if (r.distance == 0)
    throw ParameterError("code", c.name + (c.linear ? ": rank-deficient generator (message " + std::to_string(r.witness_a) + " gives the zero word)"
                                                    : ": words " + std::to_string(r.witness_a) + " and " + std::to_string(r.witness_b) + " coincide"));
  return r;
}

bool distance_at_least(const Code& c, std::size_t D, const EnumerationOptions& opt) {
  check_enumerable(c);
  if (D == 0) return true;
  if (c.linear) return linear_min_dispatch<true>(c, opt, D).weight >= D;
  std::uint64_t wb = 0;
  return pairs_min(c, opt, D, wb).weight >= D;
}

std::vector<std::uint64_t> weight_distribution(const Code& c, const EnumerationOptions& opt) {
  if (!c.linear) throw ParameterError("code", "a weight distribution needs a linear code, got " + c.name);
  check_enumerable(c);
  const Plan p = plan(c.dimension(), opt.chunk_log2);
  const std::size_t n = c.length, words = c.generator.words();
  std::vector<std::uint64_t> A(n + 1, 0);
  A[0] = 1;
  std::atomic<std::uint64_t> done{0};
  std::mutex report;
  const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::uint64_t> local(n + 1, 0);
#pragma omp for schedule(dynamic, 1) nowait
    for (std::int64_t ch = 0; ch < static_cast<std::int64_t>(p.chunks); ++ch) {
      const std::uint64_t i0 = static_cast<std::uint64_t>(ch) * p.chunk;
      gray_run<0>(c.generator.row(0), words, i0, i0 + p.chunk, [&](std::uint64_t, unsigned w) {
        ++local[w];
        return true;
      });
      done.fetch_add(p.chunk, std::memory_order_relaxed);
      if (opt.progress) {
        std::lock_guard<std::mutex> lk(report);
        opt.progress(done.load(std::memory_order_relaxed), p.total);
      }
    }
#pragma omp critical(attncert_codes_weights)
    for (std::size_t w = 0; w <= n; ++w) A[w] += local[w];
  }
  return A;
}

std::vector<std::vector<std::uint64_t>> prefix_weight_distributions(const Code& c, std::size_t jmax) {
  if (!c.linear) throw ParameterError("code", "subcode weight distributions need a linear code, got " + c.name);
  if (jmax > c.dimension() || jmax > max_enumeration_dimension)
    throw ParameterError("k", "prefix subcodes of " + c.name + " go up to j = min(k, 32), asked " + std::to_string(jmax));
  const std::size_t n = c.length;
  std::vector<std::vector<std::uint64_t>> out;
  std::vector<std::uint64_t> A(n + 1, 0);
  A[0] = 1;
  out.push_back(A);
  if (jmax == 0) return out;
  gray_run<0>(c.generator.row(0), c.generator.words(), 0, std::uint64_t{1} << jmax, [&](std::uint64_t i, unsigned w) {
    ++A[w];
    if (((i + 1) & i) == 0) out.push_back(A);  // Gray indices 0 .. 2^j - 1 are the messages below 2^j
    return true;
  });
  return out;
}

DistanceCertificate certify_distance(const Code& c, const EnumerationOptions& opt) {
  DistanceCertificate cert;
  cert.result = min_distance(c, opt);
  const std::size_t D = cert.result.distance, claim = c.claim.distance;
  const std::string how = std::string(to_string(c.claim.basis)) + ": " + c.claim.why;
  const std::string count = c.linear ? std::to_string(cert.result.examined) + " nonzero codewords"
                                     : std::to_string(cert.result.examined) + " pairs";
  if (c.claim.exact ? D == claim : D >= claim) {
    cert.claim_holds = true;
    cert.detail = "enumeration of " + count + ": minimum distance " + std::to_string(D) + (D == claim ? " = " : " >= ") +
                  "claim " + std::to_string(claim) + " (" + how + ")";
  } else {
    cert.detail = "enumeration of " + count + " contradicts the claim: minimum distance " + std::to_string(D) +
                  (c.claim.exact ? " != " : " < ") + std::to_string(claim) + " (" + how + "); " +
                  (c.linear ? "message " + std::to_string(cert.result.witness_a) + " has weight " + std::to_string(D)
                            : "words " + std::to_string(cert.result.witness_a) + " and " + std::to_string(cert.result.witness_b) +
                                  " are at distance " + std::to_string(D));
  }
  return cert;
}

Code with_enumerated_distance(Code c, const EnumerationOptions& opt) {
  DistanceCertificate cert = certify_distance(c, opt);
  if (!cert.claim_holds) throw std::logic_error(c.name + ": " + cert.detail);
  c.claim = {cert.result.distance, true, DistanceBasis::enumeration, cert.detail};
  return c;
}

}  // namespace attncert::reductions
