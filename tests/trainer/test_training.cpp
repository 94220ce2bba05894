// Training loop, checkpoints, resume, trace export and integer inference, datasets and bad input.
// Uses a small slice of Debian's dataset-fashion-mnist (written as plain IDX files into a temporary
// directory), so the whole suite stays fast under the sanitizers.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "common/sha256.h"
#include "tests/support/diagnostics.h"
#include "trainer/checkpoint.h"
#include "trainer/dataset.h"
#include "trainer/export.h"
#include "trainer/parallel.h"
#include "trainer/train.h"
#include "workloads/trace.h"

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
using wrpn::test::kNoDiagnostic;
using namespace wrpn::trainer;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(WRPN_SOURCE_DIR) + "/tests/fixtures/train/";

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

void write_idx(const fs::path& dir, const std::string& prefix, const Dataset& d) {
  std::string img = be32(0x803) + be32(static_cast<uint32_t>(d.count)) + be32(28) + be32(28);
  img.append(d.pixels.begin(), d.pixels.end());
  std::string lab = be32(0x801) + be32(static_cast<uint32_t>(d.count));
  for (int32_t y : d.labels) lab.push_back(static_cast<char>(y));
  write_file_atomic(dir / (prefix + "-images-idx3-ubyte"), img);
  write_file_atomic(dir / (prefix + "-labels-idx1-ubyte"), lab);
}

/// A per-process scratch directory holding 640 training and 320 test images of Fashion-MNIST.
struct Scratch {
  fs::path root;
  fs::path data;
  Scratch() {
    root = fs::temp_directory_path() / ("wrpn_test_trainer_" + std::to_string(::getpid()));
    fs::remove_all(root);
    data = root / "data";
    fs::create_directories(data);
    write_idx(data, "train", load_dataset(kDefaultDataDir, "train").head(640));
    write_idx(data, "t10k", load_dataset(kDefaultDataDir, "test").head(320));
  }
  ~Scratch() { fs::remove_all(root); }
};

Scratch& scratch() {
  static Scratch s;
  return s;
}

TrainConfig small_config(int bits, int64_t epochs) {
  TrainConfig c;
  c.spec.model = "lenet";
  c.spec.wbits = c.spec.abits = bits;
  c.epochs = epochs;
  c.batch = 64;
  c.threads = 1;  // the resume test checks the 2-thread path
  c.seed = 7;
  c.data_dir = scratch().data.string();
  c.train_images = 256;
  c.test_images = 128;
  return c;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

/// A W4A4 lenet trained for 2 epochs on 256 images, shared by the trace tests.
const fs::path& w4a4_run() {
  static const fs::path dir = [] {
    const fs::path d = scratch().root / "w4a4";
    train(small_config(4, 2), d.string(), false, false);
    return d;
  }();
  return dir;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(training)

BOOST_AUTO_TEST_CASE(loss_decreases_on_a_small_slice) {
  TrainConfig c = small_config(kFp32Bits, 3);
  c.train_images = 640;
  c.test_images = 320;
  const fs::path out = scratch().root / "fp32";
  const TrainOutcome r = train(c, out.string(), false, false);
  BOOST_REQUIRE(r.log.size() == 3u);
  BOOST_TEST(r.log[2].train_loss < r.log[0].train_loss);
  BOOST_TEST(r.log[2].train_loss < 0.9 * std::log(10.0));
  BOOST_TEST(r.log[2].test_acc > 0.5);  // chance is 0.1
  for (const char* f : {"config.json", "log.csv", "checkpoint.bin", "manifest.json"}) BOOST_TEST(fs::exists(out / f));
  // The log reads back (read_log, the one reader of log.csv) as the accuracies the run returned.
  const std::vector<LogRow> rows = read_log((out / "log.csv").string());
  BOOST_REQUIRE(rows.size() == 3u);
  BOOST_TEST(rows[2].epoch == 3);
  BOOST_TEST(rows[2].test_acc_pct == 100.0 * r.log[2].test_acc);
  BOOST_TEST(rows[2].test_images == 320);
  // A field that is not a number is named, never read as 0.
  std::string text = read_file(out / "log.csv");
  text.replace(text.rfind(','), 1, ",x");
  write_file_atomic(out / "bad-log.csv", text);
  BOOST_TEST(first_diagnostic_line([&] { read_log((out / "bad-log.csv").string()); }).find("error[CFG002]") == 0u);
}

BOOST_AUTO_TEST_CASE(checkpoint_round_trip_and_tamper_detection) {
  Checkpoint c;
  c.config = {{"kind", "train"}};
  c.epochs_done = 3;
  c.steps = 42;
  c.tensors = {{"a", {1.0f, -2.5f, 3.25f}}, {"b", {}}, {"c", {0.5f}}};
  const fs::path p = scratch().root / "ck.bin";
  save_checkpoint(p.string(), c);
  const Checkpoint r = load_checkpoint(p.string());
  BOOST_TEST(r.config == c.config);
  BOOST_TEST(r.epochs_done == 3);
  BOOST_TEST(r.steps == 42);
  BOOST_REQUIRE(r.tensors.size() == 3u);
  for (size_t i = 0; i < 3; ++i) {
    BOOST_TEST(r.tensors[i].first == c.tensors[i].first);
    BOOST_TEST(r.tensors[i].second == c.tensors[i].second, boost::test_tools::per_element());
  }
  std::string bytes = read_file(p);
  std::string tampered = bytes;
  tampered[tampered.size() - 2] ^= 0x10;
  write_file_atomic(p, tampered);
  BOOST_TEST(starts_with(first_diagnostic_line([&] { load_checkpoint(p.string()); }), "error[TRN005]"));
  write_file_atomic(p, bytes.substr(0, bytes.size() - 4));
  BOOST_TEST(starts_with(first_diagnostic_line([&] { load_checkpoint(p.string()); }), "error[TRN005]"));
  write_file_atomic(p, "not a checkpoint");
  BOOST_TEST(starts_with(first_diagnostic_line([&] { load_checkpoint(p.string()); }), "error[TRN005]"));
}

BOOST_AUTO_TEST_CASE(checkpoint_header_is_covered_by_its_checksum) {
  Checkpoint c;
  c.config = {{"kind", "train"}, {"wbits", 4}};
  c.epochs_done = 1;
  c.steps = 8;
  c.tensors = {{"w", {0.25f, -0.5f}}};
  const fs::path p = scratch().root / "ck_header.bin";
  save_checkpoint(p.string(), c);
  const std::string bytes = read_file(p);
  BOOST_TEST(starts_with(bytes, "WRPN-CHECKPOINT 2\n"));
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"\"wbits\":4", "\"wbits\":2"},
                                                        {"\"epochs_done\":1", "\"epochs_done\":5"},
                                                        {"\"steps\":8", "\"steps\":9"}}) {
    std::string edited = bytes;
    edited.replace(edited.find(from), from.size(), to);
    write_file_atomic(p, edited);
    BOOST_TEST(first_diagnostic_line([&] { load_checkpoint(p.string()); }) ==
                   "error[TRN005] " + p.string() +
                       ": checkpoint does not match its SHA-256 (header or weights corrupted or modified)",
               from);
  }
}

BOOST_AUTO_TEST_CASE(format_1_checkpoints_are_still_read_with_range_checks) {
  // Format 1: magic, header with the payload's SHA-256, payload (what earlier builds wrote).
  const float w[2] = {0.25f, -0.5f};
  const std::string payload(reinterpret_cast<const char*>(w), sizeof w);
  auto v1 = [&](int64_t epochs_done, float first) {
    std::string pl = payload;
    std::memcpy(&pl[0], &first, sizeof first);
    const nlohmann::json h{{"config", {{"kind", "train"}}},
                           {"epochs_done", epochs_done},
                           {"steps", 3},
                           {"tensors", {{{"name", "w"}, {"count", 2}}}},
                           {"payload_bytes", pl.size()},
                           {"payload_sha256", sha256_hex(pl)}};
    return "WRPN-CHECKPOINT 1\n" + h.dump() + "\n" + pl;
  };
  const fs::path p = scratch().root / "ck_v1.bin";
  write_file_atomic(p, v1(2, 0.25f));
  const Checkpoint c = load_checkpoint(p.string());
  BOOST_TEST(c.epochs_done == 2);
  BOOST_TEST(c.tensors.at(0).second == std::vector<float>({0.25f, -0.5f}), boost::test_tools::per_element());
  write_file_atomic(p, v1(-5, 0.25f));
  BOOST_TEST(first_diagnostic_line([&] { load_checkpoint(p.string()); }) ==
             "error[TRN005] " + p.string() + ": checkpoint header: epochs_done -5 is not in [0, 100000]");
  write_file_atomic(p, v1(2, std::nanf("")));
  BOOST_TEST(first_diagnostic_line([&] { load_checkpoint(p.string()); }) ==
             "error[TRN009] " + p.string() + ":w[0]: tensor \"w\" holds a non-finite value (nan)");
}

BOOST_AUTO_TEST_CASE(run_interrupted_before_its_first_checkpoint_resumes) {
  // What an interrupt in epoch 1 leaves: config.json and manifest.json, no checkpoint.
  const TrainConfig c = small_config(4, 1);
  const fs::path full = scratch().root / "first_full", cut = scratch().root / "first_cut";
  train(c, full.string(), false, false);
  fs::create_directories(cut);
  fs::copy_file(full / "config.json", cut / "config.json");
  write_file_atomic(cut / "log.csv.tmp-1-2", "partial write");
  TrainConfig other = c;
  other.seed = 99;  // --resume uses the run's saved config, not these values
  BOOST_TEST(starts_with(first_diagnostic_line([&] { train(other, cut.string(), false, false); }), "error[TRN004]"));
  const TrainOutcome r = train(other, cut.string(), true, false);
  BOOST_TEST(r.epochs_done == 1);
  BOOST_TEST(read_file(cut / "checkpoint.bin") == read_file(full / "checkpoint.bin"));
  BOOST_TEST(fs::exists(cut / "manifest.json"));
  // A directory holding only a leftover temporary is no run: a new run may start there.
  const fs::path empty = scratch().root / "first_leftover";
  write_file_atomic(empty / "config.json.tmp-1-2", "partial write");
  BOOST_TEST(starts_with(first_diagnostic_line([&] { train(c, empty.string(), true, false); }), "error[TRN004]"));
  BOOST_TEST(train(c, empty.string(), false, false).epochs_done == 1);
}

BOOST_AUTO_TEST_CASE(resume_equals_uninterrupted_run) {
  TrainConfig c = small_config(4, 3);
  c.threads = 2;
  c.train_images = 128;
  const fs::path full = scratch().root / "full", part = scratch().root / "part";
  const TrainOutcome a = train(c, full.string(), false, false);
  const TrainOutcome killed = train(c, part.string(), false, false, 1);  // "killed" after epoch 1
  BOOST_TEST(killed.epochs_done == 1);
  const TrainOutcome b = train(c, part.string(), true, false);
  BOOST_REQUIRE(b.log.size() == 3u);
  for (size_t e = 0; e < 3; ++e) {
    BOOST_TEST(a.log[e].train_loss == b.log[e].train_loss, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(a.log[e].test_acc == b.log[e].test_acc);
  }
  const Checkpoint ca = load_checkpoint((full / "checkpoint.bin").string());
  const Checkpoint cb = load_checkpoint((part / "checkpoint.bin").string());
  BOOST_TEST(ca.steps == cb.steps);
  BOOST_REQUIRE(ca.tensors.size() == cb.tensors.size());
  for (size_t i = 0; i < ca.tensors.size(); ++i) {
    BOOST_TEST_CONTEXT(ca.tensors[i].first) { BOOST_TEST((ca.tensors[i].second == cb.tensors[i].second)); }
  }
}

BOOST_AUTO_TEST_CASE(trace_round_trip_self_check_and_tamper) {
  const LoadedModel lm = load_model((w4a4_run() / "checkpoint.bin").string());
  const Dataset test = load_dataset(scratch().data.string(), "test");
  const Trace t = export_trace(*lm.model, test, 3);
  const fs::path dir = scratch().root / "trace";
  write_trace(dir.string(), t);
  const Trace r = read_trace(dir.string());
  BOOST_TEST(r.network == "lenet");
  BOOST_TEST(r.images == 3);
  BOOST_REQUIRE(r.layers.size() == t.layers.size());
  for (size_t i = 0; i < t.layers.size(); ++i) {
    BOOST_TEST_CONTEXT(t.layers[i].shape.name) {
      BOOST_TEST((r.layers[i].weights == t.layers[i].weights));
      BOOST_TEST((r.layers[i].input == t.layers[i].input));
      BOOST_TEST((r.layers[i].expected_output == t.layers[i].expected_output));
      BOOST_TEST((r.layers[i].expected_acc == t.layers[i].expected_acc));
      BOOST_TEST(r.layers[i].weight_scale == t.layers[i].weight_scale);
      BOOST_REQUIRE(r.layers[i].requant.size() == t.layers[i].requant.size());
      for (size_t k = 0; k < t.layers[i].requant.size(); ++k) {
        BOOST_TEST(r.layers[i].requant[k].multiplier == t.layers[i].requant[k].multiplier);
        BOOST_TEST(r.layers[i].requant[k].bias == t.layers[i].requant[k].bias);
        BOOST_TEST(r.layers[i].requant[k].shift == t.layers[i].requant[k].shift);
      }
    }
  }
  const SelfCheck sc = self_check_trace(r);
  BOOST_TEST(sc.outputs_checked > 0);
  BOOST_TEST(sc.output_mismatches == 0);
  BOOST_TEST(sc.acc_mismatches == 0);

  // One flipped bit in a weight tensor: the SHA-256 check rejects the trace.
  const fs::path victim = dir / "2_conv2_weights.npy";
  BOOST_REQUIRE(fs::exists(victim));
  const std::string good = read_file(victim);
  std::string bad = good;
  bad[bad.size() - 1] ^= 0x01;
  write_file_atomic(victim, bad);
  BOOST_TEST(starts_with(first_diagnostic_line([&] { read_trace(dir.string()); }), "error[TRC004]"));
  // A truncated tensor is rejected too.
  write_file_atomic(victim, good.substr(0, good.size() / 2));
  BOOST_TEST(first_diagnostic_line([&] { read_trace(dir.string()); }) != kNoDiagnostic);
  write_file_atomic(victim, good);
  BOOST_TEST(first_diagnostic_line([&] { read_trace(dir.string()); }) == kNoDiagnostic);
}

BOOST_AUTO_TEST_CASE(integer_inference_matches_trainer_forward) {
  const LoadedModel lm = load_model((w4a4_run() / "checkpoint.bin").string());
  const Dataset test = load_dataset(scratch().data.string(), "test").head(96);
  const Trace t = export_trace(*lm.model, test, 4);
  set_threads(2);
  const EvalResult ev = evaluate(*lm.model, test);
  const std::vector<int32_t> pred = infer_dataset(t, test, 2);
  int64_t differ = 0;
  for (int64_t i = 0; i < test.count; ++i) differ += pred[i] != ev.predictions[i];
  BOOST_TEST(differ == 0);
  BOOST_TEST(ev.accuracy > 0.3);  // the comparison is meaningful: the model has learned something
}

BOOST_AUTO_TEST_CASE(one_call_export_and_infer_api) {
  // The calls `wrpn trace` / `wrpn infer` (and the demo) use: train, export N images, infer.
  const fs::path dir = scratch().root / "api_trace";
  const ExportSummary s =
      export_trace_dir((w4a4_run() / "checkpoint.bin").string(), scratch().data.string(), "test", 5, dir.string());
  BOOST_TEST(s.images == 5);
  BOOST_TEST(s.layers == 6);
  BOOST_TEST(s.prediction_differences == 0);
  BOOST_TEST(starts_with(first_diagnostic_line([&] {
                           export_trace_dir((w4a4_run() / "checkpoint.bin").string(), scratch().data.string(), "test",
                                            5, dir.string());
                         }),
                         "error[IO003]"));  // never overwritten without --replace
  const InferReport r =
      infer_trace(dir.string(), scratch().data.string(), 64, (w4a4_run() / "checkpoint.bin").string(), 2);
  BOOST_TEST(r.self.output_mismatches == 0);
  BOOST_TEST(r.images == 64);
  BOOST_TEST(r.compared);
  BOOST_TEST(r.differ == 0);
  BOOST_TEST(r.correct == r.trainer_correct);
  BOOST_TEST(starts_with(first_diagnostic_line([&] {
                           infer_trace(dir.string(), scratch().data.string(), 8,
                                       (scratch().root / "fp32" / "checkpoint.bin").string(), 1);
                         }),
                         "error[TRN006]"));
}

BOOST_AUTO_TEST_CASE(paper_quantizer_train_trace_infer) {
  // The WRPN paper's quantizer (alpha = 1) end to end: it learns, the choice travels in the run's
  // config and the checkpoint, the trace holds alpha = 1 on every weighted layer, and the integer
  // trace reproduces itself and the trainer's quantized forward pass.
  for (int bits : {4, 2}) {
    BOOST_TEST_CONTEXT("bits " << bits) {
      TrainConfig c = small_config(bits, 2);
      c.spec.weight_scale = WeightScale::paper;
      const fs::path run = scratch().root / ("paper_w" + std::to_string(bits));
      const TrainOutcome r = train(c, run.string(), false, false);
      BOOST_REQUIRE(r.log.size() == 2u);
      BOOST_TEST(r.log.back().test_images == 128);
      BOOST_TEST(r.log.back().test_acc > 0.3);  // chance is 0.1; with Kaiming init it stays there
      BOOST_TEST(read_file(run / "config.json").find("\"weight_scale\": \"paper\"") != std::string::npos);
      const std::string ckpt = (run / "checkpoint.bin").string();
      const LoadedModel lm = load_model(ckpt);
      BOOST_TEST((lm.config.spec.weight_scale == WeightScale::paper));
      BOOST_TEST((lm.model->weight_scale() == WeightScale::paper));
      const fs::path dir = scratch().root / ("paper_trace_w" + std::to_string(bits));
      const ExportSummary s = export_trace_dir(ckpt, scratch().data.string(), "test", 4, dir.string());
      BOOST_TEST(s.prediction_differences == 0);
      const Trace t = read_trace(dir.string());
      for (const auto& tl : t.layers)
        if (tl.shape.has_weights()) BOOST_TEST(tl.weight_scale == 1.0f, tl.shape.name);
      const InferReport ir = infer_trace(dir.string(), scratch().data.string(), 128, ckpt, 2);
      BOOST_TEST(ir.self.output_mismatches == 0);
      BOOST_TEST(ir.self.acc_mismatches == 0);
      BOOST_TEST(ir.images == 128);
      BOOST_TEST(ir.differ == 0);
      BOOST_TEST(ir.correct == ir.trainer_correct);
    }
  }
}

BOOST_AUTO_TEST_CASE(fold_channel_reproduces_the_float_map) {
  // requantize(acc) is round((scale*acc + offset) * 15) clipped to [0, 15], up to 1 code at exact
  // ties of the float map.
  for (double scale : {3.1e-4, -2.7e-3, 1.9e-2}) {
    const double offset = 0.37;
    const RequantParams p = fold_channel(scale, offset, 4);
    for (int64_t acc = -3000; acc <= 3000; acc += 7) {
      const double y = std::clamp((scale * static_cast<double>(acc) + offset) * 15.0, 0.0, 15.0);
      BOOST_TEST_REQUIRE(std::fabs(requantize(acc, p, 4) - std::nearbyint(y)) <=
                         (std::fabs(y - std::floor(y) - 0.5) < 1e-6 ? 1 : 0));
    }
  }
  const RequantParams logit = fold_channel(1e-3, -0.25, kFp32Bits);
  BOOST_TEST(logit.multiplier > 0);
  BOOST_TEST(std::fabs(static_cast<double>(requantize_logit(1000, logit)) - 0.75 * 65536) <= 1.0);
}

BOOST_AUTO_TEST_CASE(fp32_model_cannot_be_traced) {
  const LoadedModel lm = load_model((scratch().root / "fp32" / "checkpoint.bin").string());
  const Dataset test = load_dataset(scratch().data.string(), "test");
  BOOST_TEST(starts_with(first_diagnostic_line([&] { export_trace(*lm.model, test, 2); }), "error[TRN007]"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(bad_hyperparameters_are_rejected) {
  struct Case {
    const char* code;
    void (*edit)(TrainConfig&);
  };
  const Case cases[] = {
      {"error[TRN001] --model: unknown model \"vgg\"", [](TrainConfig& c) { c.spec.model = "vgg"; }},
      {"error[TRN002] --wbits: wbits must be 1..16 or 32, got 0", [](TrainConfig& c) { c.spec.wbits = 0; }},
      {"error[TRN002] --abits: abits must be 1..16 or 32, got 17", [](TrainConfig& c) { c.spec.abits = 17; }},
      {"error[TRN002] --width: width multiplier must be in [1, 64], got 0.5",
       [](TrainConfig& c) { c.spec.width = 0.5; }},
      {"error[TRN003] --epochs: epochs must be in [1, 100000], got 0", [](TrainConfig& c) { c.epochs = 0; }},
      {"error[TRN003] --epochs: epochs must be in [1, 100000], got -3", [](TrainConfig& c) { c.epochs = -3; }},
      {"error[TRN003] --batch: batch must be in [1, 65536], got 0", [](TrainConfig& c) { c.batch = 0; }},
      {"error[TRN003] --lr: learning rate must be in (0, 100], got 0", [](TrainConfig& c) { c.optim.lr = 0; }},
      {"error[TRN003] --lr: learning rate must be in (0, 100], got -0.1", [](TrainConfig& c) { c.optim.lr = -0.1; }},
      {"error[TRN003] --threads: threads must be in [1, 256], got 0", [](TrainConfig& c) { c.threads = 0; }},
      {"error[TRN003] --train-images: train_images 641 is more than the 640 images of the training set",
       [](TrainConfig& c) { c.train_images = 641; }},
  };
  for (const auto& k : cases) {
    TrainConfig c = small_config(4, 1);
    k.edit(c);
    const fs::path out = scratch().root / "never";
    const std::string got = first_diagnostic_line([&] { train(c, out.string(), false, false); });
    BOOST_TEST(starts_with(got, k.code), "got: " << got);
    BOOST_TEST(!fs::exists(out));
  }
}

BOOST_AUTO_TEST_CASE(every_train_fixture_gives_its_diagnostic) {
  const std::vector<std::pair<std::string, std::string>> expected{
      {"TRN001_bad.json", "error[TRN001] " + kFixtures + "TRN001_bad.json:/model: unknown model \"alexnet\""},
      {"TRN002_bad.json", "error[TRN002] " + kFixtures + "TRN002_bad.json:/wbits: wbits must be 1..16 or 32, got 33"},
      {"TRN002_width_bad.json",
       "error[TRN002] " + kFixtures + "TRN002_width_bad.json:/width: width multiplier must be in [1, 64], got 0.5"},
      {"TRN003_bad.json",
       "error[TRN003] " + kFixtures + "TRN003_bad.json:/epochs: epochs must be in [1, 100000], got 0"},
      {"TRN003_lr_bad.json",
       "error[TRN003] " + kFixtures + "TRN003_lr_bad.json:/lr: learning rate must be in (0, 100], got -0.01"},
      {"TRN003_weight_scale_bad.json", "error[TRN003] " + kFixtures +
                                           "TRN003_weight_scale_bad.json:/weight_scale: weight_scale must be layer "
                                           "or paper, got \"max\""},
  };
  for (const auto& [file, prefix] : expected) {
    const std::string got = first_diagnostic_line([&] { load_train_config(kFixtures + file); });
    BOOST_TEST(starts_with(got, prefix), file << " got: " << got);
  }
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(kFixtures)) n += e.path().extension() == ".json";
  BOOST_TEST(n == expected.size());
}

BOOST_AUTO_TEST_CASE(shipped_train_configs_load) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(std::string(WRPN_SOURCE_DIR) + "/configs/train")) {
    if (e.path().extension() != ".json") continue;
    ++n;
    BOOST_TEST_CONTEXT(e.path()) {
      BOOST_TEST(validate_train_config(e.path().string()).rfind("train config: ", 0) == 0);
    }
  }
  BOOST_TEST(n >= 1u);
}

BOOST_AUTO_TEST_CASE(output_directory_problems_lose_nothing) {
  const fs::path out = scratch().root / "occupied";
  fs::create_directories(out);
  write_file_atomic(out / "keep.txt", "precious");
  TrainConfig c = small_config(4, 1);
  BOOST_TEST(starts_with(first_diagnostic_line([&] { train(c, out.string(), false, false); }), "error[TRN004]"));
  BOOST_TEST(read_file(out / "keep.txt") == "precious");
  BOOST_TEST(starts_with(first_diagnostic_line([&] { train(c, (scratch().root / "nothing").string(), true, false); }),
                         "error[TRN004]"));
  // /proc refuses new directories even for root.
  BOOST_TEST(first_diagnostic_line([&] { train(c, "/proc/wrpn_test/run", false, false); }) != kNoDiagnostic);
}

BOOST_AUTO_TEST_CASE(checkpoint_of_another_model_is_rejected) {
  const LoadedModel lm = load_model((w4a4_run() / "checkpoint.bin").string());
  const Checkpoint ck = load_checkpoint((w4a4_run() / "checkpoint.bin").string());
  ModelSpec wide = lm.config.spec;
  wide.width = 2;
  Model other(spec_network(wide));
  BOOST_TEST(
      starts_with(first_diagnostic_line([&] { restore_tensors(ck, other.state(), "ck"); }), "error[TRN006] ck:"));
  ModelSpec mlp = lm.config.spec;
  mlp.model = "mlp";
  Model m2(spec_network(mlp));
  BOOST_TEST(starts_with(first_diagnostic_line([&] { restore_tensors(ck, m2.state(), "ck"); }), "error[TRN006] ck:"));
  // A trace exported from one model does not match a checkpoint of another.
  const Dataset test = load_dataset(scratch().data.string(), "test");
  const Trace t = export_trace(*lm.model, test, 1);
  BOOST_TEST(starts_with(first_diagnostic_line([&] { check_trace_matches(t, spec_network(wide), "T", "ck"); }),
                         "error[TRN006]"));
  BOOST_TEST(first_diagnostic_line([&] { check_trace_matches(t, lm.network, "T", "ck"); }) == kNoDiagnostic);
}

BOOST_AUTO_TEST_CASE(missing_and_corrupt_datasets) {
  BOOST_TEST(starts_with(first_diagnostic_line([] { load_dataset("/nonexistent/fmnist", "train"); }), "error[TRN020]"));
  TrainConfig c = small_config(4, 1);
  c.data_dir = "/nonexistent/fmnist";
  const fs::path out = scratch().root / "no_data_run";
  BOOST_TEST(starts_with(first_diagnostic_line([&] { train(c, out.string(), false, false); }), "error[TRN020]"));
  BOOST_TEST(!fs::exists(out));  // checked before anything is created
  const fs::path d = scratch().root / "corrupt";
  fs::create_directories(d);
  const std::string img = read_file(scratch().data / "t10k-images-idx3-ubyte");
  write_file_atomic(d / "t10k-images-idx3-ubyte", img.substr(0, img.size() - 100));
  fs::copy_file(scratch().data / "t10k-labels-idx1-ubyte", d / "t10k-labels-idx1-ubyte");
  BOOST_TEST(starts_with(first_diagnostic_line([&] { load_dataset(d.string(), "test"); }), "error[TRN021]"));
  write_file_atomic(d / "t10k-images-idx3-ubyte", "garbage that is not an IDX file");
  BOOST_TEST(starts_with(first_diagnostic_line([&] { load_dataset(d.string(), "test"); }), "error[TRN021]"));
}

BOOST_AUTO_TEST_SUITE_END()
