#include "trainer/dataset.h"

#include <filesystem>

#include <zlib.h>

#include "common/diagnostics.h"

namespace fs = std::filesystem;

namespace wrpn::trainer {

namespace {

const char* kHint =
    "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass --data DIR "
    "holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (MNIST files work too)";

/// Whole file, transparently gunzipped (zlib's gzread reads plain files as they are).
/// Regular files only (a FIFO or /dev/zero would block or never end), at most kMaxBytes unpacked
/// (the 60,000-image training set is 47 MB).
std::string read_maybe_gz(const std::string& path) {
  constexpr size_t kMaxBytes = size_t{1} << 30;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    fail("TRN020", path, "", ec ? "cannot open dataset file: " + ec.message() : "dataset file is not a regular file",
         kHint);
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail("TRN020", path, "", "cannot open dataset file", kHint);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    if (out.size() > kMaxBytes) {
      gzclose(f);
      fail("TRN021", path, "", "dataset file unpacks to more than 1 GiB; not an IDX file of 28x28 images", kHint);
    }
    const int got = gzread(f, buf, sizeof buf);
    if (got < 0) {
      gzclose(f);
      fail("TRN021", path, "", "dataset file is corrupt (gzip error)", kHint);
    }
    if (got == 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  gzclose(f);
  return out;
}

uint32_t be32(const std::string& b, size_t off) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[off])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[off + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[off + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[off + 3]));
}

std::string pick(const std::string& dir, const std::string& stem) {
  const fs::path gz = fs::path(dir) / (stem + ".gz");
  const fs::path plain = fs::path(dir) / stem;
  std::error_code ec;
  if (fs::exists(gz, ec)) return gz.string();
  if (fs::exists(plain, ec)) return plain.string();
  fail("TRN020", gz.string(), "", "dataset file not found", kHint);
}

}  // namespace

Dataset Dataset::head(int64_t n) const {
  if (n <= 0 || n >= count) return *this;
  Dataset d = *this;
  d.count = n;
  d.pixels.resize(static_cast<size_t>(n * image_size()));
  d.labels.resize(static_cast<size_t>(n));
  return d;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path) {
  const std::string img = read_maybe_gz(images_path);
  const std::string lab = read_maybe_gz(labels_path);
  if (img.size() < 16 || be32(img, 0) != 0x00000803)
    fail("TRN021", images_path, "", "not an IDX image file (bad magic or truncated header)", kHint);
  if (lab.size() < 8 || be32(lab, 0) != 0x00000801)
    fail("TRN021", labels_path, "", "not an IDX label file (bad magic or truncated header)", kHint);
  Dataset d;
  d.count = be32(img, 4);
  d.rows = be32(img, 8);
  d.cols = be32(img, 12);
  d.source = images_path;
  if (d.rows != 28 || d.cols != 28)
    fail("TRN021", images_path, "",
         "images are " + std::to_string(d.rows) + "x" + std::to_string(d.cols) + ", the trainer's models need 28x28",
         kHint);
  if (static_cast<int64_t>(img.size()) != 16 + d.count * d.rows * d.cols)
    fail("TRN021", images_path, "",
         "truncated or oversized: header says " + std::to_string(d.count) + " images, file holds " +
             std::to_string(img.size()) + " bytes",
         kHint);
  if (static_cast<int64_t>(be32(lab, 4)) != d.count || static_cast<int64_t>(lab.size()) != 8 + d.count)
    fail("TRN021", labels_path, "", "label count differs from the image file's " + std::to_string(d.count), kHint);
  if (d.count == 0) fail("TRN021", images_path, "", "dataset holds no images", kHint);
  d.pixels.assign(img.begin() + 16, img.end());
  d.labels.resize(static_cast<size_t>(d.count));
  for (int64_t i = 0; i < d.count; ++i) {
    const int32_t y = static_cast<uint8_t>(lab[static_cast<size_t>(8 + i)]);
    if (y > 9)
      fail("TRN021", labels_path, "",
           "label " + std::to_string(y) + " at index " + std::to_string(i) + " is outside 0..9", kHint);
    d.labels[static_cast<size_t>(i)] = y;
  }
  return d;
}

Dataset load_dataset(const std::string& dir, const std::string& split) {
  if (split != "train" && split != "test")
    fail("TRN022", "", "split", "unknown dataset split \"" + split + "\"", "use train or test");
  if (!fs::is_directory(dir)) fail("TRN020", dir, "", "dataset directory not found", kHint);
  const std::string prefix = split == "train" ? "train" : "t10k";
  return load_idx_pair(pick(dir, prefix + "-images-idx3-ubyte"), pick(dir, prefix + "-labels-idx1-ubyte"));
}

}  // namespace wrpn::trainer
