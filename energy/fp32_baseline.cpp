#include "energy/fp32_baseline.h"

#include <algorithm>

namespace wrpn::energy {

ArchConfig fp32_version(const ArchConfig& arch) {
  ArchConfig a = arch;
  a.name = arch.name + "-fp32";
  a.pe_type = PeType::fp32;
  a.pe_wbits = a.pe_abits = 32;
  a.acc_bits = 32;
  // A balanced baseline: each buffer access delivers as many operands to the FP32 array as it did
  // to the source design's PEs, so the FP32 array is not starved by buffer ports sized for narrow
  // codes. Wider words cost more energy per access (the SRAM scaling rule), and capacity stays the
  // same, so the FP32 design still pays for its 32-bit operands in buffer energy and DRAM traffic.
  for (auto& b : a.buffers) {
    const int held_bits = b.holds == BufferRole::weights ? arch.pe_wbits : arch.pe_abits;
    const int factor = held_bits >= 32 ? 1 : (32 + held_bits - 1) / std::max(1, held_bits);
    b.word_bits = std::min(4096, b.word_bits * factor);
  }
  return a;
}

}  // namespace wrpn::energy
