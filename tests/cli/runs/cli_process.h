// Running the real `wrpn` binary from a test: synchronously with its exit code and output, or in the
// background to signal it, and finding every process that still works on a test's directory.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace wrpn::cli {

namespace fs = std::filesystem;

/// The binary under test: the build's (set by tests/cli/runs/CMakeLists.txt), or $WRPN_CLI_BINARY
/// to check another build (e.g. an older one, to see a case fail).
inline const std::string kWrpn = std::getenv("WRPN_CLI_BINARY") ? std::getenv("WRPN_CLI_BINARY") : WRPN_BINARY;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A fresh, empty directory for one test case under the build tree.
inline fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::absolute(fs::path("cli-runs") / name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

/// A `wrpn` process started in the background; stdout and stderr go to files beside `log_stem`.
class Child {
 public:
  /// own_group: the child leads a new process group, as a shell starts a foreground job.
  Child(const std::vector<std::string>& args, const fs::path& log_stem, const fs::path& cwd = {},
        bool own_group = false)
      : out_(log_stem.string() + ".out"), err_(log_stem.string() + ".err") {
    std::vector<std::string> argv_s{kWrpn};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out = out_.string(), err = err_.string(), dir = cwd.string();
    std::fflush(nullptr);  // the child's freopen would print our pending output a second time
    pid_ = fork();
    if (pid_ == 0) {
      if (own_group) setpgid(0, 0);
      if (!dir.empty() && chdir(dir.c_str()) != 0) _exit(126);
      if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
      execv(argv[0], argv.data());
      _exit(127);
    }
    if (own_group) setpgid(pid_, pid_);
  }
  ~Child() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  /// Exit code (128 + signal when killed by one); waits.
  int wait() {
    if (status_ >= 0) return status_;
    int st = 0;
    while (waitpid(pid_, &st, 0) < 0) {
    }
    status_ = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    return status_;
  }
  /// Exit code, or -1 when the process is still running after `seconds`.
  int wait_for(double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (status_ < 0) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
        break;
      }
      if (std::chrono::steady_clock::now() >= end) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return status_;
  }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

 private:
  fs::path out_, err_;
  pid_t pid_ = -1;
  int status_ = -1;
};

struct Result {
  int code;
  std::string out, err;
};

/// Runs `wrpn args...` to completion.
inline Result run(const std::vector<std::string>& args, const fs::path& log_stem, const fs::path& cwd = {}) {
  Child c(args, log_stem, cwd);
  const int code = c.wait();
  return {code, c.out(), c.err()};
}

/// Pids of live (not zombie) processes other than this one whose command line mentions `needle`.
inline std::vector<pid_t> processes_mentioning(const std::string& needle) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == getpid()) continue;
    std::string cmd = slurp(e.path() / "cmdline");
    for (auto& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(needle) != std::string::npos) out.push_back(pid);
  }
  return out;
}

/// Waits until `pred` holds or `seconds` pass; returns whether it held.
template <class Pred>
bool eventually(Pred pred, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

/// Kills whatever processes still mention `needle` (leftovers of a failed case, so the next one runs clean).
inline void kill_all_mentioning(const std::string& needle) {
  for (pid_t p : processes_mentioning(needle)) kill(p, SIGKILL);
}

inline void write_text(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

}  // namespace wrpn::cli
