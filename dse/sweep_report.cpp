#include "dse/sweep_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/plot.h"
#include "dse/pareto.h"

namespace wrpn {

namespace {

double num(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : std::nan("");
}

std::string cell(double v) { return std::isnan(v) ? std::string() : format_number(v); }
/// Four significant digits for the readable report (the CSVs keep every digit).
std::string short_cell(double v) {
  if (std::isnan(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

/// A text as one Markdown table cell: a multi-line reason (a diagnostic and its hint) and any '|'
/// would otherwise end the row or the table.
std::string table_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "<br>";
    else if (c == '|')
      out += "\\|";
    else if (c != '\r')
      out += c;
  }
  return out;
}

/// Whether gnuplot made a non-empty `file`.
bool plot_exists(const std::string& file) {
  std::error_code ec;
  return std::filesystem::is_regular_file(file, ec) && std::filesystem::file_size(file, ec) > 0 && !ec;
}

}  // namespace

SweepCollection collect_sweep(const SweepConfig& config, const SweepPaths& paths) {
  SweepCollection out;
  const auto points = config.points();
  const auto results = load_point_results(config, paths);
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& r : results) by_id[r.value("id", "")] = r;

  // Energy components present in any result, in a stable order.
  std::set<std::string> component_set;
  for (const auto& r : results)
    if (r.contains("energy_pj") && r["energy_pj"].is_object())
      for (auto it = r["energy_pj"].begin(); it != r["energy_pj"].end(); ++it)
        if (it.key() != "total") component_set.insert(it.key());
  const std::vector<std::string> components(component_set.begin(), component_set.end());

  std::vector<std::string> cols{"id",
                                "status",
                                "reason",
                                "wbits",
                                "abits",
                                "width",
                                "rows",
                                "cols",
                                "dataflow",
                                "buffer_scale",
                                "tech",
                                "baseline",
                                "accuracy_pct",
                                "macs",
                                "cycles",
                                "latency_ms",
                                "energy_pj",
                                "area_mm2",
                                "efficiency_vs_fp32",
                                "speedup_vs_fp32",
                                "pareto",
                                "pe_type",
                                "pe_wbits",
                                "pe_abits",
                                "acc_bits",
                                "acc_source"};
  for (const auto& c : components) cols.push_back("energy_" + c + "_pj");
  CsvTable table(cols);

  // Pareto over ok, non-baseline points: maximize accuracy (when known), minimize energy and latency.
  std::vector<const DesignPoint*> cand_points;
  std::vector<ParetoCandidate> cands;
  const bool have_accuracy = config.accuracy == AccuracyMode::train;
  for (const auto& p : points) {
    auto it = by_id.find(p.id());
    if (it == by_id.end() || it->second.value("status", "") != "ok") continue;
    const auto& r = it->second;
    ParetoCandidate c;
    if (have_accuracy) c.values.push_back(num(r, "accuracy_pct"));
    c.values.push_back(num(r["energy_pj"], "total"));
    c.values.push_back(num(r, "latency_ms"));
    cand_points.push_back(&p);
    cands.push_back(c);
  }
  std::vector<bool> maximize;
  if (have_accuracy) maximize.push_back(true);
  maximize.push_back(false);
  maximize.push_back(false);
  std::set<std::string> on_front;
  for (size_t i : pareto_front(cands, maximize)) on_front.insert(cand_points[i]->id());
  out.pareto = on_front.size();

  CsvTable pareto_table({"id", "accuracy_pct", "energy_pj", "latency_ms", "efficiency_vs_fp32"});
  std::ostringstream eff_dat, front_dat, all_dat;
  for (const auto& p : points) {
    const std::string id = p.id();
    auto it = by_id.find(id);
    table.row().add(id);
    if (it == by_id.end()) {
      ++out.pending;
      table.add("pending").add("");
    } else {
      const auto& r = it->second;
      const bool ok = r.value("status", "") == "ok";
      ok ? ++out.ok : ++out.failed;
      table.add(r.value("status", "failed")).add(r.value("reason", ""));
    }
    table.add(p.wbits)
        .add(p.abits)
        .add(p.width)
        .add(p.rows)
        .add(p.cols)
        .add(to_string(p.dataflow))
        .add(p.buffer_scale)
        .add(p.tech)
        .add(p.baseline ? "true" : "false");
    const nlohmann::json r = it == by_id.end() ? nlohmann::json::object() : it->second;
    const double energy = r.contains("energy_pj") ? num(r["energy_pj"], "total") : std::nan("");
    const double latency = num(r, "latency_ms");
    double eff = std::nan(""), speedup = std::nan("");
    auto b = by_id.find(p.baseline_id());
    if (b != by_id.end() && b->second.value("status", "") == "ok" && !std::isnan(energy)) {
      eff = num(b->second["energy_pj"], "total") / energy;
      speedup = num(b->second, "latency_ms") / latency;
    }
    table.add(cell(num(r, "accuracy_pct")))
        .add(cell(num(r, "macs")))
        .add(cell(num(r, "cycles")))
        .add(cell(latency))
        .add(cell(energy))
        .add(cell(num(r, "area_mm2")))
        .add(cell(eff))
        .add(cell(speedup))
        .add(on_front.count(id) ? "true" : "false");
    // The design point the point ran (mapping/design_point.h): PE array and accumulator.
    const nlohmann::json dp = r.value("design_point", nlohmann::json::object());
    table.add(dp.value("pe_type", std::string()))
        .add(dp.contains("pe_wbits") ? std::to_string(dp.at("pe_wbits").get<int>()) : std::string())
        .add(dp.contains("pe_abits") ? std::to_string(dp.at("pe_abits").get<int>()) : std::string())
        .add(dp.contains("acc_bits") ? std::to_string(dp.at("acc_bits").get<int>()) : std::string())
        .add(dp.value("acc_source", std::string()));
    for (const auto& c : components)
      table.add(cell(r.contains("energy_pj") ? num(r["energy_pj"], c.c_str()) : std::nan("")));
    if (!std::isnan(energy)) {
      all_dat << energy << " " << latency << " " << cell(num(r, "accuracy_pct")) << "\n";
      if (on_front.count(id)) {
        front_dat << energy << " " << latency << " " << cell(num(r, "accuracy_pct")) << "\n";
        pareto_table.row().add(id).add(cell(num(r, "accuracy_pct"))).add(energy).add(latency).add(cell(eff));
      }
      if (!p.baseline && !std::isnan(eff)) eff_dat << p.wbits << " " << p.abits << " " << p.width << " " << eff << "\n";
    }
  }
  write_file_atomic(paths.dir + "/results.csv", table.str());
  write_file_atomic(paths.dir + "/pareto.csv", pareto_table.str());

  // Plots: energy vs latency (or accuracy) with the Pareto front; efficiency vs bit width.
  const std::string plots = paths.dir + "/plots";
  std::filesystem::create_directories(plots);
  write_file_atomic(plots + "/all.dat", all_dat.str());
  write_file_atomic(plots + "/front.dat", front_dat.str());
  write_file_atomic(plots + "/efficiency.dat", eff_dat.str());
  // Plots of an earlier collection go first: the report links only what this one drew.
  for (const char* png : {"/pareto.png", "/efficiency.png"}) std::filesystem::remove(plots + png);
  std::string err;
  const std::string y = have_accuracy ? "3" : "2";
  const std::string ylabel = have_accuracy ? "test accuracy (%)" : "latency (ms)";
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,600 noenhanced\nset grid\nset key top right\n"
     << "set output 'pareto.png'\nset title " << gnuplot_quote(config.name + ": design points and Pareto front") << "\n"
     << "set xlabel 'energy per inference (pJ)'\nset logscale x\nset ylabel '" << ylabel << "'\n"
     << "plot 'all.dat' using 1:" << y << " with points pt 7 ps 0.8 lc rgb '#9090a0' title 'design points', "
     << "'front.dat' using 1:" << y << " with points pt 7 ps 1.4 lc rgb '#d04020' title 'Pareto front'\n"
     << "unset logscale x\nset output 'efficiency.png'\nset title 'energy efficiency vs FP32 width 1 (same array)'\n"
     << "set xlabel 'weight bits'\nset ylabel 'FP32 energy / point energy'\nset logscale y\n"
     << (eff_dat.str().empty() ? ""
                               : "plot 'efficiency.dat' using 1:4 with points pt 7 ps 1.2 title 'design points'\n");
  if (!all_dat.str().empty() && !run_gnuplot(gp.str(), plots, &err)) out.plot_warnings.push_back(err);

  std::ostringstream md;
  md << "# Sweep `" << config.name << "`\n\n"
     << "Network `" << config.network << "`, batch " << config.batch << ". " << points.size() << " points: " << out.ok
     << " ok, " << out.failed << " failed, " << out.pending << " pending. " << out.pareto << " on the Pareto front ("
     << (have_accuracy ? "accuracy, " : "") << "energy, latency).\n\n"
     << "Efficiency is FP32 width-1 energy on the same array divided by the point's energy.\n\n";
  const bool have_pareto_png = plot_exists(plots + "/pareto.png"),
             have_eff_png = plot_exists(plots + "/efficiency.png");
  if (have_pareto_png) md << "![Pareto front](plots/pareto.png)\n\n";
  if (have_eff_png) md << "![Efficiency](plots/efficiency.png)\n\n";
  if (!have_pareto_png || !have_eff_png)
    md << "Plots not drawn: "
       << (all_dat.str().empty() ? "no point finished"
           : err.empty()         ? "no point to compare with its baseline"
                                 : err)
       << ".\n\n";
  md << "## Pareto front\n\n| point | accuracy % | energy (pJ) | latency (ms) | efficiency vs FP32 "
        "|\n|---|---|---|---|---|\n";
  for (const auto& p : points) {
    if (!on_front.count(p.id())) continue;
    const auto& r = by_id[p.id()];
    double eff = std::nan("");
    auto b = by_id.find(p.baseline_id());
    if (b != by_id.end() && b->second.value("status", "") == "ok")
      eff = num(b->second["energy_pj"], "total") / num(r["energy_pj"], "total");
    md << "| " << p.id() << " | " << short_cell(num(r, "accuracy_pct")) << " | "
       << short_cell(num(r["energy_pj"], "total")) << " | " << short_cell(num(r, "latency_ms")) << " | "
       << short_cell(eff) << " |\n";
  }
  if (out.failed) {
    md << "\n## Failed points\n\n| point | reason |\n|---|---|\n";
    for (const auto& p : points) {
      auto it = by_id.find(p.id());
      if (it != by_id.end() && it->second.value("status", "") != "ok")
        md << "| " << p.id() << " | " << table_cell(it->second.value("reason", "")) << " |\n";
    }
  }
  md << "\nAll points: `results.csv`. Front: `pareto.csv`.\n";
  write_file_atomic(paths.dir + "/report.md", md.str());
  return out;
}

}  // namespace wrpn
