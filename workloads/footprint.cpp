#include "workloads/footprint.h"

#include <algorithm>
#include <map>

#include "common/diagnostics.h"

namespace wrpn {

namespace {

/// Bits of the network input tensor: the layers that read "input" read it at their abits_in.
int64_t input_tensor_bits(const Network& net) {
  if (net.layers.empty()) return 0;
  const int64_t n = net.layers.front().n;
  return n * net.input_c * net.input_h * net.input_w * net.layers.front().abits_in;
}

int64_t output_tensor_bits(const Layer& l) { return l.op == LayerOp::concat ? 0 : l.output_bits_total(); }

std::string shape4(int64_t n, int64_t c, int64_t h, int64_t w) {
  return std::to_string(n) + "x" + std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

}  // namespace

int64_t weight_memory_bits(const Network& net) {
  int64_t t = 0;
  for (const auto& l : net.layers) t += l.weight_bits_total();
  return t;
}

int64_t training_activation_bits(const Network& net) {
  if (net.layers.empty()) return 0;
  if (!net.chained) {
    // Independent layers: each layer's stored input (SCALE-Sim's IFMAP), plus the final output.
    int64_t t = net.layers.back().output_bits_total();
    for (const auto& l : net.layers) t += l.input_bits_total();
    return t;
  }
  int64_t t = input_tensor_bits(net);
  for (const auto& l : net.layers) t += output_tensor_bits(l);
  return t;
}

int64_t peak_activation_bits(const Network& net) {
  const size_t n = net.layers.size();
  if (n == 0) return 0;
  if (!net.chained) {
    int64_t peak = 0;
    for (const auto& l : net.layers) peak = std::max(peak, l.input_bits_total() + l.output_bits_total());
    return peak;
  }
  // Last step at which each tensor is read; "input" and every layer output are tensors.
  std::map<std::string, int64_t> last_read{{"input", 0}};
  for (size_t i = 0; i < n; ++i) last_read[net.layers[i].name] = static_cast<int64_t>(i);
  last_read[net.layers.back().name] = static_cast<int64_t>(n - 1);
  for (size_t i = 0; i < n; ++i)
    for (const auto& p : layer_producers(net, i)) last_read[p] = std::max(last_read[p], static_cast<int64_t>(i));
  // A concat is a view of its inputs: they stay live while the concat is read.
  for (size_t i = n; i-- > 0;) {
    const Layer& l = net.layers[i];
    if (l.op != LayerOp::concat) continue;
    for (const auto& p : layer_producers(net, i)) last_read[p] = std::max(last_read[p], last_read[l.name]);
  }
  // Difference array over steps: +bits at production, -bits after the last read.
  std::vector<int64_t> delta(n + 1, 0);
  delta[0] += input_tensor_bits(net);
  delta[static_cast<size_t>(last_read["input"]) + 1] -= input_tensor_bits(net);
  for (size_t i = 0; i < n; ++i) {
    const int64_t bits = output_tensor_bits(net.layers[i]);
    delta[i] += bits;
    delta[static_cast<size_t>(last_read[net.layers[i].name]) + 1] -= bits;
  }
  int64_t live = 0, peak = 0;
  for (size_t i = 0; i < n; ++i) {
    live += delta[i];
    peak = std::max(peak, live);
  }
  return peak;
}

Footprint compute_footprint(const Network& net, const std::vector<int64_t>& batches) {
  Footprint f;
  const Network one = with_batch(net, 1);
  const int64_t w = weight_memory_bits(one);
  const int64_t train1 = training_activation_bits(one), peak1 = peak_activation_bits(one);
  for (int64_t b : batches) {
    const Network nb = with_batch(net, b);  // NET003 for b < 1
    f.rows.push_back({b, weight_memory_bits(nb), training_activation_bits(nb), peak_activation_bits(nb)});
  }
  // Activations are linear in the batch: the first batch with b * A1 > W is floor(W / A1) + 1.
  f.training_crossover_batch = train1 > 0 ? w / train1 + 1 : 0;
  f.inference_crossover_batch = peak1 > 0 ? w / peak1 + 1 : 0;
  return f;
}

std::vector<LayerSummary> summarize_layers(const Network& net) {
  std::vector<LayerSummary> rows;
  for (const auto& l : net.layers) {
    LayerSummary s;
    s.name = l.name;
    s.op = to_string(l.op);
    s.input_shape = shape4(l.n, l.c, l.h, l.w);
    s.output_shape = shape4(l.n, l.k, l.out_h(), l.out_w());
    s.macs = l.macs();
    s.weights = l.weight_count();
    s.wbits = l.has_weights() ? l.wbits : 0;
    s.abits_in = l.abits_in;
    s.abits_out = l.abits_out;
    s.weight_bits = l.weight_bits_total();
    s.input_bits = l.input_bits_total();
    s.output_bits = l.output_bits_total();
    rows.push_back(s);
  }
  return rows;
}

}  // namespace wrpn
