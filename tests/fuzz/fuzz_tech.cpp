// `tech` configs (energy/tech_table): load, then price what `wrpn validate` prints.
#include "energy/tech_table.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = wrpn::fuzz::input_file(data, size, "tech.json");
  return wrpn::fuzz::run_reader([&] {
    const wrpn::energy::TechTable t = wrpn::energy::TechTable::load(path);
    volatile double sink = t.mac_pj(wrpn::PeType::fp32, 32, 32, 32) + t.mac_pj(wrpn::PeType::int_k, 8, 8, 32) +
                           t.mac_pj(wrpn::PeType::int_k, 4, 4, 32) + t.pe_area_um2(wrpn::PeType::int_k, 2, 2, 16) +
                           t.sram_read_pj(64, 64);
    (void)sink;
  });
}
