// Topology CSVs (workloads/topology_csv, both dialects), then what every command does with a network:
// width and precision policies, batch, MAC and weight totals.
#include "tests/fuzz/fuzz_support.h"
#include "workloads/network.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = wrpn::fuzz::input_file(data, size, "topology.csv");
  return wrpn::fuzz::run_reader([&] {
    const wrpn::Network base = wrpn::load_network(path);
    const wrpn::Network net =
        wrpn::with_batch(wrpn::apply_precision(wrpn::apply_width(base, 2.0), wrpn::PrecisionPolicy::uniform(4, 4)), 2);
    volatile int64_t sink = net.total_macs() + net.total_weights();
    (void)sink;
  });
}
