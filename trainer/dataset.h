// Fashion-MNIST / MNIST IDX files (gzip or plain), as 8-bit pixel codes and labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wrpn::trainer {

/// Where Debian's `dataset-fashion-mnist` package installs the data.
inline constexpr const char* kDefaultDataDir = "/usr/share/datasets/fashion-mnist";

struct Dataset {
  int64_t count = 0;
  int64_t rows = 28, cols = 28;
  std::vector<uint8_t> pixels;  ///< count x rows x cols, 8-bit codes (value = code / 255)
  std::vector<int32_t> labels;  ///< count, 0..9
  std::string source;           ///< image file path, for messages
  int64_t image_size() const { return rows * cols; }
  /// The first `n` images (n >= count: all of them).
  Dataset head(int64_t n) const;
};

/// Loads split "train" or "test" from `dir` (files {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]).
/// Missing or corrupt files: DiagnosticError TRN020 (missing) / TRN021 (corrupt) naming the path and
/// the Debian package.
Dataset load_dataset(const std::string& dir, const std::string& split);

/// Reads one IDX file (gzip or plain) and returns its raw bytes after checking magic and sizes.
/// Exposed for tests.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path);

}  // namespace wrpn::trainer
