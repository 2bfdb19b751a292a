#include "attncert/verifiers/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace attncert::verifiers {

Progress::Progress(std::string label, std::string unit, bool enabled)
    : label_(std::move(label)), unit_(std::move(unit)), enabled_(enabled), tty_(isatty(2) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_) finish();
}

void Progress::update(std::size_t done, std::size_t total) {
  done_ = done;
  total_ = total;
  if (!enabled_ || total == 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::milliseconds(500)) return;  // short runs stay quiet
  drawn_ = true;
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
    last_draw_ = now;
    draw(false);
  } else {
    int decile = static_cast<int>(10 * done / total);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    draw(false);
  }
}

void Progress::draw(bool final_line) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double frac = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
  double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  char bar[31];
  int fill = static_cast<int>(30 * frac);
  for (int i = 0; i < 30; ++i) bar[i] = i < fill ? '#' : '.';
  bar[30] = 0;
  std::fprintf(stderr, "%s%s [%s] %5.1f%% %.3g %s/s %s %.1fs%s", tty_ ? "\r" : "", label_.c_str(), bar,
               100 * frac, rate, unit_.c_str(), final_line ? "took" : "ETA", final_line ? secs : eta,
               tty_ && !final_line ? "" : "\n");
  std::fflush(stderr);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_ && drawn_ && total_ > 0) {
    done_ = total_;
    draw(true);
  }
}

}  // namespace attncert::verifiers
