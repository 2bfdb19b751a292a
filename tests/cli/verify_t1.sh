# T1 end-to-end checks, sourced by cli_test.sh (A, CHK, T, expect).
# T1: bad input, certified, refuted, inconclusive, certificate and checker
expect 2 "--n" -- "$A" verify t1 --n -5
expect 2 "--eta" -- "$A" verify t1 --n 100 --d 16 --eta 1
expect 2 "--notion" -- "$A" verify t1 --n 100 --d 16 --notion linf
expect 2 "cannot read key file" -- "$A" verify t1 --keys file:/nonexistent/keys.txt
expect 2 "--keys" -- "$A" verify t1 --keys gaussian
expect 2 "--C" -- "$A" verify t1 --n 100 --d 16 --C 0
expect 2 "--C: must lie in" -- "$A" verify t1 --n 100 --d 16 --C 8388609
expect 0 "certified: .*keeps >= 262080 bits" -- "$A" verify t1 --n 4096 --d 64 --cert "$T/t1.json"
expect 0 "ACCEPTED \(t1\)" -- "$A" check "$T/t1.json"
expect 0 "ACCEPTED \(t1\)" -- "$CHK" "$T/t1.json"
expect 0 "binomial" -- "$A" verify t1 --auto --n 1024 --decode-rows 2
expect 1 "refuted: keys .* coincide" -- "$A" verify t1 --n 400 --d 4
expect 0 "certified" -- "$A" verify t1 --n 400 --d 14 --C 12  # a few coinciding keys, still a bound
expect 3 "inconclusive: delta \+ phi" -- "$A" verify t1 --n 400 --d 64 --delta 1/2
expect 3 "delta = 1/2 alone" -- "$A" verify t1 --n 400 --d 64 --notion rel --delta 1/2
expect 3 "rows lack the margin" -- "$A" verify t1 --n 400 --d 32 --C 1/2
# a key file beyond the format's limits is bad input (the checker would reject its certificate)
printf '%065536d\n' 0 | tr 0 + > "$T/widekeys.txt"
expect 2 "--keys: .*dimension 65536 exceeds 65535" -- "$A" verify t1 --keys "file:$T/widekeys.txt"
expect 0 "certified" -- "$A" verify t1 --keys hadamard --d 32 --notion l2 --eta 1/4 --delta 1/10
printf '+-+-\n0110\n' > "$T/keys.txt"
expect 0 "certified" -- "$A" verify t1 --keys "file:$T/keys.txt" --C 8
# code keys (reductions/include/attncert/reductions/codes.hpp): explicit rows, or the Hadamard block for RM(1, m)
expect 0 "certified: .*keeps >= 126945 bits" -- "$A" verify t1 --keys code:bch:5:7 --cert "$T/t1bch.json"
expect 0 "ACCEPTED \(t1\)" -- "$CHK" "$T/t1bch.json"
expect 0 '"keys": "explicit"' -- cat "$T/t1bch.json"
expect 0 "certified" -- "$A" verify t1 --keys code:rm:1:6 --notion l2 --cert "$T/t1rm.json"
expect 0 '"keys": "hadamard"' -- cat "$T/t1rm.json"
expect 0 "ACCEPTED \(t1\)" -- "$CHK" "$T/t1rm.json"
expect 0 "certified" -- "$A" verify t1 --keys code:greedy:40:12:300 --seed 5
expect 2 "--keys: .*unknown code 'golay'" -- "$A" verify t1 --keys code:golay:23
expect 2 "--keys: .*R <= M" -- "$A" verify t1 --keys code:rm:5:4
expect 2 "--keys: .*DELTA must lie in" -- "$A" verify t1 --keys code:bch:5:32
expect 2 "--keys: .*K = 40 > 32" -- "$A" verify t1 --keys code:random:64:40
expect 2 "--keys: code:bch:5:7 has length 31, not d=64" -- "$A" verify t1 --keys code:bch:5:7 --d 64
expect 2 "--n: RM\(1,3\) has 2\^4 codewords" -- "$A" verify t1 --keys code:rm:1:3 --n 18
sed 's/"seed": "1"/"seed": "2"/' "$T/t1.json" > "$T/t1bad.json"
expect 1 "REJECTED" -- "$A" check "$T/t1bad.json"
# sweep: CSV (+ plot when gnuplot exists), bad grids
expect 0 "certified" -- "$A" sweep t1 --n 64..256 --d 8..32:8 --out "$T/sweep" --quiet
expect 0 "^256,255,32," -- cat "$T/sweep/t1.csv"
expect 0 "binomial|d_binomial" -- cat "$T/sweep/t1_curves.csv"
expect 2 "--n" -- "$A" sweep t1 --n 512..64 --out "$T/sweep2"
expect 2 "--d" -- "$A" sweep t1 --n 64 --d 0..8:0 --out "$T/sweep2"
# The decoding check at the largest d: Bob's output groups tokens by the distances that occur
# (a dense (d + 1) x d table was 34 GB at d = 65535 and made this exit 2 "out of memory").
expect 0 "certified" -- "$A" verify t1 --n 3 --d 65535
