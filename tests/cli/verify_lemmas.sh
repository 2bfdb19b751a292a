# Lemma checks, sourced by cli_test.sh (A, CHK, T, expect): two routes, labels, tampering.
expect 0 "4/4 lemmas proved by Z3.*4 also by cvc5" -- "$A" verify lemmas --cert "$T/lemmas.json"
expect 0 "ACCEPTED \(lemmas\)" -- "$CHK" "$T/lemmas.json"
# without cvc5 the lemmas are still proved, and labelled Z3-only in the table, claim and certificate
expect 0 "Z3-only: lemma2" -- env ATTNCERT_CVC5=/nonexistent/cvc5 "$A" verify lemmas --cert "$T/lemmas_z3.json"
expect 0 '"cvc5": "unavailable"' -- cat "$T/lemmas_z3.json"
# a swapped statement (a trivially unsat script under a lemma's name) is rejected
sed 's/(assert (>= eta 0))/(assert false)/' "$T/lemmas.json" > "$T/lemmas_swapped.json"
expect 1 "REJECTED" -- "$CHK" "$T/lemmas_swapped.json"
expect 2 "--timeout-ms" -- "$A" verify lemmas --timeout-ms 0
