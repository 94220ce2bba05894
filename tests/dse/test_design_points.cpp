// One design point, every command: `wrpn demo`, `energy`, `sim` and `sweep` (the real binary) and
// the paper tables' design point (paper_design_point) report the same PE array and accumulator for
// lenet W4A4 at width 2 on the built-in template, and the accumulator is the workload's
// (docs/design-points.md); the real `wrpn paper` run names the PE and accumulator `wrpn energy` and
// `wrpn sim` report for AlexNet 2x W4A4 (the paper runs only its own networks).
#define BOOST_TEST_MODULE design_points
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "mapping/design_point.h"
#include "studies/paper.h"
#include "tests/cli/runs/cli_process.h"
#include "workloads/network.h"

// libsystemc.so refers to sc_main; this process never simulates (the binary does).
extern "C" int sc_main(int, char**) { return 0; }

using namespace wrpn;
using wrpn::cli::fresh_dir;
using wrpn::cli::run;
using wrpn::cli::slurp;
namespace fs = std::filesystem;

namespace {

/// The fields every report states about its design point.
struct Seen {
  std::string who, pe_type, acc_source;
  int pe_wbits = 0, pe_abits = 0, rows = 0, cols = 0, acc_bits = 0;
};

Seen from_json(const std::string& who, const nlohmann::json& d) {
  Seen s;
  s.who = who;
  s.pe_type = d.at("pe_type").get<std::string>();
  s.pe_wbits = d.at("pe_wbits").get<int>();
  s.pe_abits = d.at("pe_abits").get<int>();
  s.rows = d.at("rows").get<int>();
  s.cols = d.at("cols").get<int>();
  s.acc_bits = d.at("acc_bits").get<int>();
  s.acc_source = d.at("acc_source").get<std::string>();
  return s;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  return out;
}

/// The sweep's results.csv row of the point whose id starts with `prefix`.
Seen from_sweep_csv(const fs::path& csv, const std::string& prefix) {
  std::istringstream in(slurp(csv));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> head = split(line);
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < head.size(); ++i)
      if (head[i] == name) return i;
    BOOST_FAIL("results.csv has no column " + name);
    return size_t{0};
  };
  while (std::getline(in, line)) {
    const std::vector<std::string> c = split(line);
    if (c.empty() || c[0].rfind(prefix, 0) != 0) continue;
    Seen s;
    s.who = "sweep";
    s.pe_type = c.at(col("pe_type"));
    s.pe_wbits = std::stoi(c.at(col("pe_wbits")));
    s.pe_abits = std::stoi(c.at(col("pe_abits")));
    s.rows = std::stoi(c.at(col("rows")));
    s.cols = std::stoi(c.at(col("cols")));
    s.acc_bits = std::stoi(c.at(col("acc_bits")));
    s.acc_source = c.at(col("acc_source"));
    return s;
  }
  BOOST_FAIL("results.csv has no point " + prefix);
  return {};
}

void expect_ok(const cli::Result& r, const std::string& what) {
  BOOST_TEST_INFO(what << " stderr: " << r.err);
  BOOST_REQUIRE_EQUAL(r.code, 0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_command_reports_the_same_design_point_for_lenet_w2_w4a4) {
  const fs::path d = fresh_dir("design-points");
  const std::vector<std::string> prec{"--network", "lenet", "--width", "2", "--wbits", "4", "--abits", "4"};
  std::vector<Seen> seen;

  std::vector<std::string> a{"energy"};
  a.insert(a.end(), prec.begin(), prec.end());
  a.insert(a.end(), {"--out", (d / "energy").string()});
  expect_ok(run(a, d / "energy-log"), "wrpn energy");
  seen.push_back(from_json("energy", nlohmann::json::parse(slurp(d / "energy" / "energy.json")).at("design_point")));

  a = {"sim"};
  a.insert(a.end(), prec.begin(), prec.end());
  a.insert(a.end(), {"--out", (d / "sim").string()});
  expect_ok(run(a, d / "sim-log"), "wrpn sim");
  seen.push_back(from_json("sim", nlohmann::json::parse(slurp(d / "sim" / "summary.json")).at("design_point")));

  const fs::path cfg = d / "sweep.json";
  std::ofstream(cfg) << R"({"kind": "sweep", "version": 1, "name": "design-point", "network": "lenet", "batch": 1,
    "axes": {"wbits": [4], "abits": [4], "width": [2], "array": [[16, 16]]},
    "run": {"accuracy": "none", "sim": "timing", "area": true}})";
  expect_ok(run({"sweep", cfg.string(), "--out", (d / "sweep").string(), "--workers", "1"}, d / "sweep-log"),
            "wrpn sweep");
  seen.push_back(from_sweep_csv(d / "sweep" / "results.csv", "w4a4-x2-16x16"));

  expect_ok(run({"demo", "--out", (d / "demo").string(), "--restart", "--epochs", "1", "--train-images", "512",
                 "--test-images", "256", "--trace-images", "2", "--threads", "2", "--skip-rtl"},
                d / "demo-log"),
            "wrpn demo");
  const nlohmann::json demo = nlohmann::json::parse(slurp(d / "demo" / "report" / "summary.json"));
  seen.push_back(from_json("demo", demo.at("wrpn").at("design_point")));
  // The demo's report says it in words too.
  BOOST_TEST(slurp(d / "demo" / "report" / "report.md").find(demo.at("wrpn").at("design").get<std::string>()) !=
             std::string::npos);

  seen.push_back(from_json("paper", paper_design_point("lenet", 2.0, 4, 4).to_json()));

  // The accumulator is the workload's worst case, not a default: recomputed here from the layers.
  const Network net = apply_precision(apply_width(builtin_network("lenet"), 2.0), PrecisionPolicy::uniform(4, 4));
  ArchConfig pe = ArchConfig::builtin_default(4, 4);
  int worst = 0;
  for (const Layer& l : net.layers) worst = std::max(worst, mapping::layer_acc_bits(pe, l));
  BOOST_TEST(worst < 32);
  for (const Seen& s : seen) {
    BOOST_TEST_CONTEXT(s.who) {
      BOOST_TEST(s.pe_type == "int");
      BOOST_TEST(s.pe_wbits == 4);
      BOOST_TEST(s.pe_abits == 4);
      BOOST_TEST(s.rows == 16);
      BOOST_TEST(s.cols == 16);
      BOOST_TEST(s.acc_bits == worst);
      BOOST_TEST(s.acc_source == "workload");
    }
  }
}

namespace {

/// The row of a `wrpn paper` CSV whose first four cells are (network, width, wbits, abits).
Seen from_paper_csv(const fs::path& csv, const std::string& key) {
  std::istringstream in(slurp(csv));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> head = split(line);
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < head.size(); ++i)
      if (head[i] == name) return i;
    BOOST_FAIL(csv.string() + " has no column " + name);
    return size_t{0};
  };
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const std::vector<std::string> c = split(line);
    Seen s;
    s.who = "paper " + csv.filename().string();
    s.pe_type = c.at(col("pe_type"));
    s.pe_wbits = std::stoi(c.at(col("pe_wbits")));
    s.pe_abits = std::stoi(c.at(col("pe_abits")));
    s.acc_bits = std::stoi(c.at(col("acc_bits")));
    return s;
  }
  BOOST_FAIL(csv.string() + " has no row " + key);
  return {};
}

}  // namespace

// The real `wrpn paper` run: its AlexNet 2x W4A4 rows name the PE and accumulator `wrpn energy` and
// `wrpn sim` report for the same network on the same built-in template.
BOOST_AUTO_TEST_CASE(wrpn_paper_energy_and_sim_agree_on_alexnet_w2_w4a4) {
  const fs::path d = fresh_dir("design-points-paper");
  const std::vector<std::string> prec{"--network", "alexnet", "--width", "2", "--wbits", "4", "--abits", "4"};
  std::vector<std::string> a{"energy"};
  a.insert(a.end(), prec.begin(), prec.end());
  a.insert(a.end(), {"--out", (d / "energy").string()});
  expect_ok(run(a, d / "energy-log"), "wrpn energy");
  const Seen energy =
      from_json("energy", nlohmann::json::parse(slurp(d / "energy" / "energy.json")).at("design_point"));
  a = {"sim"};
  a.insert(a.end(), prec.begin(), prec.end());
  a.insert(a.end(), {"--out", (d / "sim").string()});
  expect_ok(run(a, d / "sim-log"), "wrpn sim");
  const Seen sim = from_json("sim", nlohmann::json::parse(slurp(d / "sim" / "summary.json")).at("design_point"));
  expect_ok(run({"paper", "--out", (d / "paper").string(), "--synth", std::string(WRPN_SOURCE_DIR) + "/results/synth",
                 "--accuracy", (d / "no-accuracy.csv").string()},
                d / "paper-log"),
            "wrpn paper");
  const std::vector<Seen> paper{from_paper_csv(d / "paper" / "compute_cost.csv", "alexnet,2,4,4,"),
                                from_paper_csv(d / "paper" / "network_efficiency.csv", "alexnet,2,4,4,1,")};
  BOOST_TEST(energy.acc_source == "workload");
  BOOST_TEST(energy.acc_bits < 32);
  for (const Seen& s : std::vector<Seen>{sim, paper[0], paper[1]}) {
    BOOST_TEST_CONTEXT(s.who) {
      BOOST_TEST(s.pe_type == energy.pe_type);
      BOOST_TEST(s.pe_wbits == energy.pe_wbits);
      BOOST_TEST(s.pe_abits == energy.pe_abits);
      BOOST_TEST(s.acc_bits == energy.acc_bits);
    }
  }
  BOOST_TEST(sim.rows == energy.rows);
  BOOST_TEST(sim.cols == energy.cols);
}
