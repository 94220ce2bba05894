#include "energy/pricing.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace wrpn::energy {

double EnergyBreakdown::component_pj(const std::string& name) const {
  for (size_t i = 0; i < components.size(); ++i)
    if (components[i] == name) return total_by_component_pj[i];
  return 0.0;
}

nlohmann::json EnergyBreakdown::to_json() const {
  nlohmann::json by_comp = nlohmann::json::object();
  for (size_t i = 0; i < components.size(); ++i) by_comp[components[i]] = total_by_component_pj[i];
  nlohmann::json layers_j = nlohmann::json::array();
  for (const auto& l : layers) {
    nlohmann::json comp = nlohmann::json::object();
    for (size_t i = 0; i < components.size(); ++i) comp[components[i]] = l.component_pj[i];
    layers_j.push_back({{"layer", l.layer}, {"cycles", l.cycles}, {"energy_pj", l.total_pj}, {"components_pj", comp}});
  }
  return {{"tech", tech},
          {"counts_source", counts_source},
          {"total_energy_pj", total_pj},
          {"clock_gating", clock_gating},
          {"total_energy_clock_gated_pj", total_clock_gated_pj()},
          {"total_energy_clock_ungated_pj", total_clock_ungated_pj()},
          {"time_s", time_s},
          {"components_pj", by_comp},
          {"layers", layers_j}};
}

std::string clock_totals_line(const EnergyBreakdown& e) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "  total if idle PE clocks gated: %.6g uJ%s; ungated: %.6g uJ%s\n",
                e.total_clock_gated_pj() * 1e-6, e.clock_gating ? " (configured)" : "",
                e.total_clock_ungated_pj() * 1e-6, e.clock_gating ? "" : " (configured)");
  return buf;
}

ActionEnergies action_energies(const ActionCounts& c, const TechTable& t) {
  ActionEnergies e;
  e.mac_pj = t.mac_pj(c.pe_type, c.pe_wbits, c.pe_abits, c.acc_bits);
  const bool fp = c.pe_type == PeType::fp32;
  const int wbits = fp ? 32 : c.pe_wbits, abits = fp ? 32 : c.pe_abits, acc = fp ? 32 : c.acc_bits;
  e.operand_register_pj = t.register_pj(wbits + abits) / 2.0;
  e.accumulator_pj = t.register_pj(acc);
  // Post-processing: FP32 applies batch norm as a multiply and an add; integer requantization
  // multiplies the accumulator by a 16-bit M and adds B (docs/architecture.md section 3).
  e.requant_pj = fp ? t.fp32_mult.energy_pj + t.fp32_add.energy_pj : t.int_mult_pj(acc, 16) + t.int_add_pj(acc);
  e.pool_pj = fp ? t.fp32_add.energy_pj : t.int_add_pj(std::max(abits, 2));
  e.add_pj = fp ? t.fp32_add.energy_pj : t.int_add_pj(abits + 1);
  e.pe_leakage_mw = t.pe_leakage_mw(c.pe_type, wbits, abits, acc);
  e.idle_clock_pj = t.pe_idle_clock_pj(c.pe_type, wbits, abits, acc);
  return e;
}

EnergyBreakdown price(const std::vector<ActionCounts>& per_layer, const TechTable& tech) {
  EnergyBreakdown out;
  out.tech = tech.name;
  out.counts_source = per_layer.empty() ? "" : per_layer.front().source;
  out.clock_gating = per_layer.empty() || per_layer.front().clock_gating;
  out.components = {kMac, kRegisters, kIdleClock, kPostproc};
  std::vector<std::string> buffer_names;
  for (const auto& l : per_layer)
    for (const auto& b : l.buffers)
      if (std::find(buffer_names.begin(), buffer_names.end(), b.name) == buffer_names.end())
        buffer_names.push_back(b.name);
  for (const auto& n : buffer_names) out.components.push_back(n);
  out.components.push_back(kDram);
  out.components.push_back(kLeakage);
  const size_t nc = out.components.size();
  out.total_by_component_pj.assign(nc, 0.0);
  auto index_of = [&](const std::string& name) {
    return static_cast<size_t>(std::find(out.components.begin(), out.components.end(), name) - out.components.begin());
  };

  for (const auto& c : per_layer) {
    const ActionEnergies e = action_energies(c, tech);
    LayerEnergy le;
    le.layer = c.layer;
    le.cycles = c.cycles;
    le.component_pj.assign(nc, 0.0);
    // A PE operation per active PE cycle (several per MAC when a wide layer runs bit-sliced on
    // narrow PEs); a record without cycle detail falls back to its MAC count.
    const uint64_t pe_ops = c.pe_active_cycles > 0 ? c.pe_active_cycles : c.macs;
    le.component_pj[0] = static_cast<double>(pe_ops) * e.mac_pj;
    le.component_pj[1] = static_cast<double>(c.operand_register_writes) * e.operand_register_pj +
                         static_cast<double>(c.accumulator_updates) * e.accumulator_pj;
    const double idle_clock = static_cast<double>(c.pe_idle_cycles) * e.idle_clock_pj;
    out.ungated_idle_clock_pj += idle_clock;
    le.component_pj[2] = c.clock_gating ? 0.0 : idle_clock;
    le.component_pj[3] = static_cast<double>(c.requant_ops) * e.requant_pj +
                         static_cast<double>(c.pool_ops) * e.pool_pj + static_cast<double>(c.add_ops) * e.add_pj;
    double sram_kib = 0;
    for (const auto& b : c.buffers) {
      const double cap = static_cast<double>(b.capacity_kib);
      le.component_pj[index_of(b.name)] +=
          static_cast<double>(b.read_words) * tech.sram_access_pj(cap, b.word_bits, b.banks, b.ports, false) +
          static_cast<double>(b.write_words) * tech.sram_access_pj(cap, b.word_bits, b.banks, b.ports, true);
      // Leakage follows area: a multi-ported cell is larger.
      sram_kib += cap * tech.sram_port_area_factor(b.ports);
    }
    le.component_pj[index_of(kDram)] =
        static_cast<double>(c.dram_read_bytes + c.dram_write_bytes) * tech.dram_pj_per_byte(c.dram_type);
    // Leakage: P [mW] × t [s] = mJ, and 1 mJ = 1e9 pJ.
    const double pes =
        c.cycles > 0 ? static_cast<double>(c.pe_active_cycles + c.pe_idle_cycles) / static_cast<double>(c.cycles) : 0.0;
    const double leak_mw = pes * e.pe_leakage_mw + sram_kib * tech.sram_leakage_mw_per_kib();
    le.component_pj[index_of(kLeakage)] = leak_mw * c.time_s() * 1e9;
    for (size_t i = 0; i < nc; ++i) {
      le.total_pj += le.component_pj[i];
      out.total_by_component_pj[i] += le.component_pj[i];
    }
    out.total_pj += le.total_pj;
    out.time_s += c.time_s();
    out.layers.push_back(std::move(le));
  }
  return out;
}

nlohmann::json AreaBreakdown::to_json() const {
  nlohmann::json bufs = nlohmann::json::object();
  for (const auto& [n, a] : buffers_mm2) bufs[n] = a;
  return {{"pe_um2", pe_um2},
          {"num_pes", num_pes},
          {"array_mm2", array_mm2},
          {"buffers_mm2", bufs},
          {"total_mm2", total_mm2}};
}

AreaBreakdown area(const ArchConfig& arch, const TechTable& tech) {
  AreaBreakdown a;
  a.pe_um2 = tech.pe_area_um2(arch.pe_type, arch.pe_wbits, arch.pe_abits, arch.acc_bits);
  a.num_pes = static_cast<int64_t>(arch.rows) * arch.cols;
  a.array_mm2 = a.pe_um2 * static_cast<double>(a.num_pes) * 1e-6;
  a.total_mm2 = a.array_mm2;
  for (const auto& b : arch.buffers) {
    const double mm2 =
        static_cast<double>(b.capacity_kib) * tech.sram_area_um2_per_kib * tech.sram_port_area_factor(b.ports) * 1e-6;
    a.buffers_mm2.emplace_back(b.name, mm2);
    a.total_mm2 += mm2;
  }
  return a;
}

}  // namespace wrpn::energy
