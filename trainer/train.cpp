#include "trainer/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/numerics.h"
#include "common/progress.h"
#include "common/rng.h"
#include "common/run_manifest.h"
#include "trainer/checkpoint.h"
#include "trainer/parallel.h"

namespace fs = std::filesystem;

namespace wrpn::trainer {

namespace {

std::string ptr(const std::string& file, const std::string& key) {
  if (file.empty()) {
    std::string flag = key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    return "--" + flag;
  }
  return "/" + key;
}

}  // namespace

void check_train_config(const TrainConfig& c, const std::string& file) {
  const auto& names = model_names();
  if (std::find(names.begin(), names.end(), c.spec.model) == names.end())
    fail("TRN001", file, ptr(file, "model"), "unknown model \"" + c.spec.model + "\"",
         "trainer models: lenet, mlp, resnet_mini");
  auto bits = [&](int b, const char* key, bool zero_ok) {
    if (!(is_valid_bits(b) || (zero_ok && b == 0)))
      fail("TRN002", file, ptr(file, key), std::string(key) + " must be 1..16 or 32, got " + std::to_string(b),
           "k = 1 is binary, 2 ternary, 32 full precision");
  };
  bits(c.spec.wbits, "wbits", false);
  bits(c.spec.abits, "abits", false);
  bits(c.spec.first_last_wbits, "first_last_wbits", true);
  if (!(c.spec.width >= 1.0 && c.spec.width <= 64.0))
    fail("TRN002", file, ptr(file, "width"), "width multiplier must be in [1, 64], got " + format_number(c.spec.width));
  auto positive_int = [&](int64_t v, const char* key, int64_t hi) {
    if (v < 1 || v > hi)
      fail("TRN003", file, ptr(file, key),
           std::string(key) + " must be in [1, " + std::to_string(hi) + "], got " + std::to_string(v));
  };
  positive_int(c.epochs, "epochs", 100000);
  positive_int(c.batch, "batch", 65536);
  positive_int(c.threads, "threads", 256);
  if (!(c.optim.lr > 0.0 && c.optim.lr <= 100.0))
    fail("TRN003", file, ptr(file, "lr"), "learning rate must be in (0, 100], got " + format_number(c.optim.lr));
  if (!(c.optim.momentum >= 0.0 && c.optim.momentum < 1.0))
    fail("TRN003", file, ptr(file, "momentum"), "momentum must be in [0, 1), got " + format_number(c.optim.momentum));
  if (!(c.optim.weight_decay >= 0.0 && c.optim.weight_decay < 1.0))
    fail("TRN003", file, ptr(file, "weight_decay"),
         "weight decay must be in [0, 1), got " + format_number(c.optim.weight_decay));
  if (c.optim.kind != "sgd" && c.optim.kind != "adam")
    fail("TRN003", file, ptr(file, "optimizer"), "optimizer must be sgd or adam, got \"" + c.optim.kind + "\"");
  if (c.optim.schedule != "cosine" && c.optim.schedule != "step" && c.optim.schedule != "constant")
    fail("TRN003", file, ptr(file, "schedule"),
         "schedule must be cosine, step or constant, got \"" + c.optim.schedule + "\"");
  if (c.optim.step_epochs < 1) fail("TRN003", file, ptr(file, "step_epochs"), "step_epochs must be at least 1");
  if (!(c.optim.step_gamma > 0.0 && c.optim.step_gamma <= 1.0))
    fail("TRN003", file, ptr(file, "step_gamma"), "step_gamma must be in (0, 1]");
  if (c.train_images < 0 || c.test_images < 0)
    fail("TRN003", file, ptr(file, c.train_images < 0 ? "train_images" : "test_images"),
         "image limits must be >= 0 (0 = all)");
}

TrainConfig train_config_from_json(const ConfigObject& o) {
  TrainConfig c;
  const int64_t big = INT64_C(1) << 40;
  c.spec.model = o.get_string("model", c.spec.model);
  c.spec.width = o.get_number("width", -1e9, 1e9, c.spec.width);
  c.spec.wbits = static_cast<int>(o.get_int("wbits", -big, big, c.spec.wbits));
  c.spec.abits = static_cast<int>(o.get_int("abits", -big, big, c.spec.abits));
  c.spec.first_last_wbits = static_cast<int>(o.get_int("first_last_wbits", -big, big, 0));
  const std::string scale = o.get_string("weight_scale", to_string(c.spec.weight_scale));
  if (!parse_weight_scale(scale, &c.spec.weight_scale))
    fail("TRN003", o.file(), "/weight_scale", "weight_scale must be layer or paper, got \"" + scale + "\"",
         "layer: per-layer alpha from the weights; paper: alpha = 1, the WRPN paper's fixed grid");
  c.epochs = o.get_int("epochs", -big, big, c.epochs);
  c.batch = o.get_int("batch", -big, big, c.batch);
  c.optim.kind = o.get_string("optimizer", c.optim.kind);
  c.optim.lr = o.get_number("lr", -1e9, 1e9, c.optim.lr);
  c.optim.momentum = o.get_number("momentum", -1e9, 1e9, c.optim.momentum);
  c.optim.nesterov = o.get_bool("nesterov", c.optim.nesterov);
  c.optim.weight_decay = o.get_number("weight_decay", -1e9, 1e9, c.optim.weight_decay);
  c.optim.schedule = o.get_string("schedule", c.optim.schedule);
  c.optim.step_epochs = o.get_int("step_epochs", -big, big, c.optim.step_epochs);
  c.optim.step_gamma = o.get_number("step_gamma", -1e9, 1e9, c.optim.step_gamma);
  c.seed = static_cast<uint64_t>(o.get_int("seed", 0, INT64_MAX, static_cast<int64_t>(c.seed)));
  c.threads = static_cast<int>(o.get_int("threads", -big, big, c.threads));
  c.data_dir = o.get_string("data_dir", c.data_dir);
  c.train_images = o.get_int("train_images", -big, big, 0);
  c.test_images = o.get_int("test_images", -big, big, 0);
  o.finish();
  check_train_config(c, o.file());
  return c;
}

TrainConfig load_train_config(const std::string& path) {
  const ConfigDocument doc = ConfigDocument::load(path, "train");
  ConfigObject root = doc.root();
  root.get_string("kind");
  root.get_int("version", 1, 1);
  return train_config_from_json(root);
}

nlohmann::json to_json(const TrainConfig& c) {
  return {{"kind", "train"},
          {"version", 1},
          {"model", c.spec.model},
          {"width", c.spec.width},
          {"wbits", c.spec.wbits},
          {"abits", c.spec.abits},
          {"first_last_wbits", c.spec.first_last_wbits},
          {"weight_scale", to_string(c.spec.weight_scale)},
          {"epochs", c.epochs},
          {"batch", c.batch},
          {"optimizer", c.optim.kind},
          {"lr", c.optim.lr},
          {"momentum", c.optim.momentum},
          {"nesterov", c.optim.nesterov},
          {"weight_decay", c.optim.weight_decay},
          {"schedule", c.optim.schedule},
          {"step_epochs", c.optim.step_epochs},
          {"step_gamma", c.optim.step_gamma},
          {"seed", c.seed},
          {"threads", c.threads},
          {"data_dir", c.data_dir},
          {"train_images", c.train_images},
          {"test_images", c.test_images}};
}

std::string validate_train_config(const std::string& path) {
  const TrainConfig c = load_train_config(path);
  const Network net = spec_network(c.spec);
  return "train config: " + c.spec.model + " width " + format_number(c.spec.width) + " W" +
         std::to_string(c.spec.wbits) + "A" + std::to_string(c.spec.abits) + ", " + std::to_string(c.epochs) +
         " epochs, batch " + std::to_string(c.batch) + ", " + std::to_string(net.total_weights()) + " weights";
}

void images_to_input(const Dataset& d, const int64_t* indices, int64_t n, float* out) {
  const int64_t sz = d.image_size();
  for (int64_t b = 0; b < n; ++b) {
    const uint8_t* src = d.pixels.data() + indices[b] * sz;
    float* dst = out + b * sz;
    for (int64_t i = 0; i < sz; ++i) dst[i] = activation_value(src[i], 8);
  }
}

EvalResult evaluate(Model& model, const Dataset& d, int64_t batch) {
  EvalResult r;
  r.predictions.resize(static_cast<size_t>(d.count));
  std::vector<float> x;
  std::vector<int64_t> idx;
  double loss_sum = 0.0;
  int64_t correct = 0;
  for (int64_t start = 0; start < d.count; start += batch) {
    const int64_t n = std::min(batch, d.count - start);
    idx.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) idx[i] = start + i;
    x.resize(static_cast<size_t>(n * d.image_size()));
    images_to_input(d, idx.data(), n, x.data());
    const auto& logits = model.forward(x.data(), n, false);
    int64_t ok = 0;
    loss_sum += model.loss(d.labels.data() + start, nullptr, &ok) * static_cast<double>(n);
    correct += ok;
    const auto pred = argmax_rows(logits, n, model.num_classes());
    std::copy(pred.begin(), pred.end(), r.predictions.begin() + start);
  }
  r.loss = loss_sum / static_cast<double>(d.count);
  r.accuracy = static_cast<double>(correct) / static_cast<double>(d.count);
  return r;
}

namespace {

std::string log_csv(const std::vector<EpochLog>& log) {
  // test_images is the last column, so readers of the first eight (resume, older tools) still work.
  CsvTable t({"epoch", "lr", "train_loss", "train_acc_pct", "test_loss", "test_acc_pct", "train_images_per_s",
              "elapsed_s", "test_images"});
  for (const auto& e : log)
    t.row()
        .add(e.epoch)
        .add(e.lr)
        .add(e.train_loss)
        .add(100.0 * e.train_acc)
        .add(e.test_loss)
        .add(100.0 * e.test_acc)
        .add(e.images_per_s)
        .add(e.elapsed_s)
        .add(e.test_images);
  return t.str();
}

std::vector<std::pair<std::string, std::vector<float>*>> all_state(Model& m, Optimizer& o) {
  auto s = m.state();
  for (auto& x : o.state()) s.push_back(x);
  return s;
}

}  // namespace

TrainOutcome train(const TrainConfig& cfg_in, const std::string& out, bool resume, bool progress,
                   int64_t stop_after_epochs) {
  TrainConfig cfg = cfg_in;
  const fs::path dir(out);
  const fs::path ckpt_path = dir / "checkpoint.bin";
  Checkpoint ckpt;
  std::vector<EpochLog> log;
  if (resume) {
    if (!fs::exists(ckpt_path))
      fail("TRN004", ckpt_path.string(), "", "nothing to resume: no checkpoint in the run directory",
           "start the run without --resume first");
    ckpt = load_checkpoint(ckpt_path.string());
    const ConfigDocument doc = ConfigDocument::parse(ckpt.config.dump(), ckpt_path.string() + ":config", "train");
    ConfigObject root = doc.root();
    root.get_string("kind");
    root.get_int("version", 1, 1);
    cfg = train_config_from_json(root);
  } else {
    check_train_config(cfg, "");
    if (fs::exists(dir) && !fs::is_empty(dir))
      fail("TRN004", dir.string(), "", "output directory exists and is not empty",
           "choose a new --out, or continue that run with --resume");
  }
  // The dataset is checked before the output directory is created, so a bad --data leaves nothing.
  const Dataset train_set = load_dataset(cfg.data_dir, "train").head(cfg.train_images);
  const Dataset test_set = load_dataset(cfg.data_dir, "test").head(cfg.test_images);
  check_writable_directory(dir);
  set_threads(cfg.threads);

  Model model(spec_network(cfg.spec), cfg.spec.weight_scale);
  model.init(cfg.seed);
  Optimizer opt(cfg.optim, model.params());
  int64_t start_epoch = 0;
  if (resume) {
    restore_tensors(ckpt, all_state(model, opt), ckpt_path.string());
    opt.set_steps(ckpt.steps);
    start_epoch = ckpt.epochs_done;
    // Keep the log rows of finished epochs.
    const fs::path lp = dir / "log.csv";
    if (fs::exists(lp)) {
      const std::string text = read_file(lp);
      size_t pos = text.find('\n');
      while (pos != std::string::npos && pos + 1 < text.size()) {
        const size_t next = text.find('\n', pos + 1);
        const std::string line = text.substr(pos + 1, next - pos - 1);
        EpochLog e{};
        if (std::sscanf(line.c_str(), "%ld,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &e.epoch, &e.lr, &e.train_loss, &e.train_acc,
                        &e.test_loss, &e.test_acc, &e.images_per_s, &e.elapsed_s) == 8 &&
            e.epoch <= start_epoch) {
          e.train_acc /= 100.0;
          e.test_acc /= 100.0;
          e.test_images = test_set.count;
          log.push_back(e);
        }
        pos = next;
      }
    }
  } else {
    write_file_atomic(dir / "config.json", to_json(cfg).dump(2) + "\n");
    write_file_atomic(dir / "manifest.json", make_manifest("train", cfg.seed, to_json(cfg)).dump(2) + "\n");
  }

  const int64_t N = train_set.count, B = cfg.batch, isz = train_set.image_size();
  const int64_t batches = (N + B - 1) / B;
  std::vector<int64_t> order(static_cast<size_t>(N));
  std::vector<float> x(static_cast<size_t>(B * isz));
  std::vector<int32_t> labels(static_cast<size_t>(B));
  std::vector<float> dlogits;
  const auto t0 = std::chrono::steady_clock::now();
  int64_t epoch = start_epoch;
  for (; epoch < cfg.epochs; ++epoch) {
    if (stop_after_epochs > 0 && epoch - start_epoch >= stop_after_epochs) break;
    // The shuffle depends only on (seed, epoch), so a resumed run sees the same order.
    Rng rng(cfg.seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(epoch) + 1);
    for (int64_t i = 0; i < N; ++i) order[i] = i;
    for (int64_t i = N - 1; i > 0; --i) std::swap(order[i], order[rng.uniform_int(0, i)]);
    ProgressBar bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs), N, "img");
    const auto te = std::chrono::steady_clock::now();
    double loss_sum = 0.0;
    int64_t correct = 0, seen = 0;
    double lr = 0;
    for (int64_t bi = 0; bi < batches; ++bi) {
      const int64_t s = bi * B, n = std::min(B, N - s);
      images_to_input(train_set, order.data() + s, n, x.data());
      for (int64_t i = 0; i < n; ++i) labels[i] = train_set.labels[order[s + i]];
      lr = scheduled_lr(cfg.optim, cfg.epochs,
                        static_cast<double>(epoch) + static_cast<double>(bi) / static_cast<double>(batches));
      model.forward(x.data(), n, true);
      int64_t ok = 0;
      const double l = model.loss(labels.data(), &dlogits, &ok);
      if (!std::isfinite(l))
        fail("TRN008", "", "--lr",
             "training diverged (loss is " + format_number(l) + ") in epoch " + std::to_string(epoch + 1),
             "lower the learning rate");
      model.backward(dlogits);
      opt.step(lr);
      loss_sum += l * static_cast<double>(n);
      correct += ok;
      seen += n;
      if (progress) {
        char extra[128];
        std::snprintf(extra, sizeof extra, "loss %.3f acc %.1f%%", loss_sum / static_cast<double>(seen),
                      100.0 * static_cast<double>(correct) / static_cast<double>(seen));
        bar.update(seen, extra);
      }
    }
    const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - te).count();
    const EvalResult ev = evaluate(model, test_set);
    EpochLog e{epoch + 1,
               lr,
               loss_sum / static_cast<double>(seen),
               static_cast<double>(correct) / static_cast<double>(seen),
               ev.loss,
               ev.accuracy,
               static_cast<double>(seen) / train_s,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
               test_set.count};
    log.push_back(e);
    if (progress) {
      char extra[160];
      std::snprintf(extra, sizeof extra, "loss %.3f train %.2f%% test %.2f%% (%ld images) %.0f img/s", e.train_loss,
                    100 * e.train_acc, 100 * e.test_acc, static_cast<long>(e.test_images), e.images_per_s);
      bar.finish(extra);
    }
    Checkpoint c;
    c.config = to_json(cfg);
    c.epochs_done = epoch + 1;
    c.steps = opt.steps();
    for (auto& [name, v] : all_state(model, opt)) c.tensors.emplace_back(name, *v);
    save_checkpoint(ckpt_path.string(), c);
    write_file_atomic(dir / "log.csv", log_csv(log));
  }
  TrainOutcome r;
  r.log = log;
  r.epochs_done = epoch;
  return r;
}

}  // namespace wrpn::trainer
