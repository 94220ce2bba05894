// The sensitivity table of `wrpn paper`: every choice runs through the real comparison and moves the
// energies in the direction its model says.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "common/csv.h"
#include "energy/tech_table.h"
#include "studies/paper_sensitivity.h"

using namespace wrpn;

namespace {
const std::string kRoot = WRPN_SOURCE_DIR;

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  double at(size_t row, const std::string& col) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == col) return std::stod(rows.at(row).at(i));
    BOOST_FAIL("no column " + col);
    return 0;
  }
  size_t find(const std::string& knob, const std::string& prefix) const {
    for (size_t r = 0; r < rows.size(); ++r)
      if (rows[r][0] == knob && rows[r][1].rfind(prefix, 0) == 0) return r;
    BOOST_FAIL("no row " + knob + " " + prefix);
    return 0;
  }
};

Table parse(const std::string& csv) {
  Table t;
  size_t start = 0;
  while (start < csv.size()) {
    const size_t end = csv.find('\n', start);
    const std::string line = csv.substr(start, end - start);
    if (!line.empty()) (t.header.empty() ? t.header : (t.rows.emplace_back(), t.rows.back())) = split_csv_line(line);
    start = end == std::string::npos ? csv.size() : end + 1;
  }
  return t;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(paper_sensitivity)

BOOST_AUTO_TEST_CASE(each_choice_moves_the_energies_its_way) {
  const energy::TechTable tech = energy::TechTable::load(kRoot + "/configs/tech/horowitz45.json");
  const auto choices = sensitivity_choices(kRoot + "/configs/tech/scaled22.json");
  const Table t = parse(sensitivity_table(tech, choices).str());
  BOOST_TEST_REQUIRE(t.rows.size() == choices.size());
  BOOST_TEST(t.rows[0][0] == "defaults");
  const size_t ungated = t.find("clock_gating", "off"), lp = t.find("dram", "lpddr4"), hbm = t.find("dram", "hbm2"),
               banked = t.find("sram", "4 banks per buffer, priced per bank"),
               mono = t.find("sram", "4 banks per buffer, priced as monolithic"), ported = t.find("sram", "2 ports"),
               node = t.find("tech", "scaled22");
  for (const auto& k : sensitivity_cases()) {
    BOOST_TEST_CONTEXT(k.column) {
      auto v = [&](size_t row, const std::string& what) { return t.at(row, k.column + what); };
      BOOST_TEST(v(0, "_gain") > 1.0);
      BOOST_TEST(v(0, "_gain_vs_defaults") == 1.0);
      for (const std::string side : {"_fp32_energy_pj", "_wrpn_energy_pj"}) {
        // Ungated idle PEs add energy; cheaper DRAM per bit (DDR3 30.5 > LPDDR4 8 > HBM2 3.9 pJ/bit)
        // lowers it in that order; smaller banks cost less per access than the same banks priced
        // as one array; a second port costs more; the 22 nm node costs less.
        BOOST_TEST(v(ungated, side) > v(0, side));
        BOOST_TEST(v(0, side) > v(lp, side));
        BOOST_TEST(v(lp, side) > v(hbm, side));
        BOOST_TEST(v(banked, side) < v(mono, side));
        BOOST_TEST(v(ported, side) > v(0, side));
        BOOST_TEST(v(node, side) < v(0, side));
      }
      // Every row's gain is its FP32 energy over its WRPN energy.
      for (size_t r = 0; r < t.rows.size(); ++r)
        BOOST_TEST(v(r, "_gain") == v(r, "_fp32_energy_pj") / v(r, "_wrpn_energy_pj"),
                   boost::test_tools::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
