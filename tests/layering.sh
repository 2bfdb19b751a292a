#!/usr/bin/env bash
# The layering (README, "Layout"): core knows no theorem, reductions know no CLI, the checker knows
# no producer code. Fails naming every include that crosses a line.
# usage: layering.sh SOURCE_DIR
cd "$1" || exit 2
bad=0
cross() {  # cross DIR PATTERN WHY
  local hits
  hits=$(grep -rnE "$2" "$1" --include=*.hpp --include=*.cpp --include=*.cu --include=*.cuh || true)
  if [[ -n $hits ]]; then echo "FAIL: $3"; echo "$hits"; bad=$((bad+1)); fi
}
cross core '#include *"attncert/(reductions|verifiers|checker|gpu|gpu_check)/' "core includes a higher layer"
cross reductions '#include *[<"](attncert/(verifiers|checker)/|CLI/)' "reductions include the CLI or the checker"
cross gpu_check '#include *[<"](attncert/(verifiers|checker)/|CLI/)' "gpu_check includes the CLI or the checker"
cross verifiers/checker '#include *"attncert/(core|reductions|verifiers|gpu_check)/|#include *<(boost|mpfr|z3)' "the checker includes producer code"
if [[ $bad -eq 0 ]]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; exit 1; fi
