// Optimizers (SGD with momentum / Nesterov and weight decay, Adam) and learning-rate schedules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/model.h"

namespace wrpn::trainer {

struct OptimConfig {
  std::string kind = "sgd";  ///< sgd | adam
  double lr = 0.05;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;                     ///< L2 on conv/fc weights only
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  ///< adam
  std::string schedule = "cosine";                ///< cosine | step | constant
  int64_t step_epochs = 10;                       ///< step schedule: multiply by step_gamma every step_epochs
  double step_gamma = 0.1;
};

/// Learning rate at fractional epoch `t` (0 = start) of a run of `epochs` epochs.
double scheduled_lr(const OptimConfig& c, int64_t epochs, double t);

class Optimizer {
 public:
  Optimizer(const OptimConfig& c, std::vector<ParamRef> params);
  void step(double lr);
  int64_t steps() const { return t_; }
  void set_steps(int64_t t) { t_ = t; }
  /// Optimizer buffers for checkpoints, by name ("<param>.momentum", ".adam_m", ".adam_v").
  std::vector<std::pair<std::string, std::vector<float>*>> state();

 private:
  OptimConfig c_;
  std::vector<ParamRef> params_;
  std::vector<std::vector<float>> m_, v_;
  int64_t t_ = 0;
};

}  // namespace wrpn::trainer
