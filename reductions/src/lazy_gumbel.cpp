// Lazy Gumbel sampling (lazy_gumbel.hpp): the non-template parts.
#include "attncert/reductions/lazy_gumbel.hpp"

namespace attncert::reductions::knn {

const char* variant_name(LazyGumbelVariant v) {
  switch (v) {
    case LazyGumbelVariant::exact: return "exact";
    case LazyGumbelVariant::tail_with_replacement: return "tail-with-replacement";
    case LazyGumbelVariant::b_off_by_one: return "b-off-by-one";
  }
  return "exact";
}

bool parse_variant(const std::string& name, LazyGumbelVariant& out) {
  for (auto v : {LazyGumbelVariant::exact, LazyGumbelVariant::tail_with_replacement, LazyGumbelVariant::b_off_by_one})
    if (name == variant_name(v)) { out = v; return true; }
  return false;
}

LazyGumbelExpectation lazy_gumbel_expectation(std::size_t n, std::span<const double> scores_S, double slack) {
  const std::size_t k = scores_S.size();
  if (k == 0 || k > n) throw ParameterError("k", "need 1 <= k <= n");
  if (!(slack >= 0) || std::isinf(slack)) throw ParameterError("slack", "must be finite and >= 0");
  const double top = *std::max_element(scores_S.begin(), scores_S.end());
  const double s_min = *std::min_element(scores_S.begin(), scores_S.end());
  double zs = 0;  // Z_S e^{-top}
  for (double s : scores_S) zs += std::exp(s - top);
  const double t = std::exp(s_min + slack - top);  // e^{S_min + c - top}
  const double N = static_cast<double>(n - k);
  return {N * t / (zs + t), zs / (zs + N * t)};
}

}  // namespace attncert::reductions::knn
