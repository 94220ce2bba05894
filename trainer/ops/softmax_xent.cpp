// Softmax cross-entropy of the classifier's logits. Shapes: B images, C classes; logits and
// dlogits [B, C]; labels [B]. Sums in double; the loss is the mean over the B images.
#include <cmath>

#include "trainer/ops/ops.h"

namespace wrpn::trainer {

int64_t argmax_row(const float* z, int64_t C) {
  int64_t best = 0;
  for (int64_t c = 1; c < C; ++c)
    if (z[c] > z[best]) best = c;
  return best;
}

namespace {

/// Sum over classes of exp(z[c] - max z).
double exp_sum(const float* z, double mx, int64_t C) {
  double se = 0.0;
  for (int64_t c = 0; c < C; ++c) se += std::exp(static_cast<double>(z[c]) - mx);
  return se;
}

}  // namespace

double softmax_xent_forward(const float* logits, const int32_t* labels, int64_t B, int64_t C, int64_t* correct) {
  double total = 0.0;
  int64_t ok = 0;
  for (int64_t b = 0; b < B; ++b) {
    const float* z = logits + b * C;
    const int64_t best = argmax_row(z, C);
    if (best == labels[b]) ++ok;
    const double mx = z[best];
    total += -(static_cast<double>(z[labels[b]]) - mx - std::log(exp_sum(z, mx, C)));
  }
  if (correct) *correct = ok;
  return total / static_cast<double>(B);
}

void softmax_xent_backward(float* dlogits, const float* logits, const int32_t* labels, int64_t B, int64_t C) {
  for (int64_t b = 0; b < B; ++b) {
    const float* z = logits + b * C;
    const double mx = z[argmax_row(z, C)];
    const double se = exp_sum(z, mx, C);
    for (int64_t c = 0; c < C; ++c) {
      const double p = std::exp(static_cast<double>(z[c]) - mx) / se;
      dlogits[b * C + c] = static_cast<float>((p - (c == labels[b] ? 1.0 : 0.0)) / static_cast<double>(B));
    }
  }
}

}  // namespace wrpn::trainer
