// DMA engine and DRAM channel (docs/sim-model.md, "The DMA"). Transfers are accepted in the order
// they are requested, up to `dram.max_outstanding` at once; each pays `latency_cycles` from its
// acceptance before its first byte, then its burst-rounded bytes move over one data bus shared by all
// transfers (reads and writes) at `bandwidth_bytes_per_cycle`, in acceptance order, back to back while
// the bus has work. A transfer completes at the end of the cycle its last byte moves; completions are
// therefore in request order. A transfer stays outstanding from acceptance to completion. With
// max_outstanding 1 a transfer of B bytes takes latency_cycles + ceil(burst_rounded(B) / bandwidth)
// after the previous one completed (a blocking DMA). In ideal mode transfers take no time.
#pragma once

#include <cstdint>
#include <deque>

#include <systemc>

#include "sim/buffer.h"
#include "sim/sim_context.h"

namespace wrpn::sim {

class Dma : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_in<DmaRequest*> req_i;
  sc_core::sc_out<bool> busy_o;

  Dma(sc_core::sc_module_name name, SimContext& ctx);

  /// DRAM bytes moved so far (burst-rounded), counted when a transfer completes.
  uint64_t read_bytes() const { return read_bytes_; }
  uint64_t write_bytes() const { return write_bytes_; }
  /// Cycles one transfer of `bytes` takes alone on the configured DRAM (nothing else in flight).
  uint64_t transfer_cycles(uint64_t bytes) const;
  uint64_t burst_rounded(uint64_t bytes) const;

 private:
  struct InFlight {
    DmaRequest* request;
    uint64_t bytes;       ///< burst-rounded
    uint64_t done_cycle;  ///< completion, fixed at acceptance (in-order bus)
  };
  /// Accepts each request as it arrives and schedules its completion (never waits in time).
  void accept_thread();
  /// Completes the transfers in order at their completion cycles.
  void complete_thread();
  SimContext& ctx_;
  uint64_t read_bytes_ = 0, write_bytes_ = 0;
  std::deque<InFlight> in_flight_;     ///< accepted, not yet completed, in order
  std::deque<uint64_t> slot_free_at_;  ///< completion cycles of the last max_outstanding accepted
  uint64_t segment_start_ = 0;         ///< first cycle of the current back-to-back run of the bus
  uint64_t segment_bytes_ = 0;         ///< bytes moved in that run so far (scheduled)
  uint64_t bus_free_ = 0;              ///< cycle the bus has moved every scheduled byte
  sc_core::sc_event accepted_;
};

}  // namespace wrpn::sim
