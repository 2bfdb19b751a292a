#include "attncert/verifiers/suite.hpp"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/cli.hpp"
#include "attncert/verifiers/registry.hpp"

namespace attncert::verifiers {

Outcome run_line(const Theorem& t, const std::string& line, const CommonOptions& base) {
  CLI::App app{t.summary, "verify " + t.id};
  CommonOptions opt = base;
  std::string seed_text = std::to_string(base.seed);
  add_common_options(app, opt, seed_text);
  Runner run = t.setup(app);
  try {
    app.parse(line, false);
  } catch (const CLI::ParseError& e) {  // a suite line is ours: a bad one is a bug, not bad input
    throw std::logic_error("suite line '" + t.id + " " + line + "': " + e.what());
  }
  reject_empty_values(app);
  opt.seed = parse_seed(seed_text);
  return run(opt);
}

std::vector<Outcome> run_suite(const std::string& name, const std::string& cert_dir, const CommonOptions& opt) {
  std::vector<std::pair<const Theorem*, std::string>> entries;
  for (const Theorem* t : theorems())
    if (auto it = t->suites.find(name); it != t->suites.end())
      for (const auto& line : it->second) entries.emplace_back(t, line);
  if (entries.empty()) {
    std::string known;
    for (const auto& s : suite_names()) known += (known.empty() ? "" : ", ") + s;
    throw BadInput("--suite: unknown suite '" + name + "' (known: " + known + ")");
  }
  if (!cert_dir.empty()) {
    try {
      make_directories(cert_dir);
    } catch (const FileError& e) {
      throw BadInput(std::string("--cert-dir: ") + e.what());
    }
  }
  CommonOptions quiet = opt;
  quiet.quiet = true;
  quiet.json = false;
  quiet.cert.clear();
  quiet.junit.clear();
  std::vector<Outcome> out;
  const bool show = !opt.quiet && !opt.json && isatty(2);
  for (std::size_t k = 0; k < entries.size(); ++k) {
    if (show) std::fprintf(stderr, "\r\033[Ksuite %s: entry %zu/%zu", name.c_str(), k + 1, entries.size());
    out.push_back(run_line(*entries[k].first, entries[k].second, quiet));
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
    if (o.status == bad_input || o.status == internal_error) return o.status;
    if (o.status == refuted) worst = refuted;
    else if (o.status == inconclusive && worst == certified) worst = inconclusive;
  }
  return worst;
}

}  // namespace attncert::verifiers
