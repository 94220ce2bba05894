// Commands of the trainer component: train, trace, infer, bench train. Parsing only; the work is in
// trainer/ (wrpn::trainer).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "apps/commands.h"
#include "apps/precision_flags.h"
#include "common/config.h"
#include "common/diagnostics.h"
#include "trainer/bench.h"
#include "trainer/export.h"
#include "trainer/parallel.h"
#include "trainer/train.h"
#include "workloads/trace.h"

namespace wrpn {

namespace {

struct TrainArgs {
  trainer::TrainConfig cfg;
  std::string config_path, out, seed = "1", weight_scale = "layer";
  bool resume = false, quiet = false;
  int first_wbits = 0, last_wbits = 0, first_abits = 0, last_abits = 0;  ///< 0 = not given
};

/// Maps the shared --first-/--last- precision flags onto the trainer's spec: one weight width for
/// the first and last layers (first_last_wbits), the first layer on 8-bit pixel codes, the last on
/// the body's activation quantizer. Anything else is a width the trainer cannot train (TRN002).
void apply_first_last_flags(TrainArgs& ta, bool first_last_given) {
  auto& spec = ta.cfg.spec;
  if (ta.first_wbits || ta.last_wbits) {
    if (first_last_given)
      fail("TRN002", "", "--first-wbits", "give --first-wbits/--last-wbits or --first-last-wbits, not both");
    if (ta.first_wbits && ta.last_wbits && ta.first_wbits != ta.last_wbits)
      fail("TRN002", "", "--last-wbits",
           "the trainer trains the first and last layers at one weight width; got --first-wbits " +
               std::to_string(ta.first_wbits) + " and --last-wbits " + std::to_string(ta.last_wbits),
           "give both the same width");
    spec.first_last_wbits = ta.first_wbits ? ta.first_wbits : ta.last_wbits;
  }
  const bool quantized = spec.wbits != kFp32Bits || spec.abits != kFp32Bits;
  const int pixel_bits = quantized ? 8 : kFp32Bits;
  if (ta.first_abits && ta.first_abits != pixel_bits)
    fail("TRN002", "", "--first-abits",
         "the first layer reads the " + std::to_string(pixel_bits) + "-bit pixel codes; got " +
             std::to_string(ta.first_abits),
         "omit --first-abits (wrpn sim, energy and map take other widths for a network they do not train)");
  if (ta.last_abits && ta.last_abits != spec.abits)
    fail("TRN002", "", "--last-abits",
         "the last layer reads the body's " + std::to_string(spec.abits) + "-bit activations; got " +
             std::to_string(ta.last_abits),
         "omit --last-abits, or change --abits");
}

struct TraceArgs {
  std::string checkpoint, out, data = trainer::kDefaultDataDir, split = "test";
  int64_t images = 16;
  bool replace = false;
};

struct InferArgs {
  std::string trace, data = trainer::kDefaultDataDir, checkpoint;
  int64_t test_images = 0;
  int threads = 2;
  bool no_dataset = false;
};

/// A seed is any integer 0..2^64-1, written in decimal; anything else (-1, 1.5, 2^64) is TRN003,
/// never wrapped or rounded.
uint64_t parse_seed(const std::string& text) {
  const bool digits = !text.empty() && text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = digits ? std::strtoull(text.c_str(), &end, 10) : 0;
  if (!digits || errno == ERANGE || end != text.c_str() + text.size())
    fail("TRN003", "", "--seed",
         "seed must be an integer in [0, 18446744073709551615], got " + quote_for_message(text));
  return static_cast<uint64_t>(v);
}

/// Prints why a check failed; the caller returns the exit code 1 through CommandGroups::exit_code.
int check_failed(const std::string& msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "check failed: %s\n", msg.c_str());
  std::fflush(stderr);
  return kExitCheckFailed;
}

TrainArgs ta;

void add_train_options(CLI::App* train) {
  auto& c = ta.cfg;
  train->add_option("--config", ta.config_path, "a `train` JSON config (kind \"train\"); flags given too override it");
  train
      ->add_option("--model", c.spec.model,
                   "lenet, mlp, resnet_mini, or an .onnx graph with a 1x28x28 input and 10 classes (its shapes are "
                   "trained from scratch; conv, fc, pool and add layers)")
      ->capture_default_str();
  train->add_option("--width", c.spec.width, "width multiplier w >= 1 (widens every hidden layer)")
      ->capture_default_str();
  train->add_option("--wbits", c.spec.wbits, "weight bits: 1 binary, 2 ternary, 3..16, 32 = FP32")
      ->capture_default_str();
  train->add_option("--abits", c.spec.abits, "activation bits 1..16, or 32 = FP32 (ReLU)")->capture_default_str();
  train
      ->add_option("--first-last-wbits", c.spec.first_last_wbits,
                   "weight bits of the first and last layers; 0 = default (8 when quantized, 32 in FP32)")
      ->capture_default_str();
  // The same first/last flags as sim, energy, map, workload and footprint (apps/precision_flags.h):
  // the trainer trains one weight width for the first and last layers and feeds the first layer the
  // 8-bit pixel codes, so it takes the values it can train and refuses the others (TRN002).
  train->add_option("--first-wbits", ta.first_wbits, "weight bits of the first weighted layer (= --last-wbits)");
  train->add_option("--last-wbits", ta.last_wbits, "weight bits of the last weighted layer (= --first-wbits)");
  train->add_option("--first-abits", ta.first_abits,
                    "input code bits of the first weighted layer: the 8-bit pixels (only 8 when quantized)");
  train->add_option("--last-abits", ta.last_abits,
                    "input activation bits of the last weighted layer (only --abits: the body's quantizer)");
  train
      ->add_option("--weight-scale", ta.weight_scale,
                   "quantized weights' scale alpha: layer (per layer from the weights: max|w|, ternary\n"
                   "min(max|w|, 1.4 mean|w|), binary mean|w|) or paper (alpha = 1, the WRPN paper's\n"
                   "round(n clamp(w, -1, 1))/n; weights before batch norm start uniform on [-1, 1])")
      ->capture_default_str();
  train->add_option("--epochs", c.epochs, "training epochs")->capture_default_str();
  train->add_option("--batch", c.batch, "mini-batch size")->capture_default_str();
  train->add_option("--lr", c.optim.lr, "peak learning rate")->capture_default_str();
  train->add_option("--optimizer", c.optim.kind, "sgd (momentum, Nesterov) or adam")->capture_default_str();
  train->add_option("--momentum", c.optim.momentum, "SGD momentum")->capture_default_str();
  train->add_option("--weight-decay", c.optim.weight_decay, "L2 weight decay on conv/fc weights")
      ->capture_default_str();
  train->add_option("--schedule", c.optim.schedule, "cosine, step or constant")->capture_default_str();
  train->add_option("--step-epochs", c.optim.step_epochs, "step schedule: epochs between drops")->capture_default_str();
  train->add_option("--step-gamma", c.optim.step_gamma, "step schedule: factor per drop")->capture_default_str();
  train->add_option("--seed", ta.seed, "random seed (init and shuffling), an integer in [0, 2^64-1]")
      ->capture_default_str();
  train->add_option("--threads", c.threads, "OpenMP threads; results are deterministic per seed and thread count")
      ->capture_default_str();
  train->add_option("--data", c.data_dir, "directory of the IDX files (Fashion-MNIST or MNIST)")->capture_default_str();
  train->add_option("--train-images", c.train_images,
                    "use only the first N training images (0 = all; more than the set holds is an error)");
  train->add_option("--test-images", c.test_images,
                    "evaluate on the first N test images (0 = all; more than the set holds is an error)");
  train->add_option("--out", ta.out, "run directory to create (or continue with --resume)")->required();
  train->add_flag("--resume", ta.resume,
                  "continue the run in --out from its last checkpoint, or from epoch 0 if it was interrupted\n"
                  "before one; its saved config is used, and a flag that differs from it is an error");
  train->add_flag("--quiet", ta.quiet, "no progress bar");
}

/// With --resume, the flags given must agree with the saved run (never silently ignored).
void check_resume_flags(CLI::App* train, const trainer::TrainConfig& cfg) {
  if (!ta.config_path.empty())
    fail("TRN004", ta.config_path, "", "--resume continues a run with its own saved config; --config is not used",
         "drop --config, or start a new run with it");
  static const std::vector<std::pair<const char*, const char*>> kFlagKeys = {{"--model", "model"},
                                                                             {"--width", "width"},
                                                                             {"--wbits", "wbits"},
                                                                             {"--abits", "abits"},
                                                                             {"--first-last-wbits", "first_last_wbits"},
                                                                             {"--first-wbits", "first_last_wbits"},
                                                                             {"--last-wbits", "first_last_wbits"},
                                                                             {"--weight-scale", "weight_scale"},
                                                                             {"--epochs", "epochs"},
                                                                             {"--batch", "batch"},
                                                                             {"--lr", "lr"},
                                                                             {"--optimizer", "optimizer"},
                                                                             {"--momentum", "momentum"},
                                                                             {"--weight-decay", "weight_decay"},
                                                                             {"--schedule", "schedule"},
                                                                             {"--step-epochs", "step_epochs"},
                                                                             {"--step-gamma", "step_gamma"},
                                                                             {"--seed", "seed"},
                                                                             {"--threads", "threads"},
                                                                             {"--data", "data_dir"},
                                                                             {"--train-images", "train_images"},
                                                                             {"--test-images", "test_images"}};
  std::vector<std::string> keys;
  for (const auto& [flag, key] : kFlagKeys)
    if (train->count(flag) > 0) keys.push_back(key);
  trainer::check_resume_request(ta.out, cfg, keys);
}

/// A --config file, with the flags given explicitly overriding it.
trainer::TrainConfig config_with_overrides(CLI::App* train) {
  trainer::TrainConfig cfg = trainer::load_train_config(ta.config_path);
  auto given = [&](const char* name) { return train->count(name) > 0; };
  const auto& f = ta.cfg;
  if (given("--model")) cfg.spec.model = f.spec.model;
  if (given("--width")) cfg.spec.width = f.spec.width;
  if (given("--wbits")) cfg.spec.wbits = f.spec.wbits;
  if (given("--abits")) cfg.spec.abits = f.spec.abits;
  if (given("--first-last-wbits") || given("--first-wbits") || given("--last-wbits"))
    cfg.spec.first_last_wbits = f.spec.first_last_wbits;
  if (given("--weight-scale")) cfg.spec.weight_scale = f.spec.weight_scale;
  if (given("--epochs")) cfg.epochs = f.epochs;
  if (given("--batch")) cfg.batch = f.batch;
  if (given("--lr")) cfg.optim.lr = f.optim.lr;
  if (given("--optimizer")) cfg.optim.kind = f.optim.kind;
  if (given("--momentum")) cfg.optim.momentum = f.optim.momentum;
  if (given("--weight-decay")) cfg.optim.weight_decay = f.optim.weight_decay;
  if (given("--schedule")) cfg.optim.schedule = f.optim.schedule;
  if (given("--step-epochs")) cfg.optim.step_epochs = f.optim.step_epochs;
  if (given("--step-gamma")) cfg.optim.step_gamma = f.optim.step_gamma;
  if (given("--seed")) cfg.seed = f.seed;
  if (given("--threads")) cfg.threads = f.threads;
  if (given("--data")) cfg.data_dir = f.data_dir;
  if (given("--train-images")) cfg.train_images = f.train_images;
  if (given("--test-images")) cfg.test_images = f.test_images;
  return cfg;
}

void print_train_outcome(const trainer::TrainOutcome& r) {
  if (r.log.empty()) return;
  const auto& e = r.log.back();
  std::printf(
      "trained %ld epochs: test accuracy %.2f%% on %ld test images (loss %.4f), last epoch %.0f train img/s; run "
      "in %s\n",
      static_cast<long>(r.epochs_done), 100.0 * e.test_acc, static_cast<long>(e.test_images), e.test_loss,
      e.images_per_s, ta.out.c_str());
  if (e.test_images < trainer::kFullTestImages)
    std::printf("warning: measured on %ld of the %ld test images; not comparable with full-test-set figures\n",
                static_cast<long>(e.test_images), static_cast<long>(trainer::kFullTestImages));
}

/// The command line's bits rule (apps/precision_flags.h: NET007) on the bit widths given as flags,
/// before the trainer's own checks (TRN002, which a train config's fields still get).
void check_train_bits_flags(CLI::App* train) {
  const std::pair<const char*, int> flags[] = {{"--wbits", ta.cfg.spec.wbits},
                                               {"--abits", ta.cfg.spec.abits},
                                               {"--first-last-wbits", ta.cfg.spec.first_last_wbits},
                                               {"--first-wbits", ta.first_wbits},
                                               {"--last-wbits", ta.last_wbits},
                                               {"--first-abits", ta.first_abits},
                                               {"--last-abits", ta.last_abits}};
  for (const auto& [flag, bits] : flags) {
    const bool body = flag == std::string("--wbits") || flag == std::string("--abits");
    if (train->count(flag) > 0 && (body || bits != 0)) check_bits_flag(flag, bits);  // 0 = the default
  }
}

void run_train(CLI::App* train) {
  check_train_bits_flags(train);
  ta.cfg.seed = parse_seed(ta.seed);
  apply_first_last_flags(ta, train->count("--first-last-wbits") > 0);
  if (!trainer::parse_weight_scale(ta.weight_scale, &ta.cfg.spec.weight_scale))
    fail("TRN003", "", "--weight-scale",
         "--weight-scale must be layer or paper, got " + quote_for_message(ta.weight_scale));
  trainer::TrainConfig cfg = ta.cfg;
  if (ta.resume) check_resume_flags(train, cfg);
  if (!ta.config_path.empty()) cfg = config_with_overrides(train);
  print_train_outcome(trainer::train(cfg, ta.out, ta.resume, !ta.quiet));
}

void register_train_command(CommandGroups& g) {
  auto* train = g.root.add_subcommand(
      "train",
      "Quantization-aware training (WRPN) on Fashion-MNIST: k-bit weights/activations with straight-through\n"
      "estimators, width multiplier, SGD/Adam. Writes OUT/{config.json,log.csv,checkpoint.bin,manifest.json};\n"
      "a checkpoint every epoch; --resume continues a killed run to the identical result.\n"
      "Defaults to FP32 (--wbits 32 --abits 32), unlike the W4A4 of the commands that price a design point:\n"
      "a training run's default is the FP32 original every WRPN network is compared against (docs/cli.md).");
  train->footer("Example: wrpn train --model lenet --width 2 --wbits 4 --abits 4 --epochs 15 --out runs/lenet-w2-w4a4");
  add_train_options(train);
  train->callback([train] { run_train(train); });
}

void register_trace_command(CommandGroups& g) {
  static TraceArgs tr;
  auto* trace = g.root.add_subcommand(
      "trace",
      "Export a trained, quantized checkpoint as a layer trace (docs/trace-format.md): integer\n"
      "weight codes, BN and scales folded into per-channel requantization, and each layer's input,\n"
      "accumulators and output codes for the first N test images, computed by the integer reference.");
  trace->add_option("--checkpoint", tr.checkpoint, "checkpoint.bin of a `wrpn train` run")->required();
  trace->add_option("--images", tr.images, "images to trace (first N of the split)")->capture_default_str();
  trace->add_option("--out", tr.out, "trace directory to create")->required();
  trace->add_option("--data", tr.data, "directory of the IDX files")->capture_default_str();
  trace->add_option("--split", tr.split, "train or test")->capture_default_str();
  trace->add_flag("--replace", tr.replace,
                  "replace an existing trace directory that `wrpn trace` wrote (any other directory is refused)");
  trace->footer(
      "Example: wrpn trace --checkpoint runs/lenet-w2-w4a4/checkpoint.bin --images 16 --out traces/lenet-w2-w4a4 "
      "(after the `wrpn train` example)");
  trace->callback([] {
    trainer::set_threads(2);
    const auto r = trainer::export_trace_dir(tr.checkpoint, tr.data, tr.split, tr.images, tr.out, tr.replace);
    std::printf("wrote %s: %s width %g, %ld layers, %ld images; integer and trainer predictions differ on %ld\n",
                tr.out.c_str(), r.network.c_str(), r.width, static_cast<long>(r.layers), static_cast<long>(r.images),
                static_cast<long>(r.prediction_differences));
  });
}

InferArgs ia;

/// Prints the report; returns the exit code (1 when the trace's stored outputs are not reproduced).
int print_infer(const trainer::InferReport& r) {
  const auto& sc = r.self;
  std::printf(
      "trace %s: %s, %ld images, %ld layers: %ld output codes and %ld accumulators re-computed, %ld + %ld differ\n",
      ia.trace.c_str(), r.network.c_str(), static_cast<long>(r.trace_images), static_cast<long>(sc.layers),
      static_cast<long>(sc.outputs_checked), static_cast<long>(sc.acc_checked), static_cast<long>(sc.output_mismatches),
      static_cast<long>(sc.acc_mismatches));
  if (sc.output_mismatches || sc.acc_mismatches) return check_failed("first difference: " + sc.first_mismatch);
  if (ia.no_dataset) return 0;
  const auto pct = [](int64_t a, int64_t b) { return 100.0 * static_cast<double>(a) / static_cast<double>(b); };
  std::printf("integer inference: %ld/%ld test images correct (%.2f%%)\n", static_cast<long>(r.correct),
              static_cast<long>(r.images), pct(r.correct, r.images));
  if (!r.compared) return 0;
  std::string list;
  for (size_t i = 0; i < r.differing.size() && i < 5; ++i) list += (i ? ", " : "") + std::to_string(r.differing[i]);
  std::printf("trainer quantized forward: %.2f%%; predictions differ on %ld of %ld images (%.3f%%, agreement %.3f%%)\n",
              pct(r.trainer_correct, r.images), static_cast<long>(r.differ), static_cast<long>(r.images),
              pct(r.differ, r.images), 100.0 - pct(r.differ, r.images));
  if (r.differ > 0 && !r.checkpoint_verified)
    std::printf(
        "  note: this version-1 trace does not record its checkpoint, so the checkpoint could not be verified;\n"
        "  if it is not the one the trace was exported from, the differences mean nothing (first: %s)\n",
        list.c_str());
  if (r.differ > 0 && r.checkpoint_verified)
    std::printf(
        "  why: the trainer accumulates in FP32 (BLAS order), the trace exactly in integers; a rounding\n"
        "  difference moves an activation across a code boundary when the two top classes are close\n"
        "  (largest trainer top-2 logit margin among the differing images: %.4g); first: %s\n",
        r.max_differing_margin, list.c_str());
  return 0;
}

void register_infer_command(CommandGroups& g) {
  auto* infer = g.root.add_subcommand(
      "infer",
      "Integer-only inference on a trace: verifies the trace (version, shapes, checksums), re-runs its layers\n"
      "on its own input and compares every output code, then classifies the test set with the trace's integer\n"
      "weights and requantization. With --checkpoint, counts images whose class differs from the trainer's\n"
      "quantized forward pass. Exit 1 if the trace's stored outputs are not reproduced.");
  infer->add_option("--trace", ia.trace, "trace directory from `wrpn trace`")->required();
  infer->add_option("--data", ia.data, "directory of the IDX files")->capture_default_str();
  infer->add_option("--test-images", ia.test_images, "classify only the first N test images (0 = all)");
  infer->add_option("--checkpoint", ia.checkpoint, "compare with this checkpoint's quantized forward pass");
  infer->add_option("--threads", ia.threads, "threads, 1..256")->capture_default_str();
  infer->add_flag("--no-dataset", ia.no_dataset, "only verify the trace against its own stored outputs");
  infer->footer(
      "Example: wrpn infer --trace traces/lenet-w2-w4a4 --checkpoint runs/lenet-w2-w4a4/checkpoint.bin (after the "
      "`wrpn train` and `wrpn trace` examples)");
  infer->callback([&g] {
    g.exit_code =
        print_infer(trainer::infer_trace(ia.trace, ia.data, ia.test_images, ia.checkpoint, ia.threads, !ia.no_dataset));
  });
}

void register_bench_train(CommandGroups& g) {
  static std::vector<int> bench_threads{1, 2};
  static double bench_seconds = 5.0;
  static std::string bench_data = trainer::kDefaultDataDir;
  auto* bench = g.bench.add_subcommand(
      "train", "Training and inference images/s of lenet (w1 FP32, w2 W4A4) on 1 and 2 threads (batch 64 / 500)");
  bench->add_option("--threads", bench_threads, "thread counts to measure")->capture_default_str();
  bench->add_option("--seconds", bench_seconds, "seconds timed per figure")->capture_default_str();
  bench->add_option("--data", bench_data, "directory of the IDX files")->capture_default_str();
  bench->footer("Example: wrpn bench train --threads 1 --seconds 2");
  bench->callback([] {
    for (int t : bench_threads)
      if (t < 1) fail("TRN003", "", "--threads", "thread counts must be at least 1");
    if (!(bench_seconds > 0)) fail("TRN003", "", "--seconds", "--seconds must be positive");
    std::printf("%-16s %7s %14s %14s\n", "config", "threads", "train img/s", "infer img/s");
    for (const auto& r : trainer::bench_train(bench_threads, bench_seconds, bench_data))
      std::printf("%-16s %7d %14.0f %14.0f\n", r.config.c_str(), r.threads, r.train_images_per_s, r.infer_images_per_s);
  });
}

}  // namespace

void register_trainer_commands(CommandGroups& g) {
  register_validator("train", trainer::validate_train_config);
  register_train_command(g);
  register_trace_command(g);
  register_infer_command(g);
  register_bench_train(g);
}

}  // namespace wrpn
