#include "sim/synthetic.h"

#include <cmath>
#include <stdexcept>

#include "common/numerics.h"
#include "common/rng.h"

namespace wrpn::sim {

namespace {

int32_t random_activation(Rng& rng, int bits) { return static_cast<int32_t>(rng.uniform_int(0, act_code_max(bits))); }

int32_t random_weight(Rng& rng, int bits) {
  if (bits == 1) return rng.uniform_int(0, 1) ? 1 : -1;
  const int64_t m = weight_code_max(bits);
  return static_cast<int32_t>(rng.uniform_int(-m, m));
}

void reference_conv(TraceLayer& t) {
  const Layer& l = t.shape;
  const int64_t oh_n = l.out_h(), ow_n = l.out_w(), cg = l.c / l.groups, kg = l.k / l.groups, L = l.fan_in();
  t.expected_acc.assign(static_cast<size_t>(l.output_count()), 0);
  t.expected_output.assign(static_cast<size_t>(l.output_count()), 0);
  std::vector<int32_t> patch(static_cast<size_t>(L));
  for (int64_t n = 0; n < l.n; ++n)
    for (int64_t k = 0; k < l.k; ++k) {
      const int64_t g = k / kg;
      for (int64_t oh = 0; oh < oh_n; ++oh)
        for (int64_t ow = 0; ow < ow_n; ++ow) {
          int64_t x = 0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t r = 0; r < l.r; ++r)
              for (int64_t s = 0; s < l.s; ++s, ++x) {
                const int64_t ih = oh * l.stride - l.pad + r, iw = ow * l.stride - l.pad + s;
                patch[static_cast<size_t>(x)] =
                    (ih < 0 || iw < 0 || ih >= l.h || iw >= l.w)
                        ? 0
                        : t.input[static_cast<size_t>(((n * l.c + g * cg + c) * l.h + ih) * l.w + iw)];
              }
          const MacResult m =
              dot_reference(patch.data(), t.weights.data() + k * L, L, 0, kMaxAccBits, OverflowMode::error);
          const size_t idx = static_cast<size_t>(((n * l.k + k) * oh_n + oh) * ow_n + ow);
          t.expected_acc[idx] = m.acc;
          const RequantParams& rq = t.requant[static_cast<size_t>(k)];
          t.expected_output[idx] =
              l.abits_out == kFp32Bits ? requantize_logit(m.acc, rq) : requantize(m.acc, rq, l.abits_out);
        }
    }
}

void reference_ppu(TraceLayer& t) {
  const Layer& l = t.shape;
  const int64_t oh_n = l.out_h(), ow_n = l.out_w();
  t.expected_output.assign(static_cast<size_t>(l.output_count()), 0);
  for (int64_t n = 0; n < l.n; ++n)
    for (int64_t c = 0; c < l.c; ++c)
      for (int64_t oh = 0; oh < oh_n; ++oh)
        for (int64_t ow = 0; ow < ow_n; ++ow) {
          const size_t idx = static_cast<size_t>(((n * l.c + c) * oh_n + oh) * ow_n + ow);
          if (l.op == LayerOp::add) {
            const size_t i = static_cast<size_t>(((n * l.c + c) * l.h + oh) * l.w + ow);
            t.expected_output[idx] = add_codes(t.input[i], t.input_b[i], l.abits_out);
            continue;
          }
          int64_t sum = 0, mx = 0;
          for (int64_t r = 0; r < l.r; ++r)
            for (int64_t s = 0; s < l.s; ++s) {
              const int64_t ih = oh * l.stride - l.pad + r, iw = ow * l.stride - l.pad + s;
              if (ih < 0 || iw < 0 || ih >= l.h || iw >= l.w) continue;
              const int32_t v = t.input[static_cast<size_t>(((n * l.c + c) * l.h + ih) * l.w + iw)];
              sum += v;
              if (v > mx) mx = v;
            }
          t.expected_output[idx] = l.op == LayerOp::maxpool ? mx : avgpool_code(sum, l.r * l.s);
        }
}

}  // namespace

Trace synthetic_trace(const std::vector<Layer>& layers, uint64_t seed, const std::string& name) {
  Rng rng(seed);
  Trace tr;
  tr.network = name;
  tr.dataset = "synthetic";
  tr.chained = false;  // each layer has its own random input
  tr.images = layers.empty() ? 0 : layers.front().n;
  for (const Layer& l : layers) {
    if (!is_quantized_bits(l.abits_in) || (l.has_weights() && !is_quantized_bits(l.wbits)))
      throw std::invalid_argument("synthetic_trace: layer \"" + l.name + "\" is not quantized");
    TraceLayer t;
    t.shape = l;
    t.input.resize(static_cast<size_t>(l.input_count()));
    for (int32_t& v : t.input) v = random_activation(rng, l.abits_in);
    if (l.op == LayerOp::add) {
      t.input_b.resize(t.input.size());
      for (int32_t& v : t.input_b) v = random_activation(rng, l.abits_in);
    }
    if (l.has_weights()) {
      t.weights.resize(static_cast<size_t>(l.weight_count()));
      for (int32_t& v : t.weights) v = random_weight(rng, l.wbits);
      // acc ~ sum of fan_in products: mean L*E[qa]*E[qw] = 0 (symmetric weights), spread ~ sqrt(L)*rms.
      const double a_rms = act_code_max(l.abits_in) / std::sqrt(3.0);
      const double w_rms = l.wbits == 1 ? 1.0 : weight_code_max(l.wbits) / std::sqrt(3.0);
      const double sigma = std::max(1.0, std::sqrt(static_cast<double>(l.fan_in())) * a_rms * w_rms);
      for (int64_t k = 0; k < l.k; ++k) {
        const double jitter = 0.8 + 0.4 * rng.uniform();
        t.requant.push_back(l.abits_out == kFp32Bits ? RequantParams{1, 0, 0}
                                                     : fold_requant(jitter / (6.0 * sigma), 0.5, l.abits_out));
      }
      reference_conv(t);
    } else {
      reference_ppu(t);
    }
    tr.layers.push_back(std::move(t));
  }
  return tr;
}

}  // namespace wrpn::sim
