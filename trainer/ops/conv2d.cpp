// Convolution with stride, padding and groups, as im2col + one GEMM per thread and group.
// Shapes: B images; input x [B, C, H, W]; weights wq [K, C/G, R, S]; G groups (C and K divisible by
// G); output OH x OW, P = OH*OW; CRS = C/G*R*S, the dot-product length. The whole mini-batch is
// im2col'ed into col [C*R*S, B*P] and z is channel-major [K, B*P], so each thread runs one GEMM per
// group over its share of the images (and batch norm reads each channel contiguously).
#include <algorithm>

#include <cblas.h>
#include <omp.h>

#include "trainer/ops/ops.h"
#include "trainer/parallel.h"

namespace wrpn::trainer {

namespace {

int ii(int64_t v) { return static_cast<int>(v); }

// im2col of one image into columns of a batched buffer whose rows are `ld` floats apart: row
// (c*R + i)*S + j, columns 0..P-1 of this image (the caller offsets `col` by b*P).
void im2col(const float* x, const Layer& l, float* col, int64_t ld) {
  const int64_t oh = l.out_h(), ow = l.out_w();
  for (int64_t c = 0; c < l.c; ++c)
    for (int64_t i = 0; i < l.r; ++i)
      for (int64_t j = 0; j < l.s; ++j) {
        float* row = col + ((c * l.r + i) * l.s + j) * ld;
        for (int64_t y = 0; y < oh; ++y) {
          const int64_t iy = y * l.stride - l.pad + i;
          float* dst = row + y * ow;
          if (iy < 0 || iy >= l.h) {
            std::fill(dst, dst + ow, 0.0f);
            continue;
          }
          const float* src = x + (c * l.h + iy) * l.w;
          if (l.stride == 1 && l.pad == 0) {  // the common case: a short contiguous copy, inline
            const float* s = src + j;
#pragma omp simd
            for (int64_t xx = 0; xx < ow; ++xx) dst[xx] = s[xx];
            continue;
          }
          for (int64_t xx = 0; xx < ow; ++xx) {
            const int64_t ix = xx * l.stride - l.pad + j;
            dst[xx] = (ix < 0 || ix >= l.w) ? 0.0f : src[ix];
          }
        }
      }
}

// Adds the columns of one image (rows `ld` floats apart) back into its input gradient.
void col2im_add(const float* col, const Layer& l, float* dx, int64_t ld) {
  const int64_t oh = l.out_h(), ow = l.out_w();
  for (int64_t c = 0; c < l.c; ++c)
    for (int64_t i = 0; i < l.r; ++i)
      for (int64_t j = 0; j < l.s; ++j) {
        const float* row = col + ((c * l.r + i) * l.s + j) * ld;
        for (int64_t y = 0; y < oh; ++y) {
          const int64_t iy = y * l.stride - l.pad + i;
          if (iy < 0 || iy >= l.h) continue;
          float* dst = dx + (c * l.h + iy) * l.w;
          const float* src = row + y * ow;
          if (l.stride == 1 && l.pad == 0) {
            float* d = dst + j;
#pragma omp simd
            for (int64_t xx = 0; xx < ow; ++xx) d[xx] += src[xx];
            continue;
          }
          for (int64_t xx = 0; xx < ow; ++xx) {
            const int64_t ix = xx * l.stride - l.pad + j;
            if (ix >= 0 && ix < l.w) dst[ix] += src[xx];
          }
        }
      }
}

}  // namespace

void conv2d_forward(float* z, std::vector<float>& col, const float* x, const float* wq, const Layer& l, int64_t B) {
  const int64_t P = l.out_h() * l.out_w(), in_size = l.c * l.h * l.w;
  const int64_t G = l.groups, Cg = l.c / G, Kg = l.k / G, CRS = Cg * l.r * l.s, NP = B * P;
  col.resize(static_cast<size_t>(l.c * l.r * l.s * NP));
  float* colp = col.data();
#pragma omp parallel num_threads(threads())
  {
    int64_t lo, hi;
    split_range(B, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
    for (int64_t b = lo; b < hi; ++b) im2col(x + b * in_size, l, colp + b * P, NP);
    if (hi > lo)
      for (int64_t g = 0; g < G; ++g)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ii(Kg), ii((hi - lo) * P), ii(CRS), 1.0f,
                    wq + g * Kg * CRS, ii(CRS), colp + g * CRS * NP + lo * P, ii(NP), 0.0f, z + g * Kg * NP + lo * P,
                    ii(NP));
  }
}

void conv2d_backward(float* dwq, float* dx, std::vector<float>& dcol, std::vector<float>& dw_part, const float* dz,
                     const float* col, const float* wq, const Layer& l, int64_t B) {
  // dwq[K, CRS] = dz[K, B*P] col[CRS, B*P]^T: each thread reduces over its own images into its
  // partial buffer (so it packs only its share of col, the large operand), and the partials are
  // summed in thread order: the result depends only on the thread count.
  // dcol[CRS, images*P] = wq^T dz over the same images, then each thread adds its images' columns
  // into dx.
  const int T = threads();
  const int64_t P = l.out_h() * l.out_w(), in_size = l.c * l.h * l.w;
  const int64_t G = l.groups, Cg = l.c / G, Kg = l.k / G, CRS = Cg * l.r * l.s, NP = B * P;
  const int64_t WN = l.weight_count();
  const int64_t rows = l.c * l.r * l.s;
  const int64_t cb = std::max<int64_t>(1, (128 * 1024) / std::max<int64_t>(1, rows * P));  // ~512 KiB
  if (dx) dcol.resize(static_cast<size_t>(T * rows * cb * P));
  float* dcolp = dcol.data();
  dw_part.resize(static_cast<size_t>(T * WN));
  float* part = dw_part.data();
#pragma omp parallel num_threads(T)
  {
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t lo, hi;
    split_range(B, nt, t, &lo, &hi);
    float* mine = part + t * WN;
    if (hi > lo) {
      for (int64_t g = 0; g < G; ++g)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ii(Kg), ii(CRS), ii((hi - lo) * P), 1.0f,
                    dz + g * Kg * NP + lo * P, ii(NP), col + g * CRS * NP + lo * P, ii(NP), 0.0f, mine + g * Kg * CRS,
                    ii(CRS));
    } else {
      std::fill(mine, mine + WN, 0.0f);
    }
    if (dx && hi > lo) {
      // A few images at a time, so this thread's dcol block stays in cache between the GEMM
      // that writes it and col2im that reads it.
      float* mine_col = dcolp + t * rows * cb * P;
      for (int64_t b0 = lo; b0 < hi; b0 += cb) {
        const int64_t nb = std::min(cb, hi - b0), ld = nb * P;
        for (int64_t g = 0; g < G; ++g)
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ii(CRS), ii(ld), ii(Kg), 1.0f, wq + g * Kg * CRS,
                      ii(CRS), dz + g * Kg * NP + b0 * P, ii(NP), 0.0f, mine_col + g * CRS * ld, ii(ld));
        for (int64_t b = 0; b < nb; ++b) col2im_add(mine_col + b * P, l, dx + (b0 + b) * in_size, ld);
      }
    }
#pragma omp barrier
    int64_t wlo, whi;
    split_range(WN, nt, t, &wlo, &whi);
    for (int64_t i = wlo; i < whi; ++i) {
      float acc = part[i];
      for (int u = 1; u < nt; ++u) acc += part[u * WN + i];
      dwq[i] = acc;
    }
  }
}

}  // namespace wrpn::trainer
