#include "sim/dma.h"

#include <cmath>

namespace wrpn::sim {

Dma::Dma(sc_core::sc_module_name name, SimContext& ctx) : sc_module(name), req_i("req_i"), busy_o("busy_o"), ctx_(ctx) {
  SC_HAS_PROCESS(Dma);
  SC_THREAD(serve_thread);
}

uint64_t Dma::burst_rounded(uint64_t bytes) const {
  const uint64_t burst = static_cast<uint64_t>(ctx_.arch.dram.burst_bytes);
  return (bytes + burst - 1) / burst * burst;
}

uint64_t Dma::transfer_cycles(uint64_t bytes) const {
  const DramConfig& d = ctx_.arch.dram;
  if (d.ideal || bytes == 0) return 0;
  return static_cast<uint64_t>(d.latency_cycles) +
         static_cast<uint64_t>(std::ceil(static_cast<double>(burst_rounded(bytes)) / d.bandwidth_bytes_per_cycle));
}

void Dma::serve_thread() {
  for (;;) {
    DmaRequest* r = req_i.read();
    busy_o.write(true);
    const uint64_t bytes = burst_rounded((r->words * static_cast<uint64_t>(r->buffer->config().word_bits) + 7) / 8);
    ctx_.wait_cycles(transfer_cycles(bytes));
    if (r->load)
      read_bytes_ += bytes;
    else
      write_bytes_ += bytes;
    r->buffer->transfer_done(*r);
    if (req_i.num_available() == 0) busy_o.write(false);
  }
}

}  // namespace wrpn::sim
