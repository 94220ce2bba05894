// The design-point policy: the one rule that decides which PE array and accumulator run a workload
// (docs/design-points.md). Every command that builds an accelerator for a network (`wrpn sim`,
// `energy`, `map`, `sweep`, `paper`, `demo`) calls resolve_arch; nothing else picks a PE.
//
//   PE:  the template's PE when its config gives "pe" (pinned; every layer must be legal on it);
//        otherwise the PE of the body's precision (int k-bit, ternary for 2-bit weights, binary for
//        W1A1) when every weighted layer runs on it, natively or in bit-slice passes; otherwise (a
//        ternary or binary body whose 8-bit first/last layers cannot be sliced onto it) the
//        smallest integer PE that runs both: weights max(2, body wbits), activations body abits.
//        An FP32 body runs on FP32 PEs of the template's array.
//   Acc: the template's "pe.acc_bits" when given (pinned); otherwise the maximum over the weighted
//        layers of the worst case of each layer's fan-in at its own operand widths, bit-slice
//        passes included (acc_bits_for_sliced_fan_in); 32 for FP32.
//
// Diagnostics: DP001 (the PE cannot run a layer of the workload), DP002 (no accumulator up to
// kMaxAccBits holds a layer's worst case). Plain data, no SystemC.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/arch_config.h"
#include "workloads/network.h"

namespace wrpn::mapping {

/// The arch that runs one workload, with where its PE and accumulator came from.
struct ResolvedArch {
  ArchConfig arch;  ///< the template with PE type, widths and acc_bits set
  PrecisionPolicy precision;
  bool pe_pinned = false;
  bool acc_pinned = false;
  int max_passes = 1;     ///< most bit-slice passes any layer takes on the PE
  std::string acc_layer;  ///< layer whose worst case sets a derived accumulator ("" when pinned)

  /// "int W4A4" (or "fp32").
  std::string pe_label() const;
  /// "16x16 int W4A4 PEs (precision policy), 26-bit accumulator (from the workload: conv1)": the
  /// line every report prints.
  std::string describe() const;
  /// {rows, cols, pe_type, pe_wbits, pe_abits, pe_source, acc_bits, acc_source, acc_layer, max_passes,
  ///  precision: {wbits, abits, first_wbits, first_abits, last_wbits, last_abits}}
  nlohmann::json to_json() const;
};

/// Worst-case accumulator bits of one weighted layer on this arch's PE (0 for layers without
/// weights): acc_bits_for_sliced_fan_in at the layer's widths, the PE's weight width deciding
/// whether weights are sliced; a binary PE counts one per XNOR term.
int layer_acc_bits(const ArchConfig& arch, const Layer& layer);

/// The precision a list of layers carries (a trace's, say): body = widest weighted layer other than
/// the first and last (or the only ones), first/last = those layers' widths.
PrecisionPolicy precision_of(const std::vector<Layer>& layers);

/// The design-point policy (see the header comment). `layers` are the workload's, with `policy`
/// already applied; `what` names the workload in diagnostics.
ResolvedArch resolve_arch(const ArchConfig& arch_template, const PrecisionPolicy& policy,
                          const std::vector<Layer>& layers, const std::string& what);

}  // namespace wrpn::mapping
