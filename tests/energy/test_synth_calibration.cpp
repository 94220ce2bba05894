// Yosys calibration of the integer MAC (energy/synth_calibration.h) against the committed
// results/synth: the 8-bit MAC keeps the tech table's energy and area, the 4- and 2-bit MACs follow
// the Yosys logic-cell ratios, other accumulator widths are corrected by the adder rule, widths
// without a result keep the rule, the calibrated table survives its JSON round trip, the report says
// so, and bad directories give EN006.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/arch_config.h"
#include "common/config.h"
#include "common/diagnostics.h"
#include "energy/compare.h"
#include "energy/synth_calibration.h"
#include "energy/tech_table.h"
#include "tests/energy/mapped_counts.h"
#include "workloads/network.h"

using namespace wrpn;
using namespace wrpn::energy;
namespace fs = std::filesystem;
namespace tt = boost::test_tools;

namespace {

const std::string kRoot = WRPN_SOURCE_DIR;
const std::string kSynth = kRoot + "/results/synth";

/// Logic cells of one committed result, read straight from its JSON (not through the code under test).
double logic_cells(const std::string& variant) {
  std::ifstream in(kSynth + "/" + variant + ".json");
  BOOST_REQUIRE_MESSAGE(in.good(), "missing " << variant);
  const nlohmann::json j = nlohmann::json::parse(in);
  return j.at("cells").at("logic").get<double>();
}

std::string first_line_of(const std::string& dir) {
  try {
    with_synth_calibration(TechTable::load_default(), dir);
  } catch (const DiagnosticError& e) {
    const std::string s = e.what();
    return s.substr(0, s.find('\n'));
  }
  return "calibrated without error";
}

/// A fresh directory under the system temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("wrpn_test_synth_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void copy(const std::string& variant) const {
    fs::copy_file(kSynth + "/" + variant + ".json", path / (variant + ".json"));
  }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

/// The width sweep's results only (one mac_unit per (w, a)), copied from results/synth: the cache also
/// holds design-point entries (`wrpn synth --acc-width`, acc_rule "given ...") that add other
/// accumulator widths of the same MACs, which these cases do not count on.
const std::string& sweep_synth() {
  static const TempDir dir("sweep");
  static const bool copied = [] {
    for (const auto& e : fs::directory_iterator(kSynth)) {
      if (e.path().extension() != ".json") continue;
      std::ifstream in(e.path());
      const nlohmann::json j = nlohmann::json::parse(in);
      if (j.value("acc_rule", "").rfind("given", 0) == 0) continue;
      fs::copy_file(e.path(), dir.path / e.path().filename());
    }
    return true;
  }();
  static const std::string path = (void(copied), dir.path.string());
  return path;
}

// The MAC datapath part of a PE's area (PE area minus its w + a + acc flip-flops).
double datapath_um2(const TechTable& t, int w, int a, int acc) {
  return t.pe_area_um2(PeType::int_k, w, a, acc) - t.register_area_um2(w + a + acc);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(synth_calibration)

BOOST_AUTO_TEST_CASE(reads_only_the_integer_mac_results) {
  const auto macs = read_synth_macs(sweep_synth());
  // mac_unit at 2, 4, 8, 16 bits and the asymmetric (w, a) of the tables and the sweep (w4 a8, w8 a4,
  // w2 a4, w4 a2, w8 a2, and w2 a1 of the W1A1 design point); ternary/binary/FP32/PE results are skipped.
  BOOST_REQUIRE_EQUAL(macs.size(), 10u);
  std::vector<SynthMac> symmetric;
  for (const SynthMac& m : macs) {
    BOOST_TEST(m.logic_cells == logic_cells(m.variant));
    BOOST_TEST(m.flip_flops == m.acc_bits + 1);  // accumulator + overflow flag
    if (m.wbits == m.abits) symmetric.push_back(m);
  }
  BOOST_REQUIRE_EQUAL(symmetric.size(), 4u);
  const int widths[] = {2, 4, 8, 16};
  const int accs[] = {15, 20, 28, 44};
  for (size_t i = 0; i < symmetric.size(); ++i) {
    BOOST_TEST(symmetric[i].wbits == widths[i]);
    BOOST_TEST(symmetric[i].acc_bits == accs[i]);
  }
}

BOOST_AUTO_TEST_CASE(eight_bit_mac_keeps_the_table_values) {
  for (const char* name : {"horowitz45", "scaled22"}) {
    BOOST_TEST_CONTEXT(name) {
      const TechTable base = TechTable::load(kRoot + "/configs/tech/" + name + ".json");
      const TechTable cal = with_synth_calibration(base, sweep_synth());
      BOOST_TEST(cal.calibration.size() == 10u);
      // At the synthesized accumulator and at every accumulator width an arch uses.
      for (int acc : {28, 32, 24, 16}) {
        BOOST_TEST(cal.mac_pj(PeType::int_k, 8, 8, acc) == base.mac_pj(PeType::int_k, 8, 8, acc), tt::tolerance(1e-12));
        BOOST_TEST(cal.pe_area_um2(PeType::int_k, 8, 8, acc) == base.pe_area_um2(PeType::int_k, 8, 8, acc),
                   tt::tolerance(1e-12));
      }
      // The per-gate figures are the table's 8-bit MAC over the 8-bit result's logic cells.
      const double g8 = logic_cells("mac_unit_a8w8_acc28");
      BOOST_TEST(cal.calibration_energy_pj_per_gate == (base.int_mult_pj(8, 8) + base.int_add_pj(28)) / g8,
                 tt::tolerance(1e-12));
      BOOST_TEST(cal.calibration_area_um2_per_gate == (base.int_mult_area_um2(8, 8) + base.int_add_area_um2(28)) / g8,
                 tt::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(narrow_macs_follow_the_yosys_cell_ratios) {
  const TechTable base = TechTable::load_default();
  const TechTable cal = with_synth_calibration(base, sweep_synth());
  const double e8 = cal.mac_pj(PeType::int_k, 8, 8, 28);
  const double a8 = datapath_um2(cal, 8, 8, 28);
  const double g8 = logic_cells("mac_unit_a8w8_acc28");
  const double g4 = logic_cells("mac_unit_a4w4_acc20");
  const double g2 = logic_cells("mac_unit_a2w2_acc15");
  const double g16 = logic_cells("mac_unit_a16w16_acc44");
  BOOST_TEST(cal.mac_pj(PeType::int_k, 4, 4, 20) / e8 == g4 / g8, tt::tolerance(1e-12));
  BOOST_TEST(cal.mac_pj(PeType::int_k, 2, 2, 15) / e8 == g2 / g8, tt::tolerance(1e-12));
  BOOST_TEST(cal.mac_pj(PeType::int_k, 16, 16, 44) / e8 == g16 / g8, tt::tolerance(1e-12));
  BOOST_TEST(datapath_um2(cal, 4, 4, 20) / a8 == g4 / g8, tt::tolerance(1e-12));
  BOOST_TEST(datapath_um2(cal, 2, 2, 15) / a8 == g2 / g8, tt::tolerance(1e-12));
  // With horowitz45: 8-bit at acc 28 = 0.2 + 0.1 * 28/32 = 0.2875 pJ. Yosys says a 4-bit MAC keeps
  // 311/646 of the 8-bit cells (the accumulator does not shrink with the operands), more than the
  // rule's 0.05 + 0.0625 = 0.1125 pJ; the calibration must actually change something.
  BOOST_TEST(e8 == 0.2875, tt::tolerance(1e-12));
  BOOST_TEST(cal.mac_pj(PeType::int_k, 4, 4, 20) == 0.2875 * g4 / g8, tt::tolerance(1e-12));
  BOOST_TEST(cal.mac_pj(PeType::int_k, 4, 4, 20) > base.mac_pj(PeType::int_k, 4, 4, 20) * 1.05);
  BOOST_TEST(cal.mac_pj(PeType::int_k, 2, 2, 15) > base.mac_pj(PeType::int_k, 2, 2, 15) * 1.05);
  // Still ordered by width.
  BOOST_TEST(cal.mac_pj(PeType::int_k, 2, 2, 32) < cal.mac_pj(PeType::int_k, 4, 4, 32));
  BOOST_TEST(cal.mac_pj(PeType::int_k, 4, 4, 32) < cal.mac_pj(PeType::int_k, 8, 8, 32));
  BOOST_TEST(cal.mac_pj(PeType::int_k, 8, 8, 32) < cal.mac_pj(PeType::int_k, 16, 16, 32));
}

BOOST_AUTO_TEST_CASE(accumulator_mismatch_is_corrected_by_the_adder_rule) {
  const TechTable base = TechTable::load_default();
  const TechTable cal = with_synth_calibration(base, sweep_synth());
  const double e4_20 = cal.mac_pj(PeType::int_k, 4, 4, 20);  // the synthesized accumulator
  for (int acc : {32, 24, 16, 12}) {
    BOOST_TEST_CONTEXT("acc " << acc) {
      BOOST_TEST(cal.mac_pj(PeType::int_k, 4, 4, acc) == e4_20 + base.int_add_pj(acc) - base.int_add_pj(20),
                 tt::tolerance(1e-12));
      BOOST_TEST(datapath_um2(cal, 4, 4, acc) ==
                     datapath_um2(cal, 4, 4, 20) + base.int_add_area_um2(acc) - base.int_add_area_um2(20),
                 tt::tolerance(1e-9));
      // Registers still come from the register rule at the requested accumulator width.
      BOOST_TEST(
          cal.pe_area_um2(PeType::int_k, 4, 4, acc) - datapath_um2(cal, 4, 4, acc) == base.register_area_um2(8 + acc),
          tt::tolerance(1e-9));
    }
  }
  // By hand, horowitz45, 32-bit accumulator: 0.2875 * 311/646 + 0.1 * (32 - 20)/32 pJ.
  const double g4 = logic_cells("mac_unit_a4w4_acc20"), g8 = logic_cells("mac_unit_a8w8_acc28");
  BOOST_TEST(cal.mac_pj(PeType::int_k, 4, 4, 32) == 0.2875 * g4 / g8 + 0.0375, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(widths_without_a_result_and_other_pe_types_keep_the_rule) {
  const TechTable base = TechTable::load_default();
  const TechTable cal = with_synth_calibration(base, sweep_synth());
  for (auto [w, a] : {std::pair{16, 8}, {8, 16}, {3, 3}, {5, 5}, {2, 16}}) {
    BOOST_TEST(cal.find_calibration(w, a, 32) == nullptr);
    BOOST_TEST(cal.mac_pj(PeType::int_k, w, a, 32) == base.mac_pj(PeType::int_k, w, a, 32));
    BOOST_TEST(cal.pe_area_um2(PeType::int_k, w, a, 32) == base.pe_area_um2(PeType::int_k, w, a, 32));
  }
  // The asymmetric pairs of the tables are synthesized, so they are calibrated.
  for (auto [w, a] : {std::pair{8, 4}, {4, 8}, {4, 2}, {2, 4}}) BOOST_TEST(cal.find_calibration(w, a, 32) != nullptr);
  BOOST_TEST(cal.mac_pj(PeType::fp32, 32, 32, 32) == base.mac_pj(PeType::fp32, 32, 32, 32));
  BOOST_TEST(cal.mac_pj(PeType::ternary, 2, 4, 24) == base.mac_pj(PeType::ternary, 2, 4, 24));
  BOOST_TEST(cal.mac_pj(PeType::binary, 1, 1, 16) == base.mac_pj(PeType::binary, 1, 1, 16));
  BOOST_TEST(cal.pe_area_um2(PeType::binary, 1, 1, 16) == base.pe_area_um2(PeType::binary, 1, 1, 16));
}

BOOST_AUTO_TEST_CASE(calibrated_table_round_trips_through_its_json) {
  const TechTable cal = with_synth_calibration(TechTable::load_default(), sweep_synth());
  const nlohmann::json j = cal.to_json();
  BOOST_REQUIRE(j.contains("calibration"));
  BOOST_TEST(j["calibration"]["macs"].size() == 10u);
  BOOST_TEST(j["calibration"]["source"].get<std::string>().find("mac_unit_a8w8_acc28") != std::string::npos);
  bool a4w4 = false;
  for (const auto& m : j["calibration"]["macs"])
    a4w4 = a4w4 || m["source"].get<std::string>().find("mac_unit_a4w4_acc20.json") != std::string::npos;
  BOOST_TEST(a4w4);
  // What a run directory records is a tech config that prices exactly like the table that ran.
  const ConfigDocument doc = ConfigDocument::parse(j.dump(), "effective_tech.json", "tech");
  const TechTable back = TechTable::from_json(doc.root());
  for (int k : {2, 4, 8, 16})
    for (int acc : {16, 24, 32}) {
      BOOST_TEST(back.mac_pj(PeType::int_k, k, k, acc) == cal.mac_pj(PeType::int_k, k, k, acc), tt::tolerance(1e-12));
      BOOST_TEST(back.pe_area_um2(PeType::int_k, k, k, acc) == cal.pe_area_um2(PeType::int_k, k, k, acc),
                 tt::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(alexnet_compute_cost_and_report_use_the_calibration) {
  const TechTable base = TechTable::load_default();
  const TechTable cal = with_synth_calibration(base, sweep_synth());
  const ArchConfig arch = ArchConfig::builtin_default(4, 4);  // 32-bit accumulator
  const Comparison c = compare_fp32_wrpn(builtin_network("alexnet"), 2.0, 4, 4, 1, arch, cal, mapped_counts);
  // conv1 (W8, 8-bit pixels) keeps 0.3 pJ; fc8 (W8A4) is the Yosys-scaled w8 a4 MAC (synthesized at
  // a 24-bit accumulator: + 0.1 * 8/32 pJ for the 32-bit one); the W4A4 body is the Yosys-scaled
  // 4-bit MAC with the 32-bit accumulator correction.
  const double g4 = logic_cells("mac_unit_a4w4_acc20"), g8 = logic_cells("mac_unit_a8w8_acc28");
  const double g84 = logic_cells("mac_unit_a4w8_acc24");
  const double body = 0.2875 * g4 / g8 + 0.0375;
  const double fc8 = 0.2875 * g84 / g8 + 0.025;
  BOOST_TEST(c.wrpn.mac_energy_cost_pj == 140553600.0 * 0.3 + 8192000.0 * fc8 + 2559262720.0 * body,
             tt::tolerance(1e-9));
  const std::string report = format_report(c);
  BOOST_TEST(report.find("int MAC energy and PE datapath area: Yosys-calibrated for W2A1, W2A2, W2A4, W4A2, W4A4, "
                         "W4A8, W8A2, W8A4, W8A8, W16A16") != std::string::npos,
             report);
  BOOST_TEST(c.to_json().contains("mac_calibration"));
  // Without the option the report says nothing about it.
  BOOST_TEST(format_report(compare_fp32_wrpn(builtin_network("lenet"), 2.0, 4, 4, 1, arch, base, mapped_counts))
                 .find("Yosys") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_directories_give_en006) {
  BOOST_TEST(first_line_of("/nonexistent/synth") ==
             "error[EN006] /nonexistent/synth: synthesis results directory not found (or not a directory)");
  {
    const TempDir d("empty");
    BOOST_TEST(first_line_of(d.path.string()) ==
               "error[EN006] " + d.path.string() +
                   ": no integer MAC (top \"mac_unit\") synthesis results in the directory");
  }
  {
    const TempDir d("ternary_only");  // results, but none of an integer MAC
    d.copy("mac_ternary_a4_acc17");
    d.copy("pe_int_a8w8_acc28");
    BOOST_TEST(first_line_of(d.path.string()) ==
               "error[EN006] " + d.path.string() +
                   ": no integer MAC (top \"mac_unit\") synthesis results in the directory");
  }
  {
    const TempDir d("no8");  // nothing to normalize against
    d.copy("mac_unit_a4w4_acc20");
    BOOST_TEST(first_line_of(d.path.string()) ==
               "error[EN006] " + d.path.string() + ": no w8 a8 mac_unit result to normalize the calibration against");
  }
  {
    const TempDir d("garbage");
    d.copy("mac_unit_a8w8_acc28");
    d.write("mac_unit_a4w4_acc20.json", "{\"format\": \"wrpn-synth\", \"top\": \"mac_unit\", \"kind\": ");
    BOOST_TEST(first_line_of(d.path.string()) == "error[EN006] " + (d.path / "mac_unit_a4w4_acc20.json").string() +
                                                     ": not a usable \"wrpn-synth\" result: not a JSON object");
  }
  {
    const TempDir d("nocells");
    d.copy("mac_unit_a8w8_acc28");
    d.write("x.json",
            R"({"format": "wrpn-synth", "top": "mac_unit", "kind": "int", "variant": "x", "width_w": 4,
                "width_a": 4, "acc_width": 20})");
    BOOST_TEST(first_line_of(d.path.string()) == "error[EN006] " + (d.path / "x.json").string() +
                                                     ":/cells: not a usable \"wrpn-synth\" result: missing \"cells\" "
                                                     "object");
  }
  {
    const TempDir d("otherformat");
    d.write("notes.json", R"({"format": "something-else"})");
    BOOST_TEST(first_line_of(d.path.string()) == "error[EN006] " + (d.path / "notes.json").string() +
                                                     ":/format: not a usable \"wrpn-synth\" result: expected "
                                                     "\"format\": \"wrpn-synth\"");
  }
  // A file (not a directory) is reported like a missing directory.
  BOOST_TEST(first_line_of(kSynth + "/mac_unit_a8w8_acc28.json").rfind("error[EN006] ", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
