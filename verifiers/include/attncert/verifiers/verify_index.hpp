// index (docs/theorems.md#index): INDEX_N with average error p needs N (1 - H2(p)) bits.
#pragma once
#include "attncert/core/rational.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

struct IndexParams {
  core::Integer N = 100000;
  core::Rational p = core::Rational(1, 10);
};
Outcome verify_index(const IndexParams& prm, const CommonOptions& opt);

}  // namespace attncert::verifiers
