#include "attncert/reductions/certificate_json.hpp"

#include "attncert/core/rng.hpp"

namespace attncert::reductions {

nlohmann::json interval_json(const core::Rational& lo, const core::Rational& hi) {
  return {{"lo", core::to_string(lo)}, {"hi", core::to_string(hi)}};
}

nlohmann::json pair_histogram_json(const core::GramHistogram& h) {
  std::vector<std::uint64_t> tot = h.total();  // each unordered pair counted twice
  nlohmann::json hist = nlohmann::json::object();
  for (std::size_t k = 0; k <= h.cols(); ++k)
    if (tot[k]) hist[std::to_string(core::GramHistogram::inner_of(h.cols(), k))] = tot[k] / 2;
  return hist;
}

nlohmann::json bits_claim_json(const std::string& kind, const core::Rational& bits, const core::Integer& bits_ceil) {
  return {{"kind", kind}, {"bits", core::to_string(bits)}, {"bits_ceil", core::to_string(bits_ceil)}};
}

nlohmann::json random_signs_instance(std::uint64_t seed) {
  return {{"generator", core::kSignsGenerator}, {"generator_version", core::kSignsVersion},
          {"rng", core::kRngName},              {"rng_version", core::kRngVersion},
          {"seed", std::to_string(seed)}};
}

nlohmann::json key_instance_json(const KeySource& src, const core::SignMatrix& keys) {
  if (src.kind == KeySource::Kind::random) {
    nlohmann::json inst = random_signs_instance(src.seed);
    inst["keys"] = "random";
    return inst;
  }
  // code:rm:1:M keys are the Sylvester-Hadamard rows (codes.hpp, "reed-muller" v1): the same block.
  if (src.kind == KeySource::Kind::hadamard ||
      (src.kind == KeySource::Kind::code && src.code.family == CodeSpec::Family::rm && src.code.a == 1))
    return {{"keys", "hadamard"}, {"generator", "sylvester-hadamard"}, {"generator_version", 1}};
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < keys.rows(); ++i) {
    std::string r;
    for (std::size_t c = 0; c < keys.cols(); ++c) r += keys.entry(i, c) > 0 ? '+' : '-';
    rows.push_back(r);
  }
  return {{"keys", "explicit"}, {"rows", rows}};
}

nlohmann::json t1_certificate_body(const KeySource& src, const core::SignMatrix& keys, const core::GramHistogram& h,
                                   const T1Report& rep) {
  const std::size_t N = keys.rows(), d = keys.cols();
  nlohmann::json c;
  c["parameters"] = {{"n", std::to_string(N + 1)}, {"N", std::to_string(N)}, {"d", std::to_string(d)},
                     {"C", core::to_string(rep.prm.C)}, {"notion", to_string(rep.prm.notion)},
                     {"eta", core::to_string(rep.prm.eta)}, {"delta", core::to_string(rep.prm.delta)}};
  c["instance"] = key_instance_json(src, keys);
  c["statistics"] = {{"inner_product_histogram", pair_histogram_json(h)}, {"max_inner", rep.max_inner}};
  c["derived"] = {{"w_min_lower", core::to_string(rep.w_min)},
                  {"phi_upper", core::to_string(rep.phi)},
                  {"p_upper", core::to_string(rep.p)},
                  {"H2(p)", interval_json(rep.h2_lo, rep.h2_hi)}};
  c["claim"] = bits_claim_json("kv_cache_space_lower_bound_bits", rep.bits, rep.bits_ceil);
  return c;
}

}  // namespace attncert::reductions
