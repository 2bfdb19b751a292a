#include "attncert/verifiers/verify_t2.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>

#include "attncert/reductions/certificate_json.hpp"
#include "attncert/reductions/covering.hpp"
#include "attncert/reductions/t2.hpp"
#include "attncert/reductions/t2_subgen.hpp"
#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/progress.hpp"
#include "attncert/verifiers/registry.hpp"
#include "attncert/verifiers/sweep.hpp"

namespace attncert::verifiers {

using core::Integer;
using core::Rational;
namespace red = attncert::reductions;

namespace {
// Generator row i of a code as a string of '0'/'1', column c at position c (docs/certificates.md#t2).
std::string row_bits(const core::SignMatrix& g, std::size_t i) {
  std::string s(g.cols(), '0');
  for (std::size_t c = 0; c < g.cols(); ++c)
    if ((g.row(i)[c >> 6] >> (c & 63)) & 1u) s[c] = '1';
  return s;
}

}  // namespace

namespace {
// The claimed upper bound on N_cov(S^{d-1}, θ) and its route (docs/certificates.md#t2): two antipodal
// caps when cos θ <= 0, an explicit covering (d = 2, 3) when it is smaller, else the maximal
// θ-separated set (floor(1 / μ(θ/2).lo)).
struct CoverUpper {
  Integer value;
  std::string route;
  std::optional<red::ExplicitCovering> ex;
  std::string producer_route;  // explicit coverings: how the producer decided it (reported)
  std::string z3;              // d = 3: Z3's answer in short ("unsat", "unknown within 3 s", ...)
};

struct RowResult {
  red::T2Row row;
  red::CoveringBounds cov;
  CoverUpper upper;
};

// One d of the range: the bounded-entry bound and the covering numbers (verify and sweep).
RowResult t2_row(const T2Options& in, std::size_t d) {
  red::T2Request req;
  req.d = d;
  req.B = in.B;
  req.notion = in.notion;
  req.eta = in.eta;
  req.delta = in.delta;
  RowResult r{red::bounded_entry_bound(req), red::covering_bounds(static_cast<int>(d), in.cos_theta), {}};  // ParameterError -> exit 2
  r.upper = {r.cov.upper_cap, "maximal_separated_set", std::nullopt, "", ""};
  if (in.cos_theta <= 0 && r.upper.value > 2) r.upper = {Integer(2), "antipodal", std::nullopt, "", ""};
  if (d <= 3)
    if (auto ex = red::explicit_covering(static_cast<int>(d), in.cos_theta); ex && Integer(ex->centers.size()) < r.upper.value)
      r.upper = {Integer(ex->centers.size()), d == 2 ? "explicit_circle" : "explicit_sphere", std::move(ex), "", ""};
  if (r.upper.ex) {
    r.upper.producer_route = r.upper.ex->route;
    if (d == 3) {
      // The spec's formula by Z3 as well (reported; the checker re-decides by its own branch and bound).
      const auto rep = red::certify_sphere_covering(r.upper.ex->centers, in.cos_theta, 3000, false);
      r.upper.producer_route += "; Z3 on not-exists x: |x| = 1, <x, c_i> < cos theta for all i: " + rep.z3;
      r.upper.z3 = rep.z3 == "unsat" ? "unsat" : rep.z3.rfind("unknown", 0) == 0 ? "unknown within 3 s" : rep.z3;
    }
  }
  return r;
}

nlohmann::json points_json(const std::vector<red::Point>& pts) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : pts) {
    nlohmann::json q = nlohmann::json::array();
    for (const auto& x : p) q.push_back(core::to_string(x));
    a.push_back(q);
  }
  return a;
}
nlohmann::json parameters_json(const T2Options& in, std::size_t d_min, std::size_t d_max) {
  return {{"d_min", std::to_string(d_min)},
          {"d_max", std::to_string(d_max)},
          {"B", core::to_string(in.B)},
          {"notion", red::to_string(in.notion)},
          {"eta", core::to_string(in.eta)},
          {"delta", core::to_string(in.delta)},
          {"cos_theta", core::to_string(in.cos_theta)}};
}
}  // namespace

Outcome verify_t2(const T2Options& in, const CommonOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  if (in.d_min < 2 || in.d_max > red::limits::t2_max_dim || in.d_min > in.d_max)
    throw BadInput("--d: T2 needs a range 2 <= a <= b <= " + std::to_string(red::limits::t2_max_dim));
  if (in.B <= 0) throw BadInput("--B: the entry bound must be > 0, got " + core::to_string(in.B));
  if (in.cos_theta <= -1 || in.cos_theta >= 1)
    throw BadInput("--cos-theta: must lie in (-1, 1), got " + core::to_string(in.cos_theta));
  if (boost::multiprecision::denominator(in.cos_theta) > (core::Integer(1) << 64))  // the checker's limit (docs/certificates.md, t2)
    throw BadInput("--cos-theta: the denominator must be at most 2^64, got " + core::to_string(in.cos_theta));
  const std::string notion = red::to_string(in.notion);

  Outcome o;
  o.theorem = "t2";
  o.label = "d=" + std::to_string(in.d_min) + ".." + std::to_string(in.d_max) + " B=" + core::to_string(in.B) + " " +
            notion + " eta=" + core::to_string(in.eta) + " delta=" + core::to_string(in.delta) +
            " cos_theta=" + core::to_string(in.cos_theta);
  o.table.push_back({"columns", "bits >= | N = 2^j | D | code | N_cov(S^{d-1}, theta) in [lower, upper] | "
                                "upper/lower | bits / (d e^d) | d e^d"});

  nlohmann::json inst_rows = nlohmann::json::array(), der_rows = nlohmann::json::array(),
                 claim_rows = nlohmann::json::array(), cover_rows = nlohmann::json::array();
  std::size_t n_cert = 0, n_rows = in.d_max - in.d_min + 1;
  std::string first_failure, last_bits;
  std::size_t row_certs = 0;
  if (!in.cert_rows.empty()) make_directories(in.cert_rows);
  Progress bar("t2 rows", "d", !opt.quiet);
  for (std::size_t d = in.d_min; d <= in.d_max; ++d) {
    const auto [row, cov, up] = t2_row(in, d);
    const std::string ded = approx(row.d_e_d_lo, 6);
    std::string cell;
    if (row.certified) {
      ++n_cert;
      last_bits = core::to_string(row.bits_ceil);
      cell = core::to_string(row.bits_ceil) + " | " + std::to_string(row.N) + " | " + std::to_string(row.D) + " | " +
             row.code.name + " | [" + core::to_string(cov.lower) + ", " + core::to_string(up.value) + "] " +
             (up.ex ? up.ex->name + (d == 3 ? " (Z3: " + up.z3 + ")" : std::string()) : up.route == "maximal_separated_set" ? std::string("separated set") : up.route) + " | " + approx(Rational(up.value) / Rational(cov.lower), 4) + " | " + approx(row.ratio_lo, 4) + " | " + ded;
    } else {
      cell = "not certified (" + row.reason + ") | cover [" + core::to_string(cov.lower) + ", " +
             core::to_string(up.value) + "] | d e^d " + ded;
      if (first_failure.empty()) first_failure = "d=" + std::to_string(d) + ": " + row.reason;
    }
    o.table.push_back({"d=" + std::to_string(d), cell});
    if (in.subgen_r && row.certified) {
      // SubGen on this row's instance: floating point, reported beside the certified floor.
      const red::SubGenOnRow sg = red::subgen_on_row(row, {.r = *in.subgen_r, .t = in.subgen_t, .s = in.subgen_s, .seed = opt.seed});
      o.table.push_back({"  SubGen", std::to_string(sg.words) + " words (" + std::to_string(sg.clusters) + " clusters; exact cache " +
                                         std::to_string(sg.exact_words) + ", certified floor " + approx(Rational(row.bits_ceil) / 32, 4) +
                                         " words of 32 bits), " + approx(Rational(static_cast<long>(sg.decoded * 10000), 100), 4) +
                                         "% of bits decoded on " + std::to_string(sg.rows_tested) + " rows: " + sg.verdict});
    }

    if (row.certified) {
      nlohmann::json gen = nlohmann::json::array();
      for (std::size_t i = 0; i < row.code.dimension(); ++i) gen.push_back(row_bits(row.code.generator, i));
      inst_rows.push_back({{"d", std::to_string(d)},
                           {"C", core::to_string(row.C)},
                           {"code", row.code.name},
                           {"generator", gen},
                           {"N", std::to_string(row.N)}});
      nlohmann::json wd = nlohmann::json::array();
      for (std::uint64_t a : row.weights) wd.push_back(a);
      der_rows.push_back({{"d", std::to_string(d)},
                          {"D", std::to_string(row.D)},
                          {"weight_distribution", wd},
                          {"w_min_lower", core::to_string(row.w_min)},
                          {"phi_upper", core::to_string(row.phi)},
                          {"p_upper", core::to_string(row.p)},
                          {"H2(p)", red::interval_json(row.h2_lo, row.h2_hi)}});
      claim_rows.push_back({{"d", std::to_string(d)},
                            {"bits", core::to_string(row.bits)},
                            {"bits_ceil", core::to_string(row.bits_ceil)}});
    }
    nlohmann::json cover = {{"d", std::to_string(d)},
                            {"cos_theta", core::to_string(in.cos_theta)},
                            {"cap_measure", red::interval_json(cov.cap.lo, cov.cap.hi)},
                            {"lower", core::to_string(cov.lower)},
                            {"half_cap_measure", red::interval_json(cov.half_cap.lo, cov.half_cap.hi)},
                            {"upper", core::to_string(up.value)},
                            {"upper_route", up.route}};
    if (up.ex) {
      cover["centers"] = points_json(up.ex->centers);
      cover["producer_route"] = up.producer_route;
    }
    cover_rows.push_back(cover);
    if (row.certified && !in.cert_rows.empty()) {
      // This row alone, as a certificate of the range d..d (docs/certificates.md#t2).
      nlohmann::json one = certificate_header("t2");
      one["parameters"] = parameters_json(in, d, d);
      one["instance"] = {{"keys", "code_prefix"}, {"rows", {inst_rows.back()}}};
      one["derived"] = {{"rows", {der_rows.back()}}};
      one["claim"] = {{"kind", "bounded_entry_kv_cache_lower_bound_bits"}, {"rows", {claim_rows.back()}}};
      one["covering"] = {{"rows", {cover}}};
      const std::string path = in.cert_rows + "/t2_d" + std::to_string(d) + ".json";
      write_certificate(path, one);
      ++row_certs;
    }
    bar.update(d - in.d_min + 1, n_rows);
  }
  bar.finish();

  if (n_cert == n_rows) {
    o.status = certified;
    o.reason = "every row d = " + std::to_string(in.d_min) + ".." + std::to_string(in.d_max) +
               " certified (T1's Lemma 1/3 + INDEX on the best code's instance, C = B^2 d)";
    o.claim = "for each d in " + std::to_string(in.d_min) + ".." + std::to_string(in.d_max) + ", any algorithm that " +
              notion + "-approximates the last output (eta=" + core::to_string(in.eta) + ", delta=" +
              core::to_string(in.delta) + ") with entries in [-B, B], B=" + core::to_string(in.B) +
              ", keeps >= the row's certified bits (d=" + std::to_string(in.d_max) + ": " + last_bits +
              " bits); each row's lower <= N_cov(S^{d-1}, theta) <= upper";
    o.certificate = certificate_header("t2");
    o.certificate["parameters"] = parameters_json(in, in.d_min, in.d_max);
    o.certificate["instance"] = {{"keys", "code_prefix"}, {"rows", inst_rows}};
    o.certificate["derived"] = {{"rows", der_rows}};
    o.certificate["claim"] = {{"kind", "bounded_entry_kv_cache_lower_bound_bits"}, {"rows", claim_rows}};
    // Both covering bounds are claimed; the checker re-derives the cap measures and the explicit
    // coverings (docs/certificates.md#t2).
    o.certificate["covering"] = {{"rows", cover_rows}};
  } else {
    o.status = inconclusive;
    o.reason = std::to_string(n_rows - n_cert) + " of " + std::to_string(n_rows) + " rows not certified; first: " +
               first_failure;
  }
  if (!in.cert_rows.empty())
    o.table.push_back({"row certificates", std::to_string(row_certs) + " written to " + in.cert_rows + "/t2_d<d>.json"});
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

namespace {

// "a..b" (every integer from a to b) or "a".
void parse_d_range(const std::string& text, std::size_t& lo, std::size_t& hi) {
  const auto dots = text.find("..");
  const std::uint64_t max = red::limits::t2_max_dim;
  if (dots == std::string::npos) {
    lo = hi = parse_count(text, "--d", 2, max);
    return;
  }
  lo = parse_count(text.substr(0, dots), "--d", 2, max);
  hi = parse_count(text.substr(dots + 2), "--d", 2, max);
  if (lo > hi) throw BadInput("--d: the range a..b needs a <= b, got " + text);
}

struct Text {
  std::string d = "2..16", B = "1", notion = red::defaults::notion, eta = core::to_string(red::defaults::eta()),
              delta = core::to_string(red::defaults::delta()), cos_theta = "1/2", out = "out/sweep_t2", cert_rows, subgen_r, subgen_t = "16", subgen_s = "256";
};

void add_options(CLI::App& sub, const std::shared_ptr<Text>& t, bool verify = true) {
  if (verify) {
    sub.add_option("--cert-rows", t->cert_rows, "also write one certificate per certified row: DIR/t2_d<d>.json");
    sub.add_option("--subgen-r", t->subgen_r, "also run SubGen with cluster radius r > 0 on each row's instance (memory, decoding)");
    sub.add_option("--subgen-t", t->subgen_t, "SubGen key samples per cluster, >= 1 (default 16)");
    sub.add_option("--subgen-s", t->subgen_s, "SubGen value samples, >= 1 (default 256)");
  }
  sub.add_option("--d", t->d, "dimensions: a..b (every d from a to b) or one d, 2 <= d <= 256 (default " + t->d + ")");
  sub.add_option("--B", t->B, "entry bound B > 0, exact rational; C = B^2 d <= 2^23 (default 1)");
  sub.add_option("--notion", t->notion, "approximation notion: rel | abs | l2 (default " + t->notion + ")");
  sub.add_option("--eta", t->eta, "approximation parameter eta in [0, 1) (default " + t->eta + ")");
  sub.add_option("--delta", t->delta, "failure probability per output delta in [0, 1) (default " + t->delta + ")");
  sub.add_option("--cos-theta", t->cos_theta, "covering radius as cos theta in (-1, 1), exact rational (default 1/2)");
}

T2Options parse_options(const Text& text) {
  const Text* t = &text;
  T2Options prm;
    parse_d_range(t->d, prm.d_min, prm.d_max);
    prm.B = parse_rational_param(t->B, "--B");
    if (prm.B <= 0) throw BadInput("--B: the entry bound must be > 0, got " + t->B);
    prm.notion = red::parse_notion(t->notion);
    prm.eta = parse_rational_param(t->eta, "--eta");
    prm.delta = parse_rational_param(t->delta, "--delta");
    prm.cos_theta = parse_rational_param(t->cos_theta, "--cos-theta");
    if (prm.cos_theta <= -1 || prm.cos_theta >= 1) throw BadInput("--cos-theta: must lie in (-1, 1), got " + t->cos_theta);
    prm.cert_rows = t->cert_rows;
    if (!t->subgen_r.empty()) {
      const Rational r = parse_rational_param(t->subgen_r, "--subgen-r");
      if (r <= 0 || r > 1000000) throw BadInput("--subgen-r: the cluster radius must lie in (0, 10^6], got " + t->subgen_r);
      prm.subgen_r = r.convert_to<double>();
    }
    prm.subgen_t = parse_count(t->subgen_t, "--subgen-t", 1, 1u << 20);
    prm.subgen_s = parse_count(t->subgen_s, "--subgen-s", 1, 1u << 20);
  return prm;
}

Runner setup(CLI::App& sub) {
  auto t = std::make_shared<Text>();
  add_options(sub, t);
  return [t](const CommonOptions& opt) { return verify_t2(parse_options(*t), opt); };
}

// `attncert sweep t2`: the rows of verify t2 as CSV and a plot over d (log scale): the certified
// lower bound in bits, the covering numbers' lower and upper bounds (cluster centers, the memory
// unit of SubGen-style caches) and d e^d for reference.
// A code's name in a CSV field: its commas ("RM(2,2)") become semicolons.
std::string csv_safe(std::string name) {
  std::replace(name.begin(), name.end(), ',', ';');
  return name;
}

std::function<int(const CommonOptions&)> sweep_setup(CLI::App& sub) {
  auto t = std::make_shared<Text>();
  t->d = "2..24";
  add_options(sub, t, false);
  sub.add_option("--out", t->out, "output directory (default " + t->out + ")");
  return [t](const CommonOptions& opt) {
    const T2Options in = parse_options(*t);
    if (t->out.empty()) throw BadInput("--out: empty value");
    make_directories(t->out);
    std::ostringstream csv;
    csv << "d,certified,bits_ceil,N,D,code,cover_lower,cover_upper,d_e_d\n";
    Progress bar("sweep t2", "d", !opt.quiet);
    std::size_t certified_rows = 0;
    for (std::size_t d = in.d_min; d <= in.d_max; ++d) {
      const auto [row, cov, up] = t2_row(in, d);
      certified_rows += row.certified;
      csv << d << ',' << (row.certified ? 1 : 0) << ',' << (row.certified ? core::to_string(row.bits_ceil) : "") << ','
          << row.N << ',' << row.D << ',' << csv_safe(row.code.name) << ',' << core::to_string(cov.lower) << ','
          << core::to_string(up.value) << ',' << approx(row.d_e_d_lo, 8) << '\n';
      bar.update(d - in.d_min + 1, in.d_max - in.d_min + 1);
    }
    bar.finish();
    const std::string path = t->out + "/t2.csv";
    write_file_atomic(path, csv.str());
    std::printf("%zu of %zu rows certified\nwrote %s\n", certified_rows, in.d_max - in.d_min + 1, path.c_str());
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
      std::printf("no plot (gnuplot not found)\n");
      return 0;
    }
    std::ostringstream body;
    body << "set datafile separator ','\n"
         << "set title \"T2, low dimension: certified KV-cache lower bound vs covering numbers (B=" << core::to_string(in.B)
         << ", " << red::to_string(in.notion) << ", eta=" << core::to_string(in.eta) << ", delta=" << core::to_string(in.delta)
         << ", cos theta=" << core::to_string(in.cos_theta) << ")\" noenhanced\n"
         << "set xlabel 'd'\nset ylabel 'bits / number of centers (log scale)'\nset logscale y\nset grid\n"
         << "set key outside bottom center horizontal\n"
         << "plot '" << path << "' using 1:($2==1?$3:1/0) with linespoints pt 7 lw 2 lc rgb '#1a9850' title 'certified lower bound (bits)', \\\n"
         << "     '" << path << "' using 1:7 with linespoints pt 5 lw 2 lc rgb '#4575b4' title 'covering number, certified lower bound', \\\n"
         << "     '" << path << "' using 1:8 with linespoints pt 4 lw 2 dt 2 lc rgb '#313695' title 'covering number, certified upper bound', \\\n"
         << "     '" << path << "' using 1:9 with lines lw 1 lc rgb '#888888' title 'd e^d'\n";
    write_plots(t->out, "t2", body.str());
    return 0;
  };
}

}  // namespace

const Theorem& theorem_t2() {
  static const Theorem t{"t2",
                         "T2: bounded-entry KV-cache lower bound over low dimensions d, beside sphere covering numbers (docs/theorems.md#t2)",
                         setup,
                         {{"default", {"--d 2..24", "--d 2..16 --notion l2 --eta 1/4 --delta 1/100 --cos-theta 9/10"}},
                          {"quick", {"--d 2..12"}}},
                         Sweep{"T2 over d: CSV + SVG/PNG of the certified bound and the covering numbers", sweep_setup},
                         "check_t2"};
  return t;
}

}  // namespace attncert::verifiers
