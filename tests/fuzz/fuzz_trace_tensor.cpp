// Trace directories, tensor side (workloads/trace): the first input byte selects one .npy of
// seed_trace() (in sorted_npy_files order), the rest replaces that file, and the harness writes its
// real SHA-256 into trace.json (a mutated tensor would never match the recorded one), then trace.json's
// own "content_sha256" when it has one (format 2). read_trace()
// then checks the tensor in its layer: dtype, shape, code ranges. fuzz_trace mutates trace.json.
#include <filesystem>
#include <string>
#include <vector>

#include "common/atomic_file.h"
#include "common/sha256.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_inputs.h"
#include "workloads/trace.h"

namespace {

struct SeedTrace {
  std::filesystem::path dir;
  std::string json;                  ///< trace.json as written
  std::vector<std::string> tensors;  ///< .npy names, sorted
  std::vector<std::string> bytes;    ///< their contents
};

const SeedTrace& seed() {
  static const SeedTrace s = [] {
    SeedTrace t;
    t.dir = wrpn::fuzz::scratch_dir() / "trace_tensor";
    wrpn::write_trace(t.dir.string(), wrpn::fuzz::seed_trace());
    t.json = wrpn::read_file(t.dir / "trace.json");
    t.tensors = wrpn::fuzz::sorted_npy_files(t.dir);
    for (const std::string& name : t.tensors) t.bytes.push_back(wrpn::read_file(t.dir / name));
    return t;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const SeedTrace& s = seed();
  if (size < 1) return 0;
  const size_t pick = data[0] % s.tensors.size();
  const std::string tensor(reinterpret_cast<const char*>(data) + 1, size - 1);
  // trace.json's entries are {"file": NAME, "sha256": HEX}: the digest after the file's name.
  std::string json = s.json;
  const size_t file_at = json.find("\"" + s.tensors[pick] + "\"");
  const size_t sha_at = json.find("\"sha256\": \"", file_at);
  if (file_at == std::string::npos || sha_at == std::string::npos) std::abort();
  json.replace(sha_at + 11, 64, wrpn::sha256_hex(tensor));
  wrpn::fuzz::fix_trace_content_sha256(json);
  wrpn::fuzz::write_bytes(s.dir / "trace.json", reinterpret_cast<const uint8_t*>(json.data()), json.size());
  wrpn::fuzz::write_bytes(s.dir / s.tensors[pick], reinterpret_cast<const uint8_t*>(tensor.data()), tensor.size());
  wrpn::fuzz::run_reader([&] { (void)wrpn::read_trace(s.dir.string()); });
  // Restore the seed tensor for the next input.
  const std::string& orig = s.bytes[pick];
  wrpn::fuzz::write_bytes(s.dir / s.tensors[pick], reinterpret_cast<const uint8_t*>(orig.data()), orig.size());
  return 0;
}
