// Tech tables (configs/tech/*.json, kind "tech", version 1): energy per action and area per unit
// for one process node, and the explicit rules that scale them with bit width, SRAM size and node.
// docs/energy-model.md states every rule; each number in a table carries its source.
//
// Scaling rules with bit width (b = bits, w/a = weight/activation bits), all linear in the reference
// value the table gives:
//   integer adder      E(b)   = E_ref * b / b_ref                       (ripple/prefix adders: ∝ bits)
//   integer multiplier E(w,a) = E_ref * (w * a) / (w_ref * a_ref)       (array of w*a partial products)
//   register           E(b)   = E_bit * b                               (one flip-flop per bit)
//   gate (xor/mux)     E      = E_gate per 2-input gate
//   SRAM access        E(C,W) = E_64(C) * W / 64, E_64 log-log interpolated between the table's
//                      capacity anchors (Horowitz: 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ per 64 bits)
//   banked SRAM        E(C,W,B,P) = E(C/B, W) * P^port_energy_exponent  (an access drives one bank;
//                      a P-ported cell has P word lines and P bit-line pairs; area ∝ P^port_area_exponent)
//   DRAM               E      = E_bit(type) * bytes * 8                 (type: ddr3, lpddr4, hbm2)
//   idle-PE clock      E      = E_clock_bit * (wbits + abits + acc_bits) per idle PE cycle, only when
//                      the arch does not gate idle PEs' clocks (fp32: 96 bits)
// Areas follow the same rules with the table's area_um2 figures. A table may instead be derived
// from another by node scaling ("scaled_from"): energy ∝ C·V² with C ∝ L, so
// E_new = E_old * (L_new/L_old) * (V_new/V_old)^2, area ∝ L², DRAM energy unchanged (off-chip).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/arch_config.h"
#include "common/config.h"
#include "common/numerics.h"

namespace wrpn::energy {

/// One primitive (adder, multiplier, gate, register bit) at its reference width.
struct Primitive {
  int ref_wbits = 0;     ///< reference width (adder, register: bits; multiplier: weight operand)
  int ref_abits = 0;     ///< multiplier: activation operand width; 0 otherwise
  double energy_pj = 0;  ///< energy per operation at the reference width
  double area_um2 = 0;   ///< area at the reference width
  std::string source;
};

/// A point the scaling rule should reproduce (another published figure), for honesty checks.
struct Anchor {
  std::string what;  ///< "int_add", "int_mult", "sram"
  int bits = 0;      ///< operand width (multiplier: both operands)
  double capacity_kib = 0;
  double energy_pj = 0;
  std::string source;
};

struct SramAnchor {
  double capacity_kib = 0;
  double read_energy_pj = 0;  ///< per 64-bit access
};

/// Yosys calibration (results/synth/*.json from the RTL issue, energy/synth_calibration.h): gate count
/// of an integer MAC's datapath synthesized at (wbits, abits, acc_bits). An entry prices every int MAC
/// with the same (wbits, abits): gates x per-gate figure, plus the table's adder rule for the
/// difference between the requested and the synthesized accumulator width.
struct MacCalibration {
  int wbits = 0, abits = 0, acc_bits = 0;
  double gates = 0;
  std::string source;
};

struct TechTable {
  std::string name;
  std::string source_file;  ///< file read ("" when built in code)
  std::string description;
  double node_nm = 45;
  double voltage_v = 0.9;

  Primitive int_add;   ///< ref_wbits bits
  Primitive int_mult;  ///< ref_wbits x ref_abits
  Primitive fp32_add;
  Primitive fp32_mult;
  Primitive gate;          ///< one 2-input gate (xor, xnor, mux leg) toggling
  Primitive register_bit;  ///< one flip-flop written

  std::vector<SramAnchor> sram;     ///< sorted by capacity, >= 1 entries
  double sram_write_to_read = 1.0;  ///< write energy / read energy
  double sram_area_um2_per_kib = 0;
  std::string sram_source;
  /// true: an access of a banked buffer costs an access of one bank (capacity / banks); false: the
  /// buffer is priced as one monolithic array whatever its banks (the pre-banking rule, kept for
  /// sensitivity studies; "sram": {"per_bank": false}).
  bool sram_per_bank = true;
  double sram_port_energy_exponent = 1.0;  ///< access energy ∝ ports^this
  double sram_port_area_exponent = 2.0;    ///< area and leakage ∝ ports^this
  std::string sram_ports_source;

  /// Per-bit DRAM access energy for each DramType (index = static_cast<int>(type)), with sources.
  double dram_energy_pj_per_bit[3] = {0, 0, 0};
  std::string dram_sources[3];

  /// Energy of clocking one PE register bit for one cycle (clock pin and local clock wiring) while the
  /// register holds its value: what an ungated idle PE pays per bit of state per cycle.
  double clock_energy_pj_per_bit = 0;
  std::string clock_source;

  double logic_leakage_mw_per_mm2 = 0;
  double sram_leakage_mw_per_mm2 = 0;
  std::string leakage_source;

  std::vector<Anchor> anchors;  ///< published figures the rules are checked against
  std::vector<MacCalibration> calibration;
  double calibration_energy_pj_per_gate = 0;
  double calibration_area_um2_per_gate = 0;
  std::string calibration_source;  ///< how the per-gate figures were chosen ("" when not given)

  // ---- Scaling rules (the only place they are implemented) ----
  double int_add_pj(int bits) const;
  double int_mult_pj(int wbits, int abits) const;
  double register_pj(int bits) const;
  double gate_pj() const { return gate.energy_pj; }
  /// SRAM access energy for one word of word_bits in a buffer of capacity_kib.
  double sram_read_pj(double capacity_kib, int word_bits) const;
  double sram_write_pj(double capacity_kib, int word_bits) const;
  /// One access of a buffer of capacity_kib in `banks` banks of `ports` ports each (banked rule above;
  /// with sram_per_bank false the banks are ignored). banks = ports = 1 is sram_read/write_pj.
  double sram_access_pj(double capacity_kib, int word_bits, int banks, int ports, bool write) const;
  /// Area and leakage multiplier of a `ports`-ported SRAM over a single-ported one.
  double sram_port_area_factor(int ports) const;
  /// Energy of one DRAM byte of the given type (default: DDR3, the table's historical figure).
  double dram_pj_per_byte(DramType type = DramType::ddr3) const {
    return dram_energy_pj_per_bit[static_cast<int>(type)] * 8.0;
  }
  /// Flip-flops of one PE that an ungated clock drives every cycle: operand registers and the
  /// accumulator (wbits + abits + acc_bits; fp32: 32 + 32 + 32), as in pe_area_um2.
  static int pe_register_bits(PeType type, int wbits, int abits, int acc_bits);
  /// Clock energy of one idle, ungated PE cycle.
  double pe_idle_clock_pj(PeType type, int wbits, int abits, int acc_bits) const {
    return clock_energy_pj_per_bit * pe_register_bits(type, wbits, abits, acc_bits);
  }

  double int_add_area_um2(int bits) const;
  double int_mult_area_um2(int wbits, int abits) const;
  double register_area_um2(int bits) const;

  /// Energy of one MAC operation on a PE of this type (see docs/energy-model.md, "Per-MAC energy"):
  ///   fp32:    fp32 mult + fp32 add
  ///   int_k:   int mult(w, a) + int add(acc_bits), or, with a calibration entry for (w, a) (exact
  ///            acc_bits, else the nearest synthesized acc_s):
  ///            gates * energy_pj_per_gate + int add(acc_bits) - int add(acc_s)
  ///   ternary: select/negate, 2 gates per activation bit + int add(acc_bits) (no multiplier)
  ///   binary:  abits == 1: XNOR gate + half-adder increment, 0.5 * int add(acc_bits) (popcount)
  ///            abits  > 1: conditional negate, 1 gate per activation bit + int add(acc_bits)
  double mac_pj(PeType type, int wbits, int abits, int acc_bits) const;
  /// Area of one PE: its MAC datapath plus operand and accumulator registers (wbits + abits + acc_bits
  /// flip-flops; fp32: 32 + 32 + 32). A calibrated int datapath is priced like mac_pj, with areas.
  double pe_area_um2(PeType type, int wbits, int abits, int acc_bits) const;
  /// Leakage of one PE and of one KiB of SRAM, in mW (area × leakage density).
  /// The calibration entry that prices an int MAC of (wbits, abits, acc_bits): exact match, else the
  /// same (wbits, abits) with the nearest synthesized accumulator (the narrower on a tie); nullptr if none.
  const MacCalibration* find_calibration(int wbits, int abits, int acc_bits) const;
  double pe_leakage_mw(PeType type, int wbits, int abits, int acc_bits) const;
  double sram_leakage_mw_per_kib() const { return sram_area_um2_per_kib * 1e-6 * sram_leakage_mw_per_mm2; }

  /// The effective table as JSON (every value, after any node scaling), for run directories.
  nlohmann::json to_json() const;

  /// Strict parse of a tech config (CFG00x, EN001..EN003). `root` is the document root.
  static TechTable from_json(const ConfigObject& root);
  static TechTable load(const std::string& path);
  /// configs/tech/horowitz45.json if it can be found from the working directory or the source tree,
  /// else EN004 naming where it looked.
  static TechTable load_default();
};

/// Path of a shipped tech table by name ("horowitz45" -> <repo>/configs/tech/horowitz45.json).
std::string default_tech_path();

/// Node-scaling factors of the rule E ∝ C·V², C ∝ L; area ∝ L².
double node_energy_factor(double from_nm, double from_v, double to_nm, double to_v);
double node_area_factor(double from_nm, double to_nm);

}  // namespace wrpn::energy
