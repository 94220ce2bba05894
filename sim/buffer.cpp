#include "sim/buffer.h"

namespace wrpn::sim {

Buffer::Buffer(sc_core::sc_module_name name, SimContext& ctx, const BufferConfig& cfg)
    : sc_module(name),
      ctx_(ctx),
      cfg_(cfg),
      slot_words_(static_cast<uint64_t>(cfg.capacity_bits() / cfg.word_bits / (cfg.double_buffered ? 2 : 1))) {}

bool Buffer::check_fits(uint64_t words, const char* what) {
  if (words <= slot_words_) return true;
  ctx_.internal_error(name(), std::string(what) + " of " + std::to_string(words) + " words exceeds a slot of " +
                                  std::to_string(slot_words_) + " words");
  return false;
}

void Buffer::transfer_done(DmaRequest& r) {
  // A load writes the words into the SRAM; a store reads them out.
  if (r.load)
    write_words_ += r.words;
  else
    read_words_ += r.words;
  r.done = true;
  r.done_cycle = ctx_.now_cycles();
  transfer_event_.notify(sc_core::SC_ZERO_TIME);
}

void Buffer::wait_done(const DmaRequest& r) {
  while (!r.done) sc_core::wait(transfer_event_);
}

}  // namespace wrpn::sim
