// Accumulator width of a synthesized processing element: one rule, used by `wrpn synth`
// (results/synth/) and recorded in every result (acc_width) so the energy model can match it.
#pragma once

#include <algorithm>
#include <cstdint>

#include "common/numerics.h"

namespace wrpn {

/// Dot-product length (terms; each binary lane counts as one term) a synthesized PE's accumulator
/// is sized for.
inline constexpr int64_t kPeAccFanIn = 4096;

/// Accumulator bits of a synthesized PE: the worst case of a kPeAccFanIn-term dot product at these
/// code widths (acc_bits_for_fan_in; ternary weights count as 2-bit, binary as 1-bit codes), capped
/// at kMaxAccBits; 32 (the word) for FP32.
inline int pe_acc_bits(PeType type, int wbits, int abits) {
  if (type == PeType::fp32) return 32;
  const int w = type == PeType::binary ? 1 : (type == PeType::ternary ? 2 : wbits);
  return std::min(kMaxAccBits, acc_bits_for_fan_in(abits, w, kPeAccFanIn));
}

}  // namespace wrpn
