// `wrpn bench train`: training and inference throughput of lenet (w1 FP32, w2 W4A4) on 1 and 2 threads.
#pragma once

#include <string>
#include <vector>

namespace wrpn::trainer {

struct BenchRow {
  std::string config;
  int threads;
  double train_images_per_s, infer_images_per_s;
};

/// Times `seconds` of training steps (batch 64, SGD) and of inference (batch 500) per configuration,
/// on Fashion-MNIST images from `data_dir` (random pixels if it cannot be read).
std::vector<BenchRow> bench_train(const std::vector<int>& thread_counts, double seconds, const std::string& data_dir);

}  // namespace wrpn::trainer
