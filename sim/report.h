// Human-readable summary of a simulation: the per-layer table and totals `wrpn sim` prints.
#pragma once

#include <string>
#include <vector>

#include "sim/simulator.h"

namespace wrpn::sim {

/// One row per layer (cycles, compute, stalls by cause, utilization, MACs, DRAM bytes, tiling) and a
/// total row, then the functional check result (functional mode) and the host speed.
std::string format_table(const SimResult& r);

/// What a plot's title says about the run: `workload` (r.workload when empty; a caller that knows
/// the network's width and batch passes them here), arch name, array, dataflow and PE precision.
std::string run_title(const SimResult& r, const std::string& workload = "");

/// Writes report.md into `dir` (next to the run's layers.csv): the printed table, `extra_markdown`
/// (e.g. the priced energy), and PNG plots drawn by gnuplot from the CSVs (templates in common/plots/): cycles
/// per layer split into compute and stalls by cause on a log axis, and, when `dir` holds energy_components.csv, energy
/// by component. A missing gnuplot is noted in the report, never fatal. Returns the plot files written.
/// `workload` describes the workload in the plot titles (run_title).
std::vector<std::string> write_report_md(const SimResult& r, const std::string& dir, const std::string& extra_markdown,
                                         const std::string& workload = "");

}  // namespace wrpn::sim
