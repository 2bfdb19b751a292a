// Certificate format (README, "Certificates"): versioned JSON; rationals as exact "p/q" strings.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"

namespace attncert::verifiers {

inline constexpr const char* kCertificateFormat = "attncert-certificate";
inline constexpr int kCertificateVersion = 1;

nlohmann::json certificate_header(const std::string& theorem);
nlohmann::json interval_json(const core::Rational& lo, const core::Rational& hi);
// {inner product: count of unordered pairs} over the nonzero bins of h.
nlohmann::json pair_histogram_json(const core::GramHistogram& h);
// A lower-bound claim {kind, bits (exact rational), bits_ceil}: how INDEX and the reductions to it
// state their bound.
nlohmann::json bits_claim_json(const std::string& kind, const core::Rational& bits, const core::Integer& bits_ceil);
// The instance block of seeded random sign keys: generator "signs" v1 over "xoshiro256ss" v1.
nlohmann::json random_signs_instance(std::uint64_t seed);
void write_certificate(const std::string& path, const nlohmann::json& cert);

}  // namespace attncert::verifiers
