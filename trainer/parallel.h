// OpenMP helpers and the single-threaded-BLAS policy of the trainer: work is split across OpenMP
// threads with static schedules (so results depend only on the thread count), and every cblas call
// runs single-threaded inside those regions, so OpenBLAS's own threads never compete with OpenMP.
#pragma once

#include <cstdint>

namespace wrpn::trainer {

/// Sets the OpenMP thread count and pins OpenBLAS to one thread per call.
void set_threads(int threads);
int threads();
/// [lo, hi) of part `t` when `total` items are split into `parts` contiguous ranges.
inline void split_range(int64_t total, int parts, int t, int64_t* lo, int64_t* hi) {
  const int64_t base = total / parts, extra = total % parts;
  *lo = t * base + (t < extra ? t : extra);
  *hi = *lo + base + (t < extra ? 1 : 0);
}

}  // namespace wrpn::trainer
