// NPY, SHA-256, atomic writes and staged directories, CSV, ActionCounts JSON.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/action_counts.h"
#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/npy.h"
#include "common/sha256.h"
#include "tests/support/diagnostics.h"

BOOST_TEST_DONT_PRINT_LOG_VALUE(wrpn::NpyDtype)
BOOST_TEST_DONT_PRINT_LOG_VALUE(wrpn::PeType)

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
using wrpn::test::kNoDiagnostic;
namespace fs = std::filesystem;

namespace {
fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("wrpn-test-common-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(io)

BOOST_AUTO_TEST_CASE(npy_round_trip_every_dtype) {
  const std::vector<int32_t> v{-7, 0, 7, 1, -1, 3};
  for (NpyDtype t : {NpyDtype::i1, NpyDtype::i2, NpyDtype::i4, NpyDtype::i8}) {
    const std::string bytes = npy_encode_ints({2, 3}, v.data(), t);
    BOOST_TEST(bytes.size() % 16 == (6 * npy_itemsize(t)) % 16);  // header is 64-byte aligned
    const NpyArray a = npy_decode(bytes, "mem.npy");
    BOOST_TEST(a.dtype == t);
    BOOST_TEST((a.shape == std::vector<int64_t>{2, 3}));
    BOOST_TEST(a.ints == std::vector<int64_t>(v.begin(), v.end()), boost::test_tools::per_element());
  }
  const std::vector<float> f{1.5f, -2.25f};
  const NpyArray af = npy_decode(npy_encode_floats({2}, f.data()), "f.npy");
  BOOST_TEST(af.floats == f, boost::test_tools::per_element());
  const std::vector<int32_t> one{5};
  BOOST_TEST(npy_encode_ints({1}, one.data(), NpyDtype::i1).find("'shape': (1,)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(npy_rejects_corruption) {
  const std::vector<int32_t> v{1, 2, 3, 4};
  const std::string good = npy_encode_ints({4}, v.data(), NpyDtype::i2);
  BOOST_TEST(first_diagnostic_line([&] {
               npy_decode(good.substr(0, good.size() - 1), "t.npy");
             }).rfind("error[NPY004] t.npy:", 0) == 0);
  BOOST_TEST(first_diagnostic_line([&] { npy_decode("garbage!garbage", "g.npy"); }).rfind("error[NPY001] g.npy:", 0) ==
             0);
  std::string f8 = good;
  f8.replace(f8.find("<i2"), 3, "<f8");
  BOOST_TEST(first_diagnostic_line([&] { npy_decode(f8, "d.npy"); }).rfind("error[NPY002] d.npy:descr:", 0) == 0);
  BOOST_CHECK_THROW(npy_encode_ints({1}, std::vector<int32_t>{300}.data(), NpyDtype::i1), std::invalid_argument);
  BOOST_TEST(npy_int_dtype_for_range(-128, 127) == NpyDtype::i1);
  BOOST_TEST(npy_int_dtype_for_range(0, 128) == NpyDtype::i2);
  BOOST_TEST(npy_int_dtype_for_range(0, 1 << 20) == NpyDtype::i4);
}

BOOST_AUTO_TEST_CASE(sha256_known_vectors) {
  BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(atomic_file_leaves_no_temporaries) {
  const fs::path dir = temp_dir("atomic");
  write_file_atomic(dir / "sub" / "a.txt", "hello");
  write_file_atomic(dir / "sub" / "a.txt", "world");
  BOOST_TEST(read_file(dir / "sub" / "a.txt") == "world");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir / "sub")) {
    (void)e;
    ++entries;
  }
  BOOST_TEST(entries == 1);
  BOOST_TEST(first_diagnostic_line([&] { read_file(dir / "missing.txt"); }).rfind("error[IO002]", 0) == 0);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(read_file_reads_regular_files_only) {
  const fs::path dir = temp_dir("special");
  BOOST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);  // opening it must not wait for a writer
  BOOST_TEST(first_diagnostic_line([&] { read_file(dir / "fifo"); }) ==
             "error[IO002] " + (dir / "fifo").string() + ": is a FIFO, not a regular file");
  BOOST_TEST(first_diagnostic_line([&] { read_file("/dev/zero"); }) ==
             "error[IO002] /dev/zero: is a character device, not a regular file");
  BOOST_TEST(first_diagnostic_line([&] { read_file(dir); }) ==
             "error[IO002] " + dir.string() + ": is a directory, not a regular file");
  fs::create_symlink("loop", dir / "loop");
  BOOST_TEST(first_diagnostic_line([&] { read_file(dir / "loop"); }).find("Too many levels of symbolic links") !=
             std::string::npos);
  write_file_atomic(dir / "big", std::string(100, 'x'));
  BOOST_TEST(read_file(dir / "big", 100).size() == 100u);
  BOOST_TEST(first_diagnostic_line([&] { read_file(dir / "big", 99); }) ==
             "error[IO002] " + (dir / "big").string() + ": file is 100 bytes, more than the 99 this input may have");
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(staged_directory_is_all_or_nothing) {
  const fs::path dir = temp_dir("staged");
  const fs::path out = dir / "run";
  {
    StagedDirectory s(out);
    write_file_atomic(s.staging() / "x.csv", "a\n");
    // destroyed without commit: as if the run failed
  }
  BOOST_TEST(!fs::exists(out));
  BOOST_TEST(fs::is_empty(dir));  // the staging directory is gone too
  {
    StagedDirectory s(out);
    write_file_atomic(s.staging() / "x.csv", "a\n");
    s.commit();
  }
  BOOST_TEST(read_file(out / "x.csv") == "a\n");
  BOOST_TEST(first_diagnostic_line([&] { StagedDirectory again(out); }).rfind("error[IO003]", 0) == 0);
  {
    StagedDirectory s(out, /*replace=*/true);
    write_file_atomic(s.staging() / "y.csv", "b\n");
    s.commit();
  }
  BOOST_TEST(!fs::exists(out / "x.csv"));
  BOOST_TEST(read_file(out / "y.csv") == "b\n");
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(csv_quotes_and_counts) {
  CsvTable t({"name", "energy_pj", "macs"});
  t.row().add("conv1, \"big\"").add(0.1).add(int64_t{42});
  BOOST_TEST(t.str() == "name,energy_pj,macs\n\"conv1, \"\"big\"\"\",0.1,42\n");
  t.row().add("x");
  BOOST_CHECK_THROW(t.str(), std::logic_error);
  BOOST_TEST(format_number(1.0 / 3.0) == "0.3333333333333333");  // shortest that round-trips
  BOOST_TEST(format_number(2.5) == "2.5");
}

BOOST_AUTO_TEST_CASE(csv_lines_split_back_into_the_fields_written) {
  CsvTable t({"name", "note", "energy_pj"});
  t.row().add("conv1, \"big\"").add("").add(0.1);
  const std::string text = t.str();
  const std::string row = text.substr(text.find('\n') + 1, text.rfind('\n') - text.find('\n') - 1);
  const std::vector<std::string> fields = split_csv_line(row);
  BOOST_TEST(fields.size() == 3u);
  BOOST_TEST(fields.at(0) == "conv1, \"big\"");
  BOOST_TEST(fields.at(1) == "");
  BOOST_TEST(fields.at(2) == "0.1");
  BOOST_TEST(split_csv_line("a,b\r").back() == "b");
  BOOST_TEST(split_csv_line("").size() == 1u);
}

BOOST_AUTO_TEST_CASE(csv_files_read_back_strictly) {
  const fs::path dir = fs::temp_directory_path() / ("wrpn-test-csv-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  CsvTable t({"name", "energy_pj"});
  t.row().add("conv1, \"big\"").add(0.1);
  t.row().add("fc").add(int64_t{3});
  write_file_atomic(dir / "ok.csv", t.str() + "\n");
  const CsvFile ok = read_csv((dir / "ok.csv").string());
  BOOST_TEST(ok.rows.size() == 2u);  // the trailing empty line is skipped
  BOOST_TEST(ok.column("energy_pj") == 1);
  BOOST_TEST(ok.column("missing") == -1);
  BOOST_TEST(ok.rows.at(0).at(0) == "conv1, \"big\"");
  BOOST_TEST(ok.number(0, "energy_pj") == 0.1);
  BOOST_TEST(ok.lines.at(1) == 3u);
  BOOST_TEST(first_diagnostic_line([&] { ok.number(0, "name"); }).find("error[CFG002]") == 0u);
  BOOST_TEST(first_diagnostic_line([&] { ok.number(0, "power_mw"); }).find("error[CFG004]") == 0u);
  write_file_atomic(dir / "ragged.csv", "a,b\n1,2\n3\n");
  const std::string ragged = first_diagnostic_line([&] { read_csv((dir / "ragged.csv").string()); });
  BOOST_TEST(ragged.find("error[CFG002]") == 0u);
  BOOST_TEST(ragged.find("line 3") != std::string::npos);
  write_file_atomic(dir / "empty.csv", "");
  BOOST_TEST(first_diagnostic_line([&] { read_csv((dir / "empty.csv").string()); }).find("error[CFG004]") == 0u);
  BOOST_TEST(first_diagnostic_line([&] { read_csv((dir / "absent.csv").string()); }).find("error[IO002]") == 0u);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(action_counts_json_round_trip_and_sum) {
  ActionCounts a;
  a.layer = "conv1";
  a.source = "analytic";
  a.pe_type = PeType::ternary;
  a.macs = 100;
  a.cycles = 10;
  a.buffers = {{"weight_buffer", 64, 64, 5, 1}};
  ActionCounts b = a;
  b.layer = "conv2";
  b.buffers = {{"weight_buffer", 64, 64, 1, 1}, {"input_buffer", 32, 64, 7, 0}};
  const nlohmann::json j = a;
  const ActionCounts back = j.get<ActionCounts>();
  BOOST_TEST(back.macs == 100u);
  BOOST_TEST(back.pe_type == PeType::ternary);
  BOOST_TEST(back.buffers.at(0).read_words == 5u);
  BOOST_TEST(back.clock_gating);
  BOOST_TEST((back.dram_type == DramType::ddr3));
  // The pricing context (clock gating, DRAM type, banks and ports) travels with the counts.
  ActionCounts c = a;
  c.clock_gating = false;
  c.dram_type = DramType::lpddr4;
  c.buffers[0].banks = 4;
  c.buffers[0].ports = 2;
  const ActionCounts c_back = nlohmann::json(c).get<ActionCounts>();
  BOOST_TEST(!c_back.clock_gating);
  BOOST_TEST((c_back.dram_type == DramType::lpddr4));
  BOOST_TEST(c_back.buffers.at(0).banks == 4);
  BOOST_TEST(c_back.buffers.at(0).ports == 2);
  BOOST_TEST(!sum_counts({c, c}).clock_gating);
  const ActionCounts total = sum_counts({a, b});
  BOOST_TEST(total.layer == "total");
  BOOST_TEST(total.macs == 200u);
  BOOST_TEST(total.cycles == 20u);
  BOOST_TEST(total.buffer("weight_buffer")->read_words == 6u);
  BOOST_TEST(total.buffer("input_buffer")->read_words == 7u);
  BOOST_TEST(total.buffer("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(staged_directory_with_an_owner_replaces_only_its_own_output) {
  const fs::path d = temp_dir("owned");
  // A user's directory is never replaced (IO006), and is left as it was.
  std::ofstream(d / "notes.txt") << "mine";
  BOOST_TEST(first_diagnostic_line([&] { StagedDirectory s(d, /*replace=*/true, "paper"); }) ==
             "error[IO006] " + d.string() + ": directory was not written by `wrpn paper`; refusing to replace it");
  BOOST_TEST(fs::exists(d / "notes.txt"));
  // Its own output (the marker) is replaced; another command's is refused by name.
  const fs::path out = d / "out";
  for (int i = 0; i < 2; ++i) {
    StagedDirectory s(out, /*replace=*/true, "paper");
    write_file_atomic(s.staging() / "a.txt", std::to_string(i));
    s.commit();
  }
  BOOST_TEST(read_file(out / "a.txt") == "1");
  BOOST_TEST(first_diagnostic_line([&] { require_own_output_directory(out, "demo"); }) ==
             "error[IO006] " + out.string() +
                 ": directory was written by `wrpn paper`, not `wrpn demo`; refusing to replace it");
  // A missing or empty directory is free to take.
  fs::create_directories(d / "empty");
  BOOST_TEST(first_diagnostic_line([&] { require_own_output_directory(d / "empty", "demo"); }) == kNoDiagnostic);
  BOOST_TEST(first_diagnostic_line([&] { require_own_output_directory(d / "absent", "demo"); }) == kNoDiagnostic);
  fs::remove_all(d);
}

BOOST_AUTO_TEST_CASE(file_lock_excludes_a_second_holder_until_released) {
  const fs::path d = temp_dir("lock");
  {
    FileLock a(d / "x.lock");
    BOOST_TEST(a.locked());
    a.set_holder("pid 1");
    // flock belongs to the open file: a second open, even in this process, is excluded.
    FileLock b(d / "x.lock", /*wait=*/false);
    BOOST_TEST(!b.locked());
    BOOST_TEST(b.holder() == "pid 1");
  }
  FileLock c(d / "x.lock", /*wait=*/false);
  BOOST_TEST(c.locked());
  // A lock file that cannot be created is a diagnostic, not a hang.
  BOOST_TEST(first_diagnostic_line([&] { FileLock e(d / "no" / "such" / "dir.lock"); }).rfind("error[IO007]", 0) == 0);
  fs::remove_all(d);
}

BOOST_AUTO_TEST_SUITE_END()
