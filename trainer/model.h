// The trainer's network: FP32 master weights, WRPN fake quantization with straight-through
// estimators, batch norm, pooling, residual add, and their backward passes. Built from a
// workloads::Network (shapes + per-layer precision), so training and trace export describe the same
// layers. BN and the activation quantizer are attached to every weighted layer except the last
// (docs/architecture.md section 3: they fold into that layer's requantization at export).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/quantize.h"
#include "workloads/network.h"

namespace wrpn::trainer {

/// What to train: a model name, width multiplier and precision.
struct ModelSpec {
  std::string model = "lenet";  ///< mlp, lenet, resnet_mini
  double width = 1.0;
  int wbits = 32, abits = 32;
  /// Weight bits of the first and last weighted layers; 0 = WRPN default (8 when the body is
  /// quantized, 32 in the FP32 baseline).
  int first_last_wbits = 0;
  WeightScale weight_scale = WeightScale::layer;
};

/// Trainer model names: lenet, mlp and resnet_mini, built-in networks of workloads/ with 28x28 inputs.
std::vector<std::string> model_names();
/// The hint of an unknown model name (TRN001): "trainer models: lenet, mlp, resnet_mini, or an .onnx graph".
std::string model_names_hint();
/// An ONNX graph (workloads/onnx_import.h) the trainer can train from scratch on Fashion-MNIST: a
/// 1x28x28 input, 10 classes, an fc last layer, no concat (the trainer has none). Its shapes are
/// used, not its weights. ONNX001..ONNX006 on a bad file, TRN001 when it does not fit.
Network trainable_onnx_network(const std::string& path);
/// The workloads Network of a spec: shape, width and precision policy applied, batch 1.
/// `spec.model` is a trainer model name or an .onnx path. TRN001 on an unknown model, TRN002 on bad
/// bits or width.
Network spec_network(const ModelSpec& spec);

// A layer's tensors, in four plain structs by what they are for. Shapes are per layer: K output
// channels, B images of the last forward, P = OH*OW; weights [K, C/G, R, S] (fc [K, C]).

/// What the optimizer trains and a checkpoint holds.
struct Params {
  std::vector<float> w;                  ///< FP32 master weights
  std::vector<float> bias;               ///< [K], the classifier only
  std::vector<float> gamma, beta;        ///< batch norm scale and shift [K]
  std::vector<float> run_mean, run_var;  ///< batch norm running statistics [K] (checkpointed, not trained)
};

/// Gradients of the loss, accumulated by backward.
struct Grads {
  std::vector<float> dw, dbias, dgamma, dbeta;  ///< of the Params of the same names
  std::vector<float> dout;                      ///< w.r.t. the layer's output [B, K, P]
};

/// What forward computes and backward reads.
struct Activations {
  std::vector<float> wq;            ///< quantized weights used forward
  float alpha = 1.0f;               ///< their scale
  std::vector<float> col;           ///< conv: im2col of the input [C*R*S, B*P]
  std::vector<float> z;             ///< weighted layer's output before batch norm (ZLayout: conv [K, B*P], fc [B, K])
  std::vector<float> out;           ///< output [B, K, P]
  std::vector<float> mean, invstd;  ///< batch norm statistics used [K]
  std::vector<int64_t> argmax;      ///< maxpool: flat index into the producer's output
};

/// Backward buffers, kept between steps so large buffers are not re-allocated every batch.
struct Scratch {
  std::vector<float> dz;       ///< gradient w.r.t. z, z's layout
  std::vector<float> dwq;      ///< gradient w.r.t. the quantized weights
  std::vector<float> dcol;     ///< conv: per-thread blocks of the input gradient's columns
  std::vector<float> dw_part;  ///< conv: per-thread partial weight gradients [threads, weights]
};

/// One computation node per workloads layer: its shape, where it reads, and its tensors (the four
/// structs above, as bases so that `nd.w` or `nd.out` name a tensor directly).
struct Node : Params, Grads, Activations, Scratch {
  Layer layer;              ///< shape (n = 1) and precision
  std::vector<int> inputs;  ///< producer node indices; -1 = network input
  bool bn_act = false;      ///< weighted, not last: batch norm then activation quantizer (or ReLU)
  bool is_last = false;     ///< the classifier (has a bias, outputs logits)
  int64_t out_size = 0;     ///< per-image output elements
  int64_t out_spatial = 1;  ///< P = OH*OW
};

struct ParamRef {
  std::string name;
  std::vector<float>* value;
  std::vector<float>* grad;
  bool decay;  ///< weight decay applies (conv/fc weights only)
};

class Model {
 public:
  explicit Model(const Network& net, WeightScale weight_scale = WeightScale::layer);
  const Network& network() const { return net_; }
  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  int64_t input_size() const { return net_.input_c * net_.input_h * net_.input_w; }
  int64_t num_classes() const { return net_.num_classes; }

  WeightScale weight_scale() const { return weight_scale_; }
  /// The weight scale alpha of a weighted node's current master weights: weight_alpha() under
  /// WeightScale::layer, 1 under WeightScale::paper (and for FP32 layers). Trace export uses it too.
  float alpha_of(const Node& nd) const;

  /// Weights from `seed`, BN gamma 1 beta 0, running stats 0/1. Kaiming-normal (std sqrt(2/fan_in)),
  /// except under WeightScale::paper for quantized layers followed by batch norm: uniform on
  /// [-1, 1], the whole clip range of the fixed grid (trainer/README.md says why).
  void init(uint64_t seed);
  /// Forward pass on n images (values in [0,1], NCHW). train: batch statistics and caches for
  /// backward; otherwise running statistics. Returns logits [n, classes].
  const std::vector<float>& forward(const float* x, int64_t n, bool train);
  /// Mean softmax cross-entropy of the last forward's logits; fills dlogits if non-null.
  /// Returns the loss and counts correct predictions in *correct.
  double loss(const int32_t* labels, std::vector<float>* dlogits, int64_t* correct) const;
  /// Backward pass of the last forward(train = true), from d loss / d logits.
  void backward(const std::vector<float>& dlogits);
  std::vector<ParamRef> params();
  /// Test hook: forward computes the clip functions the straight-through estimators differentiate
  /// (clip(y, 0, 1) for activations, alpha * clip(w / alpha, -1, 1) for k >= 2 weights, exact
  /// averages) instead of rounding, so numeric gradients can check the STE backward. Binary weights
  /// still use sign. Off by default; training never sets it.
  void set_clip_surrogate(bool on) { clip_surrogate_ = on; }
  /// Every tensor a checkpoint must hold (params and BN running statistics), by name.
  std::vector<std::pair<std::string, std::vector<float>*>> state();

 private:
  void forward_node(Node& nd, const float* in, const float* in_b, bool train);
  void backward_node(Node& nd, float* dx, float* dx_b, const float* in, const float* in_b);
  const float* input_of(int node, int which) const;
  float* grad_of(int node, int which);
  Network net_;
  WeightScale weight_scale_ = WeightScale::layer;
  std::vector<Node> nodes_;
  const float* x_ = nullptr;
  int64_t n_ = 0;
  bool clip_surrogate_ = false;
};

/// Predicted classes (argmax, first maximum wins) of logits [n, classes].
std::vector<int32_t> argmax_rows(const std::vector<float>& logits, int64_t n, int64_t classes);

}  // namespace wrpn::trainer
