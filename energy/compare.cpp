#include "energy/compare.h"

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/plot.h"
#include "common/run_manifest.h"
#include "energy/synth_calibration.h"

namespace wrpn::energy {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string human_pj(double pj) {
  if (pj >= 1e12) return fmt("%.3f J", pj * 1e-12);
  if (pj >= 1e9) return fmt("%.3f mJ", pj * 1e-9);
  if (pj >= 1e6) return fmt("%.3f uJ", pj * 1e-6);
  if (pj >= 1e3) return fmt("%.3f nJ", pj * 1e-3);
  return fmt("%.3f pJ", pj);
}

std::string human_bytes(double b) {
  if (b >= 1024.0 * 1024 * 1024) return fmt("%.2f GiB", b / (1024.0 * 1024 * 1024));
  if (b >= 1024.0 * 1024) return fmt("%.2f MiB", b / (1024.0 * 1024));
  if (b >= 1024.0) return fmt("%.2f KiB", b / 1024.0);
  return fmt("%.0f B", b);
}

double ratio(double a, double b) { return b != 0 ? a / b : 0.0; }

SideResult run_side(const std::string& label, const Network& net, const ArchConfig& arch, const TechTable& tech,
                    const LayerCounter& count) {
  SideResult s;
  s.label = label;
  s.net = net;
  s.arch = arch;
  SideCounts sc = count(net, arch);
  s.counts = std::move(sc.counts);
  s.mappings = std::move(sc.mappings);
  s.energy = price(s.counts, tech);
  s.area = area(arch, tech);
  s.paper_def_cost_bit_ops = paper_def_cost_bit_ops(net);
  s.mac_energy_cost_pj = mac_energy_cost_pj(net, tech, arch.pe_type == PeType::fp32 ? 32 : arch.acc_bits);
  int64_t act_bits = 0;
  if (!net.layers.empty()) act_bits += net.layers.front().input_bits_total();
  int64_t w_bits = 0;
  for (const auto& l : net.layers) {
    w_bits += l.weight_bits_total();
    act_bits += l.output_bits_total();
  }
  s.weight_bytes = static_cast<uint64_t>((w_bits + 7) / 8);
  s.activation_bytes = static_cast<uint64_t>((act_bits + 7) / 8);
  s.macs = static_cast<uint64_t>(net.total_macs());  // the network's, whatever the counter did
  for (const auto& c : s.counts) {
    s.dram_bytes += c.dram_read_bytes + c.dram_write_bytes;
    s.cycles += c.cycles;
  }
  return s;
}

nlohmann::json side_json(const SideResult& s) {
  nlohmann::json counts = nlohmann::json::array();
  for (const auto& c : s.counts) counts.push_back(c);
  const nlohmann::json& maps = s.mappings;
  return {{"label", s.label},
          {"network", s.net.name},
          {"width", s.net.width},
          {"arch", s.arch.to_json()},
          {"macs", s.macs},
          {"paper_def_cost_bit_ops", s.paper_def_cost_bit_ops},
          {"mac_energy_cost_pj", s.mac_energy_cost_pj},
          {"weight_bytes", s.weight_bytes},
          {"activation_bytes", s.activation_bytes},
          {"dram_bytes", s.dram_bytes},
          {"cycles", s.cycles},
          {"energy", s.energy.to_json()},
          {"area", s.area.to_json()},
          {"mappings", maps},
          {"action_counts", counts}};
}

}  // namespace

double paper_def_cost_bit_ops(const Network& net) {
  double total = 0;
  for (const auto& l : net.layers)
    if (l.has_weights()) total += static_cast<double>(l.macs()) * (l.wbits + l.abits_in);
  return total;
}

double mac_energy_cost_pj(const Network& net, const TechTable& tech, int acc_bits) {
  double total = 0;
  for (const auto& l : net.layers) {
    if (!l.has_weights()) continue;
    const PeType t = pe_type_for_bits(l.wbits, l.abits_in);
    total += static_cast<double>(l.macs()) * tech.mac_pj(t, l.wbits, l.abits_in, t == PeType::fp32 ? 32 : acc_bits);
  }
  return total;
}

Comparison compare_fp32_wrpn(const Network& base, double width, int wbits, int abits, int64_t batch,
                             const ArchConfig& wrpn_arch, const TechTable& tech, const LayerCounter& count) {
  return compare_fp32_wrpn(base, width, PrecisionPolicy::uniform(wbits, abits), batch, wrpn_arch, tech, count);
}

Comparison compare_fp32_wrpn(const Network& base, double width, const PrecisionPolicy& precision, int64_t batch,
                             const ArchConfig& wrpn_arch, const TechTable& tech, const LayerCounter& count) {
  Comparison c;
  c.network = base.name;
  c.width = width;
  c.wbits = precision.wbits;
  c.abits = precision.abits;
  c.batch = batch;
  c.tech = tech.name;
  c.mac_calibration = calibration_note(tech);
  const Network fp32_net = with_batch(apply_precision(base, PrecisionPolicy::uniform(32, 32)), batch);
  const Network wrpn_net = with_batch(apply_precision(apply_width(base, width), precision), batch);
  c.fp32 = run_side("fp32", fp32_net, fp32_version(wrpn_arch), tech, count);
  c.wrpn = run_side("wrpn", wrpn_net, wrpn_arch, tech, count);
  c.raw_mac_ratio = ratio(static_cast<double>(c.wrpn.macs), static_cast<double>(c.fp32.macs));
  c.paper_def_cost_ratio = ratio(c.wrpn.paper_def_cost_bit_ops, c.fp32.paper_def_cost_bit_ops);
  c.mac_energy_cost_ratio = ratio(c.wrpn.mac_energy_cost_pj, c.fp32.mac_energy_cost_pj);
  c.mac_energy_ratio = ratio(c.wrpn.energy.component_pj(kMac), c.fp32.energy.component_pj(kMac));
  c.efficiency_gain = ratio(c.fp32.energy.total_pj, c.wrpn.energy.total_pj);
  c.speedup = ratio(static_cast<double>(c.fp32.cycles), static_cast<double>(c.wrpn.cycles));
  return c;
}

nlohmann::json Comparison::to_json() const {
  nlohmann::json j{{"network", network},
                   {"width", width},
                   {"wbits", wbits},
                   {"abits", abits},
                   {"batch", batch},
                   {"tech", tech},
                   {"counts_source", wrpn.energy.counts_source},
                   {"raw_mac_ratio", raw_mac_ratio},
                   {"paper_def_cost_ratio", paper_def_cost_ratio},
                   {"mac_energy_cost_ratio", mac_energy_cost_ratio},
                   {"mac_energy_ratio", mac_energy_ratio},
                   {"efficiency_gain", efficiency_gain},
                   {"speedup", speedup},
                   {"fp32", side_json(fp32)},
                   {"wrpn", side_json(wrpn)}};
  if (!mac_calibration.empty()) j["mac_calibration"] = mac_calibration;
  if (!design_point.is_null()) j["design_point"] = design_point;
  return j;
}

std::string format_report(const Comparison& c) {
  std::ostringstream o;
  char line[256];
  o << "Energy: " << c.network << " FP32 (width 1) vs WRPN (width " << format_number(c.width) << ", W" << c.wbits << "A"
    << c.abits << "), batch " << c.batch << ", tech " << c.tech << ", counts: " << c.wrpn.energy.counts_source
    << " (output-stationary " << c.wrpn.arch.rows << "x" << c.wrpn.arch.cols << ")\n";
  if (!c.design.empty()) o << "WRPN design point: " << c.design << "\n";
  o << "FP32 design point: " << c.fp32.arch.rows << "x" << c.fp32.arch.cols << " fp32 PEs, " << c.fp32.arch.acc_bits
    << "-bit accumulator\n";
  if (!c.mac_calibration.empty()) o << c.mac_calibration << "\n";
  o << "\n";
  std::snprintf(line, sizeof line, "%-26s %16s %16s %10s\n", "", "FP32", "WRPN", "WRPN/FP32");
  o << line;
  auto row = [&](const std::string& name, const std::string& a, const std::string& b, double r) {
    std::snprintf(line, sizeof line, "%-26s %16s %16s %10s\n", name.c_str(), a.c_str(), b.c_str(),
                  fmt("%.4f", r).c_str());
    o << line;
  };
  row("MACs", fmt("%.4g", static_cast<double>(c.fp32.macs)), fmt("%.4g", static_cast<double>(c.wrpn.macs)),
      c.raw_mac_ratio);
  row("compute cost: paper def.", fmt("%.4g bit-ops", c.fp32.paper_def_cost_bit_ops),
      fmt("%.4g bit-ops", c.wrpn.paper_def_cost_bit_ops), c.paper_def_cost_ratio);
  row("compute cost: MAC energy", human_pj(c.fp32.mac_energy_cost_pj), human_pj(c.wrpn.mac_energy_cost_pj),
      c.mac_energy_cost_ratio);
  for (size_t i = 0; i < c.fp32.energy.components.size(); ++i) {
    const std::string& n = c.fp32.energy.components[i];
    const double a = c.fp32.energy.total_by_component_pj[i];
    const double b = c.wrpn.energy.component_pj(n);
    row("energy: " + n, human_pj(a), human_pj(b), ratio(b, a));
  }
  row("energy: total", human_pj(c.fp32.energy.total_pj), human_pj(c.wrpn.energy.total_pj),
      ratio(c.wrpn.energy.total_pj, c.fp32.energy.total_pj));
  // Both clock-gating choices; "total" above is the configured one.
  const bool gated = c.wrpn.energy.clock_gating;
  row(std::string("  if clock-gated") + (gated ? " (cfg)" : ""), human_pj(c.fp32.energy.total_clock_gated_pj()),
      human_pj(c.wrpn.energy.total_clock_gated_pj()),
      ratio(c.wrpn.energy.total_clock_gated_pj(), c.fp32.energy.total_clock_gated_pj()));
  row(std::string("  if ungated") + (gated ? "" : " (cfg)"), human_pj(c.fp32.energy.total_clock_ungated_pj()),
      human_pj(c.wrpn.energy.total_clock_ungated_pj()),
      ratio(c.wrpn.energy.total_clock_ungated_pj(), c.fp32.energy.total_clock_ungated_pj()));
  row("DRAM traffic", human_bytes(static_cast<double>(c.fp32.dram_bytes)),
      human_bytes(static_cast<double>(c.wrpn.dram_bytes)),
      ratio(static_cast<double>(c.wrpn.dram_bytes), static_cast<double>(c.fp32.dram_bytes)));
  row("weight memory", human_bytes(static_cast<double>(c.fp32.weight_bytes)),
      human_bytes(static_cast<double>(c.wrpn.weight_bytes)),
      ratio(static_cast<double>(c.wrpn.weight_bytes), static_cast<double>(c.fp32.weight_bytes)));
  row("activation memory", human_bytes(static_cast<double>(c.fp32.activation_bytes)),
      human_bytes(static_cast<double>(c.wrpn.activation_bytes)),
      ratio(static_cast<double>(c.wrpn.activation_bytes), static_cast<double>(c.fp32.activation_bytes)));
  row("cycles", fmt("%.4g", static_cast<double>(c.fp32.cycles)), fmt("%.4g", static_cast<double>(c.wrpn.cycles)),
      ratio(static_cast<double>(c.wrpn.cycles), static_cast<double>(c.fp32.cycles)));
  row("PE area (um^2)", fmt("%.1f", c.fp32.area.pe_um2), fmt("%.1f", c.wrpn.area.pe_um2),
      ratio(c.wrpn.area.pe_um2, c.fp32.area.pe_um2));
  row("chip area (mm^2)", fmt("%.3f", c.fp32.area.total_mm2), fmt("%.3f", c.wrpn.area.total_mm2),
      ratio(c.wrpn.area.total_mm2, c.fp32.area.total_mm2));
  o << "\n";
  // The WRPN paper's figures, quoted only beside the configuration they were reported for.
  const bool alexnet2 = c.network == "alexnet" && c.width == 2.0;
  const std::string mac_ref = alexnet2 ? "   (WRPN paper, AlexNet 2x: 3.9)" : "";
  std::string cost_ref;
  if (alexnet2 && c.wbits == 4 && c.abits == 4) cost_ref = "   (WRPN paper, AlexNet 2x W4A4: 14%)";
  if (c.network == "resnet34" && c.width == 2.0 && c.wbits == 4 && c.abits == 8)
    cost_ref = "   (WRPN paper, ResNet-34 2x W4A8: 15.1%)";
  // Two compute costs, never conflated: the paper's stated definition (operand bits per MAC) and
  // the energy model's priced MACs. The paper's figure is quoted beside its own definition.
  const std::string acc_label = "compute cost, priced MAC energy (acc " +
                                std::to_string(c.wrpn.arch.pe_type == PeType::fp32 ? 32 : c.wrpn.arch.acc_bits) +
                                " bits)";
  std::snprintf(line, sizeof line, "%-48s %.3f%s\n", "raw MAC ratio", c.raw_mac_ratio, mac_ref.c_str());
  o << line;
  std::snprintf(line, sizeof line, "%-48s %.1f%%%s\n", "compute cost, paper's definition (MACs x (w+a))",
                100 * c.paper_def_cost_ratio, cost_ref.c_str());
  o << line;
  std::snprintf(line, sizeof line, "%-48s %.1f%%\n", acc_label.c_str(), 100 * c.mac_energy_cost_ratio);
  o << line;
  std::snprintf(line, sizeof line, "%-48s %.2fx  (FP32 energy / WRPN energy; idle PE clocks %s)\n", "efficiency gain",
                c.efficiency_gain, gated ? "gated" : "ungated");
  o << line;
  std::snprintf(line, sizeof line, "%-48s %.2fx\n",
                gated ? "  with idle PE clocks ungated" : "  with idle PE clocks gated",
                gated ? ratio(c.fp32.energy.total_clock_ungated_pj(), c.wrpn.energy.total_clock_ungated_pj())
                      : ratio(c.fp32.energy.total_clock_gated_pj(), c.wrpn.energy.total_clock_gated_pj()));
  o << line;
  return o.str();
}

void write_run(const Comparison& c, const std::filesystem::path& run_dir, const nlohmann::json& effective_config) {
  StagedDirectory dir(run_dir);
  const auto& p = dir.staging();

  // summary.csv: one row per side.
  std::vector<std::string> cols{
      "side", "network", "width", "wbits", "abits", "batch", "macs", "paper_def_cost_bit_ops", "mac_energy_cost_pj"};
  for (const auto& n : c.fp32.energy.components) cols.push_back(n + "_energy_pj");
  for (const std::string x :
       {"total_energy_pj", "dram_bytes", "weight_bytes", "activation_bytes", "cycles", "time_s", "pe_area_um2",
        "area_mm2", "pe_type", "pe_wbits", "pe_abits", "rows", "cols", "acc_bits", "acc_source"})
    cols.push_back(x);
  CsvTable summary(cols);
  for (const SideResult* s : {&c.fp32, &c.wrpn}) {
    const bool fp = s == &c.fp32;
    summary.row()
        .add(s->label)
        .add(s->net.name)
        .add(s->net.width)
        .add(fp ? 32 : c.wbits)
        .add(fp ? 32 : c.abits)
        .add(c.batch)
        .add(s->macs)
        .add(s->paper_def_cost_bit_ops)
        .add(s->mac_energy_cost_pj);
    for (const auto& n : c.fp32.energy.components) summary.add(s->energy.component_pj(n));
    summary.add(s->energy.total_pj)
        .add(s->dram_bytes)
        .add(s->weight_bytes)
        .add(s->activation_bytes)
        .add(s->cycles)
        .add(s->energy.time_s)
        .add(s->area.pe_um2)
        .add(s->area.total_mm2)
        .add(to_string(s->arch.pe_type))
        .add(s->arch.pe_wbits)
        .add(s->arch.pe_abits)
        .add(s->arch.rows)
        .add(s->arch.cols)
        .add(s->arch.acc_bits)
        .add(fp                           ? std::string("fp32")
             : c.design_point.is_object() ? c.design_point.value("acc_source", std::string("pinned"))
                                          : std::string("pinned"));
  }
  write_file_atomic(p / "summary.csv", summary.str());

  CsvTable comps({"component", "fp32_energy_pj", "wrpn_energy_pj", "wrpn_over_fp32"});
  for (const auto& n : c.fp32.energy.components) {
    const double a = c.fp32.energy.component_pj(n), b = c.wrpn.energy.component_pj(n);
    comps.row().add(n).add(a).add(b).add(ratio(b, a));
  }
  comps.row()
      .add("total")
      .add(c.fp32.energy.total_pj)
      .add(c.wrpn.energy.total_pj)
      .add(ratio(c.wrpn.energy.total_pj, c.fp32.energy.total_pj));
  // Both clock-gating choices (one of them is "total", the configured one: energy.json says which).
  comps.row()
      .add("total_if_clock_gated")
      .add(c.fp32.energy.total_clock_gated_pj())
      .add(c.wrpn.energy.total_clock_gated_pj())
      .add(ratio(c.wrpn.energy.total_clock_gated_pj(), c.fp32.energy.total_clock_gated_pj()));
  comps.row()
      .add("total_if_clock_ungated")
      .add(c.fp32.energy.total_clock_ungated_pj())
      .add(c.wrpn.energy.total_clock_ungated_pj())
      .add(ratio(c.wrpn.energy.total_clock_ungated_pj(), c.fp32.energy.total_clock_ungated_pj()));
  write_file_atomic(p / "components.csv", comps.str());

  std::vector<std::string> lcols{"side", "layer", "macs", "pe_active_cycles", "cycles", "dram_bytes"};
  for (const auto& n : c.fp32.energy.components) lcols.push_back(n + "_energy_pj");
  lcols.push_back("total_energy_pj");
  CsvTable layers(lcols);
  for (const SideResult* s : {&c.fp32, &c.wrpn}) {
    for (size_t i = 0; i < s->counts.size(); ++i) {
      const auto& cnt = s->counts[i];
      layers.row()
          .add(s->label)
          .add(cnt.layer)
          .add(cnt.macs)
          .add(cnt.pe_active_cycles)
          .add(cnt.cycles)
          .add(cnt.dram_read_bytes + cnt.dram_write_bytes);
      for (const auto& n : c.fp32.energy.components) {
        double v = 0;
        for (size_t k = 0; k < s->energy.components.size(); ++k)
          if (s->energy.components[k] == n) v = s->energy.layers[i].component_pj[k];
        layers.add(v);
      }
      layers.add(s->energy.layers[i].total_pj);
    }
  }
  write_file_atomic(p / "layers.csv", layers.str());

  write_file_atomic(p / "energy.json", c.to_json().dump(2) + "\n");
  write_file_atomic(p / "effective_config.json", effective_config.dump(2) + "\n");
  // Plots (views of the CSVs; a missing gnuplot is reported in report.md, never fatal).
  CsvTable per_layer({"layer", "fp32_cycles", "wrpn_cycles", "fp32_energy_pj", "wrpn_energy_pj"});
  for (size_t i = 0; i < c.fp32.counts.size() && i < c.wrpn.counts.size(); ++i)
    per_layer.row()
        .add(c.wrpn.counts[i].layer)
        .add(c.fp32.counts[i].cycles)
        .add(c.wrpn.counts[i].cycles)
        .add(c.fp32.energy.layers[i].total_pj)
        .add(c.wrpn.energy.layers[i].total_pj);
  write_file_atomic(p / "per_layer.csv", per_layer.str());
  // Plots from common/plots/ templates: energy in uJ per image (the CSVs hold pJ per batch), log axes.
  const std::string rows = "::1::" + std::to_string(c.fp32.energy.components.size());
  const std::string per_image_uj = "*1e-6/" + std::to_string(c.batch) + ")";
  const std::string wrpn_label =
      "WRPN width " + format_number(c.width) + " W" + std::to_string(c.wbits) + "A" + std::to_string(c.abits);
  const std::string run = c.network + ": FP32 width 1 vs " + wrpn_label + ", arch " + c.wrpn.arch.name + ", batch " +
                          std::to_string(c.batch) + ", tech " + c.tech;
  auto pair = [&](const std::string& output, const std::string& data, const std::string& every, const std::string& a,
                  const std::string& b, const std::string& title, const std::string& xlabel,
                  const std::string& ylabel) {
    return PlotSpec{"histogram_pair",
                    {{"OUTPUT", output},
                     {"DATA", data},
                     {"ROWS", every},
                     {"USING_A", a},
                     {"USING_B", b},
                     {"A_TITLE", "FP32 width 1"},
                     {"B_TITLE", wrpn_label},
                     {"TITLE", title + "\n" + run},
                     {"XLABEL", xlabel},
                     {"YLABEL", ylabel}}};
  };
  const std::vector<PlotSpec> specs{
      pair("energy_breakdown.png", "components.csv", rows, "($2" + per_image_uj, "($3" + per_image_uj,
           "Energy by component", "component", "energy per image (µJ, log scale)"),
      pair("energy_per_layer.png", "per_layer.csv", "::1", "($4" + per_image_uj, "($5" + per_image_uj,
           "Energy per layer", "layer", "energy per image (µJ, log scale)"),
      pair("cycles_per_layer.png", "per_layer.csv", "::1", "2", "3", "Cycles per layer", "layer",
           "cycles per batch (log scale)")};
  std::string plot_error;
  const bool plotted = draw_plots(specs, p.string(), &plot_error);
  std::string md = "# wrpn energy\n\n```\n" + format_report(c) + "```\n\nFormulas: docs/energy-model.md. Data: " +
                   "summary.csv, components.csv, layers.csv, per_layer.csv, energy.json.\n\n" +
                   "## Energy by component (components.csv, whole batch)\n\n" + comps.markdown(4) + "\n";
  if (plotted)
    md +=
        "![energy by component](energy_breakdown.png)\n\n![energy per layer](energy_per_layer.png)\n\n"
        "![cycles per layer](cycles_per_layer.png)\n";
  else
    md += "Plots not drawn: " + plot_error + "\n";
  write_file_atomic(p / "report.md", md);
  write_file_atomic(p / "manifest.json", make_manifest("energy", 0, effective_config).dump(2) + "\n");
  dir.commit();
}

}  // namespace wrpn::energy
