#include "dse/sweep_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "common/subprocess.h"

namespace fs = std::filesystem;

namespace wrpn {

namespace {

std::atomic<int> g_interrupted{0};
void on_interrupt(int sig) { g_interrupted = sig; }

std::string config_hash(const SweepConfig& c) { return sha256_hex(c.to_json().dump()); }

constexpr const char* kLockFile = ".wrpn-sweep.lock";

bool is_failed_result(const std::string& file) {
  try {
    return nlohmann::json::parse(read_file(file)).value("status", "") != "ok";
  } catch (const std::exception&) {
    return true;
  }
}

}  // namespace

FileLock lock_sweep_directory(const SweepPaths& paths) {
  std::error_code ec;
  fs::create_directories(paths.dir, ec);
  if (ec) fail("IO004", paths.dir, "", "cannot create sweep directory: " + ec.message());
  FileLock lock(fs::path(paths.dir) / kLockFile, /*wait=*/false);
  if (!lock.locked()) {
    const std::string holder = lock.holder();
    fail("DSE023", paths.dir, "",
         "another `wrpn sweep` is running on this directory" + (holder.empty() ? "" : " (" + holder + ")"),
         "wait for it to finish (its finished points are kept), or use another --out");
  }
  lock.set_holder("pid " + std::to_string(::getpid()));
  return lock;
}

void prepare_sweep_directory(const SweepConfig& config, const SweepPaths& paths) {
  const std::string hash = config_hash(config);
  if (fs::exists(paths.sweep_json())) {
    nlohmann::json old;
    try {
      old = nlohmann::json::parse(read_file(paths.sweep_json()));
    } catch (const nlohmann::json::exception&) {
      fail("DSE002", paths.sweep_json(), "", "sweep directory has a corrupt sweep.json", "use a new --out directory");
    }
    if (old.value("config_sha256", "") != hash)
      fail("DSE002", paths.dir, "",
           "directory holds results of a different sweep config (" +
               old.value("/config/name"_json_pointer, std::string("?")) + ")",
           "use a new --out directory; results are never overwritten");
    return;
  }
  bool empty = true;
  if (fs::is_directory(paths.dir))
    for (const auto& e : fs::directory_iterator(paths.dir))
      if (e.path().filename() != kLockFile) empty = false;
  if (fs::exists(paths.dir) && !empty)
    fail("DSE002", paths.dir, "", "directory exists and is not a sweep directory",
         "use a new or empty --out directory");
  check_writable_directory(paths.dir);
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : config.points()) points.push_back(p.to_json());
  write_file_atomic(
      paths.sweep_json(),
      nlohmann::json{{"config", config.to_json()}, {"config_sha256", hash}, {"points", points}}.dump(1) + "\n");
  fs::create_directories(paths.dir + "/points");
}

std::vector<std::string> pending_points(const SweepConfig& config, const SweepPaths& paths, bool include_failed) {
  std::vector<std::string> out;
  for (const auto& p : config.points()) {
    const std::string f = paths.point_json(p.id());
    if (!fs::exists(f) || (include_failed && is_failed_result(f))) out.push_back(p.id());
  }
  return out;
}

void write_point_result(const SweepPaths& paths, const std::string& id, const nlohmann::json& result) {
  write_file_atomic(paths.point_json(id), result.dump(1) + "\n");
}

std::vector<nlohmann::json> load_point_results(const SweepConfig& config, const SweepPaths& paths) {
  std::vector<nlohmann::json> out;
  for (const auto& p : config.points()) {
    const std::string f = paths.point_json(p.id());
    if (!fs::exists(f)) continue;
    try {
      out.push_back(nlohmann::json::parse(read_file(f)));
    } catch (const nlohmann::json::exception& e) {
      fail("DSE003", f, "", std::string("corrupt point result: ") + e.what(), "delete the file to recompute the point");
    }
  }
  return out;
}

namespace {

/// Starts `wrpn sweep-point DIR ID` in a process group of its own. A failed result being retried
/// goes first, so a worker that dies is noticed (no result file).
pid_t start_worker(const SweepRunOptions& opt, const SweepPaths& paths, const std::string& id) {
  if (opt.retry_failed && fs::exists(paths.point_json(id))) fs::remove(paths.point_json(id));
  try {
    return spawn_process({opt.executable, "sweep-point", paths.dir, id}, /*new_process_group=*/true);
  } catch (const DiagnosticError& e) {
    fail("DSE004", opt.executable, "", "cannot start worker: " + e.diagnostic().message);
  }
}

/// Accounts a worker that ended with `status`: a worker that left no result has one written for it
/// (unless the sweep was interrupted: the point stays pending). Returns whether the point finished.
bool account_worker(const SweepPaths& paths, const std::string& id, int status, SweepRunSummary& s) {
  const bool wrote = fs::exists(paths.point_json(id));
  if (!wrote && g_interrupted) return false;  // interrupted before its result: still pending
  if (!wrote) {
    const std::string reason = WIFSIGNALED(status) ? "worker killed by signal " + std::to_string(WTERMSIG(status))
                                                   : "worker exited with code " + std::to_string(WEXITSTATUS(status)) +
                                                         " without writing a result";
    write_point_result(paths, id, {{"id", id}, {"status", "failed"}, {"reason", reason}});
  }
  ++s.ran;
  if (is_failed_result(paths.point_json(id))) ++s.failed;
  return true;
}

}  // namespace

SweepRunSummary run_sweep_points(const SweepConfig& config, const SweepPaths& paths, const SweepRunOptions& opt) {
  SweepRunSummary s;
  const auto all = config.points();
  s.total = all.size();
  std::vector<std::string> todo = pending_points(config, paths, opt.retry_failed);
  s.already_done = s.total - todo.size();
  // Baselines first: every other point's efficiency is relative to them.
  std::stable_partition(todo.begin(), todo.end(), [](const std::string& id) { return id.rfind("fp32-", 0) == 0; });

  // SIGTERM (timeout, systemd, a scheduler) is an interruption like Ctrl-C: finished points are kept.
  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  g_interrupted = 0;

  ProgressBar bar("sweep", static_cast<int64_t>(todo.size()), "points", 5.0);
  std::map<pid_t, std::string> running;
  size_t next = 0, finished = 0;
  bool forwarded = false;
  const auto start = std::chrono::steady_clock::now();
  while ((next < todo.size() && !g_interrupted) || !running.empty()) {
    while (!g_interrupted && next < todo.size() && static_cast<int>(running.size()) < std::max(1, opt.workers)) {
      const std::string& id = todo[next++];
      const pid_t pid = start_worker(opt, paths, id);
      running[pid] = id;
    }
    if (g_interrupted && !forwarded) {
      // Each worker leads its own process group: this reaches the trainer or tracer it started too.
      for (const auto& [pid, id] : running) kill(-pid, SIGTERM);
      forwarded = true;
    }
    if (running.empty()) break;
    // Polled, so a signal that arrives just before the wait is still acted on within 50 ms.
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::string id = it->second;
    running.erase(it);
    if (account_worker(paths, id, status, s)) ++finished;
    if (!opt.quiet) bar.update(static_cast<int64_t>(finished), std::to_string(s.failed) + " failed");
  }
  s.interrupted = g_interrupted != 0;
  if (!opt.quiet) {
    if (s.interrupted)
      bar.stop(std::to_string(s.failed) + " failed, interrupted");
    else
      bar.finish(std::to_string(s.failed) + " failed");
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  s.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

}  // namespace wrpn
