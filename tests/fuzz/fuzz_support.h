// Shared by the libFuzzer targets of tests/fuzz (see README.md there): a per-process scratch
// directory for readers that take a path, and the one rule of every target: a DiagnosticError is the
// expected rejection of a bad input; any other exception is a finding and aborts, so libFuzzer saves
// the input as a crash artifact.
#pragma once

#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/diagnostics.h"

namespace wrpn::fuzz {

/// A fresh directory for this process, removed at normal exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("wrpn-fuzz-" + std::to_string(static_cast<long>(getpid())));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    std::atexit([] { std::filesystem::remove_all(scratch_dir()); });
    return d;
  }();
  return dir;
}

/// Writes bytes to `path` (plain write: the readers under test are what matters here).
inline void write_bytes(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.string().c_str());
    std::abort();
  }
}

/// Writes the input to scratch_dir()/name and returns that path.
inline std::string input_file(const uint8_t* data, size_t size, const std::string& name) {
  const std::filesystem::path p = scratch_dir() / name;
  write_bytes(p, data, size);
  return p.string();
}

/// Runs one reader call: DiagnosticError is a clean rejection; anything else aborts with its text.
template <typename F>
int run_reader(F&& f) {
  try {
    f();
  } catch (const DiagnosticError&) {
    // The expected outcome for a bad input: a one-line diagnostic, exit 3 in the CLI.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz finding: exception other than DiagnosticError: %s\n", e.what());
    std::abort();
  }
  return 0;
}

}  // namespace wrpn::fuzz
