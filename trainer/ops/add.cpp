// Residual add. Shapes: N = B*K*P elements of two inputs a, b and the output, all [B, K, OH, OW].
// Quantized, the sum saturates at 1 (the top activation code; add_codes in the integer executor),
// so block outputs stay on the activation grid.
#include <algorithm>

#include "trainer/ops/ops.h"
#include "trainer/parallel.h"

namespace wrpn::trainer {

void add_forward(float* out, const float* a, const float* b, int64_t N, bool quant) {
#pragma omp parallel for schedule(static) num_threads(threads())
  for (int64_t i = 0; i < N; ++i) {
    const float s = a[i] + b[i];
    out[i] = quant ? std::min(s, 1.0f) : s;
  }
}

void add_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t N, bool quant) {
#pragma omp parallel for schedule(static) num_threads(threads())
  for (int64_t i = 0; i < N; ++i) {
    const float g = (!quant || a[i] + b[i] <= 1.0f) ? dout[i] : 0.0f;  // STE of the clip at 1
    if (da) da[i] += g;
    if (db) db[i] += g;
  }
}

}  // namespace wrpn::trainer
