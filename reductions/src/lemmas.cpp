#include "attncert/reductions/lemmas.hpp"

#include <sstream>

#include "attncert/core/cvc5.hpp"

namespace attncert::reductions {

namespace {

struct Script {
  std::ostringstream decl, body;
  void real(const std::string& x) { decl << "(declare-const " << x << " Real)\n"; }
  void assert_(const std::string& f) { body << "(assert " << f << ")\n"; }
  std::string text() const { return "(set-logic QF_NRA)\n" + decl.str() + body.str() + "(check-sat)\n"; }
};

// base followed by k ("w", 3 -> "w3"), built without operator+ (GCC 12's -Wrestrict false positive).
std::string var(const char* base, int k) { return std::string(base).append(std::to_string(k)); }

}  // namespace

std::vector<SmtLemma> decoding_lemma_scripts(int others) {
  std::vector<SmtLemma> out;
  // Lemma 2: weights w (token i), w_1..w_k (others, values u_j in [-1, 1]), w0 (Bob, value 0),
  // all >= 0 summing to 1; v = ±1. Then Z v >= 2w - 1 where Z = w v + sum_j w_j u_j.
  {
    Script s;
    for (const char* x : {"w", "w0", "v"}) s.real(x);
    std::string total = "(+ w w0", z = "(+ (* w v)";
    for (int j = 1; j <= others; ++j) {
      const std::string wj = var("w", j), uj = var("u", j);
      s.real(wj);
      s.real(uj);
      total += " " + wj;
      z += " (* " + wj + " " + uj + ")";
    }
    s.assert_("(>= w 0)");
    s.assert_("(>= w0 0)");
    s.assert_("(or (= v 1) (= v (- 1)))");
    for (int j = 1; j <= others; ++j) {
      const std::string wj = var("w", j), uj = var("u", j);
      s.assert_("(and (>= " + wj + " 0) (>= " + uj + " (- 1)) (<= " + uj + " 1))");
    }
    s.assert_("(= " + total + ") 1)");
    s.assert_("(not (>= (* " + z + ") v) (- (* 2 w) 1)))");
    out.push_back({var("lemma2_sign_margin(k=", others) + ")", s.text()});
  }
  // Lemma 3, rel: Z v >= mu > 0, |Zhat - Z| <= eta |Z|, 0 <= eta < 1  =>  Zhat v > 0.
  // Lemma 3, abs: Z v >= mu > eta >= 0, |Zhat - Z| <= eta  =>  Zhat v > 0.
  for (bool rel : {true, false}) {
    Script s;
    for (const char* x : {"Z", "Zhat", "v", "mu", "eta"}) s.real(x);
    s.assert_("(or (= v 1) (= v (- 1)))");
    s.assert_("(>= (* Z v) mu)");
    s.assert_("(>= eta 0)");
    const std::string err = "(ite (>= (- Zhat Z) 0) (- Zhat Z) (- Z Zhat))";
    if (rel) {
      s.assert_("(> mu 0)");
      s.assert_("(< eta 1)");
      s.assert_("(<= " + err + " (* eta (ite (>= Z 0) Z (- Z))))");
    } else {
      s.assert_("(> mu eta)");
      s.assert_("(<= " + err + " eta)");
    }
    s.assert_("(not (> (* Zhat v) 0))");
    out.push_back({rel ? "lemma3_decoding_rel" : "lemma3_decoding_abs", s.text()});
  }
  // Lemma 3, l2, two coordinates: |Z_l| <= 1, Z_l v_l >= mu > 0, ||Zhat - Z||^2 <= eta^2 ||Z||^2,
  // and both coordinates flip (Zhat_l v_l <= 0)  =>  2 mu^2 <= 2 eta^2, i.e. F <= eta^2 d / mu^2.
  {
    Script s;
    for (const char* x : {"mu", "eta"}) s.real(x);
    for (int l = 1; l <= 2; ++l)
      for (const char* x : {"Z", "Zhat", "v"}) s.real(var(x, l));
    s.assert_("(> mu 0)");
    s.assert_("(>= eta 0)");
    for (int l = 1; l <= 2; ++l) {
      const std::string Z = var("Z", l), Zh = var("Zhat", l), v = var("v", l);
      s.assert_("(or (= " + v + " 1) (= " + v + " (- 1)))");
      s.assert_("(>= (* " + Z + " " + v + ") mu)");
      s.assert_("(and (<= " + Z + " 1) (>= " + Z + " (- 1)))");
      s.assert_("(<= (* " + Zh + " " + v + ") 0)");
    }
    s.assert_("(<= (+ (* (- Zhat1 Z1) (- Zhat1 Z1)) (* (- Zhat2 Z2) (- Zhat2 Z2))) (* (* eta eta) (+ (* Z1 Z1) (* Z2 Z2))))");
    s.assert_("(not (<= (* 2 (* mu mu)) (* (* eta eta) 2)))");
    out.push_back({"lemma3_decoding_l2_flips(d=2)", s.text()});
  }
  return out;
}

LemmaStatement parse_lemma(z3::context& c, const SmtLemma& l) {
  z3::expr_vector a = c.parse_string(l.smtlib2.c_str());
  LemmaStatement st{l.name, {}, c.bool_val(true)};
  for (unsigned k = 0; k + 1 < a.size(); ++k) st.hypotheses.push_back(a[k]);
  st.conclusion = !a[a.size() - 1];  // the script asserts the negated conclusion last
  return st;
}

std::vector<LemmaStatement> decoding_lemmas(z3::context& c, int others) {
  std::vector<LemmaStatement> out;
  for (const auto& l : decoding_lemma_scripts(others)) out.push_back(parse_lemma(c, l));
  return out;
}

std::vector<LemmaProof> prove_lemmas(const std::vector<SmtLemma>& lemmas, unsigned timeout_ms) {
  std::vector<LemmaProof> out;
  for (const auto& l : lemmas) {
    z3::context c;
    LemmaProof p;
    try {
      LemmaStatement st = parse_lemma(c, l);
      p.z3 = core::prove(c, l.name, st.conclusion, timeout_ms, st.hypotheses);
    } catch (const z3::exception& e) {  // a script Z3 cannot parse proves nothing
      p.z3.name = l.name;
      p.z3.reason = std::string("Z3 cannot parse the script: ") + e.msg();
    }
    p.cvc5 = core::run_cvc5(l.smtlib2, timeout_ms).answer;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<core::LemmaResult> prove_decoding_lemmas(unsigned timeout_ms, int others) {
  std::vector<core::LemmaResult> out;
  for (const auto& l : decoding_lemma_scripts(others)) {
    z3::context c;
    LemmaStatement st = parse_lemma(c, l);
    out.push_back(core::prove(c, l.name, st.conclusion, timeout_ms, st.hypotheses));
  }
  return out;
}

}  // namespace attncert::reductions
