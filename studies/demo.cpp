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
#include "dse/evaluate.h"
#include "energy/fp32_baseline.h"
#include "energy/pricing.h"
#include "energy/tech_table.h"
#include "mapping/design_point.h"
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

class DemoRunner {
 public:
  explicit DemoRunner(const DemoOptions& o) : o_(o), work_(fs::path(o.out_dir) / "work"), exe_(self_executable()) {}

  int run();

 private:
  /// Records `key` (everything that determines step `name`'s output: its arguments, the contents of
  /// its input files, the keys of the steps it reads from) under work/keys/. When the recorded key
  /// differs, the step's earlier `output` (under work/) is removed first, so the step runs again
  /// instead of being reused after its options changed. Returns the key's hash for later steps.
  std::string claim(const std::string& name, const nlohmann::json& key, const fs::path& output);
  /// Runs `wrpn args...` unless `done` already exists. Output is shown (training progress) and,
  /// for steps that ask for it, kept in a log file.
  int step(const std::string& title, const fs::path& done, std::vector<std::string> args, const fs::path& log = {});
  /// Trains one side; returns the step's exit code.
  int train(Side& s);
  double read_test_accuracy(const fs::path& train_dir) const;
  std::vector<ActionCounts> read_counts(const fs::path& sim_dir) const;
  void write_report(Side& fp32, Side& wrpn, const std::string& rtl_status, double elapsed_s);

  DemoOptions o_;
  fs::path work_;
  std::string exe_;
  int step_no_ = 0;
  int steps_total_ = 0;
  std::string wrpn_train_key_;  ///< claim() hash of the WRPN training step (the trace reads its checkpoint)
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

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

/// SHA-256 of a file's contents ("" for no file), so a step's key changes when its input file does.
std::string file_hash(const std::string& path) { return path.empty() ? "" : sha256_hex(read_file(path)); }

int DemoRunner::step(const std::string& title, const fs::path& done, std::vector<std::string> args,
                     const fs::path& log) {
  ++step_no_;
  if (!done.empty() && fs::exists(done)) {
    std::printf("== [%d/%d] %s: done earlier (%s)\n", step_no_, steps_total_, title.c_str(), done.c_str());
    return 0;
  }
  std::printf("== [%d/%d] %s\n", step_no_, steps_total_, title.c_str());
  std::fflush(stdout);
  args.insert(args.begin(), exe_);
  const auto t0 = std::chrono::steady_clock::now();
  ProcessResult r = run_process(args, !log.empty());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!log.empty()) {
    write_file_atomic(log, r.output);
    // Show the tail: the table or verdict the step ends with.
    std::istringstream in(r.output);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const size_t from = lines.size() > 14 ? lines.size() - 14 : 0;
    for (size_t i = from; i < lines.size(); ++i) std::printf("   %s\n", lines[i].c_str());
  }
  std::printf("   (%.1f s)\n", s);
  std::fflush(stdout);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += (cmd.empty() ? "" : " ") + a;
    std::fprintf(stderr, "error: demo step \"%s\" failed with exit code %d%s\n  command: %s\n", title.c_str(),
                 r.exit_code, log.empty() ? "" : (" (log: " + log.string() + ")").c_str(), cmd.c_str());
    std::fprintf(stderr, "  hint: finished steps are kept under %s; run `wrpn demo` again to resume\n", work_.c_str());
  }
  return r.exit_code;
}

double DemoRunner::read_test_accuracy(const fs::path& train_dir) const {
  const fs::path log = train_dir / "log.csv";
  if (!fs::exists(log)) fail("IO002", log.string(), "", "training log missing");
  double acc = 0;
  int64_t epochs = 0;
  if (!read_training_log(log.string(), &acc, &epochs))
    fail("CFG003", log.string(), "test_acc_pct", "training log has no test accuracy");
  return acc;
}

std::vector<ActionCounts> DemoRunner::read_counts(const fs::path& sim_dir) const {
  const fs::path p = sim_dir / "summary.json";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(p.string()));
  } catch (const nlohmann::json::exception& e) {
    fail("CFG001", p.string(), "", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("layers") || !j.at("layers").is_array())
    fail("CFG004", p.string(), "/layers", "simulation summary has no per-layer results");
  std::vector<ActionCounts> out;
  const auto& layers = j.at("layers");
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i].contains("action_counts"))
      fail("CFG004", p.string(), "/layers/" + std::to_string(i) + "/action_counts", "missing");
    try {
      out.push_back(layers[i].at("action_counts").get<ActionCounts>());
    } catch (const nlohmann::json::exception& e) {
      fail("CFG002", p.string(), "/layers/" + std::to_string(i) + "/action_counts", e.what());
    }
  }
  if (out.empty()) fail("CFG003", p.string(), "/layers", "no layers");
  return out;
}

int DemoRunner::train(Side& s) {
  const fs::path dir = work_ / ("train-" + s.label);
  std::vector<std::string> args{"train",
                                "--model",
                                "lenet",
                                "--width",
                                format_number(s.width),
                                "--wbits",
                                std::to_string(s.wbits),
                                "--abits",
                                std::to_string(s.abits),
                                "--epochs",
                                std::to_string(o_.epochs),
                                "--threads",
                                std::to_string(o_.threads),
                                "--seed",
                                std::to_string(o_.seed),
                                "--out",
                                dir.string()};
  if (o_.train_images > 0) args.insert(args.end(), {"--train-images", std::to_string(o_.train_images)});
  if (o_.test_images > 0) args.insert(args.end(), {"--test-images", std::to_string(o_.test_images)});
  if (!o_.data_dir.empty()) args.insert(args.end(), {"--data", o_.data_dir});
  const std::string key = claim("train-" + s.label, {{"args", args}}, dir);
  if (s.wbits != 32) wrpn_train_key_ = key;
  // A killed training run continues from its last checkpoint (or, killed in its first epoch, from
  // epoch 0 with its saved config); claim() removed runs made with other options.
  if (fs::exists(dir / "checkpoint.bin") || fs::exists(dir / "config.json")) args.push_back("--resume");
  const fs::path done = dir / "demo-done";
  const int rc = step("train " + s.description + " (" + std::to_string(o_.epochs) + " epochs)", done, args);
  if (rc != 0) return rc;
  if (!fs::exists(done)) write_file_atomic(done.string(), "");
  s.train_dir = dir.string();
  s.test_acc_pct = read_test_accuracy(dir);
  return 0;
}

void DemoRunner::write_report(Side& fp32, Side& wrpn, const std::string& rtl_status, double elapsed_s) {
  StagedDirectory out(fs::path(o_.out_dir) / "report", /*replace=*/true, "demo");
  const fs::path dir = out.staging();
  const double img_f = static_cast<double>(fp32.images), img_w = static_cast<double>(wrpn.images);
  auto per_image_uj = [](const Side& s) { return s.energy.total_pj / static_cast<double>(s.images) * 1e-6; };

  // ---- summary table: metric, fp32, wrpn, wrpn/fp32
  struct Row {
    std::string metric;
    double fp32, wrpn;
  };
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
  CsvTable t({"metric", "fp32_w1", "wrpn_w2_w4a4", "wrpn_over_fp32"});
  for (const auto& r : rows) t.row().add(r.metric).add(r.fp32).add(r.wrpn).add(r.fp32 != 0 ? r.wrpn / r.fp32 : 0.0);
  write_file_atomic((dir / "summary.csv").string(), t.str());

  const double gain = per_image_uj(wrpn) > 0 ? per_image_uj(fp32) / per_image_uj(wrpn) : 0;
  // ---- printed table
  std::ostringstream table;
  table << "                                 FP32 lenet w1     WRPN lenet w2 W4A4    WRPN/FP32\n";
  for (const auto& r : rows) {
    char line[200];
    std::snprintf(line, sizeof line, "%-32s %16.6g %18.6g %12.4f\n", r.metric.c_str(), r.fp32, r.wrpn,
                  r.fp32 != 0 ? r.wrpn / r.fp32 : 0.0);
    table << line;
  }
  table << "\nefficiency gain (FP32 energy / WRPN energy per image): " << fmt("%.2fx", gain) << "\n"
        << "accuracy difference (WRPN - FP32): " << fmt("%+.2f points", wrpn.test_acc_pct - fp32.test_acc_pct)
        << (o_.test_images > 0 && o_.test_images < 10000
                ? " on the first " + std::to_string(o_.test_images) +
                      " test images (not comparable with figures on all 10,000)"
                : std::string(" on all 10,000 test images"))
        << "; one seed each\n"
        << "RTL replay of a traced layer: " << rtl_status << "\n";

  // ---- per-component and per-layer CSVs for plots
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

  std::string plot_error;
  const std::string script =
      "set terminal pngcairo size 900,500 noenhanced\nset datafile separator ','\nset style data histograms\n"
      "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\nset key top right\n"
      "set xtics rotate by -30\nset grid ytics\n"
      "set output 'energy_breakdown.png'\nset title 'Energy per image by component (uJ, log scale)'\n"
      "set logscale y\nplot 'energy_components.csv' every ::1 using 2:xtic(1) title 'FP32 w1', '' every ::1 using 3 "
      "title 'WRPN w2 W4A4'\n"
      "unset logscale y\nset output 'cycles_per_layer.png'\nset title 'Cycles per image, per layer'\n"
      "plot 'cycles_per_layer.csv' every ::1 using 2:xtic(1) title 'FP32 w1', '' every ::1 using 3 title 'WRPN w2 "
      "W4A4'\n";
  const bool plotted = run_gnuplot(script, dir.string(), &plot_error);

  // ---- JSON and report
  auto side_json = [](const Side& s) {
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
  };
  const nlohmann::json cfg{{"epochs", o_.epochs},           {"train_images", o_.train_images},
                           {"test_images", o_.test_images}, {"trace_images", o_.trace_images},
                           {"threads", o_.threads},         {"seed", o_.seed},
                           {"arch", o_.arch_path},          {"tech", o_.tech_path}};
  nlohmann::json summary{{"fp32", side_json(fp32)},  {"wrpn", side_json(wrpn)}, {"efficiency_gain", gain},
                         {"rtl_replay", rtl_status}, {"elapsed_s", elapsed_s},  {"config", cfg}};
  write_file_atomic((dir / "summary.json").string(), summary.dump(2) + "\n");
  write_file_atomic((dir / "manifest.json").string(), make_manifest("demo", o_.seed, cfg).dump(2) + "\n");

  std::ostringstream md;
  md << "# wrpn demo: lenet FP32 (width 1) versus WRPN (width 2, 4-bit weights and activations)\n\n"
     << "Fashion-MNIST, " << o_.epochs << " training epochs per network"
     << (o_.train_images > 0 ? " on the first " + std::to_string(o_.train_images) + " training images" : "")
     << " (a short schedule: see trainer/README.md and results/reference/accuracy.csv for full runs).\n"
     << "WRPN: simulated bit-exactly on the SystemC model from its exported trace (" << wrpn.images
     << " test images). FP32: simulated timing-only (the trace format holds integer codes) on the FP32 version "
        "of the same array, batch "
     << fp32.images << ". Energy: the SystemC action counts priced on tech table `" << wrpn.energy.tech << "`.\n\n```\n"
     << table.str() << "```\n\n"
     << "Arch (WRPN side): " << to_string(wrpn.arch.dataflow) << ", " << wrpn.arch.clock_mhz
     << " MHz; design point: " << wrpn.design << " (docs/design-points.md). FP32 side: " << fp32.design
     << ", the same array and buffers.\n\n"
     << "Files: `summary.csv`, `summary.json`, `energy_components.csv`, `cycles_per_layer.csv`; step outputs "
        "(training runs, trace, simulation runs, RTL log) under `../work/`.\n\n";
  if (plotted)
    md << "![energy breakdown](energy_breakdown.png)\n\n![cycles per layer](cycles_per_layer.png)\n";
  else
    md << "Plots not drawn: " << plot_error << "\n";
  write_file_atomic((dir / "report.md").string(), md.str());
  out.commit();

  std::printf("\n%s\nwrote %s/{report.md, summary.csv, summary.json, energy_components.csv, cycles_per_layer.csv%s}\n",
              table.str().c_str(), out.final_path().c_str(),
              plotted ? ", energy_breakdown.png, cycles_per_layer.png" : "");
  if (!plotted) std::printf("plots skipped: %s\n", plot_error.c_str());
}

int DemoRunner::run() {
  const auto t0 = std::chrono::steady_clock::now();
  if (o_.epochs < 1 || o_.epochs > 1000) fail("DSE005", "", "--epochs", "epochs must be at least 1");
  if (o_.trace_images < 1) fail("DSE005", "", "--trace-images", "trace images must be at least 1");
  if (o_.train_images < 0 || o_.train_images > 60000)
    fail("DSE005", "", "--train-images",
         "train images must be in [0, 60000] (0 = all), got " + std::to_string(o_.train_images));
  if (o_.test_images < 0 || o_.test_images > 10000)
    fail("DSE005", "", "--test-images",
         "test images must be in [0, 10000] (0 = all), got " + std::to_string(o_.test_images));
  // OUT/work/ and OUT/report/ are the demo's own: it replaces or deletes them only when they hold
  // an earlier demo's output (their marker), never a directory of someone else's (IO006).
  const fs::path report_dir = fs::path(o_.out_dir) / "report";
  require_own_output_directory(report_dir, "demo");
  require_own_output_directory(work_, "demo");
  if (o_.restart && fs::exists(work_)) fs::remove_all(work_);
  check_writable_directory(work_);
  fs::create_directories(work_);
  mark_output_directory(work_, "demo");

  // Inputs that can be wrong are read before any long step starts.
  const energy::TechTable tech =
      o_.tech_path.empty() ? energy::TechTable::load_default() : energy::TechTable::load(o_.tech_path);
  Side fp32, wrpn;
  fp32.label = "fp32-w1";
  fp32.description = "lenet FP32 width 1";
  wrpn.label = "w4a4-w2";
  wrpn.description = "lenet W4A4 width 2";
  wrpn.width = 2;
  wrpn.wbits = wrpn.abits = 4;
  {
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
    fp32.design =
        std::to_string(fp32.arch.rows) + "x" + std::to_string(fp32.arch.cols) + " fp32 PEs, 32-bit accumulator";
  }
  const fs::path arch_wrpn = work_ / "arch-wrpn.json", arch_fp32 = work_ / "arch-fp32.json";
  write_file_atomic(arch_wrpn.string(), wrpn.arch.to_json().dump(2) + "\n");
  write_file_atomic(arch_fp32.string(), fp32.arch.to_json().dump(2) + "\n");
  const std::string tech_arg = o_.tech_path;

  steps_total_ = o_.skip_rtl ? 5 : 6;
  std::printf("wrpn demo: lenet FP32 w1 vs WRPN W4A4 w2 on Fashion-MNIST, %d epochs each; outputs in %s\n", o_.epochs,
              o_.out_dir.c_str());
  std::printf("design point (WRPN side): %s\n", wrpn.design.c_str());
  {
    if (int rc = train(fp32); rc != 0) return rc;
    if (int rc = train(wrpn); rc != 0) return rc;

    const fs::path trace_dir = work_ / "trace-w4a4-w2";
    std::vector<std::string> trace_args{"trace",
                                        "--checkpoint",
                                        (fs::path(wrpn.train_dir) / "checkpoint.bin").string(),
                                        "--images",
                                        std::to_string(o_.trace_images),
                                        "--out",
                                        trace_dir.string()};
    if (!o_.data_dir.empty()) trace_args.insert(trace_args.end(), {"--data", o_.data_dir});
    const std::string trace_key = claim("trace-w4a4-w2", {{"args", trace_args}, {"train", wrpn_train_key_}}, trace_dir);
    if (fs::exists(trace_dir) && !fs::exists(trace_dir / "trace.json")) fs::remove_all(trace_dir);
    if (step("export the WRPN trace (" + std::to_string(o_.trace_images) + " test images)", trace_dir / "trace.json",
             trace_args) != 0)
      return kExitInputError;

    auto sim_args = [&](const fs::path& arch, const fs::path& out) {
      std::vector<std::string> a{"sim", "--arch", arch.string(), "--out", out.string(), "--replace"};
      if (!tech_arg.empty()) a.insert(a.end(), {"--tech", tech_arg});
      return a;
    };
    wrpn.sim_dir = (work_ / "sim-w4a4-w2").string();
    auto a = sim_args(arch_wrpn, wrpn.sim_dir);
    a.insert(a.end(), {"--trace", trace_dir.string()});
    const std::string tech_hash = file_hash(tech_arg);
    claim("sim-w4a4-w2",
          {{"args", a}, {"arch", file_hash(arch_wrpn.string())}, {"tech", tech_hash}, {"trace", trace_key}},
          wrpn.sim_dir);
    if (int rc = step("simulate WRPN bit-exactly on the SystemC model", fs::path(wrpn.sim_dir) / "summary.json", a,
                      work_ / "sim-w4a4-w2.log");
        rc != 0)
      return rc;
    fp32.sim_dir = (work_ / "sim-fp32-w1").string();
    a = sim_args(arch_fp32, fp32.sim_dir);
    a.insert(a.end(), {"--network", "lenet", "--width", "1", "--wbits", "32", "--abits", "32", "--batch",
                       std::to_string(o_.trace_images)});
    claim("sim-fp32-w1", {{"args", a}, {"arch", file_hash(arch_fp32.string())}, {"tech", tech_hash}}, fp32.sim_dir);
    if (int rc = step("simulate FP32 (timing only) on the FP32 array", fs::path(fp32.sim_dir) / "summary.json", a,
                      work_ / "sim-fp32-w1.log");
        rc != 0)
      return rc;

    std::string rtl_status = "skipped (--skip-rtl)";
    if (!o_.skip_rtl) {
      const fs::path log = work_ / "rtl-replay.log";
      const int rc = step("replay a traced layer through the Verilated RTL", {},
                          {"verify", "--trace", trace_dir.string(), "--unit", "mac_array_16x16", "--tiles", "100",
                           "--trace-rows", "64", "--seed", std::to_string(o_.seed)},
                          log);
      if (rc != 0) return rc;
      rtl_status = "passed (log: " + log.string() + ")";
    }

    for (Side* s : {&fp32, &wrpn}) {
      s->counts = read_counts(s->sim_dir);
      s->images = o_.trace_images;
      for (const auto& c : s->counts) {
        s->macs += c.macs;
        s->cycles += c.cycles;
      }
      s->energy = energy::price(s->counts, tech);
      s->area = energy::area(s->arch, tech);
    }
    write_report(fp32, wrpn, rtl_status, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("demo finished in %.0f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}

}  // namespace

int run_demo(const DemoOptions& options) { return DemoRunner(options).run(); }

}  // namespace wrpn
