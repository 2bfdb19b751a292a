# T5 end-to-end checks, sourced by cli_test.sh (A, CHK, T, expect).
# bad input: one line naming the parameter, exit 2
expect 2 "--model" -- "$A" verify t5 --model three-cache
expect 2 "--n" -- "$A" verify t5 --n 2
expect 2 "--eta" -- "$A" verify t5 --n 16 --d 16 --eta 1
expect 2 "--C: must lie in" -- "$A" verify t5 --n 16 --d 16 --C 0
expect 2 "--keys-a" -- "$A" verify t5 --keys-a gaussian
expect 2 "--keys-a: the native model takes random or hadamard" -- "$A" verify t5 --keys-a code:bch:5:7 --d 31
expect 2 "--keys-b: Walsh-Hadamard rows for both factors collide" -- "$A" verify t5 --n 65 --d 64 --keys-a hadamard --keys-b hadamard
expect 2 "--n: the two-cache model needs n in" -- "$A" verify t5 --model two-cache --n 2000
expect 2 "--keys: the two-cache model takes random or hadamard" -- "$A" verify t5 --model two-cache --n 9 --keys code:bch:5:7
# the three models certify, and the independent checker agrees
expect 0 "certified: .*keeps >= 16128 bits \(1 N d\)" -- "$A" verify t5 --model four-cache-native --n 64 --d 256 --cert "$T/t5n.json"
expect 0 "ACCEPTED \(t5\): all 63 queries' pair-product histograms" -- "$CHK" "$T/t5n.json"
expect 0 "certified" -- "$A" verify t5 --model four-cache-native --n 100 --d 128 --keys-a hadamard --notion l2 --delta 1/100 --cert "$T/t5h.json"
expect 0 "ACCEPTED \(t5\)" -- "$CHK" "$T/t5h.json"
expect 0 "certified: .*T1 via the embedding" -- "$A" verify t5 --model four-cache-embed --n 1024 --d 128 --cert "$T/t5e.json"
expect 0 "ACCEPTED \(t5\): T1 re-derived through the embedding" -- "$CHK" "$T/t5e.json"
expect 0 "certified: .*two-cache model" -- "$A" verify t5 --model two-cache --n 33 --d 128 --notion abs --eta 1/2 --cert "$T/t5t.json"
expect 0 "ACCEPTED \(t5\): T1 re-derived with N = \(n-1\)\^2 = 1024" -- "$A" check "$T/t5t.json"
# negatives: d too small must not certify (pair products collide: refuted; no margin: inconclusive)
expect 1 "refuted: pair products collide" -- "$A" verify t5 --n 64 --d 4
expect 3 "inconclusive: .*rows lack the margin" -- "$A" verify t5 --n 64 --d 64 --C 1
expect 1 "refuted: .*coincides" -- "$A" verify t5 --model two-cache --n 40 --d 6
# tampered certificates are rejected
sed 's/"seed": "1"/"seed": "3"/' "$T/t5n.json" > "$T/t5bad1.json"
expect 1 "REJECTED .*pair_product_histogram" -- "$CHK" "$T/t5bad1.json"
sed 's/"zero_rows": "127"/"zero_rows": "1"/' "$T/t5n.json" > "$T/t5bad2.json"
expect 1 "REJECTED .*zero_rows" -- "$CHK" "$T/t5bad2.json"
sed 's/"phi_upper": "0"/"phi_upper": "1\/1000"/' "$T/t5n.json" > "$T/t5bad3.json"
expect 1 "REJECTED .*p_upper" -- "$CHK" "$T/t5bad3.json"
sed 's/(assert (= kb0_0 1))/(assert (= kb0_0 0))/' "$T/t5e.json" > "$T/t5bad4.json"
expect 1 "REJECTED .*statement differs" -- "$CHK" "$T/t5bad4.json"
sed 's/"V2": "1"/"V2": "0"/' "$T/t5e.json" > "$T/t5bad5.json"
expect 1 "REJECTED .*K2 and V2" -- "$CHK" "$T/t5bad5.json"
expect 2 "MALFORMED .*--max-pairs" -- "$CHK" --max-pairs 1000 "$T/t5n.json"
# low dimension: T2's code argument on pair products, one row per d
expect 0 "certified: for each d in 2..10.*d=10: 160 bits" -- "$A" verify t5 --model low-dim --d 2..10 --cert "$T/t5l.json"
expect 0 "ACCEPTED \(t5\): all 9 rows re-derived" -- "$CHK" "$T/t5l.json"
expect 2 "--d" -- "$A" verify t5 --model low-dim --d 1..8
expect 2 "--d" -- "$A" verify t5 --model low-dim --d 9..4
expect 2 "--B: must be > 0" -- "$A" verify t5 --model low-dim --d 2..4 --B 0
expect 2 "--B: B\^3 d = .* exceeds 2\^23" -- "$A" verify t5 --model low-dim --d 200 --B 40
expect 2 "--max-log2-N" -- "$A" verify t5 --model low-dim --d 8 --max-log2-N 16
python3 - "$T/t5l.json" "$T/t5lbad.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
w = c["derived"]["rows"][3]["weight_distribution"]
w[1], w[2] = w[1] + 1, w[2] - 1
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
expect 1 "REJECTED .*weight_distribution" -- "$CHK" "$T/t5lbad.json"
sed 's/"d_max": "10"/"d_max": "11"/' "$T/t5l.json" > "$T/t5lbad2.json"
expect 2 "MALFORMED .*one entry per d" -- "$CHK" "$T/t5lbad2.json"
expect 2 "--C: the low-dim model fixes C" -- "$A" verify t5 --model low-dim --d 4 --C 3
# sweep t5: the low-dim rows as CSV (+ plot when gnuplot exists), beside T2's bound
expect 0 "wrote .*t5.csv" -- "$A" sweep t5 --d 2..8 --out "$T/sw5" --quiet
expect 0 "^8,1,64,8,64,2,RM\(2;3\),1024,128," -- cat "$T/sw5/t5.csv"
expect 2 "--d" -- "$A" sweep t5 --d 8..2 --out "$T/sw5b"
# an option the model does not use is bad input
expect 2 "--keys-a: only the four-cache-native model takes it" -- "$A" verify t5 --model two-cache --n 9 --keys-a hadamard
expect 2 "--keys: only the four-cache-embed or two-cache model" -- "$A" verify t5 --model four-cache-native --keys hadamard
expect 2 "--B: only the low-dim model" -- "$A" verify t5 --n 16 --B 2
expect 2 "--n: only the four-cache-embed, four-cache-native or two-cache model" -- "$A" verify t5 --model low-dim --n 16
expect 2 "--timeout-ms: only the four-cache-embed model" -- "$A" verify t5 --n 16 --timeout-ms 100
# the end-to-end decoding check (native): every promised bit comes back
expect 0 "decoding check +3840/4096 bits back \(3840 promised\) in 16 rows, worst flips 16" -- "$A" verify t5 --n 512 --d 256 --notion l2 --delta 1/100
expect 0 "decoding check +(.*) in 63 rows" -- "$A" verify t5 --n 64 --d 64 --C 20
expect 2 "--decode-rows: only the four-cache-native model" -- "$A" verify t5 --model two-cache --n 9 --decode-rows 2
