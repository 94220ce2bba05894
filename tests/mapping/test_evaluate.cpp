// The analytic evaluator on layers small enough to count by hand, and its invariants on every
// built-in network. (Its agreement with the SystemC model is tests/sim/test_agreement.cpp.)
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/arch_config.h"
#include "mapping/evaluate.h"
#include "workloads/network.h"

using namespace wrpn;
using namespace wrpn::mapping;

namespace {

Layer fc_layer(int wbits, int abits_out) {
  Layer l;
  l.name = "fc";
  l.op = LayerOp::fc;
  l.c = 64;
  l.k = 16;
  l.wbits = l.abits_in = wbits;
  l.abits_out = abits_out;
  return l;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(evaluate)

BOOST_AUTO_TEST_CASE(fc_layer_on_an_ideal_dram_array) {
  ArchConfig arch = ArchConfig::builtin_default(8, 8);  // 16x16 int8 PEs, 64-bit buffer words, 64 B bursts
  arch.dram.ideal = true;
  const LayerEvaluation e = evaluate_layers(arch, {fc_layer(8, 8)}).front();
  const ActionCounts& c = e.counts;
  // One tile: 1 pixel row x 16 channel columns, the whole fan-in of 64 streamed:
  // 2*1 + 16 + 64 - 2 = 80 cycles.
  BOOST_TEST(e.mapping.tm == 1);
  BOOST_TEST(e.mapping.tn == 16);
  BOOST_TEST(e.mapping.tl == 64);
  BOOST_TEST(!e.split_reduction);
  BOOST_TEST(c.cycles == 80u);
  BOOST_TEST(c.macs == 1024u);
  BOOST_TEST(c.pe_active_cycles == 1024u);
  BOOST_TEST(c.pe_idle_cycles == 256u * 80u - 1024u);
  BOOST_TEST(c.operand_register_writes == 2048u);
  BOOST_TEST(c.requant_ops == 16u);
  // 8 codes per 64-bit word: the tile reads 8 input words and 128 weight words. DRAM: 1024 B of
  // weights and 64 B of inputs in, 16 B of outputs out rounded up to one 64 B burst.
  BOOST_TEST(c.buffer("input_buffer")->read_words == 8u);
  BOOST_TEST(c.buffer("weight_buffer")->read_words == 128u);
  BOOST_TEST(c.dram_read_bytes == 1088u);
  BOOST_TEST(c.dram_write_bytes == 64u);
  BOOST_TEST(e.compulsory_dram_bytes == 1152u);
  BOOST_TEST(e.dram_ratio() == 1.0);
  BOOST_TEST(e.useful_mac_utilization() == 1024.0 / (256.0 * 80.0));
}

BOOST_AUTO_TEST_CASE(narrow_pes_run_wide_layers_in_passes) {
  ArchConfig arch = ArchConfig::builtin_default(4, 4);
  arch.dram.ideal = true;
  // 8-bit weights and inputs on 4-bit PEs: 2 x 2 = 4 bit-sliced passes of the same tile.
  const LayerEvaluation e = evaluate_layers(arch, {fc_layer(8, 4)}).front();
  BOOST_TEST(e.passes == 4);
  BOOST_TEST(e.counts.macs == 1024u);
  BOOST_TEST(e.counts.pe_active_cycles == 4096u);
  BOOST_TEST(e.counts.cycles == 4u * 80u);
  // Passes keep PEs busy but do no more useful MACs.
  BOOST_TEST(e.pe_busy_utilization() == 4.0 * e.useful_mac_utilization());
}

BOOST_AUTO_TEST_CASE(counts_are_consistent_for_every_builtin) {
  ArchConfig arch = ArchConfig::load(std::string(WRPN_SOURCE_DIR) + "/configs/arch/edge.json");
  arch.overflow = OverflowMode::saturate;  // 8-bit first and last layers: no worst-case fan-in check
  for (const auto& name : builtin_network_names()) {
    BOOST_TEST_CONTEXT(name) {
      const Network net = apply_precision(builtin_network(name), PrecisionPolicy::uniform(4, 4));
      const NetworkEvaluation n = evaluate_network(arch, net.layers);
      BOOST_TEST_REQUIRE(n.counts.size() == net.layers.size());
      BOOST_TEST(n.rows.size() == net.layers.size());
      uint64_t macs = 0;
      const uint64_t pes = static_cast<uint64_t>(arch.rows * arch.cols);
      for (const LayerEvaluation& e : n.layers) {
        const ActionCounts& c = e.counts;
        macs += c.macs;
        BOOST_TEST(c.source == "analytic");
        BOOST_TEST(c.pe_active_cycles + c.pe_idle_cycles == pes * c.cycles);
        BOOST_TEST(c.pe_active_cycles >= c.macs);
        BOOST_TEST(c.cycles >= e.compute_cycles);
        BOOST_TEST(c.dram_read_bytes + c.dram_write_bytes >= e.compulsory_dram_bytes);
      }
      BOOST_TEST(macs == static_cast<uint64_t>(net.total_macs()));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
