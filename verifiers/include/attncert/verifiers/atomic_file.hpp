// Files are written to a temporary name beside the target and renamed into place, so a reader
// never sees a half-written file. install_interrupt_cleanup() makes SIGINT/SIGTERM remove any
// temporary file still being written before the process exits (status 130 / 143).
#pragma once
#include <string>

#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

// Writes `content` to `path` atomically. Throws FileError naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& content);

// Reads a whole file; throws FileError naming the path if it cannot be read.
std::string read_file(const std::string& path);

void install_interrupt_cleanup();

// mkdir -p: creates `dir` and its missing parents. Throws FileError naming the first
// directory that cannot be created.
void make_directories(const std::string& dir);

// While alive, SIGINT/SIGTERM also remove `path` (a temporary file another program is writing,
// e.g. gnuplot's output before it is renamed into place). One guard at a time.
class InterruptCleanup {
 public:
  explicit InterruptCleanup(const std::string& path);
  ~InterruptCleanup();
  InterruptCleanup(const InterruptCleanup&) = delete;
  InterruptCleanup& operator=(const InterruptCleanup&) = delete;
};

}  // namespace attncert::verifiers
