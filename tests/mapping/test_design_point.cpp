// The design-point policy (mapping/design_point.h): which PE and accumulator run a workload.
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/arch_config.h"
#include "common/diagnostics.h"
#include "mapping/design_point.h"
#include "mapping/plan.h"
#include "tests/support/diagnostics.h"
#include "workloads/network.h"

using namespace wrpn;
using namespace wrpn::mapping;
using wrpn::test::first_diagnostic_line;

namespace {

const std::string kFixtures = std::string(WRPN_SOURCE_DIR) + "/tests/fixtures/design_point/";

Network quantized(const std::string& name, double width, const PrecisionPolicy& p) {
  return apply_precision(apply_width(builtin_network(name), width), p);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(design_point)

BOOST_AUTO_TEST_CASE(the_body_precision_builds_the_pe_and_first_last_layers_take_passes) {
  const PrecisionPolicy p = PrecisionPolicy::uniform(4, 4);
  const Network net = quantized("alexnet", 2.0, p);
  const ResolvedArch r = resolve_arch(ArchConfig::builtin_template(), p, net.layers, "alexnet");
  BOOST_TEST((r.arch.pe_type == PeType::int_k));
  BOOST_TEST(r.arch.pe_wbits == 4);
  BOOST_TEST(r.arch.pe_abits == 4);
  BOOST_TEST(!r.pe_pinned);
  BOOST_TEST(!r.acc_pinned);
  // conv1: 8-bit weights and pixels, 2 x 2 passes on the W4A4 PE; fan-in 363 with sliced weights:
  // 255 * 255 * 363 < 2^25, so 26 bits with the sign; no other layer needs more.
  BOOST_TEST(r.max_passes == 4);
  BOOST_TEST(r.acc_layer == "conv1");
  BOOST_TEST(r.arch.acc_bits == 26);
  for (const Layer& l : net.layers) BOOST_TEST(layer_acc_bits(r.arch, l) <= r.arch.acc_bits);
}

BOOST_AUTO_TEST_CASE(a_ternary_or_binary_body_with_8_bit_first_last_layers_runs_on_the_smallest_int_pe) {
  for (int wb : {1, 2}) {
    const PrecisionPolicy p = PrecisionPolicy::uniform(wb, 2);
    const ResolvedArch r = resolve_arch(ArchConfig::builtin_template(), p, quantized("lenet", 1.0, p).layers, "lenet");
    BOOST_TEST_CONTEXT("W" << wb << "A2") {
      BOOST_TEST((r.arch.pe_type == PeType::int_k));
      BOOST_TEST(r.arch.pe_wbits == 2);
      BOOST_TEST(r.arch.pe_abits == 2);
      BOOST_TEST(r.max_passes == 16);  // 8-bit weights and pixels: 4 x 4 slices
    }
  }
  // First and last layers ternary too: the ternary PE runs every layer (activations sliced).
  PrecisionPolicy t = PrecisionPolicy::uniform(2, 2);
  t.first_wbits = t.last_wbits = 2;
  const ResolvedArch r = resolve_arch(ArchConfig::builtin_template(), t, quantized("lenet", 1.0, t).layers, "lenet");
  BOOST_TEST((r.arch.pe_type == PeType::ternary));
}

BOOST_AUTO_TEST_CASE(fp32_runs_on_fp32_pes_with_the_fp32_word) {
  const PrecisionPolicy p = PrecisionPolicy::uniform(32, 32);
  const ResolvedArch r = resolve_arch(ArchConfig::builtin_template(), p, quantized("lenet", 1.0, p).layers, "lenet");
  BOOST_TEST((r.arch.pe_type == PeType::fp32));
  BOOST_TEST(r.arch.acc_bits == 32);
}

BOOST_AUTO_TEST_CASE(a_pinned_pe_and_accumulator_are_kept) {
  const ArchConfig edge = ArchConfig::load(std::string(WRPN_SOURCE_DIR) + "/configs/arch/edge.json");
  BOOST_TEST(edge.pe_pinned);
  BOOST_TEST(edge.acc_pinned);
  const PrecisionPolicy p = PrecisionPolicy::uniform(2, 2);
  const ResolvedArch r = resolve_arch(edge, p, quantized("lenet", 1.0, p).layers, "lenet");
  BOOST_TEST(r.arch.pe_wbits == edge.pe_wbits);
  BOOST_TEST(r.arch.acc_bits == edge.acc_bits);
  BOOST_TEST(r.to_json().at("acc_source").get<std::string>() == "pinned");
}

BOOST_AUTO_TEST_CASE(an_arch_without_acc_bits_takes_the_workload_accumulator) {
  const ConfigDocument doc = ConfigDocument::parse(
      R"({"kind": "arch", "version": 1, "array": {"rows": 8, "cols": 8},
          "pe": {"type": "int", "wbits": 4, "abits": 4},
          "buffers": [{"name": "w", "holds": "weights", "capacity_kib": 64},
                      {"name": "i", "holds": "inputs", "capacity_kib": 64},
                      {"name": "o", "holds": "outputs", "capacity_kib": 64}], "dram": {}})",
      "inline.json", "arch");
  const ArchConfig a = ArchConfig::from_json(doc.root());
  BOOST_TEST(a.pe_pinned);
  BOOST_TEST(!a.acc_pinned);
  const PrecisionPolicy p = PrecisionPolicy::uniform(4, 4);
  const ResolvedArch r = resolve_arch(a, p, quantized("alexnet", 2.0, p).layers, "alexnet");
  BOOST_TEST(r.arch.acc_bits == 26);
  BOOST_TEST(r.to_json().at("acc_source").get<std::string>() == "workload");
}

BOOST_AUTO_TEST_CASE(a_pinned_pe_that_cannot_run_a_layer_is_dp001) {
  const PrecisionPolicy p = PrecisionPolicy::uniform(2, 4);
  const Network net = quantized("lenet", 1.0, p);
  BOOST_TEST(first_diagnostic_line([&] {
               resolve_arch(ArchConfig::load(kFixtures + "DP001_bad.json"), p, net.layers, "lenet");
             }) == "error[DP001] " + kFixtures +
                       "DP001_bad.json:/pe/type: the ternary W2A4 PE the arch pins cannot run layer \"conv1\" of "
                       "lenet (W8A8): a ternary PE takes weights of at most 2 bits");
}

BOOST_AUTO_TEST_CASE(a_trace_s_precision_is_read_back_from_its_layers) {
  const PrecisionPolicy p = PrecisionPolicy::uniform(4, 2);
  const PrecisionPolicy q = precision_of(quantized("alexnet", 1.0, p).layers);
  BOOST_TEST(q.wbits == 4);
  BOOST_TEST(q.abits == 2);
  BOOST_TEST(q.first_wbits == 8);
  BOOST_TEST(q.first_abits == 8);
  BOOST_TEST(q.last_wbits == 8);
  BOOST_TEST(q.last_abits == 2);
}

BOOST_AUTO_TEST_SUITE_END()
