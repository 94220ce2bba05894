// Atomic outputs: a file or a whole directory appears complete or not at all (docs/architecture.md section 9).
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
  /// If `final_path` exists and `replace` is false, throws IO003. With `owner` set (the command's
  /// name), the directory carries that command's output marker, and an existing `final_path` is
  /// replaced only when it is empty or carries the same marker (IO006 otherwise): a command replaces
  /// only what it wrote itself, never a user's directory.
  explicit StagedDirectory(std::filesystem::path final_path, bool replace = false, std::string owner = {});
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
  std::string owner_;
  bool committed_ = false;
};

/// File a command leaves in an output directory it owns as a whole (`wrpn paper --out`, the demo's
/// report/ and work/): {"format": "wrpn-output", "command": ...}.
inline constexpr const char* kOutputMarker = ".wrpn-output.json";

/// Writes `command`'s output marker into `dir` (created when missing).
void mark_output_directory(const std::filesystem::path& dir, const std::string& command);

/// Throws IO006 unless `dir` is missing, empty, or carries `command`'s output marker: what a command
/// may delete or replace is only what it wrote. `option` names the command-line option that chose it.
void require_own_output_directory(const std::filesystem::path& dir, const std::string& command,
                                  const std::string& option = "--out");

/// An exclusive flock(2) on `path` (created when missing), held while the object lives and released
/// when the process dies. EINTR is retried; any other flock error is IO007 (never a silent spin).
class FileLock {
 public:
  /// wait = true blocks until the lock is free; wait = false returns at once, with locked() false
  /// when another process holds it.
  explicit FileLock(const std::filesystem::path& path, bool wait = true);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  bool locked() const { return locked_; }
  /// Records `text` (e.g. the holder's pid) in the lock file; read back with holder().
  void set_holder(const std::string& text);
  /// What the current holder recorded ("" if nothing).
  std::string holder() const;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool locked_ = false;
};

/// Verifies that `dir` can be created and written before a long job starts (IO004 otherwise).
void check_writable_directory(const std::filesystem::path& dir);

}  // namespace wrpn
