// The classifier's bias: logits out [B, K] = z [B, K] + bias [K]. Only the last weighted layer has
// one (the others are followed by batch norm, whose beta is the bias).
#include <algorithm>

#include "trainer/ops/ops.h"

namespace wrpn::trainer {

void bias_forward(float* out, const float* z, const float* bias, int64_t B, int64_t K) {
  for (int64_t b = 0; b < B; ++b)
    for (int64_t k = 0; k < K; ++k) out[b * K + k] = z[b * K + k] + bias[k];
}

void bias_backward(float* dz, float* dbias, const float* dout, int64_t B, int64_t K) {
  std::copy(dout, dout + B * K, dz);
  for (int64_t k = 0; k < K; ++k) {
    double s = 0.0;
    for (int64_t b = 0; b < B; ++b) s += dout[b * K + k];
    dbias[k] = static_cast<float>(s);
  }
}

}  // namespace wrpn::trainer
