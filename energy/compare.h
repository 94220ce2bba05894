// FP32-versus-WRPN comparison behind `wrpn energy`: the FP32 network at width 1 on an FP32 version
// of the arch, against the WRPN network (width w, k-bit weights/activations) on the arch itself.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "energy/fp32_baseline.h"
#include "energy/pricing.h"
#include "energy/tech_table.h"
#include "workloads/network.h"

namespace wrpn::energy {

/// What the caller's evaluator reports for one side: per-layer counts and one JSON row per layer
/// describing how it was mapped (energy/ prices, it does not tile).
struct SideCounts {
  std::vector<ActionCounts> counts;
  nlohmann::json mappings = nlohmann::json::array();
};
/// Counts a network on an arch (apps/ and dse/ pass mapping/'s evaluator).
using LayerCounter = std::function<SideCounts(const Network& net, const ArchConfig& arch)>;

struct SideResult {
  std::string label;  ///< "fp32" or "wrpn"
  Network net;        ///< with width, precision and batch applied
  ArchConfig arch;
  std::vector<ActionCounts> counts;                   ///< per layer
  nlohmann::json mappings = nlohmann::json::array();  ///< one row per layer, from the counter
  EnergyBreakdown energy;
  AreaBreakdown area;
  uint64_t macs = 0;
  /// Compute cost under the WRPN paper's stated definition (an operation costs in proportion to its
  /// operand bits, "each [4-bit] operation is 8x more efficient than FP32"): Σ_layers MACs × (w + a)
  /// at the layer's own widths; an FP32 MAC counts 32 + 32. Bit-operations, independent of any arch.
  double paper_def_cost_bit_ops = 0;
  /// Compute cost priced by the energy model: Σ_layers MACs × the tech table's energy of one MAC at
  /// the layer's own widths with the arch's accumulator (mac_energy_cost_pj), independent of how the
  /// array maps the layer (no passes, registers or memory), pJ.
  double mac_energy_cost_pj = 0;
  uint64_t weight_bytes = 0;      ///< Σ weights × wbits / 8
  uint64_t activation_bytes = 0;  ///< (network input + every layer's output) × bits / 8, whole batch
  uint64_t dram_bytes = 0;
  uint64_t cycles = 0;
};

struct Comparison {
  std::string network;
  double width = 1;
  int wbits = 32, abits = 32;
  int64_t batch = 1;
  std::string tech;
  std::string mac_calibration;  ///< calibration_note(tech): "" unless int MACs are Yosys-calibrated
  SideResult fp32, wrpn;
  double raw_mac_ratio = 0;          ///< WRPN MACs / FP32 MACs
  double paper_def_cost_ratio = 0;   ///< WRPN paper_def_cost_bit_ops / FP32's (the paper's definition)
  double mac_energy_cost_ratio = 0;  ///< WRPN mac_energy_cost_pj / FP32's (the energy model's MACs)
  double mac_energy_ratio = 0;       ///< WRPN MAC-component energy / FP32 (includes bit-sliced passes)
  double efficiency_gain = 0;        ///< FP32 energy / WRPN energy
  double speedup = 0;                ///< FP32 cycles / WRPN cycles
  /// The WRPN side's design point, as the caller resolved it (mapping::ResolvedArch::describe and
  /// to_json): PE array, accumulator width and whether each was pinned or derived.
  std::string design;
  nlohmann::json design_point;

  nlohmann::json to_json() const;
};

/// Runs both sides with the counts of `count`. `base` is the width-1 network (any precision: it is
/// reset to FP32 for the baseline). `wrpn_arch` is the accelerator for the WRPN side; the baseline
/// uses fp32_version(wrpn_arch).
Comparison compare_fp32_wrpn(const Network& base, double width, const PrecisionPolicy& precision, int64_t batch,
                             const ArchConfig& wrpn_arch, const TechTable& tech, const LayerCounter& count);
/// The same with PrecisionPolicy::uniform(wbits, abits).
Comparison compare_fp32_wrpn(const Network& base, double width, int wbits, int abits, int64_t batch,
                             const ArchConfig& wrpn_arch, const TechTable& tech, const LayerCounter& count);

/// The WRPN paper's compute cost of a network: Σ MACs × (wbits + abits_in) over layers with weights,
/// at each layer's own widths (FP32 layers 32 + 32), in bit-operations.
double paper_def_cost_bit_ops(const Network& net);

/// The energy model's compute cost of a network: Σ MACs × mac_pj at each layer's own bits, every
/// integer, ternary and binary MAC with the same `acc_bits` (the design point's accumulator), pJ.
double mac_energy_cost_pj(const Network& net, const TechTable& tech, int acc_bits);

/// The readable table `wrpn energy` prints.
std::string format_report(const Comparison& c);

/// Writes summary.csv, components.csv, layers.csv, energy.json, effective_config.json, per_layer.csv, report.md with
/// plots and manifest.json into `run_dir`, which must not exist yet; the directory appears complete or not at all.
void write_run(const Comparison& c, const std::filesystem::path& run_dir, const nlohmann::json& effective_config);

}  // namespace wrpn::energy
