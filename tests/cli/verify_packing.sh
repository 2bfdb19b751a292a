# packing end-to-end checks, sourced by cli_test.sh (A, CHK, T, expect): bad input per flag, the
# certificate accepted, a planted wrong optimality claim rejected.
expect 2 "--d" -- "$A" verify packing --d 1..4
expect 2 "--d" -- "$A" verify packing --d 2..11
expect 2 "--d" -- "$A" verify packing --d 5..3
expect 2 "--t" -- "$A" verify packing --d 2..4 --t 2
expect 2 "--t" -- "$A" verify packing --d 2..4 --t 1/2
expect 2 "--timeout-ms" -- "$A" verify packing --d 2..4 --timeout-ms 0
expect 0 "P\(d,t\)" -- "$A" verify packing --d 2..6 --cert "$T/packing.json"
expect 0 "ACCEPTED \(packing\)" -- "$CHK" "$T/packing.json"
# the Hamming-code row (d = 7, t = 1: 16 words) with one word dropped and still claimed optimal
expect 0 "" -- "$A" verify packing --d 7 --t 1 --cert "$T/packing7.json" --quiet
/usr/bin/python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))
c['instance']['rows'][0]['words'].pop()
c['claim']['rows'][0]['lower'] = str(len(c['instance']['rows'][0]['words']))
json.dump(c, open(sys.argv[2], 'w'))" "$T/packing7.json" "$T/packing7_planted.json"
expect 1 "REJECTED.*search found a packing" -- "$CHK" "$T/packing7_planted.json"
