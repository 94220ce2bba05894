// `train` configs (trainer/train): exactly what `wrpn validate` runs on one.
#include "tests/fuzz/fuzz_support.h"
#include "trainer/train.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = wrpn::fuzz::input_file(data, size, "train.json");
  return wrpn::fuzz::run_reader([&] { (void)wrpn::trainer::validate_train_config(path); });
}
