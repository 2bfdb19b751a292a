// Certificate format (README, "Certificates"): versioned JSON; rationals as exact "p/q" strings.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "attncert/core/rational.hpp"

namespace attncert::verifiers {

inline constexpr const char* kCertificateFormat = "attncert-certificate";
inline constexpr int kCertificateVersion = 1;

nlohmann::json certificate_header(const std::string& theorem);
nlohmann::json interval_json(const core::Rational& lo, const core::Rational& hi);
void write_certificate(const std::string& path, const nlohmann::json& cert);

}  // namespace attncert::verifiers
