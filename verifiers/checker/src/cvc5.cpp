// cvc5 as a subprocess: posix_spawn (no shell), the script in a private temp file, stdout through a
// pipe, and a wall-clock kill of the whole process group so that no lemma can hang the checker.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "lemmas.hpp"

extern char** environ;

namespace attncert::checker {

namespace {
// The script in a fresh file (mkstemps: mode 0600, a name nobody else holds), removed on scope exit.
struct TempScript {
  std::string path;
  bool written = false;
  explicit TempScript(const std::string& script) {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/attncert-lemma-XXXXXX.smt2";
    int fd = mkstemps(tmpl.data(), 5);
    if (fd < 0) return;
    path = tmpl;
    std::size_t done = 0;
    while (done < script.size()) {
      ssize_t w = write(fd, script.data() + done, script.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += static_cast<std::size_t>(w);
    }
    written = close(fd) == 0 && done == script.size();
  }
  ~TempScript() {
    if (!path.empty()) unlink(path.c_str());
  }
};

}  // namespace

SmtRun run_cvc5(const std::string& script, unsigned timeout_ms) {
  const char* env = std::getenv("ATTNCERT_CVC5");
  const std::string program = env && *env ? env : "cvc5";
  TempScript file(script);
  if (!file.written) return {SmtAnswer::unknown, "cannot write a temporary script file"};
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return {SmtAnswer::unknown, "cannot create a pipe"};

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group: the kill reaches helpers too
  posix_spawnattr_setpgroup(&attr, 0);
  std::string tlimit = "--tlimit=" + std::to_string(timeout_ms);
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>("--lang=smt2"), tlimit.data(),
                  file.path.data(), nullptr};
  pid_t pid = 0;
  // An explicit ATTNCERT_CVC5 is run as given; plain `cvc5` is looked up on PATH.
  int rc = env && *env ? posix_spawn(&pid, program.c_str(), &fa, &attr, argv, environ)
                       : posix_spawnp(&pid, program.c_str(), &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return {SmtAnswer::unavailable, "cannot run " + program + ": " + std::strerror(rc)};
  }

  // Read until EOF, then wait for the exit; past the deadline the whole group is killed.
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms) + std::chrono::seconds(5);
  auto ms_left = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count(); };
  std::string output;
  while (ms_left() > 0) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(ms_left())) <= 0) continue;  // timeout or EINTR: the clock decides
    char buf[4096];
    ssize_t got = read(out[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF (or an error): cvc5 is done writing
    if (output.size() < 65536) output.append(buf, static_cast<std::size_t>(got));
  }
  close(out[0]);
  int status = 0;
  pid_t exited = 0;
  while ((exited = waitpid(pid, &status, WNOHANG)) == 0 && ms_left() > 0) usleep(10000);
  if (exited != pid) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {SmtAnswer::unknown, "killed after " + std::to_string(timeout_ms) + " ms + 5 s"};
  }

  std::string line = output.substr(0, output.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line == "unsat") return {SmtAnswer::unsat, "unsat"};
  if (line == "sat") return {SmtAnswer::sat, "sat"};
  return {SmtAnswer::unknown, line.empty() ? "no answer" : "answered '" + line.substr(0, 80) + "'"};
}

}  // namespace attncert::checker
