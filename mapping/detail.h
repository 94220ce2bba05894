// Helpers shared by the plan builder (plan.cpp) and the mapper's exact costing (mapper.cpp), so
// both count words, bands and stalls by the same rules. Internal to mapping/.
#pragma once

#include <algorithm>
#include <cstdint>

#include "common/arch_config.h"
#include "mapping/tile_engine.h"
#include "workloads/network.h"

namespace wrpn::mapping::detail {

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

inline int64_t slot_words(const BufferConfig& b) {
  return b.capacity_bits() / b.word_bits / (b.double_buffered ? 2 : 1);
}

inline uint64_t words(int64_t codes, const BufferConfig& b, int bits) {
  return static_cast<uint64_t>(words_for_codes(codes, b.word_bits, bits));
}

/// Input codes of one group (c/groups channels) that the output pixels [m0, m0+len) read: the
/// band of input rows their receptive fields cover, whole rows wide, per image.
inline int64_t band_codes(const Layer& l, int64_t m0, int64_t len) {
  const int64_t oh = l.out_h(), ow = l.out_w(), per_image = oh * ow, cg = l.c / l.groups;
  int64_t codes = 0;
  for (int64_t n = m0 / per_image; n * per_image < m0 + len && n < l.n; ++n) {
    const int64_t p_lo = std::max(m0, n * per_image) - n * per_image;
    const int64_t p_hi = std::min(m0 + len, (n + 1) * per_image) - 1 - n * per_image;
    const int64_t row_lo = std::max<int64_t>(0, (p_lo / ow) * l.stride - l.pad);
    const int64_t row_hi = std::min<int64_t>(l.h - 1, (p_hi / ow) * l.stride - l.pad + l.r - 1);
    if (row_hi >= row_lo) codes += cg * (row_hi - row_lo + 1) * l.w;
  }
  return codes;
}

/// Largest band over all pixel tiles of size tm.
inline uint64_t max_band_words(const Layer& l, int64_t pixels, int64_t tm, const BufferConfig& b) {
  uint64_t worst = 0;
  for (int64_t m0 = 0; m0 < pixels; m0 += tm)
    worst = std::max(worst, words(band_codes(l, m0, std::min(tm, pixels - m0)), b, l.abits_in));
  return worst;
}

inline uint64_t port_excess(uint64_t words_needed, int64_t cycles_available, const BufferConfig& b) {
  const uint64_t per_cycle = static_cast<uint64_t>(b.banks) * static_cast<uint64_t>(b.ports);
  const uint64_t need = (words_needed + per_cycle - 1) / per_cycle;
  return need > static_cast<uint64_t>(cycles_available) ? need - static_cast<uint64_t>(cycles_available) : 0;
}

inline int acc_store_bits(const ArchConfig& arch) { return arch.pe_type == PeType::fp32 ? 32 : arch.acc_bits; }

/// Codes of the reduction range [l0, l0+len) in stream units (lane words hold 64 codes).
inline int64_t reduction_codes(int64_t fan_in, int64_t lane, int64_t l0, int64_t len) {
  return std::min(fan_in, (l0 + len) * lane) - std::min(fan_in, l0 * lane);
}

/// Upper bounds of a mapping's tile sizes (all from 1): what sits on the array rows and columns is
/// bounded by them, what is streamed only by the layer.
struct TileLimits {
  int64_t tm, tn, tl;
};
inline TileLimits tile_limits(const ArchConfig& arch, Dataflow df, int64_t M, int64_t Kg, int64_t T) {
  const int64_t rows = arch.rows, cols = arch.cols;
  switch (df) {
    case Dataflow::output_stationary:
      return {std::min(rows, M), std::min(cols, Kg), T};
    case Dataflow::weight_stationary:
      return {M, std::min(cols, Kg), std::min(rows, T)};
    case Dataflow::input_stationary:
      return {std::min(cols, M), Kg, std::min(rows, T)};
  }
  return {1, 1, 1};
}

/// Ideal compute cycles of one group of a layer per bit-slice pass: the sum of tile_cycles over
/// every (pixel tile, channel tile, reduction tile) with sum of pixel lengths M, of channel
/// lengths Kg and of reduction lengths T (nM, nN, nL tiles). Every tile costs 2 * (rows used) +
/// (columns used) + stream - 2; what sits on the rows, the columns and the stream depends on the
/// dataflow (OS: pixels, channels, reduction; WS: reduction, channels, pixels; IS: reduction,
/// pixels, channels).
inline int64_t group_tile_cycles(Dataflow df, int64_t M, int64_t Kg, int64_t T, int64_t nM, int64_t nN, int64_t nL) {
  switch (df) {
    case Dataflow::output_stationary:
      return 2 * M * nN * nL + Kg * nM * nL + T * nM * nN - 2 * nM * nN * nL;
    case Dataflow::weight_stationary:
      return 2 * T * nN * nM + Kg * nL * nM + M * nL * nN - 2 * nL * nN * nM;
    case Dataflow::input_stationary:
      return 2 * T * nM * nN + M * nL * nN + Kg * nL * nM - 2 * nL * nM * nN;
  }
  return 0;
}

inline int64_t lane_of(const ArchConfig& arch) { return arch.pe_type == PeType::binary ? kBinaryLanes : 1; }

}  // namespace wrpn::mapping::detail
