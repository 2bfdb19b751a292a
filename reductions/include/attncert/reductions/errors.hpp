// Errors of the reductions layer. A ParameterError names the *parameter* ("C", "eta", "keys"),
// not a command-line flag: reductions know no CLI. The verifiers map parameter names to their
// flags when they print the one-line error (verifiers/src/cli.cpp).
#pragma once
#include <stdexcept>
#include <string>

namespace attncert::reductions {

struct ParameterError : std::invalid_argument {
  ParameterError(std::string parameter_, std::string detail_)
      : std::invalid_argument(parameter_ + ": " + detail_), parameter(std::move(parameter_)), detail(std::move(detail_)) {}
  std::string parameter;  // e.g. "C", "delta_prime"
  std::string detail;     // e.g. "must lie in (0, 2^23], got 0"
};

}  // namespace attncert::reductions
