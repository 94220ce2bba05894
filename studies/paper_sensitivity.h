// The sensitivity table of `wrpn paper` (sensitivity.csv): the headline efficiency gains (FP32
// energy / WRPN energy, AlexNet 2x W4A4 and ResNet-34 2x W4A8, batch 1, each side at the mapper's
// best mapping, as `wrpn energy` reports them) under each modelling choice that moves them, one
// choice changed at a time: idle-PE clock gating, the DRAM type, SRAM banking and its pricing, the
// accumulator width, the mapper's objective and the process node.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/arch_config.h"
#include "common/csv.h"
#include "energy/tech_table.h"
#include "mapping/mapper.h"
#include "workloads/network.h"

namespace wrpn {

/// One modelling choice: what it changes in the WRPN arch (the FP32 baseline is derived from it) and
/// in the tech table. `wrpn_net` is the WRPN network the arch will run (width and precision applied),
/// for choices that depend on the workload (e.g. an accumulator sized from its layers).
struct SensitivityChoice {
  std::string knob;    ///< "defaults", "clock_gating", "dram", "sram", "accumulator", "objective", "tech"
  std::string choice;  ///< what this row sets
  std::function<void(ArchConfig& arch, energy::TechTable& tech, const Network& wrpn_net)> apply;
  /// The mapper's objective for both sides (the default objective unless the row is about it).
  mapping::Objective objective = mapping::kDefaultObjective;
};

/// The headline configurations the table reports.
struct SensitivityCase {
  std::string network;
  double width = 2;
  int wbits = 4, abits = 4;
  std::string column;  ///< CSV column prefix, e.g. "alexnet_2x_w4a4"
};
const std::vector<SensitivityCase>& sensitivity_cases();

/// The rows: the defaults first, then one choice each. `scaled_tech_path` is the table of the node
/// row (configs/tech/scaled22.json next to the default table).
std::vector<SensitivityChoice> sensitivity_choices(const std::string& scaled_tech_path);

/// The arch a headline case runs on before any choice is applied: the design-point policy on the
/// built-in template for its WRPN network (what `wrpn energy` runs without --arch).
ArchConfig sensitivity_base_arch(const SensitivityCase& k, const Network& wrpn_net);

/// Evaluates every (choice, case) through compare_fp32_wrpn with the mapper's best mappings (default
/// objective) re-chosen under each choice. Columns: knob, choice, then per case <column>_gain,
/// <column>_gain_vs_defaults, <column>_fp32_energy_pj, <column>_wrpn_energy_pj.
CsvTable sensitivity_table(const energy::TechTable& tech, const std::vector<SensitivityChoice>& choices);

/// Writes sensitivity.csv (the table above on `tech`, with the shipped scaled22 table for the node
/// row) into dir and returns its file name, for `wrpn paper`.
std::string write_sensitivity_csv(const std::filesystem::path& dir, const energy::TechTable& tech);

}  // namespace wrpn
