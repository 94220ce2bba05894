// State shared by the modules of one simulation: the plans, the workload's tensors (functional
// mode), per-layer statistics and the first error. Plain data; each module keeps a reference.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include <systemc>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "mapping/plan.h"
#include "mapping/tile_engine.h"
#include "workloads/trace.h"

namespace wrpn::sim {

// The simulator executes mapping/'s plans on mapping/'s tile engine.
using mapping::BinaryTile;
using mapping::closed_form_ideal_cycles;
using mapping::Fp32Tile;
using mapping::IntTile;
using mapping::kBinaryLanes;
using mapping::LayerMapping;
using mapping::LayerPlan;
using mapping::passes_for;
using mapping::plan_layers;
using mapping::Step;
using mapping::step_tile;
using mapping::tile_cycles;
using mapping::TileShape;
using mapping::TileStats;

/// Stall cycles of the array by cause. compute + total() = cycles of a layer.
struct StallCycles {
  uint64_t dram_weights = 0;  ///< waiting for weights to arrive from DRAM
  uint64_t dram_inputs = 0;   ///< waiting for inputs to arrive from DRAM
  uint64_t dram_outputs = 0;  ///< waiting for outputs to leave (output buffer full, end of layer)
  uint64_t buffer_ports = 0;  ///< buffer banks/ports cannot deliver the operands the array needs
  uint64_t total() const { return dram_weights + dram_inputs + dram_outputs + buffer_ports; }
};

struct LayerResult {
  std::string name, op;
  uint64_t cycles = 0;          ///< layer start to last output stored
  uint64_t compute_cycles = 0;  ///< array (or post-processing unit) busy computing
  StallCycles stalls;
  double utilization = 0;  ///< useful PE-cycles / (rows * cols * cycles)
  uint64_t steps = 0;      ///< tiles (or post-processing chunks)
  int64_t tm = 0, tn = 0, tl = 0;
  std::string loop_order;
  int passes = 1;
  bool weights_resident = false, inputs_resident = false;
  ActionCounts counts;  ///< source "systemc"
  uint64_t outputs_checked = 0, mismatches = 0;
};

/// Thrown (after the kernel has stopped) when the model finds itself inconsistent: a bug, exit 4.
class SimInternalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SimContext {
  ArchConfig arch;
  std::vector<LayerPlan> plans;
  const Trace* trace = nullptr;                ///< functional mode when set (layer i of the plans = trace layer i)
  sc_core::sc_time period{1, sc_core::SC_NS};  ///< one clock cycle of simulated time
  std::vector<LayerResult> results;
  std::string first_mismatch;
  uint64_t mismatches = 0;
  std::exception_ptr error;  ///< first error raised inside a process

  bool functional() const { return trace != nullptr; }
  uint64_t now_cycles() const { return static_cast<uint64_t>(sc_core::sc_time_stamp().value() / period.value()); }
  /// Records an error from inside a process and stops the kernel; simulate() rethrows it.
  void raise(std::exception_ptr e) {
    if (!error) error = e;
    sc_core::sc_stop();
  }
  /// Internal inconsistency: names the module and cycle, never lets totals be printed.
  void internal_error(const std::string& module, const std::string& what) {
    raise(std::make_exception_ptr(SimInternalError("internal inconsistency in " + module + " at cycle " +
                                                   std::to_string(now_cycles()) + ": " + what)));
  }
  void wait_cycles(uint64_t n) const {
    if (n > 0) sc_core::wait(sc_core::sc_time::from_value(period.value() * n));
  }
};

}  // namespace wrpn::sim
