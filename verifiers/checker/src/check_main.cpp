// attncert-check: the checker alone, built only from this folder (the trusted base).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "attncert/checker/checker.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> files;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-q") || !std::strcmp(argv[i], "--quiet")) quiet = true;
    else if (argc == 2 && (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help"))) {
      std::puts("usage: attncert-check [-q] CERTIFICATE.json...\nexit 0 all accepted, 1 some rejected, 2 unreadable/malformed");
      return 0;
    } else files.push_back(argv[i]);
  }
  if (files.empty()) {
    std::fprintf(stderr, "attncert-check: error: no certificate files given\n");
    return 2;
  }
  return attncert::checker::check_files_main(files, quiet);
}
