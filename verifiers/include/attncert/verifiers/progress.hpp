// A progress bar with rate and ETA on stderr, shown once a run has taken 0.5 s. On a terminal it redraws one line (at most 10 times
// a second); otherwise it prints a line at every 10% so logs stay readable.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace attncert::verifiers {

class Progress {
 public:
  Progress(std::string label, std::string unit, bool enabled);
  ~Progress();
  void update(std::size_t done, std::size_t total);
  void finish();

 private:
  std::string label_, unit_;
  bool enabled_, tty_, finished_ = false, drawn_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::size_t done_ = 0, total_ = 0;
  void draw(bool final_line);
};

}  // namespace attncert::verifiers
