// The verifier subcommands: their options, validation and the function they run.
#include <memory>

#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/theorems.hpp"

namespace attncert::verifiers {

namespace {

Runner setup_index(CLI::App& sub) {
  auto N = std::make_shared<std::string>("100000");
  auto p = std::make_shared<std::string>("1/10");
  sub.add_option("--N", *N, "INDEX length N (default 100000)");
  sub.add_option("--p", *p, "average error probability p in [0, 1/2], exact: 0.1 or 1/10 (default 1/10)");
  return [N, p](const CommonOptions& opt) {
    IndexParams prm;
    prm.N = parse_count(*N, "--N", 1, ~std::uint64_t{0});
    prm.p = parse_rational_param(*p, "--p");
    return verify_index(prm, opt);
  };
}

Runner setup_gram(CLI::App& sub) {
  auto N = std::make_shared<std::string>("1024");
  auto d = std::make_shared<std::string>("128");
  auto rho = std::make_shared<std::string>();
  sub.add_option("--N,--n", *N, "number of sign keys (default 1024)");
  sub.add_option("--d", *d, "dimension (default 128)");
  sub.add_option("--rho-max", *rho, "certify rho <= this rational threshold (refuted otherwise)");
  return [N, d, rho](const CommonOptions& opt) {
    GramParams prm;
    prm.N = parse_count(*N, "--N", 2, 1u << 20);
    prm.d = parse_count(*d, "--d", 1, 65535);
    if (!rho->empty()) prm.rho_max = parse_rational_param(*rho, "--rho-max");
    return verify_gram(prm, opt);
  };
}

Runner setup_lemmas(CLI::App& sub) {
  auto timeout = std::make_shared<std::string>("20000");
  sub.add_option("--timeout-ms", *timeout, "Z3 timeout per lemma in milliseconds (default 20000)");
  return [timeout](const CommonOptions& opt) {
    return verify_lemmas(static_cast<unsigned>(parse_count(*timeout, "--timeout-ms", 1, 3600000)), opt);
  };
}

Runner setup_t1(CLI::App& sub) {
  struct Text {
    std::string n = "4096", d = "256", C, notion = "rel", eta = "1/4", delta = "0", keys = "random",
                eps = "1/2", delta_prime = "1/100", decode_rows = "16";
    bool auto_params = false;
  };
  auto t = std::make_shared<Text>();
  auto* n_opt = sub.add_option("--n", t->n, "sequence length n; Alice holds N = n - 1 tokens (default 4096)");
  auto* d_opt = sub.add_option("--d", t->d, "dimension d (default 256)");
  sub.add_option("--C", t->C, "score scale C > 0, exact (default: ceil(16 ln(8N)/(1 - rho))/16 from the instance's rho)");
  sub.add_option("--notion", t->notion, "approximation notion: rel | abs | l2 (default rel)");
  sub.add_option("--eta", t->eta, "approximation parameter eta in [0, 1) (default 1/4)");
  sub.add_option("--delta", t->delta, "failure probability per output delta in [0, 1) (default 0)");
  sub.add_option("--keys", t->keys, "key source: random | hadamard | file:PATH (default random, seeded by --seed)");
  sub.add_flag("--auto", t->auto_params, "choose d (exact binomial tail) and C for --n, --eps, --delta-prime, then certify");
  sub.add_option("--eps", t->eps, "with --auto: target rho <= eps (default 1/2)");
  sub.add_option("--delta-prime", t->delta_prime, "with --auto: allowed probability that a random instance fails (default 1/100)");
  sub.add_option("--decode-rows", t->decode_rows, "rows for the end-to-end decoding check, 0 to skip (default 16; all rows when N d <= 65536)");
  return [t, n_opt, d_opt](const CommonOptions& opt) {
    T1Options prm;
    prm.n = parse_count(t->n, "--n", 3, 1u << 20);
    prm.d = parse_count(t->d, "--d", 1, 65535);
    prm.n_given = n_opt->count() > 0;
    prm.d_given = d_opt->count() > 0;
    if (!t->C.empty()) prm.C = parse_rational_param(t->C, "--C");
    prm.notion = t->notion;
    prm.eta = parse_rational_param(t->eta, "--eta");
    prm.delta = parse_rational_param(t->delta, "--delta");
    prm.keys = t->keys;
    prm.auto_params = t->auto_params;
    prm.eps = parse_rational_param(t->eps, "--eps");
    prm.delta_prime = parse_rational_param(t->delta_prime, "--delta-prime");
    prm.decode_rows = parse_count(t->decode_rows, "--decode-rows", 0, 1u << 20);
    return verify_t1(prm, opt);
  };
}

}  // namespace

const std::vector<VerifierSpec>& verifier_specs() {
  static const std::vector<VerifierSpec> specs = {
      {"index", "INDEX one-way communication bound N(1 - H2(p)) bits (spec §1)", setup_index},
      {"gram", "exact inner-product statistics of seeded random sign keys (T1/T2/T5 building block)", setup_gram},
      {"t1", "T1: certified Theta(n d) KV-cache space lower bound, high dimension (spec §2)", setup_t1},
      {"lemmas", "Z3 proofs of the sign-margin and decoding lemmas (spec §9)", setup_lemmas},
  };
  return specs;
}

}  // namespace attncert::verifiers
