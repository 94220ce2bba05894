// `wrpn paper`: regenerates the WRPN paper's hardware results (Mishra et al., ICLR 2018) into
// results/paper/: raw-operation ratios and both compute costs (the paper's definition and the priced
// MAC energy) for AlexNet, ResNet-34 and Inception-BN at 1x/2x/3x width and the bit-width pairs the
// paper studies; the per-operation ASIC efficiency of FP32 against 8-, 4-, 2-bit, ternary and binary
// MACs and PEs; equal-area arrays sized from synthesized PE areas; whole-network efficiency at batch
// 1 and 32; and the trained Fashion-MNIST lenet variants.
#pragma once

#include <string>
#include <vector>

#include "common/arch_config.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"

namespace wrpn {

struct PaperOptions {
  std::string out_dir = "results/paper";
  std::string tech_path;  ///< "" = the default 45 nm table
  std::string synth_dir = "results/synth";
  std::string accuracy_csv = "results/reference/accuracy.csv";
};

struct PaperSummary {
  std::vector<std::string> files;     ///< written, relative to out_dir
  std::vector<std::string> warnings;  ///< e.g. missing synthesis or accuracy results
  double alexnet_2x_raw_ratio = 0;    ///< paper: 3.9x
  /// Compute cost vs FP32 under the paper's definition (MACs x (w + a)) and priced by the energy
  /// model (MACs x one MAC's energy); the paper reports 14 % and 15.1 %.
  double alexnet_2x_w4a4_paper_def_cost = 0, alexnet_2x_w4a4_mac_energy_cost = 0;
  double resnet34_2x_w4a8_paper_def_cost = 0, resnet34_2x_w4a8_mac_energy_cost = 0;
};

/// Width multipliers and (weight bits, activation bits) pairs of the paper's studies.
const std::vector<double>& paper_widths();
const std::vector<std::pair<int, int>>& paper_precisions();

/// The design point the paper tables run a network at: the design-point policy
/// (mapping::resolve_arch) on the built-in template for the network at this width and body precision;
/// for FP32, the template with FP32 PEs (energy::fp32_version), the baseline `wrpn sweep` uses. The one
/// place the tables choose PE and accumulator.
mapping::ResolvedArch paper_design_point(const std::string& network, double width, int wbits, int abits);

/// Writes compute_cost.csv, asic_efficiency.csv, iso_area.csv, equal_pe_count.csv,
/// network_efficiency.csv, lenet_accuracy_energy.csv (when trained results exist), plots and paper.md
/// into options.out_dir (staged: all or nothing). EN006 when the synthesis results are unusable or
/// lack a unit the tables compare; DSE009 when an equal-area array cannot be sized within ±3 %.
PaperSummary generate_paper_results(const PaperOptions& options);

}  // namespace wrpn
