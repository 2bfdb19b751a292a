#include "attncert/core/attention_ref.hpp"

#include <optional>
#include <stdexcept>

#include "attncert/core/refine.hpp"

namespace attncert::core {

AttentionEnclosure attention_reference(const RationalVector& q, const RationalMatrix& K,
                                       const RationalMatrix& V, const Rational& max_width,
                                       mpfr_prec_t max_prec) {
  const std::size_t m = K.size();
  if (m == 0) throw std::invalid_argument("attention_reference: empty cache");
  if (V.size() != m) throw std::invalid_argument("attention_reference: K and V differ in length");
  if (max_width <= 0) throw std::invalid_argument("attention_reference: max_width must be > 0");
  const std::size_t dv = V[0].size();
  std::vector<Rational> score(m);
  for (std::size_t j = 0; j < m; ++j) {
    if (K[j].size() != q.size()) throw std::invalid_argument("attention_reference: key length != query length");
    if (V[j].size() != dv) throw std::invalid_argument("attention_reference: ragged V");
    Rational s = 0;
    for (std::size_t l = 0; l < q.size(); ++l) s += q[l] * K[j][l];
    score[j] = s;
  }
  Rational smax = score[0];
  for (const auto& s : score)
    if (s > smax) smax = s;

  return refine(
      [&](mpfr_prec_t prec) -> std::optional<AttentionEnclosure> {
        std::vector<Interval> w;
        w.reserve(m);
        Interval den(prec);
        for (std::size_t j = 0; j < m; ++j) {
          w.push_back(exp(Interval::from_rational(score[j] - smax, prec)));
          den = den + w.back();
        }
        AttentionEnclosure r{{}, prec};
        for (std::size_t l = 0; l < dv; ++l) {
          Interval num(prec);
          for (std::size_t j = 0; j < m; ++j) num = num + w[j] * Interval::from_rational(V[j][l], prec);
          r.out.push_back(num / den);
          if (r.out.back().hi_q() - r.out.back().lo_q() > max_width) return std::nullopt;
        }
        return r;
      },
      "attention_reference", 64, max_prec);
}

}  // namespace attncert::core
