// What to train: trainer model names, ONNX graphs the trainer accepts, and a ModelSpec's network
// (shape from workloads/, width and precision policy applied).
#include <algorithm>
#include <string>

#include "common/diagnostics.h"
#include "common/numerics.h"
#include "trainer/model.h"
#include "workloads/onnx_import.h"

namespace wrpn::trainer {

std::vector<std::string> model_names() { return {"lenet", "mlp", "resnet_mini"}; }

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
  const auto names = model_names();
  Network base;
  if (std::find(names.begin(), names.end(), spec.model) != names.end())
    base = builtin_network(spec.model);
  else if (is_onnx_path(spec.model))
    base = trainable_onnx_network(spec.model);
  else
    fail("TRN001", "", "--model", "unknown model \"" + spec.model + "\"", model_names_hint());
  Network net = apply_width(base, spec.width);
  PrecisionPolicy p = PrecisionPolicy::uniform(spec.wbits, spec.abits);
  if (spec.first_last_wbits != 0) p.first_wbits = p.last_wbits = spec.first_last_wbits;
  // A quantized body always reads 8-bit pixel codes (the network input is 8-bit).
  if (spec.wbits != kFp32Bits || spec.abits != kFp32Bits) p.first_abits = 8;
  return apply_precision(net, p);
}

std::string model_names_hint() {
  std::string names;
  for (const auto& n : model_names()) names += n + ", ";
  return "trainer models: " + names + "or an .onnx graph";
}

}  // namespace wrpn::trainer
