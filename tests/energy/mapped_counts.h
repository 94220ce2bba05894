// The counter `wrpn energy` passes to compare_fp32_wrpn: mapping/'s analytic evaluator with default
// mappings (energy/ prices, mapping/ counts).
#pragma once

#include <utility>

#include "energy/compare.h"
#include "mapping/evaluate.h"

inline wrpn::energy::SideCounts mapped_counts(const wrpn::Network& net, const wrpn::ArchConfig& arch) {
  wrpn::mapping::NetworkEvaluation e = wrpn::mapping::evaluate_network(arch, net.layers, nullptr, net.name);
  return wrpn::energy::SideCounts{std::move(e.counts), std::move(e.rows)};
}
