#!/usr/bin/env bash
# Every certificate kind and variant the CLI writes validates against docs/schemas, and typical
# mistakes do not (docs/certificates.md, "JSON Schemas").
# usage: validate_certs.sh BUILD_BIN_DIR SCHEMA_DIR   (BUILD_BIN_DIR holds the attncert binary)
set -u
BIN=$1 SCHEMAS=$2
A=$BIN/attncert
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3   # Debian's python3 with python3-jsonschema, not a pyenv python on PATH
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passes=0 fails=0
files=()

if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
  echo "FAIL  $PY cannot import jsonschema (Debian package python3-jsonschema)"
  echo "0 passed, 1 failed"
  exit 1
fi

# produce ROLE CODE FILE -- command...: the command exits CODE and writes FILE.
produce() {
  local role=$1 code=$2 file=$3 rc
  shift 4
  "$@" >"$T/out.txt" 2>&1
  rc=$?
  if [[ $rc -ne $code ]]; then
    echo "FAIL  $role: exit $rc, wanted $code: attncert ${*:2}"
    head -3 "$T/out.txt"
    fails=$((fails + 1))
  elif [[ ! -s $file ]]; then
    echo "FAIL  $role: no certificate written: attncert ${*:2}"
    fails=$((fails + 1))
  else
    files+=("$role=$file")
  fi
}

produce index 0 "$T/index.json" -- "$A" verify index --N 1000 --p 1/4 --quiet --cert "$T/index.json"
produce gram 0 "$T/gram.json" -- "$A" verify gram --N 300 --d 64 --seed 5 --quiet --cert "$T/gram.json"
# a refutation exits 1 and still writes its certificate (claim.holds false)
produce gram-refuted 1 "$T/gram-refuted.json" -- "$A" verify gram --N 300 --d 8 --rho-max 1/8 --quiet --cert "$T/gram-refuted.json"
produce t1-random 0 "$T/t1-random.json" -- "$A" verify t1 --n 512 --d 64 --quiet --cert "$T/t1-random.json"
produce t1-hadamard 0 "$T/t1-hadamard.json" -- "$A" verify t1 --keys hadamard --d 32 --notion l2 --delta 1/10 --quiet --cert "$T/t1-hadamard.json"
printf '+-+-\n0110\n' >"$T/keys.txt"
produce t1-explicit 0 "$T/t1-explicit.json" -- "$A" verify t1 --keys "file:$T/keys.txt" --C 8 --quiet --cert "$T/t1-explicit.json"
# t2: the bounded-entry rows with the covering bounds; packing: witnesses and optimality claims
produce t2 0 "$T/t2.json" -- "$A" verify t2 --d 2..8 --quiet --cert "$T/t2.json"
produce packing 0 "$T/packing.json" -- "$A" verify packing --d 2..5 --quiet --cert "$T/packing.json"
produce packing-t 0 "$T/packing-t.json" -- "$A" verify packing --d 4..6 --t 0 --quiet --cert "$T/packing-t.json"
produce t2-l2 0 "$T/t2-l2.json" -- "$A" verify t2 --d 5..7 --B 2 --notion l2 --eta 1/4 --delta 1/100 --cos-theta -1/3 --quiet --cert "$T/t2-l2.json"
# t5: the three models (native pair products, the embedding with its lemmas, two-cache)
produce t5-native 0 "$T/t5-native.json" -- "$A" verify t5 --model four-cache-native --n 64 --d 64 --quiet --cert "$T/t5-native.json"
produce t5-embed 0 "$T/t5-embed.json" -- "$A" verify t5 --model four-cache-embed --n 300 --d 64 --quiet --cert "$T/t5-embed.json"
produce t5-two 0 "$T/t5-two.json" -- "$A" verify t5 --model two-cache --n 17 --d 64 --quiet --cert "$T/t5-two.json"
produce t5-lowdim 0 "$T/t5-lowdim.json" -- "$A" verify t5 --model low-dim --d 2..8 --quiet --cert "$T/t5-lowdim.json"
# t6: the statistical certificate (exact top-k, and with slack)
produce t6 0 "$T/t6.json" -- "$A" verify t6 --samples 2000 --trials 100 --quiet --cert "$T/t6.json"
produce t6-slack 0 "$T/t6-slack.json" -- "$A" verify t6 --n 5 --d 2 --k 2 --slack 1/2 --samples 1000 --trials 100 --quiet --cert "$T/t6-slack.json"
# gpu (T7): a decode kernel on random inputs, a T1 instance (amplitude, index_decoding), prefill
# with masked rows
produce gpu-decode 0 "$T/gpu-decode.json" -- "$A" verify gpu --kernel decode --dtype f16 --n 1000 --d 64 --quiet --cert "$T/gpu-decode.json"
produce gpu-t1 0 "$T/gpu-t1.json" -- "$A" verify gpu --kernel split-decode --dtype bf16 --inputs t1 --n 257 --d 64 --splits 4 --block 32 --quiet --cert "$T/gpu-t1.json"
produce gpu-prefill 0 "$T/gpu-prefill.json" -- "$A" verify gpu --kernel prefill --dtype f16 --inputs masked --n 65 --d 16 --tile-q 16 --tile-k 16 --quiet --cert "$T/gpu-prefill.json"

# The suite writes one certificate per entry that produces one.
"$A" verify --suite quick --cert-dir "$T/suite" --quiet >"$T/out.txt" 2>&1
rc=$?
if [[ $rc -ne 0 ]]; then
  echo "FAIL  suite quick: exit $rc, wanted 0"
  head -3 "$T/out.txt"
  fails=$((fails + 1))
fi
shopt -s nullglob
suite=("$T"/suite/*.json)
if [[ ${#suite[@]} -eq 0 ]]; then
  echo "FAIL  suite quick wrote no certificates"
  fails=$((fails + 1))
fi
for f in "${suite[@]}"; do files+=("suite/$(basename "$f")=$f"); done

# The lemmas verifier writes a certificate once its producer supports one; validate it when it
# does, and the hand-written example always.
"$A" verify lemmas --quiet --cert "$T/lemmas.json" >"$T/out.txt" 2>&1
rc=$?
if [[ $rc -ne 0 ]]; then
  echo "FAIL  lemmas: exit $rc, wanted 0"
  head -3 "$T/out.txt"
  fails=$((fails + 1))
elif [[ -s $T/lemmas.json ]]; then
  files+=("lemmas=$T/lemmas.json")
else
  echo "note  verify lemmas wrote no certificate; validating the example tests/schema/examples/lemmas.json only"
fi
files+=("lemmas-example=$HERE/examples/lemmas.json")

"$PY" "$HERE/validate.py" "$SCHEMAS" "${files[@]}" >"$T/validate.txt" 2>&1
rc=$?
grep -v '^validate.py: ' "$T/validate.txt"
ok=$(grep -c '^ok ' "$T/validate.txt")
bad=$(grep -c '^FAIL ' "$T/validate.txt")
passes=$((passes + ok))
fails=$((fails + bad))
if [[ $rc -ne 0 && $bad -eq 0 ]]; then
  echo "FAIL  validate.py exited $rc"
  fails=$((fails + 1))
fi
echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]
