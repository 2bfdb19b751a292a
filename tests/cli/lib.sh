# Shared by the CLI test scripts (cli_test.sh and the verify_<id>.sh run on their own): a temp
# directory T removed on exit, pass/fail counters, and expect CODE PATTERN -- command...
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 passes=0
expect() {  # expect CODE PATTERN -- command...
  local code=$1 pat=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne $code ]]; then echo "FAIL (exit $rc, wanted $code): $*"; echo "$out" | head -5; fails=$((fails+1)); return; fi
  if [[ -n $pat ]] && ! grep -qE -- "$pat" <<<"$out"; then echo "FAIL (no '$pat'): $*"; echo "$out" | head -5; fails=$((fails+1)); return; fi
  passes=$((passes+1))
}
