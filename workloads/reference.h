// Integer reference executor of a layer trace (docs/architecture.md section 3, docs/trace-format.md): exact
// accumulators (sum of qa*qw in int64) and output codes through common/numerics.h's requantize, add_codes,
// avgpool_code. `wrpn infer` runs it; the simulator's tests use it as their functional reference.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/trace.h"

namespace wrpn {

struct LayerRun {
  std::vector<int64_t> acc;     ///< N x K x OH x OW accumulators (conv/fc; empty otherwise or if not kept)
  std::vector<int64_t> output;  ///< N x K x OH x OW output codes (logits when abits_out == 32)
};

/// Runs one layer on `n` images of input codes (N x C x H x W; fc reads N x C). `input_b` is the
/// second operand of an add layer (else null). Uses the layer's shape, weights and requant, not
/// its stored input/expected tensors.
/// conv/fc: acc = sum qa*qw exactly; output = requantize(acc, requant[k], abits_out), or
/// requantize_logit when abits_out == 32. maxpool: max of codes (padding ignored). avgpool:
/// avgpool_code(sum, r*s) (padding counts as 0). add: add_codes(a, b, abits_out).
LayerRun run_layer_integer(const TraceLayer& layer, const int32_t* input, const int32_t* input_b, int64_t n,
                           bool keep_acc = false);

struct NetworkRun {
  std::vector<int32_t> predictions;  ///< argmax of the last layer's output (first maximum wins)
  std::vector<LayerRun> layers;      ///< per layer, when keep_layers
};

/// Chains the trace's layers from `input` (codes of the first layer's input, n images), following
/// each layer's Layer::inputs names ("input" = the network input; empty = the previous layer).
NetworkRun run_network_integer(const Trace& trace, const std::vector<int32_t>& input, int64_t n,
                               bool keep_layers = false);
/// The same, from the trace's own first-layer input (trace.images images).
NetworkRun run_network_integer(const Trace& trace, bool keep_layers = false);

}  // namespace wrpn
