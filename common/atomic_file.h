// Atomic outputs: a file or a whole directory appears complete or not at all (DESIGN.md 9).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace wrpn {

/// Writes `contents` to `path` via a temporary file in the same directory, fsync, then rename.
/// Creates parent directories. Throws DiagnosticError(IO001) naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

/// Largest input file read_file() accepts by default (inputs are configs, traces, checkpoints).
inline constexpr uint64_t kMaxInputFileBytes = uint64_t{16} << 30;

/// Reads a whole regular file; throws DiagnosticError(IO002) naming the path on failure. Only
/// regular files are read (a directory, FIFO, device or socket is refused before any byte is read,
/// so /dev/zero or a FIFO cannot hang the reader), and a file larger than `max_bytes` is refused
/// from its size before it is read.
std::string read_file(const std::filesystem::path& path, uint64_t max_bytes = kMaxInputFileBytes);

/// read_file() without the diagnostic: false and a one-line reason ("is a directory", "cannot
/// open: Permission denied", ...) in `why` on failure.
bool try_read_file(const std::filesystem::path& path, std::string* out, std::string* why,
                   uint64_t max_bytes = kMaxInputFileBytes);

/// A directory built under a hidden temporary name and renamed into place by commit(). If the
/// object is destroyed without commit() (an error, an exception), the partial directory is removed,
/// so a failed run never leaves half-written outputs behind.
class StagedDirectory {
 public:
  /// If `final_path` exists and `replace` is false, throws IO003.
  explicit StagedDirectory(std::filesystem::path final_path, bool replace = false);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  /// Where to write files now.
  const std::filesystem::path& staging() const { return staging_; }
  const std::filesystem::path& final_path() const { return final_; }
  /// Renames the staging directory to the final path (replacing an old one when allowed).
  void commit();

 private:
  std::filesystem::path final_;
  std::filesystem::path staging_;
  bool replace_;
  bool committed_ = false;
};

/// Verifies that `dir` can be created and written before a long job starts (IO004 otherwise).
void check_writable_directory(const std::filesystem::path& dir);

}  // namespace wrpn
