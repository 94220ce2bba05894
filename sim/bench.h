// `wrpn bench sim`: the simulator's speed figures. Each case runs the whole simulate()
// path, so each needs its own process (SystemC runs once per process): run_in_child forks.
#pragma once

#include <cstdint>
#include <string>

namespace wrpn::sim {

struct BenchFigure {
  std::string name;
  std::string setup;              ///< workload and arch, for the printout
  double plan_seconds = 0;        ///< host time of simulate() before and after the kernel (planning, totals)
  double kernel_seconds = 0;      ///< host (wall) time inside sc_start
  double kernel_cpu_seconds = 0;  ///< CPU time inside sc_start (what one core spent; the machine may be shared)
  double total_seconds = 0;       ///< host time of the whole simulate() call
  uint64_t cycles = 0, macs = 0;
  bool ok = false;    ///< functional outputs matched (functional case); ran (timing case)
  std::string error;  ///< set when the child failed
  /// Rates per CPU second of the kernel (one core).
  double cycles_per_s() const { return kernel_cpu_seconds > 0 ? static_cast<double>(cycles) / kernel_cpu_seconds : 0; }
  double macs_per_s() const { return kernel_cpu_seconds > 0 ? static_cast<double>(macs) / kernel_cpu_seconds : 0; }
};

/// Functional mode on a 16x16 int W4A4 output-stationary array (built-in default buffers and DRAM):
/// synthetic 3x3 conv layers (trace built in memory with sim/synthetic.h; not timed), every output
/// compared bit-exactly.
BenchFigure bench_functional(uint64_t seed);
/// Timing-only mode: resnet34 at width 2, W4A4 body (8-bit first/last layers), batch 1, on a 32x32
/// int8 output-stationary array with the built-in default buffers and DRAM.
BenchFigure bench_timing();
/// Runs `fn` in a forked child process and returns what it measured (error set if it failed).
BenchFigure run_in_child(BenchFigure (*fn)());

}  // namespace wrpn::sim
