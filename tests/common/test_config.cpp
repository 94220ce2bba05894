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

BOOST_AUTO_TEST_SUITE_END()
