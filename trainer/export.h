// Trace export (`wrpn trace`) and integer-only inference on a trace (`wrpn infer`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/dataset.h"
#include "trainer/model.h"
#include "trainer/train.h"
#include "workloads/trace.h"

namespace wrpn::trainer {

/// Upper bound of --threads (as for `wrpn train`).
inline constexpr int kMaxThreads = 256;

/// The model of a checkpoint: config, network and restored weights (TRN005/TRN006 on defects).
struct LoadedModel {
  TrainConfig config;
  Network network;
  std::unique_ptr<Model> model;
  int64_t epochs_done = 0;
};
LoadedModel load_model(const std::string& checkpoint_path);

/// Folds a trained model into a trace of the first `images` images of `d`: integer weight codes
/// with alpha, batch norm + scales folded into per-channel RequantParams, and every layer's input,
/// accumulators and output codes computed by the integer reference (workloads/reference.h).
/// TRN007 if the model is not quantized (FP32 layers have no integer semantics); TRN009 if a
/// parameter is NaN or infinite.
Trace export_trace(const Model& model, const Dataset& d, int64_t images);

/// Fractional bits of the integer logits of the last layer (logit code = round(logit * 2^16)).
inline constexpr int kLogitFracBits = 16;

/// The per-channel fixed-point parameters of code = (scale*acc + offset) * levels, levels = 2^k - 1
/// for k-bit outputs and 2^kLogitFracBits for logits (out_bits 32), with the shift chosen so |M| is
/// near 2^30 (exposed for tests).
RequantParams fold_channel(double scale, double offset, int out_bits);

/// Integer predictions for every image of `d` with the trace's weights and requant parameters,
/// computed in parallel chunks (deterministic).
std::vector<int32_t> infer_dataset(const Trace& trace, const Dataset& d, int threads);

/// Re-runs the trace on its own input and counts output codes (and accumulators, when present)
/// that differ from the stored expected tensors.
struct SelfCheck {
  int64_t layers = 0, outputs_checked = 0, output_mismatches = 0, acc_checked = 0, acc_mismatches = 0;
  std::string first_mismatch;
};
SelfCheck self_check_trace(const Trace& trace);

/// `wrpn trace` as one call: loads `checkpoint`, exports the first `images` images of `split`
/// ("test" or "train") of the dataset in `data_dir` to trace directory `out_dir` (staged, never
/// half-written; an existing directory is an error unless `replace`), and compares the integer
/// predictions of those images with the trainer's quantized forward pass.
struct ExportSummary {
  std::string network;
  double width = 1;
  int64_t layers = 0, images = 0;
  int64_t prediction_differences = 0;  ///< integer vs trainer forward, on the traced images
};
ExportSummary export_trace_dir(const std::string& checkpoint, const std::string& data_dir, const std::string& split,
                               int64_t images, const std::string& out_dir, bool replace = false);

/// `wrpn infer` as one call: reads and verifies the trace in `trace_dir` (version, shapes, SHA-256),
/// re-runs it on its own input against its stored outputs, then (if `classify`) classifies the
/// first `test_images` test images (0 = all) with integer arithmetic only, and (if `checkpoint` is
/// not empty) compares each prediction with the checkpoint's quantized forward pass. A checkpoint
/// whose SHA-256 differs from the one the trace records is TRN006 (version-2 traces); threads must
/// be in [1, kMaxThreads] (TRN003).
struct InferReport {
  std::string network;
  int64_t trace_images = 0;
  SelfCheck self;
  int64_t images = 0, correct = 0;   ///< integer inference on the test set
  bool compared = false;             ///< a checkpoint was given
  bool checkpoint_verified = false;  ///< its SHA-256 equals the one the trace records (version 2)
  int64_t trainer_correct = 0;
  int64_t differ = 0;               ///< images whose integer and trainer classes differ
  std::vector<int64_t> differing;   ///< their indices (at most 20)
  double max_differing_margin = 0;  ///< largest trainer top-2 logit margin among them
};
InferReport infer_trace(const std::string& trace_dir, const std::string& data_dir, int64_t test_images,
                        const std::string& checkpoint, int threads, bool classify = true);

/// TRN006 unless the trace describes the same network shape as `net` (names, ops, sizes, bits).
void check_trace_matches(const Trace& trace, const Network& net, const std::string& trace_dir,
                         const std::string& checkpoint_path);

}  // namespace wrpn::trainer
