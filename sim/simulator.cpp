#include "sim/simulator.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/rng.h"
#include "sim/accelerator.h"

// libsystemc.so refers to sc_main, but wrpn enters through its own main() and calls sc_start()
// directly (simulate()). Weak, so a program that defines its own sc_main keeps it.
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 0; }

namespace wrpn::sim {

namespace {

bool g_kernel_used = false;

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void claim_kernel(const char* who) {
  if (g_kernel_used)
    throw std::logic_error(std::string(who) + ": SystemC cannot restart a simulation; run one per process");
  g_kernel_used = true;
}

}  // namespace

Workload workload_from_trace(const Trace& trace, const std::string& dir) {
  Workload w;
  w.name = trace.network;
  w.source = dir;
  for (const auto& l : trace.layers) w.layers.push_back(l.shape);
  w.trace = &trace;
  return w;
}

Workload workload_from_network(const Network& net, const std::string& source) {
  Workload w;
  w.name = net.name;
  w.source = source;
  w.layers = net.layers;
  return w;
}

SimResult simulate(const ArchConfig& arch, const Workload& wl, const SimOptions& opt) {
  if (wl.layers.empty()) fail("SIM004", wl.source, "", "the workload has no layers");
  // Every check that can reject the input happens here, before the kernel starts.
  std::vector<LayerPlan> plans =
      plan_layers(arch, wl.layers, wl.trace != nullptr, wl.source, opt.mappings.empty() ? nullptr : &opt.mappings);
  claim_kernel("simulate");
  // The controller ends the run with sc_stop(); that is the normal end here, not news.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  SimContext ctx;
  ctx.arch = arch;
  ctx.plans = std::move(plans);
  ctx.trace = wl.trace;
  ctx.results.resize(ctx.plans.size());
  for (const LayerPlan& p : ctx.plans) {
    LayerResult& r = ctx.results[static_cast<size_t>(p.index)];
    r.name = p.layer.name;
    r.op = to_string(p.layer.op);
    r.tm = p.tm;
    r.tn = p.tn;
    r.tl = p.tl;
    r.loop_order = p.loop_order;
    r.passes = p.passes;
    r.weights_resident = p.weights_resident;
    r.inputs_resident = p.inputs_resident;
  }
  // Modules live until the process exits: SystemC does not support tearing a design down.
  auto* top = new Accelerator("accelerator", ctx, !opt.vcd_path.empty());
  if (!opt.vcd_path.empty()) top->trace_to(opt.vcd_path);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_now();
  sc_core::sc_start();
  const double cpu = cpu_now() - c0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  top->close_trace();
  if (ctx.error) std::rethrow_exception(ctx.error);
  for (const LayerResult& r : ctx.results)
    if (r.counts.layer.empty())
      throw SimInternalError("internal inconsistency in accelerator.u_controller at cycle " +
                             std::to_string(ctx.now_cycles()) + ": layer \"" + r.name + "\" never finished");

  SimResult res;
  res.workload = wl.name;
  res.source = wl.source;
  res.functional = wl.trace != nullptr;
  res.arch = arch;
  res.layers = ctx.results;
  res.wall_seconds = wall;
  res.cpu_seconds = cpu;
  for (const LayerResult& r : res.layers) {
    res.cycles += r.cycles;
    res.compute_cycles += r.compute_cycles;
    res.stalls.dram_weights += r.stalls.dram_weights;
    res.stalls.dram_inputs += r.stalls.dram_inputs;
    res.stalls.dram_outputs += r.stalls.dram_outputs;
    res.stalls.buffer_ports += r.stalls.buffer_ports;
    res.outputs_checked += r.outputs_checked;
  }
  if (res.cycles != ctx.now_cycles())
    throw SimInternalError("internal inconsistency in accelerator.u_controller at cycle " +
                           std::to_string(ctx.now_cycles()) + ": layer cycles add up to " + std::to_string(res.cycles));
  res.mismatches = ctx.mismatches;
  res.first_mismatch = ctx.first_mismatch;
  std::vector<ActionCounts> counts;
  for (const LayerResult& r : res.layers) counts.push_back(r.counts);
  res.total = sum_counts(counts);
  return res;
}

std::vector<ActionCounts> read_run(const std::string& run_dir) {
  const std::string p = (std::filesystem::path(run_dir) / "summary.json").string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(p));
  } catch (const nlohmann::json::exception& e) {
    fail("CFG001", p, "", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("layers") || !j.at("layers").is_array())
    fail("CFG004", p, "/layers", "simulation summary has no per-layer results");
  std::vector<ActionCounts> out;
  const auto& layers = j.at("layers");
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string pointer = "/layers/" + std::to_string(i) + "/action_counts";
    if (!layers[i].is_object() || !layers[i].contains("action_counts")) fail("CFG004", p, pointer, "missing");
    try {
      out.push_back(layers[i].at("action_counts").get<ActionCounts>());
    } catch (const nlohmann::json::exception& e) {
      fail("CFG002", p, pointer, e.what());
    }
  }
  if (out.empty()) fail("CFG003", p, "/layers", "no layers");
  return out;
}

std::vector<ActionCounts> layer_counts(const SimResult& r) {
  std::vector<ActionCounts> v;
  for (const LayerResult& l : r.layers) v.push_back(l.counts);
  return v;
}

std::string layers_csv(const SimResult& res) {
  std::vector<std::string> cols = {"layer",
                                   "op",
                                   "cycles",
                                   "compute_cycles",
                                   "stall_cycles",
                                   "stall_dram_weights_cycles",
                                   "stall_dram_inputs_cycles",
                                   "stall_dram_outputs_cycles",
                                   "stall_buffer_ports_cycles",
                                   "utilization",
                                   "macs",
                                   "steps",
                                   "tile_m",
                                   "tile_n",
                                   "tile_l",
                                   "loop_order",
                                   "passes"};
  for (const auto& b : res.arch.buffers)
    for (const char* what : {"read_words", "write_words", "read_bits", "write_bits"})
      cols.push_back(b.name + "_" + what);
  cols.insert(cols.end(), {"dram_read_bytes", "dram_write_bytes"});
  CsvTable t(cols);
  auto row = [&](const std::string& name, const std::string& op, uint64_t cycles, uint64_t compute,
                 const StallCycles& st, double util, uint64_t macs, uint64_t steps, int64_t tm, int64_t tn, int64_t tl,
                 const std::string& order, int passes, const ActionCounts& c) {
    t.row().add(name).add(op).add(cycles).add(compute).add(st.total()).add(st.dram_weights).add(st.dram_inputs);
    t.add(st.dram_outputs).add(st.buffer_ports).add(util).add(macs).add(steps).add(tm).add(tn).add(tl).add(order);
    t.add(passes);
    for (const auto& b : res.arch.buffers) {
      const BufferActionCounts* bc = c.buffer(b.name);
      const uint64_t rd = bc ? bc->read_words : 0, wr = bc ? bc->write_words : 0;
      t.add(rd).add(wr).add(rd * static_cast<uint64_t>(b.word_bits)).add(wr * static_cast<uint64_t>(b.word_bits));
    }
    t.add(c.dram_read_bytes).add(c.dram_write_bytes);
  };
  uint64_t steps = 0;
  for (const LayerResult& l : res.layers) {
    row(l.name, l.op, l.cycles, l.compute_cycles, l.stalls, l.utilization, l.counts.macs, l.steps, l.tm, l.tn, l.tl,
        l.loop_order, l.passes, l.counts);
    steps += l.steps;
  }
  const double pes = static_cast<double>(res.arch.rows) * res.arch.cols;
  row("total", "", res.cycles, res.compute_cycles, res.stalls,
      res.cycles ? static_cast<double>(res.total.pe_active_cycles) / (pes * static_cast<double>(res.cycles)) : 0.0,
      res.total.macs, steps, 0, 0, 0, "", 0, res.total);
  return t.str();
}

nlohmann::json to_json(const SimResult& res) {
  auto stalls = [](const StallCycles& s) {
    return nlohmann::json{{"dram_weights_cycles", s.dram_weights},
                          {"dram_inputs_cycles", s.dram_inputs},
                          {"dram_outputs_cycles", s.dram_outputs},
                          {"buffer_ports_cycles", s.buffer_ports},
                          {"total_cycles", s.total()}};
  };
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerResult& l : res.layers) {
    nlohmann::json c;
    wrpn::to_json(c, l.counts);
    layers.push_back({{"name", l.name},
                      {"op", l.op},
                      {"cycles", l.cycles},
                      {"compute_cycles", l.compute_cycles},
                      {"stalls", stalls(l.stalls)},
                      {"utilization", l.utilization},
                      {"steps", l.steps},
                      {"tiling",
                       {{"tile_m", l.tm},
                        {"tile_n", l.tn},
                        {"tile_l", l.tl},
                        {"loop_order", l.loop_order},
                        {"passes", l.passes},
                        {"weights_resident", l.weights_resident},
                        {"inputs_resident", l.inputs_resident}}},
                      {"outputs_checked", l.outputs_checked},
                      {"mismatches", l.mismatches},
                      {"action_counts", c}});
  }
  nlohmann::json total;
  wrpn::to_json(total, res.total);
  nlohmann::json j{{"workload", res.workload},
                   {"source", res.source},
                   {"mode", res.functional ? "functional" : "timing"},
                   {"arch", res.arch.name},
                   {"cycles", res.cycles},
                   {"compute_cycles", res.compute_cycles},
                   {"stalls", stalls(res.stalls)},
                   {"time_s", res.total.time_s()},
                   {"layers", layers},
                   {"total", total},
                   {"host_seconds", res.wall_seconds},
                   {"host_cpu_seconds", res.cpu_seconds}};
  if (res.functional)
    j["check"] = {{"outputs_checked", res.outputs_checked},
                  {"mismatches", res.mismatches},
                  {"first_mismatch", res.first_mismatch}};
  return j;
}

TileRunResult run_mac_array_tile(const TileRun& t) {
  const TileShape shape{t.dataflow, t.rows, t.cols, t.stream};
  TileRunResult r;
  r.acc.assign(static_cast<size_t>(tile_acc_count(t)), 0);
  const TileStats st = step_tile(shape, IntTile{t.a.data(), t.b.data(), r.acc.data()}, t.acc_bits, t.overflow);
  r.cycles = st.cycles;
  r.overflow = st.overflow;
  return r;
}

namespace {

/// Feeds tiles to a MacArray with random gaps and drains its results with random delays.
class TileBench : public sc_core::sc_module {
 public:
  sc_core::sc_fifo<ArrayJob> jobs, results;
  sc_core::sc_signal<bool> busy;
  MacArray u_mac_array;

  TileBench(sc_core::sc_module_name name, SimContext& ctx, std::vector<ArrayJob> work, uint64_t seed)
      : sc_module(name),
        jobs("jobs", 1),
        results("results", 1),
        busy("busy"),
        u_mac_array("u_mac_array", ctx),
        ctx_(ctx),
        work_(std::move(work)),
        rng_(seed) {
    u_mac_array.job_i(jobs);
    u_mac_array.result_o(results);
    u_mac_array.busy_o(busy);
    SC_HAS_PROCESS(TileBench);
    SC_THREAD(feed_thread);
    SC_THREAD(drain_thread);
  }

 private:
  void feed_thread() {
    for (const ArrayJob& j : work_) {
      ctx_.wait_cycles(rng_.uniform_int(0, 3));
      jobs.write(j);
    }
  }
  void drain_thread() {
    for (size_t i = 0; i < work_.size(); ++i) {
      ctx_.wait_cycles(rng_.uniform_int(0, 5));  // back-pressure: the array cannot hand over meanwhile
      results.read();
    }
    sc_core::sc_stop();
  }
  SimContext& ctx_;
  std::vector<ArrayJob> work_;
  Rng rng_;
};

}  // namespace

std::vector<TileRunResult> run_mac_array_tiles_systemc(const std::vector<TileRun>& tiles, uint64_t seed) {
  if (tiles.empty()) return {};
  claim_kernel("run_mac_array_tiles_systemc");
  // Modules, plans and operands must outlive the kernel; the process ends soon after.
  auto* ctx = new SimContext;
  ctx->arch = ArchConfig::builtin_default();
  ctx->arch.acc_bits = tiles.front().acc_bits;
  ctx->arch.overflow = tiles.front().overflow;
  // Held by a static pointer (reachable, never destroyed: the kernel may still refer to them).
  struct TileStorage {
    std::vector<LayerPlan> plans;
    std::vector<TileOperands> ops;
    std::vector<std::vector<int64_t>> accs;
  };
  static TileStorage* storage = new TileStorage;
  storage->plans.resize(tiles.size());
  storage->ops.resize(tiles.size());
  storage->accs.resize(tiles.size());
  std::vector<LayerPlan>* plans = &storage->plans;
  std::vector<TileOperands>* ops = &storage->ops;
  std::vector<std::vector<int64_t>>* accs = &storage->accs;
  std::vector<ArrayJob> work;
  for (size_t i = 0; i < tiles.size(); ++i) {
    const TileRun& t = tiles[i];
    if (t.acc_bits != ctx->arch.acc_bits || t.overflow != ctx->arch.overflow)
      throw std::invalid_argument("run_mac_array_tiles_systemc: all tiles share one accumulator configuration");
    LayerPlan& p = (*plans)[i];
    p.layer.name = "tile" + std::to_string(i);
    Step s;
    s.tile = {t.dataflow, t.rows, t.cols, t.stream};
    s.compute_cycles = tile_cycles(s.tile);
    s.pe_ops = static_cast<uint64_t>(t.rows) * static_cast<uint64_t>(t.cols) * static_cast<uint64_t>(t.stream);
    // The step's pixels and channels (the post-processing unit is not in this bench).
    s.m_len = t.dataflow == Dataflow::output_stationary   ? t.rows
              : t.dataflow == Dataflow::weight_stationary ? t.stream
                                                          : t.cols;
    s.n_len = t.dataflow == Dataflow::input_stationary ? t.stream : t.cols;
    s.l_len = t.dataflow == Dataflow::output_stationary ? t.stream : t.rows;
    p.steps.push_back(s);
    (*accs)[i].assign(static_cast<size_t>(tile_acc_count(t)), 0);
    (*ops)[i].a = t.a;
    (*ops)[i].b = t.b;
    (*ops)[i].acc = &(*accs)[i];
    work.push_back(ArrayJob{&p, &p.steps.front(), &(*ops)[i]});
  }
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  new TileBench("tile_bench", *ctx, work, seed);
  sc_core::sc_start();
  if (ctx->error) std::rethrow_exception(ctx->error);
  std::vector<TileRunResult> out;
  for (size_t i = 0; i < tiles.size(); ++i) {
    TileRunResult r;
    r.acc = (*accs)[i];
    r.cycles = (*ops)[i].end_cycle - (*ops)[i].start_cycle;
    r.overflow = (*ops)[i].stats.overflow;
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

/// Requests each transfer of a DmaRun at its cycle from a Dma module in front of one buffer.
class DmaBench : public sc_core::sc_module {
 public:
  sc_core::sc_fifo<DmaRequest*> requests;
  sc_core::sc_signal<bool> busy;
  Buffer u_buffer;
  Dma u_dma;

  DmaBench(sc_core::sc_module_name name, SimContext& ctx, std::vector<DmaRequest>& work,
           const std::vector<DmaTransferRun>& transfers)
      : sc_module(name),
        requests("requests", 64),
        busy("busy"),
        u_buffer("u_buffer", ctx, ctx.arch.buffer(BufferRole::weights)),
        u_dma("u_dma", ctx),
        ctx_(ctx),
        work_(work),
        transfers_(transfers) {
    u_dma.req_i(requests);
    u_dma.busy_o(busy);
    SC_HAS_PROCESS(DmaBench);
    SC_THREAD(request_thread);
  }

 private:
  void request_thread() {
    for (size_t i = 0; i < work_.size(); ++i) {
      const uint64_t now = ctx_.now_cycles(), at = transfers_[i].issue_cycle;
      if (at > now) ctx_.wait_cycles(at - now);
      requests.write(&work_[i]);
    }
  }
  SimContext& ctx_;
  std::vector<DmaRequest>& work_;
  const std::vector<DmaTransferRun>& transfers_;
};

}  // namespace

std::vector<std::vector<uint64_t>> run_dma_transfers_systemc(const std::vector<DmaRun>& runs) {
  claim_kernel("run_dma_transfers_systemc");
  // Contexts, requests and modules must outlive the kernel; the process ends soon after.
  struct DmaStorage {
    std::vector<SimContext> ctx;
    std::vector<std::vector<DmaRequest>> work;
    std::vector<std::vector<DmaTransferRun>> transfers;
  };
  static DmaStorage* storage = new DmaStorage;
  storage->ctx.resize(runs.size());
  storage->work.resize(runs.size());
  storage->transfers.resize(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    SimContext& ctx = storage->ctx[r];
    ctx.arch = ArchConfig::builtin_default();
    ctx.arch.dram = runs[r].dram;
    // Byte-wide words: a transfer of B bytes is B words.
    for (BufferConfig& b : ctx.arch.buffers) b.word_bits = 8;
    for (size_t i = 1; i < runs[r].transfers.size(); ++i)
      if (runs[r].transfers[i].issue_cycle < runs[r].transfers[i - 1].issue_cycle)
        throw std::invalid_argument("run_dma_transfers_systemc: issue cycles must not decrease");
    storage->transfers[r] = runs[r].transfers;
    for (const DmaTransferRun& t : runs[r].transfers)
      storage->work[r].push_back(DmaRequest{t.load, nullptr, t.bytes, false});
  }
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  for (size_t r = 0; r < runs.size(); ++r) {
    auto* bench = new DmaBench(("dma_bench" + std::to_string(r)).c_str(), storage->ctx[r], storage->work[r],
                               storage->transfers[r]);
    for (DmaRequest& q : storage->work[r]) q.buffer = &bench->u_buffer;
  }
  sc_core::sc_start();  // ends when every transfer has completed and nothing is left to happen
  std::vector<std::vector<uint64_t>> out(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    if (storage->ctx[r].error) std::rethrow_exception(storage->ctx[r].error);
    for (const DmaRequest& q : storage->work[r]) {
      if (!q.done) throw SimInternalError("run_dma_transfers_systemc: a transfer never completed");
      out[r].push_back(q.done_cycle);
    }
  }
  return out;
}

}  // namespace wrpn::sim
