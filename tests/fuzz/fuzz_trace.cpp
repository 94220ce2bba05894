// Trace directories (workloads/trace): each input is a trace.json, read by read_trace() in a
// directory that already holds the tensor files of seed_trace(), so an input that keeps a tensor's
// name and SHA-256 reaches the shape, code-range and layer checks behind the checksums.
#include <filesystem>

#include "common/atomic_file.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_inputs.h"
#include "workloads/trace.h"

namespace {
const std::filesystem::path& trace_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d = wrpn::fuzz::scratch_dir() / "trace";
    wrpn::write_trace(d.string(), wrpn::fuzz::seed_trace());
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path& dir = trace_dir();
  wrpn::fuzz::write_bytes(dir / "trace.json", data, size);
  return wrpn::fuzz::run_reader([&] { (void)wrpn::read_trace(dir.string()); });
}
