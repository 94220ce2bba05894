#include "energy/synth_calibration.h"

#include <algorithm>
#include <cstdio>

#include "common/diagnostics.h"
#include "energy/synth_results.h"

namespace wrpn::energy {

namespace {

constexpr const char* kCode = "EN006";

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::vector<SynthMac> read_synth_macs(const std::string& synth_dir) {
  std::vector<SynthMac> macs;
  for (const SynthResult& r : read_synth_results(synth_dir)) {
    if (r.top != "mac_unit") continue;  // ternary, binary, FP32 and PE results
    SynthMac m;
    m.file = r.file;
    m.variant = r.variant;
    m.wbits = r.wbits;
    m.abits = r.abits;
    m.acc_bits = r.acc_bits;
    m.logic_cells = r.logic_cells;
    m.flip_flops = r.flip_flops;
    m.area_um2 = r.area_um2;
    m.yosys = r.yosys;
    m.abc = r.abc;
    macs.push_back(m);
  }
  if (macs.empty())
    fail(kCode, synth_dir, "", "no integer MAC (top \"mac_unit\") synthesis results in the directory",
         "run `wrpn synth --variant mac_unit` (or point at results/synth)");
  // read_synth_results sorts by (top, type, wbits, abits, acc_bits, lanes): mac_unit results come in
  // (wbits, abits, acc_bits) order.
  return macs;
}

TechTable with_synth_calibration(const TechTable& base, const std::string& synth_dir) {
  const std::vector<SynthMac> macs = read_synth_macs(synth_dir);
  // The reference: the 8-bit MAC (the smallest synthesized accumulator if there are several).
  const auto ref =
      std::find_if(macs.begin(), macs.end(), [](const SynthMac& m) { return m.wbits == 8 && m.abits == 8; });
  if (ref == macs.end())
    fail(kCode, synth_dir, "", "no w8 a8 mac_unit result to normalize the calibration against",
         "the 8-bit MAC keeps the tech table's energy and area; run `wrpn synth --variant mac_unit --width 8`");

  TechTable t = base;
  const double ref_pj = base.int_mult_pj(8, 8) + base.int_add_pj(ref->acc_bits);
  const double ref_um2 = base.int_mult_area_um2(8, 8) + base.int_add_area_um2(ref->acc_bits);
  t.calibration_energy_pj_per_gate = ref_pj / ref->logic_cells;
  t.calibration_area_um2_per_gate = ref_um2 / ref->logic_cells;
  t.calibration.clear();  // one consistent per-gate normalization: synthesized entries replace any others
  for (const auto& m : macs) {
    MacCalibration c;
    c.wbits = m.wbits;
    c.abits = m.abits;
    c.acc_bits = m.acc_bits;
    c.gates = m.logic_cells;
    c.source = m.file + " (" + m.variant + ", Yosys " + (m.yosys.empty() ? "?" : m.yosys) + ", abc " +
               (m.abc.empty() ? "?" : m.abc) + "): " + std::to_string(m.logic_cells) + " logic cells; its " +
               std::to_string(m.flip_flops) + " flip-flops are priced by the register rule";
    t.calibration.push_back(c);
  }
  t.calibration_source = "Yosys cell counts of rtl/ mac_unit from " + synth_dir + ", normalized so that " +
                         ref->variant + " (" + std::to_string(ref->logic_cells) + " logic cells) keeps " + base.name +
                         "'s rule values int_mult(8,8) + int_add(" + std::to_string(ref->acc_bits) +
                         ") = " + fmt("%.6g", ref_pj) + " pJ and " + fmt("%.6g", ref_um2) +
                         " um2; other accumulator widths: entry of the same (wbits, abits) plus int_add(acc_bits) - "
                         "int_add(acc_synth); widths without an entry keep the table rule";
  return t;
}

std::string calibration_note(const TechTable& t) {
  if (t.calibration.empty()) return "";
  // One entry per (wbits, abits): a width synthesized at several accumulators is listed once.
  std::string widths;
  std::vector<std::pair<int, int>> listed;
  for (const auto& c : t.calibration) {
    if (std::find(listed.begin(), listed.end(), std::make_pair(c.wbits, c.abits)) != listed.end()) continue;
    listed.emplace_back(c.wbits, c.abits);
    if (!widths.empty()) widths += ", ";
    widths += "W" + std::to_string(c.wbits) + "A" + std::to_string(c.abits);
  }
  return "int MAC energy and PE datapath area: Yosys-calibrated for " + widths + " (" +
         fmt("%.4g", t.calibration_energy_pj_per_gate) + " pJ and " + fmt("%.4g", t.calibration_area_um2_per_gate) +
         " um^2 per logic cell); other integer widths use the table rule";
}

}  // namespace wrpn::energy
