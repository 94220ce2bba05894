// The `arch` config (configs/arch/*.json): the accelerator the simulator models and the analytic
// energy model counts for. Plain data, no SystemC, so both sim/ and energy/ read it.
//
//   { "kind": "arch", "version": 1, "name": "edge", "clock_mhz": 1000,
//     "array":   { "rows": 16, "cols": 16, "dataflow": "output_stationary" },
//                (or "dataflows": ["output_stationary", "weight_stationary", "input_stationary"]: the
//                mapper picks per layer)
//     "pe":      { "type": "int", "wbits": 4, "abits": 4, "acc_bits": 24, "overflow": "error" },
//                (optional: without "pe" the PE follows the precision policy, without "acc_bits" the
//                accumulator is the workload's worst case; mapping/design_point.h)
//     "buffers": [ { "name": "weight_buffer", "holds": "weights", "capacity_kib": 64, "word_bits": 64,
//                    "banks": 1, "ports": 1, "double_buffered": true }, ... inputs, outputs ],
//     "dram":    { "bandwidth_bytes_per_cycle": 16, "latency_cycles": 100, "burst_bytes": 64,
//                  "max_outstanding": 1, "type": "ddr3" } }
//   "array" may also say "clock_gating": false (default true: idle PEs' clocks are gated).
//
// Defaults are applied here and only here (ArchConfig::from_json). Diagnostics: CFG00x from
// common/config.h, plus ARCH001 for values that contradict each other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/config.h"
#include "common/numerics.h"

namespace wrpn {

/// Which operand stays in the PEs during a tile (docs/mapping.md): the outputs (OS), the weights
/// (WS) or the inputs (IS, SCALE-Sim's input stationary: rows = reduction, columns = output pixels,
/// the weights of each output channel streamed through).
enum class Dataflow { output_stationary, weight_stationary, input_stationary };
const char* to_string(Dataflow d);
/// "OS", "WS", "IS".
const char* short_name(Dataflow d);
/// The JSON names of every dataflow, in enum order ("output_stationary", ...).
const std::vector<std::string>& dataflow_names();
/// Parses a JSON name; false when it is none of dataflow_names().
bool parse_dataflow(const std::string& s, Dataflow* out);

enum class BufferRole { weights, inputs, outputs };
const char* to_string(BufferRole r);

/// Off-chip memory technology: selects the tech table's per-bit DRAM access energy ("dram": {"type"}).
enum class DramType { ddr3, lpddr4, hbm2 };
const char* to_string(DramType t);

struct BufferConfig {
  std::string name;
  BufferRole holds = BufferRole::weights;
  int64_t capacity_kib = 64;
  int word_bits = 64;
  int banks = 1;
  int ports = 1;  ///< read/write ports per bank
  bool double_buffered = true;
  int64_t capacity_bits() const { return capacity_kib * 1024 * 8; }
};

struct DramConfig {
  double bandwidth_bytes_per_cycle = 16.0;
  int64_t latency_cycles = 100;
  int64_t burst_bytes = 64;
  /// DMA transfers in flight at once (latency overlapped across them, one shared data bus;
  /// docs/sim-model.md). 1 = a blocking DMA: one transfer at a time, each paying the full latency.
  int64_t max_outstanding = 1;
  bool ideal = false;              ///< infinite bandwidth, zero latency (closed-form cross-checks)
  DramType type = DramType::ddr3;  ///< prices DRAM traffic (energy only; timing uses the fields above)
};

struct ArchConfig {
  std::string name = "default";
  std::string source;  ///< file it was read from ("" for built-in)
  double clock_mhz = 1000.0;
  int rows = 16, cols = 16;
  Dataflow dataflow = Dataflow::output_stationary;
  /// Dataflows the mapper may choose per layer ("array": {"dataflows": [...]}); empty = the array
  /// has the one `dataflow`. When set, `dataflow` is its first entry.
  std::vector<Dataflow> dataflows;
  /// Idle PEs' clocks are gated ("array": {"clock_gating": true}, the default): an idle PE cycle costs
  /// leakage only. false: every idle PE cycle also clocks the PE's registers (docs/energy-model.md).
  bool clock_gating = true;
  PeType pe_type = PeType::int_k;
  int pe_wbits = 8, pe_abits = 8;  ///< operand widths the PE is built for (32 for fp32)
  int acc_bits = 32;
  /// What the config fixed. pe_pinned: it gave "pe", so the PE type and widths are kept whatever the
  /// workload's precision; acc_pinned: it gave "pe.acc_bits". Unpinned values are placeholders until
  /// mapping::resolve_design_point sets them (PE from the precision policy, accumulator from the
  /// workload's worst case). An arch built in code means what it says (both true).
  bool pe_pinned = true;
  bool acc_pinned = true;
  OverflowMode overflow = OverflowMode::error;
  std::vector<BufferConfig> buffers;
  DramConfig dram;

  /// The buffer holding `role`; every config has exactly one per role.
  const BufferConfig& buffer(BufferRole role) const;

  /// Parses and checks a whole arch config (CFG00x, ARCH001). `obj` must be the root object.
  static ArchConfig from_json(const ConfigObject& obj);
  static ArchConfig load(const std::string& path);
  /// The template every command uses when no --arch is given: the built-in 16x16 output-stationary
  /// array and buffers with neither PE nor accumulator pinned (the design-point policy fills both).
  static ArchConfig builtin_template();
  /// The same array with int PEs of the given widths and a 32-bit accumulator, all pinned (tests,
  /// benchmarks: an arch built in code).
  static ArchConfig builtin_default(int wbits = 8, int abits = 8);
  nlohmann::json to_json() const;
};

}  // namespace wrpn
