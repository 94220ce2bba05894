// Deterministic seed inputs made with the project's own writers (write_trace, save_checkpoint,
// npy_encode_*): used by make_seeds.cpp for the seed corpora and by fuzz_trace.cpp for the tensor
// files its trace.json inputs refer to.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workloads/network.h"
#include "workloads/trace.h"

namespace wrpn::fuzz {

/// Codes in range for `bits` (signed weight codes or unsigned activation codes), a fixed pattern.
inline std::vector<int32_t> seed_codes(int64_t count, int bits, bool weights) {
  std::vector<int32_t> v(static_cast<size_t>(count));
  const int32_t span = bits >= 31 ? 1000 : static_cast<int32_t>((int64_t{1} << (bits - 1)) - 1);
  for (int64_t i = 0; i < count; ++i) {
    const auto x = static_cast<int32_t>((i * 7 + 3) % (2 * span + 1));
    v[static_cast<size_t>(i)] = weights ? x - span : x;
  }
  return v;
}

inline std::vector<int64_t> seed_codes64(int64_t count, int bits) {
  const std::vector<int32_t> v = seed_codes(count, bits, false);
  return {v.begin(), v.end()};
}

/// A small trace with every layer op: conv (requant, expected_acc), maxpool, add, concat, avgpool,
/// fc (logits) and labels; two images.
inline Trace seed_trace() {
  Trace t;
  t.network = "fuzz-seed";
  t.width = 1.0;
  t.dataset = "synthetic";
  t.images = 2;
  t.labels = {3, 7};
  auto layer = [&](const std::string& name, LayerOp op, int64_t c, int64_t hw, int64_t k, int64_t rs, int64_t stride,
                   int64_t pad, int wbits, int abits_in, int abits_out, std::vector<std::string> inputs) {
    TraceLayer tl;
    Layer& l = tl.shape;
    l.name = name;
    l.op = op;
    l.n = t.images;
    l.c = c;
    l.h = l.w = hw;
    l.k = k;
    l.r = l.s = rs;
    l.stride = stride;
    l.pad = pad;
    l.wbits = wbits;
    l.abits_in = abits_in;
    l.abits_out = abits_out;
    l.inputs = std::move(inputs);
    tl.input = seed_codes(l.input_count(), abits_in, false);
    if (op == LayerOp::add) tl.input_b = seed_codes(l.input_count(), abits_in, false);
    if (l.has_weights()) {
      tl.weights = seed_codes(l.weight_count(), wbits, true);
      tl.weight_scale = 0.5f;
      for (int64_t c2 = 0; c2 < k; ++c2) tl.requant.push_back({12345 + c2, -7 * c2, 16});
      tl.expected_acc = seed_codes64(l.output_count(), 16);
    }
    tl.expected_output =
        abits_out == 32 ? seed_codes64(l.output_count(), 16) : seed_codes64(l.output_count(), abits_out);
    t.layers.push_back(std::move(tl));
  };
  layer("conv1", LayerOp::conv, 1, 6, 2, 3, 1, 1, 8, 8, 4, {});
  layer("pool1", LayerOp::maxpool, 2, 6, 2, 2, 2, 0, 32, 4, 4, {});
  layer("add1", LayerOp::add, 2, 3, 2, 1, 1, 0, 32, 4, 4, {"pool1", "pool1"});
  layer("cat1", LayerOp::concat, 4, 3, 4, 1, 1, 0, 32, 4, 4, {"add1", "pool1"});
  layer("avg1", LayerOp::avgpool, 4, 3, 4, 3, 1, 0, 32, 4, 4, {});
  layer("fc1", LayerOp::fc, 4, 1, 10, 1, 1, 0, 2, 4, 32, {});
  return t;
}

/// The .npy files of a trace directory, sorted by name (the order fuzz_trace_tensor's selector byte
/// indexes).
inline std::vector<std::string> sorted_npy_files(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".npy") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// Checkpoint header config: what `wrpn train` stores (a train config as JSON).
inline nlohmann::json seed_checkpoint_config() {
  return {{"kind", "train"}, {"version", 1}, {"model", "lenet"}, {"width", 1.0}, {"wbits", 4},
          {"abits", 4},      {"epochs", 1},  {"batch", 64},      {"lr", 0.01},   {"seed", 1}};
}

}  // namespace wrpn::fuzz
