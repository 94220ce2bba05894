// The MAC array: rows x cols PEs held as plain data (mapping/tile_engine.h) inside one module, not
// one SystemC process per PE. Each job is one tile; the thread steps the tile cycle by cycle in the
// engine (functional mode), checks the stepped cycle count, then advances simulated time by the
// tile's cycles (times bit-slice passes, plus buffer-port stall cycles) in one wait.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <systemc>

#include "mapping/tile_engine.h"
#include "sim/sim_context.h"

namespace wrpn::sim {

/// Operands of one tile in the array's orientation (tile_engine.h), filled by the controller from
/// the buffers in functional mode. `acc` points at the accumulators / partial sums.
struct TileOperands {
  std::vector<int32_t> a, b;
  std::vector<uint64_t> a_bits, b_bits;  ///< binary PEs: packed lane words
  std::vector<int64_t>* acc = nullptr;
  TileStats stats;                          ///< what the engine counted
  uint64_t start_cycle = 0, end_cycle = 0;  ///< simulated cycles the array took the job / finished it
};

struct ArrayJob {
  const LayerPlan* plan = nullptr;
  const Step* step = nullptr;
  TileOperands* ops = nullptr;  ///< nullptr in timing-only mode
};
/// sc_fifo prints its contents when asked; a job prints as its layer and step.
inline std::ostream& operator<<(std::ostream& os, const ArrayJob& j) {
  return os << "ArrayJob(" << (j.plan ? j.plan->layer.name : std::string("-")) << ")";
}

class MacArray : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_in<ArrayJob> job_i;
  sc_core::sc_fifo_out<ArrayJob> result_o;
  sc_core::sc_out<bool> busy_o;

  MacArray(sc_core::sc_module_name name, SimContext& ctx);

  uint64_t busy_cycles() const { return busy_cycles_; }

 private:
  void compute_thread();
  SimContext& ctx_;
  uint64_t busy_cycles_ = 0;
};

/// "layer \"conv2\" output (n=0, k=3, oh=1, ow=2), term 17" for element messages.
std::string describe_element(const LayerPlan& plan, int64_t pixel, int64_t channel_in_group, int64_t group,
                             int64_t term);

}  // namespace wrpn::sim
