#include <catch2/catch.hpp>

#include "attncert/reductions/lemmas.hpp"

using namespace attncert;

TEST_CASE("the sign-margin and decoding lemmas are proved by Z3", "[z3][lemmas]") {
  auto results = reductions::prove_decoding_lemmas(20000, 2);
  REQUIRE(results.size() == 4);
  for (const auto& r : results) {
    INFO(r.name << ": " << r.reason);
    CHECK(r.verdict == core::LemmaVerdict::proved);
  }
}

TEST_CASE("every hypothesis the decoding lemmas need is really needed", "[z3][lemmas]") {
  // Dropping a load-bearing hypothesis must yield a refutation whose counterexample re-checks
  // exactly: the lemmas are not vacuous and the prover is not answering "proved" blindly.
  z3::context c;
  auto lemmas = reductions::decoding_lemmas(c, 2);
  struct Drop { std::string lemma; std::size_t index; };
  // rel: eta < 1 (index 4); abs: mu > eta (index 3); sign margin: w_1 >= 0 with -1 <= u_1 <= 1
  // (index 3); l2: the distance bound (last).
  for (auto drop : {Drop{"lemma3_decoding_rel", 4}, Drop{"lemma3_decoding_abs", 3},
                    Drop{"lemma2_sign_margin(k=2)", 3}, Drop{"lemma3_decoding_l2_flips(d=2)", 10}}) {
    const reductions::LemmaStatement* l = nullptr;
    for (const auto& x : lemmas)
      if (x.name == drop.lemma) l = &x;
    REQUIRE(l != nullptr);
    REQUIRE(drop.index < l->hypotheses.size());
    auto hyp = l->hypotheses;
    hyp.erase(hyp.begin() + static_cast<long>(drop.index));
    auto r = core::prove(c, l->name + " minus one hypothesis", l->conclusion, 20000, hyp);
    INFO(r.name << ": " << r.reason);
    CHECK(r.verdict == core::LemmaVerdict::refuted);
  }
}
