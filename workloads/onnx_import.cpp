// ONNX import: parsing, checking and shape inference are the ONNX library's (no protobuf is read by
// hand); this file maps the checked, shape-inferred graph onto the Layer model (docs/workloads.md).
#include "workloads/onnx_import.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "common/diagnostics.h"
#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"
#include "onnx/proto_utils.h"
#include "onnx/shape_inference/implementation.h"

// POSIX after the ONNX headers: <sys/mman.h> defines a MAP_TYPE macro that breaks onnx/defs/parser.h.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wrpn {

namespace {

constexpr const char* kSupported =
    "Conv, Gemm, MatMul, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Add, Concat, BatchNormalization, "
    "Relu, Clip, Flatten, Reshape, Dropout, Identity, Softmax, Constant";

// Size limits, the same as the topology CSV and trace readers'.
constexpr int64_t kMaxChannels = int64_t{1} << 24, kMaxSpatial = int64_t{1} << 16, kMaxKernel = int64_t{1} << 10;

/// Before the checker: an unsupported operator is named as such (ONNX004), not as whatever the
/// checker or shape inference make of it (an operator of another domain has no opset import, an
/// experimental one only a warning on stderr).
void check_operators(const onnx::GraphProto& g, const std::string& source) {
  static const std::set<std::string> supported = {"Conv",          "Gemm",
                                                  "MatMul",        "MaxPool",
                                                  "AveragePool",   "GlobalAveragePool",
                                                  "GlobalMaxPool", "Add",
                                                  "Concat",        "BatchNormalization",
                                                  "Relu",          "Clip",
                                                  "Flatten",       "Reshape",
                                                  "Dropout",       "Identity",
                                                  "Softmax",       "Constant"};
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    const std::string where = "graph.node[" + std::to_string(i) + "]";
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail("ONNX004", source, where,
           n.op_type() + " node \"" + n.name() + "\" is in domain \"" + n.domain() +
               "\", which the importer does not support",
           "supported (default domain): " + std::string(kSupported));
    if (!supported.count(n.op_type()))
      fail("ONNX004", source, where,
           n.op_type() + " node \"" + (n.name().empty() && n.output_size() ? n.output(0) : n.name()) + "\": operator " +
               n.op_type() + " is not supported",
           "supported: " + std::string(kSupported));
  }
}

/// A library message on one line: line breaks and runs of white space become one space.
std::string one_line(const std::string& text) {
  std::string s;
  for (char ch : text) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!s.empty() && s.back() != ' ') s += ' ';
    } else {
      s += ch;
    }
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.size() > 400) s = s.substr(0, 400) + "...";
  return s;
}

std::string node_label(const onnx::NodeProto& n) {
  return n.op_type() + " node \"" + (n.name().empty() ? (n.output_size() ? n.output(0) : "") : n.name()) + "\"";
}

/// Before the checker, which names neither file nor cause precisely: every node input must be an
/// initializer, a graph input or an earlier node's output. A later node's output means a cycle (when
/// the node graph has one) or an unsorted graph; no producer at all means a missing initializer.
void check_references(const onnx::GraphProto& g, const std::string& source) {
  std::map<std::string, int> producer;  // tensor -> node index
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto& o : g.node(i).output()) producer.emplace(o, i);
  std::set<std::string> available;
  for (const auto& t : g.initializer()) available.insert(t.name());
  for (const auto& v : g.input()) available.insert(v.name());
  const std::set<std::string> sources = available;
  // Kahn's algorithm over node -> node edges tells a cycle from a mere ordering problem.
  auto has_cycle = [&] {
    std::vector<int> indegree(static_cast<size_t>(g.node_size()), 0);
    std::vector<std::vector<int>> next(static_cast<size_t>(g.node_size()));
    for (int i = 0; i < g.node_size(); ++i)
      for (const auto& t : g.node(i).input()) {
        auto it = producer.find(t);
        if (t.empty() || sources.count(t) || it == producer.end()) continue;
        next[static_cast<size_t>(it->second)].push_back(i);
        ++indegree[static_cast<size_t>(i)];
      }
    std::vector<int> ready;
    for (int i = 0; i < g.node_size(); ++i)
      if (indegree[static_cast<size_t>(i)] == 0) ready.push_back(i);
    int done = 0;
    while (!ready.empty()) {
      const int i = ready.back();
      ready.pop_back();
      ++done;
      for (int j : next[static_cast<size_t>(i)])
        if (--indegree[static_cast<size_t>(j)] == 0) ready.push_back(j);
    }
    return done < g.node_size();
  };
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    for (const auto& t : n.input()) {
      if (t.empty() || available.count(t)) continue;  // "" is an omitted optional input
      const std::string where = "graph.node[" + std::to_string(i) + "]";
      auto it = producer.find(t);
      if (it == producer.end())
        fail("ONNX002", source, where,
             node_label(n) + " reads \"" + t + "\", which no initializer, graph input or node provides",
             "a missing initializer: export the model with its weights");
      const std::string later = node_label(g.node(it->second)) + " (graph.node[" + std::to_string(it->second) + "])";
      if (has_cycle())
        fail("ONNX002", source, where,
             node_label(n) + " reads \"" + t + "\" from the later " + later + ": the graph has a cycle",
             "an ONNX graph is acyclic and lists nodes in topological order");
      fail("ONNX002", source, where,
           node_label(n) + " reads \"" + t + "\" from the later " + later + ": the nodes are not topologically sorted",
           "an ONNX graph lists nodes in topological order (onnx.utils or onnx-simplifier can re-sort it)");
    }
    for (const auto& o : n.output()) available.insert(o);
  }
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

/// An activation tensor: the layer that produces it ("input" = the network input) and its shape
/// per image. Rank 2 tensors are features in c (h = w = 1); `view` marks a flattened view of a
/// spatial producer, which only an fc layer may read.
struct Act {
  std::string producer;
  int64_t c = 1, h = 1, w = 1;
  int rank = 4;
  bool view = false;
};

class Importer {
 public:
  Importer(const onnx::GraphProto& g, std::string source, std::string name) : g_(g), src_(std::move(source)) {
    net_.name = std::move(name);
  }

  Network run() {
    for (const auto& t : g_.initializer()) consts_[t.name()] = &t;
    collect_shapes();
    data_input();
    for (int i = 0; i < g_.node_size(); ++i) map_node(i);
    int weighted = 0;
    for (const auto& l : net_.layers)
      if (l.has_weights()) {
        ++weighted;
        net_.num_classes = l.k;
      }
    if (weighted == 0)
      fail("ONNX006", src_, "graph", "the graph has no Conv, Gemm or MatMul node: nothing to map onto the array");
    net_.check_consistency(src_);
    return net_;
  }

 private:
  // ------------------------------------------------------------------------------ graph facts
  void collect_shapes() {
    auto add = [&](const onnx::ValueInfoProto& v) {
      if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
      std::vector<int64_t> dims;
      for (const auto& d : v.type().tensor_type().shape().dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
      shapes_[v.name()] = dims;
    };
    for (const auto& v : g_.input()) add(v);
    for (const auto& v : g_.value_info()) add(v);
    for (const auto& v : g_.output()) add(v);
  }

  /// The one graph input that is not an initializer: NCHW (rank 4) or N x features (rank 2).
  void data_input() {
    const onnx::ValueInfoProto* in = nullptr;
    for (int i = 0; i < g_.input_size(); ++i) {
      const auto& v = g_.input(i);
      if (consts_.count(v.name())) continue;  // IR < 4 lists initializers as inputs too
      runtime_inputs_.insert(v.name());
      if (in) {
        for (int j = 0; j < g_.node_size(); ++j) {  // a weight fed at run time is the likelier cause
          const onnx::NodeProto& n = g_.node(j);
          const bool weighted = n.op_type() == "Conv" || n.op_type() == "Gemm" || n.op_type() == "MatMul";
          for (int k = 1; weighted && k < n.input_size(); ++k)
            if (n.input(k) == v.name() || n.input(k) == in->name()) weight_dims(j, n, n.input(k));
        }
        fail("ONNX006", src_, "graph.input[" + std::to_string(i) + "]",
             "a second data input \"" + v.name() + "\" (the first is \"" + in->name() + "\")",
             "the importer maps networks with one image input; weights must be initializers");
      }
      in = &v;
    }
    if (!in) fail("ONNX006", src_, "graph.input", "the graph has no data input (every input is an initializer)");
    const std::string where = "graph.input \"" + in->name() + "\"";
    if (!in->type().has_tensor_type() || !in->type().tensor_type().has_shape())
      fail("ONNX006", src_, where, "the data input has no tensor shape", "export with a fixed input shape");
    const auto& dims = in->type().tensor_type().shape().dim();
    if (dims.size() != 4 && dims.size() != 2)
      fail("ONNX006", src_, where,
           "the data input has rank " + std::to_string(dims.size()) + "; expected 4 (N, C, H, W) or 2 (N, features)");
    std::vector<int64_t> v;
    for (int d = 1; d < dims.size(); ++d) {
      if (!dims[d].has_dim_value())
        fail("ONNX006", src_, where,
             "dimension " + std::to_string(d) + " is symbolic (\"" + dims[d].dim_param() +
                 "\"); only the batch dimension may be dynamic",
             "export with a fixed input size");
      if (dims[d].dim_value() < 1 || dims[d].dim_value() > kMaxChannels)
        fail("ONNX006", src_, where,
             "dimension " + std::to_string(d) + " is " + std::to_string(dims[d].dim_value()) + ", out of range");
      v.push_back(dims[d].dim_value());
    }
    Act a;
    a.producer = "input";
    a.rank = dims.size() == 4 ? 4 : 2;
    a.c = v[0];
    if (a.rank == 4) {
      a.h = v[1];
      a.w = v[2];
      if (a.h > kMaxSpatial || a.w > kMaxSpatial) fail("ONNX006", src_, where, "spatial size out of range");
    }
    net_.input_c = a.c;
    net_.input_h = a.h;
    net_.input_w = a.w;
    acts_[in->name()] = a;
  }

  // ------------------------------------------------------------------------------ node helpers
  std::string where(int i) const { return "graph.node[" + std::to_string(i) + "]"; }
  std::string label(const onnx::NodeProto& n) const { return node_label(n); }

  int64_t attr_int(const onnx::NodeProto& n, const char* key, int64_t dflt) const {
    for (const auto& a : n.attribute())
      if (a.name() == key) return a.i();
    return dflt;
  }
  std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const char* key) const {
    for (const auto& a : n.attribute())
      if (a.name() == key) return {a.ints().begin(), a.ints().end()};
    return {};
  }
  std::string attr_string(const onnx::NodeProto& n, const char* key) const {
    for (const auto& a : n.attribute())
      if (a.name() == key) return a.s();
    return {};
  }

  bool is_const(const std::string& t) const { return consts_.count(t) || const_outputs_.count(t); }

  /// The activation tensor `t` read by node i (never a constant).
  const Act& act(int i, const onnx::NodeProto& n, const std::string& t) const {
    auto it = acts_.find(t);
    if (it != acts_.end()) return it->second;
    if (is_const(t))
      fail("ONNX005", src_, where(i), label(n) + " reads the constant \"" + t + "\" where an activation is expected",
           "constant-folded subgraphs are not layers; re-export without constant folding of activations");
    fail("ONNX002", src_, where(i), label(n) + " reads \"" + t + "\", which no earlier node produces");
  }

  /// Dims of the weight `t` of node i: an initializer (or Constant output), never a graph input.
  std::vector<int64_t> weight_dims(int i, const onnx::NodeProto& n, const std::string& t) const {
    auto it = consts_.find(t);
    if (it != consts_.end()) return {it->second->dims().begin(), it->second->dims().end()};
    auto ct = const_outputs_.find(t);
    if (ct != const_outputs_.end()) return ct->second;
    if (runtime_inputs_.count(t))
      fail("ONNX006", src_, where(i),
           label(n) + ": weight \"" + t + "\" is a graph input, not an initializer; weights must be constant",
           "export with the weights stored in the model (initializers)");
    fail("ONNX005", src_, where(i),
         label(n) + ": weight \"" + t +
             "\" is computed by another node; only constant weights (initializers) are "
             "modelled");
  }

  /// Inferred (C, H, W) of node i's first output; every dimension after the batch must be known.
  std::vector<int64_t> out_dims(int i, const onnx::NodeProto& n) const {
    auto it = shapes_.find(n.output(0));
    if (it == shapes_.end())
      fail("ONNX003", src_, where(i), "shape inference did not determine the shape of " + label(n) + "'s output");
    std::vector<int64_t> d(it->second.begin() + (it->second.empty() ? 0 : 1), it->second.end());
    for (int64_t v : d)
      if (v < 1)
        fail("ONNX003", src_, where(i), "shape inference left a dimension of " + label(n) + "'s output unknown");
    return d;
  }

  void check_range(int i, const onnx::NodeProto& n, const char* what, int64_t v, int64_t lo, int64_t hi) const {
    if (v < lo || v > hi)
      fail("ONNX005", src_, where(i),
           label(n) + ": " + what + " " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "]");
  }

  /// A unique layer name: the node's name, else its output's name.
  std::string layer_name(int i, const onnx::NodeProto& n) {
    std::string name = n.name();
    if (name.empty() || name == "input" || used_.count(name)) name = n.output(0);
    if (name.empty() || name == "input" || used_.count(name)) name = n.output(0) + "_" + std::to_string(i);
    used_.insert(name);
    return name;
  }

  /// Appends layer l reading `producers`; its output tensor is node n's first output.
  void push(const onnx::NodeProto& n, Layer l, const std::vector<std::string>& producers) {
    const std::string prev = net_.layers.empty() ? std::string("input") : net_.layers.back().name;
    if (!(producers.size() == 1 && producers.front() == prev)) l.inputs = producers;
    Act out;
    out.producer = l.name;
    out.c = l.k;
    out.h = l.op == LayerOp::fc ? 1 : l.out_h();
    out.w = l.op == LayerOp::fc ? 1 : l.out_w();
    out.rank = l.op == LayerOp::fc ? 2 : 4;
    net_.layers.push_back(l);
    acts_[n.output(0)] = out;
  }

  /// Symmetric pad reproducing the graph's (oh, ow): the explicit pads when they are symmetric and
  /// do, otherwise the smallest one that does (TF "SAME" padding, ceil-mode pooling).
  int64_t symmetric_pad(int i, const onnx::NodeProto& n, const Layer& l, int64_t oh, int64_t ow) const {
    const std::string auto_pad = attr_string(n, "auto_pad");
    std::vector<int64_t> pads = attr_ints(n, "pads");
    if (pads.empty()) pads.assign(4, 0);
    if (pads.size() != 4) fail("ONNX005", src_, where(i), label(n) + ": expected 4 pads (top, left, bottom, right)");
    for (int64_t p : pads) check_range(i, n, "pad", p, 0, kMaxKernel);
    auto fits = [&](int64_t p) {
      return l.h + 2 * p >= l.r && l.w + 2 * p >= l.s && (l.h + 2 * p - l.r) / l.stride + 1 == oh &&
             (l.w + 2 * p - l.s) / l.stride + 1 == ow;
    };
    const bool symmetric = pads[0] == pads[1] && pads[0] == pads[2] && pads[0] == pads[3];
    if ((auto_pad.empty() || auto_pad == "NOTSET") && symmetric && fits(pads[0])) return pads[0];
    const int64_t limit = std::max({pads[0], pads[1], pads[2], pads[3]}) + std::max(l.r, l.s);
    for (int64_t p = 0; p <= limit; ++p)
      if (fits(p)) return p;
    fail("ONNX005", src_, where(i),
         label(n) + ": pads (" + std::to_string(pads[0]) + ", " + std::to_string(pads[1]) + ", " +
             std::to_string(pads[2]) + ", " + std::to_string(pads[3]) + ")" +
             (auto_pad.empty() ? "" : " auto_pad " + auto_pad) + " give a " + std::to_string(oh) + "x" +
             std::to_string(ow) + " output that no pad on all four sides reproduces",
         "the layer model pads all sides equally; pad the input explicitly or change the padding");
  }

  void check_window(int i, const onnx::NodeProto& n, Layer& l, const std::vector<int64_t>& kernel) const {
    if (kernel.size() != 2)
      fail("ONNX005", src_, where(i), label(n) + ": only 2-D windows (NCHW tensors) are modelled");
    l.r = kernel[0];
    l.s = kernel[1];
    check_range(i, n, "kernel height", l.r, 1, kMaxKernel);
    check_range(i, n, "kernel width", l.s, 1, kMaxKernel);
    std::vector<int64_t> strides = attr_ints(n, "strides");
    if (strides.empty()) strides = {1, 1};
    if (strides.size() != 2 || strides[0] != strides[1])
      fail("ONNX005", src_, where(i),
           label(n) + ": strides " +
               (strides.size() == 2 ? std::to_string(strides[0]) + "x" + std::to_string(strides[1])
                                    : std::string("of another rank")) +
               " are not square; the layer model has one stride",
           "use equal strides in height and width");
    l.stride = strides[0];
    check_range(i, n, "stride", l.stride, 1, kMaxKernel);
    for (int64_t d : attr_ints(n, "dilations"))
      if (d != 1)
        fail("ONNX005", src_, where(i),
             label(n) + ": dilation " + std::to_string(d) +
                 " is not modelled (the array reads a dense r x s window per output)",
             "dilated convolutions are refused; export the model without dilation");
  }

  /// A 4-D (not flattened) activation read by a spatial layer.
  const Act& spatial(int i, const onnx::NodeProto& n, const std::string& t) const {
    const Act& a = act(i, n, t);
    if (a.rank != 4 || a.view)
      fail("ONNX005", src_, where(i), label(n) + " reads \"" + t + "\", which is not an NCHW tensor",
           "only Gemm and MatMul (fc layers) read flattened tensors");
    return a;
  }

  // ------------------------------------------------------------------------------ operators
  void map_node(int i) {
    const onnx::NodeProto& n = g_.node(i);
    const std::string& op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail("ONNX004", src_, where(i),
           label(n) + " is in domain \"" + n.domain() + "\", which the importer does not support",
           "supported (default domain): " + std::string(kSupported));
    if (n.output_size() < 1) fail("ONNX005", src_, where(i), label(n) + " has no output");

    if (op == "Constant") {
      std::vector<int64_t> dims;
      for (const auto& a : n.attribute())
        if (a.name() == "value") dims.assign(a.t().dims().begin(), a.t().dims().end());
      const_outputs_[n.output(0)] = dims;
      return;
    }
    const bool pass = op == "BatchNormalization" || op == "Relu" || op == "Clip" || op == "Dropout" ||
                      op == "Identity" || op == "Softmax";
    if (pass) {
      if (n.input_size() < 1) fail("ONNX005", src_, where(i), label(n) + " has no input");
      if (is_const(n.input(0))) {
        const_outputs_[n.output(0)] = {};
      } else {
        acts_[n.output(0)] = act(i, n, n.input(0));  // folded: the producer's tensor, renamed
      }
      return;
    }
    if (op == "Conv") return conv(i, n);
    if (op == "Gemm" || op == "MatMul") return fc(i, n);
    if (op == "MaxPool" || op == "AveragePool") return pool(i, n);
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return global_pool(i, n);
    if (op == "Add") return add(i, n);
    if (op == "Concat") return concat(i, n);
    if (op == "Flatten" || op == "Reshape") return flatten(i, n);
    fail("ONNX004", src_, where(i), label(n) + ": operator " + op + " is not supported",
         "supported: " + std::string(kSupported));
  }

  void conv(int i, const onnx::NodeProto& n) {
    if (n.input_size() < 2) fail("ONNX005", src_, where(i), label(n) + " has no weight input");
    const Act& x = spatial(i, n, n.input(0));
    const std::vector<int64_t> wd = weight_dims(i, n, n.input(1));
    if (wd.size() != 4)
      fail("ONNX005", src_, where(i),
           label(n) + ": weight \"" + n.input(1) + "\" has rank " + std::to_string(wd.size()) +
               "; a 2-D convolution's weight is K x C/groups x R x S");
    Layer l;
    l.name = layer_name(i, n);
    l.op = LayerOp::conv;
    l.c = x.c;
    l.h = x.h;
    l.w = x.w;
    l.k = wd[0];
    l.groups = attr_int(n, "group", 1);
    check_range(i, n, "group count", l.groups, 1, kMaxChannels);
    check_range(i, n, "output channel count", l.k, 1, kMaxChannels);
    check_window(i, n, l, {wd[2], wd[3]});
    if (wd[1] * l.groups != l.c || l.k % l.groups)
      fail("ONNX005", src_, where(i),
           label(n) + ": weight " + std::to_string(wd[0]) + "x" + std::to_string(wd[1]) + " with " +
               std::to_string(l.groups) + " groups does not fit " + std::to_string(l.c) + " input channels");
    push_window_layer(i, n, l, l.k, x.producer);
  }

  /// A conv or pool whose inferred output must be N x `channels` x H x W: its pad is the symmetric
  /// one that gives that output, then it joins the network reading `producer`.
  void push_window_layer(int i, const onnx::NodeProto& n, Layer& l, int64_t channels, const std::string& producer) {
    const std::vector<int64_t> o = out_dims(i, n);
    if (o.size() != 3 || o[0] != channels)
      fail("ONNX003", src_, where(i),
           label(n) + ": the inferred output is not N x " + std::to_string(channels) + " x H x W");
    l.pad = symmetric_pad(i, n, l, o[1], o[2]);
    push(n, l, {producer});
  }

  void fc(int i, const onnx::NodeProto& n) {
    const bool gemm = n.op_type() == "Gemm";
    if (n.input_size() < 2) fail("ONNX005", src_, where(i), label(n) + " needs two inputs");
    if (!is_const(n.input(1))) {
      if (acts_.count(n.input(1)) && !is_const(n.input(0)))
        fail("ONNX005", src_, where(i),
             label(n) + " multiplies two activations; only products with a constant weight (fc layers) are modelled");
      weight_dims(i, n, n.input(1));  // names the reason the weight is not constant
    }
    const Act& a = act(i, n, n.input(0));
    if (a.rank != 2)
      fail("ONNX005", src_, where(i),
           label(n) + " reads \"" + n.input(0) + "\" of rank 4; fc layers read N x features (flatten first)",
           "batched or per-position matrix products are not modelled");
    if (gemm && attr_int(n, "transA", 0) != 0)
      fail("ONNX005", src_, where(i), label(n) + ": transA = 1 is not modelled (the activations must be N x features)");
    const std::vector<int64_t> wd = weight_dims(i, n, n.input(1));
    if (wd.size() != 2)
      fail("ONNX005", src_, where(i),
           label(n) + ": weight \"" + n.input(1) + "\" has rank " + std::to_string(wd.size()) + "; expected 2");
    const bool trans_b = gemm && attr_int(n, "transB", 0) != 0;
    const int64_t features = trans_b ? wd[1] : wd[0], k = trans_b ? wd[0] : wd[1];
    if (features != a.c)
      fail("ONNX005", src_, where(i),
           label(n) + ": weight \"" + n.input(1) + "\" expects " + std::to_string(features) + " features, \"" +
               n.input(0) + "\" has " + std::to_string(a.c));
    check_range(i, n, "output feature count", k, 1, kMaxChannels);
    Layer l;
    l.name = layer_name(i, n);
    l.op = LayerOp::fc;
    l.c = a.c;
    l.k = k;
    push(n, l, {a.producer});
  }

  void pool(int i, const onnx::NodeProto& n) {
    const Act& x = spatial(i, n, n.input(0));
    Layer l;
    l.name = layer_name(i, n);
    l.op = n.op_type() == "MaxPool" ? LayerOp::maxpool : LayerOp::avgpool;
    l.c = l.k = x.c;
    l.h = x.h;
    l.w = x.w;
    check_window(i, n, l, attr_ints(n, "kernel_shape"));
    push_window_layer(i, n, l, l.c, x.producer);
  }

  void global_pool(int i, const onnx::NodeProto& n) {
    const Act& x = spatial(i, n, n.input(0));
    Layer l;
    l.name = layer_name(i, n);
    l.op = n.op_type() == "GlobalMaxPool" ? LayerOp::maxpool : LayerOp::avgpool;
    l.c = l.k = x.c;
    l.h = l.r = x.h;
    l.w = l.s = x.w;
    check_range(i, n, "window", std::max(l.r, l.s), 1, kMaxKernel);
    push(n, l, {x.producer});
  }

  void add(int i, const onnx::NodeProto& n) {
    if (n.input_size() != 2) fail("ONNX005", src_, where(i), label(n) + " needs two inputs");
    const bool c0 = is_const(n.input(0)), c1 = is_const(n.input(1));
    if (c0 && c1) {
      const_outputs_[n.output(0)] = {};
      return;
    }
    if (c0 || c1) {
      // A constant addend is a bias (MatMul + Add is how many exporters write an fc layer): folded
      // into the producer's requantization, provided it does not broadcast the tensor larger.
      const Act& a = act(i, n, n.input(c0 ? 1 : 0));
      const std::vector<int64_t> o = out_dims(i, n);
      const std::vector<int64_t> want = a.rank == 4 ? std::vector<int64_t>{a.c, a.h, a.w} : std::vector<int64_t>{a.c};
      if (o != want)
        fail("ONNX005", src_, where(i), label(n) + ": the constant addend broadcasts the activation to a larger shape");
      acts_[n.output(0)] = a;
      return;
    }
    const Act a = act(i, n, n.input(0)), b = act(i, n, n.input(1));
    if (a.c != b.c || a.h != b.h || a.w != b.w || a.rank != b.rank || a.view || b.view)
      fail("ONNX005", src_, where(i),
           label(n) + " adds tensors of different shapes (" + std::to_string(a.c) + "x" + std::to_string(a.h) + "x" +
               std::to_string(a.w) + " and " + std::to_string(b.c) + "x" + std::to_string(b.h) + "x" +
               std::to_string(b.w) + "); broadcasting adds are not modelled");
    Layer l;
    l.name = layer_name(i, n);
    l.op = LayerOp::add;
    l.c = l.k = a.c;
    l.h = a.h;
    l.w = a.w;
    push(n, l, {a.producer, b.producer});
    if (a.rank == 2) acts_[n.output(0)].rank = 2;
  }

  void concat(int i, const onnx::NodeProto& n) {
    if (n.input_size() < 1) fail("ONNX005", src_, where(i), label(n) + " has no input");
    bool all_const = true;
    for (const auto& t : n.input()) all_const = all_const && is_const(t);
    if (all_const) {
      const_outputs_[n.output(0)] = {};
      return;
    }
    int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += 4;
    if (axis != 1)
      fail("ONNX005", src_, where(i),
           label(n) + ": concatenation along axis " + std::to_string(attr_int(n, "axis", 1)) +
               " is not modelled; only channel concatenation (axis 1 of NCHW)");
    std::vector<std::string> producers;
    Layer l;
    l.name = layer_name(i, n);
    l.op = LayerOp::concat;
    l.c = 0;
    for (const auto& t : n.input()) {
      const Act& a = spatial(i, n, t);
      if (producers.empty()) {
        l.h = a.h;
        l.w = a.w;
      } else if (a.h != l.h || a.w != l.w) {
        fail("ONNX005", src_, where(i), label(n) + ": input \"" + t + "\" differs in height or width");
      }
      l.c += a.c;
      producers.push_back(a.producer);
    }
    if (producers.size() == 1) {  // a one-input concat is the identity
      used_.erase(l.name);
      acts_[n.output(0)] = act(i, n, n.input(0));
      return;
    }
    check_range(i, n, "channel count", l.c, 1, kMaxChannels);
    l.k = l.c;
    push(n, l, producers);
  }

  /// Flatten and Reshape: a view. N x C x H x W -> N x (C*H*W) is read by fc layers; a reshape
  /// that keeps the shape is the identity; anything else is refused.
  void flatten(int i, const onnx::NodeProto& n) {
    if (is_const(n.input(0))) {
      const_outputs_[n.output(0)] = {};
      return;
    }
    const Act& a = act(i, n, n.input(0));
    const std::vector<int64_t> o = out_dims(i, n);
    Act out = a;
    if (a.rank == 4 && o == std::vector<int64_t>{a.c, a.h, a.w}) {
      // unchanged
    } else if (o == std::vector<int64_t>{a.c * a.h * a.w}) {
      out.view = a.view || a.rank == 4;
      out.rank = 2;
      out.c = a.c * a.h * a.w;
      out.h = out.w = 1;
    } else {
      std::string dims;
      for (int64_t d : o) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
      fail("ONNX005", src_, where(i),
           label(n) + " reshapes to [N, " + dims + "]; only a flatten to [N, features] or the identity is modelled");
    }
    acts_[n.output(0)] = out;
  }

  const onnx::GraphProto& g_;
  std::string src_;
  Network net_;
  std::map<std::string, const onnx::TensorProto*> consts_;     ///< initializers
  std::map<std::string, std::vector<int64_t>> const_outputs_;  ///< Constant nodes and constant-only results
  std::set<std::string> runtime_inputs_;                       ///< graph inputs without initializer
  std::map<std::string, std::vector<int64_t>> shapes_;         ///< inferred dims, -1 = unknown
  std::map<std::string, Act> acts_;
  std::set<std::string> used_;
};

/// libonnx 1.12's convolution and pooling shape inference trusts its inputs: it divides by strides
/// and dilations without checking them (a zero stride is a SIGFPE) and indexes the input's spatial
/// dimensions with the kernel's rank (a rank-3 input to a conv with a 4-D weight reads out of
/// bounds); both were found by tests/fuzz/fuzz_onnx.cpp, and the checker checks neither. So before
/// inference runs: the data input has rank 2 or 4, window attributes are positive (pads
/// non-negative) and 2-D, a conv's initializer weight has rank 4, and a conv without kernel_shape
/// gets the weight's, so that inference compares it with the rank of the tensor the conv reads.
void check_before_inference(onnx::GraphProto* g, const std::string& source) {
  std::map<std::string, const onnx::TensorProto*> inits;
  for (const auto& t : g->initializer()) inits[t.name()] = &t;
  for (int i = 0; i < g->input_size(); ++i) {
    const auto& v = g->input(i);
    if (inits.count(v.name()) || !v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) continue;
    const int rank = v.type().tensor_type().shape().dim_size();
    if (rank != 4 && rank != 2)
      fail("ONNX006", source, "graph.input \"" + v.name() + "\"",
           "the data input has rank " + std::to_string(rank) + "; expected 4 (N, C, H, W) or 2 (N, features)");
  }
  // Ranks of the tensors, propagated in node order (check_references has refused cycles): a conv or
  // pool must read a rank-4 tensor, or libonnx's inference indexes past its dimensions.
  std::map<std::string, int> ranks;
  for (const auto& [name, t] : inits) ranks[name] = t->dims_size();
  for (int i = 0; i < g->input_size(); ++i) {
    const auto& v = g->input(i);
    if (!ranks.count(v.name()) && v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      ranks[v.name()] = v.type().tensor_type().shape().dim_size();
  }
  auto rank_of = [&](const std::string& t) { return ranks.count(t) ? ranks[t] : -1; };
  for (int i = 0; i < g->node_size(); ++i) {
    const onnx::NodeProto& n = g->node(i);
    const std::string& op = n.op_type();
    const bool reads_image =
        op == "Conv" || op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool";
    const int in_rank = n.input_size() > 0 ? rank_of(n.input(0)) : -1;
    if (reads_image && in_rank != 4)
      fail(
          "ONNX003", source, "graph.node[" + std::to_string(i) + "]",
          node_label(n) + " reads \"" + (n.input_size() > 0 ? n.input(0) : std::string()) + "\" of " +
              (in_rank < 0 ? std::string("a rank unknown before shape inference") : "rank " + std::to_string(in_rank)) +
              "; 2-D convolution and pooling need rank 4 (N, C, H, W)");
    int out_rank = in_rank;
    if (op == "Flatten" || op == "Gemm") {
      out_rank = 2;
    } else if (op == "MatMul" || op == "Add" || op == "Concat") {
      for (const auto& t : n.input()) out_rank = std::max(out_rank, rank_of(t));
    } else if (op == "Reshape") {
      out_rank = -1;
      if (n.input_size() > 1 && inits.count(n.input(1)) && inits[n.input(1)]->dims_size() == 1)
        out_rank = static_cast<int>(inits[n.input(1)]->dims(0));
      else if (n.input_size() > 1)
        out_rank = ranks.count("shape-of:" + n.input(1)) ? ranks["shape-of:" + n.input(1)] : -1;
    } else if (op == "Constant") {
      out_rank = -1;
      for (const auto& a : n.attribute())
        if (a.name() == "value" && a.has_t()) {
          out_rank = a.t().dims_size();
          // A constant used as a Reshape target: its length is the reshaped rank.
          if (a.t().dims_size() == 1 && n.output_size() > 0)
            ranks["shape-of:" + n.output(0)] = static_cast<int>(a.t().dims(0));
        }
    }
    for (const auto& t : n.output()) ranks[t] = out_rank;
  }
  for (int i = 0; i < g->node_size(); ++i) {
    onnx::NodeProto& n = *g->mutable_node(i);
    const std::string where = "graph.node[" + std::to_string(i) + "]";
    const bool windowed = n.op_type() == "Conv" || n.op_type() == "MaxPool" || n.op_type() == "AveragePool";
    bool has_kernel_shape = false;
    for (const auto& a : n.attribute()) {
      const bool positive =
          a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape" || a.name() == "group";
      if (!positive && a.name() != "pads") continue;
      has_kernel_shape = has_kernel_shape || a.name() == "kernel_shape";
      std::vector<int64_t> v(a.ints().begin(), a.ints().end());
      if (a.name() == "group") v = {a.i()};
      for (int64_t x : v)
        if (positive ? x < 1 : x < 0)
          fail("ONNX003", source, where,
               node_label(n) + ": attribute " + a.name() + " has the value " + std::to_string(x) + "; ONNX requires " +
                   (positive ? "positive values" : "non-negative pads") + " (shape inference is impossible)");
      const size_t want = a.name() == "pads" ? 4 : 2;
      if (windowed && a.name() != "group" && v.size() != want)
        fail("ONNX005", source, where,
             node_label(n) + ": attribute " + a.name() + " has " + std::to_string(v.size()) + " values; only 2-D " +
                 "windows are supported (" + std::to_string(want) + " values)");
    }
    if (n.op_type() != "Conv" || n.input_size() < 2) continue;
    const auto w = inits.find(n.input(1));
    if (w == inits.end()) continue;  // a weight that is not an initializer is refused later (ONNX006)
    if (w->second->dims_size() != 4)
      fail("ONNX003", source, where,
           node_label(n) + ": weight \"" + n.input(1) + "\" has rank " + std::to_string(w->second->dims_size()) +
               "; expected 4 (K, C/groups, R, S)");
    if (!has_kernel_shape) {
      onnx::AttributeProto* k = n.add_attribute();
      k->set_name("kernel_shape");
      k->set_type(onnx::AttributeProto::INTS);
      k->add_ints(w->second->dims(2));
      k->add_ints(w->second->dims(3));
    }
  }
}

}  // namespace

bool is_onnx_path(const std::string& path) {
  if (path.size() < 5) return false;
  std::string ext = path.substr(path.size() - 5);
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext == ".onnx";
}

namespace {

/// The import proper, from `size` bytes at `data` (a string, or a read-only mapping of the file).
Network import_buffer(const char* data, size_t size, const std::string& source, const std::string& name,
                      OnnxImportTimes* times) {
  OnnxImportTimes t;
  auto t0 = std::chrono::steady_clock::now();
  onnx::ModelProto model;
  if (size == 0 || !onnx::ParseProtoFromBytes(&model, data, size))
    fail("ONNX001", source, "",
         "not an ONNX model: the bytes do not parse as a ModelProto (truncated or another format)",
         "export the model again; onnx.checker.check_model in Python names what is wrong with a file");
  if (!model.has_graph() || model.graph().node_size() == 0)
    fail("ONNX001", source, "graph", "not an ONNX model: no graph or an empty graph");
  t.parse_ms = ms_since(t0);

  t0 = std::chrono::steady_clock::now();
  check_operators(model.graph(), source);
  check_references(model.graph(), source);
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    fail("ONNX002", source, "", "the ONNX checker rejects the model: " + one_line(e.what()));
  }
  t.check_ms = ms_since(t0);

  t0 = std::chrono::steady_clock::now();
  // A symbolic batch dimension is set to 1 before inference, so every inferred shape is concrete;
  // the batch is a run parameter (--batch), not part of the network.
  std::set<std::string> init_names;
  for (const auto& i : model.graph().initializer()) init_names.insert(i.name());
  for (auto& in : *model.mutable_graph()->mutable_input()) {
    if (init_names.count(in.name()) || !in.type().has_tensor_type() || !in.type().tensor_type().has_shape()) continue;
    auto* shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() > 0 && !shape->dim(0).has_dim_value()) shape->mutable_dim(0)->set_dim_value(1);
  }
  check_before_inference(model.mutable_graph(), source);
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict_mode=*/1,
                                                                   /*data_prop=*/true));
  } catch (const std::exception& e) {
    fail("ONNX003", source, "", "ONNX shape inference fails: " + one_line(e.what()));
  }
  t.infer_ms = ms_since(t0);

  t0 = std::chrono::steady_clock::now();
  Network net = Importer(model.graph(), source, name).run();
  t.map_ms = ms_since(t0);
  if (times) {
    const double read_ms = times->read_ms;
    *times = t;
    times->read_ms = read_ms;
  }
  return net;
}

/// A read-only private mapping of a whole file: the protobuf parser reads the page cache directly,
/// without first copying a 100 MB model into a string.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      fail("ONNX001", path, "", "cannot open the ONNX file",
           "check the path; a network is a built-in name, a topology .csv or an .onnx file");
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) fail("ONNX001", path, "", "not a regular file");
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED) fail("ONNX001", path, "", "error while reading the ONNX file (mmap failed)");
    data_ = static_cast<const char*>(p);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  int fd_ = -1;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Network import_onnx_bytes(const std::string& bytes, const std::string& source, const std::string& name,
                          OnnxImportTimes* times) {
  return import_buffer(bytes.data(), bytes.size(), source, name, times);
}

Network import_onnx(const std::string& path, OnnxImportTimes* times) {
  const auto t0 = std::chrono::steady_clock::now();
  const MappedFile file(path);
  OnnxImportTimes t;
  t.read_ms = ms_since(t0);
  Network net = import_buffer(file.data(), file.size(), path, std::filesystem::path(path).stem().string(), &t);
  if (times) *times = t;
  return net;
}

}  // namespace wrpn
