// attncert-check: the checker alone, built only from this folder (the trusted base).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "attncert/checker/checker.hpp"

namespace {
const char* kUsage =
    "usage: attncert-check [-q] [--max-pairs N] [--threads N] [--smt-timeout-ms N] CERTIFICATE.json...\n"
    "  --max-pairs N       refuse certificates needing more than N key pairs recomputed, counted per\n                      256 coordinates (default 2^31)\n"
    "  --threads N         OpenMP threads for the recomputation (default 0: all cores)\n"
    "  --smt-timeout-ms N  cvc5 time limit per lemma (default 20000)\n"
    "exit 0 all accepted, 1 some rejected, 2 some unreadable/malformed, 3 some inconclusive";

// A decimal integer in [lo, hi]: digits only, no sign, no leading zero, nothing after it.
bool parse_count(const char* s, std::uint64_t lo, std::uint64_t hi, std::uint64_t& out) {
  if (!*s || (s[0] == '0' && s[1])) return false;
  std::uint64_t v = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9' || v > (UINT64_MAX - static_cast<std::uint64_t>(*s - '0')) / 10) return false;
    v = v * 10 + static_cast<std::uint64_t>(*s - '0');
  }
  if (v < lo || v > hi) return false;
  out = v;
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (!std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help"))) {
    std::puts(kUsage);
    return 0;
  }
  attncert::checker::CheckOptions opt;
  std::vector<std::string> files;
  bool quiet = false;
  struct Numeric {
    const char* name;
    std::uint64_t lo, hi;
    const char* range;
  };
  const Numeric numeric[] = {{"--max-pairs", 1, UINT64_MAX, "a positive integer"},
                             {"--threads", 0, 1024, "an integer in [0, 1024]"},
                             {"--smt-timeout-ms", 1, UINT32_MAX, "an integer in [1, 4294967295]"}};
  for (int i = 1; i < argc; ++i) {
    const Numeric* num = nullptr;
    for (const auto& n : numeric)
      if (!std::strcmp(argv[i], n.name)) num = &n;
    if (!std::strcmp(argv[i], "-q") || !std::strcmp(argv[i], "--quiet")) {
      quiet = true;
    } else if (num) {
      std::uint64_t v = 0;
      if (i + 1 >= argc || !parse_count(argv[i + 1], num->lo, num->hi, v)) {
        std::fprintf(stderr, "attncert-check: error: %s needs %s, got '%s'\n", num->name, num->range,
                     i + 1 < argc ? argv[i + 1] : "");
        return 2;
      }
      ++i;
      if (num == &numeric[0]) opt.max_pairs = v;
      else if (num == &numeric[1]) opt.threads = static_cast<int>(v);
      else opt.smt_timeout_ms = static_cast<unsigned>(v);
    } else {
      files.push_back(argv[i]);  // anything else is a file name (so is --help beside other arguments)
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "attncert-check: error: no certificate files given\n");
    return 2;
  }
  return attncert::checker::check_files_main(files, quiet, opt);
}
