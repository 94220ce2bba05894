// The mapper: its exact per-class costing equals the step-walking evaluator on random mappings, and
// its (pruned) search returns the same mapping as a brute-force enumeration of the same space for
// every objective on every LeNet and AlexNet layer and a sample of ResNet-34 layers.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "common/arch_config.h"
#include "common/rng.h"
#include "mapping/evaluate.h"
#include "mapping/mapper.h"
#include "workloads/network.h"

using namespace wrpn;
using namespace wrpn::mapping;

namespace {

/// A linear price with distinct weights per action (pJ), standing in for energy::price.
double test_price(const ActionCounts& c) {
  double e = 1.5 * static_cast<double>(c.pe_active_cycles) + 0.25 * static_cast<double>(c.operand_register_writes) +
             0.5 * static_cast<double>(c.accumulator_updates) + 2.0 * static_cast<double>(c.requant_ops) +
             0.01 * static_cast<double>(c.pe_idle_cycles) + 3.0 * static_cast<double>(c.cycles) +
             40.0 * static_cast<double>(c.dram_read_bytes) + 45.0 * static_cast<double>(c.dram_write_bytes);
  for (size_t i = 0; i < c.buffers.size(); ++i)
    e += (5.0 + static_cast<double>(i)) * static_cast<double>(c.buffers[i].read_words) +
         (6.0 + static_cast<double>(i)) * static_cast<double>(c.buffers[i].write_words);
  return e;
}

/// A small arch with all three dataflows and tight buffers, so tiles, splits and residency all vary.
ArchConfig small_arch(bool ideal) {
  ArchConfig a = ArchConfig::builtin_default(4, 4);
  a.rows = 8;
  a.cols = 8;
  a.dataflows = {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary};
  a.buffers[0].capacity_kib = 8;
  a.buffers[1].capacity_kib = 32;
  a.buffers[2].capacity_kib = 4;
  a.dram.bandwidth_bytes_per_cycle = 8;
  a.dram.latency_cycles = 50;
  a.dram.ideal = ideal;
  return a;
}

Network quantized(const std::string& name, double width) {
  return apply_precision(apply_width(builtin_network(name), width), PrecisionPolicy::uniform(4, 4));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mapper)

BOOST_AUTO_TEST_CASE(class_costing_equals_the_step_walk) {
  Rng rng(11);
  int checked = 0;
  for (bool ideal : {true, false}) {
    const ArchConfig a = small_arch(ideal);
    const EnergyWeights w = probe_energy_weights(a, test_price);
    for (const Layer& l : with_batch(quantized("lenet", 2.0), 2).layers) {
      if (!l.has_weights()) continue;
      LayerCoster coster(a, l, &w);
      const std::vector<LayerMapping> space = candidate_space(a, l);
      for (int trial = 0; trial < 30; ++trial) {
        const LayerMapping& m = space[static_cast<size_t>(rng.next_u64() % space.size())];
        if (!coster.legal(m)) {
          BOOST_TEST(mapping_error(a, l, m) != "");
          continue;
        }
        BOOST_TEST(mapping_error(a, l, m) == "");
        const MappingCost c = coster.cost(m);
        const LayerEvaluation e = evaluate_plan(a, build_plan(a, l, 0, m));
        BOOST_TEST_CONTEXT(l.name << " " << to_string(m.dataflow) << " " << to_string(m.order) << " tm " << m.tm
                                  << " tn " << m.tn << " tl " << m.tl << (ideal ? " ideal" : " real")) {
          BOOST_TEST(c.cycles == e.counts.cycles);
          BOOST_TEST(c.compute_cycles == e.compute_cycles);
          BOOST_TEST(c.port_stall_cycles == e.port_stall_cycles);
          BOOST_TEST(c.dram_read_bytes == e.counts.dram_read_bytes);
          BOOST_TEST(c.dram_write_bytes == e.counts.dram_write_bytes);
          BOOST_TEST(c.pe_ops == e.counts.pe_active_cycles);
          BOOST_TEST(c.register_writes == e.counts.operand_register_writes);
          for (size_t b = 0; b < 3; ++b) {
            BOOST_TEST(c.buffer_read_words[b] == e.counts.buffers[b].read_words);
            BOOST_TEST(c.buffer_write_words[b] == e.counts.buffers[b].write_words);
          }
          BOOST_TEST(c.energy_pj == test_price(e.counts), boost::test_tools::tolerance(1e-9));
        }
        ++checked;
      }
    }
  }
  BOOST_TEST(checked > 100);
}

BOOST_AUTO_TEST_CASE(search_equals_brute_force_for_every_objective) {
  const ArchConfig a = small_arch(false);
  const EnergyWeights w = probe_energy_weights(a, test_price);
  std::vector<Layer> layers;
  for (const Layer& l : quantized("lenet", 2.0).layers)
    if (l.has_weights()) layers.push_back(l);
  for (const Layer& l : quantized("alexnet", 1.0).layers)
    if (l.has_weights()) layers.push_back(l);
  const Network resnet = quantized("resnet34", 1.0);
  int k = 0;
  for (const Layer& l : resnet.layers)
    if (l.has_weights() && (k++ % 6 == 0)) layers.push_back(l);  // conv1, and every 6th array layer
  for (Objective o : {Objective::energy, Objective::cycles, Objective::edp, Objective::dram}) {
    for (const Layer& l : layers) {
      BOOST_TEST_CONTEXT(to_string(o) << " " << l.name) {
        const MappedLayer got = map_layer(a, l, o, &w);
        LayerCoster coster(a, l, &w);
        bool have = false;
        LayerMapping best;
        MappingCost best_cost;
        double best_v = 0;
        for (const LayerMapping& m : candidate_space(a, l)) {
          if (!coster.legal(m)) continue;
          const MappingCost c = coster.cost(m);
          const double v = coster.objective_value(c, o);
          if (!have || v < best_v ||
              (v == best_v && (c.cycles < best_cost.cycles ||
                               (c.cycles == best_cost.cycles && c.dram_bytes() < best_cost.dram_bytes())))) {
            have = true;
            best = m;
            best_cost = c;
            best_v = v;
          }
        }
        BOOST_TEST_REQUIRE(have);
        BOOST_TEST(got.mapping == best);
        BOOST_TEST(coster.objective_value(got.cost, o) == best_v);
        BOOST_TEST(got.costed <= got.legal);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(no_layer_is_limited_by_a_resident_fan_in) {
  // AlexNet fc6 (fan-in 9216 at width 1) at batch 1: the default rule keeps the whole fan-in per
  // tile, so only the columns whose fan-in fits the weight slot work. The mapper splits the
  // reduction: FP32 on fp32_baseline.json comes within 1.2x of the DRAM-bandwidth bound of its
  // weights; W4A4 width 2 on paper.json, whose 4-bit weights arrive faster (64 per cycle) than one
  // array row of 32 columns consumes them at batch 1, within 1.2x of the larger of that bound and
  // the array's (MACs / columns).
  for (const bool fp32 : {true, false}) {
    BOOST_TEST_CONTEXT((fp32 ? "fp32" : "w4a4 w2")) {
      const ArchConfig a = ArchConfig::load(std::string(WRPN_SOURCE_DIR) + "/configs/arch/" +
                                            (fp32 ? "fp32_baseline.json" : "paper.json"));
      const EnergyWeights w = probe_energy_weights(a, test_price);
      const Network net = fp32 ? apply_precision(builtin_network("alexnet"), PrecisionPolicy::uniform(32, 32))
                               : quantized("alexnet", 2.0);
      Layer fc6;
      for (const Layer& l : net.layers)
        if (l.name == "fc6") fc6 = l;
      const MappedLayer m = map_layer(a, fc6, Objective::cycles, &w);
      const double dram_bound = static_cast<double>(fc6.weight_bits_total() / 8) / a.dram.bandwidth_bytes_per_cycle;
      const double array_bound = static_cast<double>(fc6.macs()) / a.cols;
      BOOST_TEST_MESSAGE("fc6 " << m.cost.cycles << " cycles, DRAM bound " << dram_bound << ", array bound "
                                << array_bound << ": " << describe(m.mapping));
      BOOST_TEST(static_cast<double>(m.cost.cycles) <= 1.2 * (fp32 ? dram_bound : std::max(dram_bound, array_bound)));
      LayerCoster coster(a, fc6, &w);
      BOOST_TEST(m.cost.cycles < coster.cost(default_mapping(a, fc6)).cycles);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
