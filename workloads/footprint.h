// Memory footprint of a network's weights and activations (the WRPN paper's first observation:
// as the mini-batch grows, activation memory overtakes weight memory) and the per-layer summary
// behind `wrpn workload`. Definitions are in docs/workloads.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace wrpn {

/// Bits of all weights: sum over weighted layers of weight_count * wbits. Independent of batch.
int64_t weight_memory_bits(const Network& net);

/// Training footprint: every tensor the backward pass needs, kept at once. That is the network
/// input plus the output of every layer, each at its own precision (abits_in of the first layer for
/// the input, abits_out for outputs), for the network's batch size (Layer::n). A concat's output is
/// not counted again: its branches write into the concatenated buffer. BN and ReLU are folded into
/// the layers (docs/architecture.md section 3), so their intermediate tensors are not counted either.
int64_t training_activation_bits(const Network& net);

/// Inference footprint: the peak live set. Layers run in list order; a tensor is live from the layer
/// that produces it (the network input: from the start) to its last reader (a concat's inputs live
/// as long as the concat's readers; the last layer's output until the end). The result is the
/// largest sum of live tensors over the steps. For an unchained network (independent layers) each
/// step holds its own input and output.
int64_t peak_activation_bits(const Network& net);

struct FootprintRow {
  int64_t batch = 1;
  int64_t weight_bits = 0;
  int64_t training_activation_bits = 0;
  int64_t peak_activation_bits = 0;
};

struct Footprint {
  std::vector<FootprintRow> rows;  ///< one per requested batch size, in the order given
  /// Smallest batch at which activation bits exceed weight bits (activations grow linearly with
  /// the batch, weights do not): floor(W / A1) + 1 with A1 the activation bits of one image.
  int64_t training_crossover_batch = 0;
  int64_t inference_crossover_batch = 0;
};

/// Footprints of `net` (shapes, bits and width already applied) at each batch size (each >= 1,
/// NET003 otherwise).
Footprint compute_footprint(const Network& net, const std::vector<int64_t>& batches);

/// One row of `wrpn workload`.
struct LayerSummary {
  std::string name, op;
  std::string input_shape, output_shape;  ///< "NxCxHxW"
  int64_t macs = 0, weights = 0;
  int wbits = 32, abits_in = 32, abits_out = 32;
  int64_t weight_bits = 0, input_bits = 0, output_bits = 0;
};
std::vector<LayerSummary> summarize_layers(const Network& net);

/// A bit count in MiB (2^20 bytes of 8 bits).
inline double bits_to_mib(int64_t bits) { return static_cast<double>(bits) / 8.0 / 1048576.0; }

}  // namespace wrpn
