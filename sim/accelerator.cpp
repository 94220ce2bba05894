#include "sim/accelerator.h"

namespace wrpn::sim {

Accelerator::Accelerator(sc_core::sc_module_name name, SimContext& ctx, bool with_clock)
    : sc_module(name),
      layer("layer"),
      array_busy("array_busy"),
      ppu_busy("ppu_busy"),
      dma_busy("dma_busy"),
      array_jobs("array_jobs", 1),
      array_results("array_results", 1),  // depth 1: a busy post-processing unit holds the array back
      ppu_jobs("ppu_jobs", 1),
      done("done", 2),
      dma_requests("dma_requests", 64),
      u_weight_buffer("u_weight_buffer", ctx, ctx.arch.buffer(BufferRole::weights)),
      u_input_buffer("u_input_buffer", ctx, ctx.arch.buffer(BufferRole::inputs)),
      u_output_buffer("u_output_buffer", ctx, ctx.arch.buffer(BufferRole::outputs)),
      u_dma("u_dma", ctx),
      u_mac_array("u_mac_array", ctx),
      u_post_processor("u_post_processor", ctx),
      u_controller("u_controller", ctx, u_weight_buffer, u_input_buffer, u_output_buffer, u_dma) {
  if (with_clock) clk = std::make_unique<sc_core::sc_clock>("clk", ctx.period);
  u_dma.req_i(dma_requests);
  u_dma.busy_o(dma_busy);
  u_mac_array.job_i(array_jobs);
  u_mac_array.result_o(array_results);
  u_mac_array.busy_o(array_busy);
  u_post_processor.result_i(array_results);
  u_post_processor.job_i(ppu_jobs);
  u_post_processor.done_o(done);
  u_post_processor.busy_o(ppu_busy);
  u_controller.array_job_o(array_jobs);
  u_controller.ppu_job_o(ppu_jobs);
  u_controller.done_i(done);
  u_controller.dma_req_o(dma_requests);
  u_controller.layer_o(layer);
}

Accelerator::~Accelerator() { close_trace(); }

void Accelerator::close_trace() {
  if (vcd_) sc_core::sc_close_vcd_trace_file(vcd_);
  vcd_ = nullptr;
}

void Accelerator::trace_to(const std::string& path) {
  vcd_ = sc_core::sc_create_vcd_trace_file(path.c_str());
  vcd_->set_time_unit(1, sc_core::SC_NS);  // one clock period is 1 ns of simulated time
  if (clk) sc_core::sc_trace(vcd_, *clk, "clk");
  sc_core::sc_trace(vcd_, layer, "layer");
  sc_core::sc_trace(vcd_, array_busy, "u_mac_array.busy_o");
  sc_core::sc_trace(vcd_, ppu_busy, "u_post_processor.busy_o");
  sc_core::sc_trace(vcd_, dma_busy, "u_dma.busy_o");
}

}  // namespace wrpn::sim
