#include "studies/comparison_run.h"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/arch_config.h"
#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "common/run_manifest.h"
#include "energy/compare.h"
#include "energy/pricing.h"
#include "energy/synth_calibration.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"
#include "mapping/evaluate.h"

namespace wrpn {

namespace {

void check_bits(const char* flag, int bits) {
  if (!is_valid_bits(bits))
    fail("EN005", "", flag, "expected bits in [1, 16] or 32, got " + std::to_string(bits),
         "WRPN uses 2 to 8 bits; 32 means FP32");
}

}  // namespace

void run_comparison(const ComparisonRunOptions& o) {
  check_bits("--wbits", o.wbits);
  check_bits("--abits", o.abits);
  if (o.batch < 1) fail("EN005", "", "--batch", "expected a batch size >= 1, got " + std::to_string(o.batch));
  const Network base = load_network(o.network);
  // The WRPN side's PE array and accumulator: the design-point policy on the WRPN network.
  const PrecisionPolicy& precision = o.precision;
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
                                 {"wbits", o.wbits},
                                 {"abits", o.abits},
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

}  // namespace wrpn
