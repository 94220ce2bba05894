// The PE grid of the MacArray as plain data, stepped one clock cycle at a time (docs/sim-model.md).
// The SystemC MacArray module (mac_array.h) runs a whole tile through this engine per job and
// then advances simulated time by the number of cycles the engine stepped; the engine is also
// what `run_mac_array_tile` (the RTL cross-check) calls. No SystemC in this header.
//
// A tile is a GEMM block on rows_used x cols_used PEs with a stream of `stream` steps:
//  * output stationary (OS): PE(i,j) holds accumulator acc[i][j]; a[i][t] (row i = output pixel,
//    t = reduction index) enters row i from the left, b[t][j] (column j = output channel) enters
//    column j from the top, both skewed: PE(i,j) multiplies pair t in cycle t + i + j. After the last
//    MAC the accumulators leave one array row per cycle into the post-processing unit.
//  * weight stationary (WS): w[i][j] (row i = reduction index, column j = output channel) is shifted
//    in from the top, one row per cycle; then x[m][i] (pixel m) enters row i skewed, partial sums
//    flow down column j and PE(i,j) adds its product for pixel m in cycle m + i + j. The finished sum
//    for pixel m is the output of PE(rows_used-1, j) in the cycle it handled m (counted in that
//    cycle; no extra output-register cycle).
//  * input stationary (IS, SCALE-Sim's third dataflow): x[j][i] (column j = output pixel, row i =
//    reduction index) is shifted in from the top, one row per cycle, and stays; then w[n][i] (the
//    weights of output channel n, streamed) enters row i skewed, moving east across the pixels,
//    partial sums flow down column j and PE(i,j) adds its product for channel n in cycle n + i + j
//    of the stream. The finished sum of (pixel j, channel n) is the output of PE(rows_used-1, j) in
//    the cycle it handled n. This is the WS tile with the roles of inputs and weights exchanged.
//  Partial sums across reduction tiles (a split reduction): OS preloads its accumulators from them;
//  WS and IS feed them into the top of each column with the stream (read from the output buffer,
//  at acc_bits, and written back), so a tile resumes exactly where the previous one stopped.
// Cycle count of a tile = cycles from the first operand entering the array to the last result
// leaving it, inclusive: 2*rows_used + cols_used + stream - 2 for all three dataflows
// (docs/sim-model.md; rtl/README.md gives each RTL array's timing contract).
#pragma once

#include <cstdint>
#include <vector>

#include "common/arch_config.h"
#include "common/numerics.h"

namespace wrpn::mapping {

/// Binary PEs compute this many XNOR-popcount lanes per cycle: one stream step is a 64-bit word of
/// 1-bit activations against a 64-bit word of weight signs.
inline constexpr int kBinaryLanes = 64;

struct TileShape {
  Dataflow dataflow = Dataflow::output_stationary;
  int rows_used = 1;   ///< PE rows the tile occupies (<= array rows)
  int cols_used = 1;   ///< PE columns the tile occupies (<= array cols)
  int64_t stream = 1;  ///< OS: reduction steps; WS: pixels streamed; IS: output channels streamed
};

/// What one tile did, counted by stepping (not by formula).
struct TileStats {
  uint64_t cycles = 0;                   ///< first operand in .. last result out, inclusive
  uint64_t pe_ops = 0;                   ///< PE-cycles that did a useful MAC (or a lane-group op)
  uint64_t operand_register_writes = 0;  ///< operand registers latched (forwarding included)
  uint64_t accumulator_updates = 0;      ///< accumulator / partial-sum register updates
  bool overflow = false;                 ///< first overflow (error mode) is described below
  int overflow_row = -1, overflow_col = -1;
  int64_t overflow_term = -1;  ///< OS: reduction index t; WS: pixel m, IS: channel n (row = reduction)
  uint64_t overflow_cycle = 0;
};

/// Closed-form cycle count of one tile (documented in docs/sim-model.md). Timing-only runs use it;
/// functional runs step the engine and check the engine's count equals it on every tile.
inline uint64_t tile_cycles(const TileShape& s) {
  return static_cast<uint64_t>(2 * s.rows_used + s.cols_used - 2) + static_cast<uint64_t>(s.stream);
}

/// Operand matrices of an integer (int_k or ternary) tile, row-major.
///  OS: a = rows_used x stream, b = stream x cols_used, acc (in/out) = rows_used x cols_used.
///  WS: a = stream x rows_used (pixel-major inputs), b = rows_used x cols_used (stationary weights),
///      acc (in/out) = stream x cols_used partial sums (carried in from the previous reduction tile).
///  IS: a = cols_used x rows_used (pixel-major stationary inputs), b = stream x rows_used
///      (channel-major streamed weights), acc (in/out) = cols_used x stream (pixel-major, so every
///      dataflow's acc is pixels x channels) partial sums carried in as in WS.
struct IntTile {
  const int32_t* a = nullptr;
  const int32_t* b = nullptr;
  int64_t* acc = nullptr;
};

/// Binary tile: a/b hold packed lane words (activation bits, weight bit 1 = +1); unused lanes have
/// activation bit 0. Shapes as IntTile with `stream` counted in lane words (OS), pixels (WS) or
/// channels (IS).
struct BinaryTile {
  const uint64_t* a = nullptr;
  const uint64_t* b = nullptr;
  int64_t* acc = nullptr;
};

/// FP32 tile: IEEE binary32 multiply then add (common fp32_mac), same shapes.
struct Fp32Tile {
  const float* a = nullptr;
  const float* b = nullptr;
  float* acc = nullptr;
};

/// Steps one tile cycle by cycle. `acc_bits`/`mode` are the PE accumulator's; in error mode the
/// engine stops counting MACs of the tile at the first overflow and reports it (the caller names
/// the layer and element); in saturate mode values saturate exactly as common/mac_step does.
TileStats step_tile(const TileShape& shape, const IntTile& t, int acc_bits, OverflowMode mode);
TileStats step_tile(const TileShape& shape, const BinaryTile& t, int acc_bits, OverflowMode mode);
TileStats step_tile(const TileShape& shape, const Fp32Tile& t);

}  // namespace wrpn::mapping
