#include "attncert/verifiers/verify_t1.hpp"

#include <chrono>
#include <memory>

#include "attncert/reductions/certificate_json.hpp"
#include "attncert/reductions/t1_decode.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/sweep.hpp"
#include "attncert/verifiers/verify_gram.hpp"

namespace attncert::verifiers {

using core::Rational;
namespace red = attncert::reductions;

namespace {
// Alice's bits for the decoding check come from a stream independent of the keys' stream.
constexpr std::uint64_t kBitsSeedSalt = 0xA11CEB175ull;
}  // namespace

Outcome verify_t1(const T1Options& in, const CommonOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  const red::T1Request& req = in.request;
  red::T1Setup setup = red::resolve_t1(req);  // ParameterError naming the parameter -> exit 2
  const core::SignMatrix& keys = setup.keys;
  const std::size_t N = keys.rows(), d = keys.cols();
  const std::string notion = red::to_string(req.notion);

  core::GramHistogram h = gram_with_progress(keys, "t1 gram", opt);
  red::T1Params tp;
  tp.C = setup.C ? *setup.C : red::propose_C(N, h.max_inner(), d);
  tp.notion = req.notion;
  tp.eta = req.eta;
  tp.delta = req.delta;
  red::T1Report rep = red::certify_t1(keys, h, tp);

  Outcome o;
  o.theorem = "t1";
  o.label = "n=" + std::to_string(N + 1) + " d=" + std::to_string(d) + " " + notion + " eta=" + core::to_string(req.eta) +
            " keys=" + req.keys.describe();
  const Rational Nd(static_cast<long>(N * d));
  o.table = {{"N (Alice's tokens)", std::to_string(N)},
             {"d", std::to_string(d)},
             {"keys", req.keys.describe()},
             {"C", core::to_string(tp.C) + " (~" + approx(tp.C) + ")"},
             {"notion, eta, delta", notion + ", " + core::to_string(req.eta) + ", " + core::to_string(req.delta)},
             {"rho = max m_ij / d", core::to_string(rep.rho) + " (~" + approx(rep.rho) + ")"},
             {"min w_i >= (histogram)", approx(rep.w_min, 9)},
             {"min w_i >= (coarse rho)", approx(rep.w_min_coarse, 9)},
             {"margin min mu_i >= (histogram / coarse)", approx(rep.margin_min, 9) + " / " + approx(2 * rep.w_min_coarse - 1, 9)},
             {"TV to 1-sparse <=", approx(rep.tv_max, 9)},
             {"rows with full margin", std::to_string(rep.rows_full) + " / " + std::to_string(N)},
             {"phi (flip fraction) <=", core::to_string(rep.phi) + " (~" + approx(rep.phi) + ")"}};
  if (!setup.code.empty()) o.table.insert(o.table.begin() + 3, {"code", setup.code});
  if (req.auto_params) {
    o.table.insert(o.table.begin() + 2, {"d from Hoeffding / binomial tail",
                                         std::to_string(setup.d_hoeffding) + " / " + std::to_string(setup.d_binomial) +
                                             " (eps=" + core::to_string(req.eps) + ", delta'=" + core::to_string(req.delta_prime) + ")"});
  }
  if (rep.certified) {
    o.table.push_back({"certified bits >=", core::to_string(rep.bits_ceil)});
    o.table.push_back({"bits / (N d)", approx(rep.bits / Nd)});
    o.table.push_back({"coarse-rho bound bits", rep.coarse_certified ? approx(rep.bits_coarse, 9) : std::string("no bound")});
    if (rep.coarse_certified && rep.bits_coarse > 0)
      o.table.push_back({"histogram gain over coarse", approx(rep.bits / rep.bits_coarse, 9) + "x"});
  }
  // The sceptic's check: evaluate, perturb adversarially, decode.
  bool decoded = true;
  if (in.decode_rows > 0 && rep.certified) {
    auto inst = red::make_h1(keys, tp.C, opt.seed ^ kBitsSeedSalt);
    // All rows when the instance is small (N d <= 2^16), else the requested sample.
    std::size_t rows = N * d <= (1u << 16) ? N : in.decode_rows;
    auto dec = red::decode_check(inst, rep, rows);
    o.table.push_back({"decoding check", std::to_string(dec.recovered) + "/" + std::to_string(dec.bits) + " bits back (" +
                                             std::to_string(dec.certified_bits) + " promised) in " + std::to_string(dec.rows) +
                                             " rows" + (req.notion == red::Notion::l2 ? ", worst flips " + std::to_string(dec.worst_flips) : "") +
                                             (dec.ok ? "" : "; FAILED: " + dec.detail)});
    if (!dec.ok) {
      decoded = false;
      o.status = inconclusive;
      o.reason = "internal inconsistency: decoding check failed: " + dec.detail;
    }
  }
  if (decoded) {
    o.reason = rep.reason;
    if (rep.certified) {
      o.status = certified;
      o.claim = "any algorithm that " + notion + "-approximates the last output (eta=" + core::to_string(req.eta) +
                ", delta=" + core::to_string(req.delta) + ") on this instance keeps >= " + core::to_string(rep.bits_ceil) +
                " bits (" + approx(rep.bits / Nd, 4) + " N d)";
      // The certificate: enough to regenerate the instance and re-derive every number.
      o.certificate = certificate_header("t1");
      o.certificate.update(red::t1_certificate_body(req.keys, keys, h, rep));
    } else {
      o.status = rep.keys_coincide() ? refuted : inconclusive;
    }
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

namespace {

Runner setup(CLI::App& sub) {
  namespace def = red::defaults;
  struct Text {
    std::string n, d, C, notion = def::notion, eta = core::to_string(def::eta()), delta = core::to_string(def::delta()),
                keys = "random", eps = core::to_string(def::eps()), delta_prime = core::to_string(def::delta_prime()),
                decode_rows = std::to_string(def::decode_rows);
    bool auto_params = false;
  };
  auto t = std::make_shared<Text>();
  auto* n = sub.add_option("--n", t->n, "sequence length n; Alice holds N = n - 1 tokens (default " + std::to_string(def::t1_n) + ")");
  auto* d = sub.add_option("--d", t->d, "dimension d (default " + std::to_string(def::t1_d) + ")");
  auto* C = sub.add_option("--C", t->C, "score scale C > 0, exact (default: ceil(16 ln(8N)/(1 - rho))/16 from the instance's rho)");
  sub.add_option("--notion", t->notion, "approximation notion: rel | abs | l2 (default " + t->notion + ")");
  sub.add_option("--eta", t->eta, "approximation parameter eta in [0, 1) (default " + t->eta + ")");
  sub.add_option("--delta", t->delta, "failure probability per output delta in [0, 1) (default " + t->delta + ")");
  sub.add_option("--keys", t->keys, "key source: random | hadamard | file:PATH | code:rm:R:M | code:bch:M:DELTA | code:random:LEN:K | code:greedy:LEN:D:MAX | code:lexicode:LEN:D:MAX (default random; random codes seeded by --seed)");
  sub.add_flag("--auto", t->auto_params, "choose d (exact binomial tail) and C for --n, --eps, --delta-prime, then certify");
  sub.add_option("--eps", t->eps, "with --auto: target rho <= eps (default " + t->eps + ")");
  sub.add_option("--delta-prime", t->delta_prime, "with --auto: allowed probability that a random instance fails (default " + t->delta_prime + ")");
  sub.add_option("--decode-rows", t->decode_rows, "rows for the end-to-end decoding check, 0 to skip (default " + t->decode_rows + "; all rows when N d <= 65536)");
  return [t, n, d, C](const CommonOptions& opt) {
    namespace lim = red::limits;
    T1Options prm;
    red::T1Request& r = prm.request;
    if (n->count()) r.n = parse_count(t->n, "--n", 3, lim::max_keys + 1);
    if (d->count()) r.d = parse_count(t->d, "--d", 1, lim::max_dim);
    if (C->count()) r.C = parse_rational_param(t->C, "--C");
    r.notion = red::parse_notion(t->notion);
    r.eta = parse_rational_param(t->eta, "--eta");
    r.delta = parse_rational_param(t->delta, "--delta");
    r.keys = red::parse_key_source(t->keys, opt.seed);
    r.auto_params = t->auto_params;
    r.eps = parse_rational_param(t->eps, "--eps");
    r.delta_prime = parse_rational_param(t->delta_prime, "--delta-prime");
    prm.decode_rows = parse_count(t->decode_rows, "--decode-rows", 0, lim::max_keys);
    return verify_t1(prm, opt);
  };
}

}  // namespace

const Theorem& theorem_t1() {
  static const Theorem t{"t1",
                         "T1: certified Theta(n d) KV-cache space lower bound, high dimension (docs/theorems.md#t1)",
                         setup,
                         {{"default",
                           {"--n 4096 --d 256 --notion rel --eta 1/4 --delta 0",
                            "--n 4096 --d 256 --notion l2 --eta 1/4 --delta 1/100",
                            "--n 16384 --d 128 --notion abs --eta 1/2 --delta 1/20",
                            "--n 65536 --auto --notion rel --eta 1/4 --delta 0",
                            "--n 257 --d 128 --notion l2 --eta 1/4 --delta 0 --keys hadamard"}}},
                         t1_sweep(),
                         "check_t1"};
  return t;
}

}  // namespace attncert::verifiers
