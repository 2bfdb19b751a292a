#include <chrono>

#include "attncert/reductions/keys.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/reductions/t1_decode.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/theorems.hpp"

namespace attncert::verifiers {

using core::Rational;
namespace red = attncert::reductions;

namespace {
std::string approx(const Rational& r, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, r.convert_to<double>());
  return buf;
}

// Alice's bits for the decoding check come from a stream independent of the keys' stream.
constexpr std::uint64_t kBitsSeedSalt = 0xA11CEB175ull;
}  // namespace

Outcome verify_t1(const T1Options& in, const CommonOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  T1Options prm = in;
  // Parse errors below throw std::invalid_argument (or runtime_error for unreadable key files)
  // naming the option; the CLI's guarded() turns them into one line and exit 2.
  red::T1Params tp;
  tp.notion = red::parse_notion(prm.notion);
  if (prm.n < 3) throw BadInput("--n must be >= 3 (N = n - 1 >= 2 keys)");
  red::check_eta_delta(prm.eta, prm.delta);
  if (prm.C) red::check_C(*prm.C);
  red::KeySource src = red::parse_key_source(prm.keys, opt.seed);
  std::size_t N = prm.n - 1;
  std::size_t d_hoeff = 0, d_binom = 0;
  if (prm.auto_params) {
    if (src.kind != red::KeySource::Kind::random) throw BadInput("--auto works with --keys random");
    red::check_rho_target(prm.eps, prm.delta_prime);
    d_hoeff = red::d_hoeffding(N, prm.eps, prm.delta_prime);
    d_binom = red::d_binomial(N, prm.eps, prm.delta_prime);
    if (d_binom > 65535) throw BadInput("--auto: the sufficient d = " + std::to_string(d_binom) + " exceeds 65535");
    prm.d = d_binom;
    if (!prm.C) prm.C = red::default_C(N, prm.eps);
  }
  const bool file = src.kind == red::KeySource::Kind::file;
  if (src.kind == red::KeySource::Kind::hadamard && !prm.n_given) N = 2 * prm.d;  // the whole code
  core::SignMatrix keys = red::make_keys(src, file && !prm.n_given ? 0 : N, file && !prm.d_given ? 0 : prm.d);
  N = keys.rows();
  prm.n = N + 1;
  prm.d = keys.cols();
  if (N < 2) throw BadInput("T1 needs at least 2 keys");

  core::GramHistogram h = gram_with_progress(keys, "t1 gram", opt);
  long maxip = h.max_inner();
  if (!prm.C) {
    // A proposal, not part of the proof: C from this instance's exact rho (rho < 1 unless keys repeat).
    Rational rho(maxip, static_cast<long>(prm.d));
    prm.C = red::default_C(N, rho < 1 ? rho : Rational(1, 2));
  }
  tp.C = *prm.C;
  tp.eta = prm.eta;
  tp.delta = prm.delta;
  red::T1Report rep = red::certify_t1(keys, h, tp);

  Outcome o;
  o.theorem = "t1";
  o.label = "n=" + std::to_string(prm.n) + " d=" + std::to_string(prm.d) + " " + prm.notion + " eta=" +
            core::to_string(prm.eta) + " keys=" + src.describe();
  const Rational Nd(static_cast<long>(N * prm.d));
  o.table = {{"N (Alice's tokens)", std::to_string(N)},
             {"d", std::to_string(prm.d)},
             {"keys", src.describe()},
             {"C", core::to_string(tp.C) + " (~" + approx(tp.C) + ")"},
             {"notion, eta, delta", prm.notion + ", " + core::to_string(prm.eta) + ", " + core::to_string(prm.delta)},
             {"rho = max m_ij / d", core::to_string(rep.rho) + " (~" + approx(rep.rho) + ")"},
             {"min w_i >= (histogram)", approx(rep.w_min, 9)},
             {"min w_i >= (coarse rho)", approx(rep.w_min_coarse, 9)},
             {"margin min mu_i >= (histogram / coarse)", approx(rep.margin_min, 9) + " / " + approx(2 * rep.w_min_coarse - 1, 9)},
             {"TV to 1-sparse <=", approx(rep.tv_max, 9)},
             {"rows with full margin", std::to_string(rep.rows_full) + " / " + std::to_string(N)},
             {"phi (flip fraction) <=", core::to_string(rep.phi) + " (~" + approx(rep.phi) + ")"}};
  if (prm.auto_params) {
    o.table.insert(o.table.begin() + 2, {"d from Hoeffding / binomial tail", std::to_string(d_hoeff) + " / " + std::to_string(d_binom) +
                                                                              " (eps=" + core::to_string(prm.eps) + ", delta'=" + core::to_string(prm.delta_prime) + ")"});
  }
  if (rep.certified) {
    o.table.push_back({"certified bits >=", core::to_string(rep.bits_ceil)});
    o.table.push_back({"bits / (N d)", approx(rep.bits / Nd)});
    o.table.push_back({"coarse-rho bound bits", rep.coarse_certified ? approx(rep.bits_coarse, 9) : std::string("no bound")});
    if (rep.coarse_certified && rep.bits_coarse > 0)
      o.table.push_back({"histogram gain over coarse", approx(rep.bits / rep.bits_coarse, 9) + "x"});
  }
  // The sceptic's check: evaluate, perturb adversarially, decode.
  if (prm.decode_rows > 0 && rep.certified) {
    auto inst = red::make_h1(keys, tp.C, opt.seed ^ kBitsSeedSalt);
    // All rows when the instance is small (N d <= 2^16), else the requested sample.
    std::size_t rows = N * prm.d <= (1u << 16) ? N : prm.decode_rows;
    auto dec = red::decode_check(inst, rep, rows);
    o.table.push_back({"decoding check", std::to_string(dec.recovered) + "/" + std::to_string(dec.bits) + " bits back (" +
                                             std::to_string(dec.certified_bits) + " promised) in " + std::to_string(dec.rows) +
                                             " rows" + (prm.notion == "l2" ? ", worst flips " + std::to_string(dec.worst_flips) : "") +
                                             (dec.ok ? "" : "; FAILED: " + dec.detail)});
    if (!dec.ok) {
      o.status = inconclusive;
      o.reason = "internal inconsistency: decoding check failed: " + dec.detail;
    }
  }
  if (o.status != inconclusive || o.reason.empty()) {
    if (rep.certified) {
      o.status = certified;
      o.claim = "any algorithm that " + prm.notion + "-approximates the last output (eta=" + core::to_string(prm.eta) +
                ", delta=" + core::to_string(prm.delta) + ") on this instance keeps >= " + core::to_string(rep.bits_ceil) +
                " bits (" + approx(rep.bits / Nd, 4) + " N d)";
      o.reason = rep.reason;
    } else {
      o.status = rep.keys_coincide() ? refuted : inconclusive;
      o.reason = rep.reason;
    }
  }

  // Certificate (only for a certified claim): enough to regenerate the instance and re-derive
  // every number.
  if (rep.certified && o.status == certified) {
    nlohmann::json inst;
    if (src.kind == red::KeySource::Kind::random) {
      inst = random_signs_instance(opt.seed);
      inst["keys"] = "random";
    } else if (src.kind == red::KeySource::Kind::hadamard) {
      inst = {{"keys", "hadamard"}, {"generator", "sylvester-hadamard"}, {"generator_version", 1}};
    } else {
      nlohmann::json rows = nlohmann::json::array();
      for (std::size_t i = 0; i < N; ++i) {
        std::string r;
        for (std::size_t c = 0; c < prm.d; ++c) r += keys.entry(i, c) > 0 ? '+' : '-';
        rows.push_back(r);
      }
      inst = {{"keys", "explicit"}, {"rows", rows}};
    }
    o.certificate = certificate_header("t1");
    o.certificate["parameters"] = {{"n", std::to_string(prm.n)}, {"N", std::to_string(N)}, {"d", std::to_string(prm.d)},
                                   {"C", core::to_string(tp.C)}, {"notion", prm.notion},
                                   {"eta", core::to_string(prm.eta)}, {"delta", core::to_string(prm.delta)}};
    o.certificate["instance"] = inst;
    o.certificate["statistics"] = {{"inner_product_histogram", pair_histogram_json(h)}, {"max_inner", maxip}};
    o.certificate["derived"] = {{"w_min_lower", core::to_string(rep.w_min)},
                                {"phi_upper", core::to_string(rep.phi)},
                                {"p_upper", core::to_string(rep.p)},
                                {"H2(p)", interval_json(rep.h2_lo, rep.h2_hi)}};
    o.certificate["claim"] = bits_claim_json("kv_cache_space_lower_bound_bits", rep.bits, rep.bits_ceil);
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

}  // namespace attncert::verifiers
