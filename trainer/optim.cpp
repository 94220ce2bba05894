#include "trainer/optim.h"

#include <cmath>

#include "trainer/parallel.h"

namespace wrpn::trainer {

double scheduled_lr(const OptimConfig& c, int64_t epochs, double t) {
  if (c.schedule == "cosine") return c.lr * 0.5 * (1.0 + std::cos(M_PI * t / static_cast<double>(epochs)));
  if (c.schedule == "step") {
    const auto drops = static_cast<int64_t>(std::floor(t / static_cast<double>(c.step_epochs)));
    return c.lr * std::pow(c.step_gamma, static_cast<double>(drops));
  }
  return c.lr;
}

Optimizer::Optimizer(const OptimConfig& c, std::vector<ParamRef> params) : c_(c), params_(std::move(params)) {
  for (const auto& p : params_) {
    m_.emplace_back(p.value->size(), 0.0f);
    if (c_.kind == "adam") v_.emplace_back(p.value->size(), 0.0f);
  }
}

std::vector<std::pair<std::string, std::vector<float>*>> Optimizer::state() {
  std::vector<std::pair<std::string, std::vector<float>*>> s;
  for (size_t i = 0; i < params_.size(); ++i) {
    s.emplace_back(params_[i].name + (c_.kind == "adam" ? ".adam_m" : ".momentum"), &m_[i]);
    if (c_.kind == "adam") s.emplace_back(params_[i].name + ".adam_v", &v_[i]);
  }
  return s;
}

void Optimizer::step(double lr) {
  ++t_;
  const auto flr = static_cast<float>(lr);
  const auto wd = static_cast<float>(c_.weight_decay);
  for (size_t i = 0; i < params_.size(); ++i) {
    std::vector<float>& w = *params_[i].value;
    const std::vector<float>& g = *params_[i].grad;
    std::vector<float>& m = m_[i];
    const float decay = params_[i].decay ? wd : 0.0f;
    const size_t n = w.size();
    if (c_.kind == "adam") {
      std::vector<float>& v = v_[i];
      const auto b1 = static_cast<float>(c_.beta1), b2 = static_cast<float>(c_.beta2);
      const double bc1 = 1.0 - std::pow(c_.beta1, static_cast<double>(t_));
      const double bc2 = 1.0 - std::pow(c_.beta2, static_cast<double>(t_));
      const auto step = static_cast<float>(lr / bc1);
      const auto sbc2 = static_cast<float>(std::sqrt(bc2));
      const auto eps = static_cast<float>(c_.eps);
#pragma omp parallel for schedule(static) num_threads(threads()) if (n > 16384)
      for (size_t j = 0; j < n; ++j) {
        const float gj = g[j] + decay * w[j];
        m[j] = b1 * m[j] + (1.0f - b1) * gj;
        v[j] = b2 * v[j] + (1.0f - b2) * gj * gj;
        w[j] -= step * m[j] / (std::sqrt(v[j]) / sbc2 + eps);
      }
    } else {
      const auto mu = static_cast<float>(c_.momentum);
      const bool nesterov = c_.nesterov;
#pragma omp parallel for schedule(static) num_threads(threads()) if (n > 16384)
      for (size_t j = 0; j < n; ++j) {
        const float gj = g[j] + decay * w[j];
        m[j] = mu * m[j] + gj;
        w[j] -= flr * (nesterov ? gj + mu * m[j] : m[j]);
      }
    }
  }
}

}  // namespace wrpn::trainer
