// Human-readable summary of a simulation: the per-layer table and totals `wrpn sim` prints.
#pragma once

#include <string>

#include "sim/simulator.h"

namespace wrpn::sim {

/// One row per layer (cycles, compute, stalls by cause, utilization, MACs, DRAM bytes, tiling) and a
/// total row, then the functional check result (functional mode) and the host speed.
std::string format_table(const SimResult& r);

}  // namespace wrpn::sim
