#include "studies/sim_run.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

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
#include "sim/report.h"
#include "sim/simulator.h"
#include "workloads/trace.h"

namespace wrpn {

namespace {

namespace fs = std::filesystem;

void check_bits(const char* flag, int bits) {
  if (!is_valid_bits(bits))
    fail("SIM005", "", flag, "expected bits in [1, 16] or 32, got " + std::to_string(bits),
         "WRPN uses 2 to 8 bits; 32 means FP32");
}

void check_options(const SimRunOptions& o) {
  if (o.network.empty() == o.trace.empty())
    fail("SIM005", "", "--trace/--network", "give exactly one of --trace DIR (functional) or --network NAME (timing)");
  // The VCD lives inside the run directory: a name with a path in it could write anywhere.
  if (!o.vcd.empty() && (o.vcd.find('/') != std::string::npos || o.vcd == "." || o.vcd == ".."))
    fail("SIM005", "", "--vcd", "expected a file name without a directory, got \"" + o.vcd + "\"",
         "the VCD is written as NAME.vcd inside the run directory (--out)");
  if (o.network.empty()) return;
  check_bits("--wbits", o.wbits);
  check_bits("--abits", o.abits);
  if (o.batch < 1) fail("SIM005", "", "--batch", "expected a batch size >= 1, got " + std::to_string(o.batch));
}

/// The workload of the run: the trace's layers, or the network's at the width, precision and batch.
struct Inputs {
  Trace trace;
  Network net;
};

/// The mappings the model executes: a replayed mapping file, or the mapper's choice for the
/// objective (energy priced with `tech`, else the built-in tech table), or the fixed rule.
std::vector<mapping::LayerMapping> choose_mappings(const SimRunOptions& o, const ArchConfig& arch,
                                                   const sim::Workload& wl,
                                                   const std::optional<energy::TechTable>& tech) {
  if (!o.mapping_file.empty()) return mapping::mappings_for(mapping::load_mapping_file(o.mapping_file), wl.layers);
  const energy::TechTable map_tech = tech ? *tech : energy::TechTable::load_default();
  return mapping::mappings_for_objective(arch, wl.layers, o.objective,
                                         [&](const ActionCounts& c) { return energy::price({c}, map_tech).total_pj; });
}

nlohmann::json effective_config(const SimRunOptions& o, const ArchConfig& arch, const mapping::ResolvedArch& design) {
  nlohmann::json effective{{"arch", arch.to_json()},
                           {"design_point", design.to_json()},
                           {"mode", !o.network.empty() ? "timing" : "functional"},
                           {"ideal_memory", arch.dram.ideal}};
  if (!o.mapping_file.empty())
    effective["mapping"] = o.mapping_file;
  else
    effective["objective"] = o.objective;
  if (!o.network.empty())
    effective.update(
        {{"network", o.network}, {"width", o.width}, {"wbits", o.wbits}, {"abits", o.abits}, {"batch", o.batch}});
  else
    effective["trace"] = o.trace;
  return effective;
}

/// Prices the run on `tech`: energy.json and energy_components.csv into `dir`, the energy into the
/// summary and the tech table into the effective config; returns the printed energy lines.
std::string price_run(const sim::SimResult& r, const energy::TechTable& tech, const fs::path& dir,
                      nlohmann::json& summary, nlohmann::json& effective) {
  const energy::EnergyBreakdown e = energy::price(sim::layer_counts(r), tech);
  effective["tech"] = tech.to_json();
  summary["energy"] = e.to_json();
  write_file_atomic(dir / "energy.json", e.to_json().dump(2) + "\n");
  char buf[256];
  std::snprintf(buf, sizeof buf, "energy (%s, counts from the SystemC run): %.6g uJ total\n", tech.name.c_str(),
                e.total_pj * 1e-6);
  std::string text = buf;
  CsvTable components({"component", "energy_uj", "share_pct"});
  for (size_t i = 0; i < e.components.size(); ++i)
    components.row()
        .add(e.components[i])
        .add(e.total_by_component_pj[i] * 1e-6)
        .add(e.total_pj > 0 ? 100.0 * e.total_by_component_pj[i] / e.total_pj : 0.0);
  write_file_atomic(dir / "energy_components.csv", components.str());
  for (size_t i = 0; i < e.components.size(); ++i) {
    std::snprintf(buf, sizeof buf, "  %-16s %14.6g uJ  %5.1f%%\n", e.components[i].c_str(),
                  e.total_by_component_pj[i] * 1e-6,
                  e.total_pj > 0 ? 100.0 * e.total_by_component_pj[i] / e.total_pj : 0.0);
    text += buf;
  }
  return text + energy::clock_totals_line(e);
}

}  // namespace

int run_sim(const SimRunOptions& o) {
  check_options(o);
  const bool timing = !o.network.empty();
  Inputs in;
  if (timing)
    in.net = with_batch(apply_precision(apply_width(load_network(o.network), o.width), o.precision), o.batch);
  else
    in.trace = read_trace(o.trace);  // verifies version, shapes, code ranges and checksums first
  const sim::Workload wl =
      timing ? sim::workload_from_network(in.net, o.network) : sim::workload_from_trace(in.trace, o.trace);
  // The design-point policy picks the PE array and accumulator (mapping/design_point.h); a trace
  // carries its own precision.
  const mapping::ResolvedArch design = mapping::resolve_arch(
      o.arch.empty() ? ArchConfig::builtin_template() : ArchConfig::load(o.arch),
      timing ? o.precision : mapping::precision_of(wl.layers), wl.layers, timing ? o.network : o.trace);
  ArchConfig arch = design.arch;
  if (o.ideal_memory) arch.dram.ideal = true;
  std::optional<energy::TechTable> tech;
  if (!o.tech.empty()) tech = energy::TechTable::load(o.tech);
  if (tech && !o.synth_calibration.empty()) tech = energy::with_synth_calibration(*tech, o.synth_calibration);
  const fs::path run_dir = o.out.empty() ? fs::path("results") / "runs" / new_run_id("sim") : fs::path(o.out);
  check_writable_directory(run_dir.has_parent_path() ? run_dir.parent_path() : fs::path("."));
  // Refuses an existing --out before the run (IO003); --replace replaces only an earlier sim run (IO006).
  StagedDirectory staged(run_dir, o.replace, "sim");

  sim::SimOptions so;
  if (!o.vcd.empty()) so.vcd_path = (staged.staging() / o.vcd).string();
  so.mappings = choose_mappings(o, arch, wl, tech);
  const sim::SimResult r = sim::simulate(arch, wl, so);

  nlohmann::json summary = sim::to_json(r);
  summary["design_point"] = design.to_json();
  nlohmann::json effective = effective_config(o, arch, design);
  const std::string energy_text = tech ? price_run(r, *tech, staged.staging(), summary, effective) : "";
  write_file_atomic(staged.staging() / "layers.csv", sim::layers_csv(r));
  write_file_atomic(staged.staging() / "summary.json", summary.dump(2) + "\n");
  write_file_atomic(staged.staging() / "effective_config.json", effective.dump(2) + "\n");
  write_file_atomic(staged.staging() / "manifest.json", make_manifest("sim", 0, effective).dump(2) + "\n");
  sim::write_report_md(r, staged.staging().string(),
                       "Design point: " + design.describe() + " (docs/design-points.md).\n\n" +
                           (energy_text.empty() ? "" : "```\n" + energy_text + "```\n\n"),
                       timing ? o.network + " width " + format_number(o.width) + " batch " + std::to_string(o.batch)
                              : "trace " + o.trace);
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
    return kExitCheckFailed;
  }
  return 0;
}

}  // namespace wrpn
