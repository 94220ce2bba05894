#include "mapping/tile_engine.h"

#include <algorithm>

namespace wrpn::mapping {

namespace {

/// The cycle loop shared by all PE types. `mac(i, j, idx)` performs PE(i,j)'s operation on stream
/// index idx (OS: reduction index t; WS: pixel m; IS: channel n) and returns true if it overflowed.
template <class Mac>
TileStats step_generic(const TileShape& s, Mac&& mac) {
  TileStats st;
  const int64_t R = s.rows_used, C = s.cols_used, T = s.stream;
  uint64_t cycle = 0;
  if (s.dataflow != Dataflow::output_stationary) {
    // Preload: the stationary weights (WS) or inputs (IS) shift in from the top, one array row per
    // cycle.
    for (int64_t i = 0; i < R; ++i) {
      st.operand_register_writes += static_cast<uint64_t>(C);
      ++cycle;
    }
  }
  const uint64_t forward_writes = s.dataflow == Dataflow::output_stationary ? 2 : 1;
  // Wavefront: in stream cycle c, PE(i,j) works on index c - i - j when it lies in [0, T). The set
  // of busy PEs is non-empty from the first cycle until the wavefront has left the array.
  for (int64_t c = 0;; ++c) {
    uint64_t active = 0;
    for (int64_t i = 0; i < R; ++i) {
      const int64_t base = c - i;
      const int64_t jlo = std::max<int64_t>(0, base - T + 1);
      const int64_t jhi = std::min<int64_t>(C - 1, base);
      if (jlo > jhi) continue;
      for (int64_t j = jlo; j <= jhi; ++j) {
        if (mac(i, j, base - j) && !st.overflow) {
          st.overflow = true;
          st.overflow_row = static_cast<int>(i);
          st.overflow_col = static_cast<int>(j);
          st.overflow_term = base - j;
          st.overflow_cycle = cycle;
        }
      }
      active += static_cast<uint64_t>(jhi - jlo + 1);
    }
    if (active == 0) break;
    st.pe_ops += active;
    st.operand_register_writes += forward_writes * active;
    st.accumulator_updates += active;
    ++cycle;
  }
  if (s.dataflow == Dataflow::output_stationary) {
    // Drain: the accumulators leave one array row per cycle into the post-processing unit.
    for (int64_t i = 0; i < R; ++i) ++cycle;
  }
  st.cycles = cycle;
  return st;
}

/// Largest |v| in [p, p+n).
template <class V>
int64_t max_abs(const V* p, int64_t n) {
  int64_t m = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = p[i] < 0 ? -static_cast<int64_t>(p[i]) : static_cast<int64_t>(p[i]);
    m = v > m ? v : m;
  }
  return m;
}

}  // namespace

TileStats step_tile(const TileShape& s, const IntTile& t, int acc_bits, OverflowMode mode) {
  const int64_t C = s.cols_used, R = s.rows_used, T = s.stream;
  const int32_t* a = t.a;
  const int32_t* b = t.b;
  int64_t* acc = t.acc;
  const bool os = s.dataflow == Dataflow::output_stationary, is = s.dataflow == Dataflow::input_stationary;
  // Fast path (the common case): when no accumulator can leave its range whatever the order, every
  // partial sum is exact, so the PE arithmetic is done in a cache-friendly loop order and the cycle
  // loop only steps the wavefront to count cycles and PE operations. Integer addition is exact and
  // associative, so the accumulators are the ones the skewed order produces; when an overflow is
  // possible (bound below exceeds the range) the MACs run in wavefront order through mac_step.
  const int64_t na = is ? C * R : R * T, nb = os ? T * C : (is ? T * R : R * C), nacc = (os ? R : T) * C,
                red = os ? T : R;
  const int64_t bound_ab = max_abs(a, na) * max_abs(b, nb);
  const int64_t acc0 = max_abs(acc, nacc);
  if (bound_ab == 0 || (red <= (acc_max(acc_bits) - acc0) / bound_ab)) {
    if (os) {
      for (int64_t i = 0; i < R; ++i) {
        int64_t* out = acc + i * C;
        for (int64_t k = 0; k < T; ++k) {
          const int64_t x = a[i * T + k];
          const int32_t* brow = b + k * C;
          for (int64_t j = 0; j < C; ++j) out[j] += x * brow[j];
        }
      }
    } else if (is) {
      for (int64_t j = 0; j < C; ++j) {
        const int32_t* x = a + j * R;
        int64_t* out = acc + j * T;
        for (int64_t n = 0; n < T; ++n) {
          const int32_t* w = b + n * R;
          int64_t sum = 0;
          for (int64_t i = 0; i < R; ++i) sum += static_cast<int64_t>(x[i]) * w[i];
          out[n] += sum;
        }
      }
    } else {
      for (int64_t m = 0; m < T; ++m) {
        int64_t* out = acc + m * C;
        for (int64_t i = 0; i < R; ++i) {
          const int64_t x = a[m * R + i];
          const int32_t* brow = b + i * C;
          for (int64_t j = 0; j < C; ++j) out[j] += x * brow[j];
        }
      }
    }
    return step_generic(s, [](int64_t, int64_t, int64_t) { return false; });
  }
  if (is) {
    return step_generic(s, [&](int64_t i, int64_t j, int64_t n) {
      const MacResult r = mac_step(acc[j * T + n], a[j * R + i], b[n * R + i], acc_bits, mode);
      acc[j * T + n] = r.acc;
      return r.overflowed;
    });
  }
  if (os) {
    return step_generic(s, [&](int64_t i, int64_t j, int64_t k) {
      const MacResult r = mac_step(acc[i * C + j], a[i * T + k], b[k * C + j], acc_bits, mode);
      acc[i * C + j] = r.acc;
      return r.overflowed;
    });
  }
  return step_generic(s, [&](int64_t i, int64_t j, int64_t m) {
    const MacResult r = mac_step(acc[m * C + j], a[m * R + i], b[i * C + j], acc_bits, mode);
    acc[m * C + j] = r.acc;
    return r.overflowed;
  });
}

TileStats step_tile(const TileShape& s, const BinaryTile& t, int acc_bits, OverflowMode mode) {
  const int64_t C = s.cols_used, R = s.rows_used, T = s.stream;
  const int64_t lo = acc_min(acc_bits), hi = acc_max(acc_bits);
  auto add = [&](int64_t& dst, int64_t v) {
    const int64_t exact = dst + v;
    if (exact < lo || exact > hi) {
      dst = mode == OverflowMode::saturate ? (exact < lo ? lo : hi) : exact;
      return true;
    }
    dst = exact;
    return false;
  };
  if (s.dataflow == Dataflow::output_stationary) {
    return step_generic(s, [&](int64_t i, int64_t j, int64_t k) {
      return add(t.acc[i * C + j], xnor_popcount_dot(t.a[i * T + k], t.b[k * C + j], ~uint64_t{0}));
    });
  }
  if (s.dataflow == Dataflow::input_stationary) {
    return step_generic(s, [&](int64_t i, int64_t j, int64_t n) {
      return add(t.acc[j * T + n], xnor_popcount_dot(t.a[j * R + i], t.b[n * R + i], ~uint64_t{0}));
    });
  }
  return step_generic(s, [&](int64_t i, int64_t j, int64_t m) {
    return add(t.acc[m * C + j], xnor_popcount_dot(t.a[m * R + i], t.b[i * C + j], ~uint64_t{0}));
  });
}

TileStats step_tile(const TileShape& s, const Fp32Tile& t) {
  const int64_t C = s.cols_used, R = s.rows_used, T = s.stream;
  if (s.dataflow == Dataflow::output_stationary) {
    return step_generic(s, [&](int64_t i, int64_t j, int64_t k) {
      t.acc[i * C + j] = fp32_mac(t.acc[i * C + j], t.a[i * T + k], t.b[k * C + j]);
      return false;
    });
  }
  if (s.dataflow == Dataflow::input_stationary) {
    return step_generic(s, [&](int64_t i, int64_t j, int64_t n) {
      t.acc[j * T + n] = fp32_mac(t.acc[j * T + n], t.a[j * R + i], t.b[n * R + i]);
      return false;
    });
  }
  return step_generic(s, [&](int64_t i, int64_t j, int64_t m) {
    t.acc[m * C + j] = fp32_mac(t.acc[m * C + j], t.a[m * R + i], t.b[i * C + j]);
    return false;
  });
}

}  // namespace wrpn::mapping
