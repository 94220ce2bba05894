// The FP32 baseline of an arch: the design WRPN is compared against (`wrpn energy`, `wrpn paper`,
// `wrpn demo`, sweeps with FP32 points).
#pragma once

#include "common/arch_config.h"

namespace wrpn::energy {

/// The same array and buffer capacities with FP32 PEs (32-bit operands, 32-bit accumulator): the
/// baseline. Buffer words are widened by 32 / (bits the source PE reads from that buffer), capped at
/// 4096 bits, so one access feeds the FP32 array as many operands as it fed the source design.
ArchConfig fp32_version(const ArchConfig& arch);

}  // namespace wrpn::energy
