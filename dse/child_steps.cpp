#include "dse/child_steps.h"

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"

namespace wrpn::steps {

namespace fs = std::filesystem;

namespace {

void add(std::vector<std::string>& a, const char* flag, const std::string& value) { a.insert(a.end(), {flag, value}); }

}  // namespace

Step step(const Train& t) {
  Step s;
  s.out_dir = t.out_dir;
  s.done = s.out_dir / "step-done";
  s.resumable = true;
  s.args = {"train",
            "--model",
            t.model,
            "--width",
            format_number(t.width),
            "--wbits",
            std::to_string(t.wbits),
            "--abits",
            std::to_string(t.abits),
            "--epochs",
            std::to_string(t.epochs),
            "--threads",
            std::to_string(t.threads),
            "--seed",
            std::to_string(t.seed)};
  if (t.quiet) s.args.push_back("--quiet");
  add(s.args, "--out", t.out_dir);
  if (t.train_images > 0) add(s.args, "--train-images", std::to_string(t.train_images));
  if (t.test_images > 0) add(s.args, "--test-images", std::to_string(t.test_images));
  if (!t.data_dir.empty()) add(s.args, "--data", t.data_dir);
  return s;
}

Step step(const Trace& t) {
  Step s;
  s.out_dir = t.out_dir;
  s.done = s.out_dir / "trace.json";
  s.args = {"trace", "--checkpoint", t.checkpoint, "--images", std::to_string(t.images), "--out", t.out_dir};
  if (!t.data_dir.empty()) add(s.args, "--data", t.data_dir);
  return s;
}

Step step(const Sim& m) {
  Step s;
  s.out_dir = m.out_dir;
  s.done = s.out_dir / "summary.json";
  s.args = {"sim", "--arch", m.arch_path, "--out", m.out_dir};
  if (m.replace) s.args.push_back("--replace");
  if (!m.tech_path.empty()) add(s.args, "--tech", m.tech_path);
  if (!m.trace_dir.empty()) {
    add(s.args, "--trace", m.trace_dir);
  } else {
    add(s.args, "--network", m.network);
    add(s.args, "--width", format_number(m.width));
    add(s.args, "--wbits", std::to_string(m.wbits));
    add(s.args, "--abits", std::to_string(m.abits));
  }
  if (m.batch > 0) add(s.args, "--batch", std::to_string(m.batch));
  return s;
}

Step step(const Verify& v) {
  Step s;
  s.args = {"verify",
            "--trace",
            v.trace_dir,
            "--unit",
            v.unit,
            "--tiles",
            std::to_string(v.tiles),
            "--trace-rows",
            std::to_string(v.trace_rows),
            "--seed",
            std::to_string(v.seed)};
  return s;
}

bool prepare_step(Step& s) {
  if (!s.done.empty() && fs::exists(s.done)) return true;
  if (s.out_dir.empty() || !fs::exists(s.out_dir)) return false;
  if (s.resumable && (fs::exists(s.out_dir / "checkpoint.bin") || fs::exists(s.out_dir / "config.json"))) {
    s.args.push_back("--resume");
    return false;
  }
  std::error_code ec;
  fs::remove_all(s.out_dir, ec);
  if (ec) fail("IO001", s.out_dir.string(), "", "cannot remove an unfinished step's output: " + ec.message());
  return false;
}

ProcessResult run_step(const Step& s, bool capture) {
  std::vector<std::string> argv{self_executable()};
  argv.insert(argv.end(), s.args.begin(), s.args.end());
  ProcessResult r = run_process(argv, capture);
  if (r.exit_code == 0 && s.resumable && !s.done.empty()) write_file_atomic(s.done, "");
  return r;
}

std::string first_line(const std::string& output) { return output.substr(0, output.find('\n')); }

}  // namespace wrpn::steps
