// Tech tables: every shipped table loads, every tech diagnostic has a fixture in tests/fixtures/tech/
// whose first line is checked, the scaling rules are monotonic in bit width and capacity, the rules
// land near the published anchors, and node scaling follows E ~ L * V^2, area ~ L^2.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <set>

#include "common/diagnostics.h"
#include "energy/tech_table.h"

using namespace wrpn;
using namespace wrpn::energy;
namespace fs = std::filesystem;

namespace {

const std::string kRoot = WRPN_SOURCE_DIR;
const std::string kFixtures = kRoot + "/tests/fixtures/tech/";

std::string first_line_of_load(const std::string& path) {
  try {
    TechTable::load(path);
  } catch (const DiagnosticError& e) {
    const std::string s = e.what();
    return s.substr(0, s.find('\n'));
  }
  return "loaded without error";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tech_tables)

BOOST_AUTO_TEST_CASE(every_shipped_table_loads_and_is_sane) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(kRoot + "/configs/tech")) {
    if (e.path().extension() != ".json") continue;
    ++n;
    BOOST_TEST_CONTEXT(e.path()) {
      const TechTable t = TechTable::load(e.path().string());
      BOOST_TEST(!t.name.empty());
      BOOST_TEST(t.name == e.path().stem().string());  // a table is named after its file
      // Every primitive carries its source.
      for (const Primitive* p : {&t.int_add, &t.int_mult, &t.fp32_add, &t.fp32_mult, &t.gate, &t.register_bit}) {
        BOOST_TEST(p->energy_pj > 0);
        BOOST_TEST(!p->source.empty());
      }
      BOOST_TEST(!t.sram_source.empty());
      for (const std::string& src : t.dram_sources) BOOST_TEST(!src.empty());
      BOOST_TEST(!t.clock_source.empty());
      BOOST_TEST(t.clock_energy_pj_per_bit > 0);
      BOOST_TEST(!t.leakage_source.empty());
      // The ordering every WRPN argument rests on: FP32 MAC > int8 MAC > int4 MAC > ternary > binary.
      const double fp32 = t.mac_pj(PeType::fp32, 32, 32, 32);
      const double i8 = t.mac_pj(PeType::int_k, 8, 8, 32);
      const double i4 = t.mac_pj(PeType::int_k, 4, 4, 32);
      BOOST_TEST(fp32 > i8);
      BOOST_TEST(i8 > i4);
      BOOST_TEST(i4 > t.mac_pj(PeType::ternary, 2, 4, 32));
      BOOST_TEST(t.mac_pj(PeType::ternary, 2, 1, 32) > t.mac_pj(PeType::binary, 1, 1, 32));
      // DRAM costs more than any on-chip access per bit.
      for (DramType d : {DramType::ddr3, DramType::lpddr4, DramType::hbm2})
        BOOST_TEST(t.dram_pj_per_byte(d) > t.sram_read_pj(1024, 8), to_string(d));
      // to_json round trip gives a table that prices the same.
      BOOST_TEST(t.to_json().at("kind") == "tech");
    }
  }
  BOOST_TEST(n >= 2);  // the 45 nm table and at least one scaled table
}

BOOST_AUTO_TEST_CASE(horowitz45_dram_and_clock_figures) {
  const TechTable t = TechTable::load(std::string(WRPN_SOURCE_DIR) + "/configs/tech/horowitz45.json");
  // DDR3: the Horowitz midpoint 1.95 nJ per 64 bits (unchanged default); LPDDR4 8 and HBM2 3.9 pJ/bit.
  BOOST_TEST(t.dram_pj_per_byte() == 1950.0 / 8, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.dram_pj_per_byte(DramType::ddr3) == 1950.0 / 8, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.dram_pj_per_byte(DramType::lpddr4) == 64.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.dram_pj_per_byte(DramType::hbm2) == 31.2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.dram_sources[static_cast<int>(DramType::hbm2)].find("MICRO 2017") != std::string::npos);
  // Clock: 0.009 pJ per register bit per cycle (Aladdin, ISCA 2014); a 4/4/32 PE clocks 40 bits.
  BOOST_TEST(t.clock_energy_pj_per_bit == 0.009, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.pe_idle_clock_pj(PeType::int_k, 4, 4, 32) == 0.36, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.clock_source.find("ISCA 2014") != std::string::npos);
  // The scaled table scales the clock like logic and keeps DRAM.
  const TechTable s22 = TechTable::load(std::string(WRPN_SOURCE_DIR) + "/configs/tech/scaled22.json");
  BOOST_TEST(s22.clock_energy_pj_per_bit == 0.009 * node_energy_factor(45, 0.9, 22, 0.8),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s22.dram_pj_per_byte(DramType::hbm2) == 31.2, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(horowitz45_values_and_anchors) {
  const TechTable t = TechTable::load(kRoot + "/configs/tech/horowitz45.json");
  // Horowitz ISSCC 2014, 45 nm: FP32 mult 3.7 + add 0.9 = 4.6 pJ per MAC.
  BOOST_TEST(t.mac_pj(PeType::fp32, 32, 32, 32) == 4.6, boost::test_tools::tolerance(1e-12));
  // int8 MAC with a 32-bit accumulator: 8-bit mult 0.2 + 32-bit add 0.1 = 0.3 pJ.
  BOOST_TEST(t.mac_pj(PeType::int_k, 8, 8, 32) == 0.3, boost::test_tools::tolerance(1e-12));
  // int4 MAC, 24-bit accumulator: 0.2 * 16/64 + 0.1 * 24/32 = 0.05 + 0.075 = 0.125 pJ.
  BOOST_TEST(t.mac_pj(PeType::int_k, 4, 4, 24) == 0.125, boost::test_tools::tolerance(1e-12));
  // SRAM anchors are reproduced exactly; 16 KiB sits between 8 KiB (10 pJ) and 32 KiB (20 pJ) on the
  // log-log line: 10 * 2^(ln 2 / ln 4) = 10 * sqrt(2) = 14.14 pJ per 64 bits.
  BOOST_TEST(t.sram_read_pj(8, 64) == 10.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.sram_read_pj(1024, 64) == 100.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.sram_read_pj(16, 64) == 10.0 * std::sqrt(2.0), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(t.sram_read_pj(16, 32) == 5.0 * std::sqrt(2.0), boost::test_tools::tolerance(1e-9));
  // DRAM: 1.95 nJ per 64 bits = 243.75 pJ per byte.
  BOOST_TEST(t.dram_pj_per_byte() == 243.75, boost::test_tools::tolerance(1e-12));
  // The rules land within 20 % of the published figures they were not fitted to (8-bit add 0.03 pJ
  // vs 0.025 by the rule; 32-bit mult 3.1 pJ vs 3.2; 32 KB SRAM 20 pJ exactly).
  BOOST_TEST_REQUIRE(t.anchors.size() >= 3u);
  for (const auto& a : t.anchors) {
    BOOST_TEST_CONTEXT(a.what << " " << a.bits << " " << a.capacity_kib) {
      double rule = 0;
      if (a.what == "int_add") rule = t.int_add_pj(a.bits);
      if (a.what == "int_mult") rule = t.int_mult_pj(a.bits, a.bits);
      if (a.what == "sram") rule = t.sram_read_pj(a.capacity_kib, 64);
      BOOST_TEST(std::abs(rule - a.energy_pj) <= 0.2 * a.energy_pj, "rule " << rule << " vs " << a.energy_pj);
    }
  }
}

BOOST_AUTO_TEST_CASE(scaled22_follows_the_node_rule) {
  const TechTable base = TechTable::load(kRoot + "/configs/tech/horowitz45.json");
  const TechTable t = TechTable::load(kRoot + "/configs/tech/scaled22.json");
  // Energy x (22/45) * (0.8/0.9)^2 = 0.3863, area x (22/45)^2 = 0.2390.
  const double fe = (22.0 / 45.0) * (0.8 / 0.9) * (0.8 / 0.9);
  const double fa = (22.0 / 45.0) * (22.0 / 45.0);
  BOOST_TEST(node_energy_factor(45, 0.9, 22, 0.8) == fe, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(node_area_factor(45, 22) == fa, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.node_nm == 22.0);
  BOOST_TEST(t.fp32_mult.energy_pj == base.fp32_mult.energy_pj * fe, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.int_mult.area_um2 == base.int_mult.area_um2 * fa, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.sram_read_pj(32, 64) == base.sram_read_pj(32, 64) * fe, boost::test_tools::tolerance(1e-12));
  for (int k = 0; k < 3; ++k)
    BOOST_TEST(t.dram_energy_pj_per_bit[k] == base.dram_energy_pj_per_bit[k]);  // off-chip: unchanged
  BOOST_TEST(t.anchors.empty());                                                // 45 nm measurements no longer apply
  BOOST_TEST(t.logic_leakage_mw_per_mm2 == 40.0);  // its own leakage block replaces the base's
}

BOOST_AUTO_TEST_CASE(scaling_rules_are_monotonic_in_bits_and_capacity) {
  for (const char* file : {"horowitz45.json", "scaled22.json"}) {
    const TechTable t = TechTable::load(kRoot + "/configs/tech/" + file);
    BOOST_TEST_CONTEXT(file) {
      for (int b = 1; b < 32; ++b) {
        BOOST_TEST(t.int_add_pj(b + 1) > t.int_add_pj(b));
        BOOST_TEST(t.register_pj(b + 1) > t.register_pj(b));
        BOOST_TEST(t.int_add_area_um2(b + 1) > t.int_add_area_um2(b));
      }
      for (int w = 1; w <= 16; ++w) {
        for (int a = 1; a <= 16; ++a) {
          if (w < 16) BOOST_TEST(t.int_mult_pj(w + 1, a) > t.int_mult_pj(w, a));
          if (a < 16) BOOST_TEST(t.int_mult_pj(w, a + 1) > t.int_mult_pj(w, a));
          if (w >= 3 && w < 16) {
            BOOST_TEST(t.mac_pj(PeType::int_k, w + 1, a, 32) > t.mac_pj(PeType::int_k, w, a, 32));
            BOOST_TEST(t.pe_area_um2(PeType::int_k, w + 1, a, 32) > t.pe_area_um2(PeType::int_k, w, a, 32));
          }
          if (w >= 3 && a < 16) BOOST_TEST(t.mac_pj(PeType::int_k, w, a + 1, 32) > t.mac_pj(PeType::int_k, w, a, 32));
        }
        BOOST_TEST(t.mac_pj(PeType::ternary, 2, w, 32) >= t.mac_pj(PeType::binary, 1, w, 32));
        BOOST_TEST(t.mac_pj(PeType::int_k, 8, 8, 8 + w) > t.mac_pj(PeType::int_k, 8, 8, 7 + w));  // acc bits
      }
      for (int word : {8, 16, 32, 64, 128}) BOOST_TEST(t.sram_read_pj(64, 2 * word) > t.sram_read_pj(64, word));
      // Capacity: inside, at and beyond the anchors (0.5 KiB .. 8 MiB).
      for (double kib = 0.5; kib < 8192; kib *= 2) {
        BOOST_TEST(t.sram_read_pj(kib * 2, 64) > t.sram_read_pj(kib, 64), kib);
        BOOST_TEST(t.sram_write_pj(kib, 64) > 0);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_tech_fixture_gives_its_diagnostic) {
  // fixture -> first line after "error[CODE] <fixture path>"
  const std::vector<std::pair<std::string, std::string>> expected{
      {"EN001_bad.json",
       ":/sram/anchors/1/capacity_kib: SRAM anchors must be sorted by strictly increasing capacity_kib"},
      {"EN001_cheaper_bad.json",
       ":/sram/anchors/1/read_energy_pj_per_64_bits: a larger SRAM cannot cost less per access than a smaller one"},
      {"EN001_calibration_bad.json",
       ":/calibration/macs/1/wbits: two calibration entries for the same (wbits, abits, acc_bits)"},
      {"EN002_bad.json", ":/scaled_from/table: base table \"" + kFixtures + "no_such_table.json\" not found"},
      {"EN002_self_bad.json", ":/scaled_from/table: a tech table cannot be scaled from itself"},
      {"EN002_chain_bad.json",
       ":/scaled_from/table: \"../../../configs/tech/scaled22.json\" is itself a scaled table; chains of scaling "
       "are not allowed"},
      {"EN002_larger_bad.json",
       ":/scaled_from/node_nm: scaling to a larger node or higher voltage is not supported (energy factor "
       "1.580247 > 1)"},
      {"CFG002_bad.json", ":/int_mult/energy_pj: expected a positive energy, got 0"},
      {"CFG003_bad.json", ":/dram/energy_pj_per_byte: unknown key \"energy_pj_per_byte\""},
      {"CFG004_bad.json", ":/fp32_mult: missing required key \"fp32_mult\""},
      {"CFG005_bad.json", ":/kind: expected kind \"tech\""},
  };
  std::set<std::string> covered{"small_good.json", "scaled_good.json"};
  for (const auto& [file, rest] : expected) {
    BOOST_TEST_CONTEXT(file) {
      const std::string code = file.substr(0, file.find('_'));
      const std::string want = "error[" + code + "] " + kFixtures + file + rest;
      const std::string got = first_line_of_load(kFixtures + file);
      BOOST_TEST(got.rfind(want, 0) == 0, "got:  " << got << "\nwant: " << want);
      covered.insert(file);
    }
  }
  for (const auto& e : fs::directory_iterator(kFixtures))
    BOOST_TEST(covered.count(e.path().filename().string()) == 1u, "fixture not checked: " << e.path());
  // The good fixtures load (so the bad ones fail for the one reason they were made for).
  BOOST_CHECK_NO_THROW(TechTable::load(kFixtures + "small_good.json"));
  const TechTable scaled = TechTable::load(kFixtures + "scaled_good.json");
  BOOST_TEST(scaled.int_add.energy_pj == 0.08 * node_energy_factor(45, 0.9, 22, 0.8),
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(missing_table_is_cfg006) {
  BOOST_TEST(first_line_of_load("/nonexistent/tech.json").rfind("error[CFG006] /nonexistent/tech.json", 0) == 0);
}

BOOST_AUTO_TEST_CASE(default_table_is_found) {
  // EN004 (default table not found) cannot be provoked here: the library knows the source tree.
  BOOST_TEST(fs::exists(default_tech_path()));
  BOOST_TEST(TechTable::load_default().name == "horowitz45");
}

BOOST_AUTO_TEST_SUITE_END()
