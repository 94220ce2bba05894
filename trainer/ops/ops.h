// The trainer's layer operations: one file per op under trainer/ops/, each a `*_forward` /
// `*_backward` pair on plain float arrays, with the op's shape letters stated once at the top of its
// file. Model::forward and Model::backward (trainer/model.cpp) dispatch over these by layer op.
//
// Shared letters: B images in the mini-batch, C input channels, H x W input, K output channels
// (features for fc), R x S window, OH x OW output, P = OH*OW output pixels per image. Tensors are
// NCHW unless a comment says otherwise. Every op splits its work over the OpenMP threads with
// static schedules and runs BLAS single-threaded inside them (trainer/parallel.h), so results depend
// only on the thread count. Backward ops accumulate into input gradients (+=) when they are given;
// a null input gradient means the input is the network input, which needs none.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/network.h"

namespace wrpn::trainer {

/// Batch norm's epsilon and running-statistics momentum: training, inference and trace export use
/// these, so the folded requantization describes the normalization the trainer applied.
inline constexpr double kBnEps = 1e-5;
inline constexpr double kBnMomentum = 0.1;

// conv2d.cpp: z[K, B*P] = wq[K, C/G*R*S] . col[C*R*S, B*P] per group (im2col of the whole batch);
// z is channel-major (image b's pixels at columns b*P..b*P+P-1). col is kept for the backward.
void conv2d_forward(float* z, std::vector<float>& col, const float* x, const float* wq, const Layer& l, int64_t B);
/// dwq = dz . col^T; dx += col2im(wq^T . dz) when dx. dcol and dw_part are reusable scratch.
void conv2d_backward(float* dwq, float* dx, std::vector<float>& dcol, std::vector<float>& dw_part, const float* dz,
                     const float* col, const float* wq, const Layer& l, int64_t B);

// fc.cpp: z[B, K] = x[B, C] . wq[K, C]^T.
void fc_forward(float* z, const float* x, const float* wq, int64_t B, int64_t C, int64_t K);
/// dwq[K, C] = dz^T . x; dx[B, C] += dz . wq when dx.
void fc_backward(float* dwq, float* dx, const float* dz, const float* x, const float* wq, int64_t B, int64_t C,
                 int64_t K);

// bias.cpp: the classifier's logits out[B, K] = z[B, K] + bias[K].
void bias_forward(float* out, const float* z, const float* bias, int64_t B, int64_t K);
/// dz = dout; dbias[k] = sum over images of dout[b, k].
void bias_backward(float* dz, float* dbias, const float* dout, int64_t B, int64_t K);

/// Where element (channel k, image b, pixel p) of a weighted layer's z / dz lives: k * ks + b * bs + p.
/// conv: channel-major [K, B*P]; fc (P = 1): [B, K].
struct ZLayout {
  int64_t ks, bs;
};
ZLayout z_layout(const Layer& l, int64_t B, int64_t P);

/// The activation that follows batch norm: `bits` 32 is ReLU; otherwise WRPN's k-bit activation
/// quantizer, or with `clip_surrogate` the clip to [0, 1] its straight-through estimator differentiates.
struct Activation {
  int bits = 32;
  bool clip_surrogate = false;
};

// batchnorm.cpp: batch norm over (B, P) per channel, then the activation, from z (its ZLayout) to
// out [B, K, P]. train: batch statistics (running statistics updated); otherwise running statistics.
// mean and invstd [K] are kept for the backward, which recomputes the normalized value from z.
void batchnorm_forward(float* out, float* mean, float* invstd, float* run_mean, float* run_var, const float* z,
                       const float* gamma, const float* beta, ZLayout zl, int64_t B, int64_t K, int64_t P, bool train,
                       Activation act);
/// dz (z's layout) from dout [B, K, P] through the activation's STE (or ReLU) and batch norm.
void batchnorm_backward(float* dz, float* dgamma, float* dbeta, const float* dout, const float* z, const float* gamma,
                        const float* beta, const float* mean, const float* invstd, ZLayout zl, int64_t B, int64_t K,
                        int64_t P, bool relu);

// maxpool.cpp: out[B, K, OH, OW] = window maxima of x[B, C, H, W] (C = K; first maximum wins,
// padding ignored); argmax holds the flat index into x of each maximum (-1: none).
void maxpool_forward(float* out, int64_t* argmax, const float* x, const Layer& l, int64_t B);
void maxpool_backward(float* dx, const float* dout, const int64_t* argmax, const Layer& l, int64_t B);

// avgpool.cpp: out = window means (padding counts as 0). quant_bits: the inputs are k-bit codes and
// the mean is rounded as the integer executor does (avgpool_code); 32 = FP32 mean.
void avgpool_forward(float* out, const float* x, const Layer& l, int64_t B, int quant_bits);
void avgpool_backward(float* dx, const float* dout, const Layer& l, int64_t B);

// add.cpp: out[N] = a + b over N = B*K*P elements, clipped at 1 (the top activation code) when quant.
void add_forward(float* out, const float* a, const float* b, int64_t N, bool quant);
/// da, db += dout where the clip did not bind (straight-through); either may be null.
void add_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t N, bool quant);

// weight_quant.cpp: wq[N] = WRPN fake quantization of the master weights w[N] at `bits` with scale
// alpha (common/numerics.h's quantize_weight; 32 = copy). clip_surrogate: alpha * clip(w / alpha,
// -1, 1) instead of rounding (k >= 2).
void weight_quant_forward(float* wq, const float* w, int64_t N, int bits, float alpha, bool clip_surrogate);
/// dw = dwq where w lies inside the clip range (|w| <= alpha; binary |w| <= 1; FP32 everywhere), else 0.
void weight_quant_backward(float* dw, const float* dwq, const float* w, int64_t N, int bits, float alpha);

// softmax_xent.cpp: mean softmax cross-entropy of logits[B, C] against labels; counts correct
// predictions (argmax, first maximum wins) in *correct when non-null.
double softmax_xent_forward(const float* logits, const int32_t* labels, int64_t B, int64_t C, int64_t* correct);
/// dlogits[B, C] = (softmax(logits) - onehot(labels)) / B.
void softmax_xent_backward(float* dlogits, const float* logits, const int32_t* labels, int64_t B, int64_t C);
/// Index of the first maximum of z[0..C).
int64_t argmax_row(const float* z, int64_t C);

}  // namespace wrpn::trainer
