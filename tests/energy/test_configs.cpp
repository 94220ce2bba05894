// Every shipped example config (configs/<kind>/*.json) loads through the loader of its kind, so none
// can rot. Loaders of kinds owned by other components are compiled in when their library is built
// (tests/energy/CMakeLists.txt); a kind whose loader is not built is reported as skipped, a config
// whose "kind" has no loader at all, or disagrees with its folder, fails.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <functional>
#include <map>

#include "common/arch_config.h"
#include "common/config.h"
#include "energy/tech_table.h"

#ifdef WRPN_TEST_HAVE_SWEEP_LOADER
#include "dse/sweep_config.h"
#endif
#ifdef WRPN_TEST_HAVE_TRAIN_LOADER
#include "trainer/train.h"
#endif

using namespace wrpn;
namespace fs = std::filesystem;

namespace {

using Loader = std::function<void(const std::string&)>;

/// kind -> loader; an empty function marks a kind whose loader is not built into this test.
std::map<std::string, Loader> loaders() {
  std::map<std::string, Loader> m;
  m["arch"] = [](const std::string& p) { ArchConfig::load(p); };
  m["tech"] = [](const std::string& p) { energy::TechTable::load(p); };
#ifdef WRPN_TEST_HAVE_SWEEP_LOADER
  m["sweep"] = [](const std::string& p) { SweepConfig::load(p); };
#else
  m["sweep"] = nullptr;
#endif
#ifdef WRPN_TEST_HAVE_TRAIN_LOADER
  m["train"] = [](const std::string& p) { trainer::load_train_config(p); };
#else
  m["train"] = nullptr;
#endif
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shipped_configs)

BOOST_AUTO_TEST_CASE(every_example_config_loads_through_its_loader) {
  const auto table = loaders();
  const fs::path root = fs::path(WRPN_SOURCE_DIR) / "configs";
  int loaded = 0, skipped = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    const std::string folder = dir.path().filename().string();
    for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
      if (e.path().extension() != ".json") continue;
      BOOST_TEST_CONTEXT(e.path().string()) {
        // The document's own kind picks the loader; it must match the folder it ships in.
        std::string kind;
        BOOST_CHECK_NO_THROW(kind = ConfigDocument::load(e.path().string()).kind());
        BOOST_TEST(kind == folder);
        auto it = table.find(kind);
        BOOST_TEST((it != table.end()), "no loader known for kind \"" << kind << "\"");
        if (it == table.end()) continue;
        if (!it->second) {
          BOOST_TEST_MESSAGE("skipped " << e.path().string() << ": the " << kind
                                        << " loader is not built into test_energy");
          ++skipped;
          continue;
        }
        BOOST_CHECK_NO_THROW(it->second(e.path().string()));
        ++loaded;
      }
    }
  }
  BOOST_TEST_MESSAGE("shipped configs: " << loaded << " loaded, " << skipped << " skipped");
  BOOST_TEST(loaded >= 3);  // configs/arch/edge.json and both tech tables at least
}

BOOST_AUTO_TEST_SUITE_END()
