// The body of certificates (docs/certificates.md): instance, statistics, derived quantities and
// claims as JSON with exact "p/q" strings. Shared by every verifier built on sign keys; the
// verifiers add the header (format, version, theorem id, producer).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "attncert/core/rational.hpp"
#include "attncert/core/sign_matrix.hpp"
#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/t1.hpp"

namespace attncert::reductions {

nlohmann::json interval_json(const core::Rational& lo, const core::Rational& hi);
// {inner product: count of unordered pairs} over the nonzero bins of h.
nlohmann::json pair_histogram_json(const core::GramHistogram& h);
// A lower-bound claim {kind, bits (exact rational), bits_ceil}.
nlohmann::json bits_claim_json(const std::string& kind, const core::Rational& bits, const core::Integer& bits_ceil);
// Seeded random sign keys: generator "signs" v1 over "xoshiro256ss" v1.
nlohmann::json random_signs_instance(std::uint64_t seed);
// The instance block of a key source: {keys: random, ...generator}, {keys: hadamard, ...} or
// {keys: explicit, rows: ["+-..", ...]} (file keys and code keys are stored explicitly, except
// code:rm:1:M, whose keys are the Hadamard rows).
nlohmann::json key_instance_json(const KeySource& src, const core::SignMatrix& keys);

// A certified T1 report as the certificate's parameters, instance, statistics, derived and claim.
nlohmann::json t1_certificate_body(const KeySource& src, const core::SignMatrix& keys, const core::GramHistogram& h,
                                   const T1Report& rep);

}  // namespace attncert::reductions
