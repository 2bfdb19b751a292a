#include "attncert/core/cvc5.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace attncert::core {

ExternalVerdict run_cvc5(const std::string& smtlib2, unsigned timeout_ms) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  ExternalVerdict v{"unknown", 0};
  auto done = [&] {
    v.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    return v;
  };
  const char* env = std::getenv("ATTNCERT_CVC5");
  const std::string prog = env && *env ? env : "cvc5";

  char path[] = "/tmp/attncert-lemma-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return done();
  bool written = ::write(fd, smtlib2.data(), smtlib2.size()) == static_cast<ssize_t>(smtlib2.size());
  ::close(fd);
  int out[2];
  if (!written || pipe(out) != 0) {
    ::unlink(path);
    return done();
  }
  const std::string tlimit = "--tlimit=" + std::to_string(timeout_ms);
  pid_t pid = fork();
  if (pid == 0) {  // child: stdout to the pipe, stderr discarded
    int null = ::open("/dev/null", O_WRONLY);
    dup2(out[1], 1);
    if (null >= 0) dup2(null, 2);
    ::close(out[0]);
    const char* argv[] = {prog.c_str(), "--lang=smt2", tlimit.c_str(), path, nullptr};
    execvp(argv[0], const_cast<char* const*>(argv));
    _exit(127);
  }
  ::close(out[1]);
  std::string text;
  if (pid > 0) {
    // Read until EOF or the wall-clock limit (cvc5's own limit plus 5 s), then reap.
    const auto deadline = t0 + std::chrono::milliseconds(timeout_ms + 5000);
    char buf[256];
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) {
        kill(pid, SIGKILL);
        break;
      }
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && text.empty()) v.answer = "unavailable";
  }
  ::close(out[0]);
  ::unlink(path);
  std::string first = text.substr(0, text.find('\n'));
  if (first == "unsat" || first == "sat") v.answer = first;
  return done();
}

}  // namespace attncert::core
