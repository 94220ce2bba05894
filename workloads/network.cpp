#include "workloads/network.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "common/diagnostics.h"
#include "common/numerics.h"
#include "workloads/onnx_import.h"

namespace wrpn {

const char* to_string(LayerOp op) {
  switch (op) {
    case LayerOp::conv:
      return "conv";
    case LayerOp::fc:
      return "fc";
    case LayerOp::maxpool:
      return "maxpool";
    case LayerOp::avgpool:
      return "avgpool";
    case LayerOp::add:
      return "add";
    case LayerOp::concat:
      return "concat";
  }
  return "?";
}

bool parse_layer_op(const std::string& text, LayerOp* out) {
  if (text == "conv")
    *out = LayerOp::conv;
  else if (text == "fc")
    *out = LayerOp::fc;
  else if (text == "maxpool")
    *out = LayerOp::maxpool;
  else if (text == "avgpool")
    *out = LayerOp::avgpool;
  else if (text == "add")
    *out = LayerOp::add;
  else if (text == "concat")
    *out = LayerOp::concat;
  else
    return false;
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

std::vector<std::string> layer_producers(const Layer& layer, const Layer* previous) {
  if (!layer.inputs.empty()) return layer.inputs;
  return {previous ? previous->name : std::string("input")};
}

std::vector<std::string> layer_producers(const Network& net, size_t i) {
  const Layer* previous = i == 0 ? nullptr : &net.layers[i - 1];
  if (!net.chained) return layer_producers(Layer{}, previous);  // as a layer without `inputs`
  return layer_producers(net.layers[i], previous);
}

namespace {

/// Output (channels, height, width) of a producer; "input" is the network input.
struct ShapeC {
  int64_t c, h, w;
};

std::string shape_text(int64_t c, int64_t h, int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

bool weightless_keeps_channels(LayerOp op) {
  return op == LayerOp::maxpool || op == LayerOp::avgpool || op == LayerOp::add || op == LayerOp::concat;
}

}  // namespace

void Network::check_consistency(const std::string& source) const { check_consistency(source, {}); }

void Network::check_consistency(const std::string& source, const std::vector<std::string>& locations) const {
  std::map<std::string, ShapeC> out{{"input", {input_c, input_h, input_w}}};
  std::map<std::string, int> out_bits;
  for (int64_t v : {input_c, input_h, input_w, num_classes})
    if (v <= 0) fail("NET002", source, "input", "network input sizes and class count must be positive");
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const std::string where = i < locations.size() ? locations[i] : "layer " + std::to_string(i) + " (" + l.name + ")";
    if (l.name.empty() || l.name == "input") fail("NET002", source, where, "a layer needs a name other than \"input\"");
    for (size_t j = 0; j < i; ++j)
      if (layers[j].name == l.name) fail("NET002", source, where, "layer name \"" + l.name + "\" is used twice");
    for (int64_t v : {l.n, l.c, l.h, l.w, l.k, l.r, l.s, l.stride, l.groups})
      if (v <= 0) fail("NET002", source, where, "every size, stride and group count must be positive");
    if (l.pad < 0) fail("NET002", source, where, "padding must not be negative");
    if (l.c % l.groups || l.k % l.groups) fail("NET002", source, where, "groups must divide input and output channels");
    if (l.h + 2 * l.pad < l.r || l.w + 2 * l.pad < l.s)
      fail("NET002", source, where, "kernel larger than padded input");
    if (weightless_keeps_channels(l.op) && l.k != l.c)
      fail("NET002", source, where, "pool, add and concat layers keep the channel count (k must equal c)");
    if ((l.op == LayerOp::add || l.op == LayerOp::concat) &&
        (l.r != 1 || l.s != 1 || l.stride != 1 || l.pad != 0 || l.groups != 1))
      fail("NET002", source, where, std::string(to_string(l.op)) + " layers have r = s = stride = groups = 1, pad = 0");
    if (l.op == LayerOp::fc && (l.h != 1 || l.w != 1 || l.r != 1 || l.s != 1 || l.stride != 1 || l.pad != 0))
      fail("NET002", source, where, "fc layers have h = w = r = s = stride = 1 and pad = 0 (c = flattened features)");
    if (!is_valid_bits(l.wbits) || !is_valid_bits(l.abits_in) || !is_valid_bits(l.abits_out))
      fail("NET002", source, where, "bit widths must be 1..16 or 32");
    if (!chained) continue;  // independent layers: nothing to chain
    const auto prods = layer_producers(*this, i);
    if (l.op == LayerOp::add && prods.size() != 2)
      fail("NET002", source, where, "an add layer needs exactly two inputs");
    if (l.op == LayerOp::concat && prods.size() < 2)
      fail("NET002", source, where, "a concat layer needs two or more inputs");
    if (l.op != LayerOp::add && l.op != LayerOp::concat && prods.size() != 1)
      fail("NET002", source, where,
           std::string(to_string(l.op)) + " layers read exactly one input; join branches with add or concat");
    int64_t concat_c = 0;
    for (const auto& p : prods) {
      auto it = out.find(p);
      if (it == out.end()) fail("NET002", source, where, "input \"" + p + "\" is not an earlier layer");
      const ShapeC& s = it->second;
      if (l.op == LayerOp::concat) {
        if (s.h != l.h || s.w != l.w)
          fail("NET002", source, where,
               "concat input \"" + p + "\" is " + shape_text(s.c, s.h, s.w) + ", spatial size differs from " +
                   std::to_string(l.h) + "x" + std::to_string(l.w));
        concat_c += s.c;
      } else {
        const bool flat_ok = l.op == LayerOp::fc && l.c == s.c * s.h * s.w;
        if (!flat_ok && (s.c != l.c || s.h != l.h || s.w != l.w))
          fail("NET002", source, where,
               "input shape " + shape_text(l.c, l.h, l.w) + " differs from \"" + p + "\" output " +
                   shape_text(s.c, s.h, s.w));
      }
      auto b = out_bits.find(p);
      if (b != out_bits.end() && b->second != l.abits_in)
        fail("NET002", source, where,
             "abits_in " + std::to_string(l.abits_in) + " differs from \"" + p + "\" abits_out " +
                 std::to_string(b->second));
    }
    if (l.op == LayerOp::concat && concat_c != l.c)
      fail("NET002", source, where,
           "concat inputs add up to " + std::to_string(concat_c) + " channels, layer has c = " + std::to_string(l.c));
    out[l.name] = {l.k, l.out_h(), l.out_w()};
    out_bits[l.name] = l.abits_out;
  }
}

namespace {

std::string format_width(double width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", width);
  return buf;
}

int64_t widen(int64_t base, double width) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(base) * width)));
}

}  // namespace

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
    if (net.chained) {
      // Input side follows the (already widened) producers: a concat sums them, fc flattens.
      const auto prods = layer_producers(net, i);
      const ShapeC in = out.at(prods.front());
      if (l.op == LayerOp::concat) {
        l.c = 0;
        for (const auto& p : prods) l.c += out.at(p).c;
      } else if (l.op == LayerOp::fc && b.h == 1 && b.w == 1) {
        l.c = in.c * in.h * in.w;
      } else {
        l.c = in.c;
      }
    } else if (i > 0) {
      l.c = widen(b.c, width);  // independent layers: every input but the network's first widens
    }
    if (l.has_weights()) {
      if (b.groups > 1 && b.groups == b.c) {
        // Depthwise (one input channel per group): the group count follows the channels and each
        // group keeps its filter count.
        l.groups = l.c;
        l.k = l.c * (b.k / b.c);
      } else if (static_cast<int>(i) != last_weighted) {
        l.k = widen(b.k, width);
      }
    } else {
      l.k = l.c;
    }
    out[l.name] = {l.k, l.out_h(), l.out_w()};
  }
  net.check_consistency("width " + format_width(width) + " of " + base.name);
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

namespace {

/// Union-find over tensor names: an add or concat (and a pool) stores its inputs and output at one
/// precision, so they form one class.
struct Classes {
  std::map<std::string, std::string> parent;
  std::string find(const std::string& x) {
    auto it = parent.find(x);
    if (it == parent.end()) return parent[x] = x;
    if (it->second == x) return x;
    return parent[x] = find(it->second);
  }
  void unite(const std::string& a, const std::string& b) { parent[find(a)] = find(b); }
};

}  // namespace

void check_precision_bits(const std::string& field, int bits) {
  if (!is_valid_bits(bits))
    fail("NET007", "", field, "bit width must be 1..16 or 32 (FP32), got " + std::to_string(bits));
}

Network apply_precision(const Network& net_in, const PrecisionPolicy& p) {
  const std::pair<const char*, int> fields[] = {{"--wbits", p.wbits},
                                                {"--abits", p.abits},
                                                {"--first-wbits", p.first_wbits},
                                                {"--first-abits", p.first_abits},
                                                {"--last-wbits", p.last_wbits},
                                                {"--last-abits", p.last_abits}};
  for (const auto& [field, bits] : fields) check_precision_bits(field, bits);
  Network net = net_in;
  std::vector<int> weighted;
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (net.layers[i].has_weights()) weighted.push_back(static_cast<int>(i));
  if (weighted.empty()) return net;
  const int first = weighted.front(), last = weighted.back();

  // Tensors are named by their producer ("input" = network input). Weightless layers pass codes
  // through, so their output joins their inputs' class.
  Classes cls;
  cls.find("input");
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    cls.find(l.name);
    if (!l.has_weights())
      for (const auto& prod : layer_producers(net, i)) cls.unite(l.name, prod);
  }
  // Each class is stored at the widest precision a weighted layer reads from it; the class holding
  // the last weighted layer's output is the logits (FP32), others default to the body precision.
  std::map<std::string, int> bits;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (!l.has_weights()) continue;
    const int idx = static_cast<int>(i);
    const int want = idx == first ? p.first_abits : (idx == last ? p.last_abits : p.abits);
    for (const auto& prod : layer_producers(net, i)) {
      const std::string c = cls.find(prod);
      bits[c] = std::max(bits.count(c) ? bits[c] : 0, want);
    }
  }
  const std::string logits = cls.find(net.layers[static_cast<size_t>(last)].name);
  auto class_bits = [&](const std::string& tensor) {
    const std::string c = cls.find(tensor);
    if (c == logits) return kFp32Bits;
    auto it = bits.find(c);
    return it == bits.end() ? p.abits : it->second;
  };
  for (size_t i = 0; i < net.layers.size(); ++i) {
    Layer& l = net.layers[i];
    const int idx = static_cast<int>(i);
    l.abits_in = class_bits(layer_producers(net, i).front());
    l.abits_out = class_bits(l.name);
    if (l.has_weights())
      l.wbits = idx == first ? p.first_wbits : (idx == last ? p.last_wbits : p.wbits);
    else
      l.wbits = kFp32Bits;  // no weights; kept at the neutral value
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
  if (is_onnx_path(name_or_path)) return import_onnx(name_or_path);
  const bool looks_like_file = name_or_path.find('/') != std::string::npos ||
                               (name_or_path.size() > 4 && name_or_path.substr(name_or_path.size() - 4) == ".csv");
  return looks_like_file ? import_topology_csv(name_or_path) : builtin_network(name_or_path);
}

std::string network_argument_help() {
  std::string names;
  for (const auto& n : builtin_network_names()) names += (names.empty() ? "" : ", ") + n;
  return "built-in network (" + names +
         "), a topology CSV (our columns or SCALE-Sim's) or an ONNX model (.onnx); docs/workloads.md";
}

}  // namespace wrpn
