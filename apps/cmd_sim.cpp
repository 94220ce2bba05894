// Commands of the sim component: `wrpn sim` (SystemC cycle-level run of a trace or a network shape,
// optionally priced by energy/), `wrpn bench sim`, and the "arch" validator. Parsing and dispatch
// only: the model is in sim/, pricing in energy/ (sim never links energy; docs/architecture.md section 2).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
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
#include "energy/synth_calibration.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"
#include "mapping/mapper.h"
#include "mapping/mapping_file.h"
#include "sim/bench.h"
#include "sim/report.h"
#include "sim/simulator.h"
#include "workloads/network.h"
#include "workloads/trace.h"

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

void check_bits(const char* flag, int bits) {
  if (!is_valid_bits(bits))
    fail("SIM005", "", flag, "expected bits in [1, 16] or 32, got " + std::to_string(bits),
         "WRPN uses 2 to 8 bits; 32 means FP32");
}

void run_sim(const SimCliOptions& o) {
  const bool timing = !o.network.empty();
  if (timing == !o.trace.empty())
    fail("SIM005", "", "--trace/--network", "give exactly one of --trace DIR (functional) or --network NAME (timing)");
  // The VCD lives inside the run directory: a name with a path in it could write anywhere.
  if (!o.vcd.empty() && (o.vcd.find('/') != std::string::npos || o.vcd == "." || o.vcd == ".."))
    fail("SIM005", "", "--vcd", "expected a file name without a directory, got \"" + o.vcd + "\"",
         "the VCD is written as NAME.vcd inside the run directory (--out)");
  Trace trace;
  Network net;
  if (timing) {
    check_bits("--wbits", o.prec.wbits);
    check_bits("--abits", o.prec.abits);
    if (o.batch < 1) fail("SIM005", "", "--batch", "expected a batch size >= 1, got " + std::to_string(o.batch));
    net = with_batch(apply_precision(apply_width(load_network(o.network), o.width), o.prec.policy()), o.batch);
  } else {
    trace = read_trace(o.trace);  // verifies version, shapes, code ranges and checksums first
  }
  const sim::Workload wl =
      timing ? sim::workload_from_network(net, o.network) : sim::workload_from_trace(trace, o.trace);
  // The design-point policy picks the PE array and accumulator (mapping/design_point.h); a trace
  // carries its own precision.
  const mapping::ResolvedArch design = mapping::resolve_arch(
      o.arch.empty() ? ArchConfig::builtin_template() : ArchConfig::load(o.arch),
      timing ? o.prec.policy() : mapping::precision_of(wl.layers), wl.layers, timing ? o.network : o.trace);
  ArchConfig arch = design.arch;
  if (o.ideal_memory) arch.dram.ideal = true;
  std::optional<energy::TechTable> tech;
  if (!o.tech.empty()) tech = energy::TechTable::load(o.tech);
  if (tech && !o.synth_calibration.empty()) tech = energy::with_synth_calibration(*tech, o.synth_calibration);
  const std::filesystem::path run_dir =
      o.out.empty() ? std::filesystem::path("results") / "runs" / new_run_id("sim") : std::filesystem::path(o.out);
  check_writable_directory(run_dir.has_parent_path() ? run_dir.parent_path() : std::filesystem::path("."));
  // Refuses an existing --out before the run (IO003); --replace replaces only an earlier sim run (IO006).
  StagedDirectory staged(run_dir, o.replace, "sim");

  sim::SimOptions so;
  if (!o.vcd.empty()) so.vcd_path = (staged.staging() / o.vcd).string();
  // The mappings the model executes: a replayed mapping file, or the mapper's choice for the
  // objective (energy priced with --tech, else the built-in tech table), or the fixed rule.
  if (!o.mapping_file.empty()) {
    so.mappings = mapping::mappings_for(mapping::load_mapping_file(o.mapping_file), wl.layers);
  } else {
    const energy::TechTable map_tech = tech ? *tech : energy::TechTable::load_default();
    so.mappings = mapping::mappings_for_objective(
        arch, wl.layers, o.objective, [&](const ActionCounts& c) { return energy::price({c}, map_tech).total_pj; });
  }
  const sim::SimResult r = sim::simulate(arch, wl, so);

  nlohmann::json summary = sim::to_json(r);
  summary["design_point"] = design.to_json();
  nlohmann::json effective{{"arch", arch.to_json()},
                           {"design_point", design.to_json()},
                           {"mode", timing ? "timing" : "functional"},
                           {"ideal_memory", arch.dram.ideal}};
  if (!o.mapping_file.empty())
    effective["mapping"] = o.mapping_file;
  else
    effective["objective"] = o.objective;
  if (timing)
    effective.update({{"network", o.network},
                      {"width", o.width},
                      {"wbits", o.prec.wbits},
                      {"abits", o.prec.abits},
                      {"batch", o.batch}});
  else
    effective["trace"] = o.trace;
  std::string energy_text;
  if (tech) {
    const energy::EnergyBreakdown e = energy::price(sim::layer_counts(r), *tech);
    effective["tech"] = tech->to_json();
    summary["energy"] = e.to_json();
    write_file_atomic(staged.staging() / "energy.json", e.to_json().dump(2) + "\n");
    char buf[256];
    std::snprintf(buf, sizeof buf, "energy (%s, counts from the SystemC run): %.6g uJ total\n", tech->name.c_str(),
                  e.total_pj * 1e-6);
    energy_text = buf;
    CsvTable components({"component", "energy_uj", "share_pct"});
    for (size_t i = 0; i < e.components.size(); ++i)
      components.row()
          .add(e.components[i])
          .add(e.total_by_component_pj[i] * 1e-6)
          .add(e.total_pj > 0 ? 100.0 * e.total_by_component_pj[i] / e.total_pj : 0.0);
    write_file_atomic(staged.staging() / "energy_components.csv", components.str());
    for (size_t i = 0; i < e.components.size(); ++i) {
      std::snprintf(buf, sizeof buf, "  %-16s %14.6g uJ  %5.1f%%\n", e.components[i].c_str(),
                    e.total_by_component_pj[i] * 1e-6,
                    e.total_pj > 0 ? 100.0 * e.total_by_component_pj[i] / e.total_pj : 0.0);
      energy_text += buf;
    }
    energy_text += energy::clock_totals_line(e);
  }
  write_file_atomic(staged.staging() / "layers.csv", sim::layers_csv(r));
  write_file_atomic(staged.staging() / "summary.json", summary.dump(2) + "\n");
  write_file_atomic(staged.staging() / "effective_config.json", effective.dump(2) + "\n");
  write_file_atomic(staged.staging() / "manifest.json", make_manifest("sim", 0, effective).dump(2) + "\n");
  sim::write_report_md(r, staged.staging().string(),
                       "Design point: " + design.describe() + " (docs/design-points.md).\n\n" +
                           (energy_text.empty() ? "" : "```\n" + energy_text + "```\n\n"));
  staged.commit();

  std::printf("design point: %s\n", design.describe().c_str());
  std::fputs(sim::format_table(r).c_str(), stdout);
  std::fputs(energy_text.c_str(), stdout);
  std::printf("wrote %s/{layers.csv, summary.json, effective_config.json, manifest.json, report.md with plots%s%s}\n",
              run_dir.string().c_str(), o.tech.empty() ? "" : ", energy.json, energy_components.csv",
              o.vcd.empty() ? "" : (", " + o.vcd + ".vcd").c_str());
  if (r.functional && r.mismatches > 0) {
    std::fprintf(stderr, "error: %llu values differ from the trace; first: %s\n",
                 static_cast<unsigned long long>(r.mismatches), r.first_mismatch.c_str());
    std::fflush(stdout);
    std::exit(kExitCheckFailed);
  }
}

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
  s->callback([] { run_sim(o); });

  CLI::App* b = g.bench.add_subcommand(
      "sim",
      "Simulator speed: functional mode (16x16 W4A4 array, synthetic convs, bit-exact check) in simulated MACs/s, "
      "and timing-only resnet34 width 2 on a 32x32 array in seconds; also simulated cycles/s. Each case runs in its "
      "own process (SystemC runs once per process).");
  static std::string which = "all";
  b->add_option("--case", which, "functional, timing or all")
      ->check(CLI::IsMember({"functional", "timing", "all"}))
      ->capture_default_str();
  b->callback([] {
    if (which == "functional" || which == "all")
      print_figure(sim::run_in_child([] { return sim::bench_functional(1); }));
    if (which == "timing" || which == "all") print_figure(sim::run_in_child(&sim::bench_timing));
  });
}

}  // namespace wrpn
