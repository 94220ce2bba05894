// One tiler, two evaluators that agree: a network on an arch runs through the analytic evaluator
// (mapping/evaluate.h) and the SystemC model (timing only, ideal memory) with the same mappings, and
// every layer must show equal cycles, buffer words and DRAM bytes. SystemC cannot restart in one
// process, so CTest runs this executable once per combination, named by the arguments after `--`:
//   test_sim_agreement --run_test=agreement/one_combination -- NETWORK os|ws|is ROWSxCOLS fp32|w4a4
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "common/arch_config.h"
#include "mapping/evaluate.h"
#include "mapping/plan.h"
#include "sim/simulator.h"
#include "workloads/network.h"

using namespace wrpn;

namespace {

std::string arg(int i) {
  const auto& s = boost::unit_test::framework::master_test_suite();
  return i < s.argc ? std::string(s.argv[i]) : std::string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(agreement)

BOOST_AUTO_TEST_CASE(one_combination) {
  const std::string net_name = arg(1), df = arg(2), size = arg(3), prec = arg(4);
  BOOST_TEST_REQUIRE(!prec.empty(), "usage: -- NETWORK os|ws|is ROWSxCOLS fp32|w4a4");
  BOOST_TEST_MESSAGE(net_name << " " << df << " " << size << " " << prec);
  const bool fp32 = prec == "fp32";
  ArchConfig arch = fp32 ? ArchConfig::builtin_default(32, 32) : ArchConfig::builtin_default(4, 4);
  arch.rows = std::stoi(size.substr(0, size.find('x')));
  arch.cols = std::stoi(size.substr(size.find('x') + 1));
  arch.dataflow = df == "ws"   ? Dataflow::weight_stationary
                  : df == "is" ? Dataflow::input_stationary
                               : Dataflow::output_stationary;
  arch.dram.ideal = true;
  // Energy-only settings the counts carry to pricing: both evaluators must pass them on.
  arch.clock_gating = false;
  arch.dram.type = DramType::hbm2;
  const Network net =
      fp32 ? apply_precision(builtin_network(net_name), PrecisionPolicy::uniform(32, 32))
           : apply_precision(apply_width(builtin_network(net_name), 2.0), PrecisionPolicy::uniform(4, 4));
  std::vector<mapping::LayerMapping> ms;
  for (const Layer& l : net.layers) ms.push_back(mapping::default_mapping(arch, l));
  const std::vector<mapping::LayerEvaluation> ev = mapping::evaluate_layers(arch, net.layers, &ms, net_name);
  sim::SimOptions opt;
  opt.mappings = ms;
  const sim::SimResult r = sim::simulate(arch, sim::workload_from_network(net, net_name), opt);
  BOOST_TEST_REQUIRE(r.layers.size() == ev.size());
  for (size_t i = 0; i < ev.size(); ++i) {
    const ActionCounts &a = ev[i].counts, &s = r.layers[i].counts;
    BOOST_TEST_CONTEXT("layer " << a.layer) {
      BOOST_TEST(a.cycles == s.cycles);
      BOOST_TEST(a.dram_read_bytes == s.dram_read_bytes);
      BOOST_TEST(a.dram_write_bytes == s.dram_write_bytes);
      BOOST_TEST(a.pe_active_cycles == s.pe_active_cycles);
      BOOST_TEST(a.pe_idle_cycles == s.pe_idle_cycles);  // what an ungated clock is priced on
      BOOST_TEST(!a.clock_gating);
      BOOST_TEST(!s.clock_gating);
      BOOST_TEST((a.dram_type == DramType::hbm2));
      BOOST_TEST((s.dram_type == DramType::hbm2));
      BOOST_TEST(a.operand_register_writes == s.operand_register_writes);
      BOOST_TEST_REQUIRE(a.buffers.size() == s.buffers.size());
      for (size_t b = 0; b < a.buffers.size(); ++b) {
        BOOST_TEST(a.buffers[b].read_words == s.buffers[b].read_words);
        BOOST_TEST(a.buffers[b].write_words == s.buffers[b].write_words);
        BOOST_TEST(a.buffers[b].banks == s.buffers[b].banks);
        BOOST_TEST(a.buffers[b].ports == s.buffers[b].ports);
      }
    }
  }
}

// The CTest list of combinations (tests/sim/CMakeLists.txt) names every built-in network.
BOOST_AUTO_TEST_CASE(every_builtin_network_is_listed) {
  BOOST_TEST(builtin_network_names() ==
                 (std::vector<std::string>{"alexnet", "inception_bn", "lenet", "mlp", "resnet34", "resnet_mini"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
