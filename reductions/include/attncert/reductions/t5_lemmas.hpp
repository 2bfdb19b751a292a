// T5's embedding identity as SMT-LIB2 lemmas (docs/theorems.md#t5), proved like the decoding
// lemmas (lemmas.hpp): Z3 (linked) and cvc5 (a separate program) on the same script. Separate from
// t5.hpp because lemmas.hpp pulls in z3++.h.
#pragma once
#include <vector>

#include "attncert/reductions/lemmas.hpp"

namespace attncert::reductions {

// For n tokens and d coordinates (n <= 4 and d <= 2 in certificates):
//  - t5_embedding_scores(n,d):  K2 = 1  =>  s(j1, j2) = sum_l q_l K1[j1,l] K2[j2,l] = <q, K1[j1]>
//    for every pair (so every pair's weight e^{s(j1,j2)} is the weight of j1);
//  - t5_embedding_identity(n,d): free positive weights e_{j1,j2} = f_{j1} > 0 and V2 = 1  =>
//    sum e_{j1,j2} V1[j1,l] V2[j2,l] / sum e_{j1,j2} = sum f_j V1[j,l] / sum f_j for every l
//    (cross-multiplied; both denominators are positive).
std::vector<SmtLemma> embedding_lemma_scripts(int n = 4, int d = 2);

}  // namespace attncert::reductions
