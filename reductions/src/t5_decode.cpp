// T5 native: Bob's actual output, perturbed and decoded (t5.hpp; the same check as T1's
// t1_decode.cpp, on the pair-product instance).
#include <algorithm>
#include <optional>

#include "attncert/core/refine.hpp"
#include "attncert/reductions/t1_decode.hpp"
#include "attncert/reductions/t5.hpp"

namespace attncert::reductions {

using core::Interval;
using core::Rational;

std::vector<Interval> native_bob_output(const core::SignMatrix& a, const core::SignMatrix& b, const core::SignMatrix& x,
                                        const Rational& C, std::size_t i, mpfr_prec_t prec) {
  const std::size_t N = a.rows(), d = a.cols(), words = a.words();
  // Distances that occur get a row of A, in order of first appearance (no dense (d+1) x d table).
  std::vector<std::size_t> slot(d + 1, SIZE_MAX), ks;
  std::vector<long> A, H;
  std::vector<std::uint64_t> y(words);
  std::vector<std::uint32_t> cnt(d + 1);
  for (std::size_t j1 = 0; j1 < N; ++j1) {
    for (std::size_t w = 0; w < words; ++w) y[w] = a.row(i)[w] ^ b.row(i)[w] ^ a.row(j1)[w];
    std::fill(cnt.begin(), cnt.end(), 0);
    for (std::size_t j2 = 0; j2 < N; ++j2) {
      std::size_t k = 0;
      for (std::size_t w = 0; w < words; ++w) k += static_cast<std::size_t>(__builtin_popcountll(y[w] ^ b.row(j2)[w]));
      ++cnt[k];
    }
    for (std::size_t k = 0; k <= d; ++k) {
      if (!cnt[k]) continue;
      if (slot[k] == SIZE_MAX) {
        slot[k] = ks.size();
        ks.push_back(k);
        A.resize(ks.size() * d, 0);
        H.push_back(0);
      }
      long* row = A.data() + slot[k] * d;
      H[slot[k]] += cnt[k];
      for (std::size_t l = 0; l < d; ++l) row[l] += static_cast<long>(cnt[k]) * x.entry(j1, l);
    }
  }
  std::vector<Interval> e(ks.size());
  Interval den = Interval::from_long(static_cast<long>(native_zero_rows(N)), prec) * core::exp(Interval::from_rational(-C, prec));
  for (std::size_t s = 0; s < ks.size(); ++s) {
    e[s] = core::exp(Interval::from_rational(-2 * C * Rational(static_cast<long>(ks[s]), static_cast<long>(d)), prec));
    den = den + e[s] * Interval::from_long(H[s], prec);
  }
  std::vector<Interval> Z;
  Z.reserve(d);
  for (std::size_t l = 0; l < d; ++l) {
    Interval num = Interval::from_long(0, prec);
    for (std::size_t s = 0; s < ks.size(); ++s)
      if (A[s * d + l]) num = num + e[s] * Interval::from_long(A[s * d + l], prec);
    Z.push_back(num / den);
  }
  return Z;
}

DecodeReport native_decode_check(const core::SignMatrix& a, const core::SignMatrix& b, const core::SignMatrix& x,
                                 const T5Report& rep, std::size_t rows) {
  return decode_rows(x, rep.prm, rep.flips, rows,
                     [&](std::size_t i, mpfr_prec_t prec) { return native_bob_output(a, b, x, rep.prm.C, i, prec); });
}

}  // namespace attncert::reductions
