// Commands of the sim component: `wrpn sim` (SystemC cycle-level run of a trace or a network shape,
// optionally priced by energy/), `wrpn bench sim`, and the "arch" validator. Parsing and dispatch
// only: the run is studies/sim_run.h, the model sim/, pricing energy/ (sim never links energy;
// docs/architecture.md section 2).
#include <cstdio>
#include <string>

#include "apps/commands.h"
#include "apps/precision_flags.h"
#include "common/arch_config.h"
#include "mapping/mapper.h"
#include "sim/bench.h"
#include "studies/sim_run.h"
#include "workloads/network.h"

namespace wrpn {

namespace {

std::string validate_arch(const std::string& path) {
  const ArchConfig a = ArchConfig::load(path);
  std::string s =
      "arch \"" + a.name + "\": " + std::to_string(a.rows) + "x" + std::to_string(a.cols) + " " +
      to_string(a.dataflow) + ", PE " +
      (a.pe_pinned
           ? std::string(to_string(a.pe_type)) + " W" + std::to_string(a.pe_wbits) + "A" + std::to_string(a.pe_abits)
           : std::string("from the precision policy")) +
      ", acc " + (a.acc_pinned ? std::to_string(a.acc_bits) + " bits" : std::string("from the workload")) + ", buffers";
  for (const auto& b : a.buffers) s += " " + b.name + "=" + std::to_string(b.capacity_kib) + "KiB";
  return s;
}

struct SimCliOptions {
  std::string arch, trace, network, tech, out, vcd, synth_calibration, mapping_file;
  std::string objective = mapping::to_string(mapping::kDefaultObjective);
  double width = 1.0;
  PrecisionFlags prec;
  int64_t batch = 1;
  bool ideal_memory = false;
  bool replace = false;
};

void print_figure(const sim::BenchFigure& f) {
  if (!f.error.empty()) {
    std::printf("%-10s FAILED: %s\n", f.name.empty() ? "?" : f.name.c_str(), f.error.c_str());
    return;
  }
  std::printf("%s: %s\n", f.name.c_str(), f.setup.c_str());
  std::printf(
      "  simulate() %.3f s wall (kernel %.3f s wall, %.3f s CPU; planning and totals %.3f s); %llu cycles, "
      "%llu MACs\n",
      f.total_seconds, f.kernel_seconds, f.kernel_cpu_seconds, f.plan_seconds,
      static_cast<unsigned long long>(f.cycles), static_cast<unsigned long long>(f.macs));
  std::printf("  %.3g simulated cycles/s, %.3g simulated MACs/s (per CPU second of the kernel, one core)%s\n",
              f.cycles_per_s(), f.macs_per_s(), f.ok ? "" : "  [CHECK FAILED]");
}

}  // namespace

void register_sim_commands(CommandGroups& g) {
  register_validator("arch", validate_arch);

  static SimCliOptions o;
  CLI::App* s = g.root.add_subcommand(
      "sim",
      "Run the SystemC cycle-level accelerator model (docs/sim-model.md) on an arch config. Functional mode "
      "(--trace DIR): computes every output and compares it bit-exactly with the trace (exit 1 on a mismatch, naming "
      "the first). Timing-only mode (--network NAME): network shapes, for ImageNet-sized workloads. Prints per-layer "
      "cycles, compute and stall cycles by cause, utilization, MACs and DRAM bytes, and writes layers.csv, "
      "summary.json, effective_config.json, manifest.json and report.md with PNG plots (cycles per layer by cause; "
      "energy by component with --tech; gnuplot) into the run directory, plus energy.json and energy_components.csv "
      "with --tech.");
  s->add_option("--arch", o.arch,
                "arch config (configs/arch/*.json). Default: built-in 16x16 output-stationary array. Without \"pe\" "
                "(or with no --arch) the PE follows the precision policy and the accumulator the workload's worst "
                "case (docs/design-points.md)");
  s->add_option("--trace", o.trace, "trace directory (functional mode, bit-exact check)");
  s->add_option("--network", o.network, network_argument_help() + " (timing-only mode)");
  s->add_option("--width", o.width, "width multiplier (timing mode)")->capture_default_str();
  add_precision_flags(s, o.prec);
  s->add_option("--batch", o.batch, "images per batch (timing mode)")->capture_default_str();
  CLI::Option* tech_opt =
      s->add_option("--tech", o.tech, "tech table (configs/tech/*.json): price the run's action counts with energy/");
  s->add_option("--synth-calibration", o.synth_calibration,
                "with --tech: calibrate integer MAC energy and PE area from cached `wrpn synth` results in DIR "
                "(e.g. results/synth; docs/energy-model.md)")
      ->needs(tech_opt);
  s->add_flag(
      "--ideal-memory", o.ideal_memory,
      "infinite DRAM bandwidth, zero latency, no port stalls: cycles equal the closed form of docs/sim-model.md");
  s->add_option("--objective", o.objective,
                "mapping objective: energy, cycles, edp (energy x cycles), dram (bytes), or rule (the fixed "
                "pre-mapper tiling); docs/mapping.md")
      ->capture_default_str();
  s->add_option("--mapping", o.mapping_file,
                "replay a mapping file (kind \"mapping\", as `wrpn map` writes) instead of mapping");
  s->add_option("--vcd", o.vcd, "write a VCD of the top-level signals as NAME.vcd in the run directory");
  s->add_option("--out", o.out, "run directory to create. Default: results/runs/<id>");
  s->add_flag("--replace", o.replace, "replace --out if it holds an earlier `wrpn sim` run (anything else is refused)");
  s->footer("Example: wrpn sim --network lenet --width 2 --wbits 4 --abits 4 --tech configs/tech/horowitz45.json");
  s->callback([&g] {
    check_precision_flags(o.prec);
    SimRunOptions r;
    r.arch = o.arch;
    r.trace = o.trace;
    r.network = o.network;
    r.tech = o.tech;
    r.synth_calibration = o.synth_calibration;
    r.mapping_file = o.mapping_file;
    r.objective = o.objective;
    r.out = o.out;
    r.vcd = o.vcd;
    r.width = o.width;
    r.wbits = o.prec.wbits;
    r.abits = o.prec.abits;
    r.precision = o.prec.policy();
    r.batch = o.batch;
    r.ideal_memory = o.ideal_memory;
    r.replace = o.replace;
    g.exit_code = run_sim(r);
  });

  CLI::App* b = g.bench.add_subcommand(
      "sim",
      "Simulator speed: functional mode (16x16 W4A4 array, synthetic convs, bit-exact check) in simulated MACs/s, "
      "and timing-only resnet34 width 2 on a 32x32 array in seconds; also simulated cycles/s. Each case runs in its "
      "own process (SystemC runs once per process).");
  static std::string which = "all";
  b->add_option("--case", which, "functional, timing or all")
      ->check(CLI::IsMember({"functional", "timing", "all"}))
      ->capture_default_str();
  b->footer("Example: wrpn bench sim --case timing");
  b->callback([] {
    if (which == "functional" || which == "all")
      print_figure(sim::run_in_child([] { return sim::bench_functional(1); }));
    if (which == "timing" || which == "all") print_figure(sim::run_in_child(&sim::bench_timing));
  });
}

}  // namespace wrpn
