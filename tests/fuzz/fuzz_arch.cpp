// `arch` configs (common/arch_config): what `wrpn validate` runs on one.
#include "common/arch_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = wrpn::fuzz::input_file(data, size, "arch.json");
  return wrpn::fuzz::run_reader([&] { (void)wrpn::ArchConfig::load(path); });
}
