# T6 end-to-end checks, sourced by cli_test.sh (A, CHK, T, expect): bad input per flag, the
# statistical certificate accepted by the checker, the biased samplers and too few estimator
# samples refuted (exit 1), tampered certificates rejected.
expect 2 "--eps" -- "$A" verify t6 --eps 0
expect 2 "--eps" -- "$A" verify t6 --eps -1/2
expect 2 "--delta" -- "$A" verify t6 --delta 0
expect 2 "--delta" -- "$A" verify t6 --delta 1
expect 2 "--delta" -- "$A" verify t6 --delta 3/2
expect 2 "--k" -- "$A" verify t6 --k 0
expect 2 "--k" -- "$A" verify t6 --n 4 --k 5
expect 2 "--alpha" -- "$A" verify t6 --alpha 1
expect 2 "--sampler" -- "$A" verify t6 --sampler nope
expect 2 "--samples" -- "$A" verify t6 --samples 10
expect 2 "--scale" -- "$A" verify t6 --scale 0
expect 2 "--slack" -- "$A" verify t6 --slack -1
[[ $("$A" verify t6 --eps 0 2>&1 | wc -l) -eq 1 ]] && passes=$((passes+1)) || { echo "FAIL: t6 error is not one line"; fails=$((fails+1)); }
# certified; the checker accepts
expect 0 "certified" -- "$A" verify t6 --n 8 --d 4 --k 2 --samples 3000 --trials 100 --cert "$T/t6.json"
expect 0 "ACCEPTED \(t6\)" -- "$CHK" "$T/t6.json"
expect 0 "certified" -- "$A" verify t6 --n 6 --d 3 --k 2 --slack 3/2 --samples 2000 --trials 100 --eps 3/4 --cert "$T/t6s.json"
expect 0 "ACCEPTED \(t6\)" -- "$A" check "$T/t6s.json"
# the deliberately biased samplers and too few samples are refuted (exit 1), with no certificate
expect 1 "refuted.*\(a\) sampler exactness" -- "$A" verify t6 --n 6 --d 2 --k 1 --samples 10000 --trials 20 --sampler tail-with-replacement --cert "$T/t6bad.json"
[[ ! -e $T/t6bad.json ]] && passes=$((passes+1)) || { echo "FAIL: refuted t6 wrote a certificate"; fails=$((fails+1)); }
expect 1 "refuted.*\(b\) E\[m\]" -- "$A" verify t6 --n 6 --d 2 --k 1 --samples 10000 --trials 20 --sampler b-off-by-one
expect 1 "refuted.*\(c\) estimator" -- "$A" verify t6 --samples 1000 --trials 100 --ell 1
# tampered certificates: each rejected
t6tamper() {  # t6tamper NAME PYTHON-STATEMENT over the certificate `c`
  /usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1])); $2; json.dump(c, open(sys.argv[2], 'w'))" \
    "$T/t6.json" "$T/t6_$1.json"
  expect 1 "REJECTED" -- "$CHK" "$T/t6_$1.json"
}
t6tamper counts 'r=c["statistics"]["counts"][3]; i=r.index(max(r)); r[i]-=300; r[(i+1)%len(r)]+=300'
t6tamper tv 'c["derived"]["rows"][2]["tv_upper"]="1/1000"'
t6tamper cp_upper 'r=c["derived"]["rows"][1]; r["cp_upper"]=r["cp_lower"]'
t6tamper failures 'c["derived"]["failures"]="1"'
t6tamper trial 'l=int(c["parameters"]["ell"]); [r.__setitem__(slice(None), [l]+[0]*(len(r)-1)) for r in c["statistics"]["trial_counts"][0]]'
t6tamper fail_cp 'c["derived"]["failure_cp_upper"]="1/1000"; c["claim"]["failure_probability_upper"]="1/1000"'
t6tamper ell_rule 'c["derived"]["ell_rule"]=str(int(c["derived"]["ell_rule"])+1)'
t6tamper topk 'i=0; t=c["statistics"]["topk"][i]; n=len(c["statistics"]["counts"]); t[0]=[j for j in range(n) if j not in t][-1]'
t6tamper seed 'c["instance"]["seed"]="2"'
t6tamper zero 'c["statistics"]["zero_tail"][0]=c["parameters"]["samples"] and int(c["parameters"]["samples"])'
t6tamper eps 'r=c["derived"]["rows"][4]["knn_eps"]; r["lo"]=r["hi"]="1/3"'
t6tamper claim_tv 'c["claim"]["sampler_tv_upper"]="1/100"'
/usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c['parameters']['sampler']='fair'; json.dump(c, open(sys.argv[2], 'w'))" "$T/t6.json" "$T/t6_mal.json"
expect 2 "MALFORMED" -- "$CHK" "$T/t6_mal.json"
/usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c['derived']['rows'][0]['cp_lower']='1/'+str(2**40+1); json.dump(c, open(sys.argv[2], 'w'))" "$T/t6.json" "$T/t6_den.json"
expect 2 "MALFORMED.*2\^32" -- "$CHK" "$T/t6_den.json"
# sweep t6: CSV (+ plots when gnuplot exists), bad input
expect 0 "wrote .*t6_grad.csv" -- "$A" sweep t6 --n 16 --d 2 --walks 16,64 --reps 1 --out "$T/sw6" --quiet
expect 0 "^16," -- cat "$T/sw6/t6_grad.csv"
expect 2 "--walks" -- "$A" sweep t6 --walks 0
expect 2 "--n" -- "$A" sweep t6 --n 1
expect 2 "--k" -- "$A" sweep t6 --n 16 --k 17
# From the t6 audit: regression certificates (tests/fixtures/audit/README.md).
FXA=$(dirname "${BASH_SOURCE[0]}")/../fixtures/audit
expect 1 "REJECTED.*failure_cp_upper must be 1 when every trial failed" -- "$CHK" "$FXA/t6_all_trials_fail.json"
expect 1 "REJECTED.*cp_upper must be 1 when every sample had m = 0" -- "$CHK" "$FXA/t6_zero_tail_all_cp_upper.json"
expect 2 "MALFORMED.*denominator must be at most 2\^32" -- "$CHK" "$FXA/t6_den33.json"
expect 2 "MALFORMED.*largest \|score\|" -- "$CHK" "$FXA/t6_score_range.json"
expect 2 "--scale" -- "$A" verify t6 --n 8 --d 64 --qk-bound 64 --scale 16
expect 0 "ACCEPTED \(t6\)" -- "$CHK" "$FXA/t6_k_eq_n_exact_pzero.json"
