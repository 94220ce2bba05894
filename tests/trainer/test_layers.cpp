// Layer and quantizer gradients against numeric (central-difference) directional derivatives of the
// loss, and the forward values of the WRPN quantizers against common/numerics.h. Seeds are pinned.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>
#include <string>

#include "common/numerics.h"
#include "common/rng.h"
#include "trainer/model.h"
#include "trainer/parallel.h"

using namespace wrpn;
using namespace wrpn::trainer;

namespace {

Layer make_layer(const std::string& name, LayerOp op, int64_t c, int64_t hw, int64_t k, int64_t rs, int64_t stride,
                 int64_t pad, int64_t groups = 1) {
  Layer l;
  l.name = name;
  l.op = op;
  l.c = c;
  l.h = l.w = hw;
  l.k = k;
  l.r = l.s = rs;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  return l;
}

/// conv (stride 2, pad 1, groups 2) -> BN -> act -> maxpool -> conv 1x1 -> BN -> act -> avgpool -> fc.
Network small_net(int wbits, int abits) {
  Network net;
  net.name = "small";
  net.input_c = 2;
  net.input_h = net.input_w = 9;
  net.num_classes = 3;
  net.layers = {make_layer("conv1", LayerOp::conv, 2, 9, 4, 3, 2, 1, 2),  // 4 x 5 x 5
                make_layer("pool1", LayerOp::maxpool, 4, 5, 4, 2, 1, 0),  // 4 x 4 x 4
                make_layer("conv2", LayerOp::conv, 4, 4, 6, 1, 1, 0),     // 6 x 4 x 4
                make_layer("pool2", LayerOp::avgpool, 6, 4, 6, 2, 2, 0),  // 6 x 2 x 2
                make_layer("fc", LayerOp::fc, 24, 1, 3, 1, 1, 0)};
  for (auto& l : net.layers) {
    l.wbits = l.has_weights() ? wbits : kFp32Bits;
    l.abits_in = abits;
    l.abits_out = abits;
  }
  net.layers.back().abits_out = kFp32Bits;
  return net;
}

struct Batch {
  std::vector<float> x;
  std::vector<int32_t> y;
  int64_t n;
};

Batch random_batch(const Model& m, int64_t n, uint64_t seed) {
  Rng rng(seed);
  Batch b{std::vector<float>(static_cast<size_t>(n * m.input_size())), std::vector<int32_t>(static_cast<size_t>(n)), n};
  for (auto& v : b.x) v = static_cast<float>(rng.uniform());
  for (auto& v : b.y) v = static_cast<int32_t>(rng.uniform_int(0, m.num_classes() - 1));
  return b;
}

double train_loss(Model& m, const Batch& b) {
  m.forward(b.x.data(), b.n, true);
  return m.loss(b.y.data(), nullptr, nullptr);
}

/// For every parameter tensor: backward's gradient along a random direction d against
/// (L(p + eps d) - L(p - eps d)) / (2 eps). Dense: d is a random unit vector. Sparse (`sparse` > 0):
/// d is +-1 on `sparse` random elements, so each perturbed element moves by eps, far more than a
/// 16-bit quantization step (the rounding noise would otherwise swamp a dense, tiny perturbation).
void check_gradients(Model& m, const Batch& b, double eps, double rel_tol, double abs_tol, uint64_t seed,
                     int sparse = 0) {
  // Non-trivial BN affine parameters and biases, so their gradients are exercised too.
  Rng rng(seed);
  for (auto& nd : m.nodes()) {
    for (auto& g : nd.gamma) g = static_cast<float>(0.5 + rng.uniform());
    for (auto& v : nd.beta) v = static_cast<float>(0.4 * rng.uniform() - 0.1);
    for (auto& v : nd.bias) v = static_cast<float>(0.2 * rng.normal());
  }
  m.forward(b.x.data(), b.n, true);
  std::vector<float> dl;
  m.loss(b.y.data(), &dl, nullptr);
  m.backward(dl);
  for (auto& p : m.params()) {
    const std::vector<float> grad = *p.grad;
    std::vector<float> d(p.value->size(), 0.0f);
    if (sparse > 0) {
      for (int i = 0; i < sparse; ++i)
        d[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(d.size()) - 1))] =
            rng.uniform() < 0.5 ? -1.0f : 1.0f;
    } else {
      double norm = 0.0;
      for (auto& v : d) {
        v = static_cast<float>(rng.normal());
        norm += static_cast<double>(v) * v;
      }
      for (auto& v : d) v = static_cast<float>(v / std::sqrt(norm));
    }
    double analytic = 0.0;
    for (size_t i = 0; i < d.size(); ++i) analytic += static_cast<double>(grad[i]) * d[i];
    const std::vector<float> saved = *p.value;
    for (size_t i = 0; i < d.size(); ++i) (*p.value)[i] = saved[i] + static_cast<float>(eps) * d[i];
    const double lp = train_loss(m, b);
    for (size_t i = 0; i < d.size(); ++i) (*p.value)[i] = saved[i] - static_cast<float>(eps) * d[i];
    const double lm = train_loss(m, b);
    *p.value = saved;
    const double numeric = (lp - lm) / (2 * eps);
    BOOST_TEST_CONTEXT(p.name << ": analytic " << analytic << ", numeric " << numeric) {
      BOOST_TEST(std::fabs(analytic - numeric) <=
                 rel_tol * std::max(std::fabs(analytic), std::fabs(numeric)) + abs_tol);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(layers)

BOOST_AUTO_TEST_CASE(fp32_conv_groups_stride_pad_bn_pools_fc_softmax) {
  for (int t : {1, 2}) {
    set_threads(t);
    Model m(small_net(kFp32Bits, kFp32Bits));
    m.init(11);
    check_gradients(m, random_batch(m, 5, 12), 1e-3, 3e-2, 2e-4, 13);
  }
  set_threads(1);
}

BOOST_AUTO_TEST_CASE(fp32_residual_add_and_global_avgpool) {
  // resnet_mini: padded 3x3 convs, a stride-2 conv, two residual adds, 7x7 average pooling.
  set_threads(1);
  ModelSpec s;
  s.model = "resnet_mini";
  Model m(spec_network(s));
  m.init(21);
  check_gradients(m, random_batch(m, 2, 22), 1e-3, 3e-2, 2e-4, 23);
  set_threads(1);
}

BOOST_AUTO_TEST_CASE(ste_backward_matches_numeric_gradient_of_the_clip_functions) {
  // The STEs claim the gradient of the clip functions: identity inside the clip range, zero outside
  // (activations clipped at 0 and 1, no ReLU; the residual add clipped at 1). The clip surrogate
  // forward computes exactly those functions, so central differences check the backward's masks.
  // Weights at 4 bits (alpha = max|w|, so the clip is exact); the ternary alpha depends on mean|w|,
  // a dependence the STE ignores by design, so k = 2 is checked on activations only.
  for (int bits : {4, 2}) {
    BOOST_TEST_CONTEXT("abits " << bits) {
      Model m(small_net(4, bits));
      m.init(31);
      m.set_clip_surrogate(true);
      check_gradients(m, random_batch(m, 5, 32), 2e-4, 3e-2, 2e-4, 33);
    }
  }
  ModelSpec s;
  s.model = "resnet_mini";
  s.wbits = s.abits = 4;
  Model r(spec_network(s));
  r.init(34);
  r.set_clip_surrogate(true);
  check_gradients(r, random_batch(r, 2, 35), 2e-4, 3e-2, 4e-4, 36);
}

BOOST_AUTO_TEST_CASE(quantizer_forward_uses_common_codes) {
  for (int bits : {1, 2, 3, 4, 8}) {
    BOOST_TEST_CONTEXT("bits " << bits) {
      Model m(small_net(bits, bits == 1 ? 2 : bits));
      m.init(41);
      const Batch b = random_batch(m, 3, 42);
      m.forward(b.x.data(), b.n, true);
      for (const auto& nd : m.nodes()) {
        if (!nd.layer.has_weights()) continue;
        const float alpha = weight_alpha(nd.w.data(), static_cast<int64_t>(nd.w.size()), bits);
        BOOST_TEST(nd.alpha == alpha);
        for (size_t i = 0; i < nd.w.size(); ++i)
          BOOST_TEST_REQUIRE(nd.wq[i] == weight_value(quantize_weight(nd.w[i], bits, alpha), bits, alpha));
        if (nd.is_last) continue;
        // Activations are exact multiples of 1/(2^k - 1) in [0, 1].
        const int ab = nd.layer.abits_out;
        const double levels = act_code_max(ab);
        for (float v : nd.out) {
          const double code = v * levels;
          BOOST_TEST_REQUIRE(std::fabs(code - std::nearbyint(code)) < 1e-3);
          BOOST_TEST_REQUIRE((v >= 0.0f && v <= 1.0f));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(paper_quantizer_uses_the_fixed_grid) {
  // WeightScale::paper: alpha = 1, so the forward weights are common's round(n clamp(w, -1, 1)) / n
  // (binary: sign), whatever the weights' range, and the STE passes where |w| <= 1.
  for (int bits : {1, 2, 4, 8}) {
    BOOST_TEST_CONTEXT("bits " << bits) {
      Model m(small_net(bits, bits == 1 ? 2 : bits), WeightScale::paper);
      m.init(43);
      const Batch b = random_batch(m, 3, 44);
      m.forward(b.x.data(), b.n, true);
      int nonzero = 0, total = 0;
      for (const auto& nd : m.nodes()) {
        if (!nd.layer.has_weights()) continue;
        BOOST_TEST(nd.alpha == 1.0f);
        BOOST_TEST(m.alpha_of(nd) == 1.0f);
        const float n = static_cast<float>(weight_scale_den(bits));
        for (size_t i = 0; i < nd.w.size(); ++i) {
          const float want = weight_value(quantize_weight(nd.w[i], bits, 1.0f), bits, 1.0f);
          BOOST_TEST_REQUIRE(nd.wq[i] == want);
          // The formula of the paper, written out.
          const float paper =
              bits == 1 ? (nd.w[i] >= 0.0f ? 1.0f : -1.0f) : std::nearbyint(n * std::clamp(nd.w[i], -1.0f, 1.0f)) / n;
          BOOST_TEST_REQUIRE(nd.wq[i] == paper);
          if (!nd.is_last) {
            nonzero += nd.wq[i] != 0.0f;
            ++total;
          }
        }
      }
      // The initialization uses the clip range, so most weights before batch norm are not code 0
      // (ternary: |w| >= 0.5 for a uniform w on [-1, 1] is half of them).
      BOOST_TEST(nonzero > total * 4 / 10);
    }
  }
  // The STE clip of the paper quantizer is |w| <= 1 at every width.
  Model m(small_net(4, 4), WeightScale::paper);
  m.init(53);
  Node& nd = m.nodes()[2];  // conv2
  nd.w[0] = 1.5f;
  nd.w[1] = 0.999f;
  const Batch b = random_batch(m, 4, 54);
  m.forward(b.x.data(), b.n, true);
  std::vector<float> dl;
  m.loss(b.y.data(), &dl, nullptr);
  m.backward(dl);
  BOOST_TEST(nd.dw[0] == 0.0f);
  BOOST_TEST(nd.dw[1] != 0.0f);
  BOOST_TEST(std::string(to_string(WeightScale::paper)) == "paper");
  WeightScale ws = WeightScale::paper;
  BOOST_TEST(parse_weight_scale("layer", &ws));
  BOOST_TEST((ws == WeightScale::layer));
  BOOST_TEST(!parse_weight_scale("max", &ws));
}

BOOST_AUTO_TEST_CASE(weight_ste_blocks_gradient_outside_clip_range) {
  // Binary: the gradient passes where |w| <= 1; a weight pushed to 3 gets none.
  Model m(small_net(1, 2));
  m.init(51);
  Node& nd = m.nodes()[2];  // conv2
  nd.w[0] = 3.0f;
  const Batch b = random_batch(m, 4, 52);
  m.forward(b.x.data(), b.n, true);
  std::vector<float> dl;
  m.loss(b.y.data(), &dl, nullptr);
  m.backward(dl);
  BOOST_TEST(nd.dw[0] == 0.0f);
  int nonzero = 0;
  for (size_t i = 1; i < nd.dw.size(); ++i) nonzero += nd.dw[i] != 0.0f;
  BOOST_TEST(nonzero > 0);
}

BOOST_AUTO_TEST_CASE(weight_alpha_rules) {
  const std::vector<float> w{0.1f, -0.4f, 0.2f, -0.1f};
  BOOST_TEST(weight_alpha(w.data(), 4, kFp32Bits) == 1.0f);
  BOOST_TEST(weight_alpha(w.data(), 4, 4) == 0.4f);                    // max |w|
  BOOST_TEST(std::fabs(weight_alpha(w.data(), 4, 1) - 0.2f) < 1e-7f);  // mean |w|
  BOOST_TEST(std::fabs(weight_alpha(w.data(), 4, 2) - std::min(0.4f, 1.4f * 0.2f)) < 1e-7f);
}

BOOST_AUTO_TEST_CASE(lenet_shape_follows_the_issue) {
  ModelSpec s;
  s.width = 2;
  s.wbits = s.abits = 4;
  const Network net = spec_network(s);
  BOOST_REQUIRE(net.layers.size() == 6u);
  BOOST_TEST(net.layers[0].k == 40);
  BOOST_TEST(net.layers[2].k == 100);
  BOOST_TEST(net.layers[4].c == 100 * 4 * 4);
  BOOST_TEST(net.layers[4].k == 1000);
  BOOST_TEST(net.layers[5].k == 10);
  BOOST_TEST(net.layers[0].wbits == 8);  // first and last layers: 8-bit weights by default
  BOOST_TEST(net.layers[5].wbits == 8);
  BOOST_TEST(net.layers[2].wbits == 4);
  BOOST_TEST(net.layers[0].abits_in == 8);  // 8-bit pixel codes
}

BOOST_AUTO_TEST_CASE(step_tables_reproduce_the_common_quantizers_exactly) {
  // The trainer's fast quantization path counts thresholds found by bisection with common's own
  // quantizers; it must agree with them on every float: random values, each threshold and its
  // neighbours, the clip ends, infinities and NaN.
  Rng rng(41);
  auto check = [&](const StepTable& t, const std::function<float(float)>& ref, const std::string& what) {
    std::vector<float> xs = {0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, std::nanf(""), 1e-30f, -1e-30f};
    for (float th : t.thresholds())
      for (float v : {th, std::nextafter(th, -INFINITY), std::nextafter(th, INFINITY)}) xs.push_back(v);
    for (int i = 0; i < 20000; ++i) xs.push_back(static_cast<float>(3.0 * rng.uniform() - 1.5));
    std::vector<float> got(xs.size());
    t.apply(xs.data(), got.data(), static_cast<int64_t>(xs.size()));
    int64_t bad = 0;
    for (size_t i = 0; i < xs.size(); ++i) bad += got[i] != ref(xs[i]);
    BOOST_TEST_CONTEXT(what) { BOOST_TEST(bad == 0); }
  };
  // Each table twice: values looked up, and values computed as (num * code) / den (the vector path).
  for (int bits = 1; bits <= 5; ++bits)
    for (bool affine : {false, true})
      check(
          StepTable([bits](float a) { return quantize_activation(a, bits); }, 0, act_code_max(bits),
                    [bits](int32_t c) { return activation_value(c, bits); }, affine ? 1.0f : 0.0f,
                    affine ? static_cast<float>(act_code_max(bits)) : 0.0f),
          [bits](float a) { return activation_value(quantize_activation(a, bits), bits); },
          "activation bits " + std::to_string(bits) + (affine ? " affine" : ""));
  for (int bits = 2; bits <= 5; ++bits)
    for (float alpha : {1.0f, 0.0371f, 0.8123f})
      for (bool affine : {false, true}) {
        const int32_t L = weight_code_max(bits);
        const StepTable t([bits, alpha](float w) { return quantize_weight(w, bits, alpha); }, -L, L,
                          [bits, alpha](int32_t c) { return weight_value(c, bits, alpha); }, affine ? alpha : 0.0f,
                          affine ? static_cast<float>(L) : 0.0f);
        // NaN is the one input the table does not map (quantize_weights checks it separately).
        check(
            t,
            [bits, alpha](float w) {
              return std::isnan(w) ? weight_value(-weight_code_max(bits), bits, alpha)
                                   : weight_value(quantize_weight(w, bits, alpha), bits, alpha);
            },
            "weight bits " + std::to_string(bits) + " alpha " + std::to_string(alpha) + (affine ? " affine" : ""));
      }
}

BOOST_AUTO_TEST_CASE(weight_quantization_with_nan_uses_the_common_quantizer) {
  // A NaN master weight quantizes to code 0, as common's quantize_weight says.
  Model m(small_net(4, 4));
  m.init(42);
  Node& conv2 = m.nodes()[2];
  conv2.w[3] = std::nanf("");
  Rng rng(43);
  std::vector<float> x(static_cast<size_t>(2 * m.input_size()));
  for (auto& v : x) v = static_cast<float>(rng.uniform());
  m.forward(x.data(), 2, false);
  BOOST_TEST(conv2.wq[3] == 0.0f);
  BOOST_TEST(conv2.wq[4] == weight_value(quantize_weight(conv2.w[4], 4, conv2.alpha), 4, conv2.alpha));
}

BOOST_AUTO_TEST_SUITE_END()
