// `wrpn sim` as a run: the SystemC model on a trace (functional, bit-exact check) or a network's
// shapes (timing only) at the design point the policy picks, optionally priced by energy/ (sim/ never
// includes energy/; this joins them), written into a run directory (layers.csv, summary.json,
// effective_config.json, manifest.json, report.md with plots; energy.json and energy_components.csv
// when priced).
#pragma once

#include <cstdint>
#include <string>

#include "mapping/mapper.h"
#include "workloads/network.h"

namespace wrpn {

struct SimRunOptions {
  std::string arch;               ///< "" = the built-in template
  std::string trace;              ///< functional mode: a trace directory
  std::string network;            ///< timing mode: a network (exactly one of trace, network)
  std::string tech;               ///< "" = not priced
  std::string synth_calibration;  ///< with tech: Yosys-calibrated MACs
  std::string mapping_file;       ///< "" = the mapper's choice for `objective`
  std::string objective = mapping::to_string(mapping::kDefaultObjective);  ///< mapping/mapper.h
  std::string out;                                                         ///< "" = results/runs/<id>
  std::string vcd;           ///< a file name inside the run directory, "" = none
  double width = 1.0;        ///< timing mode
  int wbits = 4, abits = 4;  ///< timing mode: the body's bits (also in effective_config.json)
  PrecisionPolicy precision = PrecisionPolicy::uniform(4, 4);  ///< timing mode
  int64_t batch = 1;                                           ///< timing mode
  bool ideal_memory = false;
  bool replace = false;  ///< replace `out` when it holds an earlier `wrpn sim` run
};

/// Runs and writes the run directory, printing the tables. Returns 0, or kExitCheckFailed when
/// simulated outputs differ from the trace. SIM005 for contradictory or out-of-range options.
int run_sim(const SimRunOptions& o);

}  // namespace wrpn
