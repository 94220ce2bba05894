// Yosys calibration of the integer MAC (docs/energy-model.md, "Yosys calibration"): the cached
// `wrpn synth` results of the RTL's `mac_unit` (results/synth/*.json, format "wrpn-synth") give how a
// k-bit MAC's gate count scales with operand width; the tech table keeps the absolute level. The
// per-gate energy and area are chosen so that the 8-bit MAC (w8 a8 at its synthesized accumulator)
// costs exactly what the table's own rule says, and every other synthesized (wbits, abits) is priced
// as its logic-cell count × that per-gate figure. Flip-flops are not counted here: the pricing charges
// operand and accumulator registers separately (register rule), and PE area adds them likewise.
#pragma once

#include <string>
#include <vector>

#include "energy/tech_table.h"

namespace wrpn::energy {

/// One integer MAC synthesis result (top "mac_unit", kind "int") read from a results/synth JSON.
struct SynthMac {
  std::string file;     ///< path of the JSON it came from
  std::string variant;  ///< e.g. "mac_unit_a4w4_acc20"
  int wbits = 0, abits = 0, acc_bits = 0;
  int logic_cells = 0;  ///< combinational generic cells (the MAC datapath: multiplier, adder, control)
  int flip_flops = 0;   ///< accumulator and overflow flag (priced by the register rule, not here)
  double area_um2 = 0;  ///< total area of the synthesized unit (cell-area table of rtl/synth)
  std::string yosys;    ///< Yosys version of the flow
  std::string abc;      ///< "full" or "fast" ABC mapping
};

/// Every integer MAC result (`top` "mac_unit") in `synth_dir`, sorted by (wbits, abits, acc_bits),
/// read by the one strict reader (energy/synth_results.h; its EN006 cases apply to every *.json in
/// the directory). Other tops (ternary, binary, FP32, PE) are skipped. EN006 also when there is no
/// mac_unit result at all.
std::vector<SynthMac> read_synth_macs(const std::string& synth_dir);

/// `base` with its integer-MAC calibration replaced by the mac_unit results of `synth_dir`:
///   gates(w, a, acc_synth) = logic cells of that result;
///   energy_pj_per_gate = (int_mult_pj(8, 8) + int_add_pj(acc8)) / gates(8, 8, acc8);
///   area_um2_per_gate  = (int_mult_area_um2(8, 8) + int_add_area_um2(acc8)) / gates(8, 8, acc8),
/// with acc8 the 8-bit result's accumulator, so the 8-bit MAC keeps the table's energy and area.
/// `TechTable::mac_pj`/`pe_area_um2` then use an entry for the same (wbits, abits) at any accumulator
/// width, correcting only the accumulator difference by the table's adder rule. EN006 as above, and
/// when there is no w8 a8 result to normalize against.
TechTable with_synth_calibration(const TechTable& base, const std::string& synth_dir);

/// One line for reports: "int MAC energy and PE datapath area Yosys-calibrated (...)", or "" when
/// the table has no calibration.
std::string calibration_note(const TechTable& t);

}  // namespace wrpn::energy
