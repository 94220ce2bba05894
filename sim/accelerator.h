// Top level of the accelerator model: DRAM <-> u_dma <-> {u_weight_buffer, u_input_buffer,
// u_output_buffer} -> u_mac_array -> u_post_processor, sequenced by u_controller. The top owns the
// only clock. A free-running sc_clock costs the kernel two events per simulated cycle (measured
// here: 20 M idle cycles took 9.8 s), so it is instantiated only when signals are traced (VCD);
// every process advances time in whole clock periods either way, so cycle counts are identical.
#pragma once

#include <memory>
#include <string>

#include <systemc>

#include "sim/buffer.h"
#include "sim/controller.h"
#include "sim/dma.h"
#include "sim/mac_array.h"
#include "sim/post_processor.h"
#include "sim/sim_context.h"

namespace wrpn::sim {

class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(sc_core::sc_module_name name, SimContext& ctx, bool with_clock);
  ~Accelerator() override;

  /// Opens a VCD of the top-level signals (clock, layer index, busy flags).
  void trace_to(const std::string& vcd_path_without_extension);
  /// Flushes and closes the VCD (call after the run).
  void close_trace();

  std::unique_ptr<sc_core::sc_clock> clk;
  sc_core::sc_signal<int> layer;
  sc_core::sc_signal<bool> array_busy, ppu_busy, dma_busy;
  sc_core::sc_fifo<ArrayJob> array_jobs, array_results, ppu_jobs, done;
  sc_core::sc_fifo<DmaRequest*> dma_requests;

  Buffer u_weight_buffer, u_input_buffer, u_output_buffer;
  Dma u_dma;
  MacArray u_mac_array;
  PostProcessor u_post_processor;
  Controller u_controller;

 private:
  sc_core::sc_trace_file* vcd_ = nullptr;
};

}  // namespace wrpn::sim
