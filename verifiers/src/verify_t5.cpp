#include "attncert/verifiers/verify_t5.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <cmath>
#include <memory>

#include "attncert/reductions/certificate_json.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/t1_setup.hpp"
#include "attncert/reductions/t2.hpp"
#include "attncert/reductions/t5_lemmas.hpp"
#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/progress.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/sweep.hpp"
#include "attncert/verifiers/verify_gram.hpp"

namespace attncert::verifiers {

using core::Rational;
namespace red = attncert::reductions;

namespace {

// Alice's bits for the decoding check: generator signs v1 with seed XOR this (T1's salt).
constexpr std::uint64_t kT5BitsSalt = 0xA11CEB175ull;
constexpr int kLemmaMaxN = 4, kLemmaD = 2;  // the embedding lemmas' sizes: n = 2..4 tokens, 2 coordinates

std::string header_label(const T5Options& in) {
  return std::string(red::to_string(in.model)) + " n=" + std::to_string(in.n) + " d=" + std::to_string(in.d) + " " +
         red::to_string(in.notion) + " eta=" + core::to_string(in.eta);
}

// The rows every model shares: the bound from a T5Report.
void report_rows(Outcome& o, const red::T5Report& rep) {
  o.table.push_back({"rho = max S_p / d", core::to_string(rep.rho) + " (~" + approx(rep.rho) + ")"});
  o.table.push_back({"min w >= (histogram, Lemma 1)", approx(rep.w_min, 9)});
  o.table.push_back({"margin min mu >=", approx(rep.margin_min, 9)});
  o.table.push_back({"rows with full margin", std::to_string(rep.rows_full) + " / " + std::to_string(rep.rows)});
  o.table.push_back({"phi (flip fraction) <=", core::to_string(rep.phi) + " (~" + approx(rep.phi) + ")"});
  if (rep.certified) {
    o.table.push_back({"certified bits >=", core::to_string(rep.bits_ceil)});
    o.table.push_back({"bits / (N d)", approx(rep.bits / Rational(static_cast<long>(rep.rows * rep.d)))});
  }
}

nlohmann::json report_body(const red::T5Report& rep) {
  return {{"w_min_lower", core::to_string(rep.w_min)},
          {"phi_upper", core::to_string(rep.phi)},
          {"p_upper", core::to_string(rep.p)},
          {"H2(p)", red::interval_json(rep.h2_lo, rep.h2_hi)}};
}

nlohmann::json parameters(const T5Options& in, std::size_t N, std::size_t d, const red::T1Params& tp, std::uint64_t zero_rows) {
  return {{"model", red::to_string(in.model)}, {"n", std::to_string(in.n)}, {"N", std::to_string(N)},
          {"d", std::to_string(d)}, {"C", core::to_string(tp.C)}, {"notion", red::to_string(tp.notion)},
          {"eta", core::to_string(tp.eta)}, {"delta", core::to_string(tp.delta)}, {"zero_rows", std::to_string(zero_rows)}};
}

void finish_claim(Outcome& o, const T5Options& in, const red::T5Report& rep, const std::string& what) {
  o.reason = rep.reason;
  if (rep.certified) {
    o.status = certified;
    o.claim = "any algorithm that " + std::string(red::to_string(in.notion)) + "-approximates the last tensor-attention output (eta=" +
              core::to_string(in.eta) + ", delta=" + core::to_string(in.delta) + ") on this instance keeps >= " +
              core::to_string(rep.bits_ceil) + " bits (" + what + ")";
  } else {
    o.status = rep.collides() ? refuted : inconclusive;
  }
}

red::T1Params t1_params(const T5Options& in, const Rational& C) {
  red::T1Params tp;
  tp.C = C;
  tp.notion = in.notion;
  tp.eta = in.eta;
  tp.delta = in.delta;
  return tp;
}

// Four-cache, native: the pair-product histograms of the rectangular kernel.
void run_native(Outcome& o, const T5Options& in, const CommonOptions& opt) {
  red::check_native_key_sources(in.keys_a, in.keys_b);
  if (in.n < 3 || in.n > 65536) throw red::ParameterError("n", "the native model needs n in [3, 65536] (N^2 < 2^32 pairs), got " + std::to_string(in.n));
  const std::size_t N = in.n - 1, d = in.d;
  const core::SignMatrix a = red::make_keys(in.keys_a, N, d), b = red::make_keys(in.keys_b, N, d);
  Progress bar("t5 pairs", "queries", !opt.quiet && !opt.json);
  core::GramOptions go;
  go.threads = opt.threads;
  go.progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
  const auto k0 = std::chrono::steady_clock::now();
  const core::GramHistogram h = red::native_histograms(a, b, go);
  const double ks = std::chrono::duration<double>(std::chrono::steady_clock::now() - k0).count();
  bar.finish();
  const std::uint64_t zero = red::native_zero_rows(N);
  long max_inner = -static_cast<long>(d);
  for (std::size_t i = 0; i < N; ++i) max_inner = std::max(max_inner, h.max_inner_row(i));
  const Rational C = in.C ? *in.C : red::propose_C(N * N + zero, max_inner, d);
  const red::T1Params tp = t1_params(in, C);
  const red::T5Report rep = red::certify_rows(h, zero, tp);
  const double evals = static_cast<double>(N) * static_cast<double>(N) * static_cast<double>(N);
  o.table = {{"model", "four-cache, native: K1 = a_j, K2 = b_j, V1 = (-1)^{x_j}, V2 = 1; Bob queries (C/d)(a_i o b_i)"},
             {"N (Alice's tokens)", std::to_string(N)},
             {"pairs per query", std::to_string(N * N) + " (+ " + std::to_string(zero) + " with Bob's token, score 0)"},
             {"d", std::to_string(d)},
             {"keys a / b", in.keys_a.describe() + " / " + in.keys_b.describe()},
             {"C", core::to_string(C) + " (~" + approx(C) + ")"},
             {"notion, eta, delta", std::string(red::to_string(in.notion)) + ", " + core::to_string(in.eta) + ", " + core::to_string(in.delta)},
             {"pair evaluations", approx(evals, 4) + " in " + approx(ks, 3) + " s (" + approx(evals / std::max(ks, 1e-9), 3) + " pairs/s)"}};
  report_rows(o, rep);
  finish_claim(o, in, rep, approx(rep.bits / Rational(static_cast<long>(N * d)), 4) + " N d");
  if (rep.collides() && !rep.certified)
    o.reason = "pair products collide: " + rep.reason;
  // The sceptic's check, as T1's: Bob's actual output enclosed, perturbed adversarially, decoded.
  if (in.decode_rows > 0 && rep.certified) {
    const core::SignMatrix x = core::SignMatrix::random(N, d, opt.seed ^ kT5BitsSalt);
    const std::size_t rows = N * d <= (1u << 12) ? N : in.decode_rows;
    const red::DecodeReport dec = red::native_decode_check(a, b, x, rep, rows);
    o.table.push_back({"decoding check", std::to_string(dec.recovered) + "/" + std::to_string(dec.bits) + " bits back (" +
                                             std::to_string(dec.certified_bits) + " promised) in " + std::to_string(dec.rows) + " rows" +
                                             (in.notion == red::Notion::l2 ? ", worst flips " + std::to_string(dec.worst_flips) : "") +
                                             (dec.ok ? "" : "; FAILED: " + dec.detail)});
    if (!dec.ok) {
      o.status = inconclusive;
      o.reason = "internal inconsistency: decoding check failed: " + dec.detail;
      o.claim.clear();
    }
  }
  if (o.status == certified) {
    o.certificate = certificate_header("t5");
    o.certificate["parameters"] = parameters(in, N, d, tp, zero);
    o.certificate["instance"] = {{"keys_a", red::key_instance_json(in.keys_a, a)},
                                 {"keys_b", red::key_instance_json(in.keys_b, b)},
                                 {"query", "a_i o b_i"}};
    std::vector<std::uint64_t> tot = h.total();
    nlohmann::json hist = nlohmann::json::object();
    for (std::size_t k = 0; k <= d; ++k)
      if (tot[k]) hist[std::to_string(core::GramHistogram::inner_of(d, k))] = tot[k];
    o.certificate["statistics"] = {{"pair_product_histogram", hist}, {"max_inner", rep.max_inner}};
    o.certificate["derived"] = report_body(rep);
    o.certificate["claim"] = red::bits_claim_json("kv_cache_space_lower_bound_bits", rep.bits, rep.bits_ceil);
  }
}

// Two-cache: T1 with N = (n - 1)^2 free pair rows and 2n - 1 zero rows for Bob's token.
void run_two_cache(Outcome& o, const T5Options& in, const CommonOptions& opt) {
  if (in.n < 3 || in.n > 1025) throw red::ParameterError("n", "the two-cache model needs n in [3, 1025] ((n-1)^2 <= 2^20 rows), got " + std::to_string(in.n));
  red::T1Request req;
  req.n = red::two_cache_rows(in.n) + 1;
  req.d = in.d;
  req.keys = in.keys;
  req.notion = in.notion;
  req.eta = in.eta;
  req.delta = in.delta;
  if (in.keys.kind == red::KeySource::Kind::file || in.keys.kind == red::KeySource::Kind::code)
    throw red::ParameterError("keys", "the two-cache model takes random or hadamard keys (one per pair row)");
  const red::T1Setup setup = red::resolve_t1(req);
  const core::SignMatrix& keys = setup.keys;
  const std::size_t N = keys.rows(), d = keys.cols();
  const core::GramHistogram h = gram_with_progress(keys, "t5 gram", opt);
  const std::uint64_t zero = red::two_cache_zero_rows(in.n);
  const Rational C = in.C ? *in.C : red::propose_C(N + zero, h.max_inner(), d);
  const red::T1Params tp = t1_params(in, C);
  const red::T5Report rep = red::certify_rows(h, zero, tp);
  o.table = {{"model", "two-cache (assumption: the n^2 rows of K1 o K2 and V1 o V2 are free, as tokens supply them)"},
             {"pair rows of Alice's (N)", std::to_string(N) + " = (n-1)^2"},
             {"rows with Bob's token", std::to_string(zero) + " (key 0, value 0)"},
             {"d", std::to_string(d)},
             {"keys", in.keys.describe()},
             {"C", core::to_string(C) + " (~" + approx(C) + ")"},
             {"notion, eta, delta", std::string(red::to_string(in.notion)) + ", " + core::to_string(in.eta) + ", " + core::to_string(in.delta)}};
  report_rows(o, rep);
  finish_claim(o, in, rep, approx(rep.bits / Rational(static_cast<long>(N * d)), 4) + " (n-1)^2 d, two-cache model");
  if (o.status == certified) {
    o.certificate = certificate_header("t5");
    o.certificate["parameters"] = parameters(in, N, d, tp, zero);
    o.certificate["instance"] = red::key_instance_json(in.keys, keys);
    o.certificate["statistics"] = {{"inner_product_histogram", red::pair_histogram_json(h)}, {"max_inner", rep.max_inner}};
    o.certificate["derived"] = report_body(rep);
    o.certificate["claim"] = red::bits_claim_json("kv_cache_space_lower_bound_bits", rep.bits, rep.bits_ceil);
  }
}

// Four-cache, embedding: K2 = V2 = 1 makes tensor attention T1's attention; T1's bound transfers.
void run_embed(Outcome& o, const T5Options& in, const CommonOptions& opt) {
  red::T1Request req;
  req.n = in.n;
  req.d = in.d;
  req.keys = in.keys;
  req.notion = in.notion;
  req.eta = in.eta;
  req.delta = in.delta;
  req.C = in.C;
  const red::T1Setup setup = red::resolve_t1(req);
  const core::SignMatrix& keys = setup.keys;
  const std::size_t N = keys.rows(), d = keys.cols();
  const core::GramHistogram h = gram_with_progress(keys, "t5 gram", opt);
  const Rational C = setup.C ? *setup.C : red::propose_C(N, h.max_inner(), d);
  const red::T1Params tp = t1_params(in, C);
  const red::T5Report rep = red::certify_rows(h, 1, tp);  // T1's Lemma 1: Bob's one zero row
  // The identity: exact checks on random instances, and the lemmas by Z3 and cvc5.
  const red::EmbeddingCheck ex = red::check_embedding_identity(opt.seed, 24, 4, 3);
  std::vector<red::SmtLemma> lemmas;
  for (int n = 2; n <= kLemmaMaxN; ++n)
    for (auto& l : red::embedding_lemma_scripts(n, kLemmaD)) lemmas.push_back(std::move(l));
  const auto proofs = red::prove_lemmas(lemmas, in.lemma_timeout_ms);
  o.table = {{"model", "four-cache, embedding: K2 = V2 = 1, K1 = T1's keys, V1 = T1's values"},
             {"N (Alice's tokens)", std::to_string(N)},
             {"d", std::to_string(d)},
             {"keys", in.keys.describe()},
             {"C", core::to_string(C) + " (~" + approx(C) + ")"},
             {"notion, eta, delta", std::string(red::to_string(in.notion)) + ", " + core::to_string(in.eta) + ", " + core::to_string(in.delta)},
             {"identity, exact", std::to_string(ex.instances) + " random instances (n <= 4), " + std::to_string(ex.pairs) +
                                     " pair scores: " + (ex.ok ? "holds" : "FAILS: " + ex.detail)}};
  nlohmann::json lemma_json = nlohmann::json::array();
  std::string lemma_problem;
  for (std::size_t k = 0; k < lemmas.size(); ++k) {
    const auto& z = proofs[k].z3;
    const std::string& c5 = proofs[k].cvc5;
    o.table.push_back({lemmas[k].name, "Z3 " + std::string(core::to_string(z.verdict)) + "; cvc5 " + c5 +
                                           (z.verdict == core::LemmaVerdict::proved && c5 != "unsat" ? " (Z3-only)" : "")});
    if (z.verdict != core::LemmaVerdict::proved && lemma_problem.empty())
      lemma_problem = lemmas[k].name + ": Z3 " + core::to_string(z.verdict) + " (" + z.reason + ")";
    else if (c5 == "sat" && lemma_problem.empty())
      lemma_problem = lemmas[k].name + ": Z3 proves it but cvc5 finds it satisfiable (solvers disagree)";
    lemma_json.push_back({{"name", lemmas[k].name}, {"smtlib2", lemmas[k].smtlib2}, {"z3", "unsat"},
                          {"cvc5", c5 == "unsat" || c5 == "unavailable" ? c5 : "unknown"}});
  }
  report_rows(o, rep);
  finish_claim(o, in, rep, approx(rep.bits / Rational(static_cast<long>(N * d)), 4) + " N d, T1 via the embedding");
  if (!ex.ok) {
    o.status = internal_error;
    o.reason = "the exact embedding check failed: " + ex.detail;
    o.claim.clear();
  } else if (!lemma_problem.empty() && o.status == certified) {
    o.status = inconclusive;
    o.reason = "the embedding lemma is not proved: " + lemma_problem;
    o.claim.clear();
  }
  if (o.status == certified) {
    o.certificate = certificate_header("t5");
    o.certificate["parameters"] = parameters(in, N, d, tp, 1);
    o.certificate["instance"] = red::key_instance_json(in.keys, keys);
    o.certificate["statistics"] = {{"inner_product_histogram", red::pair_histogram_json(h)}, {"max_inner", rep.max_inner}};
    o.certificate["derived"] = report_body(rep);
    o.certificate["embedding"] = {{"K2", "1"}, {"V2", "1"}, {"lemmas", lemma_json}};
    o.certificate["claim"] = red::bits_claim_json("kv_cache_space_lower_bound_bits", rep.bits, rep.bits_ceil);
  }
}

std::string bits_string(const core::SignMatrix& g, std::size_t r) {
  std::string out;
  for (std::size_t c = 0; c < g.cols(); ++c) out += g.negative(r, c) ? '1' : '0';
  return out;
}

// Low dimension: one row per d, T2's code argument on pair products (C = B^3 d).
void run_low_dim(Outcome& o, const T5Options& in, const CommonOptions& opt) {
  if (in.d_min < 2 || in.d_max > red::limits::t5_low_dim_max_dim || in.d_min > in.d_max)
    throw red::ParameterError("d", "the low-dim model needs a range 2 <= a <= b <= " + std::to_string(red::limits::t5_low_dim_max_dim));
  Progress bar("t5 low-dim", "dimensions", !opt.quiet && !opt.json);
  std::vector<red::T5LowDimRow> rows;
  for (std::uint64_t d = in.d_min; d <= in.d_max; ++d) {
    red::T1Params prm;
    prm.notion = in.notion;
    prm.eta = in.eta;
    prm.delta = in.delta;
    rows.push_back(red::low_dim_bound(d, in.B, prm, in.max_log2_N));
    bar.update(d - in.d_min + 1, in.d_max - in.d_min + 1);
  }
  bar.finish();
  o.table.push_back({"model", "low dimension, entries in [-B, B] (B = " + core::to_string(in.B) +
                                  "): K1 = B a_j, K2 = B b_j from a code's two halves, C = B^3 d"});
  o.table.push_back({"notion, eta, delta", std::string(red::to_string(in.notion)) + ", " + core::to_string(in.eta) + ", " + core::to_string(in.delta)});
  bool all = true;
  for (const auto& r : rows) {
    const double ded = static_cast<double>(r.d) * std::exp(static_cast<double>(r.d));  // display only
    std::string v = r.certified ? core::to_string(r.bits_ceil) + " bits" : "NOT certified (" + r.reason + ")";
    v += ", N = 2^" + std::to_string(r.m) + " = " + std::to_string(r.N) + " tokens, " + std::to_string(r.N * r.N) +
         " pairs, D = " + std::to_string(r.D) + ", " + r.code.name + ", w >= " + approx(r.w_min, 6);
    if (r.certified) v += ", bits/(d e^d) ~ " + approx(r.bits.convert_to<double>() / ded, 3);
    o.table.push_back({"d = " + std::to_string(r.d), v});
    all = all && r.certified;
  }
  if (!all) {
    o.status = inconclusive;
    o.reason = "some dimension does not certify (see the table)";
    return;
  }
  o.status = certified;
  o.reason = rows.front().reason;
  o.claim = "for each d in " + std::to_string(in.d_min) + ".." + std::to_string(in.d_max) + ", any algorithm that " +
            red::to_string(in.notion) + "-approximates the last tensor-attention output (eta=" + core::to_string(in.eta) +
            ", delta=" + core::to_string(in.delta) + ") with entries in [-B, B], B=" + core::to_string(in.B) +
            ", keeps >= the row's certified bits (d=" + std::to_string(rows.back().d) + ": " + core::to_string(rows.back().bits_ceil) + " bits)";
  nlohmann::json inst = nlohmann::json::array(), der = nlohmann::json::array(), cl = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json gen = nlohmann::json::array();
    for (std::size_t t = 0; t < 2 * r.m; ++t) gen.push_back(bits_string(r.code.generator, t));
    inst.push_back({{"d", std::to_string(r.d)}, {"C", core::to_string(r.C)}, {"code", r.code.name}, {"generator", gen},
                    {"m", std::to_string(r.m)}, {"N", std::to_string(r.N)}, {"zero_rows", std::to_string(red::native_zero_rows(r.N))}});
    der.push_back({{"d", std::to_string(r.d)}, {"D", std::to_string(r.D)}, {"weight_distribution", r.weights},
                   {"w_min_lower", core::to_string(r.w_min)}, {"phi_upper", core::to_string(r.phi)},
                   {"p_upper", core::to_string(r.p)}, {"H2(p)", red::interval_json(r.h2_lo, r.h2_hi)}});
    cl.push_back({{"d", std::to_string(r.d)}, {"bits", core::to_string(r.bits)}, {"bits_ceil", core::to_string(r.bits_ceil)}});
  }
  o.certificate = certificate_header("t5");
  o.certificate["parameters"] = {{"model", "low-dim"}, {"d_min", std::to_string(in.d_min)}, {"d_max", std::to_string(in.d_max)},
                                 {"B", core::to_string(in.B)}, {"notion", red::to_string(in.notion)},
                                 {"eta", core::to_string(in.eta)}, {"delta", core::to_string(in.delta)}};
  o.certificate["instance"] = {{"keys", "code_pairs"}, {"rows", inst}};
  o.certificate["derived"] = {{"rows", der}};
  o.certificate["claim"] = {{"kind", "bounded_entry_kv_cache_lower_bound_bits"}, {"rows", cl}};
}

}  // namespace

Outcome verify_t5(const T5Options& in, const CommonOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  red::check_eta_delta(in.eta, in.delta);
  if (in.C) red::check_C(*in.C);
  Outcome o;
  o.theorem = "t5";
  o.label = header_label(in);
  switch (in.model) {
    case red::T5Model::native:
      o.label += " keys=" + in.keys_a.describe() + "," + in.keys_b.describe();
      run_native(o, in, opt);
      break;
    case red::T5Model::two_cache:
      o.label += " keys=" + in.keys.describe();
      run_two_cache(o, in, opt);
      break;
    case red::T5Model::embed:
      o.label += " keys=" + in.keys.describe();
      run_embed(o, in, opt);
      break;
    case red::T5Model::low_dim:
      o.label = "low-dim d=" + std::to_string(in.d_min) + ".." + std::to_string(in.d_max) + " B=" + core::to_string(in.B) + " " +
                red::to_string(in.notion) + " eta=" + core::to_string(in.eta) + " delta=" + core::to_string(in.delta);
      run_low_dim(o, in, opt);
      break;
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

namespace {

Runner setup(CLI::App& sub) {
  namespace def = red::defaults;
  struct Text {
    std::string model = "four-cache-native", n = "512", d = "256", C, notion = def::notion, eta = core::to_string(def::eta()),
                delta = core::to_string(def::delta()), keys = "random", keys_a = "random", keys_b = "random",
                timeout = std::to_string(def::lemma_timeout_ms), B = "1", max_log2_N = "10",
                decode_rows = std::to_string(def::decode_rows);
  };
  auto t = std::make_shared<Text>();
  sub.add_option("--model", t->model, "four-cache-embed | four-cache-native | two-cache | low-dim (default " + t->model + ")");
  auto* ngiven = sub.add_option("--n", t->n, "sequence length n; Alice holds n - 1 tokens (default " + t->n + "; four-cache-embed 4096, two-cache 65)");
  auto* dgiven = sub.add_option("--d", t->d, "dimension d (default " + t->d + "); low-dim: a range a..b or one d (default 2..16)");
  auto* C = sub.add_option("--C", t->C, "score scale C > 0, exact (default: ceil(16 ln(8 rows)/(1 - rho))/16 from the instance's rho)");
  sub.add_option("--notion", t->notion, "approximation notion: rel | abs | l2 (default " + t->notion + ")");
  sub.add_option("--eta", t->eta, "approximation parameter eta in [0, 1) (default " + t->eta + ")");
  sub.add_option("--delta", t->delta, "failure probability per output delta in [0, 1) (default " + t->delta + ")");
  auto* keys = sub.add_option("--keys", t->keys, "four-cache-embed: T1's key sources (random | hadamard | file:PATH | code:...); two-cache: random | hadamard (default random)");
  auto* keys_a = sub.add_option("--keys-a", t->keys_a, "four-cache-native: the K1 factor, random | hadamard (default random, seed --seed)");
  auto* keys_b = sub.add_option("--keys-b", t->keys_b, "four-cache-native: the K2 factor, random | hadamard (default random, seed --seed XOR 0xB0B5EED5); not both hadamard");
  auto* B = sub.add_option("--B", t->B, "low-dim: entry bound B > 0 of q, K1, K2 (default 1); C = B^3 d");
  auto* mlog = sub.add_option("--max-log2-N", t->max_log2_N, "low-dim: largest m, N = 2^m tokens (default 10, at most 15)");
  auto* timeout = sub.add_option("--timeout-ms", t->timeout, "four-cache-embed: time limit per embedding lemma and solver (default " + t->timeout + ")");
  auto* decode = sub.add_option("--decode-rows", t->decode_rows, "four-cache-native: rows for the end-to-end decoding check, 0 to skip (default " + t->decode_rows + "; all rows when N d <= 4096)");
  return [t, C, dgiven, ngiven, keys, keys_a, keys_b, B, mlog, timeout, decode](const CommonOptions& opt) {
    namespace lim = red::limits;
    T5Options p;
    p.model = red::parse_t5_model(t->model);
    // An option the model does not use is bad input, not silently ignored.
    const bool native = p.model == red::T5Model::native, low = p.model == red::T5Model::low_dim, embed = p.model == red::T5Model::embed;
    auto only = [&](const CLI::Option* o, const char* flag, bool allowed, const char* which) {
      if (o->count() && !allowed) throw BadInput(std::string(flag) + ": only the " + which + " model takes it (--model " + t->model + ")");
    };
    only(keys_a, "--keys-a", native, "four-cache-native");
    only(keys_b, "--keys-b", native, "four-cache-native");
    only(keys, "--keys", !native && !low, "four-cache-embed or two-cache");
    only(ngiven, "--n", !low, "four-cache-embed, four-cache-native or two-cache");
    only(B, "--B", low, "low-dim");
    only(mlog, "--max-log2-N", low, "low-dim");
    only(timeout, "--timeout-ms", embed, "four-cache-embed");
    only(decode, "--decode-rows", native, "four-cache-native");
    p.decode_rows = parse_count(t->decode_rows, "--decode-rows", 0, lim::max_keys);
    // Default n per model: native 512, embed 4096 (T1's default), two-cache 65 ((n-1)^2 = 4096 rows).
    const std::string ntext = ngiven->count() ? t->n : p.model == red::T5Model::embed ? "4096" : p.model == red::T5Model::two_cache ? "65" : t->n;
    p.n = parse_count(ntext, "--n", 3, lim::max_keys + 1);
    if (p.model == red::T5Model::low_dim) {
      if (C->count()) throw BadInput("--C: the low-dim model fixes C = B^3 d; set the entry bound --B instead");
      const std::string dtext = t->d == "256" && !dgiven->count() ? std::string("2..16") : t->d;
      const auto dots = dtext.find("..");
      p.d_min = parse_count(dtext.substr(0, dots), "--d", 2, red::limits::t5_low_dim_max_dim);
      p.d_max = dots == std::string::npos ? p.d_min : parse_count(dtext.substr(dots + 2), "--d", 2, red::limits::t5_low_dim_max_dim);
      if (p.d_max < p.d_min) throw BadInput("--d: the range " + dtext + " is empty");
      p.B = parse_rational_param(t->B, "--B");
      if (p.B <= 0) throw BadInput("--B: must be > 0, got " + t->B);
      p.max_log2_N = static_cast<unsigned>(parse_count(t->max_log2_N, "--max-log2-N", 1, red::limits::t5_low_dim_max_log2_N));
    } else {
      p.d = parse_count(t->d, "--d", 1, lim::max_dim);
    }
    if (C->count()) p.C = parse_rational_param(t->C, "--C");
    p.notion = red::parse_notion(t->notion);
    p.eta = parse_rational_param(t->eta, "--eta");
    p.delta = parse_rational_param(t->delta, "--delta");
    p.keys = red::parse_key_source(t->keys, opt.seed);
    try {
      p.keys_a = red::parse_key_source(t->keys_a, opt.seed);
    } catch (const red::ParameterError& e) {
      throw red::ParameterError("keys-a", e.detail);
    }
    try {
      p.keys_b = red::parse_key_source(t->keys_b, opt.seed ^ kT5KeysBSalt);
    } catch (const red::ParameterError& e) {
      throw red::ParameterError("keys-b", e.detail);
    }
    p.lemma_timeout_ms = static_cast<unsigned>(parse_count(t->timeout, "--timeout-ms", 1, 3600000));
    return verify_t5(p, opt);
  };
}


// `attncert sweep t5`: the low-dim rows over d as CSV and a plot (log scale): T5's certified bits
// beside T2's bounded-entry bits at the same d and B (ordinary attention, entries in [-B, B]) and
// d e^d for reference.
std::function<int(const CommonOptions&)> sweep_setup(CLI::App& sub) {
  struct Text {
    std::string d = "2..24", B = "1", notion = red::defaults::notion, eta = core::to_string(red::defaults::eta()),
                delta = core::to_string(red::defaults::delta()), max_log2_N = "10", out = "out/sweep_t5";
  };
  auto t = std::make_shared<Text>();
  sub.add_option("--d", t->d, "range of d, a..b (default " + t->d + ")");
  sub.add_option("--B", t->B, "entry bound B > 0 (default 1)");
  sub.add_option("--notion", t->notion, "rel | abs | l2 (default " + t->notion + ")");
  sub.add_option("--eta", t->eta, "eta in [0, 1) (default " + t->eta + ")");
  sub.add_option("--delta", t->delta, "delta in [0, 1) (default " + t->delta + ")");
  sub.add_option("--max-log2-N", t->max_log2_N, "largest m, N = 2^m tokens (default 10)");
  sub.add_option("--out", t->out, "output directory (default " + t->out + ")");
  return [t](const CommonOptions& opt) {
    const auto dots = t->d.find("..");
    const std::uint64_t lo = parse_count(t->d.substr(0, dots), "--d", 2, red::limits::t5_low_dim_max_dim);
    const std::uint64_t hi = dots == std::string::npos ? lo : parse_count(t->d.substr(dots + 2), "--d", 2, red::limits::t5_low_dim_max_dim);
    if (hi < lo) throw BadInput("--d: the range " + t->d + " is empty");
    const Rational B = parse_rational_param(t->B, "--B");
    if (B <= 0) throw BadInput("--B: must be > 0, got " + t->B);
    red::T1Params prm;
    prm.notion = red::parse_notion(t->notion);
    prm.eta = parse_rational_param(t->eta, "--eta");
    prm.delta = parse_rational_param(t->delta, "--delta");
    const unsigned mlog = static_cast<unsigned>(parse_count(t->max_log2_N, "--max-log2-N", 1, red::limits::t5_low_dim_max_log2_N));
    if (t->out.empty()) throw BadInput("--out: empty value");
    make_directories(t->out);
    std::ostringstream csv;
    csv << "d,certified,bits_ceil,N,pairs,D,code,t2_bits_ceil,t2_N,d_e_d\n";
    Progress bar("sweep t5", "d", !opt.quiet);
    std::size_t certified_rows = 0;
    for (std::uint64_t d = lo; d <= hi; ++d) {
      const auto row = red::low_dim_bound(d, B, prm, mlog);
      red::T2Request q;
      q.d = d;
      q.B = B;
      q.notion = prm.notion;
      q.eta = prm.eta;
      q.delta = prm.delta;
      std::string t2_bits, t2_N;
      if (B * B * Rational(static_cast<long>(d)) <= Rational(core::Integer(red::limits::max_C))) {
        const auto r2 = red::bounded_entry_bound(q);
        if (r2.certified) t2_bits = core::to_string(r2.bits_ceil), t2_N = std::to_string(r2.N);
      }
      std::string name = row.code.name;
      std::replace(name.begin(), name.end(), ',', ';');
      certified_rows += row.certified;
      csv << d << ',' << (row.certified ? 1 : 0) << ',' << (row.certified ? core::to_string(row.bits_ceil) : "") << ',' << row.N << ','
          << row.N * row.N << ',' << row.D << ',' << name << ',' << t2_bits << ',' << t2_N << ','
          << approx(static_cast<double>(d) * std::exp(static_cast<double>(d)), 8) << '\n';
      bar.update(d - lo + 1, hi - lo + 1);
    }
    bar.finish();
    const std::string path = t->out + "/t5.csv";
    write_file_atomic(path, csv.str());
    std::printf("%zu of %llu rows certified\nwrote %s\n", certified_rows, static_cast<unsigned long long>(hi - lo + 1), path.c_str());
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
      std::printf("no plot (gnuplot not found)\n");
      return 0;
    }
    std::ostringstream body;
    body << "set datafile separator ','\n"
         << "set title \"T5, low dimension: certified KV-cache bits of tensor attention vs ordinary attention (T2) (B=" << core::to_string(B)
         << ", " << red::to_string(prm.notion) << ", eta=" << core::to_string(prm.eta) << ", delta=" << core::to_string(prm.delta)
         << ")\" noenhanced\n"
         << "set xlabel 'd'\nset ylabel 'bits (log scale)'\nset logscale y\nset grid\nset key outside bottom center horizontal\n"
         << "plot '" << path << "' using 1:($2==1?$3:1/0) with linespoints pt 7 lw 2 lc rgb '#d73027' title 'T5 low-dim, certified bits', \\\n"
         << "     '" << path << "' using 1:8 with linespoints pt 5 lw 2 lc rgb '#1a9850' title 'T2 (ordinary attention), certified bits', \\\n"
         << "     '" << path << "' using 1:10 with lines lw 1 lc rgb '#888888' title 'd e^d'\n";
    write_plots(t->out, "t5", body.str());
    return 0;
  };
}

}  // namespace

const Theorem& theorem_t5() {
  static const Theorem t{"t5",
                         "T5: tensor attention, Omega(n d) (four-cache: embedding, native pairs) and Omega(n^2 d) (two-cache) (docs/theorems.md#t5)",
                         setup,
                         {{"default",
                           {"--model four-cache-native --n 512 --d 256 --notion rel --eta 1/4 --delta 0",
                            "--model four-cache-native --n 256 --d 128 --notion l2 --eta 1/4 --delta 1/100 --keys-a hadamard",
                            "--model four-cache-embed --n 4096 --d 256 --notion rel --eta 1/4 --delta 0",
                            "--model two-cache --n 65 --d 256 --notion rel --eta 1/4 --delta 0",
                            "--model low-dim --d 2..16 --B 1 --notion rel --eta 1/4 --delta 0"}},
                          {"quick", {"--model four-cache-native --n 128 --d 128 --notion rel --eta 1/4 --delta 0"}}},
                         Sweep{"T5 low dimension over d: CSV + SVG/PNG of the certified bits beside T2's", sweep_setup},
                         "check_t5"};
  return t;
}

}  // namespace attncert::verifiers
