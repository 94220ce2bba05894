// Checkpoints: one file holding the training config, the epoch reached, the optimizer step count
// and every named float tensor (model parameters, BN statistics, optimizer buffers), with a SHA-256
// over header and payload (format 2; format 1 files, whose checksum covered the payload only, are
// still read). Written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wrpn::trainer {

struct Checkpoint {
  nlohmann::json config;  ///< to_json(TrainConfig)
  int64_t epochs_done = 0;
  int64_t steps = 0;
  std::vector<std::pair<std::string, std::vector<float>>> tensors;
};

void save_checkpoint(const std::string& path, const Checkpoint& c);
/// TRN005 if the file is missing, not a regular file, truncated, tampered (header or payload) or not
/// a checkpoint; TRN009 if a tensor holds a NaN or infinity.
Checkpoint load_checkpoint(const std::string& path);
/// Copies tensors into `dst` by name; TRN006 if a name is missing or a size differs (a checkpoint
/// of another model or width).
void restore_tensors(const Checkpoint& c, const std::vector<std::pair<std::string, std::vector<float>*>>& dst,
                     const std::string& path);

}  // namespace wrpn::trainer
