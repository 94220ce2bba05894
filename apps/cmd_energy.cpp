// Commands of the energy component: `wrpn energy` (FP32 vs WRPN report) and the "tech" validator.
// Parsing only; the run is studies/comparison_run.h, the comparison and pricing energy/.
#include <cstdio>

#include "apps/commands.h"
#include "apps/precision_flags.h"
#include "common/arch_config.h"
#include "energy/tech_table.h"
#include "mapping/mapper.h"
#include "studies/comparison_run.h"
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
  e->add_option("--width", opts.width,
                "width multiplier of the WRPN network (hidden channels x width; the FP32 side is always width 1). "
                "Default 2, unlike the other commands' 1: the comparison is of a widened network against its "
                "original, the WRPN paper's 2x point (docs/cli.md)")
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
  e->footer("Example: wrpn energy --network alexnet --width 2 --wbits 4 --abits 4");
  e->callback([] {
    check_precision_flags(opts.prec);
    ComparisonRunOptions r;
    r.network = opts.network;
    r.width = opts.width;
    r.wbits = opts.prec.wbits;
    r.abits = opts.prec.abits;
    r.precision = opts.prec.policy();
    r.batch = opts.batch;
    r.arch = opts.arch;
    r.tech = opts.tech;
    r.synth_calibration = opts.synth_calibration;
    r.out = opts.out;
    r.objective = opts.objective;
    run_comparison(r);
  });
}

}  // namespace wrpn
