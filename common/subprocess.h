// Running a child process (the `wrpn` binary itself, gnuplot, yosys) and waiting for it. Used where
// one process cannot do the work itself: SystemC allows one simulation per process, so multi-run jobs
// (`wrpn demo`, sweeps) run each simulation in a child.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace wrpn {

struct ProcessResult {
  int exit_code = 0;  ///< the child's exit status, or 128 + signal when it was killed
  bool signaled = false;
  std::string output;  ///< stdout and stderr, when captured
};

/// Runs argv[0] (looked up in PATH when it has no '/') with the given arguments and waits.
/// capture = false: the child shares our stdout/stderr. capture = true: both are collected into
/// `output` (and not shown). Throws DiagnosticError(IO005) when the program cannot be started.
/// The child is killed (SIGKILL) if this process dies first, so no work outlives the command that
/// asked for it.
ProcessResult run_process(const std::vector<std::string>& argv, bool capture = false);

/// Starts argv[0] (looked up in PATH when it has no '/') without waiting; returns its pid (reap it
/// with waitpid). The child is killed (SIGKILL, PR_SET_PDEATHSIG) when this process dies, even by
/// SIGKILL. new_process_group: the child leads a process group of its own, so kill(-pid, sig)
/// reaches it and everything it starts. output_fd >= 0 becomes the child's stdout and stderr.
/// Throws DiagnosticError(IO005) when the program cannot be started.
pid_t spawn_process(const std::vector<std::string>& argv, bool new_process_group = false, int output_fd = -1);

/// This process's executable (/proc/self/exe), for re-invoking `wrpn` subcommands.
std::string self_executable();

}  // namespace wrpn
