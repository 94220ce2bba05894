// Checks that happen before any simulation: arch fixtures that cannot run a workload (SIM001-SIM003,
// CFG002 for zero bandwidth) are rejected by simulate() with their diagnostic before the SystemC
// kernel starts (so several run in one process), shipped arch examples load and plan, and the plans
// store k-bit codes physically packed.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <functional>

#include "common/arch_config.h"
#include "common/diagnostics.h"
#include "mapping/plan.h"
#include "sim/simulator.h"
#include "tests/support/diagnostics.h"
#include "workloads/network.h"

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
using wrpn::test::kNoDiagnostic;
using namespace wrpn::sim;
using namespace wrpn::mapping;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(WRPN_SOURCE_DIR) + "/tests/fixtures/arch/";

/// The workload every fixture is run against (docs/diagnostics.md): one W4A4 3x3 conv with
/// 512 input and output channels on 14x14 (fan-in 4608).
std::vector<Layer> fixture_workload() {
  Layer l;
  l.name = "conv512";
  l.c = l.k = 512;
  l.h = l.w = 14;
  l.r = l.s = 3;
  l.pad = 1;
  l.wbits = l.abits_in = l.abits_out = 4;
  return {l};
}

std::string simulate_fixture(const std::string& file) {
  return first_diagnostic_line([&] {
    Workload w;
    w.name = "fixture";
    w.source = "fixture-workload";
    w.layers = fixture_workload();
    simulate(ArchConfig::load(kFixtures + file), w);
  });
}

Network resnet34(double width, int wbits, int abits) {
  return apply_precision(apply_width(builtin_network("resnet34"), width), PrecisionPolicy::uniform(wbits, abits));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(bad_arch_fixtures_are_rejected_before_simulation) {
  const std::vector<std::pair<std::string, std::string>> expected{
      {"SIM001_bad.json", "error[SIM001] " + kFixtures +
                              "SIM001_bad.json:/pe/type: PE type binary cannot run layer \"conv512\" of "
                              "fixture-workload (W4A4)"},
      {"SIM001_fp32_bad.json",
       "error[SIM001] " + kFixtures + "SIM001_fp32_bad.json:/pe/type: PE type fp32 cannot run layer \"conv512\""},
      {"SIM002_inputs_bad.json", "error[SIM002] " + kFixtures +
                                     "SIM002_inputs_bad.json:/buffers/1/capacity_kib: input_buffer is too small for "
                                     "one tile of layer \"conv512\""},
      {"SIM003_bad.json", "error[SIM003] " + kFixtures +
                              "SIM003_bad.json:/pe/acc_bits: accumulator of 12 bits may overflow in layer \"conv512\""},
      {"CFG002_bandwidth_bad.json",
       "error[CFG002] " + kFixtures + "CFG002_bandwidth_bad.json:/dram/bandwidth_bytes_per_cycle: expected number"},
      {"CFG002_max_outstanding_bad.json",
       "error[CFG002] " + kFixtures +
           "CFG002_max_outstanding_bad.json:/dram/max_outstanding: expected integer in [1, 1024], got 0"},
  };
  for (const auto& [file, prefix] : expected) {
    BOOST_TEST_CONTEXT(file) {
      const std::string got = simulate_fixture(file);
      BOOST_TEST(got.rfind(prefix, 0) == 0, "got: " << got);
    }
  }
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(kFixtures)) n += e.path().extension() == ".json";
  BOOST_TEST(n == expected.size());
}

BOOST_AUTO_TEST_CASE(empty_workload_and_product_too_wide_are_rejected) {
  Workload empty;
  empty.source = "nothing";
  BOOST_TEST(first_diagnostic_line([&] { simulate(ArchConfig::builtin_default(), empty); }).rfind("error[SIM004]", 0) ==
             0);
  // An 8-bit accumulator cannot hold one 8x8-bit product of the layer (the arch alone is fine for 4x4).
  ArchConfig a = ArchConfig::builtin_default(4, 4);
  a.acc_bits = 8;
  std::vector<Layer> layers = fixture_workload();
  layers[0].wbits = layers[0].abits_in = 8;
  Workload w;
  w.source = "w8a8";
  w.layers = layers;
  const std::string got = first_diagnostic_line([&] { simulate(a, w); });
  BOOST_TEST(got.rfind("error[SIM003]", 0) == 0, "got: " << got);
  BOOST_TEST(got.find("accumulator of 8 bits cannot hold one product") != std::string::npos, "got: " << got);
}

BOOST_AUTO_TEST_CASE(shipped_arch_examples_load_and_plan_resnet34) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(std::string(WRPN_SOURCE_DIR) + "/configs/arch")) {
    if (e.path().extension() != ".json") continue;
    ++n;
    BOOST_TEST_CONTEXT(e.path().string()) {
      const ArchConfig a = ArchConfig::load(e.path().string());
      const bool fp = a.pe_type == PeType::fp32;
      const Network net = resnet34(fp ? 1.0 : 2.0, fp ? 32 : 4, fp ? 32 : 4);
      const std::vector<LayerPlan> plans = plan_layers(a, net.layers, false, "resnet34");
      BOOST_TEST(plans.size() == net.layers.size());
      for (const LayerPlan& p : plans) {
        BOOST_TEST(!p.steps.empty());
        BOOST_TEST(p.tm >= 1);
        BOOST_TEST(p.tn >= 1);
      }
    }
  }
  BOOST_TEST(n >= 3);  // edge, paper, fp32_baseline
}

BOOST_AUTO_TEST_CASE(narrower_codes_take_fewer_words_and_dram_loads) {
  ArchConfig a = ArchConfig::builtin_default(8, 8);
  std::vector<Layer> l4 = fixture_workload(), l2 = fixture_workload();
  l2[0].wbits = l2[0].abits_in = l2[0].abits_out = 2;
  auto loads = [&](const std::vector<Layer>& ls) {
    const LayerPlan p = plan_layers(a, ls, false, "x").front();
    uint64_t w = 0, i = 0;
    for (const Step& s : p.steps) {
      w += s.weight_load_words;
      i += s.input_load_words;
    }
    return std::make_pair(w, i);
  };
  const auto [w4, i4] = loads(l4);
  const auto [w2, i2] = loads(l2);
  BOOST_TEST(w4 > 0);
  BOOST_TEST(w2 * 2 <= w4 + 64);  // half the bits: half the words (up to per-chunk rounding)
  BOOST_TEST(i2 < i4);
  BOOST_TEST(passes_for(ArchConfig::builtin_default(4, 4), l4[0]) == 1);
  std::vector<Layer> l8 = fixture_workload();
  l8[0].wbits = l8[0].abits_in = 8;
  BOOST_TEST(passes_for(ArchConfig::builtin_default(4, 4), l8[0]) == 4);  // 2 weight x 2 activation slices
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(split_reduction)

// A weight buffer whose slot (1 KiB: 2048 4-bit codes) cannot hold one column of conv512's fan-in
// (4608 codes): once a SIM002 error, now an output-stationary mapping with the reduction split into
// tiles that fit, the partial sums waiting in the output buffer.
BOOST_AUTO_TEST_CASE(small_weight_buffer_splits_the_reduction) {
  const ArchConfig a =
      ArchConfig::load(std::string(WRPN_SOURCE_DIR) + "/tests/fixtures/mapping_arch/small_weight_buffer.json");
  const LayerPlan p = plan_layers(a, fixture_workload(), false, "x").front();
  BOOST_TEST(p.split_reduction);
  BOOST_TEST(p.tl < p.stream_len);
  BOOST_TEST(p.tl * p.tn * 4 <= 1024 * 8);
  uint64_t psum_reads = 0, pe_ops = 0;
  for (const Step& s : p.steps) {
    psum_reads += s.obuf_read_words;
    pe_ops += s.pe_ops;
  }
  BOOST_TEST(psum_reads > 0u);
  BOOST_TEST(pe_ops == static_cast<uint64_t>(fixture_workload()[0].macs()));
}

BOOST_AUTO_TEST_SUITE_END()
