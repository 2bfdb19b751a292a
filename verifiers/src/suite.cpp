#include "attncert/verifiers/suite.hpp"

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <iostream>

#include "attncert/core/atomic_file.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/theorems.hpp"

namespace attncert::verifiers {

std::vector<Outcome> run_suite(const std::string& name, const std::string& cert_dir, const CommonOptions& opt) {
  using Entry = std::function<Outcome()>;
  std::vector<Entry> entries;
  CommonOptions quiet = opt;
  quiet.quiet = true;
  auto index = [&](long N, core::Rational p) {
    entries.push_back([=] { return verify_index({core::Integer(N), p}, quiet); });
  };
  auto gram = [&](std::uint64_t N, std::uint64_t d, std::uint64_t seed, core::Rational rho) {
    entries.push_back([=] {
      CommonOptions o = quiet;
      o.seed = seed;
      return verify_gram({N, d, rho}, o);
    });
  };
  if (name == "default") {
    index(100000, core::Rational(1, 10));
    index(1000000, core::Rational(1, 100));
    index(4096, core::Rational(1, 3));
    index(1024, core::Rational(1, 2));
    gram(4096, 256, 1, core::Rational(1, 2));
    gram(16384, 512, 2, core::Rational(1, 3));
    auto t1 = [&](std::uint64_t n, std::uint64_t d, std::string notion, core::Rational eta, core::Rational delta,
                  std::string keys, bool auto_params) {
      T1Options t;
      t.n = n, t.d = d, t.notion = notion, t.eta = eta, t.delta = delta, t.keys = keys, t.auto_params = auto_params;
      t.n_given = t.d_given = true;
      entries.push_back([=] { return verify_t1(t, quiet); });
    };
    t1(4096, 256, "rel", core::Rational(1, 4), 0, "random", false);
    t1(4096, 256, "l2", core::Rational(1, 4), core::Rational(1, 100), "random", false);
    t1(16384, 128, "abs", core::Rational(1, 2), core::Rational(1, 20), "random", false);
    t1(65536, 0, "rel", core::Rational(1, 4), 0, "random", true);
    t1(257, 128, "l2", core::Rational(1, 4), 0, "hadamard", false);
    entries.push_back([=] { return verify_lemmas(20000, quiet); });
  } else if (name == "quick") {
    index(100000, core::Rational(1, 10));
    gram(512, 128, 1, core::Rational(3, 4));
    entries.push_back([=] { return verify_lemmas(20000, quiet); });
  } else {
    throw BadInput("--suite: unknown suite '" + name + "' (known: default, quick)");
  }
  if (!cert_dir.empty()) {
    try {
      core::make_directories(cert_dir);
    } catch (const std::runtime_error& e) {
      throw BadInput(std::string("--cert-dir: ") + e.what());
    }
  }
  std::vector<Outcome> out;
  const bool show = !opt.quiet && !opt.json && isatty(2);
  for (std::size_t k = 0; k < entries.size(); ++k) {
    if (show) std::fprintf(stderr, "\r\033[Ksuite %s: entry %zu/%zu", name.c_str(), k + 1, entries.size());
    out.push_back(entries[k]());
    if (!cert_dir.empty() && !out.back().certificate.is_null()) {
      char file[64];
      std::snprintf(file, sizeof file, "%02zu-%s.json", k + 1, out.back().theorem.c_str());
      write_certificate(cert_dir + "/" + file, out.back().certificate);
    }
  }
  if (show) std::fprintf(stderr, "\r\033[K");
  return out;
}

void print_suite_table(const std::vector<Outcome>& outcomes) {
  std::printf("%-3s %-7s %-46s %-12s %7s  %s\n", "#", "theorem", "parameters", "status", "time(s)", "claim / reason");
  int k = 0;
  for (const auto& o : outcomes)
    std::printf("%-3d %-7s %-46s %-12s %7.2f  %s\n", ++k, o.theorem.c_str(), o.label.c_str(),
                status_name(o.status), o.seconds, (o.status == certified ? o.claim : o.reason).c_str());
}

int suite_status(const std::vector<Outcome>& outcomes) {
  int worst = certified;
  for (const auto& o : outcomes) {
    if (o.status == bad_input) return bad_input;
    if (o.status == refuted) worst = refuted;
    else if (o.status == inconclusive && worst == certified) worst = inconclusive;
  }
  return worst;
}

}  // namespace attncert::verifiers
