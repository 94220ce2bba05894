// Commands of the mapping component: `wrpn map` (the mapper's per-layer choice for a network on an
// arch, printed and written as CSV, JSON and a replayable mapping file), `wrpn bench map`, and the
// "mapping" validator of `wrpn validate`. Parsing and dispatch only: the mapper is mapping/, the
// energy per action comes from energy/'s price over the tech table.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/commands.h"
#include "apps/precision_flags.h"
#include "common/arch_config.h"
#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/run_manifest.h"
#include "energy/pricing.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"
#include "mapping/evaluate.h"
#include "mapping/mapper.h"
#include "mapping/mapping_file.h"
#include "workloads/network.h"

namespace wrpn {

namespace {

std::string validate_mapping(const std::string& path) {
  const mapping::MappingFile f = mapping::load_mapping_file(path);
  return "mapping of " + std::to_string(f.mappings.size()) + " layers" +
         (f.network.empty() ? std::string() : " of \"" + f.network + "\"") +
         (f.arch.empty() ? std::string() : " on \"" + f.arch + "\"") +
         (f.objective.empty() ? std::string() : " (objective " + f.objective + ")");
}

struct MapOptions {
  std::string network = "alexnet", arch, tech, objective = mapping::to_string(mapping::kDefaultObjective), out;
  double width = 1.0;
  PrecisionFlags prec;
  int64_t batch = 1;
  bool replace = false;
};

void check_bits(const char* flag, int bits) {
  if (!is_valid_bits(bits))
    fail("MAP003", "", flag, "expected bits in [1, 16] or 32, got " + std::to_string(bits),
         "WRPN uses 2 to 8 bits; 32 means FP32");
}

void run_map(const MapOptions& o) {
  check_bits("--wbits", o.prec.wbits);
  check_bits("--abits", o.prec.abits);
  if (o.batch < 1) fail("MAP003", "", "--batch", "expected a batch size >= 1, got " + std::to_string(o.batch));
  mapping::Objective objective;
  if (!mapping::parse_objective(o.objective, &objective))
    fail("MAP003", "", "--objective", "expected energy, cycles, edp or dram, got \"" + o.objective + "\"");
  const Network net =
      with_batch(apply_precision(apply_width(load_network(o.network), o.width), o.prec.policy()), o.batch);
  const mapping::ResolvedArch design =
      mapping::resolve_arch(o.arch.empty() ? ArchConfig::builtin_template() : ArchConfig::load(o.arch), o.prec.policy(),
                            net.layers, o.network);
  const ArchConfig& arch = design.arch;
  const energy::TechTable tech = o.tech.empty() ? energy::TechTable::load_default() : energy::TechTable::load(o.tech);
  const std::filesystem::path run_dir =
      o.out.empty() ? std::filesystem::path("results") / "runs" / new_run_id("map") : std::filesystem::path(o.out);
  check_writable_directory(run_dir.has_parent_path() ? run_dir.parent_path() : std::filesystem::path("."));
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

  CsvTable csv({"layer",
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
  std::printf("%-14s %-34s %12s %8s %8s %12s %7s %11s\n", "layer", "mapping", "cycles", "MAC%", "busy%", "DRAM_B",
              "ratio", "energy_uJ");
  uint64_t cycles = 0, macs = 0, dram = 0, compulsory = 0;
  for (size_t i = 0; i < ev.layers.size(); ++i) {
    const mapping::LayerEvaluation& le = ev.layers[i];
    const mapping::MappedLayer& ml = mapped[i];
    const double uj = e.layers.size() > i ? e.layers[i].total_pj * 1e-6 : 0.0;
    const uint64_t bytes = le.counts.dram_read_bytes + le.counts.dram_write_bytes;
    cycles += le.counts.cycles;
    macs += le.counts.macs;
    dram += bytes;
    compulsory += le.compulsory_dram_bytes;
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
    row.add(le.passes)
        .add(le.counts.cycles)
        .add(le.counts.macs)
        .add(100.0 * le.useful_mac_utilization())
        .add(100.0 * le.pe_busy_utilization())
        .add(bytes)
        .add(le.compulsory_dram_bytes)
        .add(le.dram_ratio())
        .add(uj)
        .add(ml.candidates)
        .add(ml.legal)
        .add(ml.costed);
  }
  const double pes = static_cast<double>(arch.rows) * static_cast<double>(arch.cols);
  std::printf("%-14s %-34s %12llu %8.2f %8s %12llu %7.3f %11.4g\n", "total", "",
              static_cast<unsigned long long>(cycles),
              cycles ? 100.0 * static_cast<double>(macs) / (pes * static_cast<double>(cycles)) : 0.0, "",
              static_cast<unsigned long long>(dram),
              compulsory ? static_cast<double>(dram) / static_cast<double>(compulsory) : 0.0, e.total_pj * 1e-6);
  std::printf("objective %s on %s (%dx%d), tech %s: mapped %zu layers in %.3f s\n", o.objective.c_str(),
              arch.name.c_str(), arch.rows, arch.cols, tech.name.c_str(), net.layers.size(), map_s);

  std::printf("design point: %s\n", design.describe().c_str());
  nlohmann::json effective{
      {"network", o.network}, {"width", o.width},         {"wbits", o.prec.wbits},  {"abits", o.prec.abits},
      {"batch", o.batch},     {"objective", o.objective}, {"arch", arch.to_json()}, {"design_point", design.to_json()},
      {"tech", tech.name}};
  nlohmann::json summary{{"network", o.network},    {"objective", o.objective},
                         {"cycles", cycles},        {"macs", macs},
                         {"dram_bytes", dram},      {"compulsory_dram_bytes", compulsory},
                         {"energy_pj", e.total_pj}, {"map_seconds", map_s},
                         {"layers", ev.rows}};
  write_file_atomic(staged.staging() / "layers.csv", csv.str());
  write_file_atomic(staged.staging() / "map.json", summary.dump(2) + "\n");
  write_file_atomic(staged.staging() / "mapping.json",
                    mapping::mapping_file_json(o.network, arch.name, o.objective, net.layers, ms).dump(2) + "\n");
  write_file_atomic(staged.staging() / "effective_config.json", effective.dump(2) + "\n");
  write_file_atomic(staged.staging() / "manifest.json", make_manifest("map", 0, effective).dump(2) + "\n");
  staged.commit();
  std::printf(
      "wrote %s/{layers.csv, map.json, mapping.json (replay: wrpn sim --mapping), effective_config.json, "
      "manifest.json}\n",
      run_dir.string().c_str());
}

void run_bench_map() {
  // ResNet-34 width 2, W4A4 (8-bit first and last layers), batch 1, on the built-in 32x32 array.
  const Network net = apply_precision(apply_width(builtin_network("resnet34"), 2.0), PrecisionPolicy::uniform(4, 4));
  // Once on the array with its one dataflow (output stationary), once with all three listed.
  ArchConfig one = ArchConfig::builtin_default(8, 8);
  one.rows = one.cols = 32;
  ArchConfig all = one;
  all.dataflows = {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary};
  const energy::TechTable tech = energy::TechTable::load_default();
  for (const ArchConfig* ap : {&one, &all})
    for (mapping::Objective o :
         {mapping::Objective::edp, mapping::Objective::energy, mapping::Objective::cycles, mapping::Objective::dram}) {
      const ArchConfig& arch = *ap;
      const auto t0 = std::chrono::steady_clock::now();
      const std::clock_t c0 = std::clock();
      const mapping::EnergyWeights w =
          mapping::probe_energy_weights(arch, [&](const ActionCounts& c) { return energy::price({c}, tech).total_pj; });
      const std::vector<mapping::MappedLayer> mapped = mapping::map_network(arch, net.layers, o, &w);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
      uint64_t cand = 0, legal = 0, costed = 0;
      for (const auto& m : mapped) {
        cand += m.candidates;
        legal += m.legal;
        costed += m.costed;
      }
      std::printf(
          "map resnet34 w2 W4A4 on 32x32 %-8s, objective %-6s: %.3f s wall, %.3f s CPU (one core; %zu layers; %llu "
          "candidates, %llu legal, %llu fully costed)\n",
          ap == &one ? "OS" : "OS+WS+IS", mapping::to_string(o), s, cpu, net.layers.size(),
          static_cast<unsigned long long>(cand), static_cast<unsigned long long>(legal),
          static_cast<unsigned long long>(costed));
    }
}

}  // namespace

void register_map_commands(CommandGroups& g) {
  register_validator("mapping", validate_mapping);
  static MapOptions o;
  CLI::App* m = g.root.add_subcommand(
      "map",
      "Map a network onto an arch: per layer, the best legal mapping of the documented space (docs/mapping.md) for "
      "an objective; prints mapping, cycles, useful-MAC and PE-busy utilization, DRAM bytes against compulsory, "
      "energy; writes layers.csv, map.json and mapping.json (replay with `wrpn sim --mapping`)");
  m->add_option("--network", o.network, "built-in network or network/topology file")->capture_default_str();
  m->add_option("--width", o.width, "width multiplier")->capture_default_str();
  add_precision_flags(m, o.prec);
  m->add_option("--batch", o.batch, "images per batch")->capture_default_str();
  m->add_option("--arch", o.arch,
                "arch config (configs/arch/*.json). Default: built-in 16x16; without \"pe\" the PE and accumulator "
                "come from the design-point policy (docs/design-points.md)");
  m->add_option("--tech", o.tech, "tech table that prices energy (configs/tech/*.json). Default: the built-in one");
  m->add_option("--objective", o.objective, "energy, cycles, edp (energy x cycles) or dram (bytes)")
      ->capture_default_str();
  m->add_option("--out", o.out, "run directory to create. Default: results/runs/<id>");
  m->add_flag("--replace", o.replace, "replace an existing --out directory");
  m->callback([] { run_map(o); });
  CLI::App* b = g.bench.add_subcommand(
      "map",
      "Time the mapper on ResNet-34 width 2 (W4A4) on a 32x32 array, for each objective (one core): with the "
      "array's one dataflow (output stationary), then with all three (OS, WS, IS) in the space");
  b->callback([] { run_bench_map(); });
}

}  // namespace wrpn
