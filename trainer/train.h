// `wrpn train`: the training loop, its config (kind "train"), per-epoch CSV log, checkpoints and
// exact resume.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config.h"
#include "trainer/dataset.h"
#include "trainer/model.h"
#include "trainer/optim.h"

namespace wrpn::trainer {

struct TrainConfig {
  ModelSpec spec;
  int64_t epochs = 15;
  int64_t batch = 64;
  OptimConfig optim;
  uint64_t seed = 1;
  int threads = 2;
  std::string data_dir = kDefaultDataDir;
  int64_t train_images = 0;  ///< 0 = the whole training set
  int64_t test_images = 0;   ///< 0 = the whole test set
};

/// Checks every hyperparameter (TRN001 model, TRN002 bits/width, TRN003 others). `file` is the
/// config path ("" for the command line); pointers are JSON pointers or flag names accordingly.
void check_train_config(const TrainConfig& c, const std::string& file);
/// Reads a "train" config (kind "train", version 1); strict, then check_train_config().
TrainConfig load_train_config(const std::string& path);
TrainConfig train_config_from_json(const ConfigObject& root);
nlohmann::json to_json(const TrainConfig& c);

/// Converts images [first, first+n) of `d` (or the listed indices) into model inputs (code / 255).
void images_to_input(const Dataset& d, const int64_t* indices, int64_t n, float* out);

struct EvalResult {
  double loss = 0, accuracy = 0;  ///< accuracy in [0, 1]
  std::vector<int32_t> predictions;
};
/// Inference-mode forward (BN running statistics, quantized weights and activations).
EvalResult evaluate(Model& model, const Dataset& d, int64_t batch = 500);

struct EpochLog {
  int64_t epoch;
  double lr, train_loss, train_acc, test_loss, test_acc, images_per_s, elapsed_s;
  int64_t test_images;  ///< how many test images test_loss and test_acc were measured on
};

/// One row of a run's log.csv as written (accuracies in percent, as printed).
struct LogRow {
  int64_t epoch = 0;
  double lr = 0, train_loss = 0, train_acc_pct = 0, test_loss = 0, test_acc_pct = 0, train_images_per_s = 0,
         elapsed_s = 0;
  int64_t test_images = 0;  ///< 0 in logs written before the column existed
};
/// Reads the log.csv that train() writes, strictly (common/csv.h read_csv: IO002 when missing, CFG002
/// naming line and column for a field that is not a number, CFG004 for a missing column; test_images
/// is optional). The one reader of the format, beside its writer.
std::vector<LogRow> read_log(const std::string& path);

/// Size of the Fashion-MNIST (and MNIST) test set: accuracies on fewer images are not comparable.
inline constexpr int64_t kFullTestImages = 10000;

struct TrainOutcome {
  std::vector<EpochLog> log;
  int64_t epochs_done = 0;
};

/// Trains into run directory `out` (config.json, log.csv, checkpoint.bin, manifest.json).
/// resume: continue the run saved in `out` (its checkpoint's config wins; without a checkpoint, an
/// interrupted first epoch, its config.json, from epoch 0) to the same result as an uninterrupted
/// run. TRN003 if train_images/test_images exceed the dataset. `stop_after_epochs` > 0 stops early (tests simulate a
/// killed run with it).
TrainOutcome train(const TrainConfig& cfg, const std::string& out, bool resume, bool progress,
                   int64_t stop_after_epochs = 0);

/// The config of the run in directory `out`: its checkpoint's, or its config.json when it was
/// interrupted before the first checkpoint (TRN004 when it has neither).
TrainConfig saved_run_config(const std::string& out);
/// TRN004 if a value the user gave with --resume (its config key in `keys`: "epochs", "seed"...)
/// differs from the run's saved config: a resumed run never silently ignores a flag.
void check_resume_request(const std::string& out, const TrainConfig& requested, const std::vector<std::string>& keys);

/// Registers validate() for kind "train": returns a one-line summary.
std::string validate_train_config(const std::string& path);

}  // namespace wrpn::trainer
