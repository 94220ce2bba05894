// Post-processing unit: requantization with the common/ definition (ReLU clip included: codes
// clamp at 0), logits for the last layer, pooling and residual add, `cols` lanes wide. Requantizing
// a tile's accumulators overlaps the array's drain (one array row per cycle, tile_engine.h);
// pooling/add layers run here alone at one window element per lane per cycle. In functional mode
// every output is compared bit-exactly with the trace's expected codes (and accumulators).
#pragma once

#include <systemc>

#include "sim/mac_array.h"
#include "sim/sim_context.h"

namespace wrpn::sim {

class PostProcessor : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_in<ArrayJob> result_i;  ///< finished tiles from the array
  sc_core::sc_fifo_in<ArrayJob> job_i;     ///< pooling / add chunks from the controller
  sc_core::sc_fifo_out<ArrayJob> done_o;   ///< back to the controller
  sc_core::sc_out<bool> busy_o;

  PostProcessor(sc_core::sc_module_name name, SimContext& ctx);

 private:
  void process_thread();
  void finish_tile(const ArrayJob& job);
  void run_chunk(const ArrayJob& job);
  void compare(const LayerPlan& p, const char* what, int64_t index, int64_t expected, int64_t got, int64_t pixel,
               int64_t channel_in_group, int64_t group);
  SimContext& ctx_;
};

}  // namespace wrpn::sim
