#include "trainer/export.h"

#include <algorithm>
#include <cmath>

#include <omp.h>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/numerics.h"
#include "common/sha256.h"
#include "trainer/checkpoint.h"
#include "trainer/ops/ops.h"
#include "trainer/parallel.h"
#include "workloads/reference.h"

namespace wrpn::trainer {

LoadedModel load_model(const std::string& path) {
  const Checkpoint c = load_checkpoint(path);
  LoadedModel lm;
  const ConfigDocument doc = ConfigDocument::parse(c.config.dump(), path + ":config", "train");
  ConfigObject root = doc.root();
  root.get_string("kind");
  root.get_int("version", 1, 1);
  lm.config = train_config_from_json(root);
  lm.network = spec_network(lm.config.spec);
  lm.model = std::make_unique<Model>(lm.network, lm.config.spec.weight_scale);
  restore_tensors(c, lm.model->state(), path);
  lm.epochs_done = c.epochs_done;
  return lm;
}

RequantParams fold_channel(double scale, double offset, int out_bits) {
  // k-bit outputs land on the activation code grid (levels = 2^k - 1); logits (out_bits 32) are
  // fixed point with kLogitFracBits fractional bits, so argmax ties stay as rare as in FP32.
  const bool logit = out_bits == kFp32Bits;
  const double levels = logit ? std::ldexp(1.0, kLogitFracBits) : static_cast<double>(act_code_max(out_bits));
  const double mag = std::fabs(scale * levels);
  int shift = 30;
  if (mag > 0.0) shift = 30 - static_cast<int>(std::ceil(std::log2(mag)));
  shift = std::clamp(shift, 0, 62);
  // Keep the bias representable: lower the shift while |offset * levels * 2^S| would exceed 2^62.
  while (shift > 0 && std::fabs(offset * levels) * std::ldexp(1.0, shift) > std::ldexp(1.0, 62)) --shift;
  return fold_requant_levels(scale, offset, levels, shift);
}

Trace export_trace(const Model& model, const Dataset& d, int64_t images) {
  const Network& net = model.network();
  for (const auto& nd : model.nodes()) {
    const Layer& l = nd.layer;
    const bool bad =
        l.has_weights() ? (l.wbits == kFp32Bits || l.abits_in == kFp32Bits || (!nd.is_last && l.abits_out == kFp32Bits))
                        : l.abits_out == kFp32Bits;
    if (bad)
      fail("TRN007", "", l.name, "layer " + l.name + " is FP32; traces hold integer codes only",
           "export a quantized model (e.g. --wbits 4 --abits 4, with --first-last-wbits below 32)");
  }
  // A NaN or infinite parameter would quantize to codes that mean nothing (alpha of NaN weights
  // makes every code 0): refuse it, naming the layer.
  for (const auto& nd : model.nodes())
    for (const auto* v : {&nd.w, &nd.bias, &nd.gamma, &nd.beta, &nd.run_mean, &nd.run_var})
      for (size_t i = 0; i < v->size(); ++i)
        if (!std::isfinite((*v)[i]))
          fail("TRN009", "", nd.layer.name,
               "layer " + nd.layer.name + " has a non-finite parameter (" + format_number((*v)[i]) + ")",
               "the training run diverged or the checkpoint was modified; re-train");
  if (images < 1 || images > d.count)
    fail("TRN003", "", "--images",
         "--images must be in [1, " + std::to_string(d.count) + "], got " + std::to_string(images));
  Trace t;
  t.network = net.name;
  t.width = net.width;
  t.dataset = "fashion-mnist:" + d.source;
  t.images = images;
  t.labels.assign(d.labels.begin(), d.labels.begin() + images);
  for (const auto& nd : model.nodes()) {
    TraceLayer tl;
    tl.shape = nd.layer;
    tl.shape.n = images;
    const Layer& l = nd.layer;
    if (l.has_weights()) {
      const float alpha = model.alpha_of(nd);
      tl.weight_scale = alpha;
      tl.weights.resize(nd.w.size());
      for (size_t i = 0; i < nd.w.size(); ++i) tl.weights[i] = quantize_weight(nd.w[i], l.wbits, alpha);
      // Real conv output = acc * s_in with s_in = alpha / ((2^ka - 1) * weight_scale_den(kw)).
      const double s_in = static_cast<double>(alpha) / (static_cast<double>(act_code_max(l.abits_in)) *
                                                        static_cast<double>(weight_scale_den(l.wbits)));
      for (int64_t k = 0; k < l.k; ++k) {
        if (nd.is_last) {
          tl.requant.push_back(fold_channel(s_in, nd.bias[k], kFp32Bits));
        } else {
          const double g = static_cast<double>(nd.gamma[k]) / std::sqrt(static_cast<double>(nd.run_var[k]) + kBnEps);
          tl.requant.push_back(fold_channel(g * s_in, nd.beta[k] - g * nd.run_mean[k], l.abits_out));
        }
      }
    }
    t.layers.push_back(std::move(tl));
  }
  // First-layer input: 8-bit pixel codes.
  std::vector<int32_t> input(d.pixels.begin(), d.pixels.begin() + images * d.image_size());
  const NetworkRun run = run_network_integer(t, input, images, true);
  std::map<std::string, const std::vector<int64_t>*> out_of;
  for (size_t i = 0; i < t.layers.size(); ++i) {
    TraceLayer& tl = t.layers[i];
    const Layer& l = tl.shape;
    const std::vector<std::string> prods = layer_producers(l, i == 0 ? nullptr : &t.layers[i - 1].shape);
    auto codes = [&](const std::string& p) {
      if (p == "input") return input;
      const auto* v = out_of.at(p);
      return std::vector<int32_t>(v->begin(), v->end());
    };
    tl.input = codes(prods[0]);
    if (l.op == LayerOp::add) tl.input_b = codes(prods[1]);
    tl.expected_acc = run.layers[i].acc;
    tl.expected_output = run.layers[i].output;
    out_of[l.name] = &run.layers[i].output;
  }
  return t;
}

std::vector<int32_t> infer_dataset(const Trace& trace, const Dataset& d, int nthreads) {
  const int64_t chunk = 50, n = d.count, isz = d.image_size();
  const int64_t chunks = (n + chunk - 1) / chunk;
  std::vector<int32_t> pred(static_cast<size_t>(n));
  std::vector<std::string> errors(static_cast<size_t>(chunks));
#pragma omp parallel for schedule(dynamic) num_threads(nthreads)
  for (int64_t ci = 0; ci < chunks; ++ci) {
    const int64_t s = ci * chunk, m = std::min(chunk, n - s);
    try {
      std::vector<int32_t> in(d.pixels.begin() + s * isz, d.pixels.begin() + (s + m) * isz);
      const NetworkRun r = run_network_integer(trace, in, m, false);
      std::copy(r.predictions.begin(), r.predictions.end(), pred.begin() + s);
    } catch (const std::exception& e) {
      errors[ci] = e.what();
    }
  }
  for (const auto& e : errors)
    if (!e.empty()) throw std::runtime_error(e);
  return pred;
}

SelfCheck self_check_trace(const Trace& trace) {
  SelfCheck sc;
  const NetworkRun run = run_network_integer(trace, true);
  for (size_t i = 0; i < trace.layers.size(); ++i) {
    const TraceLayer& tl = trace.layers[i];
    ++sc.layers;
    const auto& got = run.layers[i];
    for (size_t j = 0; j < tl.expected_output.size(); ++j) {
      ++sc.outputs_checked;
      if (got.output[j] != tl.expected_output[j]) {
        if (sc.output_mismatches++ == 0)
          sc.first_mismatch = tl.shape.name + ".expected_output[" + std::to_string(j) + "]: trace " +
                              std::to_string(tl.expected_output[j]) + ", integer reference " +
                              std::to_string(got.output[j]);
      }
    }
    if (!tl.expected_acc.empty())
      for (size_t j = 0; j < tl.expected_acc.size(); ++j) {
        ++sc.acc_checked;
        if (got.acc[j] != tl.expected_acc[j] && sc.acc_mismatches++ == 0 && sc.first_mismatch.empty())
          sc.first_mismatch = tl.shape.name + ".expected_acc[" + std::to_string(j) + "]";
      }
  }
  return sc;
}

void check_trace_matches(const Trace& trace, const Network& net, const std::string& trace_dir,
                         const std::string& checkpoint_path) {
  auto mismatch = [&](const std::string& what) {
    fail("TRN006", checkpoint_path, "", "checkpoint does not match trace " + trace_dir + ": " + what,
         "use the checkpoint the trace was exported from");
  };
  if (trace.network != net.name) mismatch("network " + net.name + " vs " + trace.network);
  if (trace.layers.size() != net.layers.size()) mismatch("layer count differs");
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& a = net.layers[i];
    const Layer& b = trace.layers[i].shape;
    if (a.name != b.name || a.op != b.op || a.c != b.c || a.h != b.h || a.w != b.w || a.k != b.k || a.r != b.r ||
        a.s != b.s || a.stride != b.stride || a.pad != b.pad || a.groups != b.groups || a.wbits != b.wbits ||
        a.abits_in != b.abits_in || a.abits_out != b.abits_out)
      mismatch("layer " + std::to_string(i) + " (" + a.name + ") differs in shape or precision");
  }
}

ExportSummary export_trace_dir(const std::string& checkpoint, const std::string& data_dir, const std::string& split,
                               int64_t images, const std::string& out_dir, bool replace) {
  LoadedModel lm = load_model(checkpoint);
  const Dataset d = load_dataset(data_dir, split);
  Trace t = export_trace(*lm.model, d, images);
  t.checkpoint_sha256 = sha256_hex(read_file(checkpoint));
  write_trace(out_dir, t, replace);
  const Dataset sub = d.head(images);
  const EvalResult ev = evaluate(*lm.model, sub);
  const std::vector<int32_t> integer = infer_dataset(t, sub, threads());
  ExportSummary s;
  s.network = t.network;
  s.width = t.width;
  s.layers = static_cast<int64_t>(t.layers.size());
  s.images = t.images;
  for (size_t i = 0; i < integer.size(); ++i) s.prediction_differences += integer[i] != ev.predictions[i];
  return s;
}

InferReport infer_trace(const std::string& trace_dir, const std::string& data_dir, int64_t test_images,
                        const std::string& checkpoint, int nthreads, bool classify) {
  if (nthreads < 1 || nthreads > kMaxThreads)
    fail("TRN003", "", "--threads",
         "threads must be in [1, " + std::to_string(kMaxThreads) + "], got " + std::to_string(nthreads));
  if (test_images < 0) fail("TRN003", "", "--test-images", "--test-images must be >= 0 (0 = all)");
  InferReport r;
  const Trace t = read_trace(trace_dir);
  if (!t.chained)
    fail("TRC009", trace_dir + "/trace.json", "/chained",
         "this trace holds independent layers (\"chained\": false), not a network to run end to end",
         "`wrpn sim --trace` simulates such traces layer by layer");
  r.network = t.network;
  r.trace_images = t.images;
  r.self = self_check_trace(t);
  if (!classify) return r;
  // Check the checkpoint before the long part, so a mismatch fails fast.
  LoadedModel lm;
  if (!checkpoint.empty()) {
    lm = load_model(checkpoint);
    if (!t.checkpoint_sha256.empty()) {
      const std::string sha = sha256_hex(read_file(checkpoint));
      if (sha != t.checkpoint_sha256)
        fail("TRN006", checkpoint, "",
             "not the checkpoint trace " + trace_dir + " was exported from (its SHA-256 is " + sha.substr(0, 12) +
                 "..., the trace records " + t.checkpoint_sha256.substr(0, 12) + "...)",
             "use the checkpoint the trace was exported from, or re-export the trace from this one");
      r.checkpoint_verified = true;
    }
    check_trace_matches(t, lm.network, trace_dir, checkpoint);
  }
  const Dataset d = load_dataset(data_dir, "test").head(test_images);
  const std::vector<int32_t> pred = infer_dataset(t, d, nthreads);
  r.images = d.count;
  for (int64_t i = 0; i < d.count; ++i) r.correct += pred[i] == d.labels[i];
  if (checkpoint.empty()) return r;
  r.compared = true;
  set_threads(nthreads);
  // The trainer's quantized forward pass, batch by batch, keeping the logits for the margins.
  const int64_t batch = 500, C = lm.model->num_classes();
  std::vector<float> x;
  std::vector<int64_t> idx;
  for (int64_t start = 0; start < d.count; start += batch) {
    const int64_t n = std::min(batch, d.count - start);
    idx.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) idx[i] = start + i;
    x.resize(static_cast<size_t>(n * d.image_size()));
    images_to_input(d, idx.data(), n, x.data());
    const std::vector<float>& logits = lm.model->forward(x.data(), n, false);
    const std::vector<int32_t> cls = argmax_rows(logits, n, C);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t g = start + i;
      r.trainer_correct += cls[i] == d.labels[g];
      if (cls[i] == pred[g]) continue;
      ++r.differ;
      if (r.differing.size() < 20) r.differing.push_back(g);
      std::vector<float> z(logits.begin() + i * C, logits.begin() + (i + 1) * C);
      std::partial_sort(z.begin(), z.begin() + 2, z.end(), std::greater<float>());
      r.max_differing_margin = std::max(r.max_differing_margin, static_cast<double>(z[0] - z[1]));
    }
  }
  return r;
}

}  // namespace wrpn::trainer
