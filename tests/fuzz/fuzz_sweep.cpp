// `sweep` configs (dse/sweep_config): load and enumerate the points, as `wrpn validate` does, and
// derive each point's arch as the sweep runner does.
#include "dse/sweep_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = wrpn::fuzz::input_file(data, size, "sweep.json");
  return wrpn::fuzz::run_reader([&] {
    const wrpn::SweepConfig c = wrpn::SweepConfig::load(path);
    for (const wrpn::DesignPoint& p : c.points()) (void)c.arch_for(p);
  });
}
