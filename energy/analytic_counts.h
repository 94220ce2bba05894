// Analytic action counts (source = "analytic"): a closed-form model of an output-stationary R×C
// array with the arch config's buffers. It stands in for the SystemC simulator until measured counts
// are available and stays as a fast cross-check afterwards. Formulas: docs/energy-model.md,
// "Analytic action counts".
#pragma once

#include <string>
#include <vector>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "workloads/network.h"

namespace wrpn::energy {

/// How a layer was mapped (for reports and tests); all counts are whole-batch.
struct LayerMapping {
  std::string layer;
  int64_t passes = 1;   ///< ceil(wbits/pe_wbits) * ceil(abits/pe_abits): bit-sliced passes on a narrower PE
  int64_t tiles_m = 0;  ///< output-position tiles of R rows (N*P*Q positions)
  int64_t tiles_k = 0;  ///< output-channel tiles of C columns (per group, times groups)
  int64_t fan_in = 0;
  uint64_t compute_cycles = 0;         ///< tiles * (fan_in * passes + R + C - 2), or the post-processing time
  uint64_t dram_cycles = 0;            ///< DRAM bytes / bandwidth
  std::string loop_order;              ///< "k_outer" (weights stay) or "m_outer" (inputs stay), the cheaper one
  uint64_t compulsory_dram_bytes = 0;  ///< weights + inputs + outputs, each moved once (packed)
};

/// Counts for one layer on `arch`. EN003 if the layer cannot run on the arch's PEs (an FP32 layer
/// on an integer PE). The layer's own wbits/abits_in/abits_out decide storage packing; the PE's
/// widths decide the operation width (counts carry the PE's type and widths).
ActionCounts analytic_layer_counts(const Layer& layer, const ArchConfig& arch, LayerMapping* mapping = nullptr);

/// Counts for every layer of `net`, in order.
std::vector<ActionCounts> analytic_counts(const Network& net, const ArchConfig& arch,
                                          std::vector<LayerMapping>* mappings = nullptr);

/// The same array and buffer capacities with FP32 PEs (32-bit operands, 32-bit accumulator): the
/// baseline. Buffer words are widened by 32 / (bits the source PE reads from that buffer), capped at
/// 4096 bits, so one access feeds the FP32 array as many operands as it fed the source design.
ArchConfig fp32_version(const ArchConfig& arch);

}  // namespace wrpn::energy
