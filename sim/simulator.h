// Public entry points of wrpn::sim: run a workload (trace: functional + timing; network shape:
// timing only) on an arch, run one tile on the MacArray (RTL cross-check), write run directories.
// SystemC cannot restart a simulation in one process: simulate() and run_mac_array_tiles_systemc()
// may be called once per process (a second call throws std::logic_error).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "mapping/tile_engine.h"
#include "sim/sim_context.h"
#include "workloads/network.h"
#include "workloads/trace.h"

namespace wrpn::sim {

struct Workload {
  std::string name;    ///< network name
  std::string source;  ///< trace directory or network name/path, for messages
  std::vector<Layer> layers;
  const Trace* trace = nullptr;  ///< functional mode when set
};
Workload workload_from_trace(const Trace& trace, const std::string& dir);
Workload workload_from_network(const Network& net, const std::string& source);

struct SimOptions {
  std::string vcd_path;  ///< without ".vcd"; empty = no trace (and no free-running clock)
  /// One mapping per workload layer (entries of layers off the array are ignored); empty = the
  /// default mapping (mapping::default_mapping) of every layer. Checked before the kernel starts.
  std::vector<LayerMapping> mappings;
};

struct SimResult {
  std::string workload, source;
  bool functional = false;
  ArchConfig arch;
  std::vector<LayerResult> layers;
  ActionCounts total;  ///< sum_counts of the layers
  uint64_t cycles = 0, compute_cycles = 0;
  StallCycles stalls;
  uint64_t outputs_checked = 0, mismatches = 0;
  std::string first_mismatch;  ///< "" when every output matched (or timing only)
  double wall_seconds = 0;     ///< host time of the SystemC run
  double cpu_seconds = 0;      ///< CPU time of this process during the SystemC run (one core)
};

/// Plans (all SIM00x checks happen here, before the kernel starts), elaborates the accelerator,
/// runs it to completion and returns per-layer statistics. Throws DiagnosticError for bad input
/// (exit 3) and SimInternalError for an inconsistency the model detects (exit 4).
SimResult simulate(const ArchConfig& arch, const Workload& workload, const SimOptions& options = {});

/// Per-layer table: unit-suffixed columns (cycles, words, bits, bytes).
std::string layers_csv(const SimResult& r);
nlohmann::json to_json(const SimResult& r);
/// Per-layer ActionCounts (source "systemc") plus the total, as priced by energy/.
std::vector<ActionCounts> layer_counts(const SimResult& r);
/// Reads back the per-layer action counts (no total) of a run directory's summary.json, the file
/// `wrpn sim` writes from to_json: the one reader of the format, strict (IO002 when missing, CFG001
/// when not JSON, CFG004 for missing per-layer results, CFG002 naming the layer for a malformed
/// one, CFG003 when it has no layers).
std::vector<ActionCounts> read_run(const std::string& run_dir);

// ------------------------------------------------------------------- one tile (RTL cross-check)
/// One integer tile of any dataflow, row-major int codes in the layouts of mapping::IntTile: a is
/// rows x stream (OS), stream x rows (WS) or cols x rows (IS); b is stream x cols (OS), rows x
/// cols (WS) or stream x rows (IS).
struct TileRun {
  Dataflow dataflow = Dataflow::output_stationary;
  int rows = 1, cols = 1;
  int64_t stream = 1;
  std::vector<int32_t> a, b;
  int acc_bits = 32;
  OverflowMode overflow = OverflowMode::error;
};
/// Accumulators of a tile: rows x cols (OS), stream x cols (WS), cols x stream (IS).
inline int64_t tile_acc_count(const TileRun& t) {
  return (t.dataflow == Dataflow::output_stationary ? t.rows : t.stream) * t.cols;
}
struct TileRunResult {
  std::vector<int64_t> acc;  ///< rows x cols (OS), stream x cols (WS), cols x stream (IS), row-major
  uint64_t cycles = 0;       ///< first operand in .. last result out, inclusive
  bool overflow = false;
};
/// Runs the tile through the same cycle-stepped engine the MacArray module uses (no kernel; may be
/// called any number of times).
TileRunResult run_mac_array_tile(const TileRun& tile);
/// Runs the tiles through the SystemC MacArray module in a testbench that feeds jobs and drains
/// results with random gaps (seeded back-pressure); cycles are measured on the simulated clock,
/// from job accepted to result offered. Once per process.
std::vector<TileRunResult> run_mac_array_tiles_systemc(const std::vector<TileRun>& tiles, uint64_t seed);

// ------------------------------------------------------------------------- DMA (cross-check)
/// One DMA transfer requested at `issue_cycle` (non-decreasing within a run) of `bytes` DRAM bytes.
struct DmaTransferRun {
  uint64_t issue_cycle = 0;
  uint64_t bytes = 0;
  bool load = true;
};
/// Transfers for one Dma module configured by `dram`.
struct DmaRun {
  DramConfig dram;
  std::vector<DmaTransferRun> transfers;
};
/// Runs each DmaRun through its own SystemC Dma module (all in one kernel run, a requester per
/// module issuing each transfer at its cycle into a byte-wide buffer) and returns, per run, the
/// cycle each transfer completed. Once per process.
std::vector<std::vector<uint64_t>> run_dma_transfers_systemc(const std::vector<DmaRun>& runs);

}  // namespace wrpn::sim
