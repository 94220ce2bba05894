// The `wrpn` binary as a user runs it: long jobs (demo, paper, sweeps) never lose or misreport work.
// Each case drives the real binary in a directory of its own under the build tree (cli-runs/<case>).
#define BOOST_TEST_MODULE cli_runs
#include <boost/test/unit_test.hpp>

#include "tests/cli/runs/cli_process.h"

using namespace wrpn::cli;

namespace {

const std::string kFixtures = std::string(WRPN_SOURCE_DIR) + "/tests/fixtures/";

/// A sweep whose points each train lenet (a few seconds at least): time to signal it mid-way.
std::string slow_sweep(const fs::path& dir) {
  return R"({"kind": "sweep", "version": 1, "name": "slow", "network": "lenet",
             "axes": {"wbits": [4], "abits": [4]},
             "run": {"accuracy": "train", "train_epochs": 1, "train_images": 3000,
                     "train_cache": ")" +
         (dir / "cache").string() + R"("}})";
}

/// Waits until a trainer runs for the sweep (a process mentions the training cache).
bool training_started(const fs::path& dir) {
  return eventually([&] { return !processes_mentioning((dir / "cache").string()).empty(); }, 60);
}

/// The last progress line the sweep printed on stderr.
std::string last_progress_line(const std::string& err) {
  std::istringstream in(err);
  std::string line, last;
  while (std::getline(in, line))
    if (line.rfind("sweep [", 0) == 0) last = line;
  return last;
}

/// Number of point results a sweep directory holds.
size_t point_results(const fs::path& dir) {
  if (!fs::is_directory(dir / "points")) return 0;
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir / "points"))
    if (e.path().extension() == ".json") ++n;
  return n;
}

/// Leaves no process of a case behind, whatever happened.
struct Reaper {
  std::string needle;
  ~Reaper() { kill_all_mentioning(needle); }
};

/// An arch whose buffers are too small for lenet (every point fails), or big enough.
std::string arch_with_buffers(int capacity_kib) {
  // A plain scan rather than std::regex: GCC 12 reports a false maybe-uninitialized inside
  // <regex> under -O2 with the sanitizers, and warnings are errors.
  const std::string s = slurp(std::string(WRPN_SOURCE_DIR) + "/configs/arch/edge.json");
  const std::string key = "\"capacity_kib\": ";
  std::string out;
  size_t from = 0;
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, from)) {
    size_t end = at + key.size();
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    out += s.substr(from, at - from) + key + std::to_string(capacity_kib);
    from = end;
  }
  return out + s.substr(from);
}

}  // namespace

// ---------------------------------------------------------------- 1. demo steps keyed by their options

BOOST_AUTO_TEST_CASE(demo_redoes_steps_whose_options_changed) {
  const fs::path d = fresh_dir("demo_redoes_steps_whose_options_changed");
  const fs::path out = d / "demo";
  auto demo = [&](const std::string& epochs, const std::string& seed, const std::string& log) {
    return run({"demo", "--out", out.string(), "--epochs", epochs, "--seed", seed, "--train-images", "160",
                "--test-images", "100", "--trace-images", "1", "--threads", "1", "--skip-rtl"},
               d / log);
  };
  auto epochs_logged = [&](const std::string& side) {
    std::istringstream in(slurp(out / "work" / ("train-" + side) / "log.csv"));
    std::string line;
    int n = -1;  // the header
    while (std::getline(in, line))
      if (!line.empty()) ++n;
    return n;
  };
  Result r = demo("1", "1", "first");
  BOOST_TEST_REQUIRE(r.code == 0, r.out + r.err);
  BOOST_TEST(epochs_logged("fp32-w1") == 1);

  // Another seed only: both trainings and the steps that read them are redone; the FP32 timing
  // simulation (which depends on neither) is reused.
  const std::string seed1_log = slurp(out / "work" / "train-fp32-w1" / "log.csv");
  r = demo("1", "7", "seed");
  BOOST_TEST_REQUIRE(r.code == 0, r.out + r.err);
  for (const std::string step :
       {"train lenet FP32 width 1 (1 epochs)", "train lenet W4A4 width 2 (1 epochs)",
        "export the WRPN trace (1 test images)", "simulate WRPN bit-exactly on the SystemC model"})
    BOOST_TEST(r.out.find(step + ": done earlier") == std::string::npos, step);
  BOOST_TEST(r.out.find("simulate FP32 (timing only) on the FP32 array: done earlier") != std::string::npos, r.out);
  BOOST_TEST(slurp(out / "work" / "train-fp32-w1" / "log.csv") != seed1_log);

  // Two epochs now: retrained, and the report and the logs agree on it.
  r = demo("2", "7", "epochs");
  BOOST_TEST_REQUIRE(r.code == 0, r.out + r.err);
  BOOST_TEST(r.out.find("train lenet FP32 width 1 (2 epochs): done earlier") == std::string::npos, r.out);
  BOOST_TEST(r.out.find("train lenet W4A4 width 2 (2 epochs): done earlier") == std::string::npos, r.out);
  BOOST_TEST(epochs_logged("fp32-w1") == 2);
  BOOST_TEST(epochs_logged("w4a4-w2") == 2);
  BOOST_TEST(slurp(out / "report" / "report.md").find("Fashion-MNIST, 2 training epochs") != std::string::npos);

  // The same options again: every step is reused.
  r = demo("2", "7", "same");
  BOOST_TEST_REQUIRE(r.code == 0, r.out + r.err);
  BOOST_TEST(r.out.find("train lenet FP32 width 1 (2 epochs): done earlier") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("train lenet W4A4 width 2 (2 epochs): done earlier") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("export the WRPN trace (1 test images): done earlier") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("simulate FP32 (timing only) on the FP32 array: done earlier") != std::string::npos, r.out);
}

// ---------------------------------------------------------------- 2. replace only what a command wrote

BOOST_AUTO_TEST_CASE(paper_replaces_only_its_own_output) {
  const fs::path d = fresh_dir("paper_replaces_only_its_own_output");
  // A user's directory: files, a subfolder, a .git.
  write_text(d / "mine" / "thesis.tex", "text");
  write_text(d / "mine" / "figures" / "a.txt", "a");
  write_text(d / "mine" / ".git" / "HEAD", "ref: refs/heads/main\n");
  Result r = run({"paper", "--out", (d / "mine").string()}, d / "foreign", WRPN_SOURCE_DIR);
  BOOST_TEST(r.code == 3);
  BOOST_TEST(
      r.err.rfind("error[IO006] " + (d / "mine").string() + ": directory was not written by `wrpn paper`", 0) == 0,
      r.err);
  BOOST_TEST(slurp(d / "mine" / "thesis.tex") == "text");
  BOOST_TEST(fs::exists(d / "mine" / "figures" / "a.txt"));
  BOOST_TEST(fs::exists(d / "mine" / ".git" / "HEAD"));

  // Its own output is replaced as before.
  r = run({"paper", "--out", (d / "paper").string()}, d / "fresh", WRPN_SOURCE_DIR);
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  r = run({"paper", "--out", (d / "paper").string()}, d / "again", WRPN_SOURCE_DIR);
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(fs::exists(d / "paper" / "paper.md"));
}

BOOST_AUTO_TEST_CASE(demo_refuses_report_and_work_directories_it_did_not_write) {
  const fs::path d = fresh_dir("demo_refuses_report_and_work_directories_it_did_not_write");
  write_text(d / "out" / "report" / "notes.txt", "mine");
  const std::vector<std::string> tiny{"--epochs",       "1", "--train-images", "200", "--test-images", "100",
                                      "--trace-images", "1", "--skip-rtl"};
  std::vector<std::string> args{"demo", "--out", (d / "out").string()};
  args.insert(args.end(), tiny.begin(), tiny.end());
  Result r = run(args, d / "report");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[IO006] " + (d / "out" / "report").string(), 0) == 0, r.err);
  BOOST_TEST(slurp(d / "out" / "report" / "notes.txt") == "mine");
  BOOST_TEST(!fs::exists(d / "out" / "work"));  // refused before any step ran

  write_text(d / "out2" / "work" / "notes.txt", "mine");
  args = {"demo", "--out", (d / "out2").string(), "--restart"};
  args.insert(args.end(), tiny.begin(), tiny.end());
  r = run(args, d / "work");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[IO006] " + (d / "out2" / "work").string(), 0) == 0, r.err);
  BOOST_TEST(slurp(d / "out2" / "work" / "notes.txt") == "mine");
}

BOOST_AUTO_TEST_CASE(sim_replace_replaces_only_an_earlier_sim_run) {
  const fs::path d = fresh_dir("sim_replace_replaces_only_an_earlier_sim_run");
  write_text(d / "mine" / "notes.txt", "mine");
  Result r = run({"sim", "--network", "lenet", "--out", (d / "mine").string(), "--replace"}, d / "foreign");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[IO006] " + (d / "mine").string() + ": directory was not written by `wrpn sim`", 0) == 0,
             r.err);
  BOOST_TEST(slurp(d / "mine" / "notes.txt") == "mine");
  r = run({"sim", "--network", "lenet", "--out", (d / "run").string()}, d / "first");
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  r = run({"sim", "--network", "lenet", "--out", (d / "run").string(), "--replace"}, d / "replaced");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(fs::exists(d / "run" / "summary.json"));
}

// ---------------------------------------------------------------- 4. failed points

BOOST_AUTO_TEST_CASE(sweep_with_failed_points_exits_nonzero_and_retries_on_request) {
  const fs::path d = fresh_dir("sweep_with_failed_points_exits_nonzero_and_retries_on_request");
  write_text(d / "arch.json", arch_with_buffers(1));
  write_text(d / "sweep.json", R"({"kind": "sweep", "version": 1, "name": "f", "network": "lenet", "arch": ")" +
                                   (d / "arch.json").string() +
                                   R"(", "axes": {"wbits": [4], "abits": [4], "buffer_scale": [0.015625]}})");
  const fs::path out = d / "out";
  Result r = run({"sweep", (d / "sweep.json").string(), "--out", out.string(), "--workers", "2"}, d / "all-fail");
  BOOST_TEST(r.code == 1, r.out + r.err);
  BOOST_TEST(r.out.find("0 ok, 2 failed") != std::string::npos, r.out);
  BOOST_TEST(r.err.find("2 of 2 points failed") != std::string::npos, r.err);

  // report.md: one table row per failed point (multi-line reasons stay in their cell), and no link
  // to a plot that was never drawn.
  const std::string md = slurp(out / "report.md");
  const size_t failed = md.find("## Failed points");
  BOOST_TEST_REQUIRE(failed != std::string::npos, md);
  std::istringstream rows(md.substr(failed));
  std::string line;
  int point_rows = 0;
  while (std::getline(rows, line)) {
    if (line.rfind("| w4a4", 0) == 0 || line.rfind("| fp32", 0) == 0) ++point_rows;
    if (line.find("hint:") != std::string::npos)
      BOOST_TEST((line.rfind("| ", 0) == 0 && line.size() > 2 && line.substr(line.size() - 2) == " |"), line);
  }
  BOOST_TEST(point_rows == 2);
  for (const std::string png : {"plots/pareto.png", "plots/efficiency.png"})
    if (md.find("(" + png + ")") != std::string::npos) BOOST_TEST(fs::exists(out / png), png);

  // The cause is fixed: failed results are cached (still failed, exit 1) until --retry-failed.
  write_text(d / "arch.json", arch_with_buffers(4096));
  r = run({"sweep", (d / "sweep.json").string(), "--out", out.string(), "--workers", "2"}, d / "cached");
  BOOST_TEST(r.code == 1, r.out + r.err);
  BOOST_TEST(r.out.find("0 ok, 2 failed") != std::string::npos, r.out);
  r = run({"sweep", (d / "sweep.json").string(), "--out", out.string(), "--workers", "2", "--retry-failed"},
          d / "retried");
  BOOST_TEST(r.code == 0, r.out + r.err);
  BOOST_TEST(r.out.find("2 ok, 0 failed") != std::string::npos, r.out);
  BOOST_TEST(slurp(out / "report.md").find("(plots/pareto.png)") != std::string::npos);
  BOOST_TEST(fs::exists(out / "plots" / "pareto.png"));
}

BOOST_AUTO_TEST_CASE(validate_and_sweep_reject_what_points_would_fail_on) {
  const fs::path d = fresh_dir("validate_and_sweep_reject_what_points_would_fail_on");
  const fs::path unknown = d / "unknown.json", missing = d / "missing.json";
  write_text(
      unknown,
      R"({"kind": "sweep", "version": 1, "name": "u", "network": "nosuchnet", "axes": {"wbits": [4], "abits": [4]}})");
  write_text(missing, R"({"kind": "sweep", "version": 1, "name": "m", "network": ")" + (d / "nowhere.csv").string() +
                          R"(", "axes": {"wbits": [4], "abits": [4]}})");
  Result r = run({"validate", unknown.string()}, d / "v-unknown");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[NET001] " + unknown.string() + ":/network: unknown network \"nosuchnet\"", 0) == 0,
             r.err);
  r = run({"validate", missing.string()}, d / "v-missing");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[NET004] " + missing.string() + ":/network: " + (d / "nowhere.csv").string(), 0) == 0,
             r.err);
  // Accuracy "train" needs a network the trainer has.
  const fs::path untrainable = d / "untrainable.json";
  write_text(untrainable, R"({"kind": "sweep", "version": 1, "name": "t", "network": "alexnet",
                              "axes": {"wbits": [4], "abits": [4]}, "run": {"accuracy": "train"}})");
  r = run({"validate", untrainable.string()}, d / "v-untrainable");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[TRN001] " + untrainable.string() + ":/network: unknown model \"alexnet\"", 0) == 0,
             r.err);
  // The sweep refuses them before its first point: no directory, no failed results.
  r = run({"sweep", unknown.string(), "--out", (d / "out").string()}, d / "s-unknown");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[NET001]", 0) == 0, r.err);
  BOOST_TEST(!fs::exists(d / "out"));
}

// ---------------------------------------------------------------- 7. sweep processes

BOOST_AUTO_TEST_CASE(sweep_sigterm_is_an_interruption_that_stops_the_workers) {
  const fs::path d = fresh_dir("sweep_sigterm_is_an_interruption_that_stops_the_workers");
  const Reaper reaper{d.string()};
  write_text(d / "slow.json", slow_sweep(d));
  Child sweep({"sweep", (d / "slow.json").string(), "--out", (d / "out").string(), "--workers", "2"}, d / "sweep");
  BOOST_TEST_REQUIRE(training_started(d));
  kill(sweep.pid(), SIGTERM);
  const int code = sweep.wait_for(20);
  BOOST_TEST(code == 130, sweep.err());
  BOOST_TEST(sweep.err().find("interrupted") != std::string::npos, sweep.err());
  // Workers and the trainers they started are gone, and their points stay pending (no failed result).
  BOOST_TEST(eventually([&] { return processes_mentioning(d.string()).empty(); }, 10));
  BOOST_TEST(point_results(d / "out") == 0u);
}

BOOST_AUTO_TEST_CASE(sweep_ctrl_c_does_not_report_100_percent) {
  const fs::path d = fresh_dir("sweep_ctrl_c_does_not_report_100_percent");
  const Reaper reaper{d.string()};
  write_text(d / "slow.json", slow_sweep(d));
  // A terminal's Ctrl-C: SIGINT to the foreground process group the sweep was started in.
  Child sweep({"sweep", (d / "slow.json").string(), "--out", (d / "out").string(), "--workers", "2"}, d / "sweep", {},
              /*own_group=*/true);
  BOOST_TEST_REQUIRE(training_started(d));
  kill(-sweep.pid(), SIGINT);
  BOOST_TEST(sweep.wait_for(20) == 130, sweep.err());
  const std::string last = last_progress_line(sweep.err());
  BOOST_TEST(last.find("100%") == std::string::npos, last);
  BOOST_TEST(last.find("0/2") != std::string::npos, last);
  BOOST_TEST(eventually([&] { return processes_mentioning(d.string()).empty(); }, 10));
}

BOOST_AUTO_TEST_CASE(sweep_killed_outright_takes_its_workers_down) {
  const fs::path d = fresh_dir("sweep_killed_outright_takes_its_workers_down");
  const Reaper reaper{d.string()};
  write_text(d / "slow.json", slow_sweep(d));
  Child sweep({"sweep", (d / "slow.json").string(), "--out", (d / "out").string(), "--workers", "2"}, d / "sweep");
  BOOST_TEST_REQUIRE(training_started(d));
  kill(sweep.pid(), SIGKILL);
  BOOST_TEST(sweep.wait() == 128 + SIGKILL);
  BOOST_TEST(eventually([&] { return processes_mentioning(d.string()).empty(); }, 10));
}

BOOST_AUTO_TEST_CASE(two_sweeps_on_one_directory_are_locked_against_each_other) {
  const fs::path d = fresh_dir("two_sweeps_on_one_directory_are_locked_against_each_other");
  const Reaper reaper{d.string()};
  write_text(d / "slow.json", slow_sweep(d));
  const std::vector<std::string> args{"sweep", (d / "slow.json").string(), "--out", (d / "out").string(), "--workers",
                                      "2"};
  {
    Child first(args, d / "first");
    BOOST_TEST_REQUIRE(training_started(d));
    Result second = run(args, d / "second");
    BOOST_TEST(second.code == 3);
    BOOST_TEST(second.err.rfind("error[DSE023] " + (d / "out").string() + ": another `wrpn sweep` is running", 0) == 0,
               second.err);
    kill(first.pid(), SIGTERM);
    BOOST_TEST(first.wait_for(20) == 130);
  }
  // Started together on a new directory: one runs, the other gets the lock diagnostic (not DSE002).
  const std::vector<std::string> args2{"sweep", (d / "slow.json").string(), "--out", (d / "out2").string(), "--workers",
                                       "2"};
  Child a(args2, d / "a"), b(args2, d / "b");
  Child* loser = nullptr;
  BOOST_TEST_REQUIRE(eventually(
      [&] {
        if (a.wait_for(0) >= 0) loser = &a;
        if (b.wait_for(0) >= 0) loser = &b;
        return loser != nullptr;
      },
      30));
  BOOST_TEST(loser->wait() == 3);
  BOOST_TEST(loser->err().rfind("error[DSE023]", 0) == 0, loser->err());
  Child* winner = loser == &a ? &b : &a;
  kill(winner->pid(), SIGTERM);
  BOOST_TEST(winner->wait_for(20) == 130);
}

// ---------------------------------------------------------------- 10. paths stay in their directory

BOOST_AUTO_TEST_CASE(sweep_name_cannot_escape_results_sweeps) {
  const fs::path d = fresh_dir("sweep_name_cannot_escape_results_sweeps");
  const std::string fixture = kFixtures + "sweep/CFG002_name_bad.json";
  Result r = run({"validate", fixture}, d / "validate");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[CFG002] " + fixture + ":/name: expected a name of letters, digits", 0) == 0, r.err);
  fs::create_directories(d / "a" / "b");
  r = run({"sweep", fixture}, d / "sweep", d / "a" / "b");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[CFG002]", 0) == 0, r.err);
  BOOST_TEST(!fs::exists(d / "a" / "b" / "escaped"));
  BOOST_TEST(!fs::exists(d / "a" / "b" / "results"));
}

BOOST_AUTO_TEST_CASE(sim_vcd_cannot_escape_the_run_directory) {
  const fs::path d = fresh_dir("sim_vcd_cannot_escape_the_run_directory");
  fs::create_directories(d / "a" / "b");
  Result r = run({"sim", "--network", "lenet", "--vcd", "../../x", "--out", "run"}, d / "sim", d / "a" / "b");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[SIM005] --vcd: expected a file name without a directory", 0) == 0, r.err);
  BOOST_TEST(!fs::exists(d / "a" / "x.vcd"));
  BOOST_TEST(!fs::exists(d / "a" / "b" / "run"));
}

// ---------------------------------------------------------------- 12. one diagnostic style

BOOST_AUTO_TEST_CASE(sweep_with_a_missing_config_says_cfg006) {
  const fs::path d = fresh_dir("sweep_with_a_missing_config_says_cfg006");
  Result r = run({"sweep", (d / "nowhere.json").string()}, d / "sweep");
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.rfind("error[CFG006] " + (d / "nowhere.json").string() + ": cannot open file", 0) == 0, r.err);
  // The same for a sweep directory that is not there.
  for (const std::string sub : {"status", "collect"}) {
    r = run({"sweep", sub, (d / "nowhere").string()}, d / sub);
    BOOST_TEST(r.code == 3);
    BOOST_TEST(r.err.rfind("error[DSE002] " + (d / "nowhere").string() + ": not a sweep directory", 0) == 0, r.err);
  }
}
