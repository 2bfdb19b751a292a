// The time limit for a Z3 check, enforced from a second thread with Z3_interrupt (thread-safe).
// Z3's own "timeout" parameter runs a thread-pool scoped_timer that can deadlock in Z3
// 4.8.10-4.8.x (Z3Prover/z3 PR #5371, issue #5990; Debian ships 4.8.12), seen here as a hung test
// under load. Past the limit the interrupt is repeated every 10 ms until the check returns: Z3
// clears a pending interrupt when a check starts, so one that lands before check() begins would be
// lost. The interrupted check answers unknown ("canceled"): inconclusive, never proved.
// Include only from .cpp files that already use Z3 (it pulls in z3++.h).
#pragma once
#include <z3++.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace attncert::core {

class Z3Watchdog {
 public:
  Z3Watchdog(z3::context& ctx, unsigned ms)
      : thread_([this, &ctx, ms] {
          std::unique_lock<std::mutex> lock(m_);
          if (cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return done_; })) return;
          do ctx.interrupt();
          while (!cv_.wait_for(lock, std::chrono::milliseconds(10), [this] { return done_; }));
        }) {}
  ~Z3Watchdog() {
    {
      std::lock_guard<std::mutex> lock(m_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Z3Watchdog(const Z3Watchdog&) = delete;
  Z3Watchdog& operator=(const Z3Watchdog&) = delete;

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace attncert::core
