// Mapping files: the shipped fixture replays on LeNet, every *_bad.json fixture fails with its code.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "common/arch_config.h"
#include "mapping/mapping_file.h"
#include "mapping/plan.h"
#include "tests/support/diagnostics.h"
#include "workloads/network.h"

using namespace wrpn;
using namespace wrpn::mapping;
using wrpn::test::first_diagnostic_line;

namespace {
const std::string kDir = std::string(WRPN_SOURCE_DIR) + "/tests/fixtures/mapping/";

Network lenet4() { return apply_precision(builtin_network("lenet"), PrecisionPolicy::uniform(4, 4)); }
}  // namespace

BOOST_AUTO_TEST_SUITE(mapping_file)

BOOST_AUTO_TEST_CASE(fixture_replays_and_round_trips) {
  const Network net = lenet4();
  const MappingFile f = load_mapping_file(kDir + "lenet_ok.json");
  const std::vector<LayerMapping> ms = mappings_for(f, net.layers);
  const ArchConfig a = ArchConfig::builtin_default(8, 8);
  const std::vector<LayerPlan> plans = plan_layers(a, net.layers, false, "lenet", &ms);
  BOOST_TEST(plans.size() == net.layers.size());
  for (const LayerPlan& p : plans)
    if (p.on_array) BOOST_TEST(p.mapping == ms[static_cast<size_t>(p.index)]);
  // What `wrpn map` writes reads back to the same mappings.
  const nlohmann::json j = mapping_file_json("lenet", a.name, "cycles", net.layers, ms);
  const ConfigDocument doc = ConfigDocument::parse(j.dump(), "roundtrip.json", "mapping");
  const std::vector<LayerMapping> again = mappings_for(mapping_file_from_json(doc.root()), net.layers);
  for (size_t i = 0; i < ms.size(); ++i) BOOST_TEST(again[i] == ms[i]);
}

BOOST_AUTO_TEST_CASE(input_stationary_in_arch_and_mapping_files) {
  // An arch listing input_stationary (first: the default rule's) reads back from its JSON.
  ArchConfig a = ArchConfig::builtin_default(8, 8);
  a.dataflows = {Dataflow::input_stationary, Dataflow::output_stationary};
  a.dataflow = a.dataflows.front();
  const ConfigDocument arch_doc = ConfigDocument::parse(a.to_json().dump(), "arch.json", "arch");
  const ArchConfig b = ArchConfig::from_json(arch_doc.root());
  BOOST_TEST((b.dataflow == Dataflow::input_stationary));
  BOOST_TEST(b.dataflows.size() == 2u);
  // IS mappings are written as "input_stationary" and replay as the same mappings.
  const Network net = lenet4();
  std::vector<LayerMapping> ms;
  for (const Layer& l : net.layers) ms.push_back(l.has_weights() ? default_mapping(b, l) : LayerMapping{});
  const nlohmann::json j = mapping_file_json("lenet", b.name, "rule", net.layers, ms);
  BOOST_TEST(j.dump().find("\"input_stationary\"") != std::string::npos);
  const ConfigDocument doc = ConfigDocument::parse(j.dump(), "is.json", "mapping");
  const std::vector<LayerMapping> again = mappings_for(mapping_file_from_json(doc.root()), net.layers);
  for (size_t i = 0; i < ms.size(); ++i) {
    BOOST_TEST(again[i] == ms[i]);
    if (net.layers[i].has_weights()) BOOST_TEST(describe(again[i]).rfind("IS ", 0) == 0u, describe(again[i]));
  }
  const std::vector<LayerPlan> plans = plan_layers(b, net.layers, false, "lenet", &again);
  BOOST_TEST(plans.size() == net.layers.size());
}

BOOST_AUTO_TEST_CASE(bad_fixtures_fail_with_their_code) {
  const Network net = lenet4();
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    const std::string name = e.path().filename().string();
    if (name.find("_bad") == std::string::npos) continue;
    ++n;
    const std::string code = name.substr(0, name.find('_'));
    BOOST_TEST_CONTEXT(name) {
      const std::string got =
          first_diagnostic_line([&] { mappings_for(load_mapping_file(e.path().string()), net.layers); });
      BOOST_TEST(got.rfind("error[" + code + "] " + e.path().string(), 0) == 0u, got);
    }
  }
  BOOST_TEST(n == 4u);
  // A legal file for the workload that does not fit the arch is SIM002 naming the layer.
  const MappingFile f = load_mapping_file(kDir + "lenet_ok.json");
  const std::vector<LayerMapping> ms = mappings_for(f, net.layers);
  ArchConfig small = ArchConfig::builtin_default(8, 8);
  small.rows = 8;
  const std::string got = first_diagnostic_line([&] { plan_layers(small, net.layers, false, "lenet", &ms); });
  BOOST_TEST(got.find("error[SIM002]") == 0u, got);
  BOOST_TEST(got.find("layer \"conv1\"") != std::string::npos, got);
}

BOOST_AUTO_TEST_SUITE_END()
