// Built-in network shapes at width 1, FP32, batch 1. BN and activations are folded into each
// weighted layer's requantization, so they are not layers here.
#include <functional>
#include <map>

#include "common/diagnostics.h"
#include "workloads/network.h"

namespace wrpn {

namespace {

/// Appends layers while tracking the running (c, h, w) so shapes chain by construction.
class Builder {
 public:
  Builder(std::string name, int64_t c, int64_t h, int64_t w, int64_t classes) {
    net_.name = std::move(name);
    net_.input_c = c_ = c;
    net_.input_h = h_ = h;
    net_.input_w = w_ = w;
    net_.num_classes = classes;
  }
  Builder& conv(const std::string& name, int64_t k, int64_t r, int64_t stride = 1, int64_t pad = 0, int64_t groups = 1) {
    Layer l = base(name, LayerOp::conv);
    l.k = k; l.r = l.s = r; l.stride = stride; l.pad = pad; l.groups = groups;
    return push(l);
  }
  Builder& fc(const std::string& name, int64_t k) {
    Layer l = base(name, LayerOp::fc);
    l.c = c_ * h_ * w_; l.h = l.w = 1; l.k = k;
    return push(l);
  }
  Builder& pool(const std::string& name, LayerOp op, int64_t r, int64_t stride, int64_t pad = 0) {
    Layer l = base(name, op);
    l.k = c_; l.r = l.s = r; l.stride = stride; l.pad = pad;
    return push(l);
  }
  Network build() {
    net_.check_consistency("builtin:" + net_.name);
    return net_;
  }

 private:
  Layer base(const std::string& name, LayerOp op) {
    Layer l;
    l.name = name; l.op = op; l.c = c_; l.h = h_; l.w = w_;
    return l;
  }
  Builder& push(const Layer& l) {
    net_.layers.push_back(l);
    c_ = l.k; h_ = l.out_h(); w_ = l.out_w();
    return *this;
  }
  Network net_;
  int64_t c_, h_, w_;
};

Network lenet() {
  // conv 5x5 (1->20) -> maxpool 2 -> conv 5x5 (20->50) -> maxpool 2 -> fc (800->500) -> fc (500->10)
  return Builder("lenet", 1, 28, 28, 10)
      .conv("conv1", 20, 5).pool("pool1", LayerOp::maxpool, 2, 2)
      .conv("conv2", 50, 5).pool("pool2", LayerOp::maxpool, 2, 2)
      .fc("fc1", 500).fc("fc2", 10)
      .build();
}

Network mlp() {
  // 784 -> 512 -> 512 -> 10, each hidden fc followed by BN and the activation quantizer.
  return Builder("mlp", 1, 28, 28, 10).fc("fc1", 512).fc("fc2", 512).fc("fc3", 10).build();
}

const std::map<std::string, std::function<Network()>>& registry() {
  static const std::map<std::string, std::function<Network()>> r{{"lenet", lenet}, {"mlp", mlp}};
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
    fail("NET001", "", "network", "unknown network \"" + name + "\"", "built-in networks: " + known +
                                                                        "; or give a topology CSV path");
  }
  return it->second();
}

Network import_topology_csv(const std::string& path) {
  fail("NET004", path, "", "topology CSV import is not implemented yet");
}

}  // namespace wrpn
