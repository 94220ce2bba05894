#include "studies/paper.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/arch_config.h"
#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/plot.h"
#include "common/subprocess.h"
#include "dse/child_steps.h"
#include "energy/compare.h"
#include "energy/fp32_baseline.h"
#include "energy/pricing.h"
#include "energy/synth_results.h"
#include "mapping/design_point.h"
#include "mapping/evaluate.h"
#include "mapping/mapper.h"
#include "sim/simulator.h"
#include "studies/equal_area.h"
#include "studies/paper_sensitivity.h"
#include "workloads/network.h"

namespace fs = std::filesystem;

namespace wrpn {

const std::vector<double>& paper_widths() {
  static const std::vector<double> w{1.0, 2.0, 3.0};
  return w;
}

const std::vector<std::pair<int, int>>& paper_precisions() {
  // FP32 and the weight/activation pairs of the paper's AlexNet, ResNet-34 and Inception tables.
  static const std::vector<std::pair<int, int>> p{{32, 32}, {8, 8}, {4, 8}, {4, 4}, {4, 2},
                                                  {2, 4},   {2, 2}, {1, 2}, {1, 1}};
  return p;
}

mapping::ResolvedArch paper_design_point(const std::string& network, double width, int wbits, int abits) {
  const PrecisionPolicy policy = PrecisionPolicy::uniform(wbits, abits);
  const Network net = apply_precision(apply_width(load_network(network), width), policy);
  mapping::ResolvedArch r = mapping::resolve_arch(ArchConfig::builtin_template(), policy, net.layers, network);
  if (r.arch.pe_type == PeType::fp32) r.arch = energy::fp32_version(ArchConfig::builtin_template());
  return r;
}

namespace {

std::string pct(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f %%", 100.0 * x);
  return b;
}

std::string fixed(double x, int digits) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, x);
  return b;
}

std::string times(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2fx", x);
  return b;
}

std::string bits_label(int wb, int ab) {
  return wb == 32 ? std::string("FP32") : std::to_string(wb) + "/" + std::to_string(ab);
}

/// RTL top of the MAC unit of a PE type (results/synth: mac_unit, mac_ternary, mac_binary, mac_fp32).
const char* mac_top(PeType t) {
  switch (t) {
    case PeType::fp32:
      return "mac_fp32";
    case PeType::ternary:
      return "mac_ternary";
    case PeType::binary:
      return "mac_binary";
    case PeType::int_k:
      break;
  }
  return "mac_unit";
}

/// Counts of one network simulated timing-only on the SystemC model, priced on `tech`.
struct SimulatedRun {
  energy::EnergyBreakdown energy;
  uint64_t macs = 0, cycles = 0;
};

/// Runs `wrpn sim` (timing-only) as a child step (SystemC allows one simulation per process) in a
/// scratch directory under `scratch`, reads the per-layer action counts of its run (sim::read_run)
/// and prices them. Returns nullopt with `error` set when the simulation fails.
std::optional<SimulatedRun> simulate_in_child(const fs::path& scratch, const std::string& tag,
                                              const std::string& network, double width, int wbits, int abits,
                                              const ArchConfig& arch, const energy::TechTable& tech,
                                              std::string* error) {
  steps::Sim sim;
  sim.arch_path = (scratch / (".arch-" + tag + ".json")).string();
  sim.out_dir = (scratch / (".sim-" + tag)).string();
  sim.network = network;
  sim.width = width;
  sim.wbits = wbits;
  sim.abits = abits;
  write_file_atomic(sim.arch_path, arch.to_json().dump(2) + "\n");
  const ProcessResult r = steps::run_step(steps::step(sim), /*capture=*/true);
  fs::remove(sim.arch_path);
  if (r.exit_code != 0) {
    *error = steps::first_line(r.output);
    fs::remove_all(sim.out_dir);
    return std::nullopt;
  }
  const std::vector<ActionCounts> counts = sim::read_run(sim.out_dir);
  fs::remove_all(sim.out_dir);
  SimulatedRun out;
  out.energy = energy::price(counts, tech);
  out.energy.counts_source = "systemc";
  for (const auto& c : counts) {
    out.macs += c.macs;
    out.cycles += c.cycles;
  }
  return out;
}

/// Both sides of a comparison counted by the analytic evaluator, each layer at the mapper's choice
/// for `objective` on that side's arch.
energy::LayerCounter mapped_counter(const energy::TechTable& tech, mapping::Objective objective) {
  return [&tech, objective](const Network& net, const ArchConfig& a) {
    const std::vector<mapping::LayerMapping> ms = mapping::choose_mappings(
        a, net.layers, objective, [&](const ActionCounts& ac) { return energy::price({ac}, tech).total_pj; });
    mapping::NetworkEvaluation e = mapping::evaluate_network(a, net.layers, &ms, net.name);
    return energy::SideCounts{std::move(e.counts), std::move(e.rows)};
  };
}

double sram_mm2(const energy::AreaBreakdown& a) {
  double s = 0;
  for (const auto& [name, mm2] : a.buffers_mm2) s += mm2;
  return s;
}

/// What every table reads and where it writes: the tables' inputs, the staging directory and the
/// summary each table adds its files, headline figures and warnings to.
struct PaperContext {
  const PaperOptions& opt;
  const energy::TechTable& tech;
  const std::vector<energy::SynthResult>& synth;  ///< the one strict read of opt.synth_dir
  fs::path dir;                                   ///< staging directory of opt.out_dir
  PaperSummary& sum;

  /// Writes `name` into the output and lists it in the summary.
  void write(const std::string& name, const std::string& text) {
    write_file_atomic(dir / name, text);
    sum.files.push_back(name);
  }
  /// The synthesized unit `top` of a PE type at these widths (EN006 naming the missing result).
  const energy::SynthResult& synthesized(const std::string& top, PeType t, int wbits, int abits, int acc_bits) const {
    return energy::require_synth_result(synth, opt.synth_dir, top, t, wbits, abits, acc_bits);
  }
};

/// A table's section of paper.md and, for tables with a plot, its gnuplot data.
struct Section {
  std::string md, dat;
};

// ---- 1. Compute cost

/// The FP32-versus-WRPN comparison of one compute-cost cell, both sides at the mapper's choice. Both
/// compute costs are independent of any mapping: a wide network whose input rows of one pixel do not
/// fit the built-in input buffer has no mapping, and its side gets no counts (energy 0, gain 0 in the
/// CSV).
energy::Comparison compute_cost_comparison(const energy::TechTable& tech, const std::string& name, double width, int wb,
                                           int ab, const ArchConfig& arch) {
  const auto mapped = mapped_counter(tech, mapping::kDefaultObjective);
  return energy::compare_fp32_wrpn(builtin_network(name), width, wb, ab, 1, arch, tech,
                                   [&](const Network& net, const ArchConfig& a) {
                                     try {
                                       return mapped(net, a);
                                     } catch (const DiagnosticError& err) {
                                       energy::SideCounts none;
                                       const std::string what = err.what();
                                       none.mappings.push_back({{"error", what.substr(0, what.find('\n'))}});
                                       return none;
                                     }
                                   });
}

/// The paper's headline compute-cost figures, kept for paper.md and the command's summary line.
void record_headlines(PaperSummary& sum, const std::string& name, double w, int wb, int ab,
                      const energy::Comparison& c) {
  if (name == "alexnet" && w == 2.0 && wb == 32) sum.alexnet_2x_raw_ratio = c.raw_mac_ratio;
  if (name == "alexnet" && w == 2.0 && wb == 4 && ab == 4) {
    sum.alexnet_2x_w4a4_paper_def_cost = c.paper_def_cost_ratio;
    sum.alexnet_2x_w4a4_mac_energy_cost = c.mac_energy_cost_ratio;
  }
  if (name == "resnet34" && w == 2.0 && wb == 4 && ab == 8) {
    sum.resnet34_2x_w4a8_paper_def_cost = c.paper_def_cost_ratio;
    sum.resnet34_2x_w4a8_mac_energy_cost = c.mac_energy_cost_ratio;
  }
}

/// compute_cost.csv: raw MACs and both compute costs relative to the FP32 width-1 network, the
/// paper's stated definition (MACs x operand bits) and the energy model's priced MACs, every row with
/// the accumulator of its design point (paper_design_point).
Section compute_cost_table(PaperContext& ctx) {
  CsvTable cost({"network", "width", "wbits", "abits", "macs", "raw_mac_ratio", "paper_def_cost_ratio",
                 "mac_energy_cost_ratio", "energy_efficiency_gain", "fp32_energy_pj", "wrpn_energy_pj", "pe_type",
                 "pe_wbits", "pe_abits", "acc_bits", "acc_source"});
  std::ostringstream md, dat;
  for (const std::string name : {"alexnet", "resnet34", "inception_bn"}) {
    md << "\n### " << name << "\n\n| w/a bits |";
    for (double w : paper_widths()) md << " " << w << "x |";
    md << "\n|---|";
    for (size_t i = 0; i < paper_widths().size(); ++i) md << "---|";
    md << "\n";
    for (const auto& [wb, ab] : paper_precisions()) {
      md << "| " << bits_label(wb, ab) << " |";
      for (double w : paper_widths()) {
        const mapping::ResolvedArch design = paper_design_point(name, w, wb, ab);
        const ArchConfig& arch = design.arch;
        const energy::Comparison c = compute_cost_comparison(ctx.tech, name, w, wb, ab, arch);
        cost.row().add(name).add(w).add(wb).add(ab).add(c.wrpn.macs).add(c.raw_mac_ratio).add(c.paper_def_cost_ratio);
        cost.add(c.mac_energy_cost_ratio)
            .add(c.efficiency_gain)
            .add(c.fp32.energy.total_pj)
            .add(c.wrpn.energy.total_pj);
        cost.add(to_string(arch.pe_type)).add(arch.pe_wbits).add(arch.pe_abits).add(arch.acc_bits);
        cost.add(design.to_json().at("acc_source").get<std::string>());
        md << " " << pct(c.paper_def_cost_ratio) << " / " << pct(c.mac_energy_cost_ratio) << " |";
        record_headlines(ctx.sum, name, w, wb, ab, c);
        if (wb != 32)
          dat << name << " " << w << " " << wb << " " << ab << " " << c.paper_def_cost_ratio << " "
              << c.mac_energy_cost_ratio << "\n";
      }
      md << "\n";
    }
  }
  ctx.write("compute_cost.csv", cost.str());
  return {md.str(), dat.str()};
}

// ---- 2. ASIC efficiency of one operation

/// One operation of the per-operation table.
struct Op {
  PeType t;
  int w, a;
  const char* label;
};

const std::vector<Op>& asic_operations() {
  static const std::vector<Op> ops{{PeType::fp32, 32, 32, "FP32"},
                                   {PeType::int_k, 8, 8, "8-bit"},
                                   {PeType::int_k, 4, 8, "4-bit weights, 8-bit act."},
                                   {PeType::int_k, 4, 4, "4-bit"},
                                   {PeType::int_k, 2, 2, "2-bit"},
                                   {PeType::ternary, 2, 8, "ternary (8-bit act.)"},
                                   {PeType::ternary, 2, 2, "ternary (2-bit act.)"},
                                   {PeType::binary, 1, 1, "binary (XNOR)"}};
  return ops;
}

/// asic_efficiency.csv: one MAC and one PE of each type, priced on the tech table and synthesized by
/// Yosys, every row at the accumulator its synthesized unit has (one rule: reference_acc_bits in
/// common/numerics.h), so the energy and the cells of a row describe the same unit.
Section asic_efficiency_table(PaperContext& ctx) {
  CsvTable asic({"pe_type", "wbits", "abits", "acc_bits", "mac_energy_pj", "energy_efficiency_vs_fp32", "pe_area_um2",
                 "area_efficiency_vs_fp32", "mac_synth_variant", "mac_synth_cells", "mac_cells_efficiency_vs_fp32",
                 "pe_synth_variant", "pe_synth_area_um2", "pe_synth_area_efficiency_vs_fp32"});
  const energy::TechTable& tech = ctx.tech;
  const double fp32_pj = tech.mac_pj(PeType::fp32, 32, 32, 32);
  const double fp32_area = tech.pe_area_um2(PeType::fp32, 32, 32, 32);
  const energy::SynthResult& fp32_mac_syn = ctx.synthesized("mac_fp32", PeType::fp32, 32, 32, 32);
  const energy::SynthResult& fp32_pe_syn = ctx.synthesized("pe", PeType::fp32, 32, 32, 32);
  std::ostringstream md, dat;
  md << "| operation | acc bits | MAC energy (pJ) | vs FP32 | Yosys MAC cells | FP32 cells / cells | Yosys PE area "
        "(um^2) | FP32 PE / PE |\n"
     << "|---|---|---|---|---|---|---|---|\n";
  int idx = 0;
  for (const auto& op : asic_operations()) {
    const int acc = reference_acc_bits(op.t, op.w, op.a);
    const int acc_shown = op.t == PeType::fp32 ? 32 : acc;
    const double pj = tech.mac_pj(op.t, op.w, op.a, acc);
    const double area_um2 = tech.pe_area_um2(op.t, op.w, op.a, acc);
    const energy::SynthResult& mac = ctx.synthesized(mac_top(op.t), op.t, op.w, op.a, acc);
    const energy::SynthResult& pe = ctx.synthesized("pe", op.t, op.w, op.a, acc);
    const double cell_gain = static_cast<double>(fp32_mac_syn.total_cells) / mac.total_cells;
    const double pe_gain = fp32_pe_syn.area_um2 / pe.area_um2;
    asic.row().add(to_string(op.t)).add(op.w).add(op.a).add(acc_shown).add(pj).add(fp32_pj / pj).add(area_um2);
    asic.add(fp32_area / area_um2).add(mac.variant).add(static_cast<int64_t>(mac.total_cells)).add(cell_gain);
    asic.add(pe.variant).add(pe.area_um2).add(pe_gain);
    md << "| " << op.label << " | " << acc_shown << " | " << fixed(pj, 4) << " | " << times(fp32_pj / pj) << " | "
       << mac.total_cells << " | " << times(cell_gain) << " | " << fixed(pe.area_um2, 1) << " | " << times(pe_gain)
       << " |\n";
    dat << idx++ << " \"" << op.label << "\" " << fp32_pj / pj << " " << pe_gain << "\n";
  }
  ctx.write("asic_efficiency.csv", asic.str());
  return {md.str(), dat.str()};
}

// ---- 3. Equal silicon and equal PE count

const std::vector<std::string>& iso_columns() {
  static const std::vector<std::string> cols{"network",
                                             "width",
                                             "wbits",
                                             "abits",
                                             "comparison",
                                             "pe_type",
                                             "pe_wbits",
                                             "pe_abits",
                                             "acc_bits",
                                             "pe_synth_variant",
                                             "pe_synth_acc_bits",
                                             "pe_area_um2",
                                             "target_pes",
                                             "sizing_rule",
                                             "rows",
                                             "cols",
                                             "array_area_mm2",
                                             "array_area_vs_fp32",
                                             "sram_area_mm2",
                                             "chip_area_mm2",
                                             "chip_area_vs_fp32",
                                             "buffer_word_bits",
                                             "cycles",
                                             "images_per_s",
                                             "energy_per_image_uj",
                                             "throughput_vs_fp32",
                                             "efficiency_vs_fp32",
                                             "counts_source"};
  return cols;
}

/// The reference side of the equal-silicon tables: FP32 AlexNet 1x on the FP32 array, simulated.
struct Fp32Reference {
  ArchConfig arch;
  const energy::SynthResult* pe = nullptr;
  double array_um2 = 0, chip_mm2 = 0;
  SimulatedRun run;
};

Fp32Reference fp32_reference(const PaperContext& ctx) {
  Fp32Reference ref;
  ref.arch = paper_design_point("alexnet", 1.0, 32, 32).arch;
  ref.pe = &ctx.synthesized("pe", PeType::fp32, 32, 32, 32);
  ref.array_um2 = static_cast<double>(ref.arch.rows * ref.arch.cols) * ref.pe->area_um2;
  ref.chip_mm2 = ref.array_um2 * 1e-6 + sram_mm2(energy::area(ref.arch, ctx.tech));
  std::string error;
  const auto run = simulate_in_child(ctx.dir, "fp32", "alexnet", 1.0, 32, 32, ref.arch, ctx.tech, &error);
  if (!run) fail("DSE007", "alexnet", "", "simulating the FP32 baseline failed: " + error);
  ref.run = *run;
  return ref;
}

/// One row of iso_area.csv or equal_pe_count.csv: `kind` is fp32_baseline, equal_pe_count or equal_area.
void add_iso_row(CsvTable& t, const Fp32Reference& ref, const energy::TechTable& tech, const std::string& kind, int wb,
                 int ab, const ArchConfig& a, const energy::SynthResult& pe, double target_pes,
                 const SimulatedRun& run) {
  const double array_um2 = static_cast<double>(a.rows) * a.cols * pe.area_um2;
  const double chip_mm2 = array_um2 * 1e-6 + sram_mm2(energy::area(a, tech));
  const double fp32_s = ref.run.energy.time_s;
  const std::string rule = kind == "equal_area"      ? std::string(kEqualAreaRule) + " (within 3 %)"
                           : kind == "fp32_baseline" ? std::string("the built-in 16x16 array (reference)")
                                                     : std::string("the built-in 16x16 array (same PE count)");
  t.row().add("alexnet").add(wb == 32 ? 1.0 : 2.0).add(wb).add(ab).add(kind).add(to_string(a.pe_type));
  t.add(a.pe_wbits).add(a.pe_abits).add(a.acc_bits).add(pe.variant).add(pe.acc_bits).add(pe.area_um2);
  t.add(target_pes).add(rule).add(static_cast<int64_t>(a.rows)).add(static_cast<int64_t>(a.cols));
  t.add(array_um2 * 1e-6).add(array_um2 / ref.array_um2).add(sram_mm2(energy::area(a, tech))).add(chip_mm2);
  t.add(chip_mm2 / ref.chip_mm2).add(static_cast<int64_t>(a.buffers.front().word_bits)).add(run.cycles);
  t.add(run.energy.time_s > 0 ? 1.0 / run.energy.time_s : 0.0).add(run.energy.total_pj * 1e-6);
  t.add(run.energy.time_s > 0 ? fp32_s / run.energy.time_s : 0.0);
  t.add(run.energy.total_pj > 0 ? ref.run.energy.total_pj / run.energy.total_pj : 0.0).add("systemc");
}

std::string equal_silicon_intro(const PaperContext& ctx, const Fp32Reference& ref) {
  std::ostringstream md;
  md << "AlexNet at 2x width against FP32 AlexNet at 1x on a " << ref.arch.rows << "x" << ref.arch.cols
     << " FP32 array (`" << ref.pe->variant << "`: " << fixed(ref.pe->area_um2, 1) << " um^2 per PE, "
     << fixed(ref.array_um2 * 1e-6, 3) << " mm^2 of PEs; " << fixed(ref.run.energy.total_pj * 1e-6, 0) << " uJ and "
     << fixed(ref.run.energy.time_s * 1e3, 2)
     << " ms per image). Equal area: as many WRPN PEs as cover the FP32 array's PE area, both PE areas "
        "synthesized by Yosys on the same cell-area table (`"
     << ctx.opt.synth_dir << "`), arranged by the rule " << kEqualAreaRule << " (halves round up); every array is "
     << "within ±" << fixed(100 * kEqualAreaTolerance, 0)
     << " % of the FP32 array's PE area or the run fails. Chip area adds the SRAM buffers (the tech table's "
        "area per KiB, the same capacities on every side). The WRPN PE is the design point's integer PE "
        "(paper_design_point: the design-point policy of docs/design-points.md, its accumulator from the "
        "workload, and the PE synthesized at that accumulator); buffer "
        "words are widened by the ratio of array edges (rounded up) so the buffer ports keep up. Every side is "
        "a timing-only SystemC run of the whole network priced on `"
     << ctx.tech.name << "`; equal-PE-count runs (16x16 WRPN PEs) are in `equal_pe_count.csv`.\n\n"
     << "| w/a bits | PE (synthesized) | PE area (um^2) | FP32 PE / PE | equal-area array | array area vs FP32 | "
        "chip area vs FP32 | throughput vs FP32 | energy gain | equal-PE 16x16: throughput | energy gain |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  return md.str();
}

/// AlexNet 2x at one precision: the same 16x16 array of its design point's PEs, and the array sized
/// to the FP32 array's PE area. Adds a row to each table and returns the paper.md row.
std::string equal_silicon_precision(const PaperContext& ctx, const Fp32Reference& ref, int wb, int ab, CsvTable& iso,
                                    CsvTable& same_pes) {
  ArchConfig arch = paper_design_point("alexnet", 2.0, wb, ab).arch;
  // The synthesized PE of the design point: its widths at the accumulator it runs with (`wrpn synth
  // --acc-width`; EN006 names the missing result).
  const energy::SynthResult& pe = ctx.synthesized("pe", arch.pe_type, arch.pe_wbits, arch.pe_abits, arch.acc_bits);
  const std::string tag = std::to_string(wb) + "-" + std::to_string(ab);
  const EqualAreaArray size =
      size_equal_area(ref.array_um2, pe.area_um2,
                      "equal-area AlexNet 2x W" + std::to_string(wb) + "A" + std::to_string(ab) + " (" + pe.file + ")");
  std::string err;
  const auto same_run = simulate_in_child(ctx.dir, tag + "-same", "alexnet", 2.0, wb, ab, arch, ctx.tech, &err);
  if (!same_run) fail("DSE007", "alexnet", "", "simulating alexnet 2x " + tag + " (equal PEs) failed: " + err);
  add_iso_row(same_pes, ref, ctx.tech, "equal_pe_count", wb, ab, arch, pe, static_cast<double>(arch.rows * arch.cols),
              *same_run);
  // The larger array gets buffer words widened in proportion to its longer edge, so its buffer
  // ports feed each row and column as many operands per cycle as the 16x16 design's did.
  const int edge_factor = (std::max(size.rows, size.cols) + ref.arch.rows - 1) / ref.arch.rows;
  for (auto& b : arch.buffers) b.word_bits = std::min(4096, b.word_bits * edge_factor);
  arch.rows = size.rows;
  arch.cols = size.cols;
  const auto iso_run = simulate_in_child(ctx.dir, tag + "-iso", "alexnet", 2.0, wb, ab, arch, ctx.tech, &err);
  if (!iso_run) fail("DSE007", "alexnet", "", "simulating alexnet 2x " + tag + " (equal area) failed: " + err);
  add_iso_row(iso, ref, ctx.tech, "equal_area", wb, ab, arch, pe, size.target_pes, *iso_run);
  const double chip_mm2 = size.area_um2 * 1e-6 + sram_mm2(energy::area(arch, ctx.tech));
  const double fp32_s = ref.run.energy.time_s, fp32_pj = ref.run.energy.total_pj;
  std::ostringstream md;
  md << "| " << bits_label(wb, ab) << " | `" << pe.variant << "` | " << fixed(pe.area_um2, 1) << " | "
     << fixed(ref.pe->area_um2 / pe.area_um2, 2) << " | " << size.rows << "x" << size.cols << " | "
     << pct(size.area_ratio) << " | " << pct(chip_mm2 / ref.chip_mm2) << " | " << times(fp32_s / iso_run->energy.time_s)
     << " | " << times(fp32_pj / iso_run->energy.total_pj) << " | " << times(fp32_s / same_run->energy.time_s) << " | "
     << times(fp32_pj / same_run->energy.total_pj) << " |\n";
  return md.str();
}

/// iso_area.csv and equal_pe_count.csv: each WRPN array sized to the FP32 array's PE-array area from
/// the synthesized PE areas of both sides (results/synth, one cell-area table), within ±3 %
/// (size_equal_area fails otherwise), against FP32 AlexNet 1x. Every side is simulated timing-only on
/// the SystemC model (its cycles and access counts), priced on the tech table. The equal-PE-count
/// comparison (the same 16x16 array of WRPN PEs) goes to its own file: its areas are not equal.
Section equal_silicon_tables(PaperContext& ctx) {
  CsvTable iso(iso_columns());
  CsvTable same_pes(iso_columns());
  const Fp32Reference ref = fp32_reference(ctx);
  add_iso_row(iso, ref, ctx.tech, "fp32_baseline", 32, 32, ref.arch, *ref.pe,
              static_cast<double>(ref.arch.rows * ref.arch.cols), ref.run);
  std::string md = equal_silicon_intro(ctx, ref);
  for (const auto& [wb, ab] : paper_precisions())
    if (wb != 32) md += equal_silicon_precision(ctx, ref, wb, ab, iso, same_pes);
  ctx.write("iso_area.csv", iso.str());
  ctx.write("equal_pe_count.csv", same_pes.str());
  return {md, ""};
}

// ---- 4. Whole-network efficiency

const std::vector<std::string>& network_efficiency_columns() {
  static const std::vector<std::string> cols{"network",
                                             "width",
                                             "wbits",
                                             "abits",
                                             "batch",
                                             "objective",
                                             "rows",
                                             "cols",
                                             "dataflows",
                                             "pe_type",
                                             "pe_wbits",
                                             "pe_abits",
                                             "acc_bits",
                                             "fp32_energy_per_image_uj",
                                             "wrpn_energy_per_image_uj",
                                             "efficiency_gain",
                                             "fp32_cycles_per_image",
                                             "wrpn_cycles_per_image",
                                             "speedup",
                                             "paper_def_cost_ratio",
                                             "mac_energy_cost_ratio",
                                             "counts_source"};
  return cols;
}

/// network_efficiency.csv: the paper's two headline configurations at batch 1 and 32, both sides on
/// the same arch template with each layer at the mapper's choice (either dataflow), counted by the
/// analytic evaluator and priced on the tech table.
Section network_efficiency_table(PaperContext& ctx) {
  CsvTable t(network_efficiency_columns());
  std::ostringstream md;
  const ArchConfig template_arch = ArchConfig::builtin_template();
  const std::string objective = mapping::to_string(mapping::kDefaultObjective);
  md << "Each side on the same " << template_arch.rows << "x" << template_arch.cols
     << " template (FP32 PEs with buffer words widened for 32-bit operands, energy::fp32_version, against the "
        "design point's integer PEs), every layer of each side at the mapper's choice (objective `"
     << objective << "`, output- or weight-stationary), analytic counts priced on `" << ctx.tech.name << "`.\n\n"
     << "| network | w/a bits | batch | FP32 energy/image | WRPN energy/image | efficiency gain | speedup |\n"
     << "|---|---|---|---|---|---|---|\n";
  struct Headline {
    const char* network;
    int wb, ab;
  };
  for (const Headline& h : {Headline{"alexnet", 4, 4}, Headline{"resnet34", 4, 8}}) {
    for (const int64_t batch : {int64_t{1}, int64_t{32}}) {
      ArchConfig arch = paper_design_point(h.network, 2.0, h.wb, h.ab).arch;
      arch.dataflows = {Dataflow::output_stationary, Dataflow::weight_stationary};
      const energy::Comparison c =
          energy::compare_fp32_wrpn(builtin_network(h.network), 2.0, h.wb, h.ab, batch, arch, ctx.tech,
                                    mapped_counter(ctx.tech, mapping::kDefaultObjective));
      const double n = static_cast<double>(batch);
      t.row().add(h.network).add(2.0).add(h.wb).add(h.ab).add(batch).add(objective);
      t.add(static_cast<int64_t>(arch.rows)).add(static_cast<int64_t>(arch.cols));
      t.add("output_stationary|weight_stationary").add(to_string(arch.pe_type)).add(arch.pe_wbits);
      t.add(arch.pe_abits).add(arch.acc_bits).add(c.fp32.energy.total_pj * 1e-6 / n);
      t.add(c.wrpn.energy.total_pj * 1e-6 / n).add(c.efficiency_gain).add(static_cast<double>(c.fp32.cycles) / n);
      t.add(static_cast<double>(c.wrpn.cycles) / n).add(c.speedup).add(c.paper_def_cost_ratio);
      t.add(c.mac_energy_cost_ratio).add("analytic");
      md << "| " << h.network << " 2x | " << bits_label(h.wb, h.ab) << " | " << batch << " | "
         << fixed(c.fp32.energy.total_pj * 1e-6 / n, 1) << " uJ | " << fixed(c.wrpn.energy.total_pj * 1e-6 / n, 1)
         << " uJ | " << times(c.efficiency_gain) << " | " << times(c.speedup) << " |\n";
    }
  }
  ctx.write("network_efficiency.csv", t.str());
  return {md.str(), ""};
}

// ---- 5. Fashion-MNIST lenet

/// One trained variant of the accuracy table, with its simulated counts.
struct Variant {
  std::vector<std::string> cells;
  double uj = 0;
  uint64_t macs = 0, cycles = 0;
};

/// The accuracy table's rows, each simulated timing-only in a child `wrpn sim` on the design point
/// for its precision; a variant whose simulation fails is left out with a warning. `fp32_uj` is the
/// energy per image of the FP32 width-1 variant (0 when there is none).
std::vector<Variant> simulate_variants(PaperContext& ctx, const CsvFile& csv, double* fp32_uj) {
  const int c_model = csv.column("model"), c_width = csv.column("width"), c_wbits = csv.column("wbits"),
            c_abits = csv.column("abits");
  std::vector<Variant> variants;
  int index = 0;
  for (const auto& cells : csv.rows) {
    Variant v;
    v.cells = cells;
    auto cell = [&](int i) { return cells[static_cast<size_t>(i)]; };
    const int wb = std::stoi(cell(c_wbits)), ab = std::stoi(cell(c_abits));
    const double width = std::stod(cell(c_width));
    std::string err;
    const auto run = simulate_in_child(ctx.dir, "lenet-" + std::to_string(index++), cell(c_model), width, wb, ab,
                                       paper_design_point(cell(c_model), width, wb, ab).arch, ctx.tech, &err);
    if (!run) {
      std::string line;
      for (const auto& f : cells) line += (line.empty() ? "" : ",") + f;
      ctx.sum.warnings.push_back("simulating " + line + " failed: " + err);
      continue;
    }
    v.uj = run->energy.total_pj * 1e-6;
    v.macs = run->macs;
    v.cycles = run->cycles;
    if (wb == 32 && ab == 32 && width == 1.0) *fp32_uj = v.uj;
    variants.push_back(std::move(v));
  }
  return variants;
}

std::string lenet_intro(const PaperContext& ctx) {
  std::ostringstream md;
  md << "Trained by `wrpn train` (commands in `" << ctx.opt.accuracy_csv
     << "`); energy per image from a timing-only SystemC run of the same network on a 16x16 array with PEs "
        "for the body's precision (8-bit first/last layers in bit-sliced passes), priced on `"
     << ctx.tech.name << "`. Test accuracy is the mean (± sample standard deviation) over the seeds, on the "
     << "number of test images given.\n\n| model | width | w/a bits | weight scale | epochs | test images | "
     << "seeds | test accuracy | MACs/image | energy/image | efficiency vs FP32 w1 |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  return md.str();
}

/// lenet_accuracy_energy.csv: each trained variant of opt.accuracy_csv (the trainer's reference runs,
/// one strict CSV read) with its simulated energy on the built-in 16x16 array with PEs for its
/// precision, priced on the same tech table.
Section lenet_accuracy_table(PaperContext& ctx) {
  if (!fs::exists(ctx.opt.accuracy_csv)) {
    ctx.sum.warnings.push_back("no trained accuracy table at " + ctx.opt.accuracy_csv);
    return {"No trained accuracy results yet (`" + ctx.opt.accuracy_csv + "` is missing).\n", ""};
  }
  const CsvFile csv = read_csv(ctx.opt.accuracy_csv);
  for (const char* required : {"model", "width", "wbits", "abits", "test_accuracy_pct"})
    if (csv.column(required) < 0)
      fail("CFG004", ctx.opt.accuracy_csv, "header", "needs columns model, width, wbits, abits, test_accuracy_pct");
  double fp32_uj = 0;
  const std::vector<Variant> variants = simulate_variants(ctx, csv, &fp32_uj);
  CsvTable acc({"model", "width", "wbits", "abits", "weight_scale", "epochs", "test_images", "n_seeds",
                "test_accuracy_pct", "test_accuracy_sd_pct", "macs_per_image", "cycles_per_image",
                "energy_per_image_uj", "efficiency_vs_fp32_w1"});
  std::string md = lenet_intro(ctx);
  for (const auto& v : variants) {
    // Optional columns (the seeded table of scripts/accuracy_table.sh): quantizer, spread, seeds, test images.
    auto cell = [&](const char* name) {
      const int i = csv.column(name);
      return i >= 0 ? v.cells[static_cast<size_t>(i)] : std::string();
    };
    const std::string model = cell("model"), width = cell("width"), wbits = cell("wbits"), abits = cell("abits"),
                      test_acc = cell("test_accuracy_pct"), epochs = cell("epochs"), scale = cell("weight_scale"),
                      sd = cell("test_accuracy_sd_pct"), seeds = cell("n_seeds"), test = cell("test_images");
    const double eff = fp32_uj > 0 && v.uj > 0 ? fp32_uj / v.uj : 0;
    acc.row().add(model).add(width).add(wbits).add(abits).add(scale).add(epochs).add(test).add(seeds).add(test_acc);
    acc.add(sd).add(v.macs).add(v.cycles).add(v.uj).add(eff);
    md += "| " + model + " | " + width + "x | " + (wbits == "32" ? std::string("FP32") : wbits + "/" + abits) + " | " +
          (scale.empty() ? std::string("-") : scale) + " | " + epochs + " | " +
          (test.empty() ? std::string("-") : test) + " | " + (seeds.empty() ? std::string("1") : seeds) + " | " +
          test_acc + (sd.empty() ? std::string() : " ± " + sd) + " % | " + std::to_string(v.macs) + " | " +
          fixed(v.uj, 2) + " uJ | " + (eff > 0 ? times(eff) : std::string("-")) + " |\n";
  }
  ctx.write("lenet_accuracy_energy.csv", acc.str());
  return {md, ""};
}

// ---- Plots and paper.md

void write_plots(PaperContext& ctx, const Section& cost, const Section& asic) {
  write_file_atomic(ctx.dir / "compute_cost.dat", cost.dat);
  write_file_atomic(ctx.dir / "asic.dat", asic.dat);
  // One unit per precision, no network or array: the title says so, and names the tech table.
  const std::vector<PlotSpec> specs{
      {"paper_asic_efficiency",
       {{"TITLE",
         "One MAC (tech table " + ctx.tech.name +
             " energy) and one PE (Yosys area) vs FP32\nper operation: a single unit, no network, width or array"},
        {"XLABEL", "operation (weight / activation precision)"},
        {"YLABEL", "FP32 cost / operation cost (ratio, log scale)"}}}};
  std::string err;
  if (draw_plots(specs, ctx.dir.string(), &err))
    ctx.sum.files.push_back("asic_efficiency.png");
  else
    ctx.sum.warnings.push_back("plots not drawn: " + err);
}

std::string paper_md(const PaperContext& ctx, const Section& cost, const Section& asic, const Section& iso,
                     const Section& eff, const Section& lenet) {
  const PaperSummary& sum = ctx.sum;
  std::ostringstream md;
  md << "# WRPN hardware results, regenerated\n\n"
     << "Generated by `wrpn paper` with tech table `" << ctx.tech.name << "` and synthesis results `"
     << ctx.opt.synth_dir
     << "`. Compute costs are analytic (no mapping); the equal-area and lenet tables use SystemC access counts, the "
        "whole-network table the analytic evaluator at the mapper's mappings; see\n"
     << "docs/paper-comparison.md for how each number compares with the paper.\n\n"
     << "## Headline figures\n\n| figure | paper | ours: paper's definition | ours: priced MAC energy |\n"
     << "|---|---|---|---|\n"
     << "| AlexNet 2x raw compute operations | 3.9x | " << times(sum.alexnet_2x_raw_ratio) << " | - |\n"
     << "| AlexNet 2x, 4-bit weights and activations: compute cost vs FP32 | 14 % | "
     << pct(sum.alexnet_2x_w4a4_paper_def_cost) << " | " << pct(sum.alexnet_2x_w4a4_mac_energy_cost) << " |\n"
     << "| ResNet-34 2x, 4-bit weights, 8-bit activations: compute cost | 15.1 % | "
     << pct(sum.resnet34_2x_w4a8_paper_def_cost) << " | " << pct(sum.resnet34_2x_w4a8_mac_energy_cost) << " |\n\n"
     << "## Compute cost relative to FP32 at width 1\n\n"
     << "Each cell: the paper's definition (sum of MACs x (w + a) over FP32's MACs x 64) / the energy model's "
        "priced MACs (sum of MACs x one MAC's energy at the layer's widths, every row with its design point's "
        "accumulator, `acc_bits` in compute_cost.csv).\n"
     << cost.md << "\n## ASIC efficiency of one operation\n\n"
     << "Every row at the accumulator its synthesized unit has (reference_acc_bits: the worst case of a 4096-term "
        "dot product). MAC energy from the tech table's rules; cells and PE areas from Yosys.\n\n"
     << asic.md << "\n![ASIC efficiency](asic_efficiency.png)\n"
     << "\n## Equal silicon\n\n"
     << iso.md << "\n## Whole-network efficiency, batch 1 and 32\n\n"
     << eff.md << "\n## Fashion-MNIST lenet\n\n"
     << lenet.md;
  return md.str();
}

}  // namespace

PaperSummary generate_paper_results(const PaperOptions& opt) {
  PaperSummary sum;
  const energy::TechTable tech =
      opt.tech_path.empty() ? energy::TechTable::load_default() : energy::TechTable::load(opt.tech_path);
  // Every synthesized unit the tables use comes from this one strict read (EN006 on any bad file).
  const std::vector<energy::SynthResult> synth = energy::read_synth_results(opt.synth_dir);
  // Replaces an earlier `wrpn paper` output as a whole, and nothing else (IO006).
  StagedDirectory out(opt.out_dir, /*replace=*/true, "paper");
  PaperContext ctx{opt, tech, synth, out.staging(), sum};
  const Section cost = compute_cost_table(ctx);
  const Section asic = asic_efficiency_table(ctx);
  const Section iso = equal_silicon_tables(ctx);
  const Section eff = network_efficiency_table(ctx);
  const Section lenet = lenet_accuracy_table(ctx);
  write_plots(ctx, cost, asic);
  sum.files.push_back(write_sensitivity_csv(ctx.dir, tech));
  write_file_atomic(ctx.dir / "paper.md", paper_md(ctx, cost, asic, iso, eff, lenet));
  sum.files.push_back("paper.md");
  out.commit();
  return sum;
}

}  // namespace wrpn
