// cvc5 as a separate program: the second SMT route beside Z3 (which is linked in). Debian's cvc5
// 1.0.3 lacks the CAD procedure, so it proves some nonlinear goals and gives up on others; its
// time is bounded by --tlimit and by our own wall-clock kill, so it can never hang us.
#pragma once
#include <string>

namespace attncert::core {

struct ExternalVerdict {
  std::string answer;  // "unsat", "sat", "unknown" (also: timed out or crashed), "unavailable" (no binary)
  double seconds = 0;
};

// Runs `cvc5 --lang=smt2 --tlimit=timeout_ms` on the script (through a temporary file). The
// program is $ATTNCERT_CVC5 if set, else `cvc5` on PATH.
ExternalVerdict run_cvc5(const std::string& smtlib2, unsigned timeout_ms);

}  // namespace attncert::core
