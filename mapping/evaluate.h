// The analytic evaluator: walks a layer's step list (the same `LayerPlan` the SystemC controller
// executes) and adds up what the hardware does, as `ActionCounts` (source "analytic"). In
// ideal-memory mode its cycles, buffer words and DRAM bytes equal the SystemC model's on every
// layer (tests/sim/test_agreement.cpp); with real memory its cycles are a bandwidth
// bound (below), where the SystemC model also counts the DMA's queueing and latency per transfer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "mapping/plan.h"
#include "workloads/network.h"

namespace wrpn::mapping {

struct LayerEvaluation {
  ActionCounts counts;  ///< source "analytic"; PE widths are the arch's
  bool on_array = true;
  LayerMapping mapping;  ///< what ran (array layers)
  std::string loop_order;
  bool split_reduction = false;
  int passes = 1;                      ///< source "analytic"; PE widths are the arch's
  uint64_t compute_cycles = 0;         ///< Σ tile (or post-processing) cycles, passes included
  uint64_t port_stall_cycles = 0;      ///< Σ buffer-port stalls (0 on ideal memory)
  uint64_t dram_cycles = 0;            ///< DRAM bytes / bandwidth (0 on ideal memory)
  uint64_t compulsory_dram_bytes = 0;  ///< every weight, input and output moved once (packed, burst-rounded)
  uint64_t pe_busy_cycles = 0;         ///< PE-cycles doing any operation, bit-slice passes counted
  /// MACs / (PEs x cycles): the share of the array's peak that did useful work.
  double useful_mac_utilization() const;
  /// pe_busy_cycles / (PEs x cycles): passes count as busy (the old "utilization").
  double pe_busy_utilization() const;
  /// DRAM bytes moved / compulsory bytes.
  double dram_ratio() const;
  uint64_t pes = 0;
};

/// Counts of one layer's plan on `arch`. Cycles: ideal memory, Σ step cycles (= the closed form);
/// real memory, max(compute + port stalls, DRAM bytes / bandwidth) + one DRAM latency when every
/// buffer is double-buffered (transfers overlap compute), else their sum + one latency.
LayerEvaluation evaluate_plan(const ArchConfig& arch, const LayerPlan& plan);

/// Plans every layer (default mappings when `mappings` is null; SIM001-SIM003 as plan_layers) and
/// evaluates it.
std::vector<LayerEvaluation> evaluate_layers(const ArchConfig& arch, const std::vector<Layer>& layers,
                                             const std::vector<LayerMapping>* mappings = nullptr,
                                             const std::string& workload_source = "network");

/// Convenience: the counts of evaluate_layers, one per layer.
std::vector<ActionCounts> analytic_counts(const ArchConfig& arch, const std::vector<Layer>& layers,
                                          const std::vector<LayerMapping>* mappings = nullptr);

/// One row per layer for reports: the mapping, compulsory traffic and ratio, both utilizations.
nlohmann::json to_json(const LayerEvaluation& e);

/// Counts plus the per-layer report rows (to_json) of a whole layer list.
struct NetworkEvaluation {
  std::vector<LayerEvaluation> layers;
  std::vector<ActionCounts> counts;
  nlohmann::json rows = nlohmann::json::array();
};
NetworkEvaluation evaluate_network(const ArchConfig& arch, const std::vector<Layer>& layers,
                                   const std::vector<LayerMapping>* mappings = nullptr,
                                   const std::string& workload_source = "network");

/// DRAM bytes of one transfer of `words` buffer words (rounded up to whole bursts), as the DMA moves it.
uint64_t transfer_bytes(const ArchConfig& arch, const BufferConfig& buffer, uint64_t words);

}  // namespace wrpn::mapping
