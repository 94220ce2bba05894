#include "studies/map_run.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/arch_config.h"
#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/run_manifest.h"
#include "energy/pricing.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"
#include "mapping/evaluate.h"
#include "mapping/mapping_file.h"

namespace wrpn {

namespace {

namespace fs = std::filesystem;

void check_bits(const char* flag, int bits) {
  if (!is_valid_bits(bits))
    fail("MAP003", "", flag, "expected bits in [1, 16] or 32, got " + std::to_string(bits),
         "WRPN uses 2 to 8 bits; 32 means FP32");
}

mapping::Objective check_options(const MapRunOptions& o) {
  check_bits("--wbits", o.wbits);
  check_bits("--abits", o.abits);
  if (o.batch < 1) fail("MAP003", "", "--batch", "expected a batch size >= 1, got " + std::to_string(o.batch));
  mapping::Objective objective;
  if (!mapping::parse_objective(o.objective, &objective))
    fail("MAP003", "", "--objective", "expected energy, cycles, edp or dram, got \"" + o.objective + "\"");
  return objective;
}

/// Network totals of the printed table.
struct Totals {
  uint64_t cycles = 0, macs = 0, dram = 0, compulsory = 0;
};

CsvTable layers_table() {
  return CsvTable({"layer",
                   "dataflow",
                   "loop_order",
                   "tm",
                   "tn",
                   "tl",
                   "weights_resident",
                   "inputs_resident",
                   "partial_sums",
                   "passes",
                   "cycles",
                   "macs",
                   "useful_mac_utilization_pct",
                   "pe_busy_utilization_pct",
                   "dram_bytes",
                   "compulsory_dram_bytes",
                   "dram_ratio",
                   "energy_uj",
                   "candidates",
                   "legal",
                   "costed"});
}

/// One layer: a printed line and a layers.csv row; adds it to the totals.
void add_layer(CsvTable& csv, Totals& t, const mapping::LayerEvaluation& le, const mapping::MappedLayer& ml,
               double uj) {
  const uint64_t bytes = le.counts.dram_read_bytes + le.counts.dram_write_bytes;
  t.cycles += le.counts.cycles;
  t.macs += le.counts.macs;
  t.dram += bytes;
  t.compulsory += le.compulsory_dram_bytes;
  const std::string desc = le.on_array ? mapping::describe(le.mapping) : std::string("post-processor");
  std::printf("%-14s %-34s %12llu %8.2f %8.2f %12llu %7.3f %11.4g\n", le.counts.layer.c_str(), desc.c_str(),
              static_cast<unsigned long long>(le.counts.cycles), 100.0 * le.useful_mac_utilization(),
              100.0 * le.pe_busy_utilization(), static_cast<unsigned long long>(bytes), le.dram_ratio(), uj);
  auto& row = csv.row().add(le.counts.layer);
  if (le.on_array)
    row.add(to_string(le.mapping.dataflow))
        .add(le.loop_order)
        .add(le.mapping.tm)
        .add(le.mapping.tn)
        .add(le.mapping.tl)
        .add(le.mapping.weights_resident ? 1 : 0)
        .add(le.mapping.inputs_resident ? 1 : 0)
        .add(le.split_reduction ? "output_buffer" : "array");
  else
    row.add("post_processor").add("planes").add("").add("").add("").add("").add("").add("");
  row.add(le.passes).add(le.counts.cycles).add(le.counts.macs).add(100.0 * le.useful_mac_utilization());
  row.add(100.0 * le.pe_busy_utilization()).add(bytes).add(le.compulsory_dram_bytes).add(le.dram_ratio()).add(uj);
  row.add(ml.candidates).add(ml.legal).add(ml.costed);
}

void write_run(const fs::path& dir, const MapRunOptions& o, const mapping::ResolvedArch& design,
               const energy::TechTable& tech, const nlohmann::json& summary, const nlohmann::json& mapping_file,
               const CsvTable& csv) {
  nlohmann::json effective{{"network", o.network},
                           {"width", o.width},
                           {"wbits", o.wbits},
                           {"abits", o.abits},
                           {"batch", o.batch},
                           {"objective", o.objective},
                           {"arch", design.arch.to_json()},
                           {"design_point", design.to_json()},
                           {"tech", tech.name}};
  write_file_atomic(dir / "layers.csv", csv.str());
  write_file_atomic(dir / "map.json", summary.dump(2) + "\n");
  write_file_atomic(dir / "mapping.json", mapping_file.dump(2) + "\n");
  write_file_atomic(dir / "effective_config.json", effective.dump(2) + "\n");
  write_file_atomic(dir / "manifest.json", make_manifest("map", 0, effective).dump(2) + "\n");
}

}  // namespace

void run_map(const MapRunOptions& o) {
  const mapping::Objective objective = check_options(o);
  const Network net = with_batch(apply_precision(apply_width(load_network(o.network), o.width), o.precision), o.batch);
  const mapping::ResolvedArch design = mapping::resolve_arch(
      o.arch.empty() ? ArchConfig::builtin_template() : ArchConfig::load(o.arch), o.precision, net.layers, o.network);
  const ArchConfig& arch = design.arch;
  const energy::TechTable tech = o.tech.empty() ? energy::TechTable::load_default() : energy::TechTable::load(o.tech);
  const fs::path run_dir = o.out.empty() ? fs::path("results") / "runs" / new_run_id("map") : fs::path(o.out);
  check_writable_directory(run_dir.has_parent_path() ? run_dir.parent_path() : fs::path("."));
  StagedDirectory staged(run_dir, o.replace);

  const auto t0 = std::chrono::steady_clock::now();
  const mapping::EnergyWeights w =
      mapping::probe_energy_weights(arch, [&](const ActionCounts& c) { return energy::price({c}, tech).total_pj; });
  const std::vector<mapping::MappedLayer> mapped = mapping::map_network(arch, net.layers, objective, &w);
  const double map_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<mapping::LayerMapping> ms;
  for (const auto& m : mapped) ms.push_back(m.mapping);
  const mapping::NetworkEvaluation ev = mapping::evaluate_network(arch, net.layers, &ms, o.network);
  const energy::EnergyBreakdown e = energy::price(ev.counts, tech);

  CsvTable csv = layers_table();
  std::printf("%-14s %-34s %12s %8s %8s %12s %7s %11s\n", "layer", "mapping", "cycles", "MAC%", "busy%", "DRAM_B",
              "ratio", "energy_uJ");
  Totals t;
  for (size_t i = 0; i < ev.layers.size(); ++i)
    add_layer(csv, t, ev.layers[i], mapped[i], e.layers.size() > i ? e.layers[i].total_pj * 1e-6 : 0.0);
  const double pes = static_cast<double>(arch.rows) * static_cast<double>(arch.cols);
  std::printf("%-14s %-34s %12llu %8.2f %8s %12llu %7.3f %11.4g\n", "total", "",
              static_cast<unsigned long long>(t.cycles),
              t.cycles ? 100.0 * static_cast<double>(t.macs) / (pes * static_cast<double>(t.cycles)) : 0.0, "",
              static_cast<unsigned long long>(t.dram),
              t.compulsory ? static_cast<double>(t.dram) / static_cast<double>(t.compulsory) : 0.0, e.total_pj * 1e-6);
  std::printf("objective %s on %s (%dx%d), tech %s: mapped %zu layers in %.3f s\n", o.objective.c_str(),
              arch.name.c_str(), arch.rows, arch.cols, tech.name.c_str(), net.layers.size(), map_s);
  std::printf("design point: %s\n", design.describe().c_str());
  const nlohmann::json summary{
      {"network", o.network},    {"objective", o.objective}, {"cycles", t.cycles},
      {"macs", t.macs},          {"dram_bytes", t.dram},     {"compulsory_dram_bytes", t.compulsory},
      {"energy_pj", e.total_pj}, {"map_seconds", map_s},     {"layers", ev.rows}};
  write_run(staged.staging(), o, design, tech, summary,
            mapping::mapping_file_json(o.network, arch.name, o.objective, net.layers, ms), csv);
  staged.commit();
  std::printf(
      "wrote %s/{layers.csv, map.json, mapping.json (replay: wrpn sim --mapping), effective_config.json, "
      "manifest.json}\n",
      run_dir.string().c_str());
}

}  // namespace wrpn
