// wrpn paper (the WRPN paper's hardware tables) and wrpn demo (the FP32-versus-WRPN comparison run
// end to end): flag parsing only; the studies are in studies/.
#include <cstdio>

#include "apps/commands.h"
#include "studies/demo.h"
#include "studies/paper.h"

namespace wrpn {

namespace {

void register_paper_command(CommandGroups& g) {
  static PaperOptions po;
  CLI::App* paper = g.root.add_subcommand(
      "paper",
      "Regenerate the WRPN paper's hardware results into results/paper/: raw-operation ratios and two compute\n"
      "costs (the paper's definition, MACs x (w + a), and the priced MAC energy) of AlexNet, ResNet-34 and\n"
      "Inception-BN at 1x/2x/3x width for each bit-width pair the paper studies; the ASIC efficiency of FP32 vs\n"
      "8/4/2-bit, ternary and binary MACs and PEs (Yosys results from --synth, required); equal-area arrays sized\n"
      "from the synthesized PE areas within +-3 %; whole-network efficiency at batch 1 and 32; and the\n"
      "Fashion-MNIST lenet accuracy table. Writes CSVs, plots and paper.md (all or nothing).");
  paper
      ->add_option("--out", po.out_dir,
                   "output directory, replaced as a whole when it holds an earlier `wrpn paper` output (a\n"
                   "directory with other contents is refused)")
      ->capture_default_str();
  paper->add_option("--tech", po.tech_path, "tech table (default: the built-in 45 nm table)");
  paper->add_option("--synth", po.synth_dir, "cached Yosys results (wrpn synth)")->capture_default_str();
  paper->add_option("--accuracy", po.accuracy_csv, "trained accuracies (trainer reference runs)")
      ->capture_default_str();
  paper->footer("Example: wrpn paper --out /tmp/wrpn-paper");
  paper->callback([] {
    const PaperSummary s = generate_paper_results(po);
    std::printf(
        "AlexNet 2x raw MAC ratio %.2f (paper 3.9); compute cost vs FP32, paper's definition (MACs x (w+a)) / "
        "priced MAC energy: AlexNet 2x W4A4 %.1f%% / %.1f%% (paper 14%%), ResNet-34 2x W4A8 %.1f%% / %.1f%% (paper "
        "15.1%%)\n",
        s.alexnet_2x_raw_ratio, 100 * s.alexnet_2x_w4a4_paper_def_cost, 100 * s.alexnet_2x_w4a4_mac_energy_cost,
        100 * s.resnet34_2x_w4a8_paper_def_cost, 100 * s.resnet34_2x_w4a8_mac_energy_cost);
    for (const auto& w : s.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    std::printf("wrote %s/{", po.out_dir.c_str());
    for (size_t i = 0; i < s.files.size(); ++i) std::printf("%s%s", i ? ", " : "", s.files[i].c_str());
    std::printf("}\n");
  });
}

void register_demo_command(CommandGroups& g) {
  static DemoOptions d;
  CLI::App* demo = g.root.add_subcommand(
      "demo",
      "The main job on built-in defaults (a few minutes on 2 cores): train lenet FP32 width 1 and W4A4 width 2 on\n"
      "Fashion-MNIST (short schedules), export the WRPN trace, simulate it bit-exactly on the SystemC model and the\n"
      "FP32 network on an FP32 array, replay a traced layer through the Verilated RTL, price both runs, and print\n"
      "and write the side-by-side table (accuracy, cycles, energy, efficiency gain, area) with plots.\n"
      "Finished steps are kept under OUT/work/: an interrupted demo resumes where it stopped, and a step whose\n"
      "options changed (epochs, images, seed, arch, tech, ...) is redone. OUT/report/ and OUT/work/ are replaced\n"
      "only when an earlier demo wrote them.");
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
  demo->footer("Example: wrpn demo --out /tmp/wrpn-demo --epochs 1 --train-images 2000 --test-images 1000 --skip-rtl");
  demo->callback([&g] { g.exit_code = run_demo(d); });
}

}  // namespace

void register_studies_commands(CommandGroups& g) {
  register_paper_command(g);
  register_demo_command(g);
}

}  // namespace wrpn
