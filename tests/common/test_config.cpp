// Config diagnostics: every CFG code and ARCH001 has a fixture in tests/fixtures/common/ whose first
// diagnostic line is checked here, and every shipped configs/arch/*.json loads.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "common/arch_config.h"
#include "common/config.h"
#include "common/diagnostics.h"

using namespace wrpn;
namespace fs = std::filesystem;

namespace {
const std::string kFixtures = std::string(WRPN_SOURCE_DIR) + "/tests/fixtures/common/";

std::string first_line(const std::string& path) {
  try {
    ArchConfig::load(path);
  } catch (const DiagnosticError& e) {
    const std::string s = e.what();
    return s.substr(0, s.find('\n'));
  }
  return "loaded without error";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(every_fixture_gives_its_diagnostic) {
  const std::vector<std::pair<std::string, std::string>> expected{
      {"CFG001_bad.json", "error[CFG001] " + kFixtures + "CFG001_bad.json: malformed JSON at line 5, column 13"},
      {"CFG002_bad.json", "error[CFG002] " + kFixtures +
                              "CFG002_bad.json:/buffers/1/capacity_kib: expected integer in [1, 65536], got \"64\""},
      {"CFG003_bad.json", "error[CFG003] " + kFixtures + "CFG003_bad.json:/array/colums: unknown key \"colums\""},
      {"CFG004_bad.json", "error[CFG004] " + kFixtures + "CFG004_bad.json:/array: missing required key \"array\""},
      {"CFG005_bad.json", "error[CFG005] " + kFixtures + "CFG005_bad.json:/version: unsupported version 2"},
      {"CFG002_overflow_bad.json",
       "error[CFG002] " + kFixtures +
           "CFG002_overflow_bad.json:/clock_mhz: number \"1e400\" is out of range (larger than any double)"},
      {"CFG007_bad.json",
       "error[CFG007] " + kFixtures + "CFG007_bad.json:/clock_mhz: duplicate key \"clock_mhz\" in one object"},
      {"CFG002_clock_gating_bad.json",
       "error[CFG002] " + kFixtures + "CFG002_clock_gating_bad.json:/array/clock_gating: expected true or false"},
      {"CFG002_dram_type_bad.json", "error[CFG002] " + kFixtures +
                                        "CFG002_dram_type_bad.json:/dram/type: expected one of \"ddr3\", \"lpddr4\", "
                                        "\"hbm2\", got \"gddr5\""},
      {"ARCH001_bad.json", "error[ARCH001] " + kFixtures +
                               "ARCH001_bad.json:/pe/acc_bits: accumulator of 12 bits cannot hold one 8x8-bit product"},
  };
  for (const auto& [file, prefix] : expected) {
    BOOST_TEST_CONTEXT(file) {
      const std::string got = first_line(kFixtures + file);
      BOOST_TEST(got.rfind(prefix, 0) == 0, "got: " << got);
    }
  }
  // Every fixture in the folder is covered above.
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(kFixtures)) n += e.path().extension() == ".json";
  BOOST_TEST(n == expected.size());
}

BOOST_AUTO_TEST_CASE(missing_file_is_cfg006) {
  BOOST_TEST(first_line("/nonexistent/arch.json").rfind("error[CFG006] /nonexistent/arch.json: cannot open file", 0) ==
             0);
}

BOOST_AUTO_TEST_CASE(a_directory_is_not_malformed_json) {
  const std::string dir = std::string(WRPN_SOURCE_DIR) + "/configs";
  const std::string got = first_line(dir);
  BOOST_TEST(got == "error[CFG006] " + dir + ": is a directory, not a regular file", got);
}

BOOST_AUTO_TEST_CASE(overflow_and_duplicates_are_found_where_they_are) {
  auto line = [](const std::string& text) {
    try {
      ConfigDocument::parse(text, "t.json");
    } catch (const DiagnosticError& e) {
      return e.diagnostic().code + " " + e.diagnostic().pointer;
    }
    return std::string("parsed");
  };
  BOOST_TEST(line(R"({"a": [1, 2, {"b": [0, -1e999]}]})") == "CFG002 /a/2/b/1");
  BOOST_TEST(line(R"(1e400)") == "CFG002 /");
  BOOST_TEST(line(R"({"a": {"x": 1, "y": 2}, "b": {"x": 1, "x": 2}})") == "CFG007 /b/x");
  BOOST_TEST(line(R"({"a~/b": 1, "a~/b": 1})") == "CFG007 /a~0~1b");
  // Equal keys in different objects, and big numbers that fit, are fine.
  BOOST_TEST(line(R"({"a": {"x": 1}, "b": {"x": 1e300}, "c": 18446744073709551615})") == "parsed");
}

BOOST_AUTO_TEST_CASE(integers_round_trip_or_are_range_errors) {
  const ConfigDocument doc = ConfigDocument::parse(
      R"({"seed": 18446744073709551615, "big": 9223372036854775808, "neg": -1, "arr": [9223372036854775808]})",
      "t.json");
  const ConfigObject o = doc.root();
  BOOST_TEST(o.get_uint("seed", 0, UINT64_MAX) == UINT64_MAX);
  BOOST_TEST(o.get_uint("big", 0, UINT64_MAX) == (uint64_t{1} << 63));
  BOOST_CHECK_THROW(o.get_uint("neg", 0, UINT64_MAX), DiagnosticError);
  // 2^63 does not fit int64: a range error, never clamped or wrapped.
  BOOST_CHECK_THROW(o.get_int("big", INT64_MIN, INT64_MAX), DiagnosticError);
  BOOST_CHECK_THROW(o.get_int_array("arr", INT64_MIN, INT64_MAX), DiagnosticError);
  try {
    o.get_int("neg", 0, 1099511627776);
    BOOST_FAIL("expected CFG002");
  } catch (const DiagnosticError& e) {
    BOOST_TEST(e.diagnostic().message == "expected integer in [0, 1099511627776], got -1");
  }
}

BOOST_AUTO_TEST_CASE(long_values_are_cut_in_messages) {
  const std::string text = R"({"c": ")" + std::string(10000, 'x') + R"("})";
  const ConfigDocument doc = ConfigDocument::parse(text, "t.json");
  try {
    doc.root().get_enum("c", {"x", "y"});
    BOOST_FAIL("expected CFG002");
  } catch (const DiagnosticError& e) {
    BOOST_TEST(std::string(e.what()).size() < 200u);
  }
}

BOOST_AUTO_TEST_CASE(wrong_kind_is_cfg005) {
  try {
    ConfigDocument::parse(R"({"kind": "tech", "version": 1})", "x.json", "arch");
    BOOST_FAIL("expected CFG005");
  } catch (const DiagnosticError& e) {
    BOOST_TEST(e.diagnostic().code == "CFG005");
    BOOST_TEST(e.diagnostic().pointer == "/kind");
  }
}

BOOST_AUTO_TEST_CASE(getters_check_types_ranges_and_defaults) {
  const ConfigDocument doc =
      ConfigDocument::parse(R"({"a": 3, "b": 2.5, "c": "x", "d": [1, 2], "e": {"f": true}, "g": -1})", "t.json");
  const ConfigObject o = doc.root();
  BOOST_TEST(o.get_int("a", 0, 10) == 3);
  BOOST_TEST(o.get_number("b", 0, 10) == 2.5);
  BOOST_TEST(o.get_enum("c", {"x", "y"}) == "x");
  BOOST_TEST(o.get_int_array("d", 0, 5).size() == 2u);
  const ConfigObject e = o.get_object("e");
  BOOST_TEST(e.get_bool("f"));
  e.finish();
  BOOST_TEST(o.get_int("missing", 0, 10, 7) == 7);
  BOOST_CHECK_THROW(o.get_int("g", 0, 10), DiagnosticError);
  BOOST_CHECK_THROW(o.get_int("b", 0, 10), DiagnosticError);  // 2.5 is not an integer
  BOOST_CHECK_THROW(o.get_enum("c", {"y"}), DiagnosticError);
  o.get_raw("g");
  o.finish();  // everything was read
  // Array elements are addressed as /key/index (the "/" is a pointer separator, not escaped).
  try {
    o.get_int_array("d", 0, 1);
    BOOST_FAIL("expected CFG002");
  } catch (const DiagnosticError& err) {
    BOOST_TEST(err.diagnostic().pointer == "/d/1");
  }
}

BOOST_AUTO_TEST_CASE(every_shipped_arch_config_loads) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(std::string(WRPN_SOURCE_DIR) + "/configs/arch")) {
    if (e.path().extension() != ".json") continue;
    BOOST_TEST_CONTEXT(e.path().string()) {
      const ArchConfig a = ArchConfig::load(e.path().string());
      BOOST_TEST(a.rows > 0);
      // The JSON written back loads again to the same config.
      const ConfigDocument again = ConfigDocument::parse(a.to_json().dump(), "roundtrip.json", "arch");
      BOOST_TEST(ArchConfig::from_json(again.root()).to_json() == a.to_json());
      ++n;
    }
  }
  BOOST_TEST(n >= 1u);
}

BOOST_AUTO_TEST_CASE(clock_gating_and_dram_type_defaults_and_values) {
  auto arch = [](const std::string& array_extra, const std::string& dram) {
    const std::string text = R"({"kind": "arch", "version": 1, "array": {"rows": 4, "cols": 4)" + array_extra +
                             R"(}, "pe": {"type": "int", "wbits": 4, "abits": 4, "acc_bits": 24}, "buffers": [
        {"name": "w", "holds": "weights", "capacity_kib": 8}, {"name": "i", "holds": "inputs", "capacity_kib": 8},
        {"name": "o", "holds": "outputs", "capacity_kib": 8}], "dram": {)" +
                             dram + "}}";
    const ConfigDocument doc = ConfigDocument::parse(text, "a.json", "arch");
    return ArchConfig::from_json(doc.root());
  };
  // Defaults: idle PEs' clocks gated, DDR3 (and the built-in arch agrees).
  const ArchConfig d = arch("", "");
  BOOST_TEST(d.clock_gating);
  BOOST_TEST((d.dram.type == DramType::ddr3));
  BOOST_TEST(ArchConfig::builtin_default().clock_gating);
  BOOST_TEST((ArchConfig::builtin_default().dram.type == DramType::ddr3));
  const ArchConfig u = arch(R"(, "clock_gating": false)", R"("type": "hbm2")");
  BOOST_TEST(!u.clock_gating);
  BOOST_TEST((u.dram.type == DramType::hbm2));
  BOOST_TEST((arch("", R"("type": "lpddr4")").dram.type == DramType::lpddr4));
  // Both survive the JSON round trip.
  const ConfigDocument again = ConfigDocument::parse(u.to_json().dump(), "roundtrip.json", "arch");
  const ArchConfig back = ArchConfig::from_json(again.root());
  BOOST_TEST(!back.clock_gating);
  BOOST_TEST((back.dram.type == DramType::hbm2));
}

BOOST_AUTO_TEST_SUITE_END()
