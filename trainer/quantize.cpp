#include "trainer/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/numerics.h"
#include "trainer/parallel.h"

namespace wrpn::trainer {

const char* to_string(WeightScale ws) { return ws == WeightScale::paper ? "paper" : "layer"; }

bool parse_weight_scale(const std::string& text, WeightScale* out) {
  if (text == "layer") {
    *out = WeightScale::layer;
    return true;
  }
  if (text == "paper") {
    *out = WeightScale::paper;
    return true;
  }
  return false;
}

float weight_alpha(const float* w, int64_t n, int bits) {
  if (bits == kFp32Bits || n == 0) return 1.0f;
  // Fixed blocks of kBlock weights, each summed with eight interleaved partial sums (lane i % 8),
  // the blocks then added in block order: one summation order whatever the thread count, so the
  // blocks can be spread over the threads and the result stays deterministic.
  constexpr int64_t kBlock = 8192;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> bsum(static_cast<size_t>(blocks)), bmax(static_cast<size_t>(blocks));
#pragma omp parallel for schedule(static) num_threads(threads()) if (blocks > 2)
  for (int64_t bi = 0; bi < blocks; ++bi) {
    const int64_t lo = bi * kBlock, hi = std::min(n, lo + kBlock);
    double mx = 0.0, lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = lo;
    for (; i + 8 <= hi; i += 8)
      for (int j = 0; j < 8; ++j) {
        const double a = std::fabs(static_cast<double>(w[i + j]));
        mx = std::max(mx, a);
        lane[j] += a;
      }
    for (; i < hi; ++i) {
      const double a = std::fabs(static_cast<double>(w[i]));
      mx = std::max(mx, a);
      lane[0] += a;
    }
    double s = 0.0;
    for (double v : lane) s += v;
    bsum[static_cast<size_t>(bi)] = s;
    bmax[static_cast<size_t>(bi)] = mx;
  }
  double sum = 0.0, mx = 0.0;
  for (int64_t bi = 0; bi < blocks; ++bi) {
    sum += bsum[static_cast<size_t>(bi)];
    mx = std::max(mx, bmax[static_cast<size_t>(bi)]);
  }
  const double mean = sum / static_cast<double>(n);
  double alpha = bits == 1 ? mean : bits == 2 ? std::min(mx, 1.4 * mean) : mx;
  if (!(alpha > 1e-12)) alpha = 1e-12;
  return static_cast<float>(alpha);
}

StepTable::StepTable(const std::function<int32_t(float)>& q, int32_t lo, int32_t hi,
                     const std::function<float(int32_t)>& value_of, float num, float den)
    : lo_(lo), num_(num), den_(den) {
  // Floats in increasing order map to increasing uint32 keys (negative: bits flipped; positive: sign
  // bit set). Bisection on keys between -inf and +inf finds, for every code c > lo, the smallest
  // float x with q(x) >= c. q is monotone non-decreasing, so q(x) = lo + #{c: x >= t_c}.
  auto key = [](float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  };
  auto from_key = [](uint32_t k) {
    const uint32_t u = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
  };
  for (int32_t c = lo + 1; c <= hi; ++c) {
    uint32_t a = key(-INFINITY), b = key(INFINITY);  // q(from_key(a)) < c <= q(from_key(b))
    while (b - a > 1) {
      const uint32_t mid = a + (b - a) / 2;
      if (q(from_key(mid)) >= c)
        b = mid;
      else
        a = mid;
    }
    t_.push_back(from_key(b));
  }
  for (int32_t c = lo; c <= hi; ++c) value_.push_back(value_of(c));
  affine_ = den != 0.0f;
  for (int32_t c = lo; c <= hi && affine_; ++c) {
    const float v = (num * static_cast<float>(c)) / den;
    affine_ = std::memcmp(&v, &value_[static_cast<size_t>(c - lo)], sizeof v) == 0;
  }
}

namespace {

#if defined(__GNUC__) && defined(__x86_64__)
// AVX: eight lanes per comparison. Counts are kept as floats (exact below 2^24); the value is
// (num * code) / den in IEEE single precision, the same operations as the scalar check above.
__attribute__((target("avx"))) void apply_avx(const float* t, int nt, float lo, float num, float den, const float* x,
                                              float* out, int64_t n, int64_t* done) {
  const __m256 one = _mm256_set1_ps(1.0f), vlo = _mm256_set1_ps(lo), vnum = _mm256_set1_ps(num),
               vden = _mm256_set1_ps(den);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 xv = _mm256_loadu_ps(x + i);
    __m256 cnt = _mm256_setzero_ps();
    for (int j = 0; j < nt; ++j)
      cnt = _mm256_add_ps(cnt, _mm256_and_ps(_mm256_cmp_ps(xv, _mm256_broadcast_ss(t + j), _CMP_GE_OQ), one));
    _mm256_storeu_ps(out + i, _mm256_div_ps(_mm256_mul_ps(vnum, _mm256_add_ps(cnt, vlo)), vden));
  }
  *done = i;
}
// Runs during static initialization, so the CPU model must be initialized first (GCC's rule).
const bool kHaveAvx = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx") != 0;
}();
#endif

}  // namespace

void StepTable::apply(const float* x, float* out, int64_t n) const {
  const int nt = static_cast<int>(t_.size());
  const float* t = t_.data();
  const float* vals = value_.data();
  int64_t i = 0;
#if defined(__GNUC__) && defined(__x86_64__)
  if (affine_ && kHaveAvx) apply_avx(t, nt, static_cast<float>(lo_), num_, den_, x, out, n, &i);
#endif
#if defined(__SSE2__)
  // Eight values at a time: each comparison x >= t_c gives -1 in a lane, subtracted into the count.
  // Comparisons with NaN are false, so NaN counts 0.
  for (; i + 8 <= n; i += 8) {
    const __m128 x0 = _mm_loadu_ps(x + i), x1 = _mm_loadu_ps(x + i + 4);
    __m128i c0 = _mm_setzero_si128(), c1 = _mm_setzero_si128();
    for (int j = 0; j < nt; ++j) {
      const __m128 tj = _mm_set1_ps(t[j]);
      c0 = _mm_sub_epi32(c0, _mm_castps_si128(_mm_cmpge_ps(x0, tj)));
      c1 = _mm_sub_epi32(c1, _mm_castps_si128(_mm_cmpge_ps(x1, tj)));
    }
    alignas(16) int32_t c[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(c), c0);
    _mm_store_si128(reinterpret_cast<__m128i*>(c + 4), c1);
    for (int k = 0; k < 8; ++k) out[i + k] = vals[c[k]];
  }
#endif
  for (; i < n; ++i) {
    int c = 0;
    for (int j = 0; j < nt; ++j) c += x[i] >= t[j] ? 1 : 0;
    out[i] = vals[c];
  }
}

StepTable activation_table(int bits) {
  return StepTable([bits](float a) { return quantize_activation(a, bits); }, 0, act_code_max(bits),
                   [bits](int32_t c) { return activation_value(c, bits); }, 1.0f,
                   static_cast<float>(act_code_max(bits)));
}

}  // namespace wrpn::trainer
