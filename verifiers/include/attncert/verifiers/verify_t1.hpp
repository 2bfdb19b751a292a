// t1 (docs/theorems.md#t1): the certified Theta(n d) KV-cache space bound on a concrete H1 instance.
#pragma once
#include <cstdint>

#include "attncert/reductions/limits.hpp"
#include "attncert/reductions/t1_setup.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

struct T1Options {
  reductions::T1Request request;  // n, d, C, notion, eta, delta, keys, --auto (keys.seed: the instance seed)
  std::uint64_t decode_rows = reductions::defaults::decode_rows;  // 0: skip; all rows when N d <= 2^16
};
Outcome verify_t1(const T1Options& prm, const CommonOptions& opt);

}  // namespace attncert::verifiers
