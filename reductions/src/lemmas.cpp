#include "attncert/reductions/lemmas.hpp"

namespace attncert::reductions {

std::vector<LemmaStatement> decoding_lemmas(z3::context& c, int others) {
  std::vector<LemmaStatement> out;
  z3::expr zero = c.real_val(0), one = c.real_val(1), two = c.real_val(2);

  // Lemma 2: weights w (token i), w_1..w_k (others, values u_j in [-1, 1]), w0 (Bob, value 0),
  // all >= 0 summing to 1; v = ±1. Then Z v >= 2w - 1 where Z = w v + sum_j w_j u_j.
  {
    z3::expr w = c.real_const("w"), w0 = c.real_const("w0"), v = c.real_const("v");
    std::vector<z3::expr> hyp = {w >= zero, w0 >= zero, v == one || v == -one};
    z3::expr total = w + w0, z = w * v;
    for (int j = 1; j <= others; ++j) {
      const std::string idx = std::to_string(j);  // (not "w" + to_string: GCC 12 -Wrestrict false positive)
      z3::expr wj = c.real_const(std::string("w").append(idx).c_str());
      z3::expr uj = c.real_const(std::string("u").append(idx).c_str());
      hyp.push_back(wj >= zero);
      hyp.push_back(uj >= -one && uj <= one);
      total = total + wj;
      z = z + wj * uj;
    }
    hyp.push_back(total == one);
    out.push_back({std::string("lemma2_sign_margin(k=").append(std::to_string(others)).append(")"), hyp, z * v >= two * w - one});
  }
  // Lemma 3, rel: Z v >= mu > 0, |Zhat - Z| <= eta |Z|, 0 <= eta < 1  =>  Zhat v > 0.
  // Lemma 3, abs: Z v >= mu > eta >= 0, |Zhat - Z| <= eta  =>  Zhat v > 0.
  {
    z3::expr Z = c.real_const("Z"), Zh = c.real_const("Zhat"), v = c.real_const("v"),
             mu = c.real_const("mu"), eta = c.real_const("eta");
    z3::expr absZ = z3::ite(Z >= zero, Z, -Z), err = z3::ite(Zh - Z >= zero, Zh - Z, Z - Zh);
    std::vector<z3::expr> base = {v == one || v == -one, Z * v >= mu, eta >= zero};
    std::vector<z3::expr> rel = base, abs = base;
    for (auto h : {mu > zero, eta < one, err <= eta * absZ}) rel.push_back(h);
    for (auto h : {mu > eta, err <= eta}) abs.push_back(h);
    out.push_back({"lemma3_decoding_rel", rel, Zh * v > zero});
    out.push_back({"lemma3_decoding_abs", abs, Zh * v > zero});
  }
  // Lemma 3, l2, two coordinates: |Z_l| <= 1, Z_l v_l >= mu > 0, ||Zhat - Z||^2 <= eta^2 ||Z||^2,
  // and both coordinates flip (Zhat_l v_l <= 0)  =>  2 mu^2 <= eta^2 * 2, i.e. F <= eta^2 d / mu^2.
  {
    z3::expr mu = c.real_const("mu"), eta = c.real_const("eta");
    std::vector<z3::expr> hyp = {mu > zero, eta >= zero};
    z3::expr dist = zero, norm = zero;
    for (int l = 1; l <= 2; ++l) {
      std::string s = std::to_string(l);
      z3::expr Z = c.real_const(std::string("Z").append(s).c_str()), Zh = c.real_const(std::string("Zhat").append(s).c_str()),
               v = c.real_const(std::string("v").append(s).c_str());
      for (auto h : {v == one || v == -one, Z * v >= mu, Z <= one && Z >= -one, Zh * v <= zero}) hyp.push_back(h);
      dist = dist + (Zh - Z) * (Zh - Z);
      norm = norm + Z * Z;
    }
    hyp.push_back(dist <= eta * eta * norm);
    out.push_back({"lemma3_decoding_l2_flips(d=2)", hyp, two * mu * mu <= eta * eta * two});
  }
  return out;
}

std::vector<core::LemmaResult> prove_decoding_lemmas(unsigned timeout_ms, int others) {
  z3::context c;
  std::vector<core::LemmaResult> out;
  for (const auto& l : decoding_lemmas(c, others))
    out.push_back(core::prove(c, l.name, l.conclusion, timeout_ms, l.hypotheses));
  return out;
}

}  // namespace attncert::reductions
