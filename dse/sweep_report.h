// Collecting a sweep: results.csv (one row per point, unit-suffixed columns), pareto.csv (the
// non-dominated points over accuracy, energy and latency), plots and report.md.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dse/sweep_config.h"
#include "dse/sweep_runner.h"

namespace wrpn {

struct SweepCollection {
  size_t ok = 0, failed = 0, pending = 0;
  size_t pareto = 0;
  std::vector<std::string> plot_warnings;
};

/// Reads every point result, adds efficiency versus each point's FP32 width-1 baseline, marks the
/// Pareto front and writes results.csv, pareto.csv, plots/*.png and report.md into the sweep
/// directory (each file atomically). Pending points are listed as such.
SweepCollection collect_sweep(const SweepConfig& config, const SweepPaths& paths);

}  // namespace wrpn
