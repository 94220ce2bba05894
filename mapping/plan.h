// A layer's mapping onto the array and its buffers, as plain data (`LayerMapping`), its legality
// against the arch, and the step list both evaluators execute (`LayerPlan`): the SystemC controller
// (sim/) walks the steps on simulated hardware, the analytic evaluator (mapping/evaluate.h) sums
// them. No SystemC here. docs/mapping.md describes the space; docs/sim-model.md the cycle rules.
//
// Diagnostics raised here (before simulation, exit 3), each with a fixture in tests/fixtures/arch/:
//   SIM001 the PE type cannot run a layer's bit widths (e.g. binary PE, 4-bit layer)
//   SIM002 a buffer is too small for one tile of a layer at any mapping (the smallest tile: one
//          weight, the input rows of one output pixel, one output or partial sum)
//   SIM003 the accumulator is too narrow for a layer (one product; or, in timing-only error mode,
//          the worst case of the layer's fan-in)
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/arch_config.h"
#include "mapping/tile_engine.h"
#include "workloads/network.h"

namespace wrpn::mapping {

/// Order of the two outer tile loops inside a group; the reduction loop is always innermost, so
/// the partial sums of one (pixel tile, channel tile) are finished before the next one starts.
enum class LoopOrder {
  n_outer,  ///< "g>n>m>l": a channel tile's weights are reused across all pixel tiles
  m_outer,  ///< "g>m>n>l": a pixel tile's input rows are reused across all channel tiles
};
const char* to_string(LoopOrder o);

/// How one conv/fc layer runs on the array. Tile sizes are in PE-array units:
///  * output stationary: tm pixels on rows (<= rows), tn channels on columns (<= cols), tl
///    reduction steps streamed per tile (any length; tl < the layer's stream length splits the
///    reduction, and the partial sums of a tile wait in the output buffer at acc_bits);
///  * weight stationary: tl reduction steps on rows (<= rows), tn channels on columns, tm pixels
///    streamed per tile (any length);
///  * input stationary: tl reduction steps on rows (<= rows), tm pixels on columns (<= cols), tn
///    channels streamed per tile (any length).
/// In every dataflow a split reduction (more than one reduction tile) keeps the partial sums of a
/// (pixel tile, channel tile) in the output buffer at acc_bits between its reduction tiles.
/// Reduction steps are codes, or 64-code lane words on a binary PE.
struct LayerMapping {
  Dataflow dataflow = Dataflow::output_stationary;
  int64_t tm = 1, tn = 1, tl = 1;
  LoopOrder order = LoopOrder::n_outer;
  bool weights_resident = false;  ///< the layer's weights are loaded once and stay (must fit a slot)
  bool inputs_resident = false;   ///< the layer's inputs are loaded once and stay (must fit a slot)
  bool operator==(const LayerMapping& o) const {
    return dataflow == o.dataflow && tm == o.tm && tn == o.tn && tl == o.tl && order == o.order &&
           weights_resident == o.weights_resident && inputs_resident == o.inputs_resident;
  }
  bool operator!=(const LayerMapping& o) const { return !(*this == o); }
};

/// "OS g>n>m>l tm=8 tn=16 tl=576 +W +I": dataflow (OS, WS, IS), loop order, tiles, residency (+W/+I).
std::string describe(const LayerMapping& m);
inline std::ostream& operator<<(std::ostream& os, const LayerMapping& m) { return os << describe(m); }

/// One step of a layer: a tile on the array (or a chunk on the post-processing unit), the DRAM
/// loads it needs first and the store it allows afterwards. Words are buffer words.
struct Step {
  int64_t group = 0;
  int64_t m0 = 0, m_len = 0;  ///< output pixels (n, oh, ow linearized) [m0, m0+m_len)
  int64_t n0 = 0, n_len = 0;  ///< output channels within the group; PPU steps: channel planes
  int64_t l0 = 0, l_len = 0;  ///< reduction range in stream units
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

/// Operand register writes of one array step per bit-slice pass: OS latches and forwards both
/// operands every MAC; WS and IS forward the streamed operand and shift the stationary one in once
/// (WS: l_len x n_len weights; IS: l_len x m_len inputs). The tile engine counts the same.
inline uint64_t step_register_writes(const Step& s) {
  switch (s.tile.dataflow) {
    case Dataflow::output_stationary:
      return 2 * s.pe_ops;
    case Dataflow::weight_stationary:
      return s.pe_ops + static_cast<uint64_t>(s.l_len * s.n_len);
    case Dataflow::input_stationary:
      return s.pe_ops + static_cast<uint64_t>(s.l_len * s.m_len);
  }
  return 0;
}

struct LayerPlan {
  int index = 0;
  Layer layer;
  bool on_array = true;    ///< conv/fc on the MacArray; pool/add on the post-processing unit
  int64_t pixels = 0;      ///< M = n * out_h * out_w
  int64_t fan_in = 0;      ///< L = (c / groups) * r * s
  int64_t stream_len = 0;  ///< reduction length in stream units (lane words for binary PEs)
  int64_t k_per_group = 0;
  int passes = 1;                  ///< bit-slice passes when the layer is wider than the PE
  LayerMapping mapping;            ///< the mapping the steps execute (array layers)
  int64_t tm = 0, tn = 0, tl = 0;  ///< tile sizes (pixels, channels, reduction); PPU: planes per chunk
  std::string loop_order;          ///< e.g. "g>n>m>l" (weights reused across pixel tiles)
  bool weights_resident = false;   ///< the whole layer's weights stay in the buffer (loaded once)
  bool inputs_resident = false;    ///< the whole input stays in the buffer (loaded once)
  bool split_reduction = false;    ///< partial sums wait in the output buffer between reduction tiles
  int out_bits = 8;                ///< bits of one stored output (32 for logits)
  std::vector<Step> steps;
};

/// Why the arch's PE type cannot run a layer's bit widths, or "" when it can (the SIM001 rule:
/// fp32 runs FP32 only; int runs any quantized layer, in bit-slice passes when wider; ternary takes
/// weights of at most 2 bits; binary takes W1A1 only).
std::string pe_cannot_run(const ArchConfig& arch, const Layer& layer);

/// Bit-slice passes an int/ternary PE needs for a layer (1 when the layer fits the PE natively).
int passes_for(const ArchConfig& arch, const Layer& layer);

/// Reduction length of a layer in stream units on this arch (fan-in, or lane words on binary PEs).
int64_t stream_length(const ArchConfig& arch, const Layer& layer);

/// Why `m` cannot run `layer` on `arch` ("" when it can): tile bounds against the array, each
/// buffer slot against the tile's footprint (weights, input rows, outputs and partial sums at
/// acc_bits), residency against the whole tensor.
std::string mapping_error(const ArchConfig& arch, const Layer& layer, const LayerMapping& m);

/// The fixed rule the simulator used before the mapper, generalized: the arch's first dataflow,
/// the largest tiles that fit (OS: whole fan-in when one channel tile of it fits, split otherwise;
/// WS: as many rows and columns as fit), the loop order that moves fewer DRAM words, residency
/// wherever it fits. Raises SIM002 when no tile fits at all.
LayerMapping default_mapping(const ArchConfig& arch, const Layer& layer);

/// Checks every layer against the arch's PEs and accumulator (SIM001, SIM003) and builds its plan
/// from `mappings` (one per layer; entries of layers off the array are ignored) or, when null, from
/// default_mapping. An illegal mapping raises SIM002 naming the layer. `functional` relaxes the
/// worst-case fan-in accumulator check (the data decide; overflows are caught exactly).
/// `workload_source` names the trace or network for diagnostics.
std::vector<LayerPlan> plan_layers(const ArchConfig& arch, const std::vector<Layer>& layers, bool functional,
                                   const std::string& workload_source,
                                   const std::vector<LayerMapping>* mappings = nullptr);

/// PE and accumulator checks of one layer (SIM001, SIM003).
void check_layer(const ArchConfig& arch, const Layer& layer, bool functional, const std::string& workload_source);

/// The plan of one layer under a legal mapping (mapping_error(...) must be "").
LayerPlan build_plan(const ArchConfig& arch, const Layer& layer, int index, const LayerMapping& m);

/// The closed-form cycle count of a layer in ideal-memory mode (infinite DRAM bandwidth, zero
/// latency, no port conflicts), from its plan's tile sizes only (docs/sim-model.md). The simulator's
/// ideal-memory cycles must equal this.
uint64_t closed_form_ideal_cycles(const ArchConfig& arch, const LayerPlan& plan);

}  // namespace wrpn::mapping
