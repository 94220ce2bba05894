// Built-in network shapes at width 1, FP32, batch 1. BN and activations are folded into each
// weighted layer's requantization, so they are not layers here.
#include <array>
#include <functional>
#include <map>

#include "common/diagnostics.h"
#include "workloads/network.h"

namespace wrpn {

namespace {

/// Appends layers while tracking each layer's output (c, h, w), so shapes chain by construction.
/// By default a layer reads the previous one; from(name) makes the next layer read `name` instead
/// (a branch), and add()/concat() join branches.
class Builder {
 public:
  Builder(std::string name, int64_t c, int64_t h, int64_t w, int64_t classes) {
    net_.name = std::move(name);
    net_.input_c = c_ = c;
    net_.input_h = h_ = h;
    net_.input_w = w_ = w;
    net_.num_classes = classes;
    shapes_["input"] = {c, h, w};
  }
  /// The next layer reads the output of `producer` ("input" = the network input).
  Builder& from(const std::string& producer) {
    const auto& s = shapes_.at(producer);
    c_ = s[0];
    h_ = s[1];
    w_ = s[2];
    next_inputs_ = {producer};
    return *this;
  }
  Builder& conv(const std::string& name, int64_t k, int64_t r, int64_t stride = 1, int64_t pad = 0,
                int64_t groups = 1) {
    Layer l = base(name, LayerOp::conv);
    l.k = k;
    l.r = l.s = r;
    l.stride = stride;
    l.pad = pad;
    l.groups = groups;
    return push(l);
  }
  Builder& fc(const std::string& name, int64_t k) {
    Layer l = base(name, LayerOp::fc);
    l.c = c_ * h_ * w_;
    l.h = l.w = 1;
    l.k = k;
    return push(l);
  }
  Builder& pool(const std::string& name, LayerOp op, int64_t r, int64_t stride, int64_t pad = 0) {
    Layer l = base(name, op);
    l.k = c_;
    l.r = l.s = r;
    l.stride = stride;
    l.pad = pad;
    return push(l);
  }
  /// Residual add of two producers of equal shape.
  Builder& add(const std::string& name, const std::string& a, const std::string& b) {
    from(a);
    Layer l = base(name, LayerOp::add);
    l.k = l.c;
    l.inputs = {a, b};
    return push(l);
  }
  /// Channel concatenation of producers of equal height and width.
  Builder& concat(const std::string& name, const std::vector<std::string>& parts) {
    from(parts.front());
    Layer l = base(name, LayerOp::concat);
    l.c = 0;
    for (const auto& p : parts) l.c += shapes_.at(p)[0];
    l.k = l.c;
    l.inputs = parts;
    return push(l);
  }
  const std::string& last() const { return net_.layers.back().name; }
  int64_t channels() const { return c_; }
  Network build() {
    net_.check_consistency("builtin:" + net_.name);
    return net_;
  }

 private:
  Layer base(const std::string& name, LayerOp op) {
    Layer l;
    l.name = name;
    l.op = op;
    l.c = c_;
    l.h = h_;
    l.w = w_;
    l.inputs = next_inputs_;
    next_inputs_.clear();
    return l;
  }
  Builder& push(const Layer& l) {
    net_.layers.push_back(l);
    c_ = l.k;
    h_ = l.out_h();
    w_ = l.out_w();
    shapes_[l.name] = {c_, h_, w_};
    return *this;
  }
  Network net_;
  int64_t c_, h_, w_;
  std::vector<std::string> next_inputs_;
  std::map<std::string, std::array<int64_t, 3>> shapes_;
};

Network lenet() {
  // conv 5x5 (1->20) -> maxpool 2 -> conv 5x5 (20->50) -> maxpool 2 -> fc (800->500) -> fc (500->10)
  return Builder("lenet", 1, 28, 28, 10)
      .conv("conv1", 20, 5)
      .pool("pool1", LayerOp::maxpool, 2, 2)
      .conv("conv2", 50, 5)
      .pool("pool2", LayerOp::maxpool, 2, 2)
      .fc("fc1", 500)
      .fc("fc2", 10)
      .build();
}

Network mlp() {
  // 784 -> 512 -> 512 -> 10, each hidden fc followed by BN and the activation quantizer.
  return Builder("mlp", 1, 28, 28, 10).fc("fc1", 512).fc("fc2", 512).fc("fc3", 10).build();
}

Network resnet_mini() {
  // A residual network for 28x28 inputs, small enough to train on Fashion-MNIST in minutes:
  // conv3x3 16 -> maxpool 2 (14x14) -> residual block 16 -> conv3x3/2 32 (7x7) -> residual block 32
  // -> avgpool 7 -> fc 10. Each block is two 3x3 convs added to the block input (no projection).
  // 2,145,344 MACs and 28,112 weights per image.
  Builder b("resnet_mini", 1, 28, 28, 10);
  b.conv("conv1", 16, 3, 1, 1).pool("pool1", LayerOp::maxpool, 2, 2);
  b.conv("b1_conv1", 16, 3, 1, 1).conv("b1_conv2", 16, 3, 1, 1).add("b1_add", "pool1", "b1_conv2");
  b.conv("down", 32, 3, 2, 1);
  b.conv("b2_conv1", 32, 3, 1, 1).conv("b2_conv2", 32, 3, 1, 1).add("b2_add", "down", "b2_conv2");
  return b.pool("gap", LayerOp::avgpool, 7, 7).fc("fc", 10).build();
}

Network alexnet() {
  // The ungrouped "one-tower" AlexNet of Krizhevsky, "One weird trick for parallelizing
  // convolutional neural networks" (arXiv:1404.5997, 2014), as in cuda-convnet2's
  // layers-imagenet-1gpu.cfg and torchvision's alexnet: 64-192-384-256-256 filters, no groups.
  // 224x224x3 input; 0.714 GMACs and 61.1 M weights. (The two-tower 2012 network has 96-256-384-
  // 384-256 filters with groups = 2 in conv2/4/5: 0.724 GMACs.)
  return Builder("alexnet", 3, 224, 224, 1000)
      .conv("conv1", 64, 11, 4, 2)
      .pool("pool1", LayerOp::maxpool, 3, 2)  // 55 -> 27
      .conv("conv2", 192, 5, 1, 2)
      .pool("pool2", LayerOp::maxpool, 3, 2)  // 27 -> 13
      .conv("conv3", 384, 3, 1, 1)
      .conv("conv4", 256, 3, 1, 1)
      .conv("conv5", 256, 3, 1, 1)
      .pool("pool5", LayerOp::maxpool, 3, 2)  // 13 -> 6
      .fc("fc6", 4096)
      .fc("fc7", 4096)
      .fc("fc8", 1000)
      .build();
}

Network resnet34() {
  // He et al., "Deep Residual Learning for Image Recognition" (CVPR 2016), Table 1, 34-layer:
  // conv1 7x7/2 (64), maxpool 3x3/2, then [3, 4, 6, 3] basic blocks of two 3x3 convs with 64, 128,
  // 256, 512 filters; the first block of stages 2-4 has stride 2 and a 1x1 stride-2 projection
  // shortcut (option B); global average pool; fc 1000. 3.6 GMACs, 21.8 M weights.
  Builder b("resnet34", 3, 224, 224, 1000);
  b.conv("conv1", 64, 7, 2, 3).pool("pool1", LayerOp::maxpool, 3, 2, 1);  // 112 -> 56
  const int blocks[4] = {3, 4, 6, 3};
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t k = int64_t{64} << stage;
    for (int j = 0; j < blocks[stage]; ++j) {
      const std::string name = "layer" + std::to_string(stage + 1) + "_" + std::to_string(j);
      const std::string block_in = b.last();
      const int64_t stride = (j == 0 && stage > 0) ? 2 : 1;
      const bool project = stride != 1 || b.channels() != k;
      b.conv(name + "_conv1", k, 3, stride, 1).conv(name + "_conv2", k, 3, 1, 1);
      std::string shortcut = block_in;
      if (project) {
        b.from(block_in).conv(name + "_down", k, 1, stride, 0);
        shortcut = name + "_down";
      }
      b.add(name + "_add", name + "_conv2", shortcut);
    }
  }
  return b.pool("avgpool", LayerOp::avgpool, 7, 1).fc("fc", 1000).build();
}

/// One BN-Inception module. A branch width of 0 omits it: n1x1 = 0 drops the 1x1 branch, proj = 0
/// makes the pool branch a pass-through (the stride-2 modules 3c and 4e).
struct InceptionSpec {
  const char* name;
  int64_t n1x1, n3x3_reduce, n3x3, d3x3_reduce, d3x3;
  LayerOp pool;
  int64_t proj, stride;
};

void inception_module(Builder& b, const InceptionSpec& m) {
  const std::string in = b.last(), p = std::string("inception_") + m.name;
  std::vector<std::string> parts;
  if (m.n1x1 > 0) {
    b.from(in).conv(p + "_1x1", m.n1x1, 1);
    parts.push_back(b.last());
  }
  b.from(in).conv(p + "_3x3_reduce", m.n3x3_reduce, 1).conv(p + "_3x3", m.n3x3, 3, m.stride, 1);
  parts.push_back(b.last());
  b.from(in)
      .conv(p + "_double_3x3_reduce", m.d3x3_reduce, 1)
      .conv(p + "_double_3x3_1", m.d3x3, 3, 1, 1)
      .conv(p + "_double_3x3_2", m.d3x3, 3, m.stride, 1);
  parts.push_back(b.last());
  // Pad 1 with floor rounding gives the same 28->14->7 sizes as Caffe's ceil-mode unpadded pooling.
  b.from(in).pool(p + "_pool", m.pool, 3, m.stride, 1);
  if (m.proj > 0) b.conv(p + "_pool_proj", m.proj, 1);
  parts.push_back(b.last());
  b.concat(p + "_output", parts);
}

Network inception_bn() {
  // Ioffe & Szegedy, "Batch Normalization" (ICML 2015), Figure 5: GoogLeNet with batch norm, the
  // 5x5 convs replaced by two 3x3 ("double 3x3"), 1x1 branch dropped and stride 2 in 3c and 4e.
  // Channel counts are the table's per-branch widths; as in the released Caffe model (and its
  // PyTorch ports, e.g. Cadene's pretrainedmodels bninception), 4c and 4d output 608 channels and
  // 4e 1056, not the 576/1024 the table's output column prints. 224x224x3 input, 1000 classes.
  Builder b("inception_bn", 3, 224, 224, 1000);
  b.conv("conv1_7x7_s2", 64, 7, 2, 3)
      .pool("pool1_3x3_s2", LayerOp::maxpool, 3, 2, 1)  // 112 -> 56
      .conv("conv2_3x3_reduce", 64, 1)
      .conv("conv2_3x3", 192, 3, 1, 1)
      .pool("pool2_3x3_s2", LayerOp::maxpool, 3, 2, 1);  // 56 -> 28
  const LayerOp avg = LayerOp::avgpool, max = LayerOp::maxpool;
  const InceptionSpec modules[] = {
      {"3a", 64, 64, 64, 64, 96, avg, 32, 1},       {"3b", 64, 64, 96, 64, 96, avg, 64, 1},
      {"3c", 0, 128, 160, 64, 96, max, 0, 2},       {"4a", 224, 64, 96, 96, 128, avg, 128, 1},
      {"4b", 192, 96, 128, 96, 128, avg, 128, 1},   {"4c", 160, 128, 160, 128, 160, avg, 128, 1},
      {"4d", 96, 128, 192, 160, 192, avg, 128, 1},  {"4e", 0, 128, 192, 192, 256, max, 0, 2},
      {"5a", 352, 192, 320, 160, 224, avg, 128, 1}, {"5b", 352, 192, 320, 192, 224, max, 128, 1},
  };
  for (const auto& m : modules) inception_module(b, m);
  return b.pool("global_pool", LayerOp::avgpool, 7, 1).fc("fc", 1000).build();
}

const std::map<std::string, std::function<Network()>>& registry() {
  static const std::map<std::string, std::function<Network()>> r{
      {"alexnet", alexnet}, {"resnet34", resnet34}, {"inception_bn", inception_bn},
      {"lenet", lenet},     {"mlp", mlp},           {"resnet_mini", resnet_mini}};
  return r;
}

}  // namespace

std::vector<std::string> builtin_network_names() {
  std::vector<std::string> names;
  for (const auto& [n, _] : registry()) names.push_back(n);
  return names;
}

Network builtin_network(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : builtin_network_names()) known += (known.empty() ? "" : ", ") + n;
    fail("NET001", "", "network", "unknown network \"" + name + "\"",
         "built-in networks: " + known + "; or give a topology CSV path");
  }
  return it->second();
}

}  // namespace wrpn
