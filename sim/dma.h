// DMA engine and DRAM channel: serves transfer requests one at a time, in order. A transfer of B
// bytes moves ceil(B / burst_bytes) bursts and takes latency_cycles + ceil(bursts * burst_bytes /
// bandwidth_bytes_per_cycle) cycles; in ideal mode it takes no time (closed-form cross-checks).
#pragma once

#include <cstdint>

#include <systemc>

#include "sim/buffer.h"
#include "sim/sim_context.h"

namespace wrpn::sim {

class Dma : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_in<DmaRequest*> req_i;
  sc_core::sc_out<bool> busy_o;

  Dma(sc_core::sc_module_name name, SimContext& ctx);

  /// DRAM bytes moved so far (burst-rounded).
  uint64_t read_bytes() const { return read_bytes_; }
  uint64_t write_bytes() const { return write_bytes_; }
  /// Cycles one transfer of `bytes` takes on the configured DRAM.
  uint64_t transfer_cycles(uint64_t bytes) const;
  uint64_t burst_rounded(uint64_t bytes) const;

 private:
  void serve_thread();
  SimContext& ctx_;
  uint64_t read_bytes_ = 0, write_bytes_ = 0;
};

}  // namespace wrpn::sim
