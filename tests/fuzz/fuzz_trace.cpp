// Trace directories (workloads/trace): each input is a trace.json, read by read_trace() in a
// directory that already holds the tensor files of seed_trace(), so an input that keeps a tensor's
// name and SHA-256 reaches the shape, code-range and layer checks behind the checksums. A
// "content_sha256" (trace format 2) is rewritten to match the input first, as a mutation would never
// match it.
#include <cstdlib>
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
    // The fix-up must leave what write_trace wrote unchanged, or it computes another digest.
    const std::string written = wrpn::read_file(d / "trace.json");
    std::string fixed = written;
    wrpn::fuzz::fix_trace_content_sha256(fixed);
    if (fixed != written) {
      std::fprintf(stderr, "fuzz harness: fix_trace_content_sha256 disagrees with write_trace\n");
      std::abort();
    }
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path& dir = trace_dir();
  std::string text(reinterpret_cast<const char*>(data), size);
  wrpn::fuzz::fix_trace_content_sha256(text);
  wrpn::fuzz::write_bytes(dir / "trace.json", reinterpret_cast<const uint8_t*>(text.data()), text.size());
  return wrpn::fuzz::run_reader([&] { (void)wrpn::read_trace(dir.string()); });
}
