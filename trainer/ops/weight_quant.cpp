// WRPN fake quantization of a layer's weights and its straight-through estimator. Shapes: N weights
// (the layer's K*C/G*R*S) of the FP32 master copy w, its quantized values wq, and their gradients.
#include <algorithm>
#include <cmath>

#include <omp.h>

#include "common/numerics.h"
#include "trainer/ops/ops.h"
#include "trainer/parallel.h"
#include "trainer/quantize.h"

namespace wrpn::trainer {

void weight_quant_forward(float* wq, const float* w, int64_t N, int bits, float alpha, bool clip_surrogate) {
  if (bits == kFp32Bits) {
    std::copy(w, w + N, wq);
    return;
  }
  if (clip_surrogate && bits != 1) {
    for (int64_t i = 0; i < N; ++i) wq[i] = std::clamp(w[i], -alpha, alpha);
    return;
  }
  const int32_t L = weight_code_max(bits);
  bool has_nan = false;
  if (bits >= 2 && 2 * L <= kMaxTableCodes) {
    // common's quantize_weight tabulated for this alpha (exact; NaN handled below).
    const StepTable table([bits, alpha](float v) { return quantize_weight(v, bits, alpha); }, -L, L,
                          [bits, alpha](int32_t c) { return weight_value(c, bits, alpha); }, alpha,
                          static_cast<float>(weight_scale_den(bits)));
    int nan_seen = 0;
#pragma omp parallel num_threads(threads()) if (N > 16384) reduction(| : nan_seen)
    {
      int64_t lo, hi;
      split_range(N, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
      table.apply(w + lo, wq + lo, hi - lo);
      int seen = 0;
#pragma omp simd reduction(| : seen)
      for (int64_t i = lo; i < hi; ++i) seen |= w[i] != w[i] ? 1 : 0;
      nan_seen |= seen;
    }
    has_nan = nan_seen != 0;
  } else {
    has_nan = true;  // use the per-element path below for every weight
  }
  if (has_nan) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (N > 16384)
    for (int64_t i = 0; i < N; ++i) wq[i] = weight_value(quantize_weight(w[i], bits, alpha), bits, alpha);
  }
}

void weight_quant_backward(float* dw, const float* dwq, const float* w, int64_t N, int bits, float alpha) {
  // The gradient passes where w/alpha lies inside the clip range [-1, 1] (binary: |w| <= 1).
  const float limit = bits == kFp32Bits ? INFINITY : bits == 1 ? 1.0f : alpha;
#pragma omp parallel for simd schedule(static) num_threads(threads()) if (N > 16384)
  for (int64_t i = 0; i < N; ++i) dw[i] = (bits == kFp32Bits || std::fabs(w[i]) <= limit) ? dwq[i] : 0.0f;
}

}  // namespace wrpn::trainer
