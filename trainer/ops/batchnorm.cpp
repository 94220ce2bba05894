// Batch norm over (B, P) per channel, fused with the activation that follows it (ReLU, or WRPN's
// k-bit activation quantizer with its straight-through estimator). Shapes: B images, K channels,
// P = OH*OW pixels per image; z and dz in the weighted layer's ZLayout (conv [K, B*P], fc [B, K]);
// out and dout [B, K, P]; per-channel vectors [K]. The normalized value and the BN output are not
// stored: the backward recomputes them from z with the same float operations, so they are equal.
#include "trainer/ops/ops.h"

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/numerics.h"
#include "trainer/parallel.h"
#include "trainer/quantize.h"

namespace wrpn::trainer {

ZLayout z_layout(const Layer& l, int64_t B, int64_t P) {
  if (l.op == LayerOp::conv) return {B * P, P};
  return {1, l.k};
}

void batchnorm_forward(float* out, float* mean, float* invstd, float* run_mean, float* run_var, const float* z,
                       const float* gamma, const float* beta, ZLayout zl, int64_t B, int64_t K, int64_t P, bool train,
                       Activation act) {
  // Sums: float within one image's P pixels (vectorized), double across images.
  const int bits = act.bits;
  const bool clip = act.clip_surrogate;
  const bool use_table = bits != kFp32Bits && !clip && act_code_max(bits) <= kMaxTableCodes;
  const StepTable table =
      use_table ? activation_table(bits) : StepTable([](float) { return 0; }, 0, 0, [](int32_t) { return 0.0f; });
  const double m = static_cast<double>(B * P);
  const int64_t osz = K * P;
#pragma omp parallel for schedule(static) num_threads(threads())
  for (int64_t k = 0; k < K; ++k) {
    double mu, var;
    if (train) {
      double s = 0.0, s2 = 0.0;
      for (int64_t b = 0; b < B; ++b) {
        const float* zp = z + k * zl.ks + b * zl.bs;
        float fs = 0.0f;
#pragma omp simd reduction(+ : fs)
        for (int64_t p = 0; p < P; ++p) fs += zp[p];
        s += fs;
      }
      mu = s / m;
      const float fm = static_cast<float>(mu);
      for (int64_t b = 0; b < B; ++b) {
        const float* zp = z + k * zl.ks + b * zl.bs;
        float fs = 0.0f;
#pragma omp simd reduction(+ : fs)
        for (int64_t p = 0; p < P; ++p) fs += (zp[p] - fm) * (zp[p] - fm);
        s2 += fs;
      }
      var = s2 / m;
      const double unbiased = m > 1 ? s2 / (m - 1) : var;
      run_mean[k] = static_cast<float>((1 - kBnMomentum) * run_mean[k] + kBnMomentum * mu);
      run_var[k] = static_cast<float>((1 - kBnMomentum) * run_var[k] + kBnMomentum * unbiased);
    } else {
      mu = run_mean[k];
      var = run_var[k];
    }
    const float fmean = static_cast<float>(mu);
    const float inv = static_cast<float>(1.0 / std::sqrt(var + kBnEps));
    mean[k] = fmean;
    invstd[k] = inv;
    const float g = gamma[k], be = beta[k];
    for (int64_t b = 0; b < B; ++b) {
      const float* zp = z + k * zl.ks + b * zl.bs;
      float* op = out + b * osz + k * P;
      for (int64_t p = 0; p < P; ++p) op[p] = g * ((zp[p] - fmean) * inv) + be;  // BN output
      if (bits == kFp32Bits) {
        for (int64_t p = 0; p < P; ++p) op[p] = std::max(op[p], 0.0f);
      } else if (clip) {
        for (int64_t p = 0; p < P; ++p) op[p] = std::clamp(op[p], 0.0f, 1.0f);
      } else if (use_table) {
        table.apply(op, op, P);
      } else {
        for (int64_t p = 0; p < P; ++p) op[p] = activation_value(quantize_activation(op[p], bits), bits);
      }
    }
  }
}

void batchnorm_backward(float* dz, float* dgamma, float* dbeta, const float* dout, const float* z, const float* gamma,
                        const float* beta, const float* mean, const float* invstd, ZLayout zl, int64_t B, int64_t K,
                        int64_t P, bool relu) {
  const double m = static_cast<double>(B * P);
  const int64_t osz = K * P;
#pragma omp parallel for schedule(static) num_threads(threads())
  for (int64_t k = 0; k < K; ++k) {
    const float g = gamma[k], be = beta[k], fmean = mean[k], finv = invstd[k];
    // Pass 1: d loss / d y through the STE (clip to [0, 1]) or ReLU, kept in dz, and its sums.
    double sdy = 0.0, sdyx = 0.0;
    for (int64_t b = 0; b < B; ++b) {
      const float* zp = z + k * zl.ks + b * zl.bs;
      float* dzp = dz + k * zl.ks + b * zl.bs;
      const float* dop = dout + b * osz + k * P;
      float a = 0.0f, c = 0.0f;
      if (relu) {
#pragma omp simd reduction(+ : a, c)
        for (int64_t p = 0; p < P; ++p) {
          const float xh = (zp[p] - fmean) * finv;
          const float d = g * xh + be > 0.0f ? dop[p] : 0.0f;
          dzp[p] = d;
          a += d;
          c += d * xh;
        }
      } else {
        int64_t p0 = 0;
#if defined(__SSE2__)
        // GCC leaves this masked loop scalar with branches; the same IEEE single operations,
        // four lanes at a time (partial sums per lane, added in lane order).
        __m128 va = _mm_setzero_ps(), vc = _mm_setzero_ps();
        const __m128 vmean = _mm_set1_ps(fmean), vinv = _mm_set1_ps(finv), vg = _mm_set1_ps(g), vbe = _mm_set1_ps(be),
                     zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f);
        for (; p0 + 4 <= P; p0 += 4) {
          const __m128 xh = _mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(zp + p0), vmean), vinv);
          const __m128 y = _mm_add_ps(_mm_mul_ps(vg, xh), vbe);
          const __m128 d = _mm_and_ps(_mm_and_ps(_mm_cmpge_ps(y, zero), _mm_cmple_ps(y, one)), _mm_loadu_ps(dop + p0));
          _mm_storeu_ps(dzp + p0, d);
          va = _mm_add_ps(va, d);
          vc = _mm_add_ps(vc, _mm_mul_ps(d, xh));
        }
        alignas(16) float la[4], lc[4];
        _mm_store_ps(la, va);
        _mm_store_ps(lc, vc);
        a = (la[0] + la[1]) + (la[2] + la[3]);
        c = (lc[0] + lc[1]) + (lc[2] + lc[3]);
#endif
        for (int64_t p = p0; p < P; ++p) {
          const float xh = (zp[p] - fmean) * finv;
          const float y = g * xh + be;
          const float d = (y >= 0.0f) & (y <= 1.0f) ? dop[p] : 0.0f;
          dzp[p] = d;
          a += d;
          c += d * xh;
        }
      }
      sdy += a;
      sdyx += c;
    }
    dgamma[k] = static_cast<float>(sdyx);
    dbeta[k] = static_cast<float>(sdy);
    // Pass 2: d loss / d z = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)).
    const float scale = static_cast<float>(static_cast<double>(g) * finv);
    const auto mdy = static_cast<float>(sdy / m), mdyx = static_cast<float>(sdyx / m);
    for (int64_t b = 0; b < B; ++b) {
      const float* zp = z + k * zl.ks + b * zl.bs;
      float* dzp = dz + k * zl.ks + b * zl.bs;
#pragma omp simd
      for (int64_t p = 0; p < P; ++p) dzp[p] = scale * (dzp[p] - mdy - ((zp[p] - fmean) * finv) * mdyx);
    }
  }
}

}  // namespace wrpn::trainer
