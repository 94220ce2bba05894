// The trainer's network: FP32 master weights, WRPN fake quantization with straight-through
// estimators, batch norm, pooling, residual add, and their backward passes. Built from a
// workloads::Network (shapes + per-layer precision), so training and trace export describe the same
// layers. BN and the activation quantizer are attached to every weighted layer except the last
// (docs/architecture.md section 3: they fold into that layer's requantization at export).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace wrpn::trainer {

/// How the per-layer weight scale alpha of docs/architecture.md section 3 is chosen for quantized weights.
///  - layer: from the layer's own weights (weight_alpha below), recomputed every step; the fixed
///    code grid then spans the layer's weight range whatever its fan-in.
///  - paper: alpha = 1, the WRPN paper's quantizer w_q = round(n clamp(w, -1, 1)) / n (n = 2^(k-1)-1;
///    binary sign(w)); the grid is fixed, so master weights are initialized to use [-1, 1] (Model::init).
enum class WeightScale { layer, paper };
const char* to_string(WeightScale ws);
/// Parses "layer" or "paper"; false on anything else.
bool parse_weight_scale(const std::string& text, WeightScale* out);

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

/// Trainer model names: mlp, lenet (from workloads) and resnet_mini (defined here).
std::vector<std::string> model_names();
/// The residual network of the trainer for 28x28 inputs, width 1, FP32 (see trainer/README.md).
Network resnet_mini_network();
/// An ONNX graph (workloads/onnx_import.h) the trainer can train from scratch on Fashion-MNIST: a
/// 1x28x28 input, 10 classes, an fc last layer, no concat (the trainer has none). Its shapes are
/// used, not its weights. ONNX001..ONNX006 on a bad file, TRN001 when it does not fit.
Network trainable_onnx_network(const std::string& path);
/// The workloads Network of a spec: shape, width and precision policy applied, batch 1.
/// `spec.model` is a trainer model name or an .onnx path. TRN001 on an unknown model, TRN002 on bad
/// bits or width.
Network spec_network(const ModelSpec& spec);

/// Weight scale alpha of a layer's master weights for `bits` (docs/architecture.md section 3): max|w| for k >= 3,
/// 1.4 mean|w| for ternary (threshold 0.7 mean|w|, as in TWN), mean|w| for binary; 1 for FP32.
float weight_alpha(const float* w, int64_t n, int bits);

/// A monotone non-decreasing quantizer q (one of common/numerics.h's, at fixed bits and scale)
/// tabulated once: t_c is the smallest float with q(x) >= c, found by bisection over all floats with
/// q itself, so q(x) = lo + #{c : x >= t_c} exactly for every non-NaN x. apply() maps a span of
/// floats to the real values of their codes by counting thresholds (vectorized) instead of one
/// library call per element.
class StepTable {
 public:
  /// value_of(code) must equal (num * float(code)) / den when num and den are given (checked here
  /// for every code; if it does not hold, apply() looks the values up instead).
  StepTable(const std::function<int32_t(float)>& q, int32_t lo, int32_t hi,
            const std::function<float(int32_t)>& value_of, float num = 0.0f, float den = 0.0f);
  /// out[i] = value_of(q(x[i])) for non-NaN x[i]; NaN maps to value_of(lo). out may equal x.
  void apply(const float* x, float* out, int64_t n) const;
  const std::vector<float>& thresholds() const { return t_; }

 private:
  int32_t lo_ = 0;
  std::vector<float> t_, value_;
  bool affine_ = false;  ///< value_of(c) == (num_ * float(c)) / den_ for every code
  float num_ = 0.0f, den_ = 0.0f;
};

/// One computation node per workloads layer.
struct Node {
  Layer layer;              ///< shape (n = 1) and precision
  std::vector<int> inputs;  ///< producer node indices; -1 = network input
  bool bn_act = false;      ///< weighted, not last: batch norm then activation quantizer (or ReLU)
  bool is_last = false;     ///< the classifier (has a bias, outputs logits)
  int64_t out_size = 0;     ///< per-image output elements
  int64_t out_spatial = 1;  ///< OH*OW
  // parameters and gradients
  std::vector<float> w, dw, wq;  ///< master weights, their gradient, quantized weights used forward
  float alpha = 1.0f;
  std::vector<float> bias, dbias;                 ///< last layer only
  std::vector<float> gamma, beta, dgamma, dbeta;  ///< batch norm
  std::vector<float> run_mean, run_var;           ///< batch norm running statistics
  // activations of the current batch. Convolutions work on the whole mini-batch at once: col is
  // [C*R*S, n*P] and z, dz are channel-major [K, n*P] (image b's pixels at columns b*P..b*P+P-1),
  // so each conv is one GEMM per thread over many images instead of one small GEMM per image.
  // fc: z and dz are [n, K]. out and dout are always NCHW ([n, out_size]). The BN-normalized value
  // and the BN output are recomputed from z in backward (same float operations, same values).
  std::vector<float> col;   ///< im2col of the input (conv), [C*R*S, n*P]
  std::vector<float> z;     ///< conv/fc output before BN
  std::vector<float> out;   ///< output, NCHW
  std::vector<float> dout;  ///< gradient of the loss w.r.t. out, NCHW
  std::vector<float> mean, invstd;
  std::vector<int64_t> argmax;  ///< maxpool: flat index into the producer's output
  // backward scratch, kept between steps so large buffers are not re-allocated every batch
  std::vector<float> dz, dwq, dcol;
  std::vector<float> dw_part;  ///< conv: per-thread partial weight gradients [threads, weights]
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
  void quantize_weights(Node& nd);
  const float* input_of(int node, int which) const;
  float* grad_of(int node, int which);
  Network net_;
  WeightScale weight_scale_ = WeightScale::layer;
  std::vector<Node> nodes_;
  const float* x_ = nullptr;
  int64_t n_ = 0;
  double bn_momentum_ = 0.1, bn_eps_ = 1e-5;
  bool clip_surrogate_ = false;
};

/// Predicted classes (argmax, first maximum wins) of logits [n, classes].
std::vector<int32_t> argmax_rows(const std::vector<float>& logits, int64_t n, int64_t classes);

}  // namespace wrpn::trainer
