// Writes the generated part of the seed corpora: OUT/npy (every dtype and the seed trace's tensors),
// OUT/trace (the seed trace's trace.json), OUT/trace_tensor (each tensor of the seed trace behind its
// selector byte) and OUT/checkpoint (a checkpoint), all made by the project's own writers.
// Usage: fuzz_make_seeds OUT
#include <cstdio>
#include <filesystem>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "tests/fuzz/seed_inputs.h"
#include "trainer/checkpoint.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  fs::remove_all(out);
  const fs::path trace = out / "trace-dir";
  wrpn::write_trace(trace.string(), wrpn::fuzz::seed_trace());
  wrpn::write_file_atomic(out / "trace" / "seed.json", wrpn::read_file(trace / "trace.json"));
  const std::vector<std::string> tensors = wrpn::fuzz::sorted_npy_files(trace);
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string bytes = wrpn::read_file(trace / tensors[i]);
    wrpn::write_file_atomic(out / "npy" / tensors[i], bytes);
    wrpn::write_file_atomic(out / "trace_tensor" / (tensors[i] + ".bin"), std::string(1, static_cast<char>(i)) + bytes);
  }
  fs::remove_all(trace);

  const std::vector<int64_t> values = {0, 1, -1, 127, -128, 5, 6, 7};
  const std::vector<int32_t> v32(values.begin(), values.end());
  for (wrpn::NpyDtype t : {wrpn::NpyDtype::i1, wrpn::NpyDtype::i2, wrpn::NpyDtype::i4, wrpn::NpyDtype::i8})
    wrpn::write_file_atomic(out / "npy" / (std::string("dtype") + (wrpn::npy_descr(t) + 1) + ".npy"),
                            wrpn::npy_encode_ints64({2, 2, 2}, values.data(), t));
  wrpn::write_file_atomic(out / "npy" / "scalar.npy", wrpn::npy_encode_ints({}, v32.data(), wrpn::NpyDtype::i4));
  wrpn::write_file_atomic(out / "npy" / "empty.npy", wrpn::npy_encode_ints({0, 3}, v32.data(), wrpn::NpyDtype::i2));
  const std::vector<float> f = {0.5f, -1.25f, 3.0f, 1e-3f};
  wrpn::write_file_atomic(out / "npy" / "f4.npy", wrpn::npy_encode_floats({4}, f.data()));

  wrpn::trainer::Checkpoint c;
  c.config = wrpn::fuzz::seed_checkpoint_config();
  c.epochs_done = 2;
  c.steps = 40;
  c.tensors = {{"conv1.weight", {0.1f, -0.2f, 0.3f, 0.4f}}, {"bn1.running_mean", {0.0f, 1.0f}}, {"empty", {}}};
  wrpn::trainer::save_checkpoint((out / "checkpoint" / "seed.bin").string(), c);
  return 0;
}
