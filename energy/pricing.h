// Pricing: energy = Σ actions × energy per action (tech table rules) + leakage power × time.
// Input is the ActionCounts interface (common/action_counts.h), whoever counted it (the analytic
// model here or the SystemC simulator): this is the function `wrpn sim --tech` calls.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "energy/tech_table.h"

namespace wrpn::energy {

/// Fixed component names, in report order; buffers come between "postproc" and "dram", by name.
inline constexpr const char* kMac = "mac";
inline constexpr const char* kRegisters = "registers";
/// Clocking idle PEs' registers: zero when the arch gates idle PEs' clocks (the default).
inline constexpr const char* kIdleClock = "idle_clock";
inline constexpr const char* kPostproc = "postproc";
inline constexpr const char* kDram = "dram";
inline constexpr const char* kLeakage = "leakage";

struct LayerEnergy {
  std::string layer;
  std::vector<double> component_pj;  ///< parallel to EnergyBreakdown::components
  double total_pj = 0;
  uint64_t cycles = 0;
};

/// Energy by layer and component, in pJ.
struct EnergyBreakdown {
  std::string tech;                     ///< tech table name
  std::string counts_source;            ///< "analytic" or "systemc"
  std::vector<std::string> components;  ///< mac, registers, idle_clock, postproc, <each buffer>, dram, leakage
  std::vector<LayerEnergy> layers;
  std::vector<double> total_by_component_pj;
  double total_pj = 0;       ///< the configured total (idle_clock included only when clocks are ungated)
  double time_s = 0;         ///< Σ layer cycles / clock
  bool clock_gating = true;  ///< as configured by the arch the counts came from
  /// Clock energy idle PEs would draw if their clocks were not gated (whatever is configured).
  double ungated_idle_clock_pj = 0;

  /// Totals under both clock-gating choices; one of them equals total_pj.
  double total_clock_gated_pj() const { return total_pj - component_pj(kIdleClock); }
  double total_clock_ungated_pj() const { return total_clock_gated_pj() + ungated_idle_clock_pj; }

  /// Total of one component by name (0 if absent).
  double component_pj(const std::string& name) const;
  nlohmann::json to_json() const;
};

/// One line stating both clock-gating totals, the configured one marked, e.g.
/// "  total if idle PE clocks gated: 34.276 mJ (configured); ungated: 35.914 mJ\n".
std::string clock_totals_line(const EnergyBreakdown& e);

/// Per-action energies used for one ActionCounts record (exposed for tests and docs).
struct ActionEnergies {
  double mac_pj = 0;               ///< one PE operation at the PE's widths
  double operand_register_pj = 0;  ///< one operand register write ((wbits + abits) / 2 bits)
  double accumulator_pj = 0;       ///< one accumulator register write (acc_bits)
  double requant_pj = 0;           ///< one requantization (fp32: multiply + add; int: acc×16 mult + add)
  double pool_pj = 0;              ///< one pooling compare/add
  double add_pj = 0;               ///< one residual addition
  double idle_clock_pj = 0;        ///< one idle PE cycle with its clock running (paid only if ungated)
  double pe_leakage_mw = 0;        ///< per PE
};
ActionEnergies action_energies(const ActionCounts& c, const TechTable& tech);

/// Prices per-layer counts. Buffer energies use each buffer's capacity_kib, word_bits, banks and ports;
/// DRAM bytes the counts' dram_type; idle PE cycles cost clock energy unless the counts say the clocks
/// are gated; leakage uses the PE count implied by (active + idle) / cycles and the buffers' capacities.
EnergyBreakdown price(const std::vector<ActionCounts>& per_layer, const TechTable& tech);

/// Area of an arch on a tech table: one PE, the array, and each buffer.
struct AreaBreakdown {
  double pe_um2 = 0;
  int64_t num_pes = 0;
  double array_mm2 = 0;
  std::vector<std::pair<std::string, double>> buffers_mm2;
  double total_mm2 = 0;
  nlohmann::json to_json() const;
};
AreaBreakdown area(const ArchConfig& arch, const TechTable& tech);

}  // namespace wrpn::energy
