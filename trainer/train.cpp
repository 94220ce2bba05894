#include "trainer/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/numerics.h"
#include "common/progress.h"
#include "common/rng.h"
#include "common/run_manifest.h"
#include "trainer/checkpoint.h"
#include "trainer/parallel.h"
#include "workloads/onnx_import.h"

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
  if (std::find(names.begin(), names.end(), c.spec.model) == names.end() && !is_onnx_path(c.spec.model))
    fail("TRN001", file, ptr(file, "model"), "unknown model " + quote_for_message(c.spec.model), model_names_hint());
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
         "image limits must be >= 0 (0 = all), got " + std::to_string(std::min(c.train_images, c.test_images)));
}

TrainConfig train_config_from_json(const ConfigObject& o) {
  TrainConfig c;
  constexpr double kAnyLo = std::numeric_limits<double>::lowest(), kAnyHi = std::numeric_limits<double>::max();
  // Integers are read as int64 (any value) and range-checked below with the user's bounds, before
  // an int field could truncate them; bit widths and threads must fit an int first.
  auto small_int = [&](const char* key, int default_value, const char* code, const std::string& rule) {
    const int64_t v = o.get_int(key, INT64_MIN, INT64_MAX, default_value);
    if (v < -1000000 || v > 1000000)
      fail(code, o.file(), o.pointer_of(key), std::string(key) + " must be " + rule + ", got " + std::to_string(v));
    return static_cast<int>(v);
  };
  // "model" is required: a config that names no model would otherwise train a default silently.
  c.spec.model = o.get_string("model");
  c.spec.width = o.get_number("width", kAnyLo, kAnyHi, c.spec.width);
  c.spec.wbits = small_int("wbits", c.spec.wbits, "TRN002", "1..16 or 32");
  c.spec.abits = small_int("abits", c.spec.abits, "TRN002", "1..16 or 32");
  c.spec.first_last_wbits = small_int("first_last_wbits", 0, "TRN002", "1..16 or 32");
  c.epochs = o.get_int("epochs", INT64_MIN, INT64_MAX, c.epochs);
  c.batch = o.get_int("batch", INT64_MIN, INT64_MAX, c.batch);
  const std::string scale = o.get_string("weight_scale", to_string(c.spec.weight_scale));
  if (!parse_weight_scale(scale, &c.spec.weight_scale))
    fail("TRN003", o.file(), o.pointer_of("weight_scale"),
         "weight_scale must be layer or paper, got " + quote_for_message(scale),
         "layer: per-layer alpha from the weights; paper: alpha = 1, the WRPN paper's fixed grid");
  c.optim.kind = o.get_string("optimizer", c.optim.kind);
  c.optim.lr = o.get_number("lr", kAnyLo, kAnyHi, c.optim.lr);
  c.optim.momentum = o.get_number("momentum", kAnyLo, kAnyHi, c.optim.momentum);
  c.optim.nesterov = o.get_bool("nesterov", c.optim.nesterov);
  c.optim.weight_decay = o.get_number("weight_decay", kAnyLo, kAnyHi, c.optim.weight_decay);
  c.optim.schedule = o.get_string("schedule", c.optim.schedule);
  c.optim.step_epochs = o.get_int("step_epochs", INT64_MIN, INT64_MAX, c.optim.step_epochs);
  c.optim.step_gamma = o.get_number("step_gamma", kAnyLo, kAnyHi, c.optim.step_gamma);
  // Seeds are unsigned 64-bit: every value 0..2^64-1 reads back exactly from a run's config.json.
  c.seed = o.get_uint("seed", 0, UINT64_MAX, c.seed);
  c.threads = small_int("threads", c.threads, "TRN003", "in [1, 256]");
  c.data_dir = o.get_string("data_dir", c.data_dir);
  c.train_images = o.get_int("train_images", INT64_MIN, INT64_MAX, 0);
  c.test_images = o.get_int("test_images", INT64_MIN, INT64_MAX, 0);
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

}  // namespace

std::vector<LogRow> read_log(const std::string& path) {
  const CsvFile csv = read_csv(path);
  const bool has_test_images = csv.column("test_images") >= 0;
  std::vector<LogRow> rows;
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    LogRow r;
    r.epoch = static_cast<int64_t>(csv.number(i, "epoch"));
    r.lr = csv.number(i, "lr");
    r.train_loss = csv.number(i, "train_loss");
    r.train_acc_pct = csv.number(i, "train_acc_pct");
    r.test_loss = csv.number(i, "test_loss");
    r.test_acc_pct = csv.number(i, "test_acc_pct");
    r.train_images_per_s = csv.number(i, "train_images_per_s");
    r.elapsed_s = csv.number(i, "elapsed_s");
    if (has_test_images) r.test_images = static_cast<int64_t>(csv.number(i, "test_images"));
    rows.push_back(r);
  }
  return rows;
}

namespace {

std::vector<std::pair<std::string, std::vector<float>*>> all_state(Model& m, Optimizer& o) {
  auto s = m.state();
  for (auto& x : o.state()) s.push_back(x);
  return s;
}

}  // namespace

namespace {

/// Files a `wrpn train` run directory holds. A name with ".tmp-" is a write_file_atomic()
/// temporary an interrupt left behind: it is no run file, so it neither blocks a new run nor
/// counts as one.
bool is_run_leftover(const fs::path& p) { return p.filename().string().find(".tmp-") != std::string::npos; }

bool has_run_files(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fs::exists(dir, ec);
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (!is_run_leftover(e.path())) return true;
  return false;
}

TrainConfig config_of_checkpoint(const Checkpoint& ckpt, const std::string& ckpt_path) {
  const ConfigDocument doc = ConfigDocument::parse(ckpt.config.dump(), ckpt_path + ":config", "train");
  ConfigObject root = doc.root();
  root.get_string("kind");
  root.get_int("version", 1, 1);
  return train_config_from_json(root);
}

}  // namespace

TrainConfig saved_run_config(const std::string& out) {
  const fs::path dir(out);
  const fs::path ckpt_path = dir / "checkpoint.bin";
  std::error_code ec;
  if (fs::exists(ckpt_path, ec)) return config_of_checkpoint(load_checkpoint(ckpt_path.string()), ckpt_path.string());
  if (fs::exists(dir / "config.json", ec)) return load_train_config((dir / "config.json").string());
  fail("TRN004", dir.string(), "", "nothing to resume: the directory holds no checkpoint.bin and no config.json",
       "start the run without --resume");
}

void check_resume_request(const std::string& out, const TrainConfig& requested, const std::vector<std::string>& keys) {
  const TrainConfig saved = saved_run_config(out);
  const nlohmann::json a = to_json(saved), b = to_json(requested);
  for (const auto& key : keys) {
    if (!a.contains(key) || a.at(key) == b.at(key)) continue;
    std::string flag = key == "data_dir" ? "data" : key == "optimizer" ? "optimizer" : key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    fail("TRN004", "", "--" + flag,
         "--" + flag + " " + describe_json(b.at(key)) + " differs from the run's saved " + key + " " +
             describe_json(a.at(key)) + "; --resume continues a run with its own config",
         key == "epochs" ? "to train longer, start a new run with --epochs " + describe_json(b.at(key)) +
                               " (the learning-rate schedule spans all epochs)"
                         : "drop --" + flag + ", or start a new run with it");
  }
}

namespace {

/// The config a run trains with and, when it continues one, its checkpoint: the saved config on
/// --resume (from the checkpoint, or config.json of a run interrupted before its first one, which
/// then starts from epoch 0 as the uninterrupted run did); otherwise `cfg_in`, checked, into an
/// empty directory.
struct RunStart {
  TrainConfig cfg;
  Checkpoint ckpt;
  bool from_checkpoint = false;
};

RunStart open_run(const TrainConfig& cfg_in, const fs::path& dir, bool resume) {
  const fs::path ckpt_path = dir / "checkpoint.bin";
  std::error_code ec;
  RunStart r;
  r.cfg = cfg_in;
  r.from_checkpoint = resume && fs::exists(ckpt_path, ec);
  if (r.from_checkpoint) {
    r.ckpt = load_checkpoint(ckpt_path.string());
    r.cfg = config_of_checkpoint(r.ckpt, ckpt_path.string());
    if (r.ckpt.epochs_done > r.cfg.epochs)
      fail("TRN005", ckpt_path.string(), "",
           "checkpoint says " + std::to_string(r.ckpt.epochs_done) + " epochs done, its config has " +
               std::to_string(r.cfg.epochs));
  } else if (resume) {
    r.cfg = saved_run_config(dir.string());
  } else {
    check_train_config(r.cfg, "");
    if (has_run_files(dir))
      fail("TRN004", dir.string(), "", "output directory exists and is not empty",
           fs::exists(dir / "config.json", ec) ? "continue that run with --resume, or choose a new --out"
                                               : "choose a new --out");
  }
  return r;
}

/// The rows of log.csv for epochs 1..epochs_done (a row past the checkpoint is dropped: it is
/// recomputed). test_images is the current test set's size.
std::vector<EpochLog> logged_epochs(const fs::path& log_path, int64_t epochs_done, int64_t test_images) {
  std::vector<EpochLog> log;
  std::error_code ec;
  if (!fs::exists(log_path, ec)) return log;
  for (const LogRow& r : read_log(log_path.string()))
    if (r.epoch <= epochs_done)
      log.push_back({r.epoch, r.lr, r.train_loss, r.train_acc_pct / 100.0, r.test_loss, r.test_acc_pct / 100.0,
                     r.train_images_per_s, r.elapsed_s, test_images});
  return log;
}

/// Loss, correct predictions and images of one epoch, and its last learning rate.
struct EpochStats {
  double loss_sum = 0.0, lr = 0.0;
  int64_t correct = 0, seen = 0;
};

/// One epoch of SGD steps over `train_set` in a shuffle that depends only on (seed, epoch), so a
/// resumed run sees the same order.
EpochStats train_epoch(Model& model, Optimizer& opt, const TrainConfig& cfg, const Dataset& train_set, int64_t epoch,
                       ProgressBar* bar) {
  const int64_t N = train_set.count, B = cfg.batch, isz = train_set.image_size();
  const int64_t batches = (N + B - 1) / B;
  std::vector<int64_t> order(static_cast<size_t>(N));
  std::vector<float> x(static_cast<size_t>(B * isz));
  std::vector<int32_t> labels(static_cast<size_t>(B));
  std::vector<float> dlogits;
  Rng rng(cfg.seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(epoch) + 1);
  for (int64_t i = 0; i < N; ++i) order[i] = i;
  for (int64_t i = N - 1; i > 0; --i) std::swap(order[i], order[rng.uniform_int(0, i)]);
  EpochStats st;
  for (int64_t bi = 0; bi < batches; ++bi) {
    const int64_t s = bi * B, n = std::min(B, N - s);
    images_to_input(train_set, order.data() + s, n, x.data());
    for (int64_t i = 0; i < n; ++i) labels[i] = train_set.labels[order[s + i]];
    st.lr = scheduled_lr(cfg.optim, cfg.epochs,
                         static_cast<double>(epoch) + static_cast<double>(bi) / static_cast<double>(batches));
    model.forward(x.data(), n, true);
    int64_t ok = 0;
    const double l = model.loss(labels.data(), &dlogits, &ok);
    if (!std::isfinite(l))
      fail("TRN008", "", "--lr",
           "training diverged (loss is " + format_number(l) + ") in epoch " + std::to_string(epoch + 1),
           "lower the learning rate");
    model.backward(dlogits);
    opt.step(st.lr);
    st.loss_sum += l * static_cast<double>(n);
    st.correct += ok;
    st.seen += n;
    if (bar) {
      char extra[128];
      std::snprintf(extra, sizeof extra, "loss %.3f acc %.1f%%", st.loss_sum / static_cast<double>(st.seen),
                    100.0 * static_cast<double>(st.correct) / static_cast<double>(st.seen));
      bar->update(st.seen, extra);
    }
  }
  return st;
}

/// log.csv, then the checkpoint of `epochs_done` epochs. The log first: an interrupt between the
/// two leaves a log row past the checkpoint, which --resume drops and recomputes (the other order
/// would lose the row for good).
void save_run(const fs::path& dir, const TrainConfig& cfg, const std::vector<EpochLog>& log, Model& model,
              Optimizer& opt, int64_t epochs_done) {
  Checkpoint c;
  c.config = to_json(cfg);
  c.epochs_done = epochs_done;
  c.steps = opt.steps();
  for (auto& [name, v] : all_state(model, opt)) c.tensors.emplace_back(name, *v);
  write_file_atomic(dir / "log.csv", log_csv(log));
  save_checkpoint((dir / "checkpoint.bin").string(), c);
}

}  // namespace

TrainOutcome train(const TrainConfig& cfg_in, const std::string& out, bool resume, bool progress,
                   int64_t stop_after_epochs) {
  const fs::path dir(out);
  const RunStart start = open_run(cfg_in, dir, resume);
  const TrainConfig& cfg = start.cfg;
  std::error_code ec;
  // The dataset is checked before the output directory is created, so a bad --data leaves nothing.
  const Dataset full_train = load_dataset(cfg.data_dir, "train");
  const Dataset full_test = load_dataset(cfg.data_dir, "test");
  auto check_limit = [&](int64_t n, const Dataset& d, const char* key, const char* split) {
    if (n > d.count)
      fail("TRN003", resume ? (dir / "config.json").string() : "", resume ? std::string("/") + key : ptr("", key),
           std::string(key) + " " + std::to_string(n) + " is more than the " + std::to_string(d.count) +
               " images of the " + split + " set",
           "use 0 for all of them");
  };
  check_limit(cfg.train_images, full_train, "train_images", "training");
  check_limit(cfg.test_images, full_test, "test_images", "test");
  const Dataset train_set = full_train.head(cfg.train_images);
  const Dataset test_set = full_test.head(cfg.test_images);
  check_writable_directory(dir);
  set_threads(cfg.threads);

  Model model(spec_network(cfg.spec), cfg.spec.weight_scale);
  model.init(cfg.seed);
  Optimizer opt(cfg.optim, model.params());
  int64_t start_epoch = 0;
  std::vector<EpochLog> log;
  if (start.from_checkpoint) {
    restore_tensors(start.ckpt, all_state(model, opt), (dir / "checkpoint.bin").string());
    opt.set_steps(start.ckpt.steps);
    start_epoch = start.ckpt.epochs_done;
    log = logged_epochs(dir / "log.csv", start_epoch, test_set.count);
  } else {
    if (!resume) write_file_atomic(dir / "config.json", to_json(cfg).dump(2) + "\n");
    if (!resume || !fs::exists(dir / "manifest.json", ec))
      write_file_atomic(dir / "manifest.json", make_manifest("train", cfg.seed, to_json(cfg)).dump(2) + "\n");
  }

  const auto t0 = std::chrono::steady_clock::now();
  int64_t epoch = start_epoch;
  for (; epoch < cfg.epochs; ++epoch) {
    if (stop_after_epochs > 0 && epoch - start_epoch >= stop_after_epochs) break;
    ProgressBar bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs), train_set.count, "img");
    const auto te = std::chrono::steady_clock::now();
    const EpochStats st = train_epoch(model, opt, cfg, train_set, epoch, progress ? &bar : nullptr);
    const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - te).count();
    const EvalResult ev = evaluate(model, test_set);
    const auto seen = static_cast<double>(st.seen);
    log.push_back({epoch + 1, st.lr, st.loss_sum / seen, static_cast<double>(st.correct) / seen, ev.loss, ev.accuracy,
                   seen / train_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                   test_set.count});
    if (progress) {
      const EpochLog& e = log.back();
      char extra[160];
      std::snprintf(extra, sizeof extra, "loss %.3f train %.2f%% test %.2f%% (%ld images) %.0f img/s", e.train_loss,
                    100 * e.train_acc, 100 * e.test_acc, static_cast<long>(e.test_images), e.images_per_s);
      bar.finish(extra);
    }
    save_run(dir, cfg, log, model, opt, epoch + 1);
  }
  TrainOutcome r;
  r.log = log;
  r.epochs_done = epoch;
  return r;
}

}  // namespace wrpn::trainer
