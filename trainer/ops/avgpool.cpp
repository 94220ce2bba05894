// Average pooling. Shapes: B images; input x [B, C, H, W]; output out [B, K, OH, OW] with K = C; R x S
// windows with stride and padding (padding counts as 0: every window divides by R*S, as the
// integer executor does).
#include <algorithm>
#include <cmath>

#include "common/numerics.h"
#include "trainer/ops/ops.h"
#include "trainer/parallel.h"

namespace wrpn::trainer {

void avgpool_forward(float* out, const float* x, const Layer& l, int64_t B, int quant_bits) {
  const int64_t K = l.k, oh = l.out_h(), ow = l.out_w(), in_size = l.c * l.h * l.w, out_size = K * oh * ow;
  const bool quant = quant_bits != kFp32Bits;
  const float levels = quant ? static_cast<float>(act_code_max(quant_bits)) : 1.0f;
#pragma omp parallel for schedule(static) num_threads(threads())
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < K; ++c) {
      const int64_t plane = b * in_size + c * l.h * l.w;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xx = 0; xx < ow; ++xx) {
          const int64_t o = b * out_size + (c * oh + y) * ow + xx;
          const int64_t y0 = y * l.stride - l.pad, x0 = xx * l.stride - l.pad;
          const int64_t i0 = std::max<int64_t>(0, -y0), i1 = std::min(l.r, l.h - y0);
          const int64_t j0 = std::max<int64_t>(0, -x0), j1 = std::min(l.s, l.w - x0);
          double sum = 0.0;
          int64_t code_sum = 0;
          for (int64_t i = i0; i < i1; ++i)
            for (int64_t j = j0; j < j1; ++j) {
              const float v = x[plane + (y0 + i) * l.w + x0 + j];
              sum += v;
              if (quant) code_sum += static_cast<int64_t>(std::lrint(v * levels));
            }
          out[o] = quant ? activation_value(avgpool_code(code_sum, l.r * l.s), quant_bits)
                         : static_cast<float>(sum / static_cast<double>(l.r * l.s));
        }
    }
}

void avgpool_backward(float* dx, const float* dout, const Layer& l, int64_t B) {
  const int64_t K = l.k, oh = l.out_h(), ow = l.out_w(), in_size = l.c * l.h * l.w, out_size = K * oh * ow;
  const float inv = 1.0f / static_cast<float>(l.r * l.s);
#pragma omp parallel for schedule(static) num_threads(threads())
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < K; ++c)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xx = 0; xx < ow; ++xx) {
          const float g = dout[b * out_size + (c * oh + y) * ow + xx] * inv;
          for (int64_t i = 0; i < l.r; ++i)
            for (int64_t j = 0; j < l.s; ++j) {
              const int64_t iy = y * l.stride - l.pad + i, ix = xx * l.stride - l.pad + j;
              if (iy < 0 || iy >= l.h || ix < 0 || ix >= l.w) continue;
              dx[b * in_size + (c * l.h + iy) * l.w + ix] += g;
            }
        }
}

}  // namespace wrpn::trainer
