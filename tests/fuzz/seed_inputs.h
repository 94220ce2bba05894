// Deterministic seed inputs made with the project's own writers (write_trace, save_checkpoint,
// npy_encode_*), used by make_seeds.cpp for the seed corpora and by the trace targets for the tensor
// files their inputs refer to; and the checksum fix-ups the trace and checkpoint targets apply so that
// mutated inputs get past the checksums to the checks behind them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
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

/// A small trace that chains like a real export (each layer's input codes are its producer's output
/// codes): conv (requant, expected_acc), maxpool, add, avgpool, fc (logits), labels; two images.
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
    if (t.layers.empty()) {
      tl.input = seed_codes(l.input_count(), abits_in, false);
    } else {
      const std::vector<int64_t>& prev = t.layers.back().expected_output;
      tl.input.assign(prev.begin(), prev.end());
    }
    if (op == LayerOp::add) tl.input_b = tl.input;
    if (l.has_weights()) {
      tl.weights = seed_codes(l.weight_count(), wbits, true);
      tl.weight_scale = 0.5f;
      for (int64_t c2 = 0; c2 < k; ++c2) tl.requant.push_back({12345 + c2, -7 * c2, 16});
      tl.expected_acc = seed_codes64(l.output_count(), 16);
    }
    tl.expected_output = seed_codes64(l.output_count(), abits_out == 32 ? 16 : abits_out);
    t.layers.push_back(std::move(tl));
  };
  layer("conv1", LayerOp::conv, 1, 6, 2, 3, 1, 1, 8, 8, 4, {});
  layer("pool1", LayerOp::maxpool, 2, 6, 2, 2, 2, 0, 32, 4, 4, {});
  layer("add1", LayerOp::add, 2, 3, 2, 1, 1, 0, 32, 4, 4, {"pool1", "pool1"});
  layer("avg1", LayerOp::avgpool, 2, 3, 2, 3, 1, 0, 32, 4, 4, {});
  layer("fc1", LayerOp::fc, 2, 1, 10, 1, 1, 0, 2, 4, 32, {});
  return t;
}

/// Rewrites a trace.json's "content_sha256" (trace format 2: SHA-256 of the compact dump without that
/// key, docs/trace-format.md) to match the rest of the text, so that a mutated trace.json reaches the
/// checks behind that checksum. No change when the text is not a JSON object with a 64-character
/// "content_sha256" string (format 1 has none).
inline void fix_trace_content_sha256(std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return;
  const auto it = j.find("content_sha256");
  if (it == j.end() || !it->is_string() || it->get<std::string>().size() != 64) return;
  nlohmann::json copy = j;
  copy.erase("content_sha256");
  const std::string digest = sha256_hex(copy.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  const size_t key = text.find("\"content_sha256\"");
  const size_t at = key == std::string::npos ? key : text.find("\"" + it->get<std::string>() + "\"", key + 16);
  if (at != std::string::npos) text.replace(at + 1, 64, digest);
}

/// Rewrites a checkpoint's checksums to match its content, so that a mutated checkpoint reaches the
/// checks behind them: the header's "payload_sha256" (64 characters, compact JSON as written) and,
/// in format 2, the checksum line of SHA-256(header line + "\n" + payload). No change otherwise.
inline void fix_checkpoint_checksums(std::string& bytes) {
  const size_t magic_end = bytes.find('\n');
  const size_t header_end = magic_end == std::string::npos ? magic_end : bytes.find('\n', magic_end + 1);
  if (header_end == std::string::npos) return;
  const bool v2 = bytes.compare(0, magic_end + 1, "WRPN-CHECKPOINT 2\n") == 0;
  const size_t payload_at = v2 ? header_end + 1 + 64 + 1 : header_end + 1;
  if (payload_at > bytes.size() || (v2 && bytes[payload_at - 1] != '\n')) return;
  const std::string key = "\"payload_sha256\":\"";
  const size_t at = bytes.find(key, magic_end);
  if (at != std::string::npos && at + key.size() + 64 < header_end && bytes[at + key.size() + 64] == '"')
    bytes.replace(at + key.size(), 64, sha256_hex(bytes.substr(payload_at)));
  if (v2) {
    const std::string header = bytes.substr(magic_end + 1, header_end - magic_end - 1);
    bytes.replace(header_end + 1, 64, sha256_hex(header + "\n" + bytes.substr(payload_at)));
  }
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
