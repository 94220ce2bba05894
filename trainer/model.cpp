// The trainer's network as nodes over workloads layers: construction, initialization, parameters,
// and forward / backward as a dispatch over the ops of trainer/ops/ (one file per op).
#include "trainer/model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <omp.h>

#include "common/numerics.h"
#include "common/rng.h"
#include "trainer/ops/ops.h"
#include "trainer/parallel.h"

namespace wrpn::trainer {

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
    for (const auto& name : layer_producers(net_, i)) nd.inputs.push_back(index.at(name));
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

float Model::alpha_of(const Node& nd) const {
  if (weight_scale_ == WeightScale::paper || !nd.layer.has_weights()) return 1.0f;
  return weight_alpha(nd.w.data(), static_cast<int64_t>(nd.w.size()), nd.layer.wbits);
}

const float* Model::input_of(int node, int which) const {
  const int p = nodes_[node].inputs[which];
  return p < 0 ? x_ : nodes_[p].out.data();
}

float* Model::grad_of(int node, int which) {
  const int p = nodes_[node].inputs[which];
  return p < 0 ? nullptr : nodes_[p].dout.data();
}

const std::vector<float>& Model::forward(const float* x, int64_t n, bool train) {
  x_ = x;
  n_ = n;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const int node = static_cast<int>(i);
    const bool two = nodes_[i].inputs.size() > 1;
    forward_node(nodes_[i], input_of(node, 0), two ? input_of(node, 1) : nullptr, train);
  }
  return nodes_.back().out;
}

void Model::forward_node(Node& nd, const float* in, const float* in_b, bool train) {
  const Layer& l = nd.layer;
  const int64_t B = n_, K = l.k, P = nd.out_spatial, N = B * nd.out_size;
  nd.out.resize(static_cast<size_t>(N));
  switch (l.op) {
    case LayerOp::maxpool:
      nd.argmax.resize(static_cast<size_t>(N));
      maxpool_forward(nd.out.data(), nd.argmax.data(), in, l, B);
      return;
    case LayerOp::avgpool:
      avgpool_forward(nd.out.data(), in, l, B, clip_surrogate_ ? kFp32Bits : l.abits_out);
      return;
    case LayerOp::add:
      add_forward(nd.out.data(), in, in_b, N, l.abits_out != kFp32Bits);
      return;
    case LayerOp::concat:
      throw std::logic_error("trainer: no concat op (trainable_onnx_network refuses such graphs)");
    case LayerOp::conv:
    case LayerOp::fc:
      break;
  }
  nd.alpha = l.wbits == kFp32Bits ? 1.0f : alpha_of(nd);
  weight_quant_forward(nd.wq.data(), nd.w.data(), static_cast<int64_t>(nd.w.size()), l.wbits, nd.alpha,
                       clip_surrogate_);
  nd.z.resize(static_cast<size_t>(N));
  if (l.op == LayerOp::conv)
    conv2d_forward(nd.z.data(), nd.col, in, nd.wq.data(), l, B);
  else
    fc_forward(nd.z.data(), in, nd.wq.data(), B, l.c, K);
  if (nd.is_last) {
    bias_forward(nd.out.data(), nd.z.data(), nd.bias.data(), B, K);
    return;
  }
  nd.mean.resize(static_cast<size_t>(K));
  nd.invstd.resize(static_cast<size_t>(K));
  batchnorm_forward(nd.out.data(), nd.mean.data(), nd.invstd.data(), nd.run_mean.data(), nd.run_var.data(), nd.z.data(),
                    nd.gamma.data(), nd.beta.data(), z_layout(l, B, P), B, K, P, train, {l.abits_out, clip_surrogate_});
}

double Model::loss(const int32_t* labels, std::vector<float>* dlogits, int64_t* correct) const {
  const std::vector<float>& logits = nodes_.back().out;
  const int64_t C = num_classes();
  if (dlogits) {
    dlogits->assign(logits.size(), 0.0f);
    softmax_xent_backward(dlogits->data(), logits.data(), labels, n_, C);
  }
  return softmax_xent_forward(logits.data(), labels, n_, C, correct);
}

void Model::backward(const std::vector<float>& dlogits) {
  // Zero every output gradient (they are accumulated with +=), split over the threads.
  for (auto& nd : nodes_) nd.dout.resize(static_cast<size_t>(n_ * nd.out_size));
#pragma omp parallel num_threads(threads())
  {
    for (auto& nd : nodes_) {
      int64_t lo, hi;
      split_range(static_cast<int64_t>(nd.dout.size()), omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
      std::fill(nd.dout.data() + lo, nd.dout.data() + hi, 0.0f);
    }
  }
  std::copy(dlogits.begin(), dlogits.end(), nodes_.back().dout.begin());
  for (int node = static_cast<int>(nodes_.size()) - 1; node >= 0; --node) {
    const bool two = nodes_[node].inputs.size() > 1;
    backward_node(nodes_[node], grad_of(node, 0), two ? grad_of(node, 1) : nullptr, input_of(node, 0),
                  two ? input_of(node, 1) : nullptr);
  }
}

void Model::backward_node(Node& nd, float* dx, float* dx_b, const float* in, const float* in_b) {
  const Layer& l = nd.layer;
  const int64_t B = n_, K = l.k, P = nd.out_spatial, N = B * nd.out_size;
  switch (l.op) {
    case LayerOp::maxpool:
      if (dx) maxpool_backward(dx, nd.dout.data(), nd.argmax.data(), l, B);
      return;
    case LayerOp::avgpool:
      if (dx) avgpool_backward(dx, nd.dout.data(), l, B);
      return;
    case LayerOp::add:
      add_backward(dx, dx_b, nd.dout.data(), in, in_b, N, l.abits_out != kFp32Bits);
      return;
    case LayerOp::concat:
      throw std::logic_error("trainer: no concat op (trainable_onnx_network refuses such graphs)");
    case LayerOp::conv:
    case LayerOp::fc:
      break;
  }
  nd.dz.resize(static_cast<size_t>(N));
  if (nd.is_last)
    bias_backward(nd.dz.data(), nd.dbias.data(), nd.dout.data(), B, K);
  else
    batchnorm_backward(nd.dz.data(), nd.dgamma.data(), nd.dbeta.data(), nd.dout.data(), nd.z.data(), nd.gamma.data(),
                       nd.beta.data(), nd.mean.data(), nd.invstd.data(), z_layout(l, B, P), B, K, P,
                       l.abits_out == kFp32Bits);
  const int64_t WN = static_cast<int64_t>(nd.w.size());
  nd.dwq.resize(static_cast<size_t>(WN));
  if (l.op == LayerOp::conv)
    conv2d_backward(nd.dwq.data(), dx, nd.dcol, nd.dw_part, nd.dz.data(), nd.col.data(), nd.wq.data(), l, B);
  else
    fc_backward(nd.dwq.data(), dx, nd.dz.data(), in, nd.wq.data(), B, l.c, K);
  weight_quant_backward(nd.dw.data(), nd.dwq.data(), nd.w.data(), WN, l.wbits, nd.alpha);
}

std::vector<int32_t> argmax_rows(const std::vector<float>& logits, int64_t n, int64_t classes) {
  std::vector<int32_t> out(static_cast<size_t>(n));
  for (int64_t b = 0; b < n; ++b) out[b] = static_cast<int32_t>(argmax_row(logits.data() + b * classes, classes));
  return out;
}

}  // namespace wrpn::trainer
