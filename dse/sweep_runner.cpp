#include "dse/sweep_runner.h"

#include <signal.h>
#include <spawn.h>
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

extern char** environ;

namespace fs = std::filesystem;

namespace wrpn {

namespace {

std::atomic<bool> g_interrupted{false};
void on_sigint(int) { g_interrupted = true; }

std::string config_hash(const SweepConfig& c) { return sha256_hex(c.to_json().dump()); }

}  // namespace

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
  if (fs::exists(paths.dir) && !fs::is_empty(paths.dir))
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

std::vector<std::string> pending_points(const SweepConfig& config, const SweepPaths& paths) {
  std::vector<std::string> out;
  for (const auto& p : config.points())
    if (!fs::exists(paths.point_json(p.id()))) out.push_back(p.id());
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

SweepRunSummary run_sweep_points(const SweepConfig& config, const SweepPaths& paths, const SweepRunOptions& opt) {
  SweepRunSummary s;
  const auto all = config.points();
  s.total = all.size();
  std::vector<std::string> todo = pending_points(config, paths);
  s.already_done = s.total - todo.size();
  // Baselines first: every other point's efficiency is relative to them.
  std::stable_partition(todo.begin(), todo.end(), [](const std::string& id) { return id.rfind("fp32-", 0) == 0; });

  struct sigaction sa {
  }, old_sa{};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_sa);
  g_interrupted = false;

  ProgressBar bar("sweep", static_cast<int64_t>(todo.size()), "points", 5.0);
  std::map<pid_t, std::string> running;
  size_t next = 0, finished = 0;
  const auto start = std::chrono::steady_clock::now();
  while ((next < todo.size() && !g_interrupted) || !running.empty()) {
    while (!g_interrupted && next < todo.size() && static_cast<int>(running.size()) < std::max(1, opt.workers)) {
      const std::string& id = todo[next++];
      std::vector<std::string> args{opt.executable, "sweep-point", paths.dir, id};
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      pid_t pid = 0;
      const int rc = posix_spawn(&pid, opt.executable.c_str(), nullptr, nullptr, argv.data(), environ);
      if (rc != 0) fail("DSE004", opt.executable, "", std::string("cannot start worker: ") + std::strerror(rc));
      running[pid] = id;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::string id = it->second;
    running.erase(it);
    ++finished;
    const bool wrote = fs::exists(paths.point_json(id));
    if (!wrote && !g_interrupted) {
      const std::string reason =
          WIFSIGNALED(status)
              ? "worker killed by signal " + std::to_string(WTERMSIG(status))
              : "worker exited with code " + std::to_string(WEXITSTATUS(status)) + " without writing a result";
      write_point_result(paths, id, {{"id", id}, {"status", "failed"}, {"reason", reason}});
    }
    if (wrote || !g_interrupted) {
      ++s.ran;
      try {
        const auto r = nlohmann::json::parse(read_file(paths.point_json(id)));
        if (r.value("status", "") != "ok") ++s.failed;
      } catch (const std::exception&) {
        ++s.failed;
      }
    }
    if (!opt.quiet) bar.update(static_cast<int64_t>(finished), std::to_string(s.failed) + " failed");
  }
  if (!opt.quiet) bar.finish(std::to_string(s.failed) + " failed");
  sigaction(SIGINT, &old_sa, nullptr);
  s.interrupted = g_interrupted;
  s.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

}  // namespace wrpn
