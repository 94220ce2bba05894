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

/// Whether gnuplot made a non-empty `file`.
bool plot_exists(const std::string& file) {
  std::error_code ec;
  return std::filesystem::is_regular_file(file, ec) && std::filesystem::file_size(file, ec) > 0 && !ec;
}

/// Energy components present in any result, in a stable order.
std::vector<std::string> energy_components(const std::vector<nlohmann::json>& results) {
  std::set<std::string> component_set;
  for (const auto& r : results)
    if (r.contains("energy_pj") && r["energy_pj"].is_object())
      for (auto it = r["energy_pj"].begin(); it != r["energy_pj"].end(); ++it)
        if (it.key() != "total") component_set.insert(it.key());
  return {component_set.begin(), component_set.end()};
}

std::vector<std::string> results_columns(const std::vector<std::string>& components) {
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
  return cols;
}

/// The gnuplot data of the plots: every finished point, the front, and efficiency against bits.
struct PlotData {
  std::ostringstream eff, front, all;
};

/// Merges the point results of one sweep directory into its tables, plots and report.
class Collector {
 public:
  Collector(const SweepConfig& config, const SweepPaths& paths)
      : config_(config),
        paths_(paths),
        points_(config.points()),
        results_(load_point_results(config, paths)),
        have_accuracy_(config.accuracy == AccuracyMode::train) {
    for (const auto& r : results_) by_id_[r.value("id", "")] = r;
  }

  SweepCollection run();

 private:
  void find_front();
  void add_row(CsvTable& table, CsvTable& pareto_table, const DesignPoint& p);
  void add_result_cells(CsvTable& table, CsvTable& pareto_table, const DesignPoint& p, const nlohmann::json& r);
  std::string sweep_title() const;
  std::string draw_plots(const std::string& plots);
  std::string report_md(const std::string& plots, const std::string& err, const CsvTable& pareto_table);

  const SweepConfig& config_;
  const SweepPaths& paths_;
  const std::vector<DesignPoint> points_;
  const std::vector<nlohmann::json> results_;
  const bool have_accuracy_;
  std::map<std::string, nlohmann::json> by_id_;
  std::vector<std::string> components_;
  std::set<std::string> on_front_;
  PlotData dat_;
  SweepCollection out_;
};

/// Pareto over ok, non-baseline points: maximize accuracy (when known), minimize energy and latency.
void Collector::find_front() {
  std::vector<const DesignPoint*> cand_points;
  std::vector<ParetoCandidate> cands;
  for (const auto& p : points_) {
    auto it = by_id_.find(p.id());
    if (it == by_id_.end() || it->second.value("status", "") != "ok") continue;
    const auto& r = it->second;
    ParetoCandidate c;
    if (have_accuracy_) c.values.push_back(num(r, "accuracy_pct"));
    c.values.push_back(num(r["energy_pj"], "total"));
    c.values.push_back(num(r, "latency_ms"));
    cand_points.push_back(&p);
    cands.push_back(c);
  }
  std::vector<bool> maximize;
  if (have_accuracy_) maximize.push_back(true);
  maximize.push_back(false);
  maximize.push_back(false);
  for (size_t i : pareto_front(cands, maximize)) on_front_.insert(cand_points[i]->id());
  out_.pareto = on_front_.size();
}

void Collector::add_row(CsvTable& table, CsvTable& pareto_table, const DesignPoint& p) {
  auto it = by_id_.find(p.id());
  table.row().add(p.id());
  if (it == by_id_.end()) {
    ++out_.pending;
    table.add("pending").add("");
  } else {
    const auto& r = it->second;
    const bool ok = r.value("status", "") == "ok";
    ok ? ++out_.ok : ++out_.failed;
    table.add(r.value("status", "failed")).add(r.value("reason", ""));
  }
  table.add(p.wbits).add(p.abits).add(p.width).add(p.rows).add(p.cols).add(to_string(p.dataflow));
  table.add(p.buffer_scale).add(p.tech).add(p.baseline ? "true" : "false");
  add_result_cells(table, pareto_table, p, it == by_id_.end() ? nlohmann::json::object() : it->second);
}

void Collector::add_result_cells(CsvTable& table, CsvTable& pareto_table, const DesignPoint& p,
                                 const nlohmann::json& r) {
  const std::string id = p.id();
  const double energy = r.contains("energy_pj") ? num(r["energy_pj"], "total") : std::nan("");
  const double latency = num(r, "latency_ms");
  double eff = std::nan(""), speedup = std::nan("");
  auto b = by_id_.find(p.baseline_id());
  if (b != by_id_.end() && b->second.value("status", "") == "ok" && !std::isnan(energy)) {
    eff = num(b->second["energy_pj"], "total") / energy;
    speedup = num(b->second, "latency_ms") / latency;
  }
  table.add(cell(num(r, "accuracy_pct"))).add(cell(num(r, "macs"))).add(cell(num(r, "cycles"))).add(cell(latency));
  table.add(cell(energy)).add(cell(num(r, "area_mm2"))).add(cell(eff)).add(cell(speedup));
  table.add(on_front_.count(id) ? "true" : "false");
  // The design point the point ran (mapping/design_point.h): PE array and accumulator.
  const nlohmann::json dp = r.value("design_point", nlohmann::json::object());
  auto bits = [&](const char* key) { return dp.contains(key) ? std::to_string(dp.at(key).get<int>()) : std::string(); };
  table.add(dp.value("pe_type", std::string())).add(bits("pe_wbits")).add(bits("pe_abits")).add(bits("acc_bits"));
  table.add(dp.value("acc_source", std::string()));
  for (const auto& c : components_)
    table.add(cell(r.contains("energy_pj") ? num(r["energy_pj"], c.c_str()) : std::nan("")));
  if (std::isnan(energy)) return;
  dat_.all << energy << " " << latency << " " << cell(num(r, "accuracy_pct")) << "\n";
  if (on_front_.count(id)) {
    dat_.front << energy << " " << latency << " " << cell(num(r, "accuracy_pct")) << "\n";
    // Numbers go in as doubles (the same CSV text as before) so report.md can round them.
    auto add_or_empty = [&](double v) { std::isnan(v) ? (void)pareto_table.add("") : (void)pareto_table.add(v); };
    pareto_table.row().add(id);
    add_or_empty(num(r, "accuracy_pct"));
    pareto_table.add(energy).add(latency);
    add_or_empty(eff);
  }
  if (!p.baseline && !std::isnan(eff)) dat_.eff << p.wbits << " " << p.abits << " " << p.width << " " << eff << "\n";
}

/// What the plots' titles say about the sweep: its name, network, batch, base arch and the widths,
/// precisions and arrays it spans.
std::string Collector::sweep_title() const {
  std::set<std::string> widths, precisions, arrays;
  for (const auto& p : points_) {
    if (p.baseline) continue;
    widths.insert(format_number(p.width));
    precisions.insert("W" + std::to_string(p.wbits) + "A" + std::to_string(p.abits));
    arrays.insert(std::to_string(p.rows) + "x" + std::to_string(p.cols) + " " + to_string(p.dataflow));
  }
  auto join = [](const std::set<std::string>& s) {
    std::string out;
    for (const auto& v : s) out += (out.empty() ? "" : "/") + v;
    return out.empty() ? std::string("-") : out;
  };
  return config_.name + " (" + config_.network + ", batch " + std::to_string(config_.batch) + ", width " +
         join(widths) + ", " + join(precisions) + ", arch " +
         (config_.arch_path.empty() ? std::string("default")
                                    : std::filesystem::path(config_.arch_path).stem().string()) +
         " " + join(arrays) + ")";
}

/// Energy vs latency (or accuracy) with the Pareto front; efficiency vs bit width. Returns gnuplot's
/// error ("" when it drew, or had nothing to draw).
std::string Collector::draw_plots(const std::string& plots) {
  std::filesystem::create_directories(plots);
  write_file_atomic(plots + "/all.dat", dat_.all.str());
  write_file_atomic(plots + "/front.dat", dat_.front.str());
  write_file_atomic(plots + "/efficiency.dat", dat_.eff.str());
  // Plots of an earlier collection go first: the report links only what this one drew.
  for (const char* png : {"/pareto.png", "/efficiency.png"}) std::filesystem::remove(plots + png);
  std::string err;
  const std::string y = have_accuracy_ ? "3" : "2";
  const std::string ylabel = have_accuracy_ ? "test accuracy (%)" : "latency (ms)";
  const std::string run = sweep_title();
  std::vector<PlotSpec> specs{{"dse_pareto",
                               {{"TITLE", "Design points and Pareto front\n" + run},
                                {"XLABEL", "energy per inference (µJ, log scale)"},
                                {"YLABEL", ylabel},
                                {"Y_COLUMN", y}}}};
  if (!dat_.eff.str().empty())
    specs.push_back({"dse_efficiency",
                     {{"TITLE", "Energy efficiency vs FP32 width 1 on the same array\n" + run},
                      {"XLABEL", "weight bits"},
                      {"YLABEL", "FP32 energy / point energy (log scale)"}}});
  if (!dat_.all.str().empty() && !wrpn::draw_plots(specs, plots, &err)) out_.plot_warnings.push_back(err);
  return err;
}

std::string Collector::report_md(const std::string& plots, const std::string& err, const CsvTable& pareto_table) {
  std::ostringstream md;
  md << "# Sweep `" << config_.name << "`\n\n"
     << "Network `" << config_.network << "`, batch " << config_.batch << ". " << points_.size()
     << " points: " << out_.ok << " ok, " << out_.failed << " failed, " << out_.pending << " pending. " << out_.pareto
     << " on the Pareto front (" << (have_accuracy_ ? "accuracy, " : "") << "energy, latency).\n\n"
     << "Efficiency is FP32 width-1 energy on the same array divided by the point's energy.\n\n";
  const bool have_pareto_png = plot_exists(plots + "/pareto.png"),
             have_eff_png = plot_exists(plots + "/efficiency.png");
  if (have_pareto_png) md << "![Pareto front](plots/pareto.png)\n\n";
  if (have_eff_png) md << "![Efficiency](plots/efficiency.png)\n\n";
  if (!have_pareto_png || !have_eff_png)
    md << "Plots not drawn: "
       << (dat_.all.str().empty() ? "no point finished"
           : err.empty()          ? "no point to compare with its baseline"
                                  : err)
       << ".\n\n";
  // The front's rows are pareto.csv's, rounded for reading; failed points with their reasons.
  md << "## Pareto front\n\n" << pareto_table.markdown(4);
  if (out_.failed) {
    CsvTable failed({"point", "reason"});
    for (const auto& p : points_) {
      auto it = by_id_.find(p.id());
      if (it != by_id_.end() && it->second.value("status", "") != "ok")
        failed.row().add(p.id()).add(it->second.value("reason", ""));
    }
    md << "\n## Failed points\n\n" << failed.markdown();
  }
  md << "\nAll points: `results.csv`. Front: `pareto.csv`.\n";
  return md.str();
}

SweepCollection Collector::run() {
  components_ = energy_components(results_);
  find_front();
  CsvTable table(results_columns(components_));
  CsvTable pareto_table({"id", "accuracy_pct", "energy_pj", "latency_ms", "efficiency_vs_fp32"});
  for (const auto& p : points_) add_row(table, pareto_table, p);
  write_file_atomic(paths_.dir + "/results.csv", table.str());
  write_file_atomic(paths_.dir + "/pareto.csv", pareto_table.str());
  const std::string plots = paths_.dir + "/plots";
  const std::string err = draw_plots(plots);
  write_file_atomic(paths_.dir + "/report.md", report_md(plots, err, pareto_table));
  return out_;
}

}  // namespace

SweepCollection collect_sweep(const SweepConfig& config, const SweepPaths& paths) {
  return Collector(config, paths).run();
}

}  // namespace wrpn
