// Max pooling. Shapes: B images; input x [B, C, H, W]; output out [B, K, OH, OW] with K = C; R x S
// windows with stride and padding (padding ignored: a window's maximum is over its pixels inside
// the image). argmax [B, K, OH, OW] holds the flat index into x of each maximum, -1 if none.
#include <algorithm>
#include <cmath>

#include "trainer/ops/ops.h"
#include "trainer/parallel.h"

namespace wrpn::trainer {

void maxpool_forward(float* out, int64_t* argmax, const float* x, const Layer& l, int64_t B) {
  const int64_t K = l.k, oh = l.out_h(), ow = l.out_w(), in_size = l.c * l.h * l.w, out_size = K * oh * ow;
  if (l.r == 2 && l.s == 2 && l.stride == 2 && l.pad == 0) {
    // The usual 2x2/2 max pool, windows always inside: same comparisons in the same window
    // order as the general loop below (first maximum wins), without its bounds arithmetic.
#pragma omp parallel for schedule(static) num_threads(threads())
    for (int64_t b = 0; b < B; ++b)
      for (int64_t c = 0; c < K; ++c) {
        const int64_t plane = b * in_size + c * l.h * l.w;
        for (int64_t y = 0; y < oh; ++y) {
          const int64_t o = b * out_size + (c * oh + y) * ow, r0 = plane + 2 * y * l.w, r1 = r0 + l.w;
          for (int64_t xx = 0; xx < ow; ++xx) {
            const int64_t idx[4] = {r0 + 2 * xx, r0 + 2 * xx + 1, r1 + 2 * xx, r1 + 2 * xx + 1};
            int64_t best_i = idx[0];
            float best = x[best_i];
            for (int q = 1; q < 4; ++q)
              if (x[idx[q]] > best) best = x[idx[q]], best_i = idx[q];
            if (!(best > -INFINITY)) {  // all -inf or NaN: the general loop's result
              best = -INFINITY;
              best_i = -1;
              for (int q = 0; q < 4; ++q)
                if (x[idx[q]] > best) best = x[idx[q]], best_i = idx[q];
            }
            out[o + xx] = best;
            argmax[o + xx] = best_i;
          }
        }
      }
    return;
  }
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
          float best = -INFINITY;
          int64_t best_i = -1;
          for (int64_t i = i0; i < i1; ++i)
            for (int64_t j = j0; j < j1; ++j) {
              const int64_t idx = plane + (y0 + i) * l.w + x0 + j;
              if (x[idx] > best) best = x[idx], best_i = idx;
            }
          out[o] = best;
          argmax[o] = best_i;
        }
    }
}

void maxpool_backward(float* dx, const float* dout, const int64_t* argmax, const Layer& l, int64_t B) {
  const int64_t out_size = l.k * l.out_h() * l.out_w();
  // Each image's window indices stay inside that image, so images are independent.
#pragma omp parallel for schedule(static) num_threads(threads())
  for (int64_t b = 0; b < B; ++b)
    for (int64_t o = b * out_size; o < (b + 1) * out_size; ++o)
      if (argmax[o] >= 0) dx[argmax[o]] += dout[o];
}

}  // namespace wrpn::trainer
