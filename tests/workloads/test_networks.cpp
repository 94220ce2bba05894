// Built-in networks against hand-computed MAC and weight counts, the width multiplier and the
// precision policy. Every expected number below is worked out in the comment beside it from the
// published layer tables (not from the code under test): MACs of a conv layer = K * OH * OW * (C/G) * R * S,
// of an fc layer = C * K, with OH = (H + 2*pad - R) / stride + 1.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "common/numerics.h"
#include "tests/support/diagnostics.h"
#include "workloads/network.h"

using namespace wrpn;
using wrpn::test::first_diagnostic_line;

namespace {

const Layer& layer(const Network& net, const std::string& name) {
  const int i = net.index_of(name);
  BOOST_TEST_REQUIRE(i >= 0, "no layer " << name);
  return net.layers[static_cast<size_t>(i)];
}

int64_t weighted_layers(const Network& net) {
  int64_t n = 0;
  for (const auto& l : net.layers) n += l.has_weights();
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(builtin_networks)

BOOST_AUTO_TEST_CASE(names_are_the_six_built_in_networks) {
  const auto names = builtin_network_names();
  for (const char* n : {"alexnet", "resnet34", "inception_bn", "lenet", "mlp", "resnet_mini"})
    BOOST_TEST((std::find(names.begin(), names.end(), n) != names.end()), n);
  BOOST_TEST(names.size() == 6u);
}

BOOST_AUTO_TEST_CASE(alexnet_one_tower) {
  const Network net = builtin_network("alexnet");
  // conv1: 3->64, 11x11/4 pad 2 on 224: OH = (224 + 4 - 11) / 4 + 1 = 55
  //        64 * 55 * 55 * 3 * 121 = 64 * 3025 * 363 = 70,276,800
  BOOST_TEST(layer(net, "conv1").out_h() == 55);
  BOOST_TEST(layer(net, "conv1").macs() == 70276800);
  // pool1 3x3/2: (55 - 3) / 2 + 1 = 27; conv2: 64->192, 5x5 pad 2 on 27:
  //        192 * 27 * 27 * 64 * 25 = 192 * 729 * 1600 = 223,948,800
  BOOST_TEST(layer(net, "conv2").macs() == 223948800);
  // pool2: 27 -> 13; conv3 192->384: 384 * 169 * 192 * 9 = 112,140,288
  BOOST_TEST(layer(net, "conv3").macs() == 112140288);
  // conv4 384->256: 256 * 169 * 384 * 9 = 149,520,384; conv5 256->256: 256 * 169 * 256 * 9 = 99,680,256
  BOOST_TEST(layer(net, "conv4").macs() == 149520384);
  BOOST_TEST(layer(net, "conv5").macs() == 99680256);
  // pool5: 13 -> 6; fc6: 256 * 6 * 6 = 9216 -> 4096: 37,748,736; fc7 4096 * 4096 = 16,777,216;
  // fc8 4096 * 1000 = 4,096,000
  BOOST_TEST(layer(net, "fc6").c == 9216);
  BOOST_TEST(layer(net, "fc6").macs() == 37748736);
  BOOST_TEST(layer(net, "fc8").macs() == 4096000);
  // Total: 70,276,800 + 223,948,800 + 112,140,288 + 149,520,384 + 99,680,256 + 37,748,736
  //        + 16,777,216 + 4,096,000 = 714,188,480 (the 0.714 GMACs usually quoted)
  BOOST_TEST(net.total_macs() == 714188480);
  // Weights: 23,232 + 307,200 + 663,552 + 884,736 + 589,824 + 37,748,736 + 16,777,216 + 4,096,000
  //          = 61,090,496 (61.1 M, no biases)
  BOOST_TEST(net.total_weights() == 61090496);
  BOOST_TEST(weighted_layers(net) == 8);
}

BOOST_AUTO_TEST_CASE(resnet34_table1) {
  const Network net = builtin_network("resnet34");
  // conv1: 3->64, 7x7/2 pad 3 on 224 -> 112: 64 * 112 * 112 * 3 * 49 = 64 * 12544 * 147 = 118,013,952
  BOOST_TEST(layer(net, "conv1").macs() == 118013952);
  // maxpool 3x3/2 pad 1: 112 -> 56. Stage 1 conv (64->64 3x3 on 56): 64 * 3136 * 576 = 115,605,504;
  // every 3x3 conv with C == K at its stage's size costs the same 115,605,504.
  BOOST_TEST(layer(net, "layer1_0_conv1").macs() == 115605504);
  BOOST_TEST(layer(net, "layer4_2_conv2").macs() == 115605504);
  // Stride-2 first conv of stage 2: 128 * 28 * 28 * 64 * 9 = 57,802,752; its 1x1/2 projection
  // 128 * 784 * 64 = 6,422,528 (the same in stages 3 and 4: channels double, positions quarter).
  BOOST_TEST(layer(net, "layer2_0_conv1").macs() == 57802752);
  BOOST_TEST(layer(net, "layer2_0_down").macs() == 6422528);
  BOOST_TEST(layer(net, "layer4_0_down").macs() == 6422528);
  // Stage totals: 1: 6 * 115,605,504 = 693,633,024
  //               2: 57,802,752 + 7 * 115,605,504 + 6,422,528 = 873,463,808
  //               3: 57,802,752 + 11 * 115,605,504 + 6,422,528 = 1,335,885,824
  //               4: 57,802,752 + 5 * 115,605,504 + 6,422,528 = 642,252,800
  // fc 512 * 1000 = 512,000. Total 118,013,952 + 693,633,024 + 873,463,808 + 1,335,885,824
  //               + 642,252,800 + 512,000 = 3,663,761,408 (the 3.6 GMACs of the paper's Table 1)
  BOOST_TEST(net.total_macs() == 3663761408LL);
  // 33 convs in the main path + 3 projections + fc = 37 weighted layers; 16 residual adds.
  BOOST_TEST(weighted_layers(net) == 37);
  int adds = 0;
  for (const auto& l : net.layers) adds += l.op == LayerOp::add;
  BOOST_TEST(adds == 16);
  // Weights: 8-bit-policy layers conv1 9,408 + fc 512,000; the rest 21,258,240; total 21,779,648.
  BOOST_TEST(net.total_weights() == 21779648);
}

BOOST_AUTO_TEST_CASE(inception_bn_figure5) {
  const Network net = builtin_network("inception_bn");
  // Stem: conv1 7x7/2 (3->64) 118,013,952; pool -> 56; conv2_3x3_reduce 64 * 3136 * 64 = 12,845,056;
  // conv2_3x3 192 * 3136 * 64 * 9 = 346,816,512; pool -> 28.
  BOOST_TEST(layer(net, "conv2_3x3").macs() == 346816512);
  // 3a (in 192 @ 28x28): 1x1 64*784*192 = 9,633,792; 3x3 reduce 9,633,792; 3x3 64*784*64*9 = 28,901,376;
  //   double reduce 9,633,792; double 3x3 (1) 96*784*64*9 = 43,352,064; (2) 96*784*96*9 = 65,028,096;
  //   pool proj 32*784*192 = 4,816,896; module 170,999,808; output 64 + 64 + 96 + 32 = 256 channels.
  int64_t m3a = 0;
  for (const auto& l : net.layers)
    if (l.name.rfind("inception_3a_", 0) == 0) m3a += l.macs();
  BOOST_TEST(m3a == 170999808);
  BOOST_TEST(layer(net, "inception_3a_output").k == 256);
  // 3c (stride 2, no 1x1 branch, pass-through max pool): 3x3 reduce 128*784*320 = 32,112,640;
  //   3x3/2 160*196*128*9 = 36,126,720; double reduce 64*784*320 = 16,056,320;
  //   double (1) 96*784*64*9 = 43,352,064; (2)/2 96*196*96*9 = 16,257,024; module 143,904,768;
  //   output 160 + 96 + 320 = 576 at 14x14.
  BOOST_TEST(layer(net, "inception_3c_output").k == 576);
  BOOST_TEST(layer(net, "inception_3c_output").h == 14);
  // 4c and 4d output 608 channels, 4e 1056 at 7x7, 5b 1024 (the released model's widths).
  BOOST_TEST(layer(net, "inception_4c_output").k == 608);
  BOOST_TEST(layer(net, "inception_4e_output").k == 1056);
  BOOST_TEST(layer(net, "inception_5b_output").k == 1024);
  // Module totals: 3a 170,999,808; 3b 203,112,448; 3c 143,904,768; 4a 119,218,176; 4b 130,056,192;
  //   4c 178,827,264; 4d 223,584,256; 4e 164,577,280; 5a 108,079,104; 5b 111,541,248
  //   (each the sum of its branches as for 3a). Stem 118,013,952 + 12,845,056 + 346,816,512,
  //   fc 1024 * 1000 = 1,024,000. Total 2,032,600,064 (about 2.0 GMACs).
  BOOST_TEST(layer(net, "fc").c == 1024);
  BOOST_TEST(net.total_macs() == 2032600064LL);
  // Weights (K * C/G * R * S per conv): stem 9,408 + 4,096 + 110,592 = 124,096; modules 3a 218,112,
  // 3b 259,072, 3c 384,000, 4a 608,256, 4b 663,552, 4c 912,384, 4d 1,140,736, 4e 1,447,936,
  // 5a 2,205,696, 5b 2,276,352 (sum 10,116,096); fc 1,024,000. Total 11,264,192 (11.3 M).
  BOOST_TEST(net.total_weights() == 11264192);
}

BOOST_AUTO_TEST_CASE(lenet_and_mlp) {
  const Network lenet = builtin_network("lenet");
  // conv1 1->20 5x5 on 28 -> 24: 20 * 576 * 25 = 288,000; pool -> 12; conv2 20->50 5x5 -> 8:
  // 50 * 64 * 20 * 25 = 1,600,000; pool -> 4; fc1 50*4*4 = 800 -> 500: 400,000; fc2 500*10 = 5,000.
  // Total 2,293,000.
  BOOST_TEST(layer(lenet, "conv2").macs() == 1600000);
  BOOST_TEST(layer(lenet, "fc1").c == 800);
  BOOST_TEST(lenet.total_macs() == 2293000);
  // Weights 20*25 + 50*20*25 + 800*500 + 500*10 = 500 + 25,000 + 400,000 + 5,000 = 430,500.
  BOOST_TEST(lenet.total_weights() == 430500);
  const Network mlp = builtin_network("mlp");
  // 784 * 512 + 512 * 512 + 512 * 10 = 401,408 + 262,144 + 5,120 = 668,672
  BOOST_TEST(mlp.total_macs() == 668672);
  BOOST_TEST(mlp.total_weights() == 668672);  // batch 1: one MAC per weight
  BOOST_TEST(mlp.input_h == 28);
}

BOOST_AUTO_TEST_CASE(resnet_mini_is_the_residual_network_the_trainer_trains) {
  // What `wrpn sim --network resnet_mini` and `wrpn train --model resnet_mini` both read.
  const Network net = load_network("resnet_mini");
  BOOST_TEST(net.input_c == 1);
  BOOST_TEST(net.input_h == 28);
  BOOST_TEST(net.num_classes == 10);
  std::vector<std::string> names;
  for (const auto& l : net.layers) names.push_back(l.name);
  BOOST_TEST(names == (std::vector<std::string>{"conv1", "pool1", "b1_conv1", "b1_conv2", "b1_add", "down", "b2_conv1",
                                                "b2_conv2", "b2_add", "gap", "fc"}),
             boost::test_tools::per_element());
  // Every conv is 3x3 pad 1. conv1 1->16 on 28: 16 * 784 * 9 = 112,896; pool1 2x2/2 -> 14;
  // b1_conv1, b1_conv2 16->16 on 14: 16 * 196 * 144 = 451,584 each; down 16->32 stride 2 -> 7:
  // 32 * 49 * 144 = 225,792; b2_conv1, b2_conv2 32->32 on 7: 32 * 49 * 288 = 451,584 each; gap 7x7/7
  // -> 1x1; fc 32->10: 320. Total 112,896 + 4 * 451,584 + 225,792 + 320 = 2,145,344.
  BOOST_TEST(layer(net, "conv1").macs() == 112896);
  BOOST_TEST(layer(net, "down").out_h() == 7);
  BOOST_TEST(layer(net, "down").macs() == 225792);
  BOOST_TEST(layer(net, "gap").out_h() == 1);
  BOOST_TEST(layer(net, "fc").c == 32);
  BOOST_TEST(net.total_macs() == 2145344);
  // Weights 9*16 + 2 * 144*16 + 144*32 + 2 * 288*32 + 320 = 144 + 4,608 + 4,608 + 18,432 + 320 = 28,112.
  BOOST_TEST(net.total_weights() == 28112);
  // The residual adds read the block input and the block's second conv; every other layer the
  // previous one.
  BOOST_TEST(layer_producers(net, 4) == (std::vector<std::string>{"pool1", "b1_conv2"}),
             boost::test_tools::per_element());
  BOOST_TEST(layer_producers(net, 8) == (std::vector<std::string>{"down", "b2_conv2"}),
             boost::test_tools::per_element());
  BOOST_TEST(layer_producers(net, 5) == std::vector<std::string>{"b1_add"}, boost::test_tools::per_element());
  BOOST_TEST(layer_producers(net, 0) == std::vector<std::string>{"input"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_builtin_is_consistent_at_several_widths_and_batches) {
  for (const auto& name : builtin_network_names()) {
    BOOST_TEST_CONTEXT(name) {
      const Network base = builtin_network(name);
      BOOST_CHECK_NO_THROW(base.check_consistency(name));
      for (double w : {1.0, 1.5, 2.0, 3.0}) {
        const Network net = apply_width(base, w);
        BOOST_CHECK_NO_THROW(net.check_consistency(name));
        // MACs grow at most with w^2 and at least with w (first/last layers grow with w only).
        const double r = static_cast<double>(net.total_macs()) / static_cast<double>(base.total_macs());
        BOOST_TEST(r <= w * w * 1.02);
        BOOST_TEST(r >= w * 0.98);
      }
      const Network b8 = with_batch(base, 8);
      BOOST_TEST(b8.total_macs() == 8 * base.total_macs());
      BOOST_TEST(b8.total_weights() == base.total_weights());
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_name_is_net001) {
  BOOST_TEST(first_diagnostic_line([] { builtin_network("vgg16"); }) ==
             "error[NET001] network: unknown network \"vgg16\"");
  // load_network treats a bare name as built-in, so the same diagnostic.
  BOOST_TEST(first_diagnostic_line([] { load_network("vgg16"); }).rfind("error[NET001]", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(width_multiplier)

BOOST_AUTO_TEST_CASE(alexnet_2x_keeps_input_channels_and_classes) {
  const Network net = apply_width(builtin_network("alexnet"), 2.0);
  BOOST_TEST(net.width == 2.0);
  BOOST_TEST(layer(net, "conv1").c == 3);    // RGB input stays
  BOOST_TEST(layer(net, "conv1").k == 128);  // 64 * 2
  BOOST_TEST(layer(net, "conv2").c == 128);  // follows its widened producer
  BOOST_TEST(layer(net, "fc6").c == 18432);  // 512 * 6 * 6, flattened
  BOOST_TEST(layer(net, "fc7").k == 8192);
  BOOST_TEST(layer(net, "fc8").k == 1000);  // classes stay
  // conv1 128*3025*363 = 140,553,600; conv2 384*729*128*25 = 895,795,200; conv3 768*169*384*9 =
  // 448,561,152; conv4 512*169*768*9 = 598,081,536; conv5 512*169*512*9 = 398,721,024;
  // fc6 18432*8192 = 150,994,944; fc7 8192*8192 = 67,108,864; fc8 8192*1000 = 8,192,000.
  // Total 2,708,008,320; / 714,188,480 = 3.79 (the paper's "3.9x raw compute").
  BOOST_TEST(net.total_macs() == 2708008320LL);
}

BOOST_AUTO_TEST_CASE(resnet34_2x_residuals_follow) {
  const Network base = builtin_network("resnet34");
  const Network net = apply_width(base, 2.0);
  BOOST_TEST(layer(net, "conv1").c == 3);
  BOOST_TEST(layer(net, "conv1").k == 128);
  BOOST_TEST(layer(net, "layer1_0_add").c == 128);
  BOOST_TEST(layer(net, "layer4_0_down").k == 1024);
  BOOST_TEST(layer(net, "fc").c == 1024);
  BOOST_TEST(layer(net, "fc").k == 1000);
  // conv1 and fc grow 2x (one side fixed), every other conv 4x:
  // 2 * 118,013,952 + 4 * (3,663,761,408 - 118,013,952 - 512,000) + 2 * 512,000 = 14,417,993,728
  BOOST_TEST(net.total_macs() == 14417993728LL);
}

BOOST_AUTO_TEST_CASE(fractional_width_rounds_to_nearest) {
  const Network net = apply_width(builtin_network("lenet"), 1.25);
  BOOST_TEST(layer(net, "conv1").k == 25);  // 20 * 1.25
  BOOST_TEST(layer(net, "conv2").k == 63);  // 50 * 1.25 = 62.5, rounded half away from zero
  BOOST_TEST(layer(net, "fc1").c == 63 * 4 * 4);
  BOOST_TEST(layer(net, "fc2").k == 10);
}

BOOST_AUTO_TEST_CASE(inception_concats_follow_their_branches) {
  const Network net = apply_width(builtin_network("inception_bn"), 2.0);
  BOOST_TEST(layer(net, "conv1_7x7_s2").c == 3);
  BOOST_TEST(layer(net, "inception_3a_output").k == 512);
  BOOST_TEST(layer(net, "inception_3c_output").k == 1152);  // 320 + 192 + 640 (pass-through pool)
  BOOST_TEST(layer(net, "fc").k == 1000);
}

BOOST_AUTO_TEST_CASE(width_out_of_range_is_net003) {
  const Network base = builtin_network("mlp");
  BOOST_TEST(first_diagnostic_line([&] { apply_width(base, 0.5); }) ==
             "error[NET003] --width: width multiplier must be in [1, 64], got 0.500000");
  BOOST_TEST(first_diagnostic_line([&] { apply_width(base, 65); }).rfind("error[NET003] --width:", 0) == 0);
  BOOST_TEST(first_diagnostic_line([&] { with_batch(base, 0); }) ==
             "error[NET003] --batch: batch size must be at least 1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(precision_policy)

BOOST_AUTO_TEST_CASE(uniform_w4a4_keeps_first_and_last_at_8_bits) {
  const PrecisionPolicy p = PrecisionPolicy::uniform(4, 4);
  BOOST_TEST(p.first_wbits == 8);
  BOOST_TEST(p.first_abits == 8);
  BOOST_TEST(p.last_wbits == 8);
  BOOST_TEST(p.last_abits == 4);
  const Network net = apply_precision(apply_width(builtin_network("alexnet"), 2.0), p);
  BOOST_CHECK_NO_THROW(net.check_consistency("alexnet w2 W4A4"));
  const Layer& c1 = layer(net, "conv1");
  BOOST_TEST(c1.wbits == 8);
  BOOST_TEST(c1.abits_in == 8);  // 8-bit pixel codes
  BOOST_TEST(c1.abits_out == 4);
  for (const char* body : {"conv2", "conv3", "conv4", "conv5", "fc6", "fc7"}) {
    BOOST_TEST_CONTEXT(body) {
      BOOST_TEST(layer(net, body).wbits == 4);
      BOOST_TEST(layer(net, body).abits_in == 4);
    }
  }
  BOOST_TEST(layer(net, "pool1").abits_in == 4);  // pooling passes codes through
  BOOST_TEST(layer(net, "pool1").abits_out == 4);
  const Layer& fc8 = layer(net, "fc8");
  BOOST_TEST(fc8.wbits == 8);
  BOOST_TEST(fc8.abits_in == 4);
  BOOST_TEST(fc8.abits_out == kFp32Bits);  // logits
}

BOOST_AUTO_TEST_CASE(fp32_policy_is_all_fp32) {
  const Network net = apply_precision(builtin_network("resnet34"), PrecisionPolicy::uniform(32, 32));
  for (const auto& l : net.layers) {
    BOOST_TEST(l.wbits == 32);
    BOOST_TEST(l.abits_in == 32);
    BOOST_TEST(l.abits_out == 32);
  }
}

BOOST_AUTO_TEST_CASE(resnet_w4a8_shortcuts_share_a_precision) {
  const Network net = apply_precision(builtin_network("resnet34"), PrecisionPolicy::uniform(4, 8));
  BOOST_CHECK_NO_THROW(net.check_consistency("resnet34 W4A8"));
  for (const auto& l : net.layers) {
    if (&l == &net.layers.front() || &l == &net.layers.back()) continue;
    BOOST_TEST_CONTEXT(l.name) {
      if (l.has_weights()) BOOST_TEST(l.wbits == 4);
      BOOST_TEST(l.abits_in == 8);
      BOOST_TEST(l.abits_out == 8);
    }
  }
  BOOST_TEST(layer(net, "fc").wbits == 8);
}

BOOST_AUTO_TEST_CASE(first_and_last_overrides) {
  PrecisionPolicy p = PrecisionPolicy::uniform(2, 4);
  p.first_wbits = 4;
  p.last_abits = 8;  // the last layer reads 8-bit codes: its producer chain stores 8 bits
  const Network net = apply_precision(builtin_network("lenet"), p);
  BOOST_TEST(layer(net, "conv1").wbits == 4);
  BOOST_TEST(layer(net, "conv2").wbits == 2);
  BOOST_TEST(layer(net, "fc1").abits_out == 8);
  BOOST_TEST(layer(net, "fc2").abits_in == 8);
  BOOST_TEST(layer(net, "fc2").wbits == 8);
  BOOST_TEST(layer(net, "conv2").abits_out == 4);
  BOOST_TEST(layer(net, "pool2").abits_out == 4);
}

BOOST_AUTO_TEST_CASE(bits_out_of_range_are_net007) {
  const Network base = builtin_network("lenet");
  BOOST_TEST(first_diagnostic_line([&] { apply_precision(base, PrecisionPolicy::uniform(0, 4)); }) ==
             "error[NET007] --wbits: bit width must be 1..16 or 32 (FP32), got 0");
  BOOST_TEST(first_diagnostic_line([&] { apply_precision(base, PrecisionPolicy::uniform(4, 17)); }) ==
             "error[NET007] --abits: bit width must be 1..16 or 32 (FP32), got 17");
  PrecisionPolicy p = PrecisionPolicy::uniform(4, 4);
  p.last_wbits = 33;
  BOOST_TEST(first_diagnostic_line([&] { apply_precision(base, p); }).rfind("error[NET007] --last-wbits:", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
