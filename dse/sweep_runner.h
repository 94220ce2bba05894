// Running a sweep: a sweep directory holds sweep.json (the effective config, its hash and the point
// list) and points/<id>.json (one result per finished point, written atomically). Points run in
// worker processes (SystemC cannot run two simulations in one process), so a killed sweep resumes
// where it stopped and never recomputes or loses a finished point.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "dse/sweep_config.h"

namespace wrpn {

struct SweepPaths {
  std::string dir;
  std::string sweep_json() const { return dir + "/sweep.json"; }
  std::string point_json(const std::string& id) const { return dir + "/points/" + id + ".json"; }
};

/// Takes the sweep directory's lock (DIR/.wrpn-sweep.lock, created with the directory), held until
/// the returned object is destroyed or the process dies: two sweeps never run on one directory at
/// once. DSE023 naming the holder's pid when another process holds it.
FileLock lock_sweep_directory(const SweepPaths& paths);

/// Creates or reopens a sweep directory for `config`. A directory made for a different config is
/// refused (DSE002), never overwritten.
void prepare_sweep_directory(const SweepConfig& config, const SweepPaths& paths);

/// Ids of the points without a result file yet; with include_failed, also those whose result is
/// "failed" (to run them again once the cause is fixed).
std::vector<std::string> pending_points(const SweepConfig& config, const SweepPaths& paths,
                                        bool include_failed = false);

struct SweepRunOptions {
  int workers = 1;
  std::string executable;  ///< the `wrpn` binary the workers run (`wrpn sweep-point DIR ID`)
  bool quiet = false;
  bool retry_failed = false;  ///< run points with a failed result again (their old result is replaced)
};

struct SweepRunSummary {
  size_t total = 0, already_done = 0, ran = 0, failed = 0;
  bool interrupted = false;
  double elapsed_s = 0.0;
};

/// Runs every pending point with up to `workers` worker processes, showing progress. A worker that
/// dies without writing its result gets a failed result naming the signal or exit code. SIGINT and
/// SIGTERM interrupt the sweep: the workers (each in a process group of its own, with everything it
/// started) get SIGTERM, their points stay pending, and `interrupted` is set. Workers also die with
/// this process if it is killed outright (parent-death signal).
SweepRunSummary run_sweep_points(const SweepConfig& config, const SweepPaths& paths, const SweepRunOptions& options);

/// Writes a point's result atomically (status "ok" with metrics, or "failed" with a reason).
void write_point_result(const SweepPaths& paths, const std::string& id, const nlohmann::json& result);

/// All finished results, in the config's point order.
std::vector<nlohmann::json> load_point_results(const SweepConfig& config, const SweepPaths& paths);

}  // namespace wrpn
