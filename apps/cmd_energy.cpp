// Commands of the energy component: `wrpn energy` (FP32 vs WRPN report) and the "tech" validator.
// Parsing only; the work is in energy/.
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "apps/commands.h"
#include "apps/precision_flags.h"
#include "common/arch_config.h"
#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "common/run_manifest.h"
#include "energy/compare.h"
#include "energy/synth_calibration.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"
#include "mapping/evaluate.h"
#include "mapping/mapper.h"
#include "workloads/network.h"

namespace wrpn {

namespace {

std::string validate_tech(const std::string& path) {
  const energy::TechTable t = energy::TechTable::load(path);
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "tech table \"%s\" (%.0f nm, %.2f V): FP32 MAC %.3f pJ, int8 MAC %.3f pJ, int4 MAC %.3f pJ",
                t.name.c_str(), t.node_nm, t.voltage_v, t.mac_pj(PeType::fp32, 32, 32, 32),
                t.mac_pj(PeType::int_k, 8, 8, 32), t.mac_pj(PeType::int_k, 4, 4, 32));
  return buf;
}

struct EnergyOptions {
  std::string network;
  double width = 2.0;
  PrecisionFlags prec;
  int64_t batch = 1;
  std::string arch;
  std::string tech;
  std::string synth_calibration;
  std::string out;
  std::string objective = mapping::to_string(mapping::kDefaultObjective);
};

void check_bits(const char* flag, int bits) {
  if (!is_valid_bits(bits))
    fail("EN005", "", flag, "expected bits in [1, 16] or 32, got " + std::to_string(bits),
         "WRPN uses 2 to 8 bits; 32 means FP32");
}

void run_energy(const EnergyOptions& o) {
  check_bits("--wbits", o.prec.wbits);
  check_bits("--abits", o.prec.abits);
  if (o.batch < 1) fail("EN005", "", "--batch", "expected a batch size >= 1, got " + std::to_string(o.batch));
  const Network base = load_network(o.network);
  // The WRPN side's PE array and accumulator: the design-point policy on the WRPN network.
  const PrecisionPolicy precision = o.prec.policy();
  const Network wrpn_net = with_batch(apply_precision(apply_width(base, o.width), precision), o.batch);
  const mapping::ResolvedArch design =
      mapping::resolve_arch(o.arch.empty() ? ArchConfig::builtin_template() : ArchConfig::load(o.arch), precision,
                            wrpn_net.layers, o.network);
  const ArchConfig& arch = design.arch;
  energy::TechTable tech = o.tech.empty() ? energy::TechTable::load_default() : energy::TechTable::load(o.tech);
  if (!o.synth_calibration.empty()) tech = energy::with_synth_calibration(tech, o.synth_calibration);
  const std::filesystem::path run_dir =
      o.out.empty() ? std::filesystem::path("results") / "runs" / new_run_id("energy") : std::filesystem::path(o.out);
  check_writable_directory(run_dir.has_parent_path() ? run_dir.parent_path() : std::filesystem::path("."));

  energy::Comparison c = energy::compare_fp32_wrpn(
      base, o.width, precision, o.batch, arch, tech, [&](const Network& net, const ArchConfig& a) {
        // Each side runs the mapper's choice on its own arch (the FP32 baseline at its best too).
        const std::vector<mapping::LayerMapping> ms = mapping::mappings_for_objective(
            a, net.layers, o.objective, [&](const ActionCounts& ac) { return energy::price({ac}, tech).total_pj; });
        mapping::NetworkEvaluation e = mapping::evaluate_network(a, net.layers, &ms, net.name);
        return energy::SideCounts{std::move(e.counts), std::move(e.rows)};
      });
  c.design = design.describe();
  c.design_point = design.to_json();
  const nlohmann::json effective{{"network", o.network},
                                 {"width", o.width},
                                 {"wbits", o.prec.wbits},
                                 {"abits", o.prec.abits},
                                 {"batch", o.batch},
                                 {"arch", arch.to_json()},
                                 {"design_point", design.to_json()},
                                 {"tech", tech.to_json()},
                                 {"counts", "analytic"},
                                 {"objective", o.objective}};
  energy::write_run(c, run_dir, effective);
  std::fputs(energy::format_report(c).c_str(), stdout);
  std::printf(
      "\nwrote %s/{summary.csv, components.csv, layers.csv, per_layer.csv, energy.json, report.md with plots, "
      "manifest.json}\n",
      run_dir.string().c_str());
}

}  // namespace

void register_energy_commands(CommandGroups& g) {
  register_validator("tech", validate_tech);

  static EnergyOptions opts;
  CLI::App* e = g.root.add_subcommand(
      "energy",
      "Compare the energy of an FP32 network (width 1, FP32 PEs) with its WRPN version (wider, k-bit weights and "
      "activations) on the same output-stationary array: raw MAC ratio, compute cost ratio, energy by component "
      "(MAC, registers, post-processing, each buffer, DRAM, leakage), memory footprint, area and the efficiency gain "
      "(FP32 energy / WRPN energy). Action counts come from the analytic model (docs/energy-model.md). Writes "
      "summary.csv, components.csv, layers.csv, energy.json, per_layer.csv, report.md with PNG plots (gnuplot) and "
      "manifest.json into the run directory.");
  e->add_option("--network", opts.network, network_argument_help())->required();
  e->add_option("--width", opts.width, "width multiplier of the WRPN network (hidden channels x width)")
      ->capture_default_str();
  add_precision_flags(e, opts.prec);
  e->add_option("--batch", opts.batch, "images per batch (weights are reused across the batch)")->capture_default_str();
  e->add_option("--arch", opts.arch,
                "arch config (configs/arch/*.json) for the WRPN side; the FP32 side uses the same array and buffers "
                "with FP32 PEs. Default: built-in 16x16 array. Without \"pe\" (or with no --arch) the PE follows the "
                "precision policy and the accumulator the workload's worst case (docs/design-points.md)");
  e->add_option("--tech", opts.tech, "tech table (configs/tech/*.json). Default: configs/tech/horowitz45.json");
  e->add_option("--synth-calibration", opts.synth_calibration,
                "directory of cached `wrpn synth` results (e.g. results/synth): integer MAC energy and PE datapath "
                "area scale with bit width as the Yosys logic-cell counts of rtl/ mac_unit do, normalized so the "
                "8-bit MAC keeps the tech table's values; accumulator widths other than synthesized are corrected "
                "by the table's adder rule; widths without a result keep the table rule (docs/energy-model.md)");
  e->add_option("--objective", opts.objective,
                "mapping objective of both sides: energy, cycles, edp (energy x cycles), dram (bytes), or rule (the "
                "fixed pre-mapper tiling); docs/mapping.md")
      ->capture_default_str();
  e->add_option("--out", opts.out, "run directory to create (must not exist). Default: results/runs/<id>");
  e->callback([] { run_energy(opts); });
}

}  // namespace wrpn
