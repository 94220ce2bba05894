// Action counts: the interface between what executes (sim/, or the analytic model in energy/) and
// what prices it (energy/). Neither side knows the other's types (the Accelergy split).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/arch_config.h"
#include "common/numerics.h"

namespace wrpn {

/// Accesses to one on-chip SRAM buffer. Words are buffer words of word_bits; k-bit codes are packed
/// floor(word_bits / k) per word, so narrow data takes fewer words.
struct BufferActionCounts {
  std::string name;          ///< "weight_buffer", "input_buffer", "output_buffer", ...
  int64_t capacity_kib = 0;  ///< size of the buffer (its per-access energy depends on it)
  int word_bits = 64;        ///< width of one access
  uint64_t read_words = 0;
  uint64_t write_words = 0;
  int banks = 1;  ///< an access reads one bank of capacity_kib / banks
  int ports = 1;  ///< ports per bank (a multi-ported cell costs more per access and area)
};

/// Everything one layer (or a whole network, summed) did, counted in actions.
struct ActionCounts {
  std::string layer;   ///< layer name, or "total"
  std::string source;  ///< "analytic" or "systemc": who counted
  PeType pe_type = PeType::int_k;
  /// Operand widths of the PE that ran the layer (what the MAC and its registers are priced at).
  int pe_wbits = 8;
  int pe_abits = 8;
  /// The layer's own widths (weights, input codes); wider than the PE's when it ran in bit-slice
  /// passes. In a "total" row: the first layer's (widths differ per layer).
  int layer_wbits = 8;
  int layer_abits = 8;
  /// Bit-slice passes: ceil(layer_wbits / pe_wbits) x ceil(layer_abits / pe_abits) on an int PE
  /// (activations only on a ternary PE), 1 when the layer fits the PE; the largest in a "total" row.
  int passes = 1;
  int acc_bits = 32;                     ///< the PE's accumulator
  uint64_t macs = 0;                     ///< useful multiply-accumulates
  uint64_t pe_active_cycles = 0;         ///< sum over PEs of cycles doing a useful MAC
  uint64_t pe_idle_cycles = 0;           ///< sum over PEs of clocked cycles without a useful MAC
  uint64_t operand_register_writes = 0;  ///< operand registers written (incl. systolic forwarding)
  uint64_t accumulator_updates = 0;      ///< accumulator register read-modify-writes
  uint64_t requant_ops = 0;              ///< post-processing requantizations (one per output)
  uint64_t pool_ops = 0;                 ///< pooling comparisons/additions
  uint64_t add_ops = 0;                  ///< residual additions
  std::vector<BufferActionCounts> buffers;
  uint64_t dram_read_bytes = 0;
  uint64_t dram_write_bytes = 0;
  uint64_t cycles = 0;  ///< wall-clock cycles of the accelerator
  double clock_mhz = 1000.0;
  bool clock_gating = true;             ///< the arch gates idle PEs' clocks (idle PE cycles cost leakage only)
  DramType dram_type = DramType::ddr3;  ///< which DRAM's per-bit energy prices the DRAM bytes

  double time_s() const { return clock_mhz > 0 ? static_cast<double>(cycles) / (clock_mhz * 1e6) : 0.0; }
  /// Adds other's counts into this one; buffers are matched by name (appended if new).
  void accumulate(const ActionCounts& other);
  /// Buffer entry by name, or nullptr.
  const BufferActionCounts* buffer(const std::string& name) const;
};

void to_json(nlohmann::json& j, const ActionCounts& c);
void from_json(const nlohmann::json& j, ActionCounts& c);

/// Sum of per-layer counts under the name "total".
ActionCounts sum_counts(const std::vector<ActionCounts>& layers);

}  // namespace wrpn
