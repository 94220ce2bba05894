// Checkpoints (trainer/checkpoint). A mutated input would almost never match the checksums a
// checkpoint carries, so the harness first rewrites them to match the input (fix_checkpoint_checksums,
// like a PNG fuzzer fixing CRCs); the header's index, counts and sizes are then exercised against
// the payload.
#include <cstdlib>
#include <string>

#include "common/atomic_file.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_inputs.h"
#include "trainer/checkpoint.h"

namespace {
// The fix-up must leave what save_checkpoint wrote unchanged, or it computes other digests.
bool check_fixup() {
  wrpn::trainer::Checkpoint c;
  c.config = wrpn::fuzz::seed_checkpoint_config();
  c.tensors = {{"w", {0.5f, -1.0f}}};
  const std::string path = (wrpn::fuzz::scratch_dir() / "seed.bin").string();
  wrpn::trainer::save_checkpoint(path, c);
  const std::string written = wrpn::read_file(path);
  std::string fixed = written;
  wrpn::fuzz::fix_checkpoint_checksums(fixed);
  if (fixed != written) {
    std::fprintf(stderr, "fuzz harness: fix_checkpoint_checksums disagrees with save_checkpoint\n");
    std::abort();
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool checked = check_fixup();
  (void)checked;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  wrpn::fuzz::fix_checkpoint_checksums(bytes);
  const std::string path =
      wrpn::fuzz::input_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "checkpoint.bin");
  return wrpn::fuzz::run_reader([&] { (void)wrpn::trainer::load_checkpoint(path); });
}
