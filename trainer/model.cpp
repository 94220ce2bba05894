#include "trainer/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>

#include <cblas.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif
#include <omp.h>

#include "common/diagnostics.h"
#include "common/numerics.h"
#include "common/rng.h"
#include "trainer/parallel.h"
#include "workloads/onnx_import.h"

namespace wrpn::trainer {

// ------------------------------------------------------------------ model specs
std::vector<std::string> model_names() { return {"lenet", "mlp", "resnet_mini"}; }

Network resnet_mini_network() {
  // 28x28x1 -> conv3x3 16 -> maxpool 2 (14x14) -> residual block 16 -> conv3x3/2 32 (7x7)
  // -> residual block 32 -> avgpool 7 -> fc 10. Every conv is followed by BN and the activation
  // quantizer; the add clips at 1 (add_codes), so block outputs stay on the activation grid.
  Network net;
  net.name = "resnet_mini";
  net.input_c = 1;
  net.input_h = 28;
  net.input_w = 28;
  net.num_classes = 10;
  auto conv = [](const std::string& name, int64_t c, int64_t hw, int64_t k, int64_t stride,
                 std::vector<std::string> in = {}) {
    Layer l;
    l.name = name;
    l.op = LayerOp::conv;
    l.c = c;
    l.h = l.w = hw;
    l.k = k;
    l.r = l.s = 3;
    l.stride = stride;
    l.pad = 1;
    l.inputs = std::move(in);
    return l;
  };
  auto add = [](const std::string& name, int64_t c, int64_t hw, std::string a, std::string b) {
    Layer l;
    l.name = name;
    l.op = LayerOp::add;
    l.c = l.k = c;
    l.h = l.w = hw;
    l.r = l.s = 1;
    l.inputs = {std::move(a), std::move(b)};
    return l;
  };
  Layer pool;
  pool.name = "pool1";
  pool.op = LayerOp::maxpool;
  pool.c = pool.k = 16;
  pool.h = pool.w = 28;
  pool.r = pool.s = 2;
  pool.stride = 2;
  Layer gap;
  gap.name = "gap";
  gap.op = LayerOp::avgpool;
  gap.c = gap.k = 32;
  gap.h = gap.w = 7;
  gap.r = gap.s = 7;
  gap.stride = 7;
  Layer fc;
  fc.name = "fc";
  fc.op = LayerOp::fc;
  fc.c = 32;
  fc.k = 10;
  net.layers = {conv("conv1", 1, 28, 16, 1),
                pool,
                conv("b1_conv1", 16, 14, 16, 1),
                conv("b1_conv2", 16, 14, 16, 1),
                add("b1_add", 16, 14, "pool1", "b1_conv2"),
                conv("down", 16, 14, 32, 2),
                conv("b2_conv1", 32, 7, 32, 1),
                conv("b2_conv2", 32, 7, 32, 1),
                add("b2_add", 32, 7, "down", "b2_conv2"),
                gap,
                fc};
  net.check_consistency("trainer:resnet_mini");
  return net;
}

Network trainable_onnx_network(const std::string& path) {
  const Network net = load_network(path);  // ONNX001..ONNX006 on a bad file
  if (net.input_c != 1 || net.input_h != 28 || net.input_w != 28 || net.num_classes != 10)
    fail("TRN001", path, "graph.input",
         "the trainer trains on Fashion-MNIST: the graph needs a 1x28x28 input and 10 classes, it has " +
             std::to_string(net.input_c) + "x" + std::to_string(net.input_h) + "x" + std::to_string(net.input_w) +
             " and " + std::to_string(net.num_classes));
  const Layer& last = net.layers.back();
  if (last.op != LayerOp::fc)
    fail("TRN001", path, "", "the graph's last layer \"" + last.name + "\" is not an fc layer (the logits)");
  for (const auto& l : net.layers)
    if (l.op == LayerOp::concat)
      fail("TRN001", path, "", "layer \"" + l.name + "\" is a concat, which the trainer does not implement",
           "the trainer has conv (grouped, depthwise), fc, max/avg pool and residual add; simulate the graph "
           "timing-only");
  return net;
}

Network spec_network(const ModelSpec& spec) {
  auto bits_ok = [](int b) { return is_valid_bits(b); };
  if (!bits_ok(spec.wbits))
    fail("TRN002", "", "--wbits", "weight bits must be 1..16 or 32, got " + std::to_string(spec.wbits));
  if (!bits_ok(spec.abits))
    fail("TRN002", "", "--abits", "activation bits must be 1..16 or 32, got " + std::to_string(spec.abits));
  if (spec.first_last_wbits != 0 && !bits_ok(spec.first_last_wbits))
    fail("TRN002", "", "--first-last-wbits",
         "first/last weight bits must be 1..16 or 32, got " + std::to_string(spec.first_last_wbits));
  if (!(spec.width >= 1.0) || spec.width > 64.0)
    fail("TRN002", "", "--width", "width multiplier must be in [1, 64], got " + std::to_string(spec.width));
  Network base;
  if (spec.model == "resnet_mini")
    base = resnet_mini_network();
  else if (spec.model == "lenet" || spec.model == "mlp")
    base = builtin_network(spec.model);
  else if (is_onnx_path(spec.model))
    base = trainable_onnx_network(spec.model);
  else
    fail("TRN001", "", "--model", "unknown model \"" + spec.model + "\"",
         "trainer models: lenet, mlp, resnet_mini, or an .onnx graph");
  Network net = apply_width(base, spec.width);
  PrecisionPolicy p = PrecisionPolicy::uniform(spec.wbits, spec.abits);
  if (spec.first_last_wbits != 0) p.first_wbits = p.last_wbits = spec.first_last_wbits;
  // A quantized body always reads 8-bit pixel codes (the network input is 8-bit).
  if (spec.wbits != kFp32Bits || spec.abits != kFp32Bits) p.first_abits = 8;
  return apply_precision(net, p);
}

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

// ------------------------------------------------------------------ model
Model::Model(const Network& net, WeightScale weight_scale) : net_(net), weight_scale_(weight_scale) {
  std::map<std::string, int> index{{"input", -1}};
  int last_weighted = -1;
  for (size_t i = 0; i < net_.layers.size(); ++i)
    if (net_.layers[i].has_weights()) last_weighted = static_cast<int>(i);
  for (size_t i = 0; i < net_.layers.size(); ++i) {
    Node nd;
    nd.layer = net_.layers[i];
    nd.layer.n = 1;
    const Layer& l = nd.layer;
    if (l.inputs.empty())
      nd.inputs = {static_cast<int>(i) - 1};
    else
      for (const auto& name : l.inputs) nd.inputs.push_back(index.at(name));
    nd.is_last = static_cast<int>(i) == last_weighted;
    nd.bn_act = l.has_weights() && !nd.is_last;
    nd.out_spatial = l.out_h() * l.out_w();
    nd.out_size = l.k * nd.out_spatial;
    if (l.has_weights()) {
      nd.w.assign(static_cast<size_t>(l.weight_count()), 0.0f);
      nd.dw = nd.wq = nd.w;
    }
    if (nd.is_last) nd.bias.assign(static_cast<size_t>(l.k), 0.0f), nd.dbias = nd.bias;
    if (nd.bn_act) {
      nd.gamma.assign(static_cast<size_t>(l.k), 1.0f);
      nd.beta.assign(static_cast<size_t>(l.k), 0.0f);
      nd.dgamma = nd.dbeta = nd.beta;
      nd.run_mean.assign(static_cast<size_t>(l.k), 0.0f);
      nd.run_var.assign(static_cast<size_t>(l.k), 1.0f);
    }
    index[l.name] = static_cast<int>(i);
    nodes_.push_back(std::move(nd));
  }
}

void Model::init(uint64_t seed) {
  Rng rng(seed);
  for (auto& nd : nodes_) {
    if (!nd.layer.has_weights()) continue;
    if (weight_scale_ == WeightScale::paper && nd.bn_act && nd.layer.wbits != kFp32Bits) {
      // The fixed grid has steps of 1/(2^(k-1)-1) on [-1, 1]: Kaiming weights (std 0.03-0.06 at a
      // fan-in of 500-2000) would all round to code 0 at 2-4 bits and no gradient would reach the
      // layers before. Batch norm follows, so the weights' scale does not change the layer's output.
      for (auto& v : nd.w) v = static_cast<float>(2.0 * rng.uniform() - 1.0);
    } else {
      const double stdev = std::sqrt(2.0 / static_cast<double>(nd.layer.fan_in()));
      for (auto& v : nd.w) v = static_cast<float>(rng.normal() * stdev);
    }
    std::fill(nd.bias.begin(), nd.bias.end(), 0.0f);
    std::fill(nd.gamma.begin(), nd.gamma.end(), 1.0f);
    std::fill(nd.beta.begin(), nd.beta.end(), 0.0f);
    std::fill(nd.run_mean.begin(), nd.run_mean.end(), 0.0f);
    std::fill(nd.run_var.begin(), nd.run_var.end(), 1.0f);
  }
}

std::vector<ParamRef> Model::params() {
  std::vector<ParamRef> p;
  for (auto& nd : nodes_) {
    const std::string& n = nd.layer.name;
    if (!nd.layer.has_weights()) continue;
    p.push_back({n + ".weight", &nd.w, &nd.dw, true});
    if (nd.is_last) p.push_back({n + ".bias", &nd.bias, &nd.dbias, false});
    if (nd.bn_act) {
      p.push_back({n + ".bn_gamma", &nd.gamma, &nd.dgamma, false});
      p.push_back({n + ".bn_beta", &nd.beta, &nd.dbeta, false});
    }
  }
  return p;
}

std::vector<std::pair<std::string, std::vector<float>*>> Model::state() {
  std::vector<std::pair<std::string, std::vector<float>*>> s;
  for (auto& p : params()) s.emplace_back(p.name, p.value);
  for (auto& nd : nodes_)
    if (nd.bn_act) {
      s.emplace_back(nd.layer.name + ".bn_running_mean", &nd.run_mean);
      s.emplace_back(nd.layer.name + ".bn_running_var", &nd.run_var);
    }
  return s;
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

namespace {

/// Linear threshold counting beats a call per element up to this many codes.
constexpr int kMaxTableCodes = 32;

StepTable activation_table(int bits) {
  return StepTable([bits](float a) { return quantize_activation(a, bits); }, 0, act_code_max(bits),
                   [bits](int32_t c) { return activation_value(c, bits); }, 1.0f,
                   static_cast<float>(act_code_max(bits)));
}

}  // namespace

float Model::alpha_of(const Node& nd) const {
  if (weight_scale_ == WeightScale::paper || !nd.layer.has_weights()) return 1.0f;
  return weight_alpha(nd.w.data(), static_cast<int64_t>(nd.w.size()), nd.layer.wbits);
}

void Model::quantize_weights(Node& nd) {
  const int bits = nd.layer.wbits;
  const int64_t n = static_cast<int64_t>(nd.w.size());
  if (bits == kFp32Bits) {
    nd.alpha = 1.0f;
    nd.wq = nd.w;
    return;
  }
  nd.alpha = alpha_of(nd);
  if (clip_surrogate_ && bits != 1) {
    for (int64_t i = 0; i < n; ++i) nd.wq[i] = std::clamp(nd.w[i], -nd.alpha, nd.alpha);
    return;
  }
  const float alpha = nd.alpha;
  float* wq = nd.wq.data();
  const float* w = nd.w.data();
  const int32_t L = weight_code_max(bits);
  bool has_nan = false;
  if (bits >= 2 && 2 * L <= kMaxTableCodes) {
    // common's quantize_weight tabulated for this alpha (exact; NaN handled below).
    const StepTable table([bits, alpha](float v) { return quantize_weight(v, bits, alpha); }, -L, L,
                          [bits, alpha](int32_t c) { return weight_value(c, bits, alpha); }, alpha,
                          static_cast<float>(weight_scale_den(bits)));
    int nan_seen = 0;
#pragma omp parallel num_threads(threads()) if (n > 16384) reduction(| : nan_seen)
    {
      int64_t lo, hi;
      split_range(n, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
      table.apply(w + lo, wq + lo, hi - lo);
      int seen = 0;
#pragma omp simd reduction(| : seen)
      for (int64_t i = lo; i < hi; ++i) seen |= w[i] != w[i] ? 1 : 0;
      nan_seen |= seen;
    }
    has_nan = nan_seen != 0;
  } else {
    has_nan = true;  // use the per-element path below for every weight
  }
  if (has_nan) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (n > 16384)
    for (int64_t i = 0; i < n; ++i) wq[i] = weight_value(quantize_weight(w[i], bits, alpha), bits, alpha);
  }
}

const float* Model::input_of(int node, int which) const {
  const int p = nodes_[node].inputs[which];
  return p < 0 ? x_ : nodes_[p].out.data();
}

float* Model::grad_of(int node, int which) {
  const int p = nodes_[node].inputs[which];
  return p < 0 ? nullptr : nodes_[p].dout.data();
}

namespace {

// im2col of one image into columns of a batched buffer whose rows are `ld` floats apart: row
// (c*R + i)*S + j, columns 0..P-1 of this image (the caller offsets `col` by b*P).
void im2col(const float* x, const Layer& l, float* col, int64_t ld) {
  const int64_t oh = l.out_h(), ow = l.out_w();
  for (int64_t c = 0; c < l.c; ++c)
    for (int64_t i = 0; i < l.r; ++i)
      for (int64_t j = 0; j < l.s; ++j) {
        float* row = col + ((c * l.r + i) * l.s + j) * ld;
        for (int64_t y = 0; y < oh; ++y) {
          const int64_t iy = y * l.stride - l.pad + i;
          float* dst = row + y * ow;
          if (iy < 0 || iy >= l.h) {
            std::fill(dst, dst + ow, 0.0f);
            continue;
          }
          const float* src = x + (c * l.h + iy) * l.w;
          if (l.stride == 1 && l.pad == 0) {  // the common case: a short contiguous copy, inline
            const float* s = src + j;
#pragma omp simd
            for (int64_t xx = 0; xx < ow; ++xx) dst[xx] = s[xx];
            continue;
          }
          for (int64_t xx = 0; xx < ow; ++xx) {
            const int64_t ix = xx * l.stride - l.pad + j;
            dst[xx] = (ix < 0 || ix >= l.w) ? 0.0f : src[ix];
          }
        }
      }
}

// Adds the columns of one image (rows `ld` floats apart) back into its input gradient.
void col2im_add(const float* col, const Layer& l, float* dx, int64_t ld) {
  const int64_t oh = l.out_h(), ow = l.out_w();
  for (int64_t c = 0; c < l.c; ++c)
    for (int64_t i = 0; i < l.r; ++i)
      for (int64_t j = 0; j < l.s; ++j) {
        const float* row = col + ((c * l.r + i) * l.s + j) * ld;
        for (int64_t y = 0; y < oh; ++y) {
          const int64_t iy = y * l.stride - l.pad + i;
          if (iy < 0 || iy >= l.h) continue;
          float* dst = dx + (c * l.h + iy) * l.w;
          const float* src = row + y * ow;
          if (l.stride == 1 && l.pad == 0) {
            float* d = dst + j;
#pragma omp simd
            for (int64_t xx = 0; xx < ow; ++xx) d[xx] += src[xx];
            continue;
          }
          for (int64_t xx = 0; xx < ow; ++xx) {
            const int64_t ix = xx * l.stride - l.pad + j;
            if (ix >= 0 && ix < l.w) dst[ix] += src[xx];
          }
        }
      }
}

int ii(int64_t v) { return static_cast<int>(v); }

/// Where element (channel k, image b, pixel p) of a weighted layer's z / dz lives:
/// k * ks + b * bs + p. conv: channel-major [K, n*P]; fc (P = 1): [n, K].
struct ZLayout {
  int64_t ks, bs;
};

ZLayout z_layout(const Layer& l, int64_t n, int64_t P) {
  if (l.op == LayerOp::conv) return {n * P, P};
  return {1, l.k};
}

}  // namespace

const std::vector<float>& Model::forward(const float* x, int64_t n, bool train) {
  x_ = x;
  n_ = n;
  const int T = threads();
  for (size_t ni = 0; ni < nodes_.size(); ++ni) {
    Node& nd = nodes_[ni];
    const Layer& l = nd.layer;
    const int node = static_cast<int>(ni);
    const int64_t K = l.k, P = nd.out_spatial, in_size = l.c * l.h * l.w;
    nd.out.resize(static_cast<size_t>(n * nd.out_size));
    const float* in = input_of(node, 0);
    float* zbuf = nullptr;
    if (l.has_weights()) {
      quantize_weights(nd);
      nd.z.resize(static_cast<size_t>(n * nd.out_size));
      zbuf = nd.z.data();
    }
    if (l.op == LayerOp::conv) {
      // One GEMM per thread (and group) over that thread's images: z[K, n*P] = wq[K, CRS] col[CRS, n*P].
      const int64_t G = l.groups, Cg = l.c / G, Kg = K / G, CRS = Cg * l.r * l.s, NP = n * P;
      nd.col.resize(static_cast<size_t>(l.c * l.r * l.s * NP));
      float* colp = nd.col.data();
      const float* wq = nd.wq.data();
#pragma omp parallel num_threads(T)
      {
        int64_t lo, hi;
        split_range(n, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
        for (int64_t b = lo; b < hi; ++b) im2col(in + b * in_size, l, colp + b * P, NP);
        if (hi > lo)
          for (int64_t g = 0; g < G; ++g)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ii(Kg), ii((hi - lo) * P), ii(CRS), 1.0f,
                        wq + g * Kg * CRS, ii(CRS), colp + g * CRS * NP + lo * P, ii(NP), 0.0f,
                        zbuf + g * Kg * NP + lo * P, ii(NP));
      }
    } else if (l.op == LayerOp::fc) {
      const int64_t C = l.c;
      // Split by output neurons: each thread reads (and OpenBLAS packs) only its rows of the weight
      // matrix, the large operand, instead of every thread packing all of it.
#pragma omp parallel num_threads(T)
      {
        int64_t lo, hi;
        split_range(K, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
        if (hi > lo)
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ii(n), ii(hi - lo), ii(C), 1.0f, in, ii(C),
                      nd.wq.data() + lo * C, ii(C), 0.0f, zbuf + lo, ii(K));
      }
    } else if (l.op == LayerOp::maxpool || l.op == LayerOp::avgpool) {
      const bool is_max = l.op == LayerOp::maxpool;
      const int64_t oh = l.out_h(), ow = l.out_w();
      const int bits = l.abits_out;
      const bool quant = is_max || clip_surrogate_ ? false : bits != kFp32Bits;
      if (is_max) nd.argmax.resize(static_cast<size_t>(n * nd.out_size));
      const float levels = quant ? static_cast<float>(act_code_max(bits)) : 1.0f;
      float* out = nd.out.data();
      int64_t* amax = nd.argmax.data();
      if (is_max && l.r == 2 && l.s == 2 && l.stride == 2 && l.pad == 0) {
        // The usual 2x2/2 max pool, windows always inside: same comparisons in the same window
        // order as the general loop below (first maximum wins), without its bounds arithmetic.
#pragma omp parallel for schedule(static) num_threads(T)
        for (int64_t b = 0; b < n; ++b)
          for (int64_t c = 0; c < K; ++c) {
            const int64_t plane = b * in_size + c * l.h * l.w;
            for (int64_t y = 0; y < oh; ++y) {
              const int64_t o = b * nd.out_size + (c * oh + y) * ow, r0 = plane + 2 * y * l.w, r1 = r0 + l.w;
              for (int64_t xx = 0; xx < ow; ++xx) {
                const int64_t idx[4] = {r0 + 2 * xx, r0 + 2 * xx + 1, r1 + 2 * xx, r1 + 2 * xx + 1};
                int64_t best_i = idx[0];
                float best = in[best_i];
                for (int q = 1; q < 4; ++q)
                  if (in[idx[q]] > best) best = in[idx[q]], best_i = idx[q];
                if (!(best > -INFINITY)) {  // all -inf or NaN: the general loop's result
                  best = -INFINITY;
                  best_i = -1;
                  for (int q = 0; q < 4; ++q)
                    if (in[idx[q]] > best) best = in[idx[q]], best_i = idx[q];
                }
                out[o + xx] = best;
                amax[o + xx] = best_i;
              }
            }
          }
        continue;
      }
#pragma omp parallel for schedule(static) num_threads(T)
      for (int64_t b = 0; b < n; ++b)
        for (int64_t c = 0; c < K; ++c) {
          const int64_t plane = b * in_size + c * l.h * l.w;
          for (int64_t y = 0; y < oh; ++y)
            for (int64_t xx = 0; xx < ow; ++xx) {
              const int64_t o = b * nd.out_size + (c * oh + y) * ow + xx;
              const int64_t y0 = y * l.stride - l.pad, x0 = xx * l.stride - l.pad;
              const int64_t i0 = std::max<int64_t>(0, -y0), i1 = std::min(l.r, l.h - y0);
              const int64_t j0 = std::max<int64_t>(0, -x0), j1 = std::min(l.s, l.w - x0);
              if (is_max) {
                float best = -INFINITY;
                int64_t best_i = -1;
                for (int64_t i = i0; i < i1; ++i)
                  for (int64_t j = j0; j < j1; ++j) {
                    const int64_t idx = plane + (y0 + i) * l.w + x0 + j;
                    if (in[idx] > best) best = in[idx], best_i = idx;
                  }
                out[o] = best;
                amax[o] = best_i;
                continue;
              }
              double sum = 0.0;
              int64_t code_sum = 0;
              for (int64_t i = i0; i < i1; ++i)
                for (int64_t j = j0; j < j1; ++j) {
                  const float v = in[plane + (y0 + i) * l.w + x0 + j];
                  sum += v;
                  if (quant) code_sum += static_cast<int64_t>(std::lrint(v * levels));
                }
              out[o] = quant ? activation_value(avgpool_code(code_sum, l.r * l.s), bits)
                             : static_cast<float>(sum / static_cast<double>(l.r * l.s));
            }
        }
      continue;
    } else {  // add
      const float* in_b = input_of(node, 1);
      const bool quant = l.abits_out != kFp32Bits;
      const int64_t total = n * nd.out_size;
#pragma omp parallel for schedule(static) num_threads(T)
      for (int64_t i = 0; i < total; ++i) {
        const float s = in[i] + in_b[i];
        nd.out[i] = quant ? std::min(s, 1.0f) : s;
      }
      continue;
    }
    // weighted layer epilogue
    if (nd.is_last) {
      for (int64_t b = 0; b < n; ++b)
        for (int64_t k = 0; k < K; ++k) nd.out[b * K + k] = zbuf[b * K + k] + nd.bias[k];
      continue;
    }
    // batch norm over (n, spatial) per channel, then activation; z in its layout, out NCHW.
    // Sums: float within one image's P pixels (vectorized), double across images.
    nd.mean.resize(static_cast<size_t>(K));
    nd.invstd.resize(static_cast<size_t>(K));
    const ZLayout zl = z_layout(l, n, P);
    const int bits = l.abits_out;
    const bool use_table = bits != kFp32Bits && !clip_surrogate_ && act_code_max(bits) <= kMaxTableCodes;
    const StepTable table =
        use_table ? activation_table(bits) : StepTable([](float) { return 0; }, 0, 0, [](int32_t) { return 0.0f; });
    const double m = static_cast<double>(n * P);
    float* out = nd.out.data();
    const int64_t osz = nd.out_size;
#pragma omp parallel for schedule(static) num_threads(T)
    for (int64_t k = 0; k < K; ++k) {
      double mean, var;
      if (train) {
        double s = 0.0, s2 = 0.0;
        for (int64_t b = 0; b < n; ++b) {
          const float* zp = zbuf + k * zl.ks + b * zl.bs;
          float fs = 0.0f;
#pragma omp simd reduction(+ : fs)
          for (int64_t p = 0; p < P; ++p) fs += zp[p];
          s += fs;
        }
        mean = s / m;
        const float fm = static_cast<float>(mean);
        for (int64_t b = 0; b < n; ++b) {
          const float* zp = zbuf + k * zl.ks + b * zl.bs;
          float fs = 0.0f;
#pragma omp simd reduction(+ : fs)
          for (int64_t p = 0; p < P; ++p) fs += (zp[p] - fm) * (zp[p] - fm);
          s2 += fs;
        }
        var = s2 / m;
        const double unbiased = m > 1 ? s2 / (m - 1) : var;
        nd.run_mean[k] = static_cast<float>((1 - bn_momentum_) * nd.run_mean[k] + bn_momentum_ * mean);
        nd.run_var[k] = static_cast<float>((1 - bn_momentum_) * nd.run_var[k] + bn_momentum_ * unbiased);
      } else {
        mean = nd.run_mean[k];
        var = nd.run_var[k];
      }
      const float fmean = static_cast<float>(mean);
      const float inv = static_cast<float>(1.0 / std::sqrt(var + bn_eps_));
      nd.mean[k] = fmean;
      nd.invstd[k] = inv;
      const float g = nd.gamma[k], be = nd.beta[k];
      for (int64_t b = 0; b < n; ++b) {
        const float* zp = zbuf + k * zl.ks + b * zl.bs;
        float* op = out + b * osz + k * P;
        for (int64_t p = 0; p < P; ++p) op[p] = g * ((zp[p] - fmean) * inv) + be;  // BN output
        if (bits == kFp32Bits) {
          for (int64_t p = 0; p < P; ++p) op[p] = std::max(op[p], 0.0f);
        } else if (clip_surrogate_) {
          for (int64_t p = 0; p < P; ++p) op[p] = std::clamp(op[p], 0.0f, 1.0f);
        } else if (use_table) {
          table.apply(op, op, P);
        } else {
          for (int64_t p = 0; p < P; ++p) op[p] = activation_value(quantize_activation(op[p], bits), bits);
        }
      }
    }
  }
  return nodes_.back().out;
}

double Model::loss(const int32_t* labels, std::vector<float>* dlogits, int64_t* correct) const {
  const std::vector<float>& logits = nodes_.back().out;
  const int64_t C = num_classes();
  if (dlogits) dlogits->assign(logits.size(), 0.0f);
  double total = 0.0;
  int64_t ok = 0;
  for (int64_t b = 0; b < n_; ++b) {
    const float* z = logits.data() + b * C;
    int64_t best = 0;
    for (int64_t c = 1; c < C; ++c)
      if (z[c] > z[best]) best = c;
    if (best == labels[b]) ++ok;
    const double mx = z[best];
    double se = 0.0;
    for (int64_t c = 0; c < C; ++c) se += std::exp(static_cast<double>(z[c]) - mx);
    total += -(static_cast<double>(z[labels[b]]) - mx - std::log(se));
    if (dlogits)
      for (int64_t c = 0; c < C; ++c) {
        const double p = std::exp(static_cast<double>(z[c]) - mx) / se;
        (*dlogits)[b * C + c] = static_cast<float>((p - (c == labels[b] ? 1.0 : 0.0)) / static_cast<double>(n_));
      }
  }
  if (correct) *correct = ok;
  return total / static_cast<double>(n_);
}

void Model::backward(const std::vector<float>& dlogits) {
  const int64_t n = n_;
  const int T = threads();
  // Zero every gradient buffer (they are accumulated with +=), split over the threads.
  for (auto& nd : nodes_) nd.dout.resize(static_cast<size_t>(n * nd.out_size));
#pragma omp parallel num_threads(T)
  {
    for (auto& nd : nodes_) {
      int64_t lo, hi;
      split_range(static_cast<int64_t>(nd.dout.size()), omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
      std::fill(nd.dout.data() + lo, nd.dout.data() + hi, 0.0f);
    }
  }
  std::copy(dlogits.begin(), dlogits.end(), nodes_.back().dout.begin());
  for (int node = static_cast<int>(nodes_.size()) - 1; node >= 0; --node) {
    Node& nd = nodes_[node];
    const Layer& l = nd.layer;
    const int64_t K = l.k, P = nd.out_spatial, in_size = l.c * l.h * l.w;
    float* dx = grad_of(node, 0);
    if (l.op == LayerOp::maxpool) {
      if (!dx) continue;
        // Each image's window indices stay inside that image, so images are independent.
#pragma omp parallel for schedule(static) num_threads(T)
      for (int64_t b = 0; b < n; ++b)
        for (int64_t o = b * nd.out_size; o < (b + 1) * nd.out_size; ++o)
          if (nd.argmax[o] >= 0) dx[nd.argmax[o]] += nd.dout[o];
      continue;
    }
    if (l.op == LayerOp::avgpool) {
      if (!dx) continue;
      const int64_t oh = l.out_h(), ow = l.out_w();
      const float inv = 1.0f / static_cast<float>(l.r * l.s);
#pragma omp parallel for schedule(static) num_threads(T)
      for (int64_t b = 0; b < n; ++b)
        for (int64_t c = 0; c < K; ++c)
          for (int64_t y = 0; y < oh; ++y)
            for (int64_t xx = 0; xx < ow; ++xx) {
              const float g = nd.dout[b * nd.out_size + (c * oh + y) * ow + xx] * inv;
              for (int64_t i = 0; i < l.r; ++i)
                for (int64_t j = 0; j < l.s; ++j) {
                  const int64_t iy = y * l.stride - l.pad + i, ix = xx * l.stride - l.pad + j;
                  if (iy < 0 || iy >= l.h || ix < 0 || ix >= l.w) continue;
                  dx[b * in_size + (c * l.h + iy) * l.w + ix] += g;
                }
            }
      continue;
    }
    if (l.op == LayerOp::add) {
      float* dxb = grad_of(node, 1);
      const bool quant = l.abits_out != kFp32Bits;
      const float* a = input_of(node, 0);
      const float* bb = input_of(node, 1);
      const int64_t total = n * nd.out_size;
#pragma omp parallel for schedule(static) num_threads(T)
      for (int64_t i = 0; i < total; ++i) {
        const float g = (!quant || a[i] + bb[i] <= 1.0f) ? nd.dout[i] : 0.0f;  // STE of the clip at 1
        if (dx) dx[i] += g;
        if (dxb) dxb[i] += g;
      }
      continue;
    }
    // weighted layer: gradient w.r.t. z, in z's layout (conv [K, n*P], fc [n, K])
    nd.dz.resize(static_cast<size_t>(n * nd.out_size));
    float* dz = nd.dz.data();
    if (nd.is_last) {
      std::copy(nd.dout.begin(), nd.dout.end(), nd.dz.begin());
      for (int64_t k = 0; k < K; ++k) {
        double s = 0.0;
        for (int64_t b = 0; b < n; ++b) s += nd.dout[b * K + k];
        nd.dbias[k] = static_cast<float>(s);
      }
    } else {
      const bool relu = l.abits_out == kFp32Bits;
      const double m = static_cast<double>(n * P);
      const ZLayout zl = z_layout(l, n, P);
      const float* zbuf = nd.z.data();
      const float* dout = nd.dout.data();
      const int64_t osz = nd.out_size;
#pragma omp parallel for schedule(static) num_threads(T)
      for (int64_t k = 0; k < K; ++k) {
        const float g = nd.gamma[k], be = nd.beta[k], fmean = nd.mean[k], finv = nd.invstd[k];
        // xhat and the BN output y are recomputed with the same float operations as forward.
        // Pass 1: d loss / d y through the STE (clip to [0, 1]) or ReLU, kept in dz, and its sums.
        double sdy = 0.0, sdyx = 0.0;
        for (int64_t b = 0; b < n; ++b) {
          const float* zp = zbuf + k * zl.ks + b * zl.bs;
          float* dzp = dz + k * zl.ks + b * zl.bs;
          const float* dop = dout + b * osz + k * P;
          float a = 0.0f, c = 0.0f;
          if (relu) {
#pragma omp simd reduction(+ : a, c)
            for (int64_t p = 0; p < P; ++p) {
              const float xh = (zp[p] - fmean) * finv;
              const float d = g * xh + be > 0.0f ? dop[p] : 0.0f;
              dzp[p] = d;
              a += d;
              c += d * xh;
            }
          } else {
            int64_t p0 = 0;
#if defined(__SSE2__)
            // GCC leaves this masked loop scalar with branches; the same IEEE single operations,
            // four lanes at a time (partial sums per lane, added in lane order).
            __m128 va = _mm_setzero_ps(), vc = _mm_setzero_ps();
            const __m128 vmean = _mm_set1_ps(fmean), vinv = _mm_set1_ps(finv), vg = _mm_set1_ps(g),
                         vbe = _mm_set1_ps(be), zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f);
            for (; p0 + 4 <= P; p0 += 4) {
              const __m128 xh = _mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(zp + p0), vmean), vinv);
              const __m128 y = _mm_add_ps(_mm_mul_ps(vg, xh), vbe);
              const __m128 d =
                  _mm_and_ps(_mm_and_ps(_mm_cmpge_ps(y, zero), _mm_cmple_ps(y, one)), _mm_loadu_ps(dop + p0));
              _mm_storeu_ps(dzp + p0, d);
              va = _mm_add_ps(va, d);
              vc = _mm_add_ps(vc, _mm_mul_ps(d, xh));
            }
            alignas(16) float la[4], lc[4];
            _mm_store_ps(la, va);
            _mm_store_ps(lc, vc);
            a = (la[0] + la[1]) + (la[2] + la[3]);
            c = (lc[0] + lc[1]) + (lc[2] + lc[3]);
#endif
            for (int64_t p = p0; p < P; ++p) {
              const float xh = (zp[p] - fmean) * finv;
              const float y = g * xh + be;
              const float d = (y >= 0.0f) & (y <= 1.0f) ? dop[p] : 0.0f;
              dzp[p] = d;
              a += d;
              c += d * xh;
            }
          }
          sdy += a;
          sdyx += c;
        }
        nd.dgamma[k] = static_cast<float>(sdyx);
        nd.dbeta[k] = static_cast<float>(sdy);
        // Pass 2: d loss / d z = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)).
        const float scale = static_cast<float>(static_cast<double>(g) * finv);
        const auto mdy = static_cast<float>(sdy / m), mdyx = static_cast<float>(sdyx / m);
        for (int64_t b = 0; b < n; ++b) {
          const float* zp = zbuf + k * zl.ks + b * zl.bs;
          float* dzp = dz + k * zl.ks + b * zl.bs;
#pragma omp simd
          for (int64_t p = 0; p < P; ++p) dzp[p] = scale * (dzp[p] - mdy - ((zp[p] - fmean) * finv) * mdyx);
        }
      }
    }
    // d weights (through the STE of the weight quantizer) and d input
    const int64_t WN = static_cast<int64_t>(nd.w.size());
    nd.dwq.resize(static_cast<size_t>(WN));
    float* dwq = nd.dwq.data();
    const float* in = input_of(node, 0);
    const float* wq = nd.wq.data();
    if (l.op == LayerOp::conv) {
      // dwq[K, CRS] = dz[K, n*P] col[CRS, n*P]^T: each thread reduces over its own images into its
      // partial buffer (so it packs only its half of col, the large operand), and the partials are
      // summed in thread order: the result depends only on the thread count.
      // dcol[CRS, images*P] = wq^T dz over the same images, then each thread adds its images' columns
      // into dx.
      const int64_t G = l.groups, Cg = l.c / G, Kg = K / G, CRS = Cg * l.r * l.s, NP = n * P;
      const float* colp = nd.col.data();
      const int64_t rows = l.c * l.r * l.s;
      const int64_t cb = std::max<int64_t>(1, (128 * 1024) / std::max<int64_t>(1, rows * P));  // ~512 KiB
      if (dx) nd.dcol.resize(static_cast<size_t>(T * rows * cb * P));
      float* dcol = nd.dcol.data();
      nd.dw_part.resize(static_cast<size_t>(T * WN));
      float* part = nd.dw_part.data();
#pragma omp parallel num_threads(T)
      {
        const int nt = omp_get_num_threads(), t = omp_get_thread_num();
        int64_t lo, hi;
        split_range(n, nt, t, &lo, &hi);
        float* mine = part + t * WN;
        if (hi > lo) {
          for (int64_t g = 0; g < G; ++g)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ii(Kg), ii(CRS), ii((hi - lo) * P), 1.0f,
                        dz + g * Kg * NP + lo * P, ii(NP), colp + g * CRS * NP + lo * P, ii(NP), 0.0f,
                        mine + g * Kg * CRS, ii(CRS));
        } else {
          std::fill(mine, mine + WN, 0.0f);
        }
        if (dx && hi > lo) {
          // A few images at a time, so this thread's dcol block stays in cache between the GEMM
          // that writes it and col2im that reads it.
          float* mine_col = dcol + t * rows * cb * P;
          for (int64_t b0 = lo; b0 < hi; b0 += cb) {
            const int64_t nb = std::min(cb, hi - b0), ld = nb * P;
            for (int64_t g = 0; g < G; ++g)
              cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ii(CRS), ii(ld), ii(Kg), 1.0f, wq + g * Kg * CRS,
                          ii(CRS), dz + g * Kg * NP + b0 * P, ii(NP), 0.0f, mine_col + g * CRS * ld, ii(ld));
            for (int64_t b = 0; b < nb; ++b) col2im_add(mine_col + b * P, l, dx + (b0 + b) * in_size, ld);
          }
        }
#pragma omp barrier
        int64_t wlo, whi;
        split_range(WN, nt, t, &wlo, &whi);
        for (int64_t i = wlo; i < whi; ++i) {
          float acc = part[i];
          for (int u = 1; u < nt; ++u) acc += part[u * WN + i];
          dwq[i] = acc;
        }
      }
    } else {  // fc
      const int64_t C = l.c;
#pragma omp parallel num_threads(T)
      {
        const int nt = omp_get_num_threads(), t = omp_get_thread_num();
        int64_t lo, hi;
        split_range(K, nt, t, &lo, &hi);
        if (hi > lo)
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ii(hi - lo), ii(C), ii(n), 1.0f, dz + lo, ii(K), in,
                      ii(C), 0.0f, dwq + lo * C, ii(C));
        if (dx) {  // split by input features, so each thread reads only its columns of the weights
          split_range(C, nt, t, &lo, &hi);
          if (hi > lo)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ii(n), ii(hi - lo), ii(K), 1.0f, dz, ii(K), wq + lo,
                        ii(C), 1.0f, dx + lo, ii(C));
        }
      }
    }
    // STE: the gradient passes where w/alpha lies inside the clip range [-1, 1] (binary: |w| <= 1).
    const int wb = l.wbits;
    const float limit = wb == kFp32Bits ? INFINITY : wb == 1 ? 1.0f : nd.alpha;
    const float* wv = nd.w.data();
    float* dwv = nd.dw.data();
#pragma omp parallel for simd schedule(static) num_threads(T) if (WN > 16384)
    for (int64_t i = 0; i < WN; ++i) dwv[i] = (wb == kFp32Bits || std::fabs(wv[i]) <= limit) ? dwq[i] : 0.0f;
  }
}

std::vector<int32_t> argmax_rows(const std::vector<float>& logits, int64_t n, int64_t classes) {
  std::vector<int32_t> out(static_cast<size_t>(n));
  for (int64_t b = 0; b < n; ++b) {
    const float* z = logits.data() + b * classes;
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (z[c] > z[best]) best = c;
    out[b] = static_cast<int32_t>(best);
  }
  return out;
}

}  // namespace wrpn::trainer
