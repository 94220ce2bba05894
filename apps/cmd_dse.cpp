// wrpn sweep CONFIG: design-space exploration (and the hidden worker `wrpn sweep-point DIR ID`).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "apps/commands.h"
#include "common/atomic_file.h"
#include "common/config.h"
#include "common/diagnostics.h"
#include "common/subprocess.h"
#include "dse/demo.h"
#include "dse/evaluate.h"
#include "dse/paper.h"
#include "dse/sweep_config.h"
#include "dse/sweep_report.h"
#include "dse/sweep_runner.h"

namespace wrpn {

namespace {

/// The config a sweep directory was made for (its effective JSON, stored in sweep.json).
SweepConfig config_of_directory(const std::string& dir) {
  const std::string path = dir + "/sweep.json";
  const ConfigDocument doc = ConfigDocument::load(path);
  if (!doc.json().is_object() || !doc.json().contains("config"))
    fail("DSE002", path, "/config", "not a sweep directory's sweep.json (no effective config)");
  // The stored effective config is itself a complete `sweep` config (kind, version, every key).
  const ConfigDocument cfg = ConfigDocument::parse(doc.json().at("config").dump(), path, "sweep");
  return SweepConfig::from_json(cfg.root());
}

std::string validate_sweep(const std::string& path) {
  const SweepConfig c = SweepConfig::load(path);
  return "sweep \"" + c.name + "\" over " + c.network + ": " + std::to_string(c.points().size()) +
         " points (baselines included)";
}

}  // namespace

void register_dse_commands(CommandGroups& g) {
  register_validator("sweep", validate_sweep);

  struct Opts {
    std::string config, out;
    int workers = 0;
    bool collect_only = false;
  };
  static Opts o;
  CLI::App* sweep = g.root.add_subcommand(
      "sweep",
      "Design-space exploration: run every point of a sweep config (weight/activation bits x width x array x\n"
      "buffers x dataflow x tech) in parallel worker processes, then write results.csv, pareto.csv, plots and\n"
      "report.md. Each finished point is saved at once (DIR/points/<id>.json), so an interrupted sweep resumes\n"
      "where it stopped when run again with the same --out. A directory made for another config is refused.");
  sweep->add_option("CONFIG", o.config, "sweep config (configs/sweep/*.json)")->required()->check(CLI::ExistingFile);
  sweep->add_option("--out", o.out, "sweep directory (default results/sweeps/<config name>)");
  sweep->add_option("--workers", o.workers, "worker processes (default: number of cores)")->check(CLI::Range(1, 256));
  sweep->add_flag("--collect-only", o.collect_only, "do not run pending points; only rewrite the results and report");
  sweep->callback([] {
    const SweepConfig config = SweepConfig::load(o.config);
    const SweepPaths paths{o.out.empty() ? "results/sweeps/" + config.name : o.out};
    prepare_sweep_directory(config, paths);
    SweepRunSummary s;
    if (!o.collect_only) {
      SweepRunOptions ro;
      ro.workers = o.workers > 0 ? o.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      ro.executable = self_executable();
      std::fprintf(stderr, "sweep %s: %zu points, %zu already done, %d workers -> %s\n", config.name.c_str(),
                   config.points().size(), config.points().size() - pending_points(config, paths).size(), ro.workers,
                   paths.dir.c_str());
      s = run_sweep_points(config, paths, ro);
    }
    const SweepCollection c = collect_sweep(config, paths);
    std::printf("%s: %zu ok, %zu failed, %zu pending, %zu on the Pareto front", paths.dir.c_str(), c.ok, c.failed,
                c.pending, c.pareto);
    if (!o.collect_only && s.ran > 0)
      std::printf("; ran %zu points in %.1f s (%.1f points/min)", s.ran, s.elapsed_s,
                  60.0 * static_cast<double>(s.ran) / std::max(s.elapsed_s, 1e-9));
    std::printf("\n  results: %s/results.csv\n  report:  %s/report.md\n", paths.dir.c_str(), paths.dir.c_str());
    for (const auto& w : c.plot_warnings) std::fprintf(stderr, "warning: plots not drawn: %s\n", w.c_str());
    if (s.interrupted) {
      std::fprintf(stderr, "interrupted: finished points are kept; run the same command again to resume\n");
      std::exit(kExitInterrupted);
    }
  });

  // ------------------------------------------------------------------ paper
  static PaperOptions po;
  CLI::App* paper = g.root.add_subcommand(
      "paper",
      "Regenerate the WRPN paper's hardware results into results/paper/: raw-operation and compute-cost ratios of\n"
      "AlexNet, ResNet-34 and Inception-BN at 1x/2x/3x width for each bit-width pair the paper studies, the ASIC\n"
      "efficiency of FP32 vs 8/4/2-bit, ternary and binary MACs (synthesized areas from results/synth/ when\n"
      "present), and the Fashion-MNIST lenet accuracy table. Writes CSVs, plots and paper.md (all or nothing).");
  paper->add_option("--out", po.out_dir, "output directory (replaced as a whole)")->capture_default_str();
  paper->add_option("--tech", po.tech_path, "tech table (default: the built-in 45 nm table)");
  paper->add_option("--synth", po.synth_dir, "cached Yosys results (wrpn synth)")->capture_default_str();
  paper->add_option("--accuracy", po.accuracy_csv, "trained accuracies (trainer reference runs)")
      ->capture_default_str();
  paper->callback([] {
    const PaperSummary s = generate_paper_results(po);
    std::printf(
        "AlexNet 2x raw MAC ratio %.2f (paper 3.9); AlexNet 2x W4A4 compute cost %.1f%% (paper 14%%); "
        "ResNet-34 2x W4A8 compute cost %.1f%% (paper 15.1%%)\n",
        s.alexnet_2x_raw_ratio, 100 * s.alexnet_2x_w4a4_cost, 100 * s.resnet34_2x_w4a8_cost);
    for (const auto& w : s.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    std::printf("wrote %s/{", po.out_dir.c_str());
    for (size_t i = 0; i < s.files.size(); ++i) std::printf("%s%s", i ? ", " : "", s.files[i].c_str());
    std::printf("}\n");
  });

  // ------------------------------------------------------------------ demo
  static DemoOptions d;
  CLI::App* demo = g.root.add_subcommand(
      "demo",
      "The main job on built-in defaults (a few minutes on 2 cores): train lenet FP32 width 1 and W4A4 width 2 on\n"
      "Fashion-MNIST (short schedules), export the WRPN trace, simulate it bit-exactly on the SystemC model and the\n"
      "FP32 network on an FP32 array, replay a traced layer through the Verilated RTL, price both runs, and print\n"
      "and write the side-by-side table (accuracy, cycles, energy, efficiency gain, area) with plots.\n"
      "Finished steps are kept under OUT/work/: an interrupted demo resumes where it stopped.");
  demo->add_option("--out", d.out_dir, "output directory (report in OUT/report/)")->capture_default_str();
  demo->add_option("--epochs", d.epochs, "training epochs per network")->capture_default_str();
  demo->add_option("--train-images", d.train_images, "train on the first N images (0 = all 60,000)")
      ->capture_default_str();
  demo->add_option("--test-images", d.test_images, "evaluate on the first N test images (0 = all 10,000)")
      ->capture_default_str();
  demo->add_option("--trace-images", d.trace_images, "test images in the simulated trace")->capture_default_str();
  demo->add_option("--threads", d.threads, "training threads")->capture_default_str()->check(CLI::Range(1, 256));
  demo->add_option("--seed", d.seed, "random seed")->capture_default_str();
  demo->add_option("--data", d.data_dir, "directory of the Fashion-MNIST IDX files (default: Debian's package)");
  demo->add_option("--arch", d.arch_path, "arch config for the WRPN side (default: built-in 16x16, 8-bit PEs)");
  demo->add_option("--tech", d.tech_path, "tech table (default: built-in 45 nm)");
  demo->add_flag("--skip-rtl", d.skip_rtl, "leave out the Verilated RTL replay");
  demo->add_flag("--restart", d.restart, "discard finished steps and start over");
  demo->callback([&g] { g.exit_code = run_demo(d); });

  static std::string point_dir, point_id;
  CLI::App* point =
      g.root.add_subcommand("sweep-point", "Evaluate one point of a sweep directory (used by `wrpn sweep`)");
  point->group("");  // hidden: an internal worker command
  point->add_option("DIR", point_dir, "sweep directory")->required();
  point->add_option("ID", point_id, "point id")->required();
  point->callback([] {
    const SweepConfig config = config_of_directory(point_dir);
    for (const auto& p : config.points()) {
      if (p.id() != point_id) continue;
      write_point_result(SweepPaths{point_dir}, point_id, evaluate_point(config, p));
      return;
    }
    fail("DSE001", point_dir + "/sweep.json", "/points", "no point with id \"" + point_id + "\"");
  });
}

}  // namespace wrpn
