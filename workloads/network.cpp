#include "workloads/network.h"

#include <cmath>
#include <map>

#include "common/diagnostics.h"
#include "common/numerics.h"

namespace wrpn {

const char* to_string(LayerOp op) {
  switch (op) {
    case LayerOp::conv: return "conv";
    case LayerOp::fc: return "fc";
    case LayerOp::maxpool: return "maxpool";
    case LayerOp::avgpool: return "avgpool";
    case LayerOp::add: return "add";
  }
  return "?";
}

bool parse_layer_op(const std::string& text, LayerOp* out) {
  if (text == "conv") *out = LayerOp::conv;
  else if (text == "fc") *out = LayerOp::fc;
  else if (text == "maxpool") *out = LayerOp::maxpool;
  else if (text == "avgpool") *out = LayerOp::avgpool;
  else if (text == "add") *out = LayerOp::add;
  else return false;
  return true;
}

int64_t Layer::macs() const { return has_weights() ? n * k * out_h() * out_w() * fan_in() : 0; }
int64_t Layer::weight_count() const { return has_weights() ? k * fan_in() : 0; }

int64_t Network::total_macs() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.macs();
  return t;
}

int64_t Network::total_weights() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.weight_count();
  return t;
}

int Network::index_of(const std::string& lname) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == lname) return static_cast<int>(i);
  return -1;
}

namespace {

/// Output (channels, height, width) of each producer, by name; "input" is the network input.
struct ShapeC {
  int64_t c, h, w;
};

/// Producers of layer i: its `inputs`, or the previous layer / network input.
std::vector<std::string> producers(const Network& net, size_t i) {
  if (!net.layers[i].inputs.empty()) return net.layers[i].inputs;
  return {i == 0 ? std::string("input") : net.layers[i - 1].name};
}

}  // namespace

void Network::check_consistency(const std::string& source) const {
  std::map<std::string, ShapeC> out{{"input", {input_c, input_h, input_w}}};
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const std::string where = "layer " + std::to_string(i) + " (" + l.name + ")";
    for (int64_t v : {l.n, l.c, l.h, l.w, l.k, l.r, l.s, l.stride, l.groups})
      if (v <= 0) fail("NET002", source, where, "every size, stride and group count must be positive");
    if (l.pad < 0) fail("NET002", source, where, "padding must not be negative");
    if (l.c % l.groups || l.k % l.groups) fail("NET002", source, where, "groups must divide input and output channels");
    if (l.h + 2 * l.pad < l.r || l.w + 2 * l.pad < l.s) fail("NET002", source, where, "kernel larger than padded input");
    if ((l.op == LayerOp::maxpool || l.op == LayerOp::avgpool || l.op == LayerOp::add) && l.k != l.c)
      fail("NET002", source, where, "pool and add layers keep the channel count (k must equal c)");
    if (!is_valid_bits(l.wbits) || !is_valid_bits(l.abits_in) || !is_valid_bits(l.abits_out))
      fail("NET002", source, where, "bit widths must be 1..16 or 32");
    const auto prods = producers(*this, i);
    if (l.op == LayerOp::add && prods.size() != 2) fail("NET002", source, where, "an add layer needs exactly two inputs");
    for (const auto& p : prods) {
      auto it = out.find(p);
      if (it == out.end()) fail("NET002", source, where, "input \"" + p + "\" is not an earlier layer");
      const ShapeC& s = it->second;
      const bool flat_ok = l.op == LayerOp::fc && l.h == 1 && l.w == 1 && l.c == s.c * s.h * s.w;
      if (!flat_ok && (s.c != l.c || s.h != l.h || s.w != l.w))
        fail("NET002", source, where,
             "input shape " + std::to_string(l.c) + "x" + std::to_string(l.h) + "x" + std::to_string(l.w) +
                 " differs from \"" + p + "\" output " + std::to_string(s.c) + "x" + std::to_string(s.h) + "x" +
                 std::to_string(s.w));
    }
    out[l.name] = {l.k, l.out_h(), l.out_w()};
  }
}

Network apply_width(const Network& base, double width) {
  if (!(width >= 1.0) || width > 64.0)
    fail("NET003", "", "--width", "width multiplier must be in [1, 64], got " + std::to_string(width));
  Network net = base;
  net.width = base.width * width;
  int last_weighted = -1;
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (net.layers[i].has_weights()) last_weighted = static_cast<int>(i);
  std::map<std::string, ShapeC> out{{"input", {net.input_c, net.input_h, net.input_w}}};
  for (size_t i = 0; i < net.layers.size(); ++i) {
    Layer& l = net.layers[i];
    const Layer& b = base.layers[i];
    const ShapeC in = out.at(producers(net, i).front());
    // Input side follows the (already widened) producer; fc flattens it.
    if (l.op == LayerOp::fc && b.h == 1 && b.w == 1) l.c = in.c * in.h * in.w;
    else l.c = in.c;
    if (l.has_weights()) {
      if (static_cast<int>(i) != last_weighted)
        l.k = std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(b.k) * width)));
      // Grouped convolutions keep their group count when it divided the base channels.
      if (b.groups > 1 && b.groups == b.c && b.groups == b.k) l.groups = l.k = l.c;  // depthwise
    } else {
      l.k = l.c;
    }
    out[l.name] = {l.k, l.out_h(), l.out_w()};
  }
  return net;
}

PrecisionPolicy PrecisionPolicy::uniform(int wbits, int abits) {
  PrecisionPolicy p;
  p.wbits = wbits;
  p.abits = abits;
  if (wbits == kFp32Bits && abits == kFp32Bits) return p;  // FP32 baseline: everything FP32
  p.first_wbits = p.last_wbits = 8;
  p.first_abits = 8;  // 8-bit pixel codes
  p.last_abits = abits;
  return p;
}

Network apply_precision(const Network& net_in, const PrecisionPolicy& p) {
  Network net = net_in;
  std::vector<int> weighted;
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (net.layers[i].has_weights()) weighted.push_back(static_cast<int>(i));
  if (weighted.empty()) return net;
  const int first = weighted.front(), last = weighted.back();
  std::map<std::string, int> out_bits{{"input", p.first_abits}};
  for (size_t idx = 0; idx < net.layers.size(); ++idx) {
    const int i = static_cast<int>(idx);
    Layer& l = net.layers[idx];
    l.abits_in = out_bits.at(producers(net, idx).front());
    if (l.has_weights()) l.wbits = i == first ? p.first_wbits : (i == last ? p.last_wbits : p.wbits);
    else l.wbits = kFp32Bits;  // no weights; kept at the neutral value
    if (i >= last) {
      l.abits_out = l.has_weights() ? kFp32Bits : l.abits_in;
    } else if (!l.has_weights()) {
      l.abits_out = l.abits_in;
    } else {
      // The next weighted layer reads this output; the last layer's input may differ.
      int next = last;
      for (int w : weighted)
        if (w > i) { next = w; break; }
      l.abits_out = next == last ? p.last_abits : p.abits;
    }
    out_bits[l.name] = l.abits_out;
  }
  return net;
}

Network with_batch(const Network& net_in, int64_t batch) {
  if (batch < 1) fail("NET003", "", "--batch", "batch size must be at least 1");
  Network net = net_in;
  for (auto& l : net.layers) l.n = batch;
  return net;
}

Network load_network(const std::string& name_or_path) {
  const bool looks_like_file = name_or_path.find('/') != std::string::npos ||
                               (name_or_path.size() > 4 && name_or_path.substr(name_or_path.size() - 4) == ".csv");
  return looks_like_file ? import_topology_csv(name_or_path) : builtin_network(name_or_path);
}

}  // namespace wrpn
