// t2 (docs/theorems.md#t2): the bounded-entry lower bound over a range of low dimensions d, each
// row beside the covering numbers of S^{d-1} (the memory of a clustering algorithm such as SubGen).
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "attncert/core/rational.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

struct T2Options {
  std::size_t d_min = 2, d_max = 16;  // 2 <= d_min <= d_max <= 256
  core::Rational B = 1;               // entry bound, > 0
  reductions::Notion notion = reductions::Notion::rel;
  core::Rational eta = reductions::defaults::eta(), delta = reductions::defaults::delta();
  core::Rational cos_theta = core::Rational(1, 2);  // covering radius, cos θ in (-1, 1)
  std::string cert_rows;              // directory for one certificate per certified row ("" = none)
  std::optional<double> subgen_r;     // run SubGen with this cluster radius on each row (reported)
  std::size_t subgen_t = 16, subgen_s = 256;
};
Outcome verify_t2(const T2Options& prm, const CommonOptions& opt);

}  // namespace attncert::verifiers
