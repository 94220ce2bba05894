// Topology CSV import: our dialect and SCALE-Sim's (docs/workloads.md), and every NET diagnostic of
// the importer with a fixture in tests/fixtures/network/ whose first diagnostic line is checked.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <set>

#include "tests/support/diagnostics.h"
#include "workloads/network.h"

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
using wrpn::test::kRoot;
namespace fs = std::filesystem;

namespace {
const std::string kTopo = kRoot + "/tests/fixtures/topology/";
const std::string kBad = kRoot + "/tests/fixtures/network/";
}  // namespace

BOOST_AUTO_TEST_SUITE(topology_csv)

BOOST_AUTO_TEST_CASE(our_dialect_residual_and_depthwise) {
  const Network net = load_network(kTopo + "ours_small.csv");  // ".csv" selects the importer
  BOOST_TEST(net.name == "ours_small");
  BOOST_TEST(net.chained);
  BOOST_TEST_REQUIRE(net.layers.size() == 7u);
  BOOST_TEST(net.input_c == 3);
  BOOST_TEST(net.input_h == 32);
  BOOST_TEST(net.num_classes == 10);
  const Layer& add = net.layers[4];
  BOOST_TEST((add.op == LayerOp::add));
  BOOST_TEST((add.inputs == std::vector<std::string>{"conv3", "pool1"}));
  BOOST_TEST(net.layers[5].groups == 16);
  const Layer& fc = net.layers[6];  // empty optional cells take their defaults
  BOOST_TEST((fc.op == LayerOp::fc));
  BOOST_TEST(fc.r == 1);
  BOOST_TEST(fc.groups == 1);
  // conv1 16*32*32*3*9 = 442,368; conv2 = conv3 = 16*16*16*16*9 = 589,824; depthwise 16*256*1*9 =
  // 36,864; fc 4096*10 = 40,960. Total 442,368 + 2*589,824 + 36,864 + 40,960 = 1,699,840.
  BOOST_TEST(net.layers[0].macs() == 442368);
  BOOST_TEST(net.layers[5].macs() == 36864);
  BOOST_TEST(net.total_macs() == 1699840);
  // The policies work on imported networks too.
  const Network w2 = apply_precision(apply_width(net, 2.0), PrecisionPolicy::uniform(4, 4));
  BOOST_TEST(w2.layers[0].c == 3);
  BOOST_TEST(w2.layers[0].k == 32);
  BOOST_TEST(w2.layers[5].groups == 32);
  BOOST_TEST(w2.layers[6].c == 8192);
  BOOST_TEST(w2.layers[6].k == 10);
}

BOOST_AUTO_TEST_CASE(scalesim_alexnet) {
  const Network net = import_topology_csv(kTopo + "scalesim_alexnet.csv");
  BOOST_TEST(!net.chained);  // SCALE-Sim layers are independent (no pooling rows)
  BOOST_TEST_REQUIRE(net.layers.size() == 8u);
  BOOST_TEST(net.layers[0].name == "Conv1");
  BOOST_TEST(net.layers[0].pad == 0);
  // SCALE-Sim's AlexNet (96-256-384-384-256, IFMAP sizes include padding):
  // Conv1 227-11 /4 +1 = 55: 96*55*55*3*121 = 105,415,200; Conv2 31-5+1 = 27: 256*729*96*25 =
  // 447,897,600; Conv3 13x13: 384*169*256*9 = 149,520,384; Conv4 384*169*384*9 = 224,280,576;
  // Conv5 256*169*384*9 = 149,520,384; FC6 (6x6 filter on 6x6) 4096*256*36 = 37,748,736;
  // FC7 4096*4096 = 16,777,216; FC8 4096*1000 = 4,096,000. Total 1,135,256,096.
  BOOST_TEST(net.layers[0].macs() == 105415200);
  BOOST_TEST(net.layers[1].macs() == 447897600);
  BOOST_TEST(net.layers[5].macs() == 37748736);
  BOOST_TEST(net.total_macs() == 1135256096LL);
  BOOST_TEST(net.num_classes == 1000);
  // Width on independent layers: every input but the first widens, every output but the last.
  const Network w2 = apply_width(net, 2.0);
  BOOST_TEST(w2.layers[0].c == 3);
  BOOST_TEST(w2.layers[1].c == 192);
  BOOST_TEST(w2.layers[7].k == 1000);
}

BOOST_AUTO_TEST_CASE(scalesim_v2_split_stride_ceil_rounding_and_depthwise) {
  const Network net = import_topology_csv(kTopo + "scalesim_v2_split_stride.csv");
  BOOST_TEST_REQUIRE(net.layers.size() == 2u);
  // "Odd": 8x8 IFMAP, 3x3 filter, stride 2. SCALE-Sim's ofmap = ceil((8 - 3 + 2) / 2) = 4, which
  // needs pad 1 here: (8 + 2 - 3) / 2 + 1 = 4. MACs 4 * 16 * 4 * 9 = 2,304.
  BOOST_TEST(net.layers[0].pad == 1);
  BOOST_TEST(net.layers[0].out_h() == 4);
  BOOST_TEST(net.layers[0].macs() == 2304);
  // "Conv_DP": a name containing DP is depthwise: groups = channels = 8, one filter each,
  // 8 * 8 * 8 * 9 = 4,608 MACs.
  BOOST_TEST(net.layers[1].groups == 8);
  BOOST_TEST(net.layers[1].k == 8);
  BOOST_TEST(net.layers[1].macs() == 4608);
}

BOOST_AUTO_TEST_CASE(every_net_fixture_gives_its_diagnostic) {
  // file -> exact first line of the diagnostic (the file path is the fixture's own path)
  const std::vector<std::pair<std::string, std::string>> expected{
      {"NET002_bad.csv", ":3: input shape 8x32x32 differs from \"conv1\" output 16x32x32"},
      {"NET004_bad.csv", ":1: header matches neither topology dialect (got \"layer, ...\")"},
      {"NET004_scalesim_bad.csv", ":1: SCALE-Sim column 7 must be \"num filter\", got \"Num Filters\""},
      {"NET004_empty_bad.csv", ": the topology CSV has no header line"},
      {"NET005_bad.csv", ":2: column \"c\": expected an integer in [1, 16777216], got \"3x\""},
      {"NET005_op_bad.csv", ":2: column \"op\": expected conv, fc, maxpool, avgpool, add or concat, got \"dense\""},
      {"NET006_bad.csv", ":3: row has 9 cells, the SCALE-Sim header has 8"},
      {"NET006_quote_bad.csv", ":2: unterminated quote"},
  };
  std::set<std::string> covered;
  for (const auto& [file, rest] : expected) {
    BOOST_TEST_CONTEXT(file) {
      const std::string code = file.substr(0, 6);
      const std::string want = "error[" + code + "] " + kBad + file + rest;
      BOOST_TEST(first_diagnostic_line([&] { load_network(kBad + file); }) == want);
      covered.insert(file);
    }
  }
  // Every fixture in the folder is checked above, and every importer code has one.
  for (const auto& e : fs::directory_iterator(kBad))
    BOOST_TEST(covered.count(e.path().filename().string()) == 1u, e.path());
  for (const char* code : {"NET002", "NET004", "NET005", "NET006"})
    BOOST_TEST(fs::exists(kBad + code + "_bad.csv"), code);
}

BOOST_AUTO_TEST_CASE(missing_file_is_net004) {
  BOOST_TEST(first_diagnostic_line([] { load_network("/nonexistent/topo.csv"); }) ==
             "error[NET004] /nonexistent/topo.csv: cannot open the topology CSV");
  // Only regular files are read: a FIFO or device would block or never end.
  BOOST_TEST(first_diagnostic_line([] { load_network("/dev/zero"); }) ==
             "error[NET004] /dev/zero: the topology CSV is a character device, not a regular file");
}

BOOST_AUTO_TEST_SUITE_END()
