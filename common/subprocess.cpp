#include "common/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/diagnostics.h"

namespace wrpn {

namespace {

/// argv[0] as execv wants it: itself when it names a path, else the first executable of that name in PATH.
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    const size_t end = dirs.find(':', start);
    std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {};
}

}  // namespace

pid_t spawn_process(const std::vector<std::string>& args, bool new_process_group, int output_fd) {
  if (args.empty()) fail("IO005", "", "", "no program to run");
  const std::string program = resolve_program(args[0]);
  if (program.empty()) fail("IO005", args[0], "", std::string("cannot start: ") + std::strerror(ENOENT));
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  // exec failures come back through a close-on-exec pipe: it reads EOF when exec succeeded.
  int err_pipe[2] = {-1, -1};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    fail("IO005", args[0], "", std::string("pipe failed: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    fail("IO005", args[0], "", std::string("cannot start: ") + std::strerror(e));
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(137);  // the parent died before prctl took effect
    if (new_process_group) ::setpgid(0, 0);
    if (output_fd >= 0) {
      ::dup2(output_fd, STDOUT_FILENO);
      ::dup2(output_fd, STDERR_FILENO);
      if (output_fd != STDOUT_FILENO && output_fd != STDERR_FILENO) ::close(output_fd);
    }
    ::execv(program.c_str(), argv.data());
    const int e = errno;
    ssize_t ignored = ::write(err_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  // Set from both sides, so the group exists before anyone signals it.
  if (new_process_group) ::setpgid(pid, pid);
  ::close(err_pipe[1]);
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(err_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    fail("IO005", args[0], "", std::string("cannot start: ") + std::strerror(child_errno));
  }
  return pid;
}

ProcessResult run_process(const std::vector<std::string>& args, bool capture) {
  if (args.empty()) fail("IO005", "", "", "no program to run");
  int pipe_fds[2] = {-1, -1};
  if (capture && ::pipe2(pipe_fds, O_CLOEXEC) != 0)
    fail("IO005", args[0], "", std::string("pipe failed: ") + std::strerror(errno));
  pid_t pid = 0;
  try {
    pid = spawn_process(args, false, capture ? pipe_fds[1] : -1);
  } catch (...) {
    if (capture) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
    }
    throw;
  }
  ProcessResult r;
  if (capture) {
    ::close(pipe_fds[1]);
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
      if (n > 0) {
        r.output.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    ::close(pipe_fds[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail("IO005", args[0], "", std::string("waitpid failed: ") + std::strerror(errno));
  }
  if (WIFSIGNALED(status)) {
    r.signaled = true;
    r.exit_code = 128 + WTERMSIG(status);
  } else {
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

std::string self_executable() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("wrpn") : p.string();
}

}  // namespace wrpn
