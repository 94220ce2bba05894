// Controller: walks each layer's plan (mapping/plan.h) step by step. It issues DMA loads for a step
// (prefetching later steps into double-buffered buffers while the array computes: the next step's
// into the other half, and with dram.max_outstanding > 1 up to that many steps ahead as far as they
// fit beside the tile in use), waits for them, hands the tile to the array (or a chunk to the post-processing unit),
// then issues the output store. Every cycle a layer takes is attributed: compute, or a stall whose
// cause is the thing the controller was waiting for; compute + stalls must equal the layer's
// elapsed cycles, or the run stops as internally inconsistent.
#pragma once

#include <deque>
#include <vector>

#include <systemc>

#include "sim/buffer.h"
#include "sim/mac_array.h"
#include "sim/sim_context.h"

namespace wrpn::sim {

class Controller : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_out<ArrayJob> array_job_o;
  sc_core::sc_fifo_out<ArrayJob> ppu_job_o;
  sc_core::sc_fifo_in<ArrayJob> done_i;
  sc_core::sc_fifo_out<DmaRequest*> dma_req_o;
  sc_core::sc_out<int> layer_o;

  Controller(sc_core::sc_module_name name, SimContext& ctx, Buffer& weights, Buffer& inputs, Buffer& outputs,
             const class Dma& dma);

 private:
  void control_thread();
  bool run_layer(const LayerPlan& p);
  void gather_operands(const LayerPlan& p, const Step& s);
  /// Integer/ternary PEs: im2col slices without a division per element; weights reused across tiles.
  void gather_int(const LayerPlan& p, const Step& s, const TraceLayer& t);
  SimContext& ctx_;
  Buffer &wbuf_, &ibuf_, &obuf_;
  const Dma& dma_;
  TileOperands ops_;
  std::vector<int64_t> acc_;
  std::deque<DmaRequest> requests_;                   ///< transfers of the current layer
  std::vector<DmaRequest*> wreq_, ireq_, out_store_;  ///< per step loads; output slots in flight
  /// Loads held or on their way in a double-buffered buffer: (step, words) from the tile in use on.
  struct Ring {
    std::deque<std::pair<size_t, uint64_t>> tiles;
    uint64_t words = 0;
  };
  Ring wring_, iring_;
  const LayerPlan* gathered_plan_ = nullptr;  ///< whose weights ops_.b holds (OS), to skip re-gathering
  int64_t gathered_group_ = -1, gathered_n0_ = -1, gathered_l0_ = -1;
  int64_t gathered_cols_ = -1, gathered_len_ = -1;
};

}  // namespace wrpn::sim
