// The SubGen measurement tables (issue #9 item 5; bench/RESULTS.md, "T2 SubGen"):
//   subgen_tables a [--dims 4,8,16] [--nmax 1000000] [--cert-max 1000] [--t 16] [--s 256]
//     (a) clusterable streams (bench/subgen_stream.hpp: m = 16 centers, sigma = 0.02; SubGen
//     r = 0.3, t = 16, s = 256): words_used at n = 10^3 .. nmax (powers of 10) against the exact
//     cache's 2 d n, and the error on 8 queries uniform in [-1, 1]^d:
//       eps = ||z - Attn||_2 / (||softmax(Kq)||_2 ||V||_op)   (the guarantee's scale) and
//       ||z - Attn||_2 / ||Attn||_2.
//     Up to n = cert-max both are measured against core::attention_reference (certified_error:
//     the bracket [rel_lo, rel_hi], ||V||_op bracketed by ||V||_F and a power-iteration lower
//     bound); beyond it against running double sums (long double accumulators, ||V||_op from the
//     power iteration on the running V^T V): a float measurement, labelled so.
//   subgen_tables b [--N 1024] [--d 32] [--t 16] [--s 256[,1024,...]] [--rows 64] [--seed 1]
//     (b) T1's hard instance H1(N, d, C, random keys) with C = propose_C (t1_setup.hpp) and T1's
//     certified rel bound (eta = 1/4, delta = 0) for reference: for r from 0.1 to 1 times the
//     diameter 2 sqrt(d) of the key set, SubGen's clusters and words against the exact cache, and
//     Bob's decoding (x_il = [z_l < 0] after appending his token (q = (C/d) s_i, k = 0, v = 0)) on
//     `rows` evenly spaced rows. "floor": whether SubGen's words are below the certified bound read
//     as 32-bit words (below it, failing to decode is forced by T1; above it, it is SubGen's own).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "attncert/reductions/subgen.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/reductions/t1_setup.hpp"
#include "subgen_stream.hpp"
#include "timing.hpp"

namespace red = attncert::reductions;
namespace core = attncert::core;
using attncert::bench::median;

namespace {

[[noreturn]] void bad(const std::string& m) {
  std::fprintf(stderr, "subgen_tables: %s\n", m.c_str());
  std::exit(2);
}

std::size_t num(const char* v, const char* name) {
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v, &end, 10);
  if (!*v || *end || x == 0) bad(std::string(name) + " must be a positive integer");
  return static_cast<std::size_t>(x);
}

double op_norm(const std::vector<long double>& G, std::size_t d) {  // sqrt(lambda_max(G)), power iteration
  std::vector<long double> x(d, 1), y(d);
  long double lam = 0;
  for (int it = 0; it < 300; ++it) {
    long double nrm = 0;
    for (std::size_t a = 0; a < d; ++a) {
      long double acc = 0;
      for (std::size_t b = 0; b < d; ++b) acc += G[a * d + b] * x[b];
      y[a] = acc;
      nrm += acc * acc;
    }
    nrm = std::sqrt(nrm);
    if (nrm == 0) return 0;
    for (std::size_t a = 0; a < d; ++a) x[a] = y[a] / nrm;
    lam = nrm;
  }
  return std::sqrt(static_cast<double>(lam));
}

void part_a(const std::vector<std::size_t>& dims, std::size_t nmax, std::size_t cert_max, std::size_t t, std::size_t s) {
  const std::size_t m = 16, Q = 8;
  const red::SubGenParams prm{.r = 0.3, .t = t, .s = s, .seed = 1};
  std::printf("# (a) clusterable streams: m = %zu centers in [-1,1]^d, sigma = 0.02; SubGen r = %g, t = %zu, s = %zu; %zu queries\n",
              m, prm.r, prm.t, prm.s, Q);
  std::printf("%-4s %-9s %-9s %-10s %-12s %-9s %-22s %-12s %-6s\n", "d", "n", "clusters", "words", "exact 2dn", "ratio",
              "eps median [lo,hi]", "err/|Attn|", "ref");
  for (std::size_t d : dims) {
    attncert::bench::ClusterStream stream(d, m, 0.02, 100 + d);
    red::SubGen g(d, prm);
    std::vector<std::vector<float>> qs(Q, std::vector<float>(d));
    for (auto& q : qs)
      for (auto& x : q) x = static_cast<float>(2 * stream.unit() - 1);
    std::vector<long double> den(Q, 0), den2(Q, 0), G(d * d, 0);
    std::vector<std::vector<long double>> numr(Q, std::vector<long double>(d, 0));
    std::vector<float> K, V, k(d), v(d);
    for (std::size_t n = 1, next = 1000; n <= nmax; ++n) {
      stream.next(k.data(), v.data());
      g.observe(k, v);
      if (n <= cert_max) {
        K.insert(K.end(), k.begin(), k.end());
        V.insert(V.end(), v.begin(), v.end());
      }
      for (std::size_t a = 0; a < d; ++a)
        for (std::size_t b = 0; b < d; ++b) G[a * d + b] += static_cast<long double>(v[a]) * v[b];
      for (std::size_t qi = 0; qi < Q; ++qi) {
        long double sc = 0;
        for (std::size_t i = 0; i < d; ++i) sc += static_cast<long double>(qs[qi][i]) * k[i];
        const long double e = std::exp(sc);  // |scores| <= d: no overflow
        den[qi] += e;
        den2[qi] += e * e;
        for (std::size_t i = 0; i < d; ++i) numr[qi][i] += e * v[i];
      }
      if (n != next) continue;
      next *= 10;
      std::vector<double> eps, eps_lo, eps_hi, relz;
      const bool cert = n <= cert_max;
      const double vop = op_norm(G, d);
      for (std::size_t qi = 0; qi < Q; ++qi) {
        const auto z = g.answer(qs[qi]);
        if (cert) {
          const auto ce = red::certified_error(z, qs[qi], K, V, d);
          eps_lo.push_back(ce.rel_lo);
          eps_hi.push_back(ce.rel_hi);
          eps.push_back(ce.rel_hi);
          relz.push_back(mpfr_get_d(ce.err.hi(), MPFR_RNDU) / mpfr_get_d(ce.attn_norm.lo(), MPFR_RNDD));
        } else {
          double err = 0, zn = 0;
          for (std::size_t i = 0; i < d; ++i) {
            const double ex = static_cast<double>(numr[qi][i] / den[qi]);
            err += (z[i] - ex) * (z[i] - ex);
            zn += ex * ex;
          }
          const double sm = static_cast<double>(std::sqrt(den2[qi]) / den[qi]);
          eps.push_back(std::sqrt(err) / (sm * vop));
          relz.push_back(std::sqrt(err / zn));
        }
      }
      char epsbuf[64];
      if (cert) std::snprintf(epsbuf, sizeof epsbuf, "[%.4f, %.4f]", median(eps_lo), median(eps_hi));
      else std::snprintf(epsbuf, sizeof epsbuf, "%.4f", median(eps));
      std::printf("%-4zu %-9zu %-9zu %-10zu %-12zu %-9.2e %-22s %-12.3f %-6s\n", d, n, g.clusters(), g.words_used(), 2 * d * n,
                  static_cast<double>(g.words_used()) / static_cast<double>(2 * d * n), epsbuf, median(relz),
                  cert ? "cert" : "float");
      std::fflush(stdout);
    }
  }
}

void part_b(std::size_t N, std::size_t d, std::size_t t, const std::vector<std::size_t>& s_list, std::size_t rows,
            std::uint64_t seed) {
  core::SignMatrix keys = core::SignMatrix::random(N, d, seed);
  const core::GramHistogram h = core::gram_histogram(keys);
  const core::Rational C = red::propose_C(N, h.max_inner(), d);
  const red::H1Instance inst = red::make_h1(keys, C, seed + 1);
  red::T1Params tp;
  tp.C = C;
  tp.eta = core::Rational(1, 4);
  tp.delta = 0;
  tp.notion = red::Notion::rel;
  const red::T1Report rep = red::certify_t1(inst.keys, h, tp);
  const double min_dist = 2 * std::sqrt(static_cast<double>(d - h.max_inner()) / 2);  // ||s_i - s_j|| = 2 sqrt(Hamming)
  std::printf("# (b) T1 hard instance: N = %zu, d = %zu, C = %s (%.3f), keys random(seed=%llu); min key distance %.3f, "
              "diameter 2 sqrt(d) = %.3f\n",
              N, d, core::to_string(C).c_str(), C.convert_to<double>(), static_cast<unsigned long long>(seed), min_dist,
              2 * std::sqrt(static_cast<double>(d)));
  const double floor_words = rep.bits_ceil.convert_to<double>() / 32;
  std::printf("# T1 certified (rel, eta = 1/4, delta = 0): %s, >= %s bits = %.0f words of 32 bits; exact cache 2 N d = %zu words\n",
              rep.certified ? "yes" : "no", core::to_string(rep.bits_ceil).c_str(), floor_words, 2 * N * d);
  std::printf("# SubGen t = %zu; decoding on %zu rows: bit x_il decoded when [z_l < 0] == x_il; 'below floor': words < the T1 bound / 32\n",
              t, rows);
  std::printf("%-6s %-8s %-7s %-9s %-10s %-9s %-6s %-10s %-8s %-24s\n", "s", "r", "r/diam", "clusters", "words", "words/2Nd",
              "floor", "bits ok %", "rows ok", "verdict");
  const double diam = 2 * std::sqrt(static_cast<double>(d));
  const float c_over_d = static_cast<float>(C.convert_to<double>() / static_cast<double>(d));
  for (std::size_t s : s_list)
  for (double frac : {0.1, 0.4, 0.5, 0.55, 0.6, 0.7, 1.0}) {
    const double r = frac * diam * (frac == 1.0 ? 1.0001 : 1.0);
    red::SubGen g(d, {.r = r, .t = t, .s = s, .seed = seed});
    std::vector<float> k(d), v(d);
    for (std::size_t j = 0; j < N; ++j) {
      for (std::size_t c = 0; c < d; ++c) {
        k[c] = static_cast<float>(inst.keys.entry(j, c));
        v[c] = static_cast<float>(inst.bits.entry(j, c));
      }
      g.observe(k, v);
    }
    const std::size_t words = g.words_used();
    std::size_t ok_bits = 0, ok_rows = 0;
    const std::vector<float> zero(d, 0.0f);
    for (std::size_t ri = 0; ri < rows; ++ri) {
      const std::size_t i = ri * N / rows;
      auto bob = g.clone();
      bob->observe(zero, zero);
      std::vector<float> q(d);
      for (std::size_t c = 0; c < d; ++c) q[c] = c_over_d * static_cast<float>(inst.keys.entry(i, c));
      const auto z = bob->answer(q);
      std::size_t ok = 0;
      for (std::size_t c = 0; c < d; ++c) ok += (z[c] < 0) == inst.bits.negative(i, c);
      ok_bits += ok;
      ok_rows += ok == d;
    }
    const double pct = 100.0 * static_cast<double>(ok_bits) / static_cast<double>(rows * d);
    const bool saves = words < 2 * N * d;
    const char* verdict = !saves ? (pct > 99.9 ? "no memory saved" : "no saving, no decode")
                                 : (pct > 99.9 ? "SAVES AND DECODES" : "fails to decode");
    std::printf("%-6zu %-8.3f %-7.2f %-9zu %-10zu %-9.3f %-6s %-10.2f %-8s %-24s\n", s, r, frac, g.clusters(), words,
                static_cast<double>(words) / static_cast<double>(2 * N * d), static_cast<double>(words) < floor_words ? "below" : "above", pct,
                (std::to_string(ok_rows) + "/" + std::to_string(rows)).c_str(), verdict);
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || (std::string(argv[1]) != "a" && std::string(argv[1]) != "b")) bad("usage: subgen_tables a|b [options]");
  const bool a = std::string(argv[1]) == "a";
  std::vector<std::size_t> dims{4, 8, 16};
  std::size_t nmax = 1000000, cert_max = 1000, N = 1024, d = 32, t = 16, rows = 64, seed = 1;
  std::vector<std::size_t> s_list{256};
  for (int i = 2; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) bad(key + " needs a value");
    const char* v = argv[i + 1];
    if (key == "--dims" || key == "--s") {
      auto& list = key == "--dims" ? dims : s_list;
      list.clear();
      for (std::string rest = v; !rest.empty();) {
        const auto comma = rest.find(',');
        list.push_back(num(rest.substr(0, comma).c_str(), key.c_str()));
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
      }
    } else if (key == "--nmax") nmax = num(v, "--nmax");
    else if (key == "--cert-max") cert_max = num(v, "--cert-max");
    else if (key == "--N") N = num(v, "--N");
    else if (key == "--d") d = num(v, "--d");
    else if (key == "--t") t = num(v, "--t");
    else if (key == "--rows") rows = num(v, "--rows");
    else if (key == "--seed") seed = num(v, "--seed");
    else bad("unknown option " + key);
  }
  if (a) part_a(dims, nmax, cert_max, t, s_list.front());
  else part_b(N, d, t, s_list, std::min(rows, N), seed);
}
