#include "sim/dma.h"

#include <algorithm>
#include <cmath>

namespace wrpn::sim {

namespace {

uint64_t bus_cycles(uint64_t bytes, double bandwidth_bytes_per_cycle) {
  return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / bandwidth_bytes_per_cycle));
}

}  // namespace

Dma::Dma(sc_core::sc_module_name name, SimContext& ctx) : sc_module(name), req_i("req_i"), busy_o("busy_o"), ctx_(ctx) {
  SC_HAS_PROCESS(Dma);
  SC_THREAD(accept_thread);
  SC_THREAD(complete_thread);
}

uint64_t Dma::burst_rounded(uint64_t bytes) const {
  const uint64_t burst = static_cast<uint64_t>(ctx_.arch.dram.burst_bytes);
  return (bytes + burst - 1) / burst * burst;
}

uint64_t Dma::transfer_cycles(uint64_t bytes) const {
  const DramConfig& d = ctx_.arch.dram;
  if (d.ideal || bytes == 0) return 0;
  return static_cast<uint64_t>(d.latency_cycles) + bus_cycles(burst_rounded(bytes), d.bandwidth_bytes_per_cycle);
}

void Dma::accept_thread() {
  const DramConfig& d = ctx_.arch.dram;
  const size_t slots = static_cast<size_t>(std::max<int64_t>(1, d.max_outstanding));
  for (;;) {
    DmaRequest* r = req_i.read();
    const uint64_t bytes = burst_rounded((r->words * static_cast<uint64_t>(r->buffer->config().word_bits) + 7) / 8);
    const uint64_t now = ctx_.now_cycles();
    // Completions stay in request order: nothing completes before the transfer ahead of it.
    uint64_t done = in_flight_.empty() ? now : std::max(now, in_flight_.back().done_cycle);
    if (!d.ideal && bytes > 0) {
      // Accepted when one of the max_outstanding slots is free: the oldest of the last `slots`
      // accepted transfers has completed (completions are in order).
      uint64_t accept = now;
      if (slot_free_at_.size() == slots) {
        accept = std::max(accept, slot_free_at_.front());
        slot_free_at_.pop_front();
      }
      const uint64_t ready = accept + static_cast<uint64_t>(d.latency_cycles);
      // The first byte may move at `ready`. If the bus is still moving earlier transfers' bytes then
      // (ready < bus_free_, hence ready is before the exact end of the run), these bytes follow them
      // back to back; otherwise a new run starts at `ready`.
      if (ready >= bus_free_) {
        segment_start_ = ready;
        segment_bytes_ = 0;
      }
      segment_bytes_ += bytes;
      bus_free_ = segment_start_ + bus_cycles(segment_bytes_, d.bandwidth_bytes_per_cycle);
      done = bus_free_;
      slot_free_at_.push_back(done);
    }
    in_flight_.push_back(InFlight{r, bytes, done});
    accepted_.notify();
  }
}

void Dma::complete_thread() {
  for (;;) {
    while (in_flight_.empty()) sc_core::wait(accepted_);
    busy_o.write(true);  // the only writer of busy_o (one driver per signal)
    const InFlight f = in_flight_.front();
    const uint64_t now = ctx_.now_cycles();
    if (f.done_cycle > now) ctx_.wait_cycles(f.done_cycle - now);
    in_flight_.pop_front();
    if (f.request->load)
      read_bytes_ += f.bytes;
    else
      write_bytes_ += f.bytes;
    f.request->buffer->transfer_done(*f.request);
    if (in_flight_.empty() && req_i.num_available() == 0) busy_o.write(false);
  }
}

}  // namespace wrpn::sim
