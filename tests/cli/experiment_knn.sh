#!/usr/bin/env bash
# T6 experiments end to end: `attncert experiment knn-speed | knn-error` write their CSV (and the
# SVG/PNG plots where gnuplot exists); bad input exits 2 with one line naming the parameter.
# usage: experiment_knn.sh ATTNCERT_BINARY
# It runs as its own CTest (tests/CMakeLists.txt); cli_test.sh sources every verify_*.sh only.
set -u
A=$1
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
one_line() {  # one_line command...: bad input is exactly one line on stderr, nothing on stdout
  local n
  n=$("$@" 2>&1 | wc -l)
  if [[ $n -eq 1 ]]; then passes=$((passes+1)); else echo "FAIL: $n lines, wanted 1: $*"; fails=$((fails+1)); fi
}
# bad input: exit 2, the parameter named
expect 2 "--k: every k must be >= 1" -- "$A" experiment knn-error --n 50 --k 0 --out "$T/e"
expect 2 "--k: every k must be <= n = 50" -- "$A" experiment knn-error --n 50 --k 3,51 --out "$T/e"
expect 2 "--k" -- "$A" experiment knn-error --n 50 --k 0..8 --out "$T/e"
expect 2 "--k" -- "$A" experiment knn-error --n 50 --k x --out "$T/e"
expect 2 "--n" -- "$A" experiment knn-error --n 1 --out "$T/e"
expect 2 "--d" -- "$A" experiment knn-error --d 0 --out "$T/e"
expect 2 "--B" -- "$A" experiment knn-error --B 0 --out "$T/e"
expect 2 "--n-max" -- "$A" experiment knn-speed --n-min 4096 --n-max 1024 --out "$T/s"
expect 2 "--n-min" -- "$A" experiment knn-speed --n-min 1 --out "$T/s"
expect 2 "--index" -- "$A" experiment knn-speed --index annoy --out "$T/s"
expect 2 "--reps" -- "$A" experiment knn-speed --reps 0 --out "$T/s"
expect 2 "--hnsw-m" -- "$A" experiment knn-speed --hnsw-m 1 --out "$T/s"
expect 2 "--nprobe" -- "$A" experiment knn-speed --nprobe -1 --out "$T/s"
expect 2 "--causal-block" -- "$A" experiment knn-speed --causal-block 0 --out "$T/s"
expect 2 "" -- "$A" experiment knn-nonsense
expect 2 "" -- "$A" experiment
one_line "$A" experiment knn-error --n 50 --k 51 --out "$T/e"
one_line "$A" experiment knn-speed --index annoy --out "$T/s"
[[ ! -e $T/e/knn_error.csv ]] && passes=$((passes+1)) || { echo "FAIL: bad input wrote a CSV"; fails=$((fails+1)); }
# help exits 0
expect 0 "knn-speed" -- "$A" experiment --help
# small runs: the CSVs and their columns
expect 0 "wrote .*knn_error.csv" -- "$A" experiment knn-error --n 64 --d 8 --B 1,5 --k 1,8,64 --out "$T/e" --quiet
[[ $(head -1 "$T/e/knn_error.csv") == "B,n,d,k,mae,max_abs_err,mean_eps,mean_bound" ]] && passes=$((passes+1)) ||
  { echo "FAIL: knn_error.csv header"; fails=$((fails+1)); }
[[ $(wc -l < "$T/e/knn_error.csv") -eq 7 ]] && passes=$((passes+1)) || { echo "FAIL: knn_error.csv rows"; fails=$((fails+1)); }
# k = n: kNN attention is exact attention (up to rounding); k = 1 is not
awk -F, 'NR > 1 && $4 == 64 && $5 > 1e-9 { bad = 1 } NR > 1 && $4 == 1 && $5 < 1e-6 { bad = 1 } END { exit bad }' "$T/e/knn_error.csv" &&
  passes=$((passes+1)) || { echo "FAIL: knn_error.csv values"; cat "$T/e/knn_error.csv"; fails=$((fails+1)); }
expect 0 "wrote .*knn_speed.csv" -- "$A" experiment knn-speed --n-min 256 --n-max 600 --d 16 --index brute --out "$T/s" --quiet
[[ $(head -1 "$T/s/knn_speed.csv") == n,d,causal,method,index,k_rule,k,build_s,search_s,softmax_s,forward_s,forward_with_build_s,mae,recall,achieved_slack ]] &&
  passes=$((passes+1)) || { echo "FAIL: knn_speed.csv header"; fails=$((fails+1)); }
# n = 256, 512, 600 (n-max appended); per n one exact row and two kNN rows (k = sqrt n, n^1/4)
[[ $(grep -c ",exact," "$T/s/knn_speed.csv") -eq 3 && $(grep -c ",knn,brute," "$T/s/knn_speed.csv") -eq 6 ]] &&
  passes=$((passes+1)) || { echo "FAIL: knn_speed.csv rows"; cat "$T/s/knn_speed.csv"; fails=$((fails+1)); }
grep -q "^600,16,1,knn,brute,sqrt,24," "$T/s/knn_speed.csv" && passes=$((passes+1)) || { echo "FAIL: k = round(sqrt 600) = 24"; fails=$((fails+1)); }
# brute-int8 is exact: its lists equal brute force's (recall 1 against it), at n past its first 8192 keys
expect 0 "wrote" -- "$A" experiment knn-speed --n-min 9000 --n-max 9000 --d 16 --index brute,brute-int8 --out "$T/b" --quiet
# (up to float rounding: brute force's GEMM and brute-int8's re-scoring may order near-ties differently)
[[ $(awk -F, '$5 == "brute-int8" && $14 >= 0.9999 && $15 < 1e-4' "$T/b/knn_speed.csv" | wc -l) -eq 2 ]] &&
  passes=$((passes+1)) || { echo "FAIL: brute-int8 is not exact"; cat "$T/b/knn_speed.csv"; fails=$((fails+1)); }
if command -v gnuplot >/dev/null; then
  for f in "$T/e/knn_error.svg" "$T/e/knn_error.png" "$T/s/knn_speed.svg" "$T/s/knn_speed.png"; do
    [[ -s $f ]] && passes=$((passes+1)) || { echo "FAIL: no plot $f"; fails=$((fails+1)); }
  done
fi
if "$A" experiment knn-speed --help | grep -q "hnsw)"; then  # FAISS built in
  expect 0 "wrote" -- "$A" experiment knn-speed --n-min 512 --n-max 512 --d 16 --index brute,hnsw,ivf,flat --hnsw-m 8 \
    --ef-search 40 --nlist 8 --nprobe 8 --causal-block 100 --out "$T/f" --quiet
  # nprobe = nlist: IVF scans every cell, so its lists are the exact ones (recall 1)
  grep -q "^512,16,1,knn,ivf,sqrt,23,.*,1,0$" "$T/f/knn_speed.csv" && passes=$((passes+1)) ||
    { echo "FAIL: IVF with nprobe = nlist is not exact"; cat "$T/f/knn_speed.csv"; fails=$((fails+1)); }
  [[ $(grep -c ",knn," "$T/f/knn_speed.csv") -eq 8 ]] && passes=$((passes+1)) || { echo "FAIL: FAISS rows"; cat "$T/f/knn_speed.csv"; fails=$((fails+1)); }
fi
echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]
