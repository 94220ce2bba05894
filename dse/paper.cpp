#include "dse/paper.h"

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
#include "energy/compare.h"
#include "energy/fp32_baseline.h"
#include "energy/pricing.h"
#include "mapping/design_point.h"
#include "mapping/evaluate.h"
#include "mapping/mapper.h"
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

/// The cached Yosys result (results/synth/*.json, format "wrpn-synth") of `top` at the given operand
/// widths (and accumulator width, when `acc_width` > 0), if `wrpn synth` has produced it. FP32 units
/// match on top alone.
std::optional<nlohmann::json> find_synth(const std::string& dir, const std::string& top, int wbits, int abits,
                                         const std::string& kind = "", int acc_width = 0) {
  if (!fs::is_directory(dir)) return std::nullopt;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    try {
      const auto j = nlohmann::json::parse(read_file(f.string()));
      if (j.value("format", "") != "wrpn-synth" || j.value("top", "") != top) continue;
      if (!kind.empty() && j.value("kind", "") != kind) continue;
      if (top.find("fp32") == std::string::npos && kind != "fp32" &&
          (j.value("width_w", -1) != wbits || j.value("width_a", -1) != abits))
        continue;
      if (acc_width > 0 && j.value("acc_width", -1) != acc_width) continue;
      if (!j.contains("cells") || !j.contains("area_um2")) continue;
      return j;
    } catch (const std::exception&) {
      // A corrupt cache file is ignored here; `wrpn synth` reports and rebuilds it.
    }
  }
  return std::nullopt;
}

/// Counts of one network simulated timing-only on the SystemC model, priced on `tech`.
struct SimulatedRun {
  energy::EnergyBreakdown energy;
  uint64_t macs = 0, cycles = 0;
};

/// Runs `wrpn sim` (timing-only) as a child process (SystemC allows one simulation per process)
/// in a scratch directory under `scratch`, reads the per-layer action counts of its summary.json
/// and prices them. Returns nullopt with `error` set when the simulation fails.
std::optional<SimulatedRun> simulate_in_child(const fs::path& scratch, const std::string& tag,
                                              const std::string& network, const std::string& width, int wbits,
                                              int abits, const ArchConfig& arch, const energy::TechTable& tech,
                                              std::string* error) {
  const fs::path arch_file = scratch / (".arch-" + tag + ".json");
  const fs::path run_dir = scratch / (".sim-" + tag);
  write_file_atomic(arch_file.string(), arch.to_json().dump(2) + "\n");
  const ProcessResult r =
      run_process({self_executable(), "sim", "--network", network, "--width", width, "--wbits", std::to_string(wbits),
                   "--abits", std::to_string(abits), "--arch", arch_file.string(), "--out", run_dir.string()},
                  /*capture=*/true);
  fs::remove(arch_file);
  if (r.exit_code != 0) {
    *error = r.output.substr(0, r.output.find('\n'));
    fs::remove_all(run_dir);
    return std::nullopt;
  }
  const auto sj = nlohmann::json::parse(read_file((run_dir / "summary.json").string()));
  fs::remove_all(run_dir);
  std::vector<ActionCounts> counts;
  for (const auto& l : sj.at("layers")) counts.push_back(l.at("action_counts").get<ActionCounts>());
  SimulatedRun out;
  out.energy = energy::price(counts, tech);
  out.energy.counts_source = "systemc";
  for (const auto& c : counts) {
    out.macs += c.macs;
    out.cycles += c.cycles;
  }
  return out;
}

}  // namespace

mapping::ResolvedArch paper_design_point(const std::string& network, double width, int wbits, int abits) {
  const PrecisionPolicy policy = PrecisionPolicy::uniform(wbits, abits);
  const Network net = apply_precision(apply_width(load_network(network), width), policy);
  mapping::ResolvedArch r = mapping::resolve_arch(ArchConfig::builtin_template(), policy, net.layers, network);
  if (r.arch.pe_type == PeType::fp32) r.arch = energy::fp32_version(ArchConfig::builtin_template());
  return r;
}

PaperSummary generate_paper_results(const PaperOptions& opt) {
  PaperSummary sum;
  const energy::TechTable tech =
      opt.tech_path.empty() ? energy::TechTable::load_default() : energy::TechTable::load(opt.tech_path);
  // Replaces an earlier `wrpn paper` output as a whole, and nothing else (IO006).
  StagedDirectory out(opt.out_dir, /*replace=*/true, "paper");
  const fs::path dir = out.staging();

  // 1. Raw MACs and compute cost relative to the FP32 width-1 network.
  CsvTable cost({"network", "width", "wbits", "abits", "macs", "raw_mac_ratio", "compute_cost_ratio",
                 "energy_efficiency_gain", "fp32_energy_pj", "wrpn_energy_pj", "pe_type", "pe_wbits", "pe_abits",
                 "acc_bits", "acc_source"});
  std::ostringstream md_cost;
  std::ostringstream dat;
  for (const std::string name : {"alexnet", "resnet34", "inception_bn"}) {
    const Network base = builtin_network(name);
    md_cost << "\n### " << name << "\n\n| w/a bits |";
    for (double w : paper_widths()) md_cost << " " << w << "x |";
    md_cost << "\n|---|";
    for (size_t i = 0; i < paper_widths().size(); ++i) md_cost << "---|";
    md_cost << "\n";
    for (const auto& [wb, ab] : paper_precisions()) {
      md_cost << "| " << (wb == 32 ? std::string("FP32") : std::to_string(wb) + "/" + std::to_string(ab)) << " |";
      for (double w : paper_widths()) {
        const mapping::ResolvedArch design = paper_design_point(name, w, wb, ab);
        const ArchConfig& arch = design.arch;
        const energy::Comparison c =
            energy::compare_fp32_wrpn(base, w, wb, ab, 1, arch, tech, [&](const Network& net, const ArchConfig& a) {
              // This table is about compute cost (MACs at their precision, independent of any
              // mapping). A wide network whose input rows of one pixel do not fit the built-in input
              // buffer has no mapping: its side gets no counts (energy 0, gain 0 in cost.csv).
              try {
                const std::vector<mapping::LayerMapping> ms = mapping::choose_mappings(
                    a, net.layers, mapping::kDefaultObjective,
                    [&](const ActionCounts& ac) { return energy::price({ac}, tech).total_pj; });
                mapping::NetworkEvaluation e = mapping::evaluate_network(a, net.layers, &ms, net.name);
                return energy::SideCounts{std::move(e.counts), std::move(e.rows)};
              } catch (const DiagnosticError& err) {
                energy::SideCounts none;
                const std::string what = err.what();
                none.mappings.push_back({{"error", what.substr(0, what.find('\n'))}});
                return none;
              }
            });
        cost.row()
            .add(name)
            .add(w)
            .add(wb)
            .add(ab)
            .add(c.wrpn.macs)
            .add(c.raw_mac_ratio)
            .add(c.compute_cost_ratio)
            .add(c.efficiency_gain)
            .add(c.fp32.energy.total_pj)
            .add(c.wrpn.energy.total_pj)
            .add(to_string(arch.pe_type))
            .add(arch.pe_wbits)
            .add(arch.pe_abits)
            .add(arch.acc_bits)
            .add(design.to_json().at("acc_source").get<std::string>());
        md_cost << " " << pct(c.compute_cost_ratio) << " |";
        if (name == std::string("alexnet") && w == 2.0 && wb == 32) sum.alexnet_2x_raw_ratio = c.raw_mac_ratio;
        if (name == std::string("alexnet") && w == 2.0 && wb == 4 && ab == 4)
          sum.alexnet_2x_w4a4_cost = c.compute_cost_ratio;
        if (name == std::string("resnet34") && w == 2.0 && wb == 4 && ab == 8)
          sum.resnet34_2x_w4a8_cost = c.compute_cost_ratio;
        if (wb != 32) dat << name << " " << w << " " << wb << " " << ab << " " << c.compute_cost_ratio << "\n";
      }
      md_cost << "\n";
    }
  }
  write_file_atomic(dir / "compute_cost.csv", cost.str());
  sum.files.push_back("compute_cost.csv");

  // 2. Per-operation ASIC efficiency: one MAC and one PE of each type on the tech table.
  CsvTable asic({"pe_type", "wbits", "abits", "acc_bits", "mac_energy_pj", "pe_area_um2", "energy_efficiency_vs_fp32",
                 "area_efficiency_vs_fp32", "synth_cells", "synth_area_um2"});
  const double fp32_pj = tech.mac_pj(PeType::fp32, 32, 32, 32);
  const double fp32_area = tech.pe_area_um2(PeType::fp32, 32, 32, 32);
  struct Op {
    PeType t;
    int w, a, acc;
    const char* label;
  };
  const std::vector<Op> ops{{PeType::fp32, 32, 32, 32, "FP32"},
                            {PeType::int_k, 8, 8, 32, "8-bit"},
                            {PeType::int_k, 4, 4, 24, "4-bit"},
                            {PeType::int_k, 2, 2, 16, "2-bit"},
                            {PeType::ternary, 2, 8, 24, "ternary (8-bit act)"},
                            {PeType::ternary, 2, 2, 16, "ternary (2-bit act)"},
                            {PeType::binary, 1, 1, 16, "binary (XNOR)"}};
  std::ostringstream md_asic;
  md_asic << "| operation | MAC energy (pJ) | vs FP32 | PE area (um^2) | vs FP32 | synthesized cells | FP32 cells / "
             "cells |\n"
          << "|---|---|---|---|---|---|---|\n";
  const auto synth_fp32_mac = find_synth(opt.synth_dir, "mac_fp32", 32, 32);
  const double fp32_cells = synth_fp32_mac ? synth_fp32_mac->at("cells").at("total").get<double>() : 0.0;
  std::ostringstream asic_dat;
  int idx = 0;
  for (const auto& op : ops) {
    const double pj = tech.mac_pj(op.t, op.w, op.a, op.acc);
    const double area_um2 = tech.pe_area_um2(op.t, op.w, op.a, op.acc);
    // Synthesized cell counts, when `wrpn synth` has cached them (results/synth/*.json).
    std::string cells, synth_area, cell_ratio = "-";
    const char* top = op.t == PeType::fp32      ? "mac_fp32"
                      : op.t == PeType::ternary ? "mac_ternary"
                      : op.t == PeType::binary  ? "mac_binary"
                                                : "mac_unit";
    if (const auto j = find_synth(opt.synth_dir, top, op.w, op.a)) {
      cells = format_number(j->at("cells").at("total").get<double>());
      synth_area = format_number(j->at("area_um2").at("total").get<double>());
      if (fp32_cells > 0) cell_ratio = times(fp32_cells / j->at("cells").at("total").get<double>());
    }
    asic.row()
        .add(to_string(op.t))
        .add(op.w)
        .add(op.a)
        .add(op.acc)
        .add(pj)
        .add(area_um2)
        .add(fp32_pj / pj)
        .add(fp32_area / area_um2)
        .add(cells)
        .add(synth_area);
    md_asic << "| " << op.label << " | " << fixed(pj, 4) << " | " << times(fp32_pj / pj) << " | " << fixed(area_um2, 1)
            << " | " << times(fp32_area / area_um2) << " | " << (cells.empty() ? "not synthesized" : cells) << " | "
            << cell_ratio << " |\n";
    asic_dat << idx++ << " \"" << op.label << "\" " << fp32_pj / pj << " " << fp32_area / area_um2 << "\n";
  }
  if (!fs::is_directory(opt.synth_dir))
    sum.warnings.push_back("no synthesis results in " + opt.synth_dir + " (run `wrpn synth`)");
  write_file_atomic(dir / "asic_efficiency.csv", asic.str());
  sum.files.push_back("asic_efficiency.csv");

  // 3. Equal silicon: size each WRPN array to the FP32 array's PE-array area and compare throughput
  //    and energy for AlexNet at 2x width, beside the equal-PE-count comparison. Every side is
  //    simulated timing-only on the SystemC model (its access counts), priced on the tech table.
  CsvTable iso({"network",
                "width",
                "wbits",
                "abits",
                "comparison",
                "rows",
                "cols",
                "pe_area_um2",
                "array_area_mm2",
                "cycles",
                "images_per_s",
                "energy_per_image_uj",
                "throughput_vs_fp32",
                "efficiency_vs_fp32",
                "fp32_pe_area_ratio",
                "area_ratio_source",
                "counts_source",
                "pe_type",
                "pe_wbits",
                "pe_abits",
                "acc_bits",
                "acc_source"});
  std::ostringstream md_iso;
  {
    const double width = 2.0;
    const ArchConfig fp32_arch = paper_design_point("alexnet", 1.0, 32, 32).arch;
    const energy::AreaBreakdown fp32_area_b = energy::area(fp32_arch, tech);
    std::string error;
    const auto fp32_run = simulate_in_child(dir, "fp32", "alexnet", "1", 32, 32, fp32_arch, tech, &error);
    if (!fp32_run) fail("DSE007", "alexnet", "", "simulating the FP32 baseline failed: " + error);
    const double fp32_s = fp32_run->energy.time_s;
    md_iso << "AlexNet at 2x width against FP32 AlexNet at 1x on a " << fp32_arch.rows << "x" << fp32_arch.cols
           << " FP32 array (" << fixed(fp32_area_b.array_mm2, 3) << " mm^2 of PEs; "
           << fixed(fp32_run->energy.total_pj * 1e-6, 0) << " uJ and " << fixed(fp32_s * 1e3, 2)
           << " ms per image). Equal PEs: the WRPN array has the same PE count; equal area: as many WRPN PEs "
           << "(largest square) as fit in the FP32 array's PE area, with buffer words widened by the ratio of array "
              "edges (rounded up) so its buffer ports keep up; buffer capacities and DRAM bandwidth stay the same. The "
              "FP32 baseline's buffer words are widened to deliver as many FP32 operands per access as the 8-bit "
              "design gets codes (energy::fp32_version). Every side is a timing-only SystemC run of the "
              "whole network (the simulator's cycles and access counts) priced on `"
           << tech.name
           << "`. 1-bit weights run on the 2-bit integer PE (the 8-bit first and last layers cannot run on a binary "
              "PE), so their PE area is that PE's. The FP32/WRPN PE area ratio that sizes the equal-area array comes "
              "from the synthesized MACs in `"
           << opt.synth_dir
           << "` (Yosys, same generic cells on both sides) where both widths are synthesized, else from the tech "
              "table.\n\n"
           << "| w/a bits | PE area (um^2) | FP32 PE / PE area | equal-PE array | throughput vs FP32 | energy gain | "
              "equal-area array | throughput vs FP32 | energy gain |\n|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& [wb, ab] : paper_precisions()) {
      if (wb == 32) continue;
      const mapping::ResolvedArch design = paper_design_point("alexnet", width, wb, ab);
      ArchConfig arch = design.arch;
      const double pe_um2 = energy::area(arch, tech).pe_um2;
      // PE area ratio FP32 / WRPN: from Yosys (same generic cell library on both sides) when both
      // PEs are synthesized, else from the tech table.
      double ratio = fp32_area_b.pe_um2 / pe_um2;
      std::string area_source = "tech table";
      const auto syn_fp32 = find_synth(opt.synth_dir, "pe", 32, 32, "fp32");
      // The PE synthesized at the accumulator this design point uses.
      const auto syn_pe = find_synth(opt.synth_dir, "pe", arch.pe_wbits, arch.pe_abits, "int", arch.acc_bits);
      const auto syn_fp32_mac = find_synth(opt.synth_dir, "mac_fp32", 32, 32);
      const auto syn_mac = find_synth(opt.synth_dir, "mac_unit", arch.pe_wbits, arch.pe_abits, "", arch.acc_bits);
      if (syn_fp32 && syn_pe) {
        ratio = syn_fp32->at("area_um2").at("total").get<double>() / syn_pe->at("area_um2").at("total").get<double>();
        area_source = "Yosys PEs";
      } else if (syn_fp32_mac && syn_mac) {
        // No FP32 PE in the RTL: the ratio of the synthesized MACs (datapath plus accumulator).
        ratio =
            syn_fp32_mac->at("area_um2").at("total").get<double>() / syn_mac->at("area_um2").at("total").get<double>();
        area_source = "Yosys MACs";
      }
      const int64_t fit = static_cast<int64_t>(static_cast<double>(fp32_arch.rows * fp32_arch.cols) * ratio);
      int side = static_cast<int>(std::floor(std::sqrt(static_cast<double>(fit))));
      side = std::max(1, std::min(side, 1024));
      const std::string tag = std::to_string(wb) + "-" + std::to_string(ab);
      auto row = [&](const char* kind, const ArchConfig& a) -> std::pair<double, double> {
        std::string err;
        const auto run = simulate_in_child(dir, tag + "-" + kind, "alexnet", "2", wb, ab, a, tech, &err);
        if (!run) {
          sum.warnings.push_back(std::string("iso-area: simulating alexnet 2x ") + tag + " " + kind +
                                 " failed: " + err);
          return {0.0, 0.0};
        }
        const double throughput = run->energy.time_s > 0 ? fp32_s / run->energy.time_s : 0.0;
        const double gain = run->energy.total_pj > 0 ? fp32_run->energy.total_pj / run->energy.total_pj : 0.0;
        iso.row()
            .add("alexnet")
            .add(width)
            .add(wb)
            .add(ab)
            .add(kind)
            .add(static_cast<int64_t>(a.rows))
            .add(static_cast<int64_t>(a.cols))
            .add(pe_um2)
            .add(energy::area(a, tech).array_mm2)
            .add(run->cycles)
            .add(run->energy.time_s > 0 ? 1.0 / run->energy.time_s : 0.0)
            .add(run->energy.total_pj * 1e-6)
            .add(throughput)
            .add(gain)
            .add(ratio)
            .add(area_source)
            .add("systemc")
            .add(to_string(a.pe_type))
            .add(a.pe_wbits)
            .add(a.pe_abits)
            .add(a.acc_bits)
            .add(design.to_json().at("acc_source").get<std::string>());
        return {throughput, gain};
      };
      const auto same = row("equal_pe_count", arch);
      // The larger array gets buffer words widened in proportion to its edge, so its buffer ports
      // feed each row and column as many operands per cycle as the 16x16 design's did.
      const int edge_factor = (side + fp32_arch.rows - 1) / fp32_arch.rows;
      for (auto& b : arch.buffers) b.word_bits = std::min(4096, b.word_bits * edge_factor);
      arch.rows = arch.cols = side;
      const auto iso_r = row("equal_area", arch);
      md_iso << "| " << wb << "/" << ab << " (" << design.pe_label() << " PE, " << arch.acc_bits << "-bit acc, "
             << (design.acc_pinned ? "pinned" : "from the workload") << ") | " << fixed(pe_um2, 1) << " | "
             << fixed(ratio, 1) << " (" << area_source << ") | " << fp32_arch.rows << "x" << fp32_arch.cols << " | "
             << times(same.first) << " | " << times(same.second) << " | " << side << "x" << side << " | "
             << times(iso_r.first) << " | " << times(iso_r.second) << " |\n";
    }
  }
  write_file_atomic(dir / "iso_area.csv", iso.str());
  sum.files.push_back("iso_area.csv");

  // 4. Fashion-MNIST lenet: each trained variant (the trainer's reference runs) with its simulated
  //    energy. Each variant is simulated timing-only on the SystemC model in a child `wrpn sim`
  //    (one simulation per process) on the built-in 16x16 array with PEs for its precision, and its
  //    action counts are priced on the same tech table.
  std::ostringstream md_acc;
  if (fs::exists(opt.accuracy_csv)) {
    std::ifstream in(opt.accuracy_csv);
    std::string header_line, line;
    std::getline(in, header_line);
    const auto header = split_csv_line(header_line);
    auto col = [&](const std::string& name) {
      const auto it = std::find(header.begin(), header.end(), name);
      return it == header.end() ? -1 : static_cast<int>(it - header.begin());
    };
    const int c_model = col("model"), c_width = col("width"), c_wbits = col("wbits"), c_abits = col("abits"),
              c_acc = col("test_accuracy_pct"), c_epochs = col("epochs");
    // Optional (the seeded table of scripts/accuracy_table.sh): quantizer, spread, seeds, test images.
    const int c_scale = col("weight_scale"), c_sd = col("test_accuracy_sd_pct"), c_seeds = col("n_seeds"),
              c_test = col("test_images");
    if (c_model < 0 || c_width < 0 || c_wbits < 0 || c_abits < 0 || c_acc < 0)
      fail("CFG004", opt.accuracy_csv, "header", "needs columns model, width, wbits, abits, test_accuracy_pct");
    CsvTable acc({"model", "width", "wbits", "abits", "weight_scale", "epochs", "test_images", "n_seeds",
                  "test_accuracy_pct", "test_accuracy_sd_pct", "macs_per_image", "cycles_per_image",
                  "energy_per_image_uj", "efficiency_vs_fp32_w1"});
    md_acc << "Trained by `wrpn train` (commands in `" << opt.accuracy_csv
           << "`); energy per image from a timing-only SystemC run of the same network on a 16x16 array with PEs "
              "for the body's precision (8-bit first/last layers in bit-sliced passes), priced on `"
           << tech.name << "`. Test accuracy is the mean (± sample standard deviation) over the seeds, on the "
           << "number of test images given.\n\n| model | width | w/a bits | weight scale | epochs | test images | "
           << "seeds | test accuracy | MACs/image | energy/image | efficiency vs FP32 w1 |\n"
           << "|---|---|---|---|---|---|---|---|---|---|---|\n";
    double fp32_uj = 0;
    struct Variant {
      std::vector<std::string> cells;
      double uj = 0;
      uint64_t macs = 0, cycles = 0;
    };
    std::vector<Variant> variants;
    int index = 0;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      Variant v;
      v.cells = split_csv_line(line);
      if (static_cast<int>(v.cells.size()) < static_cast<int>(header.size())) continue;
      const int wb = std::stoi(v.cells[static_cast<size_t>(c_wbits)]);
      const int ab = std::stoi(v.cells[static_cast<size_t>(c_abits)]);
      std::string err;
      const auto run = simulate_in_child(dir, "lenet-" + std::to_string(index++), v.cells[static_cast<size_t>(c_model)],
                                         v.cells[static_cast<size_t>(c_width)], wb, ab,
                                         paper_design_point(v.cells[static_cast<size_t>(c_model)],
                                                            std::stod(v.cells[static_cast<size_t>(c_width)]), wb, ab)
                                             .arch,
                                         tech, &err);
      if (!run) {
        sum.warnings.push_back("simulating " + line + " failed: " + err);
        continue;
      }
      v.uj = run->energy.total_pj * 1e-6;
      v.macs = run->macs;
      v.cycles = run->cycles;
      if (wb == 32 && ab == 32 && std::stod(v.cells[static_cast<size_t>(c_width)]) == 1.0) fp32_uj = v.uj;
      variants.push_back(std::move(v));
    }
    for (const auto& v : variants) {
      const auto& c = v.cells;
      auto cell = [&](int i) { return i >= 0 ? c[static_cast<size_t>(i)] : std::string(); };
      const std::string epochs = cell(c_epochs), scale = cell(c_scale), sd = cell(c_sd), seeds = cell(c_seeds),
                        test = cell(c_test);
      const double eff = fp32_uj > 0 && v.uj > 0 ? fp32_uj / v.uj : 0;
      acc.row()
          .add(c[static_cast<size_t>(c_model)])
          .add(c[static_cast<size_t>(c_width)])
          .add(c[static_cast<size_t>(c_wbits)])
          .add(c[static_cast<size_t>(c_abits)])
          .add(scale)
          .add(epochs)
          .add(test)
          .add(seeds)
          .add(c[static_cast<size_t>(c_acc)])
          .add(sd)
          .add(v.macs)
          .add(v.cycles)
          .add(v.uj)
          .add(eff);
      md_acc << "| " << c[static_cast<size_t>(c_model)] << " | " << c[static_cast<size_t>(c_width)] << "x | "
             << (c[static_cast<size_t>(c_wbits)] == "32"
                     ? std::string("FP32")
                     : c[static_cast<size_t>(c_wbits)] + "/" + c[static_cast<size_t>(c_abits)])
             << " | " << (scale.empty() ? std::string("-") : scale) << " | " << epochs << " | "
             << (test.empty() ? std::string("-") : test) << " | " << (seeds.empty() ? std::string("1") : seeds) << " | "
             << c[static_cast<size_t>(c_acc)] << (sd.empty() ? std::string() : " ± " + sd) << " % | " << v.macs << " | "
             << fixed(v.uj, 2) << " uJ | " << (eff > 0 ? times(eff) : std::string("-")) << " |\n";
    }
    write_file_atomic(dir / "lenet_accuracy_energy.csv", acc.str());
    sum.files.push_back("lenet_accuracy_energy.csv");
  } else {
    sum.warnings.push_back("no trained accuracy table at " + opt.accuracy_csv);
    md_acc << "No trained accuracy results yet (`" << opt.accuracy_csv << "` is missing).\n";
  }

  // Plots.
  write_file_atomic(dir / "compute_cost.dat", dat.str());
  write_file_atomic(dir / "asic.dat", asic_dat.str());
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,600 noenhanced\nset grid\n"
     << "set output 'asic_efficiency.png'\nset title 'Energy and area efficiency of one MAC/PE vs FP32'\n"
     << "set style data histograms\nset style fill solid 0.8\nset logscale y\nset ylabel 'FP32 / operation'\n"
     << "set xtics rotate by -30\n"
     << "plot 'asic.dat' using 3:xtic(2) title 'energy', '' using 4 title 'area'\n";
  std::string err;
  if (run_gnuplot(gp.str(), dir.string(), &err))
    sum.files.push_back("asic_efficiency.png");
  else
    sum.warnings.push_back("plots not drawn: " + err);

  std::ostringstream md;
  md << "# WRPN hardware results, regenerated\n\n"
     << "Generated by `wrpn paper` with tech table `" << tech.name
     << "`. Compute-cost ratios are analytic (MACs x per-MAC energy, energy/); the equal-area and lenet tables use "
        "SystemC access counts; see\n"
     << "docs/paper-comparison.md for how each number compares with the paper.\n\n"
     << "## Headline figures\n\n| figure | paper | ours |\n|---|---|---|\n"
     << "| AlexNet 2x raw compute operations | 3.9x | " << times(sum.alexnet_2x_raw_ratio) << " |\n"
     << "| AlexNet 2x, 4-bit weights and activations: compute cost vs FP32 | 14 % | " << pct(sum.alexnet_2x_w4a4_cost)
     << " |\n"
     << "| ResNet-34 2x, 4-bit weights, 8-bit activations: compute cost | 15.1 % | " << pct(sum.resnet34_2x_w4a8_cost)
     << " |\n\n"
     << "## Compute cost relative to FP32 at width 1\n"
     << md_cost.str() << "\n## ASIC efficiency of one operation\n\n"
     << md_asic.str() << "\n![ASIC efficiency](asic_efficiency.png)\n"
     << "\n## Equal silicon versus equal PE count\n\n"
     << md_iso.str() << "\n## Fashion-MNIST lenet\n\n"
     << md_acc.str();
  write_file_atomic(dir / "paper.md", md.str());
  sum.files.push_back("paper.md");
  out.commit();
  return sum;
}

}  // namespace wrpn
