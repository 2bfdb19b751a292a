#include "attncert/verifiers/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace attncert::verifiers {

namespace {
// The temporary file being written right now (at most one at a time), for the signal handler.
char g_tmp_path[4096];
std::atomic<bool> g_tmp_active{false};

extern "C" void on_interrupt(int sig) {
  if (g_tmp_active.load()) unlink(g_tmp_path);
  _exit(128 + sig);
}
}  // namespace

void install_interrupt_cleanup() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

InterruptCleanup::InterruptCleanup(const std::string& path) {
  if (path.size() >= sizeof g_tmp_path) throw FileError(path + ": path too long");
  std::memcpy(g_tmp_path, path.c_str(), path.size() + 1);
  g_tmp_active.store(true);
}

InterruptCleanup::~InterruptCleanup() { g_tmp_active.store(false); }

void write_file_atomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  InterruptCleanup guard(tmp);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    throw FileError(path + ": cannot write (" + std::strerror(errno) + ")");
  }
  const char* p = content.data();
  std::size_t left = content.size();
  bool ok = true;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  int err = ok ? 0 : errno;
  if (ok && fsync(fd) != 0) ok = false, err = errno;
  if (close(fd) != 0 && ok) ok = false, err = errno;
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) ok = false, err = errno;
  if (!ok) unlink(tmp.c_str());
  if (!ok) throw FileError(path + ": cannot write (" + std::strerror(err) + ")");
}

void make_directories(const std::string& dir) {
  std::string cur;
  std::size_t pos = 0;
  while (pos <= dir.size()) {
    std::size_t next = dir.find('/', pos);
    if (next == std::string::npos) next = dir.size();
    cur = dir.substr(0, next);
    pos = next + 1;
    if (cur.empty()) continue;  // leading '/'
    struct stat st;
    if (stat(cur.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) throw FileError("'" + cur + "' exists and is not a directory");
    } else if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
      throw FileError("cannot create directory '" + cur + "' (" + std::strerror(errno) + ")");
    }
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": cannot read (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw FileError(path + ": read error");
  return ss.str();
}

}  // namespace attncert::verifiers
