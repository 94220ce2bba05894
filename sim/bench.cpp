#include "sim/bench.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>

#include <nlohmann/json.hpp>

#include "common/arch_config.h"
#include "sim/simulator.h"
#include "sim/synthetic.h"
#include "workloads/network.h"

namespace wrpn::sim {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void fill(BenchFigure& f, const SimResult& r, double total) {
  f.total_seconds = total;
  f.kernel_seconds = r.wall_seconds;
  f.kernel_cpu_seconds = r.cpu_seconds;
  f.plan_seconds = total - r.wall_seconds;
  f.cycles = r.cycles;
  f.macs = r.total.macs;
}

Layer conv(const std::string& name, int64_t n, int64_t c, int64_t hw, int64_t k, int bits) {
  Layer l;
  l.name = name;
  l.op = LayerOp::conv;
  l.n = n;
  l.c = c;
  l.h = l.w = hw;
  l.k = k;
  l.r = l.s = 3;
  l.pad = 1;
  l.wbits = l.abits_in = l.abits_out = bits;
  return l;
}

}  // namespace

BenchFigure bench_functional(uint64_t seed) {
  BenchFigure f;
  f.name = "functional";
  const std::vector<Layer> layers = {conv("conv_a", 2, 64, 32, 64, 4), conv("conv_b", 2, 128, 16, 128, 4),
                                     conv("conv_c", 2, 256, 8, 256, 4)};
  const Trace trace = synthetic_trace(layers, seed, "bench-synthetic");
  ArchConfig arch = ArchConfig::builtin_default(4, 4);
  arch.name = "builtin-16x16-w4a4";
  f.setup = "3 synthetic 3x3 convs (64ch@32x32, 128ch@16x16, 256ch@8x8, batch 2, W4A4), 16x16 int W4A4 OS array";
  const auto t0 = std::chrono::steady_clock::now();
  const SimResult r = simulate(arch, workload_from_trace(trace, "bench-synthetic"));
  fill(f, r, seconds_since(t0));
  f.ok = r.mismatches == 0 && r.outputs_checked > 0;
  if (!f.ok) f.error = "functional mismatch: " + r.first_mismatch;
  return f;
}

BenchFigure bench_timing() {
  BenchFigure f;
  f.name = "timing";
  const Network net = apply_precision(apply_width(builtin_network("resnet34"), 2.0), PrecisionPolicy::uniform(4, 4));
  ArchConfig arch = ArchConfig::builtin_default(8, 8);
  arch.name = "builtin-32x32-int8";
  arch.rows = arch.cols = 32;
  f.setup = "resnet34 width 2, W4A4 (first/last 8-bit), batch 1, 32x32 int8 OS array, timing only";
  const auto t0 = std::chrono::steady_clock::now();
  const SimResult r = simulate(arch, workload_from_network(net, "resnet34"));
  fill(f, r, seconds_since(t0));
  f.ok = true;
  return f;
}

BenchFigure run_in_child(BenchFigure (*fn)()) {
  int fds[2];
  BenchFigure out;
  if (pipe(fds) != 0) {
    out.error = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    out.error = std::string("fork: ") + std::strerror(errno);
    return out;
  }
  if (pid == 0) {
    close(fds[0]);
    nlohmann::json j;
    try {
      const BenchFigure f = fn();
      j = {{"name", f.name},
           {"setup", f.setup},
           {"plan", f.plan_seconds},
           {"kernel", f.kernel_seconds},
           {"kernel_cpu", f.kernel_cpu_seconds},
           {"total", f.total_seconds},
           {"cycles", f.cycles},
           {"macs", f.macs},
           {"ok", f.ok},
           {"error", f.error}};
    } catch (const std::exception& e) {
      j = {{"error", e.what()}};
    }
    const std::string s = j.dump();
    size_t off = 0;
    while (off < s.size()) {
      const ssize_t w = write(fds[1], s.data() + off, s.size() - off);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    out.error = j.value("error", std::string());
    out.name = j.value("name", std::string());
    out.setup = j.value("setup", std::string());
    out.plan_seconds = j.value("plan", 0.0);
    out.kernel_seconds = j.value("kernel", 0.0);
    out.kernel_cpu_seconds = j.value("kernel_cpu", 0.0);
    out.total_seconds = j.value("total", 0.0);
    out.cycles = j.value("cycles", uint64_t{0});
    out.macs = j.value("macs", uint64_t{0});
    out.ok = j.value("ok", false);
  } catch (const std::exception&) {
    out.error = "benchmark child process failed (status " + std::to_string(status) + ")";
  }
  return out;
}

}  // namespace wrpn::sim
