// .npy tensors (common/npy): the decoder every trace tensor goes through, on a file read as the
// trace reader reads it.
#include "common/atomic_file.h"
#include "common/npy.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = wrpn::fuzz::input_file(data, size, "tensor.npy");
  return wrpn::fuzz::run_reader([&] { (void)wrpn::npy_decode(wrpn::read_file(path), path); });
}
