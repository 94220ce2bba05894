#include "common/plot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/atomic_file.h"

namespace wrpn {

std::string gnuplot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

bool run_gnuplot(const std::string& script, const std::string& workdir, std::string* error) {
  // The script goes to a file so gnuplot's own error messages can name a line.
  const std::string script_path = workdir + "/.plot.gp";
  try {
    write_file_atomic(script_path, script);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
  // The child's freopen flushes its copy of our stdio buffers: empty them first, or pending output
  // would be printed twice.
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    if (error) *error = std::string("fork failed: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    if (chdir(workdir.c_str()) != 0) _exit(126);
    // gnuplot's warnings go nowhere; failures are reported by exit status.
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen(".plot.log", "w", stderr)) _exit(126);
    execlp("gnuplot", "gnuplot", ".plot.gp", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string log;
  try {
    log = read_file(workdir + "/.plot.log");
  } catch (const std::exception&) {
  }
  std::remove((workdir + "/.plot.log").c_str());
  std::remove(script_path.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (error) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      *error = "gnuplot not found (install gnuplot-nox)";
    else
      *error = "gnuplot failed: " + log.substr(0, log.find('\n', 200));
  }
  return false;
}

}  // namespace wrpn
