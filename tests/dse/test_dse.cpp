// Sweep configs, point enumeration, ids, Pareto fronts and sweep-directory safety.
#define BOOST_TEST_MODULE dse
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <set>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "dse/child_steps.h"
#include "dse/pareto.h"
#include "dse/sweep_config.h"
#include "dse/sweep_runner.h"
#include "sim/simulator.h"
#include "tests/support/diagnostics.h"

// libsystemc.so refers to sc_main. These tests never run a simulation, so wrpn::sim's weak
// definition (in simulator.o, linked only with simulate()) may be left out of the link: provide one.
extern "C" int sc_main(int, char**) { return 0; }

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
namespace fs = std::filesystem;

namespace {
const std::string kRoot = WRPN_SOURCE_DIR;

SweepConfig parse(const std::string& text) {
  const ConfigDocument doc = ConfigDocument::parse(text, "inline.json", "sweep");
  return SweepConfig::from_json(doc.root());
}
}  // namespace

BOOST_AUTO_TEST_CASE(points_are_the_cross_product_plus_baselines) {
  const SweepConfig c = SweepConfig::load(kRoot + "/configs/sweep/alexnet-timing.json");
  const auto pts = c.points();
  // 3 wbits x 3 abits x 2 widths x 2 arrays = 36, plus one FP32 baseline per array = 38.
  BOOST_TEST(pts.size() == 38u);
  std::set<std::string> ids;
  size_t baselines = 0;
  for (const auto& p : pts) {
    ids.insert(p.id());
    baselines += p.baseline;
    BOOST_TEST(fs::path(p.id()).filename().string() == p.id());  // safe as a file name
  }
  BOOST_TEST(ids.size() == pts.size());  // ids are unique
  BOOST_TEST(baselines == 2u);
  for (const auto& p : pts) BOOST_TEST(ids.count(p.baseline_id()) == 1u);  // every point has its reference
  BOOST_TEST(pts.front().id() == "w2a2-x1-16x16-os-b1-default");
}

BOOST_AUTO_TEST_CASE(arch_for_applies_the_point) {
  const SweepConfig c = SweepConfig::load(kRoot + "/configs/sweep/alexnet-timing.json");
  DesignPoint p;
  p.wbits = 2;
  p.abits = 4;
  p.rows = 32;
  p.cols = 8;
  p.buffer_scale = 2.0;
  const ArchConfig a = c.arch_for(p);
  BOOST_TEST(a.rows == 32);
  BOOST_TEST(a.cols == 8);
  BOOST_TEST(a.pe_wbits == 2);
  // Sub-8-bit points run on the integer PE (the 8-bit first/last layers cannot run on a ternary or binary PE).
  BOOST_TEST((a.pe_type == PeType::int_k));
  BOOST_TEST(a.buffers.at(0).capacity_kib == 2 * ArchConfig::builtin_default().buffers.at(0).capacity_kib);
  BOOST_TEST(a.acc_bits >= min_acc_bits_for_product(4, 2));
}

BOOST_AUTO_TEST_CASE(first_last_precision_fields_reach_the_network_and_the_design_point) {
  const SweepConfig c = parse(R"({"kind": "sweep", "version": 1, "network": "alexnet",
      "precision": {"first_wbits": 4, "first_abits": 4, "last_wbits": 4},
      "axes": {"wbits": [4], "abits": [4]}})");
  DesignPoint p;
  p.wbits = p.abits = 4;
  const PrecisionPolicy q = c.precision_for(p);
  BOOST_TEST(q.first_wbits == 4);
  BOOST_TEST(q.first_abits == 4);
  BOOST_TEST(q.last_wbits == 4);
  BOOST_TEST(q.last_abits == 4);  // not given: the policy default (the body's activations)
  // Every layer fits the W4A4 PE: one pass, and the accumulator is the body's worst case.
  const mapping::ResolvedArch d = c.design_for(p, c.network_for(p).layers);
  BOOST_TEST(d.max_passes == 1);
  BOOST_TEST(d.arch.acc_bits < 26);
  BOOST_TEST(c.to_json().at("precision").at("first_wbits").get<int>() == 4);
  BOOST_TEST(first_diagnostic_line([] {
               parse(R"({"kind": "sweep", "version": 1, "network": "alexnet", "precision": {"last_wbits": 17},
                         "axes": {"wbits": [4], "abits": [4]}})");
             }) ==
             "error[CFG002] inline.json:/precision/last_wbits: expected bits in [1, 16] or 32 (0 = the policy "
             "default), got 17");
}

BOOST_AUTO_TEST_CASE(bad_sweep_configs_are_rejected_with_a_pointer) {
  BOOST_TEST(first_diagnostic_line([] { SweepConfig::load(kRoot + "/tests/fixtures/sweep/CFG002_bad.json"); }) ==
             "error[CFG002] " + kRoot +
                 "/tests/fixtures/sweep/CFG002_bad.json:/axes/wbits/1: expected bits in [1, 16] or 32, got 17");
  BOOST_TEST(first_diagnostic_line([] {
               SweepConfig::load(kRoot + "/tests/fixtures/sweep/CFG002_functional_bad.json");
             }) == "error[CFG002] " + kRoot +
                       "/tests/fixtures/sweep/CFG002_functional_bad.json:/run/sim: functional simulation needs "
                       "\"accuracy\": \"train\"");
  BOOST_TEST(first_diagnostic_line([] { SweepConfig::load(kRoot + "/tests/fixtures/sweep/CFG002_name_bad.json"); }) ==
             "error[CFG002] " + kRoot +
                 "/tests/fixtures/sweep/CFG002_name_bad.json:/name: expected a name of letters, digits, '.', '_' and "
                 "'-', got \"../../escaped\"");
  BOOST_CHECK_THROW(
      parse(R"({"kind":"sweep","version":1,"network":"lenet","axes":{"wbits":[4],"abits":[4],"array":[[0,4]]}})"),
      DiagnosticError);
  BOOST_CHECK_THROW(
      parse(R"({"kind":"sweep","version":1,"network":"lenet","axes":{"wbits":[4],"abits":[4]},"extra":1})"),
      DiagnosticError);
}

BOOST_AUTO_TEST_CASE(pareto_front_two_and_three_objectives) {
  // minimize both: (1,5) (2,2) (5,1) are the front; (3,3) is dominated by (2,2); duplicates kept.
  const std::vector<ParetoCandidate> c{{{1, 5}}, {{2, 2}}, {{3, 3}}, {{5, 1}}, {{2, 2}}};
  BOOST_TEST(pareto_front(c, {false, false}) == (std::vector<size_t>{0, 1, 3, 4}), boost::test_tools::per_element());
  // maximize accuracy, minimize energy and latency
  const std::vector<ParetoCandidate> d{{{90, 10, 1}}, {{91, 20, 1}}, {{89, 20, 2}}, {{90, 10, 1}}};
  BOOST_TEST(pareto_front(d, {true, false, false}) == (std::vector<size_t>{0, 1, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sweep_directory_is_resumable_and_refuses_other_configs) {
  const fs::path dir = fs::temp_directory_path() / ("wrpn-test-dse-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const SweepConfig c = SweepConfig::load(kRoot + "/configs/sweep/alexnet-timing.json");
  const SweepPaths paths{dir.string()};
  prepare_sweep_directory(c, paths);
  BOOST_TEST(pending_points(c, paths).size() == c.points().size());
  const std::string first = c.points().front().id();
  write_point_result(paths, first, {{"id", first}, {"status", "ok"}});
  prepare_sweep_directory(c, paths);  // reopening the same sweep keeps finished work
  BOOST_TEST(pending_points(c, paths).size() == c.points().size() - 1);
  BOOST_TEST(load_point_results(c, paths).size() == 1u);
  SweepConfig other = c;
  other.wbits = {8};
  try {
    prepare_sweep_directory(other, paths);
    BOOST_FAIL("expected DSE002");
  } catch (const DiagnosticError& e) {
    BOOST_TEST(e.diagnostic().code == "DSE002");
  }
  BOOST_TEST(fs::exists(paths.point_json(first)));  // nothing was overwritten
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(child_steps_share_one_resume_rule) {
  const fs::path dir = fs::temp_directory_path() / ("wrpn-test-steps-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  steps::Train t;
  t.model = "lenet";
  t.width = 2;
  t.wbits = t.abits = 4;
  t.train_images = 512;
  t.out_dir = (dir / "train").string();
  steps::Step s = steps::step(t);
  BOOST_TEST(s.args.at(0) == "train");
  BOOST_TEST(s.args.at(4) == "2");  // --width, shortest form
  BOOST_TEST(s.args.back() == "512");
  BOOST_TEST(!steps::prepare_step(s));  // nothing there yet: runs from the start
  BOOST_TEST(s.args.back() == "512");
  // A training run killed part-way continues with --resume.
  write_file_atomic(fs::path(t.out_dir) / "config.json", "{}");
  BOOST_TEST(!steps::prepare_step(s));
  BOOST_TEST(s.args.back() == "--resume");
  // A finished one is reused as it is.
  write_file_atomic(s.done, "");
  steps::Step again = steps::step(t);
  BOOST_TEST(steps::prepare_step(again));
  BOOST_TEST(fs::exists(fs::path(t.out_dir) / "config.json"));
  // An unfinished trace export leaves nothing behind for the next attempt.
  steps::Trace tr;
  tr.checkpoint = "c.bin";
  tr.out_dir = (dir / "trace").string();
  write_file_atomic(fs::path(tr.out_dir) / "w.npy", "partial");
  steps::Step ts = steps::step(tr);
  BOOST_TEST(!steps::prepare_step(ts));
  BOOST_TEST(!fs::exists(tr.out_dir));
  BOOST_TEST(ts.done == fs::path(tr.out_dir) / "trace.json");
  // A timing-only simulation names the network and its precision; a functional one only the trace.
  steps::Sim m;
  m.arch_path = "a.json";
  m.out_dir = "o";
  m.network = "alexnet";
  m.wbits = m.abits = 4;
  m.batch = 2;
  BOOST_TEST(steps::step(m).args ==
             (std::vector<std::string>{"sim", "--arch", "a.json", "--out", "o", "--network", "alexnet", "--width", "1",
                                       "--wbits", "4", "--abits", "4", "--batch", "2"}));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_sim_run_is_read_back_strictly) {
  const fs::path dir = fs::temp_directory_path() / ("wrpn-test-read-run-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ActionCounts c;
  c.layer = "conv1";
  c.macs = 7;
  c.cycles = 3;
  nlohmann::json counts;
  to_json(counts, c);
  nlohmann::json summary;
  summary["layers"] = nlohmann::json::array({nlohmann::json{{"action_counts", counts}}});
  write_file_atomic(dir / "summary.json", summary.dump());
  const std::vector<ActionCounts> read = sim::read_run(dir.string());
  BOOST_TEST(read.size() == 1u);
  BOOST_TEST(read.at(0).layer == "conv1");
  BOOST_TEST(read.at(0).macs == 7u);
  write_file_atomic(dir / "summary.json", R"({"layers": [{"cycles": 3}]})");
  const std::string missing = first_diagnostic_line([&] { sim::read_run(dir.string()); });
  BOOST_TEST(missing.find("error[CFG004]") == 0u);
  BOOST_TEST(missing.find("/layers/0/action_counts") != std::string::npos);
  write_file_atomic(dir / "summary.json", R"({"layers": []})");
  BOOST_TEST(first_diagnostic_line([&] { sim::read_run(dir.string()); }).find("error[CFG003]") == 0u);
  write_file_atomic(dir / "summary.json", "{");
  BOOST_TEST(first_diagnostic_line([&] { sim::read_run(dir.string()); }).find("error[CFG001]") == 0u);
  fs::remove_all(dir);
}
