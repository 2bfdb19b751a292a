#!/usr/bin/env bash
# End-to-end CLI checks: exit codes, one-line errors, certificates, the checker, no temp files left.
# usage: cli_test.sh ATTNCERT_BINARY ATTNCERT_CHECK_BINARY VERIFY_INDEX_BINARY
# The checks of each theorem live beside this file in verify_<id>.sh (sourced below, with A, CHK,
# BIN, T and expect); a theorem adds its own file.
set -u
A=$1 CHK=$2 VI=$3 BIN=$(dirname "$1")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# bad input: exit 2 with one line naming the parameter
expect 2 "--N" -- "$A" verify index --N -5
expect 2 "--N" -- "$A" verify index --N abc
expect 2 "--p" -- "$A" verify index --p 0.6
expect 2 "--p" -- "$A" verify index --p 1/0
expect 2 "--seed" -- "$A" verify gram --seed -1
expect 2 "--d" -- "$A" verify gram --d 0
expect 2 "--rho-max" -- "$A" verify gram --rho-max 2
expect 2 "unknown suite" -- "$A" verify --suite nope
expect 2 "error" -- "$A" verify index --bogus
expect 2 "error" -- "$A" frobnicate
expect 2 "--threads" -- "$A" verify index --threads -3
expect 2 "t1" -- "$A" verify
expect 2 "cannot write" -- "$A" verify index --cert /nonexistent/dir/c.json
# an empty value is bad input, not "absent"
expect 2 "--C: empty value" -- "$A" verify t1 --n 100 --d 16 --C ""
expect 2 "--cert: empty value" -- "$A" verify index --cert ""
expect 2 "--rho-max" -- "$A" verify gram --rho-max=
expect 2 "--rho-max: empty value" -- "$A" verify gram --rho-max ""
# --n counts a sequence everywhere; gram counts keys with --N only
expect 2 "--n" -- "$A" verify gram --n 100
[[ $("$A" verify index --N -5 2>&1 | wc -l) -eq 1 ]] && passes=$((passes+1)) || { echo "FAIL: error is not one line"; fails=$((fails+1)); }
# certified runs, certificates and the checker
expect 0 "certified: .*53101 bits" -- "$A" verify index --N 100000 --p 0.1 --cert "$T/index.json" --junit "$T/j.xml"
expect 0 "testcase" -- cat "$T/j.xml"
expect 0 "ACCEPTED" -- "$A" check "$T/index.json"
expect 0 "ACCEPTED" -- "$CHK" "$T/index.json"
expect 0 "certified" -- "$VI" --N 1000 --p 1/4
expect 0 '"status": "certified"' -- "$A" verify gram --N 300 --d 64 --seed 5 --json --cert "$T/gram.json"
expect 0 "ACCEPTED" -- "$A" check "$T/gram.json"
expect 1 "refuted" -- "$A" verify gram --N 300 --d 8 --rho-max 1/8 --quiet --json
# tampering is rejected (exit 1), malformed files exit 2
sed 's/"bits_ceil": "53101"/"bits_ceil": "53102"/' "$T/index.json" > "$T/bad.json"
expect 1 "REJECTED.*bits_ceil" -- "$A" check "$T/bad.json"
sed 's/"seed": "5"/"seed": "6"/' "$T/gram.json" > "$T/badseed.json"
expect 1 "REJECTED" -- "$A" check "$T/badseed.json"
sed 's/"format_version": 1/"format_version": 7/' "$T/index.json" > "$T/v7.json"
expect 2 "MALFORMED.*format_version" -- "$A" check "$T/v7.json"
echo '{"format": ' > "$T/trunc.json"
expect 2 "MALFORMED" -- "$A" check "$T/trunc.json"
expect 2 "cannot read" -- "$A" check "$T/missing.json"
expect 2 "" -- "$CHK"
expect 2 "cannot read" -- "$CHK" "$T/index.json" --help   # --help only alone; here it is a file name
# today's certificates (tests/fixtures/v1, written by the producer before the registry refactor) are
# written again byte for byte, and the checker accepts every one of them
FX=$(dirname "${BASH_SOURCE[0]}")/../fixtures/v1
regen() {  # regen NAME EXIT -- attncert args...
  local name=$1 code=$2; shift 3
  expect "$code" "" -- "$A" "$@" --quiet --cert "$T/fx_$name"
  if cmp -s "$FX/$name" "$T/fx_$name"; then passes=$((passes+1)); else echo "FAIL: $name differs from the fixture"; fails=$((fails+1)); fi
}
regen index.json 0 -- verify index --N 100000 --p 0.1
regen gram.json 0 -- verify gram --N 300 --d 64 --seed 5
regen gram_refuted.json 1 -- verify gram --N 300 --d 8 --rho-max 1/8
regen t1_random.json 0 -- verify t1 --n 512 --d 64
regen t1_l2.json 0 -- verify t1 --n 600 --d 48 --notion l2 --eta 1/3 --delta 1/50 --seed 21
regen t1_abs.json 0 -- verify t1 --n 2000 --d 40 --notion abs --eta 1/2 --delta 1/20
regen t1_hadamard.json 0 -- verify t1 --keys hadamard --d 32 --notion l2 --delta 1/10
regen t1_explicit.json 0 -- verify t1 --keys "file:$FX/keys.txt" --C 8
expect 0 "" -- "$CHK" -q "$FX"/*.json
# every per-theorem executable answers --help
for exe in "$BIN"/verify_*; do expect 0 "Exit codes" -- "$exe" --help; done
# each theorem's own checks
for f in "$(dirname "${BASH_SOURCE[0]}")"/verify_*.sh; do source "$f"; done
# the suite writes one certificate per entry; all of them check
expect 0 "certified" -- "$A" verify --suite quick --cert-dir "$T/suite" --junit "$T/suite.xml"
expect 0 "certified" -- "$A" verify --suite quick --cert-dir "$T/new/nested/certs" --quiet --json
expect 0 "" -- "$A" check -q "$T"/new/nested/certs/01-index.json
expect 2 "--cert-dir" -- "$A" verify --suite quick --cert-dir "$T/suite.xml/sub"
expect 0 "" -- "$A" check -q "$T"/suite/*.json
# attncert-check options: strictly parsed (exit 2 naming the option), the pair budget
expect 2 "--max-pairs" -- "$CHK" --max-pairs abc "$T/t1.json"
expect 2 "--max-pairs" -- "$CHK" --max-pairs 01000 "$T/t1.json"
expect 2 "--max-pairs" -- "$CHK" "$T/t1.json" --max-pairs
expect 2 "--threads" -- "$CHK" --threads -1 "$T/t1.json"
expect 2 "--threads" -- "$CHK" --threads 2x "$T/t1.json"
expect 2 "--smt-timeout-ms" -- "$CHK" --smt-timeout-ms 0 "$T/t1.json"
[[ $("$CHK" --threads x "$T/t1.json" 2>&1 | wc -l) -eq 1 ]] && passes=$((passes+1)) || { echo "FAIL: option error is not one line"; fails=$((fails+1)); }
expect 2 "MALFORMED.*needs 8382465 key pairs .counted per 256 coordinates., above --max-pairs 1000" -- "$CHK" --max-pairs 1000 "$T/t1.json"
expect 0 "ACCEPTED \(t1\)" -- "$CHK" --max-pairs 8382465 --threads 1 --smt-timeout-ms 5000 "$T/t1.json"
expect 0 "usage: attncert-check" -- "$CHK" --help
# nothing half-written is left behind
if ls "$T" "$T/suite" | grep -q '\.tmp\.'; then echo "FAIL: temporary files left"; fails=$((fails+1)); else passes=$((passes+1)); fi
echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]
