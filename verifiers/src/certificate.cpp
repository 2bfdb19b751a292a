#include "attncert/verifiers/certificate.hpp"

#include <stdexcept>

#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/registry.hpp"

namespace attncert::verifiers {

nlohmann::json certificate_header(const std::string& theorem) {
  if (!find_theorem(theorem)) throw std::logic_error("certificate_header: theorem '" + theorem + "' is not registered");
  return {{"format", kCertificateFormat},
          {"format_version", kCertificateVersion},
          {"theorem", theorem},
          {"producer", {{"name", "attncert"}, {"version", "0.1.0"}}}};
}

void write_certificate(const std::string& path, const nlohmann::json& cert) {
  write_file_atomic(path, cert.dump(1) + "\n");
}

}  // namespace attncert::verifiers
