// The trusted statement table: the exact SMT-LIB2 scripts (each the negation of a lemma of the
// spec) that the producer proves with Z3 and stores in lemmas certificates. A certificate's script
// must equal the one here up to whitespace.
#include "lemmas.hpp"

namespace attncert::checker {

const std::vector<LemmaStatement>& lemma_statements() {
  static const std::vector<LemmaStatement> table = {
      {"lemma2_sign_margin(k=3)", R"smt((set-logic QF_NRA)
(declare-const w Real)
(declare-const w0 Real)
(declare-const v Real)
(declare-const w1 Real)
(declare-const u1 Real)
(declare-const w2 Real)
(declare-const u2 Real)
(declare-const w3 Real)
(declare-const u3 Real)
(assert (>= w 0))
(assert (>= w0 0))
(assert (or (= v 1) (= v (- 1))))
(assert (and (>= w1 0) (>= u1 (- 1)) (<= u1 1)))
(assert (and (>= w2 0) (>= u2 (- 1)) (<= u2 1)))
(assert (and (>= w3 0) (>= u3 (- 1)) (<= u3 1)))
(assert (= (+ w w0 w1 w2 w3) 1))
(assert (not (>= (* (+ (* w v) (* w1 u1) (* w2 u2) (* w3 u3)) v) (- (* 2 w) 1))))
(check-sat)
)smt"},
      {"lemma3_decoding_rel", R"smt((set-logic QF_NRA)
(declare-const Z Real)
(declare-const Zhat Real)
(declare-const v Real)
(declare-const mu Real)
(declare-const eta Real)
(assert (or (= v 1) (= v (- 1))))
(assert (>= (* Z v) mu))
(assert (>= eta 0))
(assert (> mu 0))
(assert (< eta 1))
(assert (<= (ite (>= (- Zhat Z) 0) (- Zhat Z) (- Z Zhat)) (* eta (ite (>= Z 0) Z (- Z)))))
(assert (not (> (* Zhat v) 0)))
(check-sat)
)smt"},
      {"lemma3_decoding_abs", R"smt((set-logic QF_NRA)
(declare-const Z Real)
(declare-const Zhat Real)
(declare-const v Real)
(declare-const mu Real)
(declare-const eta Real)
(assert (or (= v 1) (= v (- 1))))
(assert (>= (* Z v) mu))
(assert (>= eta 0))
(assert (> mu eta))
(assert (<= (ite (>= (- Zhat Z) 0) (- Zhat Z) (- Z Zhat)) eta))
(assert (not (> (* Zhat v) 0)))
(check-sat)
)smt"},
      {"lemma3_decoding_l2_flips(d=2)", R"smt((set-logic QF_NRA)
(declare-const mu Real)
(declare-const eta Real)
(declare-const Z1 Real)
(declare-const Zhat1 Real)
(declare-const v1 Real)
(declare-const Z2 Real)
(declare-const Zhat2 Real)
(declare-const v2 Real)
(assert (> mu 0))
(assert (>= eta 0))
(assert (or (= v1 1) (= v1 (- 1))))
(assert (>= (* Z1 v1) mu))
(assert (and (<= Z1 1) (>= Z1 (- 1))))
(assert (<= (* Zhat1 v1) 0))
(assert (or (= v2 1) (= v2 (- 1))))
(assert (>= (* Z2 v2) mu))
(assert (and (<= Z2 1) (>= Z2 (- 1))))
(assert (<= (* Zhat2 v2) 0))
(assert (<= (+ (* (- Zhat1 Z1) (- Zhat1 Z1)) (* (- Zhat2 Z2) (- Zhat2 Z2))) (* (* eta eta) (+ (* Z1 Z1) (* Z2 Z2)))))
(assert (not (<= (* 2 (* mu mu)) (* (* eta eta) 2))))
(check-sat)
)smt"},
  };
  return table;
}

std::string collapse_whitespace(const std::string& s) {
  std::string out;
  bool gap = false;
  for (char ch : s) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += ' ';
    gap = false;
    out += ch;
  }
  return out;
}

}  // namespace attncert::checker
