// Unit testbenches of the SystemC modules Dma, Buffer, Controller and PostProcessor, in the style of
// matchlib's: each case instantiates one module (the DMA with the buffer it completes into), binds
// its ports to FIFOs and signals of the bench, drives them from bench threads at chosen cycles and
// checks what comes out (completion cycles, requests, jobs, busy flags, counters) against values
// computed by hand in the comments. Each case runs the kernel once, so CTest runs each in its own
// process (--run_test=modules/<case>, tests/sim/CMakeLists.txt).
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

#include "common/arch_config.h"
#include "common/numerics.h"
#include "sim/buffer.h"
#include "sim/controller.h"
#include "sim/dma.h"
#include "sim/post_processor.h"
#include "sim/sim_context.h"

using namespace wrpn;
using namespace wrpn::sim;

// libsystemc.so refers to sc_main. These benches call sc_start() from Boost.Test cases and use no
// part of sim/simulator.cpp, whose weak definition would otherwise be linked in.
extern "C" int sc_main(int, char**) { return 0; }

namespace {

using Transitions = std::vector<std::pair<uint64_t, bool>>;  // (cycle, new value) of a busy flag

/// Records every change of a bool signal with its cycle.
class BusyMonitor : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> busy_i;
  Transitions seen;

  BusyMonitor(sc_core::sc_module_name name, const SimContext& ctx) : sc_module(name), busy_i("busy_i"), ctx_(ctx) {
    SC_HAS_PROCESS(BusyMonitor);
    SC_METHOD(record_method);
    sensitive << busy_i;
    dont_initialize();
  }

 private:
  void record_method() { seen.emplace_back(ctx_.now_cycles(), busy_i.read()); }
  const SimContext& ctx_;
};

BufferConfig buffer_config(const std::string& name, int64_t capacity_kib, int word_bits, bool double_buffered) {
  BufferConfig b;
  b.name = name;
  b.capacity_kib = capacity_kib;
  b.word_bits = word_bits;
  b.double_buffered = double_buffered;
  return b;
}

DramConfig dram(double bandwidth, int64_t latency, int64_t burst, int64_t max_outstanding) {
  DramConfig d;
  d.bandwidth_bytes_per_cycle = bandwidth;
  d.latency_cycles = latency;
  d.burst_bytes = burst;
  d.max_outstanding = max_outstanding;
  return d;
}

// ---------------------------------------------------------------- Dma

/// A Dma in front of one byte-wide buffer (a transfer of W words moves W bytes). The driver writes
/// each request into req_i at its cycle, in order; the request FIFO holds one entry, so a DMA that
/// stopped accepting would hold the driver back (it never does: acceptance is bookkeeping).
class DmaBench : public sc_core::sc_module {
 public:
  struct Issue {
    uint64_t cycle;
    bool load;
    uint64_t words;
  };
  sc_core::sc_fifo<DmaRequest*> requests;
  sc_core::sc_signal<bool> busy;
  Buffer u_buffer;
  Dma u_dma;
  BusyMonitor u_monitor;
  std::deque<DmaRequest> work;
  std::vector<uint64_t> written_at;  ///< cycle each request's write into req_i returned

  DmaBench(sc_core::sc_module_name name, SimContext& ctx, std::vector<Issue> issues)
      : sc_module(name),
        requests("requests", 1),
        busy("busy"),
        u_buffer("u_buffer", ctx, buffer_config("weights", 64, 8, true)),
        u_dma("u_dma", ctx),
        u_monitor("u_monitor", ctx),
        ctx_(ctx),
        issues_(std::move(issues)) {
    u_dma.req_i(requests);
    u_dma.busy_o(busy);
    u_monitor.busy_i(busy);
    for (const Issue& i : issues_) work.push_back(DmaRequest{i.load, &u_buffer, i.words, false});
    SC_HAS_PROCESS(DmaBench);
    SC_THREAD(drive_thread);
  }

  std::vector<uint64_t> done_cycles() const {
    std::vector<uint64_t> out;
    for (const DmaRequest& r : work) {
      BOOST_TEST(r.done);
      out.push_back(r.done_cycle);
    }
    return out;
  }

 private:
  void drive_thread() {
    for (size_t i = 0; i < work.size(); ++i) {
      const uint64_t now = ctx_.now_cycles();
      if (issues_[i].cycle > now) ctx_.wait_cycles(issues_[i].cycle - now);
      requests.write(&work[i]);
      written_at.push_back(ctx_.now_cycles());
    }
    sc_core::wait(never_);  // ends suspended (see the buffer bench)
  }
  SimContext& ctx_;
  std::vector<Issue> issues_;
  sc_core::sc_event never_;
};

SimContext* dma_context(const DramConfig& d) {
  auto* ctx = new SimContext;  // outlives the kernel (the process ends after the case)
  ctx->arch = ArchConfig::builtin_default();
  ctx->arch.dram = d;
  return ctx;
}

// ---------------------------------------------------------------- Controller

/// A Controller with its three buffers. The bench plays the DRAM (each request completes a fixed
/// latency after the controller wrote it, independently of the others: the DMA's bus is not under
/// test here), the MAC array and the post-processing unit (each job takes the step's compute plus
/// port-stall cycles, plus `extra_cycles` to provoke a mismatch). The Dma instance only lends the
/// controller its byte counters; nothing writes to it, so they stay 0.
class ControllerBench : public sc_core::sc_module {
 public:
  struct Issued {
    uint64_t cycle;
    bool load;
    std::string buffer;
    uint64_t words;
    bool operator==(const Issued& o) const {
      return cycle == o.cycle && load == o.load && buffer == o.buffer && words == o.words;
    }
  };
  sc_core::sc_fifo<ArrayJob> array_jobs, ppu_jobs, done;
  sc_core::sc_fifo<DmaRequest*> dma_requests, unused_requests;
  sc_core::sc_signal<int> layer;
  sc_core::sc_signal<bool> unused_busy;
  Buffer u_weight_buffer, u_input_buffer, u_output_buffer;
  Dma u_dma;
  Controller u_controller;
  std::vector<Issued> issued;
  std::vector<uint64_t> array_starts, ppu_starts;
  uint64_t extra_cycles = 0;

  ControllerBench(sc_core::sc_module_name name, SimContext& ctx, uint64_t latency_cycles)
      : sc_module(name),
        array_jobs("array_jobs", 1),
        ppu_jobs("ppu_jobs", 1),
        done("done", 2),
        dma_requests("dma_requests", 64),
        unused_requests("unused_requests", 1),
        layer("layer"),
        unused_busy("unused_busy"),
        u_weight_buffer("u_weight_buffer", ctx, ctx.arch.buffer(BufferRole::weights)),
        u_input_buffer("u_input_buffer", ctx, ctx.arch.buffer(BufferRole::inputs)),
        u_output_buffer("u_output_buffer", ctx, ctx.arch.buffer(BufferRole::outputs)),
        u_dma("u_dma", ctx),
        u_controller("u_controller", ctx, u_weight_buffer, u_input_buffer, u_output_buffer, u_dma),
        ctx_(ctx),
        latency_(latency_cycles) {
    u_dma.req_i(unused_requests);
    u_dma.busy_o(unused_busy);
    u_controller.array_job_o(array_jobs);
    u_controller.ppu_job_o(ppu_jobs);
    u_controller.done_i(done);
    u_controller.dma_req_o(dma_requests);
    u_controller.layer_o(layer);
    SC_HAS_PROCESS(ControllerBench);
    SC_THREAD(accept_thread);
    SC_THREAD(complete_thread);
    SC_THREAD(array_thread);
    SC_THREAD(ppu_thread);
  }

 private:
  void accept_thread() {
    for (;;) {
      DmaRequest* r = nullptr;
      dma_requests.read(r);  // (sc_fifo::read() returns an uninitialized-looking copy GCC warns about)
      const uint64_t now = ctx_.now_cycles();
      issued.push_back({now, r->load, r->buffer->config().name, r->words});
      pending_.emplace_back(now + latency_, r);  // fixed latency: completions stay in order
      accepted_.notify(sc_core::SC_ZERO_TIME);
    }
  }
  void complete_thread() {
    for (;;) {
      while (pending_.empty()) sc_core::wait(accepted_);
      const auto [at, r] = pending_.front();
      pending_.pop_front();
      const uint64_t now = ctx_.now_cycles();
      if (at > now) ctx_.wait_cycles(at - now);
      r->buffer->transfer_done(*r);
    }
  }
  void serve(sc_core::sc_fifo<ArrayJob>& in, std::vector<uint64_t>& starts) {
    for (;;) {
      const ArrayJob job = in.read();
      starts.push_back(ctx_.now_cycles());
      ctx_.wait_cycles(job.step->compute_cycles + job.step->port_stall_cycles + extra_cycles);
      done.write(job);
    }
  }
  void array_thread() { serve(array_jobs, array_starts); }
  void ppu_thread() { serve(ppu_jobs, ppu_starts); }
  SimContext& ctx_;
  uint64_t latency_;
  std::deque<std::pair<uint64_t, DmaRequest*>> pending_;
  sc_core::sc_event accepted_;
};

/// Buffers of 1 KiB with 256-bit words, double-buffered: a slot holds 16 words, a ring 32.
SimContext* controller_context(int64_t max_outstanding) {
  auto* ctx = new SimContext;
  ctx->arch = ArchConfig::builtin_default();
  for (BufferConfig& b : ctx->arch.buffers) {
    b.capacity_kib = 1;
    b.word_bits = 256;
    b.double_buffered = true;
  }
  ctx->arch.dram.max_outstanding = max_outstanding;
  return ctx;
}

/// An array layer of `steps` output-stationary tiles (2x2 PEs, 5 stream steps: 20 PE operations),
/// each loading `weight_words` + 5 input words, computing `compute` cycles and storing 4 words.
LayerPlan array_layer(int index, const std::string& name, size_t steps, uint64_t weight_words, uint64_t compute) {
  LayerPlan p;
  p.index = index;
  p.layer.name = name;
  p.layer.op = LayerOp::conv;
  for (size_t i = 0; i < steps; ++i) {
    Step s;
    s.m0 = static_cast<int64_t>(2 * i);
    s.m_len = 2;
    s.n_len = 2;
    s.l_len = 5;
    s.weight_load_words = weight_words;
    s.input_load_words = 5;
    s.output_store_words = 4;
    s.tile = {Dataflow::output_stationary, 2, 2, 5};
    s.compute_cycles = compute;
    s.pe_ops = 20;
    s.wbuf_read_words = 3;
    s.ibuf_read_words = 2;
    s.obuf_write_words = 1;
    p.steps.push_back(s);
  }
  return p;
}

ControllerBench* controller_bench(SimContext& ctx, std::vector<LayerPlan> plans, uint64_t latency) {
  ctx.plans = std::move(plans);
  ctx.results.resize(ctx.plans.size());
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  return new ControllerBench("bench", ctx, latency);
}

using Issued = ControllerBench::Issued;
Issued load_w(uint64_t cycle, uint64_t words) { return {cycle, true, "weight_buffer", words}; }
Issued load_i(uint64_t cycle) { return {cycle, true, "input_buffer", 5}; }
Issued store(uint64_t cycle) { return {cycle, false, "output_buffer", 4}; }

void check_issued(const std::vector<Issued>& got, const std::vector<Issued>& want) {
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i)
    BOOST_TEST_CONTEXT("request " << i << ": cycle " << got[i].cycle << ", " << (got[i].load ? "load " : "store ")
                                  << got[i].buffer << ", " << got[i].words << " words")
  BOOST_TEST((got[i] == want[i]));
}

void check_layer(const LayerResult& r, uint64_t cycles, uint64_t compute, StallCycles st) {
  BOOST_TEST(r.cycles == cycles);
  BOOST_TEST(r.compute_cycles == compute);
  BOOST_TEST(r.stalls.dram_weights == st.dram_weights);
  BOOST_TEST(r.stalls.dram_inputs == st.dram_inputs);
  BOOST_TEST(r.stalls.dram_outputs == st.dram_outputs);
  BOOST_TEST(r.stalls.buffer_ports == st.buffer_ports);
  BOOST_TEST(r.compute_cycles + r.stalls.total() == r.cycles);
}

/// The buffer counts of a 3-step array_layer: DMA loads write, stores read, plus the datapath's.
void check_three_step_counts(const LayerResult& r, uint64_t weight_words) {
  const ActionCounts& c = r.counts;
  BOOST_TEST(c.source == "systemc");
  BOOST_TEST(c.cycles == r.cycles);
  BOOST_TEST(c.pe_active_cycles == 60u);
  BOOST_TEST(c.operand_register_writes == 120u);  // output-stationary: 2 registers per PE operation
  BOOST_TEST_REQUIRE(c.buffers.size() == 3u);
  BOOST_TEST(c.buffers[0].write_words == 3 * weight_words);
  BOOST_TEST(c.buffers[0].read_words == 9u);
  BOOST_TEST(c.buffers[1].write_words == 15u);
  BOOST_TEST(c.buffers[1].read_words == 6u);
  BOOST_TEST(c.buffers[2].write_words == 3u);
  BOOST_TEST(c.buffers[2].read_words == 12u);  // the three 4-word stores read the buffer out
  BOOST_TEST(c.dram_read_bytes == 0u);         // the bench's DRAM, not the Dma, moved the words
}

// ---------------------------------------------------------------- PostProcessor

/// A PostProcessor whose tile results and chunk jobs the bench writes at chosen cycles, and whose
/// done FIFO (one entry) the bench reads from `read_from` on: a late reader back-pressures the unit.
class PostProcessorBench : public sc_core::sc_module {
 public:
  struct Submit {
    uint64_t cycle;
    bool tile;  ///< a finished tile on result_i, else a chunk on job_i
    ArrayJob job;
  };
  sc_core::sc_fifo<ArrayJob> results, jobs, done;
  sc_core::sc_signal<bool> busy;
  PostProcessor u_post_processor;
  BusyMonitor u_monitor;
  std::vector<uint64_t> written_at, done_at;
  std::vector<std::string> done_layers;

  PostProcessorBench(sc_core::sc_module_name name, SimContext& ctx, std::vector<Submit> submits, uint64_t read_from)
      : sc_module(name),
        results("results", 1),
        jobs("jobs", 1),
        done("done", 1),
        busy("busy"),
        u_post_processor("u_post_processor", ctx),
        u_monitor("u_monitor", ctx),
        ctx_(ctx),
        submits_(std::move(submits)),
        read_from_(read_from) {
    u_post_processor.result_i(results);
    u_post_processor.job_i(jobs);
    u_post_processor.done_o(done);
    u_post_processor.busy_o(busy);
    u_monitor.busy_i(busy);
    SC_HAS_PROCESS(PostProcessorBench);
    SC_THREAD(drive_thread);
    SC_THREAD(read_thread);
  }

 private:
  void drive_thread() {
    for (const Submit& s : submits_) {
      const uint64_t now = ctx_.now_cycles();
      if (s.cycle > now) ctx_.wait_cycles(s.cycle - now);
      (s.tile ? results : jobs).write(s.job);
      written_at.push_back(ctx_.now_cycles());
    }
    sc_core::wait(never_);  // ends suspended (see the buffer bench)
  }
  void read_thread() {
    ctx_.wait_cycles(read_from_);
    for (;;) {
      const ArrayJob j = done.read();
      done_at.push_back(ctx_.now_cycles());
      done_layers.push_back(j.plan->layer.name);
    }
  }
  SimContext& ctx_;
  std::vector<Submit> submits_;
  uint64_t read_from_;
  sc_core::sc_event never_;
};

/// A 1x1 conv with 3 output channels over a 2x2 image: a tile of 4 pixels x 3 channels.
Layer conv_1x1(const std::string& name, int abits_out) {
  Layer l;
  l.name = name;
  l.op = LayerOp::conv;
  l.n = 1;
  l.c = 1;
  l.h = l.w = 2;
  l.k = 3;
  l.r = l.s = 1;
  l.abits_in = 4;
  l.wbits = 4;
  l.abits_out = abits_out;
  return l;
}

Layer pool_layer(const std::string& name, LayerOp op, int64_t hw, int64_t rs, int64_t stride, int64_t pad) {
  Layer l;
  l.name = name;
  l.op = op;
  l.n = 1;
  l.c = l.k = 1;
  l.h = l.w = hw;
  l.r = l.s = rs;
  l.stride = stride;
  l.pad = pad;
  l.abits_in = l.abits_out = 4;
  l.wbits = 32;
  return l;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(modules)

BOOST_AUTO_TEST_CASE(dma_outstanding_overlap_and_blocking) {
  // 4 B/cycle, 10-cycle latency, 16 B bursts. Three 40-word (40 B, rounded to 48 B: 12 bus cycles)
  // transfers at cycle 0, the third a store, then at cycle 100 a 1-word load (one 16 B burst: 4 bus
  // cycles) and an empty transfer.
  const std::vector<DmaBench::Issue> issues = {
      {0, true, 40}, {0, true, 40}, {0, false, 40}, {100, true, 1}, {100, true, 0}};
  // Two in flight: T0 and T1 are accepted at 0 and may move bytes from 10; T0 ends at 10 + 12 = 22,
  // T1 follows it on the bus back to back to 34. T2 takes T0's slot at 22, may move bytes from 32,
  // but the bus is T1's until 34: it ends at 46. The bus is idle when T3 arrives: 100 + 10 + 4 = 114.
  // The empty transfer moves nothing and completes with the one ahead of it (request order).
  SimContext& two = *dma_context(dram(4, 10, 16, 2));
  // Blocking: each waits for the one before, 22 cycles each; T3 after an idle bus, 114 again.
  SimContext& one = *dma_context(dram(4, 10, 16, 1));
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  auto* b2 = new DmaBench("outstanding2", two, issues);
  auto* b1 = new DmaBench("outstanding1", one, issues);
  sc_core::sc_start();
  BOOST_TEST(!two.error);
  BOOST_TEST(!one.error);
  BOOST_TEST(b2->done_cycles() == (std::vector<uint64_t>{22, 34, 46, 114, 114}));
  BOOST_TEST(b1->done_cycles() == (std::vector<uint64_t>{22, 44, 66, 114, 114}));
  // Acceptance never waits in time: the requester is held back by nothing, even with a one-entry
  // request FIFO and both slots taken.
  BOOST_TEST(b2->written_at == (std::vector<uint64_t>{0, 0, 0, 100, 100}));
  BOOST_TEST(b1->written_at == (std::vector<uint64_t>{0, 0, 0, 100, 100}));
  for (DmaBench* b : {b1, b2}) {
    BOOST_TEST_CONTEXT(b->name()) {
      BOOST_TEST(b->u_dma.read_bytes() == 48u + 48u + 16u);  // burst-rounded, loads
      BOOST_TEST(b->u_dma.write_bytes() == 48u);
      BOOST_TEST(b->u_buffer.write_words() == 81u);  // loads write the words in: 40 + 40 + 1 + 0
      BOOST_TEST(b->u_buffer.read_words() == 40u);   // the store reads them out
    }
  }
  // busy_o: high from the first acceptance to the last completion of each busy period.
  BOOST_TEST(b2->u_monitor.seen == (Transitions{{0, true}, {46, false}, {100, true}, {114, false}}));
  BOOST_TEST(b1->u_monitor.seen == (Transitions{{0, true}, {66, false}, {100, true}, {114, false}}));
  // The per-transfer figures the controller and the closed form use.
  BOOST_TEST(b2->u_dma.burst_rounded(40) == 48u);
  BOOST_TEST(b2->u_dma.burst_rounded(48) == 48u);
  BOOST_TEST(b2->u_dma.burst_rounded(0) == 0u);
  BOOST_TEST(b2->u_dma.transfer_cycles(40) == 22u);
  BOOST_TEST(b2->u_dma.transfer_cycles(0) == 0u);
}

BOOST_AUTO_TEST_CASE(dma_slots_fill_and_fractional_bandwidth) {
  // 2.5 B/cycle, latency 3, byte bursts, three in flight; six 5-byte loads at cycle 0 (2 bus cycles
  // each). T0..T2 are accepted at 0 and ready at 3: the bus moves their 15 bytes in ceil(15 / 2.5)
  // = 6 cycles, completing at 5, 7, 9 (ceil(5k / 2.5) after 3). T3 takes T0's slot at 5, ready at
  // 8 < 9: it follows on the bus, 20 bytes by 3 + 8 = 11; T4 takes T1's slot at 7, ready 10 < 11:
  // 13; T5 at 9, ready 12 < 13: 15. The bus never idles after the first latency.
  SimContext& ctx = *dma_context(dram(2.5, 3, 1, 3));
  std::vector<DmaBench::Issue> issues(6, {0, true, 5});
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  auto* b = new DmaBench("slots", ctx, issues);
  // Ideal memory: every transfer completes in the cycle it is requested, bytes still counted.
  SimContext& ideal_ctx = *dma_context(dram(1, 100, 64, 1));
  ideal_ctx.arch.dram.ideal = true;
  auto* ideal = new DmaBench("ideal", ideal_ctx, {{0, true, 100}, {7, false, 1}, {7, true, 64}});
  sc_core::sc_start();
  BOOST_TEST(b->done_cycles() == (std::vector<uint64_t>{5, 7, 9, 11, 13, 15}));
  BOOST_TEST(b->u_dma.read_bytes() == 30u);
  BOOST_TEST(b->u_monitor.seen == (Transitions{{0, true}, {15, false}}));
  BOOST_TEST(ideal->done_cycles() == (std::vector<uint64_t>{0, 7, 7}));
  BOOST_TEST(ideal->u_dma.read_bytes() == 128u + 64u);
  BOOST_TEST(ideal->u_dma.write_bytes() == 64u);
  BOOST_TEST(ideal->u_dma.transfer_cycles(1000) == 0u);
}

BOOST_AUTO_TEST_CASE(buffer_slots_waiters_and_overflow) {
  auto* ctx = new SimContext;
  ctx->arch = ArchConfig::builtin_default();
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  // 2 KiB of 64-bit words: 256 words, 128 per half when double-buffered; 24-bit words do not divide
  // 16384 bits: 682 whole words, 341 per half.
  auto* dbl = new Buffer("u_double", *ctx, buffer_config("weights", 2, 64, true));
  auto* single = new Buffer("u_single", *ctx, buffer_config("inputs", 2, 64, false));
  auto* odd = new Buffer("u_odd", *ctx, buffer_config("outputs", 2, 24, true));
  BOOST_TEST(dbl->slot_words() == 128u);
  BOOST_TEST(single->slot_words() == 256u);
  BOOST_TEST(odd->slot_words() == 341u);

  // Two readers wait on the same buffer for different transfers, which complete out of the order
  // they wait in: each wakes at its own transfer's completion, not at the other's.
  static DmaRequest load{true, dbl, 7, false}, store{false, dbl, 5, false};
  static std::vector<std::pair<std::string, uint64_t>> woke;
  static bool fits_exact = false, fits_over = true;
  struct Bench : sc_core::sc_module {
    SimContext& ctx;
    Buffer& buf;
    Bench(sc_core::sc_module_name n, SimContext& c, Buffer& b) : sc_module(n), ctx(c), buf(b) {
      SC_HAS_PROCESS(Bench);
      SC_THREAD(wait_load_thread);
      SC_THREAD(wait_store_thread);
      SC_THREAD(complete_thread);
    }
    void wait_load_thread() {
      buf.wait_done(load);
      woke.emplace_back("load", ctx.now_cycles());
      park();
    }
    void wait_store_thread() {
      buf.wait_done(store);
      woke.emplace_back("store", ctx.now_cycles());
      buf.wait_done(store);  // already done: returns at once
      woke.emplace_back("store again", ctx.now_cycles());
      park();
    }
    void complete_thread() {
      ctx.wait_cycles(10);
      buf.transfer_done(store);
      ctx.wait_cycles(20);
      buf.transfer_done(load);
      buf.count_read(3);
      buf.count_write(4);
      ctx.wait_cycles(10);
      fits_exact = buf.check_fits(128, "load");
      fits_over = buf.check_fits(129, "load");  // one word over a slot: a planning bug, stops the run
      park();
    }
    // Threads end suspended, like the modules' own: LeakSanitizer's exit-time scan faults on the
    // stacks of SystemC threads that returned (as in test_sim_systemc's tile bench).
    void park() { sc_core::wait(never_); }
    sc_core::sc_event never_;
  };
  new Bench("bench", *ctx, *dbl);
  sc_core::sc_start();
  BOOST_TEST((woke == std::vector<std::pair<std::string, uint64_t>>{{"store", 10}, {"store again", 10}, {"load", 30}}));
  BOOST_TEST(load.done);
  BOOST_TEST(load.done_cycle == 30u);
  BOOST_TEST(store.done_cycle == 10u);
  BOOST_TEST(dbl->write_words() == 7u + 4u);  // the load wrote 7 words, the datapath 4
  BOOST_TEST(dbl->read_words() == 5u + 3u);   // the store read 5, the datapath 3
  BOOST_TEST(fits_exact);
  BOOST_TEST(!fits_over);
  BOOST_TEST_REQUIRE(static_cast<bool>(ctx->error));
  std::string msg;
  try {
    std::rethrow_exception(ctx->error);
  } catch (const SimInternalError& e) {
    msg = e.what();
  }
  BOOST_TEST(msg == "internal inconsistency in u_double at cycle 40: load of 129 words exceeds a slot of 128 words");
}

BOOST_AUTO_TEST_CASE(controller_blocking_dma_schedule) {
  // One transfer in flight: the next step's loads are issued when its step begins, into the other
  // half. DRAM latency 30, tiles of 20 cycles.
  //   s0: loads at 0, ready 30 (30 weight stall); step 1's loads at 30; tile 30..50; store at 50.
  //   s1: loads ready 60 (10 weight stall); step 2's loads at 60; tile 60..80; store at 80.
  //   s2: ready 90 (10); step 0's store (slot 0) done at 80; tile 90..110; store at 110, done 140.
  //   end: waits for the last store, 110..140 (30 output stall). 60 compute + 50 + 30 = 140.
  SimContext& ctx = *controller_context(1);
  ControllerBench* b = controller_bench(ctx, {array_layer(0, "conv", 3, 10, 20)}, 30);
  sc_core::sc_start();
  BOOST_TEST(!ctx.error);
  check_issued(b->issued, {load_w(0, 10), load_i(0), load_w(30, 10), load_i(30), store(50), load_w(60, 10), load_i(60),
                           store(80), store(110)});
  BOOST_TEST(b->array_starts == (std::vector<uint64_t>{30, 60, 90}));
  check_layer(ctx.results[0], 140, 60, {50, 0, 30, 0});
  check_three_step_counts(ctx.results[0], 10);
  BOOST_TEST(ctx.results[0].utilization == 60.0 / (256.0 * 140.0));
}

BOOST_AUTO_TEST_CASE(controller_runs_ahead) {
  // Three transfers in flight: steps 1 and 2 are loaded with step 0 (10 + 10 + 10 weight words fit
  // the 32-word ring), all ready at 30.
  //   s0: 30 weight stall; tile 30..50; store at 50 (done 80).
  //   s1: loaded; tile 50..70; store at 70 (done 100).
  //   s2: output slot 0 is still leaving: 70..80 output stall; tile 80..100; store at 100 (done 130).
  //   end: 100..130 output stall. 60 compute + 30 + 40 = 130.
  SimContext& ctx = *controller_context(3);
  ControllerBench* b = controller_bench(ctx, {array_layer(0, "conv", 3, 10, 20)}, 30);
  sc_core::sc_start();
  BOOST_TEST(!ctx.error);
  check_issued(b->issued, {load_w(0, 10), load_i(0), load_w(0, 10), load_i(0), load_w(0, 10), load_i(0), store(50),
                           store(70), store(100)});
  BOOST_TEST(b->array_starts == (std::vector<uint64_t>{30, 50, 80}));
  check_layer(ctx.results[0], 130, 60, {30, 0, 40, 0});
  check_three_step_counts(ctx.results[0], 10);
}

BOOST_AUTO_TEST_CASE(controller_full_ring_holds_loads_back) {
  // As controller_runs_ahead with 12-word weight tiles: three do not fit the 32-word ring, so step
  // 2's loads wait until step 1 is in use (cycle 50: step 0's tile leaves the ring, 24 words).
  //   s0: 30 weight stall; tile 30..50; store at 50.  s1: step 2's loads at 50 (ready 80); tile
  //   50..70; store at 70.  s2: 70..80 weight stall; store slot 0 done at 80; tile 80..100; store
  //   at 100.  end: 100..130. 60 compute + 40 + 30 = 130.
  SimContext& ctx = *controller_context(3);
  ControllerBench* b = controller_bench(ctx, {array_layer(0, "conv", 3, 12, 20)}, 30);
  sc_core::sc_start();
  BOOST_TEST(!ctx.error);
  check_issued(b->issued, {load_w(0, 12), load_i(0), load_w(0, 12), load_i(0), store(50), load_w(50, 12), load_i(50),
                           store(70), store(100)});
  BOOST_TEST(b->array_starts == (std::vector<uint64_t>{30, 50, 80}));
  check_layer(ctx.results[0], 130, 60, {40, 0, 30, 0});
  check_three_step_counts(ctx.results[0], 12);
}

BOOST_AUTO_TEST_CASE(controller_port_stalls_and_ppu_layers) {
  // Layer 0: one tile of 20 cycles whose operands the buffer ports deliver 7 cycles late (the plan's
  // port_stall_cycles): the array is busy 27 cycles, 7 of them attributed to the ports. Layer 1 runs
  // on the post-processing unit: no loads, 9 cycles.
  SimContext& ctx = *controller_context(1);
  LayerPlan conv = array_layer(0, "conv", 1, 10, 20);
  conv.steps[0].port_stall_cycles = 7;
  conv.steps[0].output_store_words = 0;
  LayerPlan pool;
  pool.index = 1;
  pool.layer = pool_layer("pool", LayerOp::maxpool, 4, 2, 2, 0);
  pool.on_array = false;
  Step chunk;
  chunk.compute_cycles = 9;
  pool.steps.push_back(chunk);
  ControllerBench* b = controller_bench(ctx, {conv, pool}, 30);
  sc_core::sc_start();
  BOOST_TEST(!ctx.error);
  check_issued(b->issued, {load_w(0, 10), load_i(0)});
  BOOST_TEST(b->array_starts == (std::vector<uint64_t>{30}));
  BOOST_TEST(b->ppu_starts == (std::vector<uint64_t>{57}));
  check_layer(ctx.results[0], 57, 20, {30, 0, 0, 7});
  check_layer(ctx.results[1], 9, 9, {0, 0, 0, 0});
  BOOST_TEST(ctx.results[1].counts.pool_ops == 4u * 4u);  // 2x2 outputs, 2x2 windows
  BOOST_TEST(ctx.results[1].counts.requant_ops == 0u);
  BOOST_TEST(b->layer.read() == 1);
}

BOOST_AUTO_TEST_CASE(controller_datapath_overrun_is_internal_error) {
  // An array that takes one cycle more than the plan says: the controller stops the run naming the
  // step, layer and both figures, instead of mis-attributing the cycle.
  SimContext& ctx = *controller_context(1);
  ControllerBench* b = controller_bench(ctx, {array_layer(0, "conv", 3, 10, 20)}, 30);
  b->extra_cycles = 1;
  sc_core::sc_start();
  BOOST_TEST_REQUIRE(static_cast<bool>(ctx.error));
  std::string msg;
  try {
    std::rethrow_exception(ctx.error);
  } catch (const SimInternalError& e) {
    msg = e.what();
  }
  BOOST_TEST(msg ==
             "internal inconsistency in bench.u_controller at cycle 51: step 0 of layer \"conv\" kept the datapath "
             "busy 21 cycles, expected 20");
}

BOOST_AUTO_TEST_CASE(controller_load_over_a_slot_is_internal_error) {
  // 17 weight words do not fit a 16-word slot: the controller issues nothing and stops the run.
  SimContext& ctx = *controller_context(1);
  ControllerBench* b = controller_bench(ctx, {array_layer(0, "conv", 2, 17, 20)}, 30);
  sc_core::sc_start();
  for (const Issued& i : b->issued) BOOST_TEST(i.buffer != "weight_buffer");
  BOOST_TEST(b->array_starts.empty());
  BOOST_TEST_REQUIRE(static_cast<bool>(ctx.error));
  std::string msg;
  try {
    std::rethrow_exception(ctx.error);
  } catch (const SimInternalError& e) {
    msg = e.what();
  }
  BOOST_TEST(msg ==
             "internal inconsistency in bench.u_weight_buffer at cycle 0: load of 17 words exceeds a slot of "
             "16 words");
}

BOOST_AUTO_TEST_CASE(post_processor_requantizes_tiles) {
  // Accumulators of a 4-pixel x 3-channel tile, per channel (M, B, S) and 4-bit outputs:
  //   k0 (3, -5, 2): -10 -> -33 >> 2 < 0 -> 0 (ReLU clip); 1 -> 0 >> 2 = 0; 3 -> 6 >> 2 = 1;
  //                  100 -> 297 >> 2 = 74 -> 15 (clamp at 2^4 - 1)
  //   k1 (1, 0, 0):  no rounding term: 0, 15, 16 -> 15, 7
  //   k2 (5, 6, 3):  2 -> 20 >> 3 = 2; 0 -> 10 >> 3 = 1 (0.75 rounds up); -2 -> 0 >> 3 = 0
  //                  (-0.5 rounds half up to 0); 6 -> 40 >> 3 = 5 (4.5 rounds half up)
  // Logits (abits_out 32): the same map unclamped, floor shift: k0: -9 (-8.25), 0, 1, 74.
  const std::vector<RequantParams> rq = {{3, -5, 2}, {1, 0, 0}, {5, 6, 3}};
  const std::vector<std::vector<int64_t>> acc_k = {{-10, 1, 3, 100}, {0, 15, 16, 7}, {2, 0, -2, 6}};
  const std::vector<std::vector<int64_t>> out_k = {{0, 0, 1, 15}, {0, 15, 15, 7}, {2, 1, 0, 5}};
  const std::vector<std::vector<int64_t>> logit_k = {{-9, 0, 1, 74}, {0, 15, 16, 7}, {2, 1, 0, 5}};
  for (size_t k = 0; k < 3; ++k)
    for (size_t pix = 0; pix < 4; ++pix) {  // the hand table is common/numerics.h's definition
      BOOST_TEST(requantize(acc_k[k][pix], rq[k], 4) == out_k[k][pix]);
      BOOST_TEST(requantize_logit(acc_k[k][pix], rq[k]) == logit_k[k][pix]);
    }
  static Trace trace;
  static std::vector<LayerPlan> plans(3);
  static std::vector<std::vector<int64_t>> accs(4);
  static Step partial, last;
  static TileOperands ops[4];
  const char* names[] = {"conv", "logits", "conv_bad"};
  for (int i = 0; i < 3; ++i) {
    TraceLayer t;
    t.shape = conv_1x1(names[i], i == 1 ? kFp32Bits : 4);
    t.requant = rq;
    for (size_t k = 0; k < 3; ++k)
      for (size_t pix = 0; pix < 4; ++pix) {
        t.expected_acc.push_back(acc_k[k][pix]);  // N x K x OH x OW
        t.expected_output.push_back(i == 1 ? logit_k[k][pix] : out_k[k][pix]);
      }
    plans[static_cast<size_t>(i)].index = i;
    plans[static_cast<size_t>(i)].layer = t.shape;
    plans[static_cast<size_t>(i)].k_per_group = 3;
    trace.layers.push_back(t);
  }
  trace.layers[2].expected_output[5] += 1;  // k1, pixel 1: expects 16, the unit computes 15
  last.m_len = 4;
  last.n_len = 3;
  partial = last;
  partial.last_l = false;  // partial sums of a split reduction: nothing to requantize yet
  for (auto& a : accs) {
    a.resize(12);
    for (size_t pix = 0; pix < 4; ++pix)
      for (size_t k = 0; k < 3; ++k) a[pix * 3 + k] = acc_k[k][pix];  // tile order: pixel x channel
  }
  accs[0].assign(12, 99);
  for (size_t i = 0; i < 4; ++i) ops[i].acc = &accs[i];
  auto* ctx = new SimContext;
  ctx->arch = ArchConfig::builtin_default();
  ctx->trace = &trace;
  ctx->results.resize(3);
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  auto* b = new PostProcessorBench("bench", *ctx,
                                   {{5, true, {&plans[0], &partial, &ops[0]}},
                                    {5, true, {&plans[0], &last, &ops[1]}},
                                    {8, true, {&plans[1], &last, &ops[2]}},
                                    {8, true, {&plans[2], &last, &ops[3]}}},
                                   0);
  sc_core::sc_start();
  BOOST_TEST(!ctx->error);
  BOOST_TEST(ctx->results[0].outputs_checked == 24u);  // 12 accumulators + 12 outputs, the last tile only
  BOOST_TEST(ctx->results[0].mismatches == 0u);
  BOOST_TEST(ctx->results[1].outputs_checked == 24u);
  BOOST_TEST(ctx->results[1].mismatches == 0u);
  BOOST_TEST(ctx->results[2].mismatches == 1u);
  BOOST_TEST(ctx->mismatches == 1u);
  BOOST_TEST(ctx->first_mismatch ==
             "output of layer \"conv_bad\" output (n=0, k=1, oh=0, ow=1) (flat index 5): trace expects 16, simulator "
             "computed 15");
  // Requantization overlaps the array's drain: a tile leaves in the cycle it arrived.
  BOOST_TEST(b->done_at == (std::vector<uint64_t>{5, 5, 8, 8}));
}

BOOST_AUTO_TEST_CASE(post_processor_pooling_add_and_backpressure) {
  // One 3x3 plane [1 5 2; 0 3 9; 7 4 6] (4-bit codes):
  //   maxpool 2x2 stride 1: 5 9 / 7 9
  //   avgpool 2x2 stride 1, round half up: sums 9 19 / 14 22 over 4 -> 2 (2.25) 5 (4.75) / 4 (3.5) 6 (5.5)
  //   avgpool 3x3 stride 2 pad 1, padding counts as 0 in 9: sums 9 19 / 14 22 -> 1 2 / 2 2
  // add of [3 8; 15 0] and [4 8; 1 0], clipped at 15: 7 15 / 15 0.
  static Trace trace;
  static std::vector<LayerPlan> plans(4);
  static std::vector<Step> steps(4);
  static TileOperands marker;  // marks the job functional; the unit reads the trace
  const std::vector<int32_t> plane = {1, 5, 2, 0, 3, 9, 7, 4, 6};
  const Layer layers[] = {
      pool_layer("maxpool", LayerOp::maxpool, 3, 2, 1, 0), pool_layer("avgpool", LayerOp::avgpool, 3, 2, 1, 0),
      pool_layer("avgpool_pad", LayerOp::avgpool, 3, 3, 2, 1), pool_layer("add", LayerOp::add, 2, 1, 1, 0)};
  const std::vector<int64_t> expected[] = {{5, 9, 7, 9}, {2, 5, 4, 6}, {1, 2, 2, 2}, {7, 15, 15, 0}};
  for (size_t i = 0; i < 4; ++i) {
    TraceLayer t;
    t.shape = layers[i];
    t.input = i == 3 ? std::vector<int32_t>{3, 8, 15, 0} : plane;
    if (i == 3) t.input_b = {4, 8, 1, 0};
    t.expected_output = expected[i];
    trace.layers.push_back(t);
    plans[i].index = static_cast<int>(i);
    plans[i].layer = layers[i];
    plans[i].on_array = false;
    steps[i].n0 = 0;
    steps[i].n_len = 1;
    steps[i].compute_cycles = 4 + i;  // 4, 5, 6, 7 cycles
  }
  auto* ctx = new SimContext;
  ctx->arch = ArchConfig::builtin_default();
  ctx->trace = &trace;
  ctx->results.resize(4);
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  // All four chunks at cycle 0 into a one-entry job FIFO; nobody reads the one-entry done FIFO
  // before cycle 100. maxpool runs 0..4 and its result fits the done FIFO; avgpool runs 4..9, then
  // the unit holds its result (busy low, blocked) until the reader takes maxpool's at 100; avgpool_pad
  // runs 100..106 and add 106..113. The driver's writes return when the one-entry FIFO has room:
  // 0, 0 (the unit took maxpool at once), 4 (it took avgpool) and 100 (it took avgpool_pad).
  auto* b = new PostProcessorBench("bench", *ctx,
                                   {{0, false, {&plans[0], &steps[0], &marker}},
                                    {0, false, {&plans[1], &steps[1], &marker}},
                                    {0, false, {&plans[2], &steps[2], &marker}},
                                    {0, false, {&plans[3], &steps[3], &marker}}},
                                   100);
  sc_core::sc_start();
  BOOST_TEST(!ctx->error);
  for (size_t i = 0; i < 4; ++i) BOOST_TEST_CONTEXT(layers[i].name) {
      BOOST_TEST(ctx->results[i].outputs_checked == 4u);
      BOOST_TEST(ctx->results[i].mismatches == 0u);
    }
  BOOST_TEST(ctx->first_mismatch == "");
  BOOST_TEST(b->written_at == (std::vector<uint64_t>{0, 0, 4, 100}));
  BOOST_TEST(b->done_at == (std::vector<uint64_t>{100, 100, 106, 113}));
  BOOST_TEST(b->done_layers == (std::vector<std::string>{"maxpool", "avgpool", "avgpool_pad", "add"}));
  BOOST_TEST(b->u_monitor.seen == (Transitions{{0, true}, {9, false}, {100, true}, {113, false}}));
}

BOOST_AUTO_TEST_SUITE_END()
