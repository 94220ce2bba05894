// Commands of the mapping component: `wrpn map` (the mapper's per-layer choice for a network on an
// arch, printed and written as CSV, JSON and a replayable mapping file), `wrpn bench map`, and the
// "mapping" validator of `wrpn validate`. Parsing and dispatch only: the run is studies/map_run.h,
// the mapper mapping/, the energy per action energy/'s price over the tech table.
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
#include "studies/map_run.h"
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
  m->footer("Example: wrpn map --network alexnet --width 2 --wbits 4 --abits 4 --objective edp");
  m->callback([] {
    check_precision_flags(o.prec);
    MapRunOptions r;
    r.network = o.network;
    r.arch = o.arch;
    r.tech = o.tech;
    r.objective = o.objective;
    r.out = o.out;
    r.width = o.width;
    r.wbits = o.prec.wbits;
    r.abits = o.prec.abits;
    r.precision = o.prec.policy();
    r.batch = o.batch;
    r.replace = o.replace;
    run_map(r);
  });
  CLI::App* b = g.bench.add_subcommand(
      "map",
      "Time the mapper on ResNet-34 width 2 (W4A4) on a 32x32 array, for each objective (one core): with the "
      "array's one dataflow (output stationary), then with all three (OS, WS, IS) in the space");
  b->footer("Example: wrpn bench map");
  b->callback([] { run_bench_map(); });
}

}  // namespace wrpn
