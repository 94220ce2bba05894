// Fully connected layer. Shapes: B images; input x [B, C] (the producer's output flattened, C =
// its K*OH*OW); weights wq [K, C]; output z [B, K].
#include <cblas.h>
#include <omp.h>

#include "trainer/ops/ops.h"
#include "trainer/parallel.h"

namespace wrpn::trainer {

namespace {
int ii(int64_t v) { return static_cast<int>(v); }
}  // namespace

void fc_forward(float* z, const float* x, const float* wq, int64_t B, int64_t C, int64_t K) {
  // Split by output neurons: each thread reads (and OpenBLAS packs) only its rows of the weight
  // matrix, the large operand, instead of every thread packing all of it.
#pragma omp parallel num_threads(threads())
  {
    int64_t lo, hi;
    split_range(K, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
    if (hi > lo)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ii(B), ii(hi - lo), ii(C), 1.0f, x, ii(C), wq + lo * C,
                  ii(C), 0.0f, z + lo, ii(K));
  }
}

void fc_backward(float* dwq, float* dx, const float* dz, const float* x, const float* wq, int64_t B, int64_t C,
                 int64_t K) {
#pragma omp parallel num_threads(threads())
  {
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t lo, hi;
    split_range(K, nt, t, &lo, &hi);
    if (hi > lo)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ii(hi - lo), ii(C), ii(B), 1.0f, dz + lo, ii(K), x, ii(C),
                  0.0f, dwq + lo * C, ii(C));
    if (dx) {  // split by input features, so each thread reads only its columns of the weights
      split_range(C, nt, t, &lo, &hi);
      if (hi > lo)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ii(B), ii(hi - lo), ii(K), 1.0f, dz, ii(K), wq + lo,
                    ii(C), 1.0f, dx + lo, ii(C));
    }
  }
}

}  // namespace wrpn::trainer
