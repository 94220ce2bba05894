// Evaluating one design point: the network at the point's width and precision, counted on the
// point's arch (SystemC timing-only simulation, or the analytic model), priced on its tech table,
// with the arch's area. Runs inside a `wrpn sweep-point` worker process: SystemC allows one
// simulation per process.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dse/sweep_config.h"

namespace wrpn {

/// Loads what every point reads besides the config itself (the network or topology CSV, each tech
/// table, the synthesis results; with accuracy "train", the trainer's model at every point's width
/// and precision), so a sweep refuses bad inputs before its first point starts rather
/// than failing every point. The diagnostic names the sweep config's field and the input's own error.
void check_point_inputs(const SweepConfig& config);

/// Test accuracy of the point's network trained with the sweep's schedule (`wrpn train` in a child
/// process), cached under config.train_cache by a hash of the full training configuration: a
/// finished run is reused, a killed one resumed. DSE006 if training fails.
struct TrainedAccuracy {
  double accuracy_pct = 0;
  std::string run_dir;
  bool cached = false;
};
TrainedAccuracy trained_accuracy(const SweepConfig& config, const DesignPoint& point);

/// The point's result: {"id", "status": "ok", "point", "macs", "cycles", "latency_ms", "energy_pj":
/// {"total", <component>...}, "area_mm2", "pe_area_um2", "counts_source", "accuracy_pct" (when
/// trained), "elapsed_s"}. An impossible point (does not fit the buffers, bits the PE cannot run)
/// gives {"status": "failed", "reason": <the diagnostic>} instead of throwing.
nlohmann::json evaluate_point(const SweepConfig& config, const DesignPoint& point);

}  // namespace wrpn
