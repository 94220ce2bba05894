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
/// accumulators and output codes computed by the integer reference (trainer/integer_reference.h).
/// TRN007 if the model is not quantized (FP32 layers have no integer semantics).
Trace export_trace(Model& model, const TrainConfig& cfg, const Dataset& d, int64_t images);

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

/// TRN006 unless the trace describes the same network shape as `net` (names, ops, sizes, bits).
void check_trace_matches(const Trace& trace, const Network& net, const std::string& trace_dir,
                         const std::string& checkpoint_path);

}  // namespace wrpn::trainer
