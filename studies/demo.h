// `wrpn demo`: the whole story on built-in defaults. Trains lenet FP32 at width 1 and W4A4 at width 2
// on Fashion-MNIST (short schedules), exports the WRPN network's trace, simulates the WRPN network
// bit-exactly on the SystemC model and the FP32 network (timing only: the trace format holds integer
// codes) on an FP32 version of the same array, replays a traced layer through the Verilated RTL,
// prices both runs on a tech table and writes the side-by-side table with plots.
//
// Every step runs as a child `wrpn` process (SystemC allows one simulation per process) and leaves its
// output under OUT/work/; a re-run skips finished steps, so an interrupted demo resumes. Each step is
// keyed by everything that determines its output (OUT/work/keys/): a step whose options changed is
// redone, never reused. OUT/work/ and OUT/report/ carry the demo's output marker; the demo replaces
// or deletes them only when they do (IO006 otherwise).
#pragma once

#include <cstdint>
#include <string>

namespace wrpn {

struct DemoOptions {
  std::string out_dir = "results/demo";
  int epochs = 2;                ///< per training run
  int64_t train_images = 30000;  ///< first N training images (0 = all 60,000): keeps the demo at minutes
  int64_t test_images = 0;       ///< 0 = all 10,000
  int64_t trace_images = 8;      ///< images in the WRPN trace (the functional simulation's workload)
  int threads = 2;
  uint64_t seed = 1;
  std::string data_dir;   ///< "" = the trainer's default (Debian's dataset-fashion-mnist)
  std::string arch_path;  ///< "" = built-in 16x16 int 8-bit PEs; the FP32 side uses its FP32 version
  std::string tech_path;  ///< "" = configs/tech/horowitz45.json (built in)
  bool skip_rtl = false;  ///< leave out the Verilated replay (e.g. built without RTL)
  bool restart = false;   ///< discard OUT/work/ and start over
};

/// Runs the demo; returns the process exit code (0, or the first failing step's code).
int run_demo(const DemoOptions& options);

}  // namespace wrpn
