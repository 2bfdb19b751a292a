#include "attncert/verifiers/certificate.hpp"

#include "attncert/core/atomic_file.hpp"
#include "attncert/core/rng.hpp"

namespace attncert::verifiers {

nlohmann::json certificate_header(const std::string& theorem) {
  return {{"format", kCertificateFormat},
          {"format_version", kCertificateVersion},
          {"theorem", theorem},
          {"producer", {{"name", "attncert"}, {"version", "0.1.0"}}}};
}

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

void write_certificate(const std::string& path, const nlohmann::json& cert) {
  core::write_file_atomic(path, cert.dump(1) + "\n");
}

}  // namespace attncert::verifiers
