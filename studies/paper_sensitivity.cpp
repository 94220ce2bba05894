#include "studies/paper_sensitivity.h"

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "energy/compare.h"
#include "energy/pricing.h"
#include "mapping/design_point.h"
#include "mapping/evaluate.h"
#include "mapping/mapper.h"

namespace fs = std::filesystem;

namespace wrpn {

const std::vector<SensitivityCase>& sensitivity_cases() {
  static const std::vector<SensitivityCase> cases{{"alexnet", 2.0, 4, 4, "alexnet_2x_w4a4"},
                                                  {"resnet34", 2.0, 4, 8, "resnet34_2x_w4a8"}};
  return cases;
}

ArchConfig sensitivity_base_arch(const SensitivityCase& k, const Network& wrpn_net) {
  return mapping::resolve_arch(ArchConfig::builtin_template(), PrecisionPolicy::uniform(k.wbits, k.abits),
                               wrpn_net.layers, k.network)
      .arch;
}

std::vector<SensitivityChoice> sensitivity_choices(const std::string& scaled_tech_path) {
  using energy::TechTable;
  auto banks = [](int n, int ports) {
    return [n, ports](ArchConfig& a, TechTable&, const Network&) {
      for (auto& b : a.buffers) {
        b.banks = n;
        b.ports = ports;
      }
    };
  };
  std::vector<SensitivityChoice> c;
  c.push_back({"defaults",
               "clock gated, DDR3, 1 bank x 1 port per buffer, accumulator from the workload, horowitz45 (45 nm)",
               [](ArchConfig&, TechTable&, const Network&) {}});
  c.push_back({"clock_gating", "off: idle PEs clock their registers",
               [](ArchConfig& a, TechTable&, const Network&) { a.clock_gating = false; }});
  c.push_back({"dram", "lpddr4", [](ArchConfig& a, TechTable&, const Network&) { a.dram.type = DramType::lpddr4; }});
  c.push_back({"dram", "hbm2", [](ArchConfig& a, TechTable&, const Network&) { a.dram.type = DramType::hbm2; }});
  c.push_back({"sram", "4 banks per buffer, priced per bank", banks(4, 1)});
  c.push_back({"sram", "4 banks per buffer, priced as monolithic arrays",
               [banks](ArchConfig& a, TechTable& t, const Network& n) {
                 banks(4, 1)(a, t, n);
                 t.sram_per_bank = false;
               }});
  c.push_back({"sram", "2 ports per bank", banks(1, 2)});
  c.push_back({"accumulator", "32 bits, pinned (the width before it came from the workload)",
               [](ArchConfig& a, TechTable&, const Network&) { a.acc_bits = 32; }});
  const auto same = [](ArchConfig&, TechTable&, const Network&) {};
  c.push_back({"objective", "mapper objective energy (both sides)", same, mapping::Objective::energy});
  c.push_back({"objective", "mapper objective cycles (both sides)", same, mapping::Objective::cycles});
  c.push_back({"objective", "mapper objective dram (both sides)", same, mapping::Objective::dram});
  c.push_back({"tech", "scaled22 (22 nm, 0.8 V)", [scaled_tech_path](ArchConfig&, TechTable& t, const Network&) {
                 t = TechTable::load(scaled_tech_path);
               }});
  return c;
}

CsvTable sensitivity_table(const energy::TechTable& tech, const std::vector<SensitivityChoice>& choices) {
  std::vector<std::string> cols{"knob", "choice"};
  for (const auto& k : sensitivity_cases())
    for (const std::string x : {"_gain", "_gain_vs_defaults", "_fp32_energy_pj", "_wrpn_energy_pj"})
      cols.push_back(k.column + x);
  CsvTable t(cols);
  std::vector<double> default_gain(sensitivity_cases().size(), 0.0);
  for (size_t row = 0; row < choices.size(); ++row) {
    const SensitivityChoice& ch = choices[row];
    t.row().add(ch.knob).add(ch.choice);
    for (size_t i = 0; i < sensitivity_cases().size(); ++i) {
      const SensitivityCase& k = sensitivity_cases()[i];
      const Network base = builtin_network(k.network);
      const Network wrpn_net = apply_precision(apply_width(base, k.width), PrecisionPolicy::uniform(k.wbits, k.abits));
      ArchConfig arch = sensitivity_base_arch(k, wrpn_net);
      energy::TechTable tt = tech;
      ch.apply(arch, tt, wrpn_net);
      // Each side at its best mapping under the default objective (as `wrpn energy`), re-chosen
      // under this choice's prices.
      const energy::Comparison c = energy::compare_fp32_wrpn(
          base, k.width, k.wbits, k.abits, 1, arch, tt, [&](const Network& net, const ArchConfig& a) {
            const std::vector<mapping::LayerMapping> ms = mapping::choose_mappings(
                a, net.layers, ch.objective, [&](const ActionCounts& ac) { return energy::price({ac}, tt).total_pj; });
            mapping::NetworkEvaluation e = mapping::evaluate_network(a, net.layers, &ms, net.name);
            return energy::SideCounts{std::move(e.counts), std::move(e.rows)};
          });
      if (row == 0) default_gain[i] = c.efficiency_gain;
      t.add(c.efficiency_gain)
          .add(default_gain[i] > 0 ? c.efficiency_gain / default_gain[i] : 0.0)
          .add(c.fp32.energy.total_pj)
          .add(c.wrpn.energy.total_pj);
    }
  }
  return t;
}

std::string write_sensitivity_csv(const fs::path& dir, const energy::TechTable& tech) {
  const fs::path scaled = fs::path(energy::default_tech_path()).parent_path() / "scaled22.json";
  write_file_atomic(dir / "sensitivity.csv", sensitivity_table(tech, sensitivity_choices(scaled.string())).str());
  return "sensitivity.csv";
}

}  // namespace wrpn
