// Synthetic traces: random codes (seeded) for a list of layers, with expected accumulators and
// outputs computed by a direct loop nest over common/numerics.h (dot_reference, requantize,
// requantize_logit, add_codes, avgpool_code). That loop shares no code with the simulator's tiling,
// im2col or tile engine, so it is the functional reference of the sim tests and the data of
// `wrpn bench sim`. Layers need not chain: each layer gets its own random input.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/trace.h"

namespace wrpn::sim {

/// Requires quantized layers (1..16 bits; weights >= 1 bit, logits allowed as abits_out = 32).
/// Requantization maps about +-3 standard deviations of the accumulator onto the output range, so
/// outputs are spread, not all clamped.
Trace synthetic_trace(const std::vector<Layer>& layers, uint64_t seed, const std::string& name = "synthetic");

}  // namespace wrpn::sim
