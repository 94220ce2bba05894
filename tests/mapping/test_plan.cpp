// Mapping data, legality and plans: every step list a legal mapping builds covers the layer's MACs
// exactly once, its compute cycles equal the closed form, and illegal tiles are named.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "common/arch_config.h"
#include "common/rng.h"
#include "mapping/plan.h"
#include "workloads/network.h"

using namespace wrpn;
using namespace wrpn::mapping;

namespace {

Network quantized(const std::string& name, double width, int bits) {
  return apply_precision(apply_width(builtin_network(name), width), PrecisionPolicy::uniform(bits, bits));
}

uint64_t sum_compute(const LayerPlan& p) {
  uint64_t c = 0;
  for (const Step& s : p.steps) c += s.compute_cycles;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(default_mappings_are_legal_and_cover_every_mac) {
  for (const char* arch_file : {"paper.json", "edge.json"}) {
    const ArchConfig a = ArchConfig::load(std::string(WRPN_SOURCE_DIR) + "/configs/arch/" + arch_file);
    for (const std::string& name : {std::string("lenet"), std::string("alexnet")}) {
      const Network net = quantized(name, 2.0, 4);
      for (const Layer& l : net.layers) {
        if (!l.has_weights()) continue;
        BOOST_TEST_CONTEXT(arch_file << " " << name << " " << l.name) {
          const LayerMapping m = default_mapping(a, l);
          BOOST_TEST(mapping_error(a, l, m) == "");
          const LayerPlan p = build_plan(a, l, 0, m);
          uint64_t pe_ops = 0;
          for (const Step& s : p.steps) pe_ops += s.pe_ops;
          BOOST_TEST(pe_ops == static_cast<uint64_t>(l.macs()));
          BOOST_TEST(sum_compute(p) == closed_form_ideal_cycles(a, p));
        }
      }
    }
  }
}

// Random legal tile sizes of the three dataflows and both loop orders: the step list covers every MAC once,
// its cycles equal the closed form, partial sums appear exactly when the reduction is split, and
// every weight and input is loaded at least once.
BOOST_AUTO_TEST_CASE(random_mappings_match_the_closed_form) {
  ArchConfig a = ArchConfig::builtin_default(4, 4);
  a.rows = 6;
  a.cols = 5;
  a.dram.ideal = true;
  const Network net = with_batch(quantized("lenet", 2.0, 4), 2);
  Rng rng(7);
  int checked = 0;
  for (const Layer& l : net.layers) {
    if (!l.has_weights()) continue;
    const int64_t T = stream_length(a, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
    for (int trial = 0; trial < 60; ++trial) {
      LayerMapping m;
      m.dataflow = trial % 3 == 0   ? Dataflow::output_stationary
                   : trial % 3 == 1 ? Dataflow::weight_stationary
                                    : Dataflow::input_stationary;
      m.order = trial % 4 < 2 ? LoopOrder::n_outer : LoopOrder::m_outer;
      const bool os = m.dataflow == Dataflow::output_stationary, is = m.dataflow == Dataflow::input_stationary;
      // Pixels on rows (OS), columns (IS) or streamed (WS); channels on columns or streamed (IS).
      const int64_t tm_hi = os ? std::min<int64_t>(a.rows, M) : (is ? std::min<int64_t>(a.cols, M) : 9);
      const int64_t tn_hi = is ? std::min<int64_t>(Kg, 9) : std::min<int64_t>(a.cols, Kg);
      m.tm = 1 + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(tm_hi));
      m.tn = 1 + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(tn_hi));
      m.tl = 1 + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(os ? T : std::min<int64_t>(a.rows, T)));
      if (mapping_error(a, l, m) != "") continue;
      const LayerPlan p = build_plan(a, l, 0, m);
      uint64_t pe_ops = 0, psum_reads = 0, w_loads = 0;
      for (const Step& s : p.steps) {
        pe_ops += s.pe_ops;
        psum_reads += s.obuf_read_words;
        w_loads += s.weight_load_words;
      }
      BOOST_TEST_CONTEXT(l.name << " " << to_string(m.dataflow) << " tm " << m.tm << " tn " << m.tn << " tl " << m.tl) {
        BOOST_TEST(pe_ops == static_cast<uint64_t>(l.macs()));
        BOOST_TEST(sum_compute(p) == closed_form_ideal_cycles(a, p));
        BOOST_TEST((psum_reads > 0) == p.split_reduction);
        BOOST_TEST(p.split_reduction == (m.tl < T));
        BOOST_TEST(w_loads * static_cast<uint64_t>(a.buffer(BufferRole::weights).word_bits) >=
                   static_cast<uint64_t>(l.weight_bits_total()));
      }
      ++checked;
    }
  }
  BOOST_TEST(checked > 20);
}

BOOST_AUTO_TEST_CASE(illegal_tiles_are_named) {
  const ArchConfig a = ArchConfig::builtin_default(4, 4);
  const Network net = quantized("alexnet", 1.0, 4);
  Layer fc6;
  for (const Layer& l : net.layers)
    if (l.name == "fc6") fc6 = l;
  BOOST_TEST_REQUIRE(fc6.name == "fc6");
  LayerMapping m = default_mapping(a, fc6);
  BOOST_TEST(mapping_error(a, fc6, m) == "");
  LayerMapping big = m;
  big.tn = a.cols + 1;
  BOOST_TEST(mapping_error(a, fc6, big).rfind("tn = 17 is outside [1, 16]", 0) == 0u, mapping_error(a, fc6, big));
  LayerMapping resident = m;
  resident.weights_resident = true;  // 37.7 M 4-bit weights do not fit a 32 KiB slot
  BOOST_TEST(mapping_error(a, fc6, resident).find("the layer's weights need") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
