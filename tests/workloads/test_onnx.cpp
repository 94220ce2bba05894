// ONNX import (workloads/onnx_import.h): graphs made by scripts/make_onnx_models.py. The AlexNet-,
// ResNet-34- and LeNet-shaped graphs are generated at test time into the build tree (CTest fixture
// onnx_models) and must give exactly the built-in networks' layers; the small blocks and every
// broken file are committed in tests/fixtures/onnx/ with their exact first diagnostic lines.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/diagnostics.h"
#include "workloads/network.h"
#include "workloads/onnx_import.h"

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
using wrpn::test::kRoot;

namespace {

const std::string kFix = kRoot + "/tests/fixtures/onnx/";
const std::string kGen = WRPN_ONNX_MODELS_DIR "/";

/// Every shape field, the MACs and the producers of each layer must agree.
void check_same_layers(const Network& got, const Network& want) {
  BOOST_TEST(got.input_c == want.input_c);
  BOOST_TEST(got.input_h == want.input_h);
  BOOST_TEST(got.input_w == want.input_w);
  BOOST_TEST(got.num_classes == want.num_classes);
  BOOST_TEST_REQUIRE(got.layers.size() == want.layers.size());
  for (size_t i = 0; i < want.layers.size(); ++i) {
    const Layer &a = got.layers[i], &b = want.layers[i];
    BOOST_TEST_CONTEXT("layer " << i << " (" << b.name << ")") {
      BOOST_TEST(a.name == b.name);
      BOOST_TEST(to_string(a.op) == to_string(b.op));
      const int64_t ga[] = {a.n, a.c, a.h, a.w, a.k, a.r, a.s, a.stride, a.pad, a.groups, a.out_h(), a.out_w()};
      const int64_t wa[] = {b.n, b.c, b.h, b.w, b.k, b.r, b.s, b.stride, b.pad, b.groups, b.out_h(), b.out_w()};
      BOOST_TEST(ga == wa, boost::test_tools::per_element());
      BOOST_TEST(a.macs() == b.macs());
      BOOST_TEST(a.weight_count() == b.weight_count());
      BOOST_TEST(layer_producers(got, i) == layer_producers(want, i), boost::test_tools::per_element());
    }
  }
  BOOST_TEST(got.total_macs() == want.total_macs());
  BOOST_TEST(got.total_weights() == want.total_weights());
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(onnx_import)

BOOST_AUTO_TEST_CASE(alexnet_graph_is_the_builtin_alexnet) {
  const Network net = load_network(kGen + "alexnet.onnx");  // ".onnx" selects the importer
  BOOST_TEST(net.name == "alexnet");
  check_same_layers(net, builtin_network("alexnet"));
  BOOST_TEST(net.total_macs() == 714188480);  // 0.714 GMACs, as the built-in comment says
}

BOOST_AUTO_TEST_CASE(resnet34_graph_is_the_builtin_resnet34) {
  // Batch norms and ReLUs folded, projection shortcuts and residual adds kept as layers.
  check_same_layers(load_network(kGen + "resnet34.onnx"), builtin_network("resnet34"));
}

BOOST_AUTO_TEST_CASE(lenet_graph_is_the_builtin_lenet) {
  check_same_layers(load_network(kGen + "lenet.onnx"), builtin_network("lenet"));
}

BOOST_AUTO_TEST_CASE(depthwise_separable_block) {
  const Network net = load_network(kFix + "dw_block.onnx");
  BOOST_TEST(net.name == "dw_block");
  BOOST_TEST(net.input_c == 1);
  BOOST_TEST(net.input_h == 28);
  BOOST_TEST(net.num_classes == 10);
  BOOST_TEST_REQUIRE(net.layers.size() == 8u);
  const char* names[] = {"stem", "dw", "pw", "dw2", "pw2", "res", "gap", "fc"};
  for (size_t i = 0; i < 8; ++i) BOOST_TEST(net.layers[i].name == names[i]);
  const Layer& dw = net.layers[1];
  BOOST_TEST(dw.groups == 16);  // depthwise: one input channel per group
  BOOST_TEST(dw.fan_in() == 9);
  BOOST_TEST(dw.stride == 2);
  // TF "SAME" pads (0, 0, 1, 1) give 14x14, as does the symmetric pad 1 the layer model keeps.
  BOOST_TEST(dw.pad == 1);
  BOOST_TEST(dw.out_h() == 14);
  BOOST_TEST(dw.macs() == 16 * 14 * 14 * 9);
  BOOST_TEST(net.layers[3].groups == 32);
  const Layer& res = net.layers[5];
  BOOST_TEST(to_string(res.op) == std::string("add"));
  BOOST_TEST((res.inputs == std::vector<std::string>{"pw2", "pw"}));  // the ReLU6 folded into pw
  const Layer& gap = net.layers[6];
  BOOST_TEST(to_string(gap.op) == std::string("avgpool"));
  BOOST_TEST(gap.r == 14);
  BOOST_TEST(gap.out_h() == 1);
  BOOST_TEST(net.layers[7].c == 32);
  // stem 16*784*9 + dw 16*196*9 + pw 32*196*16 + dw2 32*196*9 + pw2 32*196*32 + fc 320
  BOOST_TEST(net.total_macs() == 112896 + 28224 + 100352 + 56448 + 200704 + 320);
  // The width and precision policies apply as to any network: the depthwise group count follows.
  const Network w2 = apply_precision(apply_width(net, 2.0), PrecisionPolicy::uniform(4, 4));
  BOOST_TEST(w2.layers[1].groups == 32);
  BOOST_TEST(w2.layers[1].k == 32);
  BOOST_TEST(w2.layers[7].c == 64);
  BOOST_TEST(w2.layers[7].k == 10);
}

BOOST_AUTO_TEST_CASE(concat_block) {
  const Network net = load_network(kFix + "concat_block.onnx");
  BOOST_TEST_REQUIRE(net.layers.size() == 11u);
  const Layer& cat = net.layers[6];
  BOOST_TEST(cat.name == "concat");
  BOOST_TEST(to_string(cat.op) == std::string("concat"));
  BOOST_TEST((cat.inputs == std::vector<std::string>{"b1_1x1", "b2_3x3", "b3_pool"}));
  BOOST_TEST(cat.c == 32);  // 8 + 8 + 16 channels
  BOOST_TEST(cat.h == 14);
  const Layer& pool = net.layers[5];
  BOOST_TEST(pool.name == "b3_pool");
  BOOST_TEST((pool.inputs == std::vector<std::string>{"pool1"}));
  const Layer& res = net.layers[8];
  BOOST_TEST((res.inputs == std::vector<std::string>{"mix", "concat"}));
  const Layer& fc = net.layers[10];  // MatMul + bias Add: one fc layer, named after the MatMul
  BOOST_TEST(fc.name == "fc");
  BOOST_TEST(to_string(fc.op) == std::string("fc"));
  BOOST_TEST(fc.c == 32 * 7 * 7);
  BOOST_TEST(fc.k == 10);
  const Network w2 = apply_width(net, 2.0);
  BOOST_TEST(w2.layers[6].c == 64);
  BOOST_TEST(w2.layers[10].c == 64 * 49);
}

BOOST_AUTO_TEST_CASE(batch_dimension_is_not_part_of_the_network) {
  // A fixed batch of 4 and a symbolic batch import alike (n = 1); --batch sets it afterwards.
  const Network fixed = load_network(kFix + "dw_block_batch4.onnx");
  Network symbolic = load_network(kFix + "dw_block.onnx");
  symbolic.name = fixed.name;
  check_same_layers(fixed, symbolic);
  BOOST_TEST(fixed.layers[0].n == 1);
  const Network b8 = with_batch(fixed, 8);
  BOOST_TEST(b8.total_macs() == 8 * fixed.total_macs());
}

BOOST_AUTO_TEST_CASE(bytes_and_file_agree) {
  const Network a = import_onnx(kFix + "dw_block.onnx");
  OnnxImportTimes t;
  const Network b = import_onnx_bytes(read_bytes(kFix + "dw_block.onnx"), "memory", "dw_block", &t);
  check_same_layers(a, b);
  BOOST_TEST(t.parse_ms > 0.0);
  BOOST_TEST(is_onnx_path("a/b/Model.ONNX"));
  BOOST_TEST(!is_onnx_path("onnx"));
  BOOST_TEST(!is_onnx_path("a.csv"));
}

BOOST_AUTO_TEST_CASE(broken_files_give_one_line_diagnostics) {
  // The text after "error[CODE] <path>" (the pointer, if any, then the message).
  const std::pair<const char*, const char*> cases[] = {
      {"ONNX001_truncated_bad.onnx",
       ": not an ONNX model: the bytes do not parse as a ModelProto (truncated or another format)"},
      {"ONNX002_missing_initializer_bad.onnx",
       ":graph.node[0]: Conv node \"stem\" reads \"stem.weight_missing\", which no initializer, graph input or "
       "node provides"},
      {"ONNX002_cyclic_bad.onnx",
       ":graph.node[0]: Add node \"a\" reads \"b_out\" from the later Conv node \"b\" (graph.node[1]): the graph "
       "has a cycle"},
      {"ONNX003_wrong_rank_bad.onnx",
       ":graph.node[0]: Conv node \"conv1\": weight \"w\" has rank 3; expected 4 (K, C/groups, R, S)"},
      {"ONNX003_rank2_conv_bad.onnx",
       ":graph.node[0]: Conv node \"conv1\" reads \"input\" of rank 2; 2-D convolution and pooling need rank 4 (N, C, "
       "H, W)"},
      {"ONNX003_zero_stride_bad.onnx",
       ":graph.node[0]: Conv node \"conv1\": attribute strides has the value 0; ONNX requires positive values (shape "
       "inference is impossible)"},
      {"ONNX004_bad.onnx", ":graph.node[1]: LeakyRelu node \"lrelu1\": operator LeakyRelu is not supported"},
      {"ONNX004_domain_bad.onnx",
       ":graph.node[0]: FusedConv node \"conv1\" is in domain \"com.microsoft\", which the importer does not "
       "support"},
      {"ONNX005_dilation_bad.onnx",
       ":graph.node[0]: Conv node \"conv1\": dilation 2 is not modelled (the array reads a dense r x s window per "
       "output)"},
      {"ONNX005_pads_bad.onnx",
       ":graph.node[0]: Conv node \"conv1x7\": pads (0, 3, 0, 3) give a 28x28 output that no pad on all four sides "
       "reproduces"},
      {"ONNX006_rank3_input_bad.onnx",
       ":graph.input \"input\": the data input has rank 3; expected 4 (N, C, H, W) or 2 (N, features)"},
      {"ONNX006_bad.onnx",
       ":graph.node[0]: Conv node \"conv1\": weight \"w\" is a graph input, not an initializer; weights must be "
       "constant"},
  };
  for (const auto& [file, want] : cases) {
    const std::string path = kFix + file;
    BOOST_TEST_CONTEXT(file) {
      const std::string code = std::string(file).substr(0, 7);
      BOOST_TEST(first_diagnostic_line([&] { load_network(path); }) == "error[" + code + "] " + path + want);
    }
  }
  BOOST_TEST(first_diagnostic_line([] { load_network("/nonexistent/model.onnx"); }) ==
             "error[ONNX001] /nonexistent/model.onnx: cannot open the ONNX file");
  BOOST_TEST(first_diagnostic_line([] { import_onnx_bytes("", "empty.onnx", "empty"); }).rfind("error[ONNX001]", 0) ==
             0);
}

BOOST_AUTO_TEST_SUITE_END()
