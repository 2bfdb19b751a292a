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

}  // namespace

const std::vector<VerifierSpec>& verifier_specs() {
  static const std::vector<VerifierSpec> specs = {
      {"index", "INDEX one-way communication bound N(1 - H2(p)) bits (spec §1)", setup_index},
      {"gram", "exact inner-product statistics of seeded random sign keys (T1/T2/T5 building block)", setup_gram},
      {"lemmas", "Z3 proofs of the sign-margin and decoding lemmas (spec §9)", setup_lemmas},
  };
  return specs;
}

}  // namespace attncert::verifiers
