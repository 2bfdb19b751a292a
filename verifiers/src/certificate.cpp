#include "attncert/verifiers/certificate.hpp"

#include "attncert/core/atomic_file.hpp"

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

void write_certificate(const std::string& path, const nlohmann::json& cert) {
  core::write_file_atomic(path, cert.dump(1) + "\n");
}

}  // namespace attncert::verifiers
