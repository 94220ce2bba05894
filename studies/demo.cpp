#include "studies/demo.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/plot.h"
#include "common/run_manifest.h"
#include "common/sha256.h"
#include "common/subprocess.h"
#include "dse/child_steps.h"
#include "energy/fp32_baseline.h"
#include "energy/pricing.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"
#include "sim/simulator.h"
#include "trainer/train.h"
#include "workloads/network.h"

namespace wrpn {

namespace fs = std::filesystem;

namespace {

/// One side of the comparison, gathered from the step outputs.
struct Side {
  std::string label, description;
  double width = 1;
  int wbits = 32, abits = 32;
  double test_acc_pct = 0;
  std::string train_dir, sim_dir;
  ArchConfig arch;
  std::vector<ActionCounts> counts;  ///< per layer, from the SystemC run
  nlohmann::json design_point;       ///< mapping::ResolvedArch::to_json of the side's arch
  std::string design;                ///< mapping::ResolvedArch::describe
  energy::EnergyBreakdown energy;
  energy::AreaBreakdown area;
  uint64_t macs = 0, cycles = 0;
  int64_t images = 1;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

/// SHA-256 of a file's contents ("" for no file), so a step's key changes when its input file does.
std::string file_hash(const std::string& path) { return path.empty() ? "" : sha256_hex(read_file(path)); }

// ---- the report

/// One line of the summary table: metric, FP32 value, WRPN value.
struct Row {
  std::string metric;
  double fp32, wrpn;
};

double per_image_uj(const Side& s) { return s.energy.total_pj / static_cast<double>(s.images) * 1e-6; }

std::vector<Row> summary_rows(const Side& fp32, const Side& wrpn) {
  const double img_f = static_cast<double>(fp32.images), img_w = static_cast<double>(wrpn.images);
  std::vector<Row> rows{
      {"test_accuracy_pct", fp32.test_acc_pct, wrpn.test_acc_pct},
      {"macs_per_image", static_cast<double>(fp32.macs) / img_f, static_cast<double>(wrpn.macs) / img_w},
      {"cycles_per_image", static_cast<double>(fp32.cycles) / img_f, static_cast<double>(wrpn.cycles) / img_w},
      {"energy_per_image_uj", per_image_uj(fp32), per_image_uj(wrpn)},
  };
  for (size_t i = 0; i < wrpn.energy.components.size(); ++i) {
    const std::string& c = wrpn.energy.components[i];
    rows.push_back({"energy_" + c + "_per_image_uj", fp32.energy.component_pj(c) / img_f * 1e-6,
                    wrpn.energy.total_by_component_pj[i] / img_w * 1e-6});
  }
  rows.push_back({"pe_area_um2", fp32.area.pe_um2, wrpn.area.pe_um2});
  rows.push_back({"chip_area_mm2", fp32.area.total_mm2, wrpn.area.total_mm2});
  return rows;
}

double efficiency_gain(const Side& fp32, const Side& wrpn) {
  return per_image_uj(wrpn) > 0 ? per_image_uj(fp32) / per_image_uj(wrpn) : 0;
}

/// The table the demo prints and report.md shows.
std::string printed_table(const std::vector<Row>& rows, const Side& fp32, const Side& wrpn, const DemoOptions& o,
                          const std::string& rtl_status) {
  std::ostringstream table;
  table << "                                 FP32 lenet w1     WRPN lenet w2 W4A4    WRPN/FP32\n";
  for (const auto& r : rows) {
    char line[200];
    std::snprintf(line, sizeof line, "%-32s %16.6g %18.6g %12.4f\n", r.metric.c_str(), r.fp32, r.wrpn,
                  r.fp32 != 0 ? r.wrpn / r.fp32 : 0.0);
    table << line;
  }
  table << "\nefficiency gain (FP32 energy / WRPN energy per image): " << fmt("%.2fx", efficiency_gain(fp32, wrpn))
        << "\n"
        << "accuracy difference (WRPN - FP32): " << fmt("%+.2f points", wrpn.test_acc_pct - fp32.test_acc_pct)
        << (o.test_images > 0 && o.test_images < 10000 ? " on the first " + std::to_string(o.test_images) +
                                                             " test images (not comparable with figures on all 10,000)"
                                                       : std::string(" on all 10,000 test images"))
        << "; one seed each\n"
        << "RTL replay of a traced layer: " << rtl_status << "\n";
  return table.str();
}

/// summary.csv, energy_components.csv and cycles_per_layer.csv (the data of the plots). Returns the
/// energy_components.csv rows as a Markdown table for report.md.
std::string write_csvs(const fs::path& dir, const std::vector<Row>& rows, const Side& fp32, const Side& wrpn) {
  CsvTable t({"metric", "fp32_w1", "wrpn_w2_w4a4", "wrpn_over_fp32"});
  for (const auto& r : rows) t.row().add(r.metric).add(r.fp32).add(r.wrpn).add(r.fp32 != 0 ? r.wrpn / r.fp32 : 0.0);
  write_file_atomic((dir / "summary.csv").string(), t.str());
  const double img_f = static_cast<double>(fp32.images), img_w = static_cast<double>(wrpn.images);
  CsvTable comp({"component", "fp32_uj_per_image", "wrpn_uj_per_image"});
  for (size_t i = 0; i < wrpn.energy.components.size(); ++i) {
    const std::string& c = wrpn.energy.components[i];
    comp.row()
        .add(c)
        .add(fp32.energy.component_pj(c) / img_f * 1e-6)
        .add(wrpn.energy.total_by_component_pj[i] / img_w * 1e-6);
  }
  write_file_atomic((dir / "energy_components.csv").string(), comp.str());
  CsvTable layers({"layer", "fp32_cycles_per_image", "wrpn_cycles_per_image"});
  for (size_t i = 0; i < wrpn.counts.size() && i < fp32.counts.size(); ++i)
    layers.row()
        .add(wrpn.counts[i].layer)
        .add(static_cast<double>(fp32.counts[i].cycles) / img_f)
        .add(static_cast<double>(wrpn.counts[i].cycles) / img_w);
  write_file_atomic((dir / "cycles_per_layer.csv").string(), layers.str());
  return comp.markdown(4);
}

/// Energy per image by component and cycles per image per layer, FP32 against WRPN, from the
/// common/plots/histogram_pair template (log axes).
bool draw_plots(const fs::path& dir, const std::string& network, const Side& fp32, const Side& wrpn,
                std::string* error) {
  auto side = [](const Side& s) {
    return (s.wbits == 32 ? std::string("FP32") : std::string("WRPN")) + " width " + format_number(s.width) + " W" +
           std::to_string(s.wbits) + "A" + std::to_string(s.abits);
  };
  const std::string run = network + ": " + side(fp32) + " vs " + side(wrpn) + ", arch " + wrpn.arch.name;
  auto pair = [&](const std::string& output, const std::string& data, const std::string& title,
                  const std::string& xlabel, const std::string& ylabel) {
    return PlotSpec{"histogram_pair",
                    {{"OUTPUT", output},
                     {"DATA", data},
                     {"ROWS", "::1"},
                     {"USING_A", "2"},
                     {"USING_B", "3"},
                     {"A_TITLE", side(fp32)},
                     {"B_TITLE", side(wrpn)},
                     {"TITLE", title + "\n" + run},
                     {"XLABEL", xlabel},
                     {"YLABEL", ylabel}}};
  };
  const std::vector<PlotSpec> specs{
      pair("energy_breakdown.png", "energy_components.csv", "Energy per image by component", "component",
           "energy per image (µJ, log scale)"),
      pair("cycles_per_layer.png", "cycles_per_layer.csv", "Cycles per image, per layer", "layer",
           "cycles per image (log scale)")};
  return wrpn::draw_plots(specs, dir.string(), error);
}

nlohmann::json side_json(const Side& s) {
  return nlohmann::json{{"description", s.description},
                        {"width", s.width},
                        {"wbits", s.wbits},
                        {"abits", s.abits},
                        {"test_accuracy_pct", s.test_acc_pct},
                        {"train_dir", s.train_dir},
                        {"sim_dir", s.sim_dir},
                        {"images", s.images},
                        {"macs", s.macs},
                        {"cycles", s.cycles},
                        {"energy", s.energy.to_json()},
                        {"area", s.area.to_json()},
                        {"arch", s.arch.to_json()},
                        {"design", s.design},
                        {"design_point", s.design_point}};
}

nlohmann::json options_json(const DemoOptions& o) {
  return nlohmann::json{{"epochs", o.epochs},           {"train_images", o.train_images},
                        {"test_images", o.test_images}, {"trace_images", o.trace_images},
                        {"threads", o.threads},         {"seed", o.seed},
                        {"arch", o.arch_path},          {"tech", o.tech_path}};
}

std::string report_md(const DemoOptions& o, const Side& fp32, const Side& wrpn, const std::string& table,
                      const std::string& components_md, bool plotted, const std::string& plot_error) {
  std::ostringstream md;
  md << "# wrpn demo: lenet FP32 (width 1) versus WRPN (width 2, 4-bit weights and activations)\n\n"
     << "Fashion-MNIST, " << o.epochs << " training epochs per network"
     << (o.train_images > 0 ? " on the first " + std::to_string(o.train_images) + " training images" : "")
     << " (a short schedule: see trainer/README.md and results/reference/accuracy.csv for full runs).\n"
     << "WRPN: simulated bit-exactly on the SystemC model from its exported trace (" << wrpn.images
     << " test images). FP32: simulated timing-only (the trace format holds integer codes) on the FP32 version "
        "of the same array, batch "
     << fp32.images << ". Energy: the SystemC action counts priced on tech table `" << wrpn.energy.tech << "`.\n\n```\n"
     << table << "```\n\n"
     << "Arch (WRPN side): " << to_string(wrpn.arch.dataflow) << ", " << wrpn.arch.clock_mhz
     << " MHz; design point: " << wrpn.design << " (docs/design-points.md). FP32 side: " << fp32.design
     << ", the same array and buffers.\n\n"
     << "Files: `summary.csv`, `summary.json`, `energy_components.csv`, `cycles_per_layer.csv`; step outputs "
        "(training runs, trace, simulation runs, RTL log) under `../work/`.\n\n"
     << "## Energy per image by component (energy_components.csv, µJ)\n\n"
     << components_md << "\n";
  if (plotted)
    md << "![energy breakdown](energy_breakdown.png)\n\n![cycles per layer](cycles_per_layer.png)\n";
  else
    md << "Plots not drawn: " << plot_error << "\n";
  return md.str();
}

/// Writes OUT/report/ (staged: all or nothing) and prints the table.
void write_report(const DemoOptions& o, const Side& fp32, const Side& wrpn, const std::string& rtl_status,
                  double elapsed_s) {
  StagedDirectory out(fs::path(o.out_dir) / "report", /*replace=*/true, "demo");
  const fs::path dir = out.staging();
  const std::vector<Row> rows = summary_rows(fp32, wrpn);
  const std::string components_md = write_csvs(dir, rows, fp32, wrpn);
  const std::string table = printed_table(rows, fp32, wrpn, o, rtl_status);
  std::string plot_error;
  const bool plotted = draw_plots(dir, "lenet", fp32, wrpn, &plot_error);
  const nlohmann::json cfg = options_json(o);
  const nlohmann::json summary{
      {"fp32", side_json(fp32)},  {"wrpn", side_json(wrpn)}, {"efficiency_gain", efficiency_gain(fp32, wrpn)},
      {"rtl_replay", rtl_status}, {"elapsed_s", elapsed_s},  {"config", cfg}};
  write_file_atomic((dir / "summary.json").string(), summary.dump(2) + "\n");
  write_file_atomic((dir / "manifest.json").string(), make_manifest("demo", o.seed, cfg).dump(2) + "\n");
  write_file_atomic((dir / "report.md").string(), report_md(o, fp32, wrpn, table, components_md, plotted, plot_error));
  out.commit();
  std::printf("\n%s\nwrote %s/{report.md, summary.csv, summary.json, energy_components.csv, cycles_per_layer.csv%s}\n",
              table.c_str(), out.final_path().c_str(), plotted ? ", energy_breakdown.png, cycles_per_layer.png" : "");
  if (!plotted) std::printf("plots skipped: %s\n", plot_error.c_str());
}

// ---- the steps

class DemoRunner {
 public:
  explicit DemoRunner(const DemoOptions& o) : o_(o), work_(fs::path(o.out_dir) / "work") {}

  int run();

 private:
  void check_options() const;
  void prepare_work_directory();
  /// The two sides' arches: the design-point policy's for WRPN, the template with FP32 PEs for FP32.
  void choose_arches(Side& fp32, Side& wrpn) const;
  /// Records `key` (everything that determines step `name`'s output: its arguments, the contents of
  /// its input files, the keys of the steps it reads from) under work/keys/. When the recorded key
  /// differs, the step's earlier `output` (under work/) is removed first, so the step runs again
  /// instead of being reused after its options changed. Returns the key's hash for later steps.
  std::string claim(const std::string& name, const nlohmann::json& key, const fs::path& output);
  /// Runs a child step unless it is finished (steps::prepare_step: the one resume rule). Output is
  /// shown (training progress) and, for steps that ask for it, kept in a log file.
  int step(const std::string& title, steps::Step s, const fs::path& log = {});
  int train(Side& s);
  int trace(const Side& wrpn, const fs::path& trace_dir, std::string* trace_key);
  int simulate(Side& s, steps::Sim sim, const std::string& name, const std::string& title, nlohmann::json key);
  int replay_rtl(const fs::path& trace_dir, std::string* status);
  void price(Side& s, const energy::TechTable& tech) const;

  DemoOptions o_;
  fs::path work_;
  int step_no_ = 0;
  int steps_total_ = 0;
  std::string wrpn_train_key_;  ///< claim() hash of the WRPN training step (the trace reads its checkpoint)
};

std::string DemoRunner::claim(const std::string& name, const nlohmann::json& key, const fs::path& output) {
  const fs::path key_file = work_ / "keys" / (name + ".json");
  const std::string text = key.dump(1) + "\n";
  std::string old;
  if (fs::exists(key_file)) old = read_file(key_file);
  if (old != text) {
    if (!old.empty() && fs::exists(output))
      std::printf("== %s: options changed since the last run; redoing it\n", name.c_str());
    std::error_code ec;
    fs::remove_all(output, ec);
    if (ec) fail("IO001", output.string(), "", "cannot remove an outdated step output: " + ec.message());
    write_file_atomic(key_file, text);
  }
  return sha256_hex(text);
}

int DemoRunner::step(const std::string& title, steps::Step s, const fs::path& log) {
  ++step_no_;
  if (steps::prepare_step(s)) {
    std::printf("== [%d/%d] %s: done earlier (%s)\n", step_no_, steps_total_, title.c_str(), s.done.c_str());
    return 0;
  }
  std::printf("== [%d/%d] %s\n", step_no_, steps_total_, title.c_str());
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  const ProcessResult r = steps::run_step(s, !log.empty());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!log.empty()) {
    write_file_atomic(log, r.output);
    // Show the tail: the table or verdict the step ends with.
    std::istringstream in(r.output);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const size_t from = lines.size() > 14 ? lines.size() - 14 : 0;
    for (size_t i = from; i < lines.size(); ++i) std::printf("   %s\n", lines[i].c_str());
  }
  std::printf("   (%.1f s)\n", seconds);
  std::fflush(stdout);
  if (r.exit_code != 0) {
    std::string cmd = self_executable();
    for (const auto& a : s.args) cmd += " " + a;
    std::fprintf(stderr, "error: demo step \"%s\" failed with exit code %d%s\n  command: %s\n", title.c_str(),
                 r.exit_code, log.empty() ? "" : (" (log: " + log.string() + ")").c_str(), cmd.c_str());
    std::fprintf(stderr, "  hint: finished steps are kept under %s; run `wrpn demo` again to resume\n", work_.c_str());
  }
  return r.exit_code;
}

int DemoRunner::train(Side& s) {
  steps::Train t;
  t.model = "lenet";
  t.width = s.width;
  t.wbits = s.wbits;
  t.abits = s.abits;
  t.epochs = o_.epochs;
  t.threads = o_.threads;
  t.seed = o_.seed;
  t.train_images = o_.train_images;
  t.test_images = o_.test_images;
  t.data_dir = o_.data_dir;
  t.out_dir = (work_ / ("train-" + s.label)).string();
  const steps::Step st = steps::step(t);
  // claim() removes a run made with other options; steps::prepare_step resumes a killed one.
  const std::string key = claim("train-" + s.label, {{"args", st.args}}, t.out_dir);
  if (s.wbits != 32) wrpn_train_key_ = key;
  const int rc = step("train " + s.description + " (" + std::to_string(o_.epochs) + " epochs)", st);
  if (rc != 0) return rc;
  s.train_dir = t.out_dir;
  const std::string log = (fs::path(t.out_dir) / "log.csv").string();
  const std::vector<trainer::LogRow> rows = trainer::read_log(log);
  if (rows.empty()) fail("CFG003", log, "test_acc_pct", "training log has no test accuracy");
  s.test_acc_pct = rows.back().test_acc_pct;
  return 0;
}

int DemoRunner::trace(const Side& wrpn, const fs::path& trace_dir, std::string* trace_key) {
  steps::Trace t;
  t.checkpoint = (fs::path(wrpn.train_dir) / "checkpoint.bin").string();
  t.images = o_.trace_images;
  t.data_dir = o_.data_dir;
  t.out_dir = trace_dir.string();
  const steps::Step st = steps::step(t);
  *trace_key = claim("trace-w4a4-w2", {{"args", st.args}, {"train", wrpn_train_key_}}, trace_dir);
  const int rc = step("export the WRPN trace (" + std::to_string(o_.trace_images) + " test images)", st);
  return rc == 0 ? 0 : kExitInputError;
}

int DemoRunner::simulate(Side& s, steps::Sim sim, const std::string& name, const std::string& title,
                         nlohmann::json key) {
  sim.out_dir = (work_ / name).string();
  sim.tech_path = o_.tech_path;
  sim.replace = true;
  s.sim_dir = sim.out_dir;
  const steps::Step st = steps::step(sim);
  key["args"] = st.args;
  key["arch"] = file_hash(sim.arch_path);
  key["tech"] = file_hash(o_.tech_path);
  claim(name, key, s.sim_dir);
  return step(title, st, work_ / (name + ".log"));
}

int DemoRunner::replay_rtl(const fs::path& trace_dir, std::string* status) {
  if (o_.skip_rtl) {
    *status = "skipped (--skip-rtl)";
    return 0;
  }
  const fs::path log = work_ / "rtl-replay.log";
  steps::Verify v;
  v.trace_dir = trace_dir.string();
  v.unit = "mac_array_16x16";
  v.tiles = 100;
  v.trace_rows = 64;
  v.seed = o_.seed;
  const int rc = step("replay a traced layer through the Verilated RTL", steps::step(v), log);
  if (rc == 0) *status = "passed (log: " + log.string() + ")";
  return rc;
}

void DemoRunner::price(Side& s, const energy::TechTable& tech) const {
  s.counts = sim::read_run(s.sim_dir);
  s.images = o_.trace_images;
  for (const auto& c : s.counts) {
    s.macs += c.macs;
    s.cycles += c.cycles;
  }
  s.energy = energy::price(s.counts, tech);
  s.area = energy::area(s.arch, tech);
}

void DemoRunner::check_options() const {
  if (o_.epochs < 1 || o_.epochs > 1000) fail("DSE005", "", "--epochs", "epochs must be at least 1");
  if (o_.trace_images < 1) fail("DSE005", "", "--trace-images", "trace images must be at least 1");
  if (o_.train_images < 0 || o_.train_images > 60000)
    fail("DSE005", "", "--train-images",
         "train images must be in [0, 60000] (0 = all), got " + std::to_string(o_.train_images));
  if (o_.test_images < 0 || o_.test_images > 10000)
    fail("DSE005", "", "--test-images",
         "test images must be in [0, 10000] (0 = all), got " + std::to_string(o_.test_images));
}

void DemoRunner::prepare_work_directory() {
  // OUT/work/ and OUT/report/ are the demo's own: it replaces or deletes them only when they hold
  // an earlier demo's output (their marker), never a directory of someone else's (IO006).
  require_own_output_directory(fs::path(o_.out_dir) / "report", "demo");
  require_own_output_directory(work_, "demo");
  if (o_.restart && fs::exists(work_)) fs::remove_all(work_);
  check_writable_directory(work_);
  fs::create_directories(work_);
  mark_output_directory(work_, "demo");
}

void DemoRunner::choose_arches(Side& fp32, Side& wrpn) const {
  fp32.label = "fp32-w1";
  fp32.description = "lenet FP32 width 1";
  wrpn.label = "w4a4-w2";
  wrpn.description = "lenet W4A4 width 2";
  wrpn.width = 2;
  wrpn.wbits = wrpn.abits = 4;
  // The design-point policy picks the WRPN side's PE array and accumulator for lenet W4A4 at width
  // 2 (mapping/design_point.h); the FP32 side is the template with FP32 PEs (energy::fp32_version),
  // the baseline `wrpn sweep` and `wrpn paper` use.
  const ArchConfig tmpl = o_.arch_path.empty() ? ArchConfig::builtin_template() : ArchConfig::load(o_.arch_path);
  const PrecisionPolicy policy = PrecisionPolicy::uniform(wrpn.wbits, wrpn.abits);
  const Network net = apply_precision(apply_width(builtin_network("lenet"), wrpn.width), policy);
  const mapping::ResolvedArch design = mapping::resolve_arch(tmpl, policy, net.layers, "lenet");
  wrpn.arch = design.arch;
  wrpn.design = design.describe();
  wrpn.design_point = design.to_json();
  fp32.arch = energy::fp32_version(tmpl);
  fp32.design = std::to_string(fp32.arch.rows) + "x" + std::to_string(fp32.arch.cols) + " fp32 PEs, 32-bit accumulator";
}

int DemoRunner::run() {
  const auto t0 = std::chrono::steady_clock::now();
  check_options();
  prepare_work_directory();
  // Inputs that can be wrong are read before any long step starts.
  const energy::TechTable tech =
      o_.tech_path.empty() ? energy::TechTable::load_default() : energy::TechTable::load(o_.tech_path);
  Side fp32, wrpn;
  choose_arches(fp32, wrpn);
  const fs::path arch_wrpn = work_ / "arch-wrpn.json", arch_fp32 = work_ / "arch-fp32.json";
  write_file_atomic(arch_wrpn.string(), wrpn.arch.to_json().dump(2) + "\n");
  write_file_atomic(arch_fp32.string(), fp32.arch.to_json().dump(2) + "\n");
  steps_total_ = o_.skip_rtl ? 5 : 6;
  std::printf("wrpn demo: lenet FP32 w1 vs WRPN W4A4 w2 on Fashion-MNIST, %d epochs each; outputs in %s\n", o_.epochs,
              o_.out_dir.c_str());
  std::printf("design point (WRPN side): %s\n", wrpn.design.c_str());
  if (int rc = train(fp32); rc != 0) return rc;
  if (int rc = train(wrpn); rc != 0) return rc;
  const fs::path trace_dir = work_ / "trace-w4a4-w2";
  std::string trace_key;
  if (int rc = trace(wrpn, trace_dir, &trace_key); rc != 0) return rc;
  steps::Sim sim_w;
  sim_w.arch_path = arch_wrpn.string();
  sim_w.trace_dir = trace_dir.string();
  if (int rc = simulate(wrpn, sim_w, "sim-w4a4-w2", "simulate WRPN bit-exactly on the SystemC model",
                        {{"trace", trace_key}});
      rc != 0)
    return rc;
  steps::Sim sim_f;
  sim_f.arch_path = arch_fp32.string();
  sim_f.network = "lenet";
  sim_f.batch = o_.trace_images;
  if (int rc = simulate(fp32, sim_f, "sim-fp32-w1", "simulate FP32 (timing only) on the FP32 array",
                        nlohmann::json::object());
      rc != 0)
    return rc;
  std::string rtl_status;
  if (int rc = replay_rtl(trace_dir, &rtl_status); rc != 0) return rc;
  price(fp32, tech);
  price(wrpn, tech);
  write_report(o_, fp32, wrpn, rtl_status,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::printf("demo finished in %.0f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}

}  // namespace

int run_demo(const DemoOptions& options) { return DemoRunner(options).run(); }

}  // namespace wrpn
