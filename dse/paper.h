// `wrpn paper`: regenerates the WRPN paper's hardware results (Mishra et al., ICLR 2018) into
// results/paper/: raw-operation and compute-cost ratios for AlexNet, ResNet-34 and Inception-BN at
// 1x/2x/3x width and the bit-width pairs the paper studies; the per-operation ASIC efficiency of FP32
// against 8-, 4-, 2-bit, ternary and binary MACs; and the trained Fashion-MNIST lenet variants.
#pragma once

#include <string>
#include <vector>

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
  double alexnet_2x_w4a4_cost = 0;    ///< paper: 14 %
  double resnet34_2x_w4a8_cost = 0;   ///< paper: 15.1 %
};

/// Width multipliers and (weight bits, activation bits) pairs of the paper's studies.
const std::vector<double>& paper_widths();
const std::vector<std::pair<int, int>>& paper_precisions();

/// The design point the paper tables run a network at: the design-point policy
/// (mapping::resolve_arch) on the built-in template for the network at this width and body precision;
/// for FP32, the template with FP32 PEs (energy::fp32_version), the baseline `wrpn sweep` uses.
mapping::ResolvedArch paper_design_point(const std::string& network, double width, int wbits, int abits);

/// Writes compute_cost.csv, asic_efficiency.csv, lenet_accuracy.csv (when trained results exist),
/// plots and paper.md into options.out_dir (staged: all or nothing).
PaperSummary generate_paper_results(const PaperOptions& options);

}  // namespace wrpn
