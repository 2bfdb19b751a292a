// Certificate format (docs/certificates.md): versioned JSON; rationals as exact "p/q" strings.
// The body (instance, statistics, derived, claim) comes from reductions/certificate_json.hpp.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace attncert::verifiers {

inline constexpr const char* kCertificateFormat = "attncert-certificate";
inline constexpr int kCertificateVersion = 1;

// {format, format_version, theorem, producer} for a registered theorem id (std::logic_error for
// an id the registry does not know: a certificate no checker path could read).
nlohmann::json certificate_header(const std::string& theorem);
void write_certificate(const std::string& path, const nlohmann::json& cert);

}  // namespace attncert::verifiers
