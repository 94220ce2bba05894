// The one reader of cached Yosys results (`wrpn synth`, results/synth/*.json, format "wrpn-synth",
// rtl/README.md "Result format"). Strict: every *.json in the directory must be a complete result,
// or the read stops with EN006 naming the file and the field. Used by the Yosys calibration of the
// integer MAC (energy/synth_calibration.h) and by the paper tables (per-operation cells, equal-area
// sizing from synthesized PE areas).
#pragma once

#include <string>
#include <vector>

#include "common/numerics.h"

namespace wrpn::energy {

/// One synthesized unit.
struct SynthResult {
  std::string file;             ///< path of the JSON it came from
  std::string variant;          ///< e.g. "pe_int_a4w4_acc20"
  std::string top;              ///< RTL top: "pe", "mac_unit", "mac_ternary", "mac_binary", "mac_fp32"
  PeType type = PeType::int_k;  ///< from "kind": int, ternary, binary, fp32
  int wbits = 0, abits = 0, acc_bits = 0;
  int lanes = 1;        ///< operand pairs per step (binary PEs pack up to 64)
  int logic_cells = 0;  ///< combinational generic cells
  int flip_flops = 0;   ///< operand, accumulator and flag registers
  int total_cells = 0;  ///< logic + flip-flops
  double area_um2 = 0;  ///< total area on the cell-area table of rtl/synth (logic + flip-flops)
  std::string yosys;    ///< Yosys version of the flow ("" if not recorded)
  std::string abc;      ///< "full" or "fast" ABC mapping ("" if not recorded)
};

/// Every result in `synth_dir`, sorted by (top, type, wbits, abits, acc_bits, lanes). EN006 when the
/// directory is missing or unreadable, a *.json in it is not a complete "wrpn-synth" result (bad
/// JSON, another format, a missing or out-of-range field), or two results share (top, kind, widths,
/// accumulator, lanes).
std::vector<SynthResult> read_synth_results(const std::string& synth_dir);

/// The result of `top` for a PE of this type, operand widths, accumulator and lanes; nullptr if none.
/// FP32 units match on top and type alone (their widths and accumulator are the 32-bit word).
const SynthResult* find_synth_result(const std::vector<SynthResult>& results, const std::string& top, PeType type,
                                     int wbits, int abits, int acc_bits, int lanes = 1);

/// As find_synth_result, but EN006 naming `synth_dir` and the missing unit when there is none.
const SynthResult& require_synth_result(const std::vector<SynthResult>& results, const std::string& synth_dir,
                                        const std::string& top, PeType type, int wbits, int abits, int acc_bits,
                                        int lanes = 1);

}  // namespace wrpn::energy
