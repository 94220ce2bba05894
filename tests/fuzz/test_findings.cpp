// Every input a fuzz target found crashing a reader is kept in tests/fixtures/fuzz/<target>/ and
// gives its one-line diagnostic here (test_fuzz_replay also replays it through the target).
#include <boost/test/unit_test.hpp>

#include "tests/support/diagnostics.h"
#include "trainer/checkpoint.h"

namespace {
const std::string kFindings = wrpn::test::kRoot + "/tests/fixtures/fuzz/";
}

BOOST_AUTO_TEST_SUITE(fuzz_findings)

// fuzz_checkpoint: a forged tensor count was allocated before it was checked against the payload
// (std::length_error, exit 4, for 2^62; 2.4 GB allocated for 6e8), and count * 4 could wrap.
BOOST_AUTO_TEST_CASE(checkpoint_tensor_count_beyond_payload) {
  using wrpn::test::first_diagnostic_line;
  for (const std::string name : {"TRN005_tensor_count_bad.bin", "TRN005_tensor_count_oom_bad.bin"}) {
    const std::string path = kFindings + "checkpoint/" + name;
    BOOST_TEST(first_diagnostic_line([&] { wrpn::trainer::load_checkpoint(path); }) ==
               "error[TRN005] " + path + ": tensor index exceeds payload");
  }
}

BOOST_AUTO_TEST_SUITE_END()
