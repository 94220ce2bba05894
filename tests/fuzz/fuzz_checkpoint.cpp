// Checkpoints (trainer/checkpoint). The payload's SHA-256 sits in the header; a mutated input would
// almost never match it, so when the header line has a "payload_sha256" string of 64 characters the
// harness writes the payload's real digest there first (like a PNG fuzzer fixing CRCs). The header
// index, counts and sizes are then exercised against the payload.
#include <string>

#include "common/sha256.h"
#include "tests/fuzz/fuzz_support.h"
#include "trainer/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  const size_t header_end = bytes.find('\n', bytes.find('\n') == std::string::npos ? 0 : bytes.find('\n') + 1);
  if (header_end != std::string::npos) {
    const std::string key = "\"payload_sha256\":\"";
    const size_t at = bytes.find(key);
    if (at != std::string::npos && at + key.size() + 64 < header_end && bytes[at + key.size() + 64] == '"')
      bytes.replace(at + key.size(), 64, wrpn::sha256_hex(bytes.substr(header_end + 1)));
  }
  const std::string path =
      wrpn::fuzz::input_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "checkpoint.bin");
  return wrpn::fuzz::run_reader([&] { (void)wrpn::trainer::load_checkpoint(path); });
}
