#include "trainer/parallel.h"

#include <algorithm>

#include <cblas.h>
#include <omp.h>

namespace wrpn::trainer {

namespace {
int g_threads = 1;
}

void set_threads(int t) {
  g_threads = std::max(1, t);
  omp_set_num_threads(g_threads);
  // Every cblas call runs inside an OpenMP region that already splits the work.
  openblas_set_num_threads(1);
}

int threads() { return g_threads; }

}  // namespace wrpn::trainer
