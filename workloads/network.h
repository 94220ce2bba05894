// Layer and network shapes (docs/architecture.md section 2): the one description of a workload that the
// trainer, the simulator and the energy model all read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wrpn {

/// concat: channel concatenation of its `inputs` (in the listed order), weightless. It is how
/// Inception modules join their branches; c = k = the sum of the producers' channels.
enum class LayerOp { conv, fc, maxpool, avgpool, add, concat };
const char* to_string(LayerOp op);
bool parse_layer_op(const std::string& text, LayerOp* out);

/// One layer. Tensors are NCHW. A fully connected layer has h = w = r = s = 1 and c = input features
/// (the flattened C*H*W of its producer). Pooling and add layers have k == c and no weights.
struct Layer {
  std::string name;
  LayerOp op = LayerOp::conv;
  int64_t n = 1;                ///< images in the batch
  int64_t c = 1, h = 1, w = 1;  ///< input channels, height, width
  int64_t k = 1;                ///< output channels (features for fc)
  int64_t r = 1, s = 1;         ///< kernel (or pooling window) height, width
  int64_t stride = 1, pad = 0, groups = 1;
  int wbits = 32;      ///< weight code bits, 32 = FP32
  int abits_in = 32;   ///< input activation code bits (network input: 8-bit pixels)
  int abits_out = 32;  ///< output activation code bits; 32 = unquantized (logits)
  /// Producers of this layer's input(s), by layer name; "input" is the network input. Empty means
  /// the previous layer (or the network input for the first layer). An add layer names two; a concat
  /// layer names two or more (h and w must agree, channels add up).
  std::vector<std::string> inputs;

  int64_t out_h() const { return (h + 2 * pad - r) / stride + 1; }
  int64_t out_w() const { return (w + 2 * pad - s) / stride + 1; }
  bool has_weights() const { return op == LayerOp::conv || op == LayerOp::fc; }
  /// Multiply-accumulates for the whole batch (0 for pool/add).
  int64_t macs() const;
  /// Dot-product length of one output: (c / groups) * r * s.
  int64_t fan_in() const { return (c / groups) * r * s; }
  int64_t weight_count() const;  ///< k * (c/groups) * r * s, 0 without weights
  int64_t input_count() const { return n * c * h * w; }
  int64_t output_count() const { return n * k * out_h() * out_w(); }
  int64_t weight_bits_total() const { return weight_count() * wbits; }
  int64_t input_bits_total() const { return input_count() * abits_in; }
  int64_t output_bits_total() const { return output_count() * abits_out; }
};

struct Network {
  std::string name;
  int64_t input_c = 1, input_h = 1, input_w = 1;
  int64_t num_classes = 10;
  double width = 1.0;  ///< width multiplier applied to the base network
  /// False for a list of independent layers whose shapes do not chain (a SCALE-Sim topology omits
  /// pooling and folds padding into its IFMAP sizes). check_consistency() then checks each layer on
  /// its own, and each layer reads the previous one only for the precision and width policies.
  bool chained = true;
  std::vector<Layer> layers;

  int64_t total_macs() const;
  int64_t total_weights() const;
  /// Index of a layer by name, or -1.
  int index_of(const std::string& name) const;
  /// Throws DiagnosticError(NET002) if shapes do not chain (a layer's input differs from its
  /// producer's output), a value is non-positive, a name repeats, or activation bits do not chain
  /// (a layer's abits_in differs from its producer's abits_out).
  void check_consistency(const std::string& source) const;
  /// The same, naming layer i by `locations[i]` (e.g. its CSV line) instead of "layer i (name)".
  void check_consistency(const std::string& source, const std::vector<std::string>& locations) const;
};

/// The producer rule, the one place it is written: a layer reads the layers its `inputs` name, or
/// else the previous layer (`previous`; nullptr for the first layer, which reads "input").
std::vector<std::string> layer_producers(const Layer& layer, const Layer* previous);
/// Producers of layer i of `net` by the rule above. Layers of an unchained network always read the
/// previous layer.
std::vector<std::string> layer_producers(const Network& net, size_t i);

/// Names of the built-in networks: alexnet, resnet34, inception_bn (ImageNet shapes), lenet, mlp,
/// resnet_mini (28x28 inputs; the trainer's networks).
std::vector<std::string> builtin_network_names();
/// A built-in network at width 1, FP32 (wbits = abits = 32), batch 1. NET001 on an unknown name.
Network builtin_network(const std::string& name);

/// Multiplies every hidden layer's channel/feature count by `width` (rounded to the nearest
/// integer, at least 1); the first layer's input channels and the last layer's classes stay fixed.
/// Inputs follow their (widened) producers, so residual adds and concats stay consistent; the
/// result is checked with check_consistency (NET002). NET003 if width is outside [1, 64].
Network apply_width(const Network& base, double width);

/// The bits rule of every precision field: 1..16 or 32 (FP32), else NET007 naming `field` (a
/// command-line flag such as "--wbits", or a config field).
void check_precision_bits(const std::string& field, int bits);

/// Per-layer precision: `wbits`/`abits` everywhere, overridden for the first and last weighted
/// layers (WRPN keeps them at higher precision). 32 = FP32. The network input is 8-bit pixels
/// when the first layer is quantized; the last layer's output is unquantized (logits).
/// A tensor read by several weighted layers (a residual shortcut, an Inception module input) is
/// stored at the widest precision any of them reads, and the inputs and output of an add or concat
/// share one precision. NET007 if a bit width is not 1..16 or 32.
struct PrecisionPolicy {
  int wbits = 32, abits = 32;
  int first_wbits = 32, first_abits = 32;  ///< first weighted layer's weights / its input codes
  int last_wbits = 32, last_abits = 32;    ///< last weighted layer's weights / its input codes
  /// The defaults of docs/workloads.md (precision policy): quantized body, 8-bit first and last weights, or all FP32.
  static PrecisionPolicy uniform(int wbits, int abits);
};
Network apply_precision(const Network& net, const PrecisionPolicy& policy);

/// Sets the batch size n of every layer.
Network with_batch(const Network& net, int64_t batch);

/// A network from a topology CSV (our columns, or SCALE-Sim's); see docs/workloads.md.
Network import_topology_csv(const std::string& path);

/// The one resolver of a network argument, used by every command and config that takes a network:
/// a path ending in .onnx is an ONNX model (workloads/onnx_import.h), a path containing '/' or
/// ending in .csv a topology CSV, anything else a built-in name. The result is at width 1, FP32,
/// batch 1; callers apply apply_width, apply_precision and with_batch.
Network load_network(const std::string& name_or_path);
/// What load_network accepts, for a command's --help (built-in names listed).
std::string network_argument_help();

}  // namespace wrpn
