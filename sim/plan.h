// Tiling plans: how the controller maps each layer onto the array and the buffers, decided and
// checked before any simulation starts (no SystemC here). docs/sim-model.md describes the rules.
//
// Diagnostics raised here (before simulation, exit 3), each with a fixture in tests/fixtures/arch/:
//   SIM001 the PE type cannot run a layer's bit widths (e.g. binary PE, 4-bit layer)
//   SIM002 a buffer is too small for one tile of a layer at any tiling the controller supports
//   SIM003 the accumulator is too narrow for a layer (one product; or, in timing-only error mode,
//          the worst case of the layer's fan-in)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/arch_config.h"
#include "sim/tile_engine.h"
#include "workloads/network.h"

namespace wrpn::sim {

/// One step of a layer: a tile on the array (or a chunk on the post-processing unit), the DRAM
/// loads it needs first and the store it allows afterwards. Words are buffer words.
struct Step {
  int64_t group = 0;
  int64_t m0 = 0, m_len = 0;  ///< output pixels (n, oh, ow linearized) [m0, m0+m_len)
  int64_t n0 = 0, n_len = 0;  ///< output channels within the group; PPU steps: channel planes
  int64_t l0 = 0, l_len = 0;  ///< reduction range (WS; OS uses the whole fan-in)
  bool first_l = true, last_l = true;
  uint64_t weight_load_words = 0;   ///< 0 when the needed weights are already in the buffer
  uint64_t input_load_words = 0;    ///< 0 when the needed inputs are already in the buffer
  uint64_t output_store_words = 0;  ///< output codes written back to DRAM after this step
  TileShape tile;                   ///< array tile (unused for PPU steps)
  uint64_t compute_cycles = 0;      ///< tile_cycles(tile) * passes, or PPU cycles
  uint64_t port_stall_cycles = 0;   ///< extra cycles when buffer ports cannot feed the array
  uint64_t pe_ops = 0;              ///< useful PE operations (per pass) = rows*cols*stream
  // Buffer accesses of the datapath in this step (DMA accesses are the load/store words).
  uint64_t wbuf_read_words = 0, ibuf_read_words = 0, obuf_read_words = 0, obuf_write_words = 0;
};

struct LayerPlan {
  int index = 0;
  Layer layer;
  bool on_array = true;    ///< conv/fc on the MacArray; pool/add on the post-processing unit
  int64_t pixels = 0;      ///< M = n * out_h * out_w
  int64_t fan_in = 0;      ///< L = (c / groups) * r * s
  int64_t stream_len = 0;  ///< reduction length in stream units (lane words for binary PEs)
  int64_t k_per_group = 0;
  int passes = 1;                  ///< bit-slice passes when the layer is wider than the PE
  int64_t tm = 0, tn = 0, tl = 0;  ///< tile sizes chosen (pixels, channels, reduction)
  std::string loop_order;          ///< e.g. "g>n>m" (weights reused across pixel tiles)
  bool weights_resident = false;   ///< the whole layer's weights stay in the buffer (loaded once)
  bool inputs_resident = false;    ///< the whole input stays in the buffer (loaded once)
  int out_bits = 8;                ///< bits of one stored output (32 for logits)
  std::vector<Step> steps;
};

/// Bit-slice passes an int/ternary PE needs for a layer (1 when the layer fits the PE natively).
int passes_for(const ArchConfig& arch, const Layer& layer);

/// Checks every layer against the arch (SIM001-SIM003) and builds its plan. `functional` relaxes
/// the worst-case fan-in accumulator check (the data decide; overflows are caught exactly).
/// `workload_source` names the trace or network for diagnostics.
std::vector<LayerPlan> plan_layers(const ArchConfig& arch, const std::vector<Layer>& layers, bool functional,
                                   const std::string& workload_source);

/// The closed-form cycle count of a layer in ideal-memory mode (infinite DRAM bandwidth, zero
/// latency, no port conflicts), from its plan's tile sizes only (docs/sim-model.md). The simulator's
/// ideal-memory cycles must equal this.
uint64_t closed_form_ideal_cycles(const ArchConfig& arch, const LayerPlan& plan);

}  // namespace wrpn::sim
