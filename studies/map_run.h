// `wrpn map` as a run: the mapper's per-layer choice for a network at a width and precision on the
// policy's design point, evaluated analytically and priced on a tech table (mapping/ never includes
// energy/; this joins them), printed and written into a run directory (layers.csv, map.json, a
// replayable mapping.json, effective_config.json, manifest.json).
#pragma once

#include <cstdint>
#include <string>

#include "mapping/mapper.h"
#include "workloads/network.h"

namespace wrpn {

struct MapRunOptions {
  std::string network = "alexnet";
  std::string arch;  ///< "" = the built-in template
  std::string tech;  ///< "" = the built-in tech table
  std::string objective = mapping::to_string(mapping::kDefaultObjective);
  std::string out;  ///< "" = results/runs/<id>
  double width = 1.0;
  int wbits = 4, abits = 4;  ///< the body's bits (checked; also in effective_config.json)
  PrecisionPolicy precision = PrecisionPolicy::uniform(4, 4);
  int64_t batch = 1;
  bool replace = false;
};

/// Maps, prints the per-layer table and writes the run directory. MAP003 for bits, batch or
/// objective out of range.
void run_map(const MapRunOptions& o);

}  // namespace wrpn
