// WRPN fake quantization in the trainer: the per-layer weight scale alpha and exact, vectorized
// tables of common/numerics.h's quantizers (StepTable). The ops that use them are in trainer/ops/
// (weight_quant.cpp, batchnorm.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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

/// Linear threshold counting beats a call per element up to this many codes.
inline constexpr int kMaxTableCodes = 32;

/// The k-bit activation quantizer (quantize_activation, then activation_value) as a StepTable.
StepTable activation_table(int bits);

}  // namespace wrpn::trainer
