// The fuzz harnesses' checksum fix-ups agree with the project's writers (so fuzzed trace.json files
// and checkpoints reach the checks behind their checksums), and the seed trace is one read_trace
// accepts.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "common/atomic_file.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_inputs.h"
#include "tests/support/diagnostics.h"
#include "trainer/checkpoint.h"
#include "workloads/trace.h"

BOOST_AUTO_TEST_SUITE(fuzz_harness)

BOOST_AUTO_TEST_CASE(seed_trace_reads_back_and_its_fixup_is_the_identity) {
  const std::filesystem::path dir = wrpn::fuzz::scratch_dir() / "harness-trace";
  wrpn::write_trace(dir.string(), wrpn::fuzz::seed_trace());
  BOOST_TEST(wrpn::test::first_diagnostic_line([&] { wrpn::read_trace(dir.string()); }) == wrpn::test::kNoDiagnostic);
  BOOST_TEST(wrpn::read_trace(dir.string()).layers.size() == 5u);
  const std::string written = wrpn::read_file(dir / "trace.json");
  std::string fixed = written;
  wrpn::fuzz::fix_trace_content_sha256(fixed);
  BOOST_TEST(fixed == written);
}

BOOST_AUTO_TEST_CASE(checkpoint_fixup_is_the_identity_and_repairs_an_edited_payload) {
  wrpn::trainer::Checkpoint c;
  c.config = wrpn::fuzz::seed_checkpoint_config();
  c.tensors = {{"w", {0.5f, -1.0f}}};
  const std::string path = (wrpn::fuzz::scratch_dir() / "harness.bin").string();
  wrpn::trainer::save_checkpoint(path, c);
  const std::string written = wrpn::read_file(path);
  std::string fixed = written;
  wrpn::fuzz::fix_checkpoint_checksums(fixed);
  BOOST_TEST(fixed == written);
  // Flip the lowest mantissa bit of the last payload float (-1 becomes -1.0000001): the reader rejects
  // the file; after the fix-up it reads the new value.
  std::string edited = written;
  edited[edited.size() - 4] = static_cast<char>(edited[edited.size() - 4] ^ 0x01);
  wrpn::write_file_atomic(path, edited);
  BOOST_TEST(
      wrpn::test::first_diagnostic_line([&] { wrpn::trainer::load_checkpoint(path); }).rfind("error[TRN005]", 0) == 0u);
  wrpn::fuzz::fix_checkpoint_checksums(edited);
  wrpn::write_file_atomic(path, edited);
  const wrpn::trainer::Checkpoint back = wrpn::trainer::load_checkpoint(path);
  BOOST_TEST(back.tensors.at(0).second.at(1) != -1.0f);
}

BOOST_AUTO_TEST_SUITE_END()
