#include "attncert/reductions/t5_lemmas.hpp"

#include <sstream>
#include <stdexcept>

namespace attncert::reductions {

namespace {
std::string idx(const char* base, int a, int b) {
  return std::string(base).append(std::to_string(a)).append("_").append(std::to_string(b));
}
std::string idx(const char* base, int a) { return std::string(base).append(std::to_string(a)); }
std::string name(const char* base, int n, int d) {
  return std::string(base).append("(n=").append(std::to_string(n)).append(",d=").append(std::to_string(d)).append(")");
}
}  // namespace

std::vector<SmtLemma> embedding_lemma_scripts(int n, int d) {
  if (n < 1 || n > 8 || d < 1 || d > 4) throw std::invalid_argument("embedding_lemma_scripts: n in 1..8, d in 1..4");
  std::vector<SmtLemma> out;
  {
    std::ostringstream decl, body;
    for (int l = 0; l < d; ++l) decl << "(declare-const " << idx("q", l) << " Real)\n";
    for (int j = 0; j < n; ++j)
      for (int l = 0; l < d; ++l) decl << "(declare-const " << idx("ka", j, l) << " Real)\n(declare-const " << idx("kb", j, l) << " Real)\n";
    for (int j = 0; j < n; ++j)
      for (int l = 0; l < d; ++l) body << "(assert (= " << idx("kb", j, l) << " 1))\n";
    body << "(assert (not (and";
    for (int j1 = 0; j1 < n; ++j1)
      for (int j2 = 0; j2 < n; ++j2) {
        body << " (= (+";
        for (int l = 0; l < d; ++l) body << " (* " << idx("q", l) << " (* " << idx("ka", j1, l) << " " << idx("kb", j2, l) << "))";
        body << " 0) (+";
        for (int l = 0; l < d; ++l) body << " (* " << idx("q", l) << " " << idx("ka", j1, l) << ")";
        body << " 0))";
      }
    body << ")))\n";
    out.push_back({name("t5_embedding_scores", n, d), "(set-logic QF_NRA)\n" + decl.str() + body.str() + "(check-sat)\n"});
  }
  {
    std::ostringstream decl, body;
    for (int j = 0; j < n; ++j)
      for (int l = 0; l < d; ++l) decl << "(declare-const " << idx("va", j, l) << " Real)\n(declare-const " << idx("vb", j, l) << " Real)\n";
    for (int j1 = 0; j1 < n; ++j1) {
      for (int j2 = 0; j2 < n; ++j2) decl << "(declare-const " << idx("e", j1, j2) << " Real)\n";
      decl << "(declare-const " << idx("f", j1) << " Real)\n";
    }
    for (int j = 0; j < n; ++j)
      for (int l = 0; l < d; ++l) body << "(assert (= " << idx("vb", j, l) << " 1))\n";
    for (int j1 = 0; j1 < n; ++j1) {
      body << "(assert (> " << idx("f", j1) << " 0))\n";
      for (int j2 = 0; j2 < n; ++j2) body << "(assert (= " << idx("e", j1, j2) << " " << idx("f", j1) << "))\n";
    }
    body << "(assert (not (and";
    for (int l = 0; l < d; ++l) {
      std::ostringstream Nt, Dt, Na, Da;
      Nt << "(+";
      Dt << "(+";
      for (int j1 = 0; j1 < n; ++j1)
        for (int j2 = 0; j2 < n; ++j2) {
          Nt << " (* " << idx("e", j1, j2) << " (* " << idx("va", j1, l) << " " << idx("vb", j2, l) << "))";
          Dt << " " << idx("e", j1, j2);
        }
      Nt << " 0)";
      Dt << " 0)";
      Na << "(+";
      Da << "(+";
      for (int j = 0; j < n; ++j) {
        Na << " (* " << idx("f", j) << " " << idx("va", j, l) << ")";
        Da << " " << idx("f", j);
      }
      Na << " 0)";
      Da << " 0)";
      body << " (= (* " << Nt.str() << " " << Da.str() << ") (* " << Na.str() << " " << Dt.str() << "))";
    }
    body << ")))\n";
    out.push_back({name("t5_embedding_identity", n, d), "(set-logic QF_NRA)\n" + decl.str() + body.str() + "(check-sat)\n"});
  }
  return out;
}

}  // namespace attncert::reductions
