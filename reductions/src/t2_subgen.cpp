// SubGen on a T2 row's hard instance (t2_subgen.hpp).
#include "attncert/reductions/t2_subgen.hpp"

#include <stdexcept>
#include <vector>

namespace attncert::reductions {

SubGenOnRow subgen_on_row(const T2Row& row, const SubGenParams& p, std::size_t rows_to_decode) {
  check_subgen_params(p);
  if (!row.certified) throw std::logic_error("subgen_on_row: the row is not certified");
  const core::SignMatrix keys = t2_keys(row);
  const std::size_t N = keys.rows(), d = keys.cols();
  const core::SignMatrix bits = core::SignMatrix::random(N, d, p.seed);
  const float B = static_cast<float>(row.B.convert_to<double>());
  SubGen g(d, p);
  std::vector<float> k(d), v(d);
  for (std::size_t j = 0; j < N; ++j) {
    for (std::size_t c = 0; c < d; ++c) {
      k[c] = B * static_cast<float>(keys.entry(j, c));
      v[c] = static_cast<float>(bits.entry(j, c));
    }
    g.observe(k, v);
  }
  SubGenOnRow out;
  out.words = g.words_used();
  out.clusters = g.clusters();
  out.exact_words = 2 * N * d;
  out.floor_words = row.bits_ceil.convert_to<double>() / 32;
  const std::vector<float> zero(d, 0.0f);
  const std::size_t tested = std::min(rows_to_decode, N);
  std::size_t ok = 0;
  for (std::size_t r = 0; r < tested; ++r) {
    const std::size_t i = r * N / tested;
    auto bob = g.clone();
    bob->observe(zero, zero);
    std::vector<float> q(d);
    for (std::size_t c = 0; c < d; ++c) q[c] = B * static_cast<float>(keys.entry(i, c));
    const auto z = bob->answer(q);
    for (std::size_t c = 0; c < d; ++c) ok += (z[c] < 0) == bits.negative(i, c);
  }
  out.rows_tested = tested;
  out.decoded = tested ? static_cast<double>(ok) / static_cast<double>(tested * d) : 0;
  const bool saves = out.words < out.exact_words, decodes = out.decoded > 0.999;
  out.verdict = !saves ? "no memory saved" : decodes ? "saves and decodes" : "fails to decode";
  return out;
}

}  // namespace attncert::reductions
