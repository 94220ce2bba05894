// libFuzzer target for the ONNX importer (workloads/onnx_import.h): any byte string either imports
// or fails with a DiagnosticError (ONNX001..ONNX006, or NET002 from the final consistency check).
// Any other exception, a crash or a sanitizer report is a bug. Seed corpus: tests/fuzz/corpus/onnx/
// (the committed fixtures of tests/fixtures/onnx/: two good graphs and one file per diagnostic).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/diagnostics.h"
#include "workloads/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const wrpn::Network net = wrpn::import_onnx_bytes(bytes, "fuzz.onnx", "fuzz");
    (void)net.total_macs();
  } catch (const wrpn::DiagnosticError&) {
    // bad input, reported as designed
  }
  return 0;
}
