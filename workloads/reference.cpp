#include "workloads/reference.h"

#include <algorithm>
#include <map>

#include "common/diagnostics.h"
#include "common/numerics.h"

namespace wrpn {

namespace {

/// Exact dot product of int32 codes. When every partial sum fits in int32 (checked by the caller
/// from the code ranges and the length), the 32-bit loop is used: it vectorizes and is still exact.
inline int64_t dot_i32(const int32_t* a, const int32_t* b, int64_t n) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  int64_t s = static_cast<int64_t>(s0) + s1 + s2 + s3;
  for (; i < n; ++i) s += static_cast<int64_t>(a[i]) * b[i];
  return s;
}

inline int64_t dot_i64(const int32_t* a, const int32_t* b, int64_t n) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<int64_t>(a[i]) * b[i];
  return s;
}

int64_t finish_output(const TraceLayer& t, int64_t acc, int64_t k) {
  const RequantParams& p = t.requant[static_cast<size_t>(k)];
  return t.shape.abits_out == kFp32Bits ? requantize_logit(acc, p) : requantize(acc, p, t.shape.abits_out);
}

}  // namespace

LayerRun run_layer_integer(const TraceLayer& t, const int32_t* input, const int32_t* input_b, int64_t n,
                           bool keep_acc) {
  const Layer& l = t.shape;
  const int64_t oh = l.out_h(), ow = l.out_w(), P = oh * ow, K = l.k;
  const int64_t in_size = l.c * l.h * l.w, out_size = K * P;
  LayerRun r;
  r.output.resize(static_cast<size_t>(n * out_size));
  if (l.has_weights()) {
    if (l.abits_in == kFp32Bits || l.wbits == kFp32Bits)
      fail("TRC003", "", l.name, "integer execution needs quantized weights and inputs (bits 1..16)");
    if (static_cast<int64_t>(t.requant.size()) != K || static_cast<int64_t>(t.weights.size()) != l.weight_count())
      fail("TRC003", "", l.name, "weights or requant do not match the layer shape");
    if (keep_acc) r.acc.resize(static_cast<size_t>(n * out_size));
    const int64_t G = l.groups, Cg = l.c / G, Kg = K / G, F = Cg * l.r * l.s;
    const bool small =
        static_cast<double>(max_product_magnitude(l.abits_in, l.wbits)) * static_cast<double>(F) < 2147483647.0;
    std::vector<int32_t> patch(static_cast<size_t>(F));
    for (int64_t b = 0; b < n; ++b) {
      const int32_t* x = input + b * in_size;
      for (int64_t g = 0; g < G; ++g)
        for (int64_t y = 0; y < oh; ++y)
          for (int64_t xx = 0; xx < ow; ++xx) {
            // Gather the receptive field (zero codes in the padding) in weight order (c, r, s).
            int64_t q = 0;
            for (int64_t c = g * Cg; c < (g + 1) * Cg; ++c)
              for (int64_t i = 0; i < l.r; ++i) {
                const int64_t iy = y * l.stride - l.pad + i;
                for (int64_t j = 0; j < l.s; ++j) {
                  const int64_t ix = xx * l.stride - l.pad + j;
                  patch[q++] = (iy < 0 || iy >= l.h || ix < 0 || ix >= l.w) ? 0 : x[(c * l.h + iy) * l.w + ix];
                }
              }
            for (int64_t k = g * Kg; k < (g + 1) * Kg; ++k) {
              const int32_t* w = t.weights.data() + k * F;
              const int64_t acc = small ? dot_i32(patch.data(), w, F) : dot_i64(patch.data(), w, F);
              const int64_t o = b * out_size + k * P + y * ow + xx;
              if (keep_acc) r.acc[o] = acc;
              r.output[o] = finish_output(t, acc, k);
            }
          }
    }
    return r;
  }
  if (l.op == LayerOp::add) {
    if (!input_b) fail("TRC003", "", l.name, "an add layer needs two inputs");
    for (int64_t i = 0; i < n * out_size; ++i) r.output[i] = add_codes(input[i], input_b[i], l.abits_out);
    return r;
  }
  const bool is_max = l.op == LayerOp::maxpool;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t c = 0; c < K; ++c)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xx = 0; xx < ow; ++xx) {
          int64_t best = INT64_MIN, sum = 0;
          for (int64_t i = 0; i < l.r; ++i)
            for (int64_t j = 0; j < l.s; ++j) {
              const int64_t iy = y * l.stride - l.pad + i, ix = xx * l.stride - l.pad + j;
              if (iy < 0 || iy >= l.h || ix < 0 || ix >= l.w) continue;
              const int64_t v = input[b * in_size + (c * l.h + iy) * l.w + ix];
              best = std::max(best, v);
              sum += v;
            }
          r.output[b * out_size + (c * oh + y) * ow + xx] = is_max ? best : avgpool_code(sum, l.r * l.s);
        }
  return r;
}

NetworkRun run_network_integer(const Trace& trace, const std::vector<int32_t>& input, int64_t n, bool keep_layers) {
  NetworkRun run;
  if (trace.layers.empty()) fail("TRC003", "", "layers", "trace has no layers");
  std::map<std::string, std::vector<int32_t>> outputs;
  outputs["input"] = input;
  LayerRun last;
  for (size_t i = 0; i < trace.layers.size(); ++i) {
    const TraceLayer& t = trace.layers[i];
    const Layer& l = t.shape;
    const std::vector<std::string> prods = layer_producers(l, i == 0 ? nullptr : &trace.layers[i - 1].shape);
    std::vector<const std::vector<int32_t>*> ins;
    for (const auto& p : prods) {
      auto it = outputs.find(p);
      if (it == outputs.end()) fail("TRC003", "", l.name, "input \"" + p + "\" is not an earlier layer of the trace");
      if (static_cast<int64_t>(it->second.size()) != n * l.c * l.h * l.w)
        fail("TRC003", "", l.name,
             "input \"" + p + "\" has " + std::to_string(it->second.size()) + " codes, the layer reads " +
                 std::to_string(n * l.c * l.h * l.w));
      ins.push_back(&it->second);
    }
    LayerRun r = run_layer_integer(t, ins[0]->data(), ins.size() > 1 ? ins[1]->data() : nullptr, n, keep_layers);
    if (i + 1 < trace.layers.size()) {
      if (l.abits_out == kFp32Bits)
        fail("TRC003", "", l.name, "only the last layer may produce unquantized (32-bit) outputs");
      outputs[l.name] = std::vector<int32_t>(r.output.begin(), r.output.end());
    }
    if (keep_layers) run.layers.push_back(r);
    if (i + 1 == trace.layers.size()) last = std::move(r);
  }
  const Layer& ll = trace.layers.back().shape;
  const int64_t classes = ll.k * ll.out_h() * ll.out_w();
  run.predictions.resize(static_cast<size_t>(n));
  for (int64_t b = 0; b < n; ++b) {
    const int64_t* z = last.output.data() + b * classes;
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (z[c] > z[best]) best = c;
    run.predictions[b] = static_cast<int32_t>(best);
  }
  return run;
}

NetworkRun run_network_integer(const Trace& trace, bool keep_layers) {
  if (trace.layers.empty()) fail("TRC003", "", "layers", "trace has no layers");
  return run_network_integer(trace, trace.layers.front().input, trace.images, keep_layers);
}

}  // namespace wrpn
