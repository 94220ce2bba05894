// Cross-checks of the Verilated RTL (`wrpn verify`): every MAC variant against common/numerics.h
// (exhaustive over operand pairs up to 8 bits, seeded random plus edge cases above, overflow in
// both accumulator modes) and every array model (mac_array, mac_array_ws; every PE kind) against
// common/ and the sim's tile engine (accumulators, overflow flag, cycle counts) on ragged,
// partial-sum and split-reduction tiles, optionally replaying the layers of a trainer trace through
// both dataflows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wrpn::rtl {

struct VerifyOptions {
  uint64_t seed = 20261124;
  int64_t random_vectors = 200000;  ///< per random pass of units above 8 bits and of FP32
  int64_t array_tiles = 1000;       ///< random tiles per array model (16x16: the speed target)
  std::vector<std::string> units;   ///< unit names or name prefixes to run; empty = all
  std::string trace_dir;            ///< replay this trace's conv/fc layers through the 16x16 OS and WS arrays
  int64_t trace_rows = 64;          ///< output pixels replayed per layer (0 = all)
  std::string vcd_path;             ///< waveform file; with several units, "-<unit>" is inserted
};

/// One line of the `wrpn verify` table.
struct CheckRow {
  std::string unit;      ///< e.g. mac_unit_a4w4, mac_array_16x16_a8w8
  std::string widths;    ///< operand and accumulator bits (and array shape)
  std::string method;    ///< exhaustive, random+edges, tiles, trace:<layer>
  uint64_t vectors = 0;  ///< MAC steps (units) or tiles (arrays) compared
  uint64_t mismatches = 0;
  uint64_t cycles = 0;         ///< RTL clock cycles simulated
  double seconds = 0;          ///< host time of the check
  std::string first_mismatch;  ///< readable: inputs, expected, got, seed ("" when none)
};

struct VerifyReport {
  uint64_t seed = 0;
  bool sim_reference = false;  ///< arrays compared against wrpn::sim (else the common/ GEMM + formula)
  std::vector<CheckRow> rows;
  double seconds = 0;
  bool ok() const;
};

/// Every unit name `wrpn verify --unit` accepts.
std::vector<std::string> verify_unit_names();

/// Runs the selected checks; `on_row` (optional) sees each row as soon as it is done. Throws
/// DiagnosticError (RTL001) for an unknown unit name and trace errors (TRC00x) for a bad trace.
VerifyReport run_verify(const VerifyOptions& options, const std::function<void(const CheckRow&)>& on_row = {});

/// Fixed-width table rows: unit, widths, method, vectors, mismatches, cycles, seconds.
std::string format_verify_row(const CheckRow& row);
std::string verify_table_header();

}  // namespace wrpn::rtl

namespace wrpn::rtl {

/// Simulation rate of one Verilated array model: random full tiles (K = 64) driven back to back for
/// at least `cycles` clock cycles, no reference model in the loop.
struct ArrayRate {
  std::string unit;
  uint64_t cycles = 0;
  double seconds = 0;      ///< wall time
  double cpu_seconds = 0;  ///< process CPU time (what the model costs on a loaded machine)
  double cycles_per_second() const { return seconds > 0 ? static_cast<double>(cycles) / seconds : 0.0; }
  double cycles_per_cpu_second() const { return cpu_seconds > 0 ? static_cast<double>(cycles) / cpu_seconds : 0.0; }
};
ArrayRate bench_array_rate(const std::string& unit, uint64_t cycles, uint64_t seed);

}  // namespace wrpn::rtl
