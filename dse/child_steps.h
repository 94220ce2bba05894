// Child `wrpn` steps (train, trace, sim, verify) from typed arguments, with one resume rule. The sweep
// engine (trained accuracy, functional traces), the demo and the paper tables run their training,
// trace export and simulations as child processes of the `wrpn` binary (SystemC allows one
// simulation per process); this is the one place their command lines are built.
//
// The resume rule (prepare_step): a step whose `done` file exists is finished and is reused; a
// training run that stopped part-way (its output holds checkpoint.bin or config.json) continues with
// --resume; anything else an unfinished step left in its output directory is removed, and the step
// runs from the start. Training writes its `done` file after it succeeds (run_step); trace export
// and simulation write theirs themselves (trace.json, summary.json).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/subprocess.h"

namespace wrpn::steps {

/// `wrpn train`.
struct Train {
  std::string model;
  double width = 1;
  int wbits = 32, abits = 32, threads = 1;
  int64_t epochs = 1;
  uint64_t seed = 1;
  int64_t train_images = 0, test_images = 0;  ///< 0 = the trainer's default (all)
  std::string data_dir;                       ///< "" = the trainer's default
  bool quiet = false;
  std::string out_dir;
};

/// `wrpn trace` of a trained run's checkpoint.
struct Trace {
  std::string checkpoint;
  int64_t images = 1;
  std::string data_dir;  ///< "" = the trainer's default
  std::string out_dir;
};

/// `wrpn sim` of a trace (functional) or of a network's shapes (timing only, trace_dir "").
struct Sim {
  std::string arch_path, out_dir;
  std::string tech_path;  ///< "" = no pricing in the child
  bool replace = false;
  std::string trace_dir;
  std::string network;
  double width = 1;
  int wbits = 32, abits = 32;
  int64_t batch = 0;  ///< 0 = the command's default
};

/// `wrpn verify` of a traced layer through a Verilated unit.
struct Verify {
  std::string trace_dir, unit;
  int64_t tiles = 100, trace_rows = 64;
  uint64_t seed = 1;
};

/// A child step: its arguments after the binary, where it writes, and the file that marks it done
/// (empty: never reused, e.g. verify).
struct Step {
  std::vector<std::string> args;
  std::filesystem::path out_dir, done;
  bool resumable = false;  ///< training: continues an interrupted run
};

Step step(const Train& t);
Step step(const Trace& t);
Step step(const Sim& s);
Step step(const Verify& v);

/// Applies the resume rule to `s`: true when it is finished (its done file exists); otherwise
/// appends --resume to a resumable step that stopped part-way, or removes what an unfinished step
/// left behind, and returns false.
bool prepare_step(Step& s);

/// Runs `wrpn s.args...` (this binary) and waits; on success writes the done file of a step that
/// does not write its own (training). capture: the child's output is returned instead of shown.
ProcessResult run_step(const Step& s, bool capture);

/// The first line of a child's captured output (its diagnostic), for one-line errors.
std::string first_line(const std::string& output);

}  // namespace wrpn::steps
