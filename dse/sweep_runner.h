// Running a sweep: a sweep directory holds sweep.json (the effective config, its hash and the point
// list) and points/<id>.json (one result per finished point, written atomically). Points run in
// worker processes (SystemC cannot run two simulations in one process), so a killed sweep resumes
// where it stopped and never recomputes or loses a finished point.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dse/sweep_config.h"

namespace wrpn {

struct SweepPaths {
  std::string dir;
  std::string sweep_json() const { return dir + "/sweep.json"; }
  std::string point_json(const std::string& id) const { return dir + "/points/" + id + ".json"; }
};

/// Creates or reopens a sweep directory for `config`. A directory made for a different config is
/// refused (DSE002), never overwritten.
void prepare_sweep_directory(const SweepConfig& config, const SweepPaths& paths);

/// Ids of the points without a result file yet.
std::vector<std::string> pending_points(const SweepConfig& config, const SweepPaths& paths);

struct SweepRunOptions {
  int workers = 1;
  std::string executable;  ///< the `wrpn` binary the workers run (`wrpn sweep-point DIR ID`)
  bool quiet = false;
};

struct SweepRunSummary {
  size_t total = 0, already_done = 0, ran = 0, failed = 0;
  bool interrupted = false;
  double elapsed_s = 0.0;
};

/// Runs every pending point with up to `workers` worker processes, showing progress. A worker that
/// dies without writing its result gets a failed result naming the signal or exit code.
SweepRunSummary run_sweep_points(const SweepConfig& config, const SweepPaths& paths, const SweepRunOptions& options);

/// Writes a point's result atomically (status "ok" with metrics, or "failed" with a reason).
void write_point_result(const SweepPaths& paths, const std::string& id, const nlohmann::json& result);

/// All finished results, in the config's point order.
std::vector<nlohmann::json> load_point_results(const SweepConfig& config, const SweepPaths& paths);

}  // namespace wrpn
