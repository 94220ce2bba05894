// `wrpn energy` as a run: the FP32-versus-WRPN comparison of a network, the WRPN side at the
// policy's design point and the FP32 baseline on the FP32 version of its arch, each side at the
// mapper's choice for the objective, counted by mapping/'s analytic evaluator and priced by energy/
// (mapping/ and energy/ never include each other; this joins them), printed and written into a run
// directory (energy::write_run).
#pragma once

#include <cstdint>
#include <string>

#include "mapping/mapper.h"
#include "workloads/network.h"

namespace wrpn {

struct ComparisonRunOptions {
  std::string network;
  double width = 2.0;
  int wbits = 4, abits = 4;  ///< the body's bits (checked; also in effective_config.json)
  PrecisionPolicy precision = PrecisionPolicy::uniform(4, 4);
  int64_t batch = 1;
  std::string arch;               ///< "" = the built-in template
  std::string tech;               ///< "" = the built-in tech table
  std::string synth_calibration;  ///< "" = the tech table's own MACs
  std::string out;                ///< "" = results/runs/<id>
  std::string objective = mapping::to_string(mapping::kDefaultObjective);
};

/// Runs the comparison, prints its report and writes the run directory. EN005 for bits or batch out
/// of range.
void run_comparison(const ComparisonRunOptions& o);

}  // namespace wrpn
