// The T2 covering and packing tables (reductions/covering.hpp, reductions/packing.hpp):
//   cover_table [--cos C] [--dmax 24] [--packing-dmax 10] [--timeout-ms 60000] [--skip-packing]
// prints, for d = 2..dmax, the certified bounds on N_cov(S^{d-1}, θ) with cos θ = C (default 1/2),
// then the explicit coverings for d = 2 and 3 (Z3 and cvc5 under the same timeout for the spiral), then the packing numbers P(d, t) = A(d, D) for
// d <= packing-dmax and every D = 1..d, each solver query under the per-query timeout.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "attncert/reductions/covering.hpp"
#include "attncert/reductions/packing.hpp"
#include "timing.hpp"

using namespace attncert;
using core::Rational;

namespace {
double log2_of(const core::Integer& z) {
  // bit length plus the leading bits' fraction: display only.
  const std::size_t bits = boost::multiprecision::msb(z) + 1;
  if (bits <= 60) return std::log2(z.convert_to<double>());
  const core::Integer top = z >> (bits - 60);
  return std::log2(top.convert_to<double>()) + static_cast<double>(bits - 60);
}
}  // namespace

int main(int argc, char** argv) {
  Rational c(1, 2);
  int dmax = 24, pdmax = 10;
  unsigned timeout_ms = 60000;
  bool packing = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--cos") c = core::parse_rational(next(), "cos");
      else if (a == "--dmax") dmax = std::stoi(next());
      else if (a == "--packing-dmax") pdmax = std::stoi(next());
      else if (a == "--timeout-ms") timeout_ms = static_cast<unsigned>(std::stoul(next()));
      else if (a == "--skip-packing") packing = false;
      else {
        std::fprintf(stderr, "error: unknown argument %s\n", a.c_str());
        return 2;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 2;
    }
  }
  try {
    std::printf("# covering numbers of S^{d-1}, cos theta = %s (theta = %.4f rad)\n", core::to_string(c).c_str(),
                std::acos(c.convert_to<double>()));
    std::printf("%3s  %-26s %10s %14s %14s %12s %10s %8s\n", "d", "mu(cap theta) in", "lower", "upper(cap)",
                "upper(vol)", "ratio", "log2 ratio", "time(s)");
    for (int d = 2; d <= dmax; ++d) {
      const auto t0 = bench::Clock::now();
      const auto b = reductions::covering_bounds(d, c);
      const double secs = bench::seconds_since(t0);
      std::printf("%3d  [%.6e, %.6e] %10s %14s %14s %12.4g %10.3f %8.3f\n", d, b.cap.lo.convert_to<double>(),
                  b.cap.hi.convert_to<double>(), b.lower.str().c_str(), b.upper_cap.str().c_str(),
                  b.upper_volume.str().c_str(), b.ratio().convert_to<double>(), log2_of(b.upper) - log2_of(b.lower), secs);
    }

    std::printf("\n# explicit coverings\n");
    if (c > 0) {
      const auto t0 = bench::Clock::now();
      const auto cc = reductions::circle_covering(c);
      std::printf("d = 2: rational %d-gon covers, decided exactly (lower bound %s) in %.3f s\n", cc.M,
                  reductions::covering_bounds(2, c).lower.str().c_str(), bench::seconds_since(t0));
    }
    struct Case { const char* name; std::vector<reductions::Point> pts; Rational cos; };
    for (const Case& k : {Case{"octahedron", reductions::octahedron(), Rational(1, 2)},
                          Case{"octahedron", reductions::octahedron(), Rational(3, 5)},
                          Case{"rational icosahedron", reductions::rational_icosahedron(), Rational(3, 4)},
                          Case{"rational icosahedron", reductions::rational_icosahedron(), Rational(4, 5)}}) {
      const auto t0 = bench::Clock::now();
      const auto r = reductions::certify_sphere_covering(k.pts, k.cos, 5000, true);
      const char* v = r.verdict == reductions::SphereCoveringReport::Verdict::covers ? "COVERS"
                      : r.verdict == reductions::SphereCoveringReport::Verdict::does_not_cover ? "DOES NOT COVER"
                                                                                             : "inconclusive";
      std::printf("d = 3: %-21s (%zu pts) cos theta = %-4s %-15s by %-40s z3=%s cvc5=%s bnb=%s (%ld boxes) %.2f s\n", k.name,
                  k.pts.size(), core::to_string(k.cos).c_str(), v, r.routes.c_str(), r.z3.c_str(), r.cvc5.c_str(),
                  r.bnb.certified ? "certified" : "not certified", r.bnb.boxes_certified, bench::seconds_since(t0));
    }

    if (c > 0) {
      const auto t0 = bench::Clock::now();
      const auto cov = reductions::sphere_covering_d3(c, 200, timeout_ms, true);
      if (cov)
        std::printf("d = 3: rational Fibonacci spiral, N = %d (lower bound %s) cos theta = %s: %s by %s (z3=%s cvc5=%s, %ld boxes) %.2f s\n",
                    cov->N, cov->lower.str().c_str(), core::to_string(c).c_str(),
                    cov->report.verdict == reductions::SphereCoveringReport::Verdict::covers ? "COVERS" : "not certified",
                    cov->report.routes.c_str(), cov->report.z3.c_str(), cov->report.cvc5.c_str(), cov->report.bnb.boxes_certified,
                    bench::seconds_since(t0));
      else
        std::printf("d = 3: no Fibonacci spiral up to 200 points certified\n");
    }

    if (packing) {
      std::printf("\n# packing numbers P(d, t) = A(d, D), D = ceil((d - t)/2); per-query timeout %u ms\n", timeout_ms);
      std::printf("%3s %4s %3s %8s %8s %6s %8s %10s  %s\n", "d", "t", "D", "P(d,t)", "status", "table", "time(s)", "clique", "queries (N:answer:seconds)");
      for (int d = 2; d <= pdmax; ++d)
        for (int D = 1; D <= d; ++D) {
          const int t = d - 2 * D;
          const auto p = reductions::packing_number(d, t, timeout_ms);
          std::string qs;
          for (const auto& q : p.queries) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%d:%s:%.2f ", q.N, reductions::to_string(q.answer), q.seconds);
            qs += buf;
          }
          // The solver-free second route for d <= 8 (maximum clique, 2e7 search nodes).
          std::string clique = "-";
          if (d <= 8) {
            const auto c0 = bench::Clock::now();
            const auto cl = reductions::clique_packing_number(d, t, 20000000);
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s/%.1fs", cl ? std::to_string(*cl).c_str() : "budget", bench::seconds_since(c0));
            clique = buf;
            if (cl && (p.exact ? static_cast<int>(p.best.size()) != *cl : static_cast<int>(p.best.size()) > *cl))
              std::printf("    DISAGREES WITH THE CLIQUE SEARCH\n");
          }
          std::printf("%3d %4d %3d %7s%s %8s %6s %8.2f %10s  %s\n", d, t, D, std::to_string(p.best.size()).c_str(),
                      p.exact ? " " : "+", p.exact ? "exact" : ">=", p.known ? std::to_string(*p.known).c_str() : "?",
                      p.seconds, clique.c_str(), qs.c_str());
          if (p.known && (p.exact ? static_cast<long>(p.best.size()) != *p.known : static_cast<long>(p.best.size()) > *p.known))
            std::printf("    DISAGREES WITH THE TABLE\n");
          std::fflush(stdout);
        }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
