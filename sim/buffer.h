// On-chip SRAM buffer (weights, inputs or outputs/partial sums): capacity, word width, banks,
// ports, double buffering. It counts every access in words (k-bit codes packed floor(word_bits/k)
// per word) and tracks which DRAM transfers into or out of it have completed.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>

#include "common/arch_config.h"
#include "sim/sim_context.h"

namespace wrpn::sim {

/// One DMA transfer between DRAM and a buffer. Owned by the controller until `done`.
struct DmaRequest {
  bool load = true;  ///< DRAM -> buffer (load) or buffer -> DRAM (store)
  class Buffer* buffer = nullptr;
  uint64_t words = 0;  ///< buffer words moved
  bool done = false;
  uint64_t done_cycle = 0;  ///< cycle the transfer completed (set with `done`)
};

class Buffer : public sc_core::sc_module {
 public:
  Buffer(sc_core::sc_module_name name, SimContext& ctx, const BufferConfig& cfg);

  const BufferConfig& config() const { return cfg_; }
  /// Words one half (double-buffered) or the whole buffer holds.
  uint64_t slot_words() const { return slot_words_; }
  /// Datapath accesses (the array or post-processing unit reading operands, writing results).
  void count_read(uint64_t words) { read_words_ += words; }
  void count_write(uint64_t words) { write_words_ += words; }
  /// Checks a transfer fits one slot: an overflowing buffer is a planning bug (internal error).
  bool check_fits(uint64_t words, const char* what);
  /// Called by the DMA when a transfer involving this buffer completes.
  void transfer_done(DmaRequest& r);
  /// Waits (in the calling thread) until `r` is done.
  void wait_done(const DmaRequest& r);
  uint64_t read_words() const { return read_words_; }
  uint64_t write_words() const { return write_words_; }

 private:
  SimContext& ctx_;
  BufferConfig cfg_;
  uint64_t slot_words_;
  uint64_t read_words_ = 0, write_words_ = 0;
  sc_core::sc_event transfer_event_;
};

}  // namespace wrpn::sim
