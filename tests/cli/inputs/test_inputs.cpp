// Bad, edited and special inputs given to the real `wrpn` binary, one case per defect a user met:
// each checks the exit code and the diagnostic's first line, and where a run directory is involved,
// that it stays usable. Training is tiny (lenet W4A4, 1 epoch, 500 training and 200 test images).
// WRPN_BIN in the environment runs the suite against another build of `wrpn`.
#define BOOST_TEST_MODULE wrpn_cli_inputs
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "common/subprocess.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kRoot = WRPN_SOURCE_DIR;

std::string wrpn_bin() {
  const char* e = std::getenv("WRPN_BIN");
  return e && *e ? std::string(e) : std::string(WRPN_BIN);
}

struct Run {
  int code = 0;
  std::string output;
  /// The first "error[...]" line of the output, or "" when there is none.
  std::string error() const {
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("error[", 0) == 0) return line;
    return "";
  }
};

/// Runs `wrpn args...` under `timeout -s KILL` (a hang fails the case instead of the suite), with
/// an optional address-space limit in KiB (so a reader that grows without bound fails fast).
Run run_wrpn(const std::vector<std::string>& args, int timeout_s = 120, long vmem_kib = 0) {
  std::string cmd = vmem_kib > 0 ? "ulimit -v " + std::to_string(vmem_kib) + "; " : "";
  cmd += "exec timeout -s KILL " + std::to_string(timeout_s) + " \"$0\" \"$@\"";
  std::vector<std::string> argv = {"sh", "-c", cmd, wrpn_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  const wrpn::ProcessResult r = wrpn::run_process(argv, true);
  BOOST_TEST_MESSAGE("wrpn " << [&] {
    std::string s;
    for (const auto& a : args) s += a.substr(0, 60) + " ";
    return s;
  }() << "-> exit " << r.exit_code);
  return {r.exit_code, r.output};
}

/// Checks exit code 3 and a first diagnostic line with code `code` containing `part`.
void expect_diagnostic(const Run& r, const std::string& code, const std::string& part = "") {
  BOOST_TEST(r.code == 3, "exit " << r.code << ", output: " << r.output.substr(0, 600));
  const std::string e = r.error();
  BOOST_TEST(e.rfind("error[" + code + "]", 0) == 0, "first diagnostic: " << e);
  if (!part.empty()) BOOST_TEST(e.find(part) != std::string::npos, "first diagnostic: " << e);
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

/// Scratch space of this process, removed at the end.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("wrpn_cli_inputs_" + std::to_string(static_cast<long>(::getpid())));
  Scratch() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
Scratch& scratch() {
  static Scratch s;
  return s;
}

const std::vector<std::string> kTiny = {"--model",  "lenet", "--wbits",        "4",   "--abits",       "4",
                                        "--epochs", "1",     "--train-images", "500", "--test-images", "200",
                                        "--quiet"};

fs::path train_run(const std::string& name, const std::vector<std::string>& extra = {}) {
  const fs::path out = scratch().dir / name;
  if (fs::exists(out / "checkpoint.bin")) return out;
  std::vector<std::string> args = {"train"};
  args.insert(args.end(), kTiny.begin(), kTiny.end());
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--out", out.string()});
  const Run r = run_wrpn(args);
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  return out;
}

/// The shared run (seed 1) and its trace of 4 test images.
fs::path base_run() { return train_run("run"); }
fs::path base_trace() {
  const fs::path t = scratch().dir / "trace";
  if (!fs::exists(t / "trace.json")) {
    const Run r = run_wrpn(
        {"trace", "--checkpoint", (base_run() / "checkpoint.bin").string(), "--images", "4", "--out", t.string()});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  }
  return t;
}

fs::path copy_dir(const fs::path& src, const std::string& name) {
  const fs::path dst = scratch().dir / name;
  fs::remove_all(dst);
  fs::copy(src, dst, fs::copy_options::recursive);
  return dst;
}

/// SHA-256 of trace.json's canonical content, as the trace spec defines it: the compact dump
/// (sorted keys) without the "content_sha256" key.
std::string content_sha(json j) {
  j.erase("content_sha256");
  return wrpn::sha256_hex(j.dump());
}

/// A copy of the shared trace with trace.json changed by `edit`. With `reseal`, a stored
/// content_sha256 is updated to match (a deliberate forgery the other checks must still catch).
fs::path edited_trace(const std::string& name, const std::function<void(json&)>& edit, bool reseal = true) {
  const fs::path dir = copy_dir(base_trace(), name);
  json j = json::parse(read_all(dir / "trace.json"));
  edit(j);
  if (reseal && j.contains("content_sha256")) j["content_sha256"] = content_sha(j);
  write_all(dir / "trace.json", j.dump(1));
  return dir;
}

/// The path of layer `layer`'s tensor `tensor` in trace `dir`.
fs::path tensor_path(const fs::path& dir, size_t layer, const std::string& tensor) {
  const json j = json::parse(read_all(dir / "trace.json"));
  return dir / j["layers"][layer]["tensors"][tensor]["file"].get<std::string>();
}

/// A copy of a checkpoint with its payload changed by `edit` and every checksum recomputed (format
/// 1: the payload's; format 2: the payload's and the one over header and payload).
fs::path resealed_checkpoint(const fs::path& src, const std::string& name,
                             const std::function<void(std::string&)>& edit) {
  const std::string bytes = read_all(src);
  const size_t magic_end = bytes.find('\n') + 1;
  const std::string magic = bytes.substr(0, magic_end);
  const size_t header_end = bytes.find('\n', magic_end);
  json h = json::parse(bytes.substr(magic_end, header_end - magic_end));
  const bool v2 = magic == "WRPN-CHECKPOINT 2\n";
  std::string payload = bytes.substr(v2 ? header_end + 1 + 65 : header_end + 1);
  edit(payload);
  h["payload_sha256"] = wrpn::sha256_hex(payload);
  const std::string header = h.dump();
  const fs::path out = scratch().dir / name;
  write_all(out, magic + header + "\n" + (v2 ? wrpn::sha256_hex(header + "\n" + payload) + "\n" : "") + payload);
  return out;
}

fs::path write_config(const std::string& name, const std::string& text) {
  const fs::path p = scratch().dir / name;
  write_all(p, text);
  return p;
}

/// `text` with the first number (in document order) replaced by `number_text`.
std::string with_first_number(const std::string& text, const std::string& number_text) {
  json j = json::parse(text);
  std::function<bool(json&)> replace = [&](json& v) {
    if (v.is_number()) {
      v = "@@NUMBER@@";
      return true;
    }
    if (v.is_object() || v.is_array())
      for (auto& e : v)
        if (replace(e)) return true;
    return false;
  };
  BOOST_REQUIRE(replace(j));
  std::string s = j.dump(1);
  s.replace(s.find("\"@@NUMBER@@\""), 12, number_text);
  return s;
}

}  // namespace

// ------------------------------------------------------------------ run directories

BOOST_AUTO_TEST_CASE(run_interrupted_in_first_epoch_resumes) {
  // An interrupt before the first checkpoint leaves config.json and manifest.json (and perhaps a
  // temporary file of an atomic write). That directory must lead somewhere: a plain re-run points
  // to --resume, and --resume trains it to the same checkpoint the uninterrupted run wrote.
  const fs::path done = base_run();
  const fs::path dir = copy_dir(done, "interrupted");
  fs::remove(dir / "checkpoint.bin");
  fs::remove(dir / "log.csv");
  write_all(dir / "checkpoint.bin.tmp-4242-1f2e3d", "partial");
  std::vector<std::string> again = {"train"};
  again.insert(again.end(), kTiny.begin(), kTiny.end());
  again.insert(again.end(), {"--out", dir.string()});
  const Run plain = run_wrpn(again);
  expect_diagnostic(plain, "TRN004");
  BOOST_TEST(plain.output.find("--resume") != std::string::npos, plain.output);
  const Run resumed = run_wrpn({"train", "--resume", "--quiet", "--out", dir.string()});
  BOOST_TEST(resumed.code == 0, resumed.output);
  BOOST_TEST(fs::exists(dir / "checkpoint.bin"));
  BOOST_TEST((read_all(dir / "checkpoint.bin") == read_all(done / "checkpoint.bin")));
}

BOOST_AUTO_TEST_CASE(resume_refuses_a_different_epoch_count) {
  const fs::path dir = copy_dir(base_run(), "resume_epochs");
  const std::string before = read_all(dir / "checkpoint.bin");
  expect_diagnostic(run_wrpn({"train", "--resume", "--epochs", "3", "--quiet", "--out", dir.string()}), "TRN004",
                    "--epochs");
  BOOST_TEST((read_all(dir / "checkpoint.bin") == before));  // nothing touched
  // The saved value itself is no conflict.
  BOOST_TEST(run_wrpn({"train", "--resume", "--epochs", "1", "--quiet", "--out", dir.string()}).code == 0);
}

// ------------------------------------------------------------------ checkpoints

BOOST_AUTO_TEST_CASE(infer_refuses_the_wrong_checkpoint) {
  const fs::path trace = base_trace();
  const fs::path other = train_run("run_seed2", {"--seed", "2"});
  expect_diagnostic(run_wrpn({"infer", "--trace", trace.string(), "--checkpoint", (other / "checkpoint.bin").string(),
                              "--test-images", "200"}),
                    "TRN006");
  const Run right = run_wrpn({"infer", "--trace", trace.string(), "--checkpoint",
                              (base_run() / "checkpoint.bin").string(), "--test-images", "200"});
  BOOST_TEST(right.code == 0, right.output);
}

BOOST_AUTO_TEST_CASE(non_finite_weights_are_refused) {
  const fs::path nan_ckpt = resealed_checkpoint(base_run() / "checkpoint.bin", "nan.bin", [](std::string& payload) {
    const float nan = std::nanf("");
    std::memcpy(&payload[0], &nan, sizeof nan);  // conv1's first weight
  });
  expect_diagnostic(run_wrpn({"trace", "--checkpoint", nan_ckpt.string(), "--images", "2", "--out",
                              (scratch().dir / "nan_trace").string()}),
                    "TRN009");
  BOOST_TEST(!fs::exists(scratch().dir / "nan_trace"));
}

BOOST_AUTO_TEST_CASE(checkpoint_header_is_inside_its_checksum) {
  const std::string bytes = read_all(base_run() / "checkpoint.bin");
  const size_t at = bytes.find("\"wbits\":4");
  BOOST_REQUIRE(at != std::string::npos);
  std::string edited = bytes;
  edited.replace(at, 9, "\"wbits\":2");
  const fs::path wbits = write_config("wbits_edited.bin", edited);
  expect_diagnostic(run_wrpn({"trace", "--checkpoint", wbits.string(), "--images", "2", "--out",
                              (scratch().dir / "wbits_trace").string()}),
                    "TRN005");
  const fs::path dir = copy_dir(base_run(), "epochs_edited");
  edited = bytes;
  const size_t ed = edited.find("\"epochs_done\":1");
  BOOST_REQUIRE(ed != std::string::npos);
  edited.replace(ed, 15, "\"epochs_done\":-5");
  write_all(dir / "checkpoint.bin", edited);
  expect_diagnostic(run_wrpn({"train", "--resume", "--quiet", "--out", dir.string()}), "TRN005");
}

// ------------------------------------------------------------------ numbers and seeds

BOOST_AUTO_TEST_CASE(overflowing_json_numbers_are_range_errors) {
  for (const std::string rel : {"configs/arch/edge.json", "configs/tech/horowitz45.json",
                                "configs/train/lenet_w2_w4a4.json", "configs/sweep/alexnet-timing.json"}) {
    BOOST_TEST_CONTEXT(rel) {
      const fs::path p =
          write_config(fs::path(rel).filename().string(), with_first_number(read_all(kRoot + "/" + rel), "1e400"));
      expect_diagnostic(run_wrpn({"validate", p.string()}), "CFG002", "out of range");
    }
  }
  const fs::path dir = copy_dir(base_trace(), "trace_overflow");
  write_all(dir / "trace.json", with_first_number(read_all(dir / "trace.json"), "-1e400"));
  expect_diagnostic(run_wrpn({"validate", dir.string()}), "CFG002", "out of range");
}

BOOST_AUTO_TEST_CASE(seeds_round_trip_exactly) {
  std::vector<std::string> args = {"train"};
  args.insert(args.end(), kTiny.begin(), kTiny.end());
  for (const std::string bad : {"-1", "18446744073709551616", "1.5"}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--seed", bad, "--out", (scratch().dir / "seed_bad").string()});
    expect_diagnostic(run_wrpn(a, 60), "TRN003", "seed");
  }
  BOOST_TEST(!fs::exists(scratch().dir / "seed_bad" / "checkpoint.bin"));
  // A seed above 2^63 in a config is kept exactly in the run's config.json.
  const fs::path cfg = write_config("seed_big.json",
                                    "{\"kind\": \"train\", \"version\": 1, \"model\": \"lenet\", \"wbits\": 4, "
                                    "\"abits\": 4, \"epochs\": 1, \"train_images\": 100, \"test_images\": 100, "
                                    "\"seed\": 9223372036854775813}");
  const fs::path out = scratch().dir / "seed_big_run";
  const Run r = run_wrpn({"train", "--config", cfg.string(), "--quiet", "--out", out.string()});
  BOOST_TEST_REQUIRE(r.code == 0, r.output);
  const json saved = json::parse(read_all(out / "config.json"));
  BOOST_TEST(saved["seed"].dump() == "9223372036854775813");
}

// ------------------------------------------------------------------ trace.json and tensors

BOOST_AUTO_TEST_CASE(symlink_loops_are_diagnosed) {
  const fs::path loop = scratch().dir / "loop.json";
  fs::create_symlink(loop.filename(), loop);
  const Run direct = run_wrpn({"validate", loop.string()});
  BOOST_TEST(direct.code == 3, direct.output);
  BOOST_TEST(!direct.error().empty(), direct.output);
  const fs::path dir = copy_dir(base_trace(), "trace_loop");
  const fs::path npy = tensor_path(dir, 0, "weights");
  fs::remove(npy);
  fs::create_symlink(npy.filename(), npy);
  const Run inside = run_wrpn({"validate", dir.string()});
  BOOST_TEST(inside.code == 3, inside.output);
  BOOST_TEST(!inside.error().empty(), inside.output);
}

BOOST_AUTO_TEST_CASE(special_files_in_a_trace_do_not_hang) {
  const fs::path fifo_dir = copy_dir(base_trace(), "trace_fifo");
  const fs::path npy = tensor_path(fifo_dir, 0, "weights");
  fs::remove(npy);
  BOOST_REQUIRE(::mkfifo(npy.c_str(), 0644) == 0);
  expect_diagnostic(run_wrpn({"validate", fifo_dir.string()}, 20), "IO002", "FIFO");
  const fs::path zero_dir = copy_dir(base_trace(), "trace_zero");
  const fs::path z = tensor_path(zero_dir, 0, "weights");
  fs::remove(z);
  fs::create_symlink("/dev/zero", z);
  expect_diagnostic(run_wrpn({"validate", zero_dir.string()}, 20, 2L << 20), "IO002", "device");
}

BOOST_AUTO_TEST_CASE(messages_say_what_is_wrong) {
  // A directory given as a config is not "malformed JSON".
  const fs::path d = scratch().dir / "a_directory.json";
  fs::create_directories(d);
  std::vector<std::string> args = {"train", "--config", d.string(), "--out", (scratch().dir / "unused").string()};
  expect_diagnostic(run_wrpn(args), "CFG006", "directory");
  // A directory in place of a tensor is not a checksum mismatch.
  const fs::path dir = copy_dir(base_trace(), "trace_dir_npy");
  const fs::path npy = tensor_path(dir, 0, "weights");
  fs::remove(npy);
  fs::create_directories(npy);
  expect_diagnostic(run_wrpn({"validate", dir.string()}), "IO002", "directory");
  // Ranges are the user's ("epochs must be in [1, 100000]"), not an internal type limit.
  const fs::path epochs =
      write_config("epochs_huge.json", R"({"kind": "train", "version": 1, "model": "lenet", "epochs": 2000000000000})");
  const Run r = run_wrpn({"validate", epochs.string()});
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.error().find("100000]") != std::string::npos, r.error());
  BOOST_TEST(r.error().find("e+") == std::string::npos, r.error());
  // A 10,000-character value is not echoed whole.
  const fs::path longv = write_config(
      "long_model.json", R"({"kind": "train", "version": 1, "model": ")" + std::string(10000, 'x') + "\"}");
  const Run l = run_wrpn({"validate", longv.string()});
  expect_diagnostic(l, "TRN001");
  BOOST_TEST(l.error().size() < 400u, l.error().size());
}

BOOST_AUTO_TEST_CASE(trace_op_the_executors_do_not_run_is_refused) {
  const fs::path dir = edited_trace("trace_concat", [](json& j) { j["layers"][1]["op"] = "concat"; });
  expect_diagnostic(run_wrpn({"validate", dir.string()}), "TRC008", "concat");
}

BOOST_AUTO_TEST_CASE(edited_requant_multiplier_fails_validate) {
  const fs::path dir = edited_trace(
      "trace_multiplier",
      [](json& j) {
        auto& m = j["layers"][0]["requant"]["multiplier"][0];
        m = m.get<int64_t>() + 1;
      },
      /*reseal=*/false);
  expect_diagnostic(run_wrpn({"validate", dir.string()}), "TRC007");
  const Run infer = run_wrpn({"infer", "--trace", dir.string(), "--no-dataset"});
  BOOST_TEST(infer.code == 3, infer.output);
}

BOOST_AUTO_TEST_CASE(requant_multiplier_beyond_int64_is_a_range_error) {
  const fs::path dir =
      edited_trace("trace_m63", [](json& j) { j["layers"][0]["requant"]["multiplier"][0] = uint64_t{1} << 63; });
  expect_diagnostic(run_wrpn({"validate", dir.string()}), "CFG002", "9223372036854775808");
}

BOOST_AUTO_TEST_CASE(layers_must_chain) {
  const fs::path reversed =
      edited_trace("trace_reversed", [](json& j) { std::reverse(j["layers"].begin(), j["layers"].end()); });
  expect_diagnostic(run_wrpn({"validate", reversed.string()}), "TRC009");
  const fs::path duplicated =
      edited_trace("trace_duplicated", [](json& j) { j["layers"].insert(j["layers"].begin() + 2, j["layers"][1]); });
  expect_diagnostic(run_wrpn({"validate", duplicated.string()}), "TRC009");
  const fs::path missing = edited_trace("trace_missing", [](json& j) { j["layers"].erase(1); });
  expect_diagnostic(run_wrpn({"validate", missing.string()}), "TRC009");
}

// ------------------------------------------------------------------ configs and flags

BOOST_AUTO_TEST_CASE(duplicate_json_keys_are_errors) {
  const fs::path p =
      write_config("dup.json", R"({"kind": "train", "version": 1, "model": "lenet", "epochs": 1, "epochs": 30})");
  expect_diagnostic(run_wrpn({"validate", p.string()}), "CFG007", "/epochs");
}

BOOST_AUTO_TEST_CASE(train_config_must_name_its_model) {
  const fs::path p = write_config("no_model.json", R"({"kind": "train", "version": 1, "epochs": 1})");
  expect_diagnostic(run_wrpn({"validate", p.string()}), "CFG004", "model");
}

BOOST_AUTO_TEST_CASE(image_limits_beyond_the_dataset_are_refused) {
  std::vector<std::string> args = {
      "train",          "--model",  "lenet",         "--epochs", "1",     "--quiet",
      "--train-images", "99999999", "--test-images", "100",      "--out", (scratch().dir / "too_many").string()};
  expect_diagnostic(run_wrpn(args, 60), "TRN003", "99999999");
  BOOST_TEST(!fs::exists(scratch().dir / "too_many" / "config.json"));
  expect_diagnostic(
      run_wrpn({"demo", "--train-images", "-1", "--skip-rtl", "--out", (scratch().dir / "demo").string()}, 60),
      "DSE005", "-1");
}

BOOST_AUTO_TEST_CASE(infer_threads_are_bounded) {
  expect_diagnostic(run_wrpn({"infer", "--trace", base_trace().string(), "--threads", "100000", "--no-dataset"}),
                    "TRN003", "threads");
}

// `wrpn train` takes the same --first-/--last- precision flags as sim, energy, map, workload and
// footprint: the widths the trainer trains are kept in the run's config, the others refused.
BOOST_AUTO_TEST_CASE(train_takes_the_shared_first_last_flags) {
  const std::vector<std::string> base = {"train",          "--model", "lenet",         "--wbits", "4",
                                         "--abits",        "4",       "--epochs",      "1",       "--quiet",
                                         "--train-images", "64",      "--test-images", "64"};
  auto with = [&](std::vector<std::string> extra, const std::string& out) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    a.insert(a.end(), {"--out", (scratch().dir / out).string()});
    return a;
  };
  const auto ok = run_wrpn(
      with({"--first-wbits", "6", "--last-wbits", "6", "--first-abits", "8", "--last-abits", "4"}, "first_last_ok"),
      120);
  BOOST_TEST_INFO(ok.output.substr(0, 600));
  BOOST_REQUIRE_EQUAL(ok.code, 0);
  const json saved = json::parse(read_all(scratch().dir / "first_last_ok" / "config.json"));
  BOOST_TEST(saved.at("first_last_wbits").get<int>() == 6);
  expect_diagnostic(run_wrpn(with({"--first-wbits", "6", "--last-wbits", "8"}, "first_last_differ")), "TRN002",
                    "one weight width");
  expect_diagnostic(run_wrpn(with({"--first-abits", "4"}, "first_abits_bad")), "TRN002", "pixel codes");
  expect_diagnostic(run_wrpn(with({"--last-abits", "8"}, "last_abits_bad")), "TRN002", "--last-abits");
  expect_diagnostic(run_wrpn(with({"--first-wbits", "6", "--first-last-wbits", "6"}, "both_given")), "TRN002",
                    "not both");
  for (const std::string out : {"first_last_differ", "first_abits_bad", "last_abits_bad", "both_given"})
    BOOST_TEST(!fs::exists(scratch().dir / out / "config.json"), out);
}

// ---------------------------------------------------------------- the one CLI convention (docs/cli.md)

namespace {

/// The subcommand names listed in a `--help` text (its "Subcommands:" section, two-space indent).
std::vector<std::string> listed_subcommands(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream in(help);
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Subcommands:", 0) == 0 || line.rfind("SUBCOMMANDS:", 0) == 0) {
      in_section = true;
      continue;
    }
    if (!in_section) continue;
    if (line.empty() || line[0] != ' ') {
      if (!line.empty()) in_section = false;
      continue;
    }
    if (line.size() > 2 && line[0] == ' ' && line[1] == ' ' && line[2] != ' ')
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return names;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_help_has_an_example) {
  // Every command and subcommand `wrpn --help` lists, recursively, plus the hidden sweep workers.
  std::vector<std::vector<std::string>> todo = {{}, {"sweep-point"}, {"sweep-chunk"}};
  size_t checked = 0;
  while (!todo.empty()) {
    const std::vector<std::string> cmd = todo.back();
    todo.pop_back();
    std::vector<std::string> args = cmd;
    args.push_back("--help");
    const Run r = run_wrpn(args, 30);
    std::string name = "wrpn";
    for (const auto& c : cmd) name += " " + c;
    BOOST_TEST(r.code == 0, name << " --help: exit " << r.code);
    BOOST_TEST(r.output.find("\nExample: wrpn ") != std::string::npos, name << " --help has no \"Example: wrpn\"");
    ++checked;
    for (const auto& sub : listed_subcommands(r.output)) {
      std::vector<std::string> next = cmd;
      next.push_back(sub);
      todo.push_back(next);
    }
  }
  BOOST_TEST(checked >= 25u, "only " << checked << " help texts found: the Subcommands: section was not parsed");
}

BOOST_AUTO_TEST_CASE(network_is_a_flag_on_every_command) {
  for (const std::string cmd : {"workload", "footprint"}) {
    const Run flag = run_wrpn({cmd, "--network", "lenet", "--width", "2"}, 30);
    const Run positional = run_wrpn({cmd, "lenet", "--width", "2"}, 30);  // the accepted alias
    BOOST_TEST(flag.code == 0, cmd << " --network: " << flag.output.substr(0, 400));
    BOOST_TEST(flag.output == positional.output, cmd << ": --network lenet and the positional lenet differ");
    BOOST_TEST(flag.output.find("lenet, width 2") != std::string::npos, flag.output.substr(0, 400));
    BOOST_TEST(run_wrpn({cmd}, 30).code == 2, cmd << " without a network is a usage error");
    BOOST_TEST(run_wrpn({cmd, "lenet", "--network", "mlp"}, 30).code == 2, cmd << ": both forms at once");
  }
}

BOOST_AUTO_TEST_CASE(bits_rule_has_one_code_on_the_command_line) {
  const fs::path out = scratch().dir / "bits_rule";
  const std::vector<std::vector<std::string>> cmds = {
      {"sim", "--network", "lenet", "--out", (out / "sim").string()},
      {"energy", "--network", "lenet", "--out", (out / "energy").string()},
      {"map", "--network", "lenet", "--out", (out / "map").string()},
      {"workload", "--network", "lenet"},
      {"footprint", "--network", "lenet"},
      {"train", "--model", "lenet", "--epochs", "1", "--out", (out / "train").string()}};
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--wbits", "17"}, {"--abits", "0"}, {"--wbits", "33"}, {"--first-wbits", "20"}, {"--last-abits", "64"}};
  for (const auto& cmd : cmds)
    for (const auto& [flag, value] : bad) {
      std::vector<std::string> args = cmd;
      args.insert(args.end(), {flag, value});
      const Run r = run_wrpn(args, 60);
      BOOST_TEST_INFO(cmd[0] << " " << flag << " " << value);
      expect_diagnostic(r, "NET007", flag + ": bit width must be 1..16 or 32 (FP32), got " + value);
    }
  BOOST_TEST(!fs::exists(out), "a refused command line wrote " << out);
}
