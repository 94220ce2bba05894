#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/diagnostics.h"

namespace fs = std::filesystem;

namespace wrpn {

static std::string unique_suffix() {
  static thread_local std::mt19937_64 gen(std::random_device{}() ^ static_cast<uint64_t>(::getpid()));
  std::ostringstream os;
  os << ".tmp-" << ::getpid() << "-" << std::hex << gen();
  return os.str();
}

void write_file_atomic(const fs::path& path, const std::string& contents) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) fail("IO001", path.string(), "", "cannot create parent directory: " + ec.message());
  const fs::path tmp = path.string() + unique_suffix();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("IO001", path.string(), "", std::string("cannot write: ") + std::strerror(errno));
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("IO001", path.string(), "", "write failed: " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail("IO001", path.string(), "", std::string("cannot flush: ") + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    fail("IO001", path.string(), "", "cannot rename into place: " + err);
  }
}

static const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

bool try_read_file(const fs::path& path, std::string* out, std::string* why, uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the type check below refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *why = std::string("cannot open file for reading: ") + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *why = std::string("cannot stat file: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *why = std::string("is ") + file_type_name(st.st_mode) + ", not a regular file";
    ::close(fd);
    return false;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) {
    *why = "file is " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
           " this input may have";
    ::close(fd);
    return false;
  }
  std::string data(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::read(fd, &data[done], data.size() - done);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      *why = std::string("error while reading file: ") + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;  // the file shrank while being read
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(done);
  *out = std::move(data);
  return true;
}

std::string read_file(const fs::path& path, uint64_t max_bytes) {
  std::string data, why;
  if (!try_read_file(path, &data, &why, max_bytes)) fail("IO002", path.string(), "", why);
  return data;
}

StagedDirectory::StagedDirectory(fs::path final_path, bool replace, std::string owner)
    : final_(std::move(final_path)), replace_(replace), owner_(std::move(owner)) {
  std::error_code ec;
  if (!replace_ && fs::exists(final_, ec))
    fail("IO003", final_.string(), "", "output directory already exists", "choose another --out, or remove it first");
  if (replace_ && !owner_.empty()) require_own_output_directory(final_, owner_);
  const fs::path parent = final_.has_parent_path() ? final_.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) fail("IO001", parent.string(), "", "cannot create directory: " + ec.message());
  staging_ = parent / ("." + final_.filename().string() + unique_suffix());
  fs::create_directories(staging_, ec);
  if (ec) fail("IO001", staging_.string(), "", "cannot create staging directory: " + ec.message());
  if (!owner_.empty()) mark_output_directory(staging_, owner_);
}

StagedDirectory::~StagedDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

void StagedDirectory::commit() {
  std::error_code ec;
  fs::path old;
  if (fs::exists(final_, ec)) {
    if (!replace_) fail("IO003", final_.string(), "", "output directory appeared while the run was writing");
    if (!owner_.empty()) require_own_output_directory(final_, owner_);
    old = final_.string() + unique_suffix() + ".old";
    fs::rename(final_, old, ec);
    if (ec) fail("IO001", final_.string(), "", "cannot move old directory aside: " + ec.message());
  }
  fs::rename(staging_, final_, ec);
  if (ec) fail("IO001", final_.string(), "", "cannot rename staging directory into place: " + ec.message());
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

void check_writable_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("IO004", dir.string(), "", "cannot create output directory: " + ec.message());
  const fs::path probe = dir / (".write-probe" + unique_suffix());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("IO004", dir.string(), "", std::string("output directory is not writable: ") + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

void mark_output_directory(const fs::path& dir, const std::string& command) {
  write_file_atomic(dir / kOutputMarker, nlohmann::json{{"format", "wrpn-output"}, {"command", command}}.dump() + "\n");
}

void require_own_output_directory(const fs::path& dir, const std::string& command, const std::string& option) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  const std::string hint = "choose another " + option + ", or move or remove the directory yourself";
  if (!fs::is_directory(dir, ec)) fail("IO006", dir.string(), "", "exists and is not a directory", hint);
  if (fs::is_empty(dir, ec) && !ec) return;
  std::string owner;
  try {
    const auto j = nlohmann::json::parse(read_file(dir / kOutputMarker));
    if (j.is_object() && j.value("format", "") == "wrpn-output") owner = j.value("command", "");
  } catch (const std::exception&) {
    // No marker, or an unreadable one: not our directory.
  }
  if (owner == command) return;
  fail("IO006", dir.string(), "",
       owner.empty()
           ? "directory was not written by `wrpn " + command + "`; refusing to replace it"
           : "directory was written by `wrpn " + owner + "`, not `wrpn " + command + "`; refusing to replace it",
       hint);
}

FileLock::FileLock(const fs::path& path, bool wait) : path_(path) {
  fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("IO007", path.string(), "", std::string("cannot create lock file: ") + std::strerror(errno));
  for (;;) {
    if (::flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) {
      locked_ = true;
      return;
    }
    if (errno == EINTR) continue;
    if (!wait && errno == EWOULDBLOCK) return;
    const std::string err = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    fail("IO007", path.string(), "", "cannot lock: " + err,
         "the file system may not support flock (some network file systems); use a local directory");
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

FileLock::FileLock(FileLock&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_), locked_(other.locked_) {
  other.fd_ = -1;
  other.locked_ = false;
}

void FileLock::set_holder(const std::string& text) {
  if (fd_ < 0 || ::ftruncate(fd_, 0) != 0) return;
  // Best effort: the text only makes a diagnostic more helpful.
  if (::pwrite(fd_, text.data(), text.size(), 0) < 0) return;
}

std::string FileLock::holder() const {
  std::ifstream in(path_);
  std::string s;
  std::getline(in, s);
  return s;
}

}  // namespace wrpn
