// SystemC cases: each simulates once, so CTest runs each in its own process (--run_test=systemc/<case>,
// tests/sim/CMakeLists.txt). Functional references are synthetic traces whose expected outputs come
// from a direct loop over common/numerics.h (sim/synthetic.h), not from the simulator's tiling.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "common/arch_config.h"
#include "common/diagnostics.h"
#include "common/numerics.h"
#include "common/rng.h"
#include "mapping/plan.h"
#include "sim/simulator.h"
#include "sim/synthetic.h"
#include "workloads/network.h"
#include "workloads/trace.h"

using namespace wrpn;
using namespace wrpn::sim;
using namespace wrpn::mapping;
namespace fs = std::filesystem;

namespace {

Layer layer(const std::string& name, LayerOp op, int64_t n, int64_t c, int64_t hw, int64_t k, int64_t rs,
            int64_t stride, int64_t pad, int64_t groups, int bits, int out_bits) {
  Layer l;
  l.name = name;
  l.op = op;
  l.n = n;
  l.c = c;
  l.h = l.w = hw;
  l.k = k;
  l.r = l.s = rs;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  l.wbits = op == LayerOp::conv || op == LayerOp::fc ? bits : 32;
  l.abits_in = bits;
  l.abits_out = out_bits;
  return l;
}

/// Small layers of every op and awkward shapes (stride, padding, groups, ragged tiles, logits).
std::vector<Layer> mixed_layers(int bits) {
  return {layer("conv_s2", LayerOp::conv, 2, 3, 15, 10, 3, 2, 1, 1, bits, bits),
          layer("conv_g2", LayerOp::conv, 2, 12, 9, 20, 3, 1, 1, 2, bits, bits),
          layer("conv_1x1", LayerOp::conv, 2, 19, 7, 37, 1, 1, 0, 1, bits, bits),
          layer("maxpool", LayerOp::maxpool, 2, 8, 8, 8, 2, 2, 0, 1, bits, bits),
          layer("avgpool", LayerOp::avgpool, 2, 5, 7, 5, 3, 2, 1, 1, bits, bits),
          layer("add", LayerOp::add, 2, 6, 5, 6, 1, 1, 0, 1, bits, bits),
          layer("fc", LayerOp::fc, 2, 70, 1, 23, 1, 1, 0, 1, bits, bits),
          layer("fc_logits", LayerOp::fc, 2, 23, 1, 10, 1, 1, 0, 1, bits, 32)};
}

/// A small arch with tight buffers so layers tile (not all resident) and DRAM limits bite.
ArchConfig small_arch(Dataflow df, int rows, int cols, bool ideal) {
  ArchConfig a = ArchConfig::builtin_default(8, 8);
  a.name = "test";
  a.rows = rows;
  a.cols = cols;
  a.dataflow = df;
  for (BufferConfig& b : a.buffers) b.capacity_kib = 2;
  a.dram.bandwidth_bytes_per_cycle = 4;
  a.dram.latency_cycles = 20;
  a.dram.ideal = ideal;
  return a;
}

uint64_t expected_checks(const Trace& t) {
  uint64_t n = 0;
  for (const TraceLayer& l : t.layers) n += l.expected_output.size() + l.expected_acc.size();
  return n;
}

void check_accounting(const SimResult& r) {
  uint64_t sum = 0;
  for (const LayerResult& l : r.layers) {
    BOOST_TEST_CONTEXT("layer " << l.name) {
      BOOST_TEST(l.compute_cycles + l.stalls.total() == l.cycles);
      BOOST_TEST(l.counts.cycles == l.cycles);
      BOOST_TEST(l.utilization >= 0.0);
      BOOST_TEST(l.utilization <= 1.0);
      BOOST_TEST(l.counts.pe_active_cycles + l.counts.pe_idle_cycles ==
                 static_cast<uint64_t>(r.arch.rows * r.arch.cols) * l.cycles);
    }
    sum += l.cycles;
  }
  BOOST_TEST(sum == r.cycles);
  BOOST_TEST(r.compute_cycles + r.stalls.total() == r.cycles);
}

void functional_case(Dataflow df, int bits, uint64_t seed, bool through_files) {
  BOOST_TEST_MESSAGE("seed " << seed);
  const Trace made = synthetic_trace(mixed_layers(bits), seed, "mixed");
  Trace trace = made;
  std::string dir = "in-memory";
  if (through_files) {  // the real path: write_trace, then read_trace verifies it
    dir = (fs::temp_directory_path() / ("wrpn_sim_test_" + std::to_string(getpid()))).string();
    write_trace(dir, made, true);
    trace = read_trace(dir);
    fs::remove_all(dir);
  }
  const SimResult r = simulate(small_arch(df, 4, 5, false), workload_from_trace(trace, dir));
  BOOST_TEST(r.functional);
  BOOST_TEST(r.mismatches == 0u, "first mismatch: " << r.first_mismatch);
  BOOST_TEST(r.outputs_checked == expected_checks(made));
  BOOST_TEST(r.stalls.total() > 0u);  // 4 B/cycle with 20-cycle latency must stall somewhere
  check_accounting(r);
  uint64_t macs = 0;
  for (const TraceLayer& l : made.layers) macs += static_cast<uint64_t>(l.shape.macs());
  BOOST_TEST(r.total.macs == macs);
}

/// Ideal memory: every layer's cycles equal the closed form (docs/sim-model.md), no stalls.
void ideal_case(Dataflow df, int rows, int cols, uint64_t seed) {
  BOOST_TEST_MESSAGE("seed " << seed << ", " << rows << "x" << cols << " " << to_string(df));
  const Trace trace = synthetic_trace(mixed_layers(4), seed, "mixed");
  const ArchConfig arch = small_arch(df, rows, cols, true);
  const SimResult r = simulate(arch, workload_from_trace(trace, "in-memory"));
  BOOST_TEST(r.mismatches == 0u, "first mismatch: " << r.first_mismatch);
  const std::vector<LayerPlan> plans = plan_layers(arch, workload_from_trace(trace, "").layers, true, "x");
  for (size_t i = 0; i < plans.size(); ++i) {
    BOOST_TEST_CONTEXT("layer " << r.layers[i].name) {
      BOOST_TEST(r.layers[i].cycles == closed_form_ideal_cycles(arch, plans[i]));
      BOOST_TEST(r.layers[i].stalls.total() == 0u);
    }
  }
  check_accounting(r);
}

/// Every array layer output-stationary with its reduction split into tiles of at most `tl` stream
/// steps (the partial sums wait in the output buffer between them).
std::vector<LayerMapping> split_mappings(const ArchConfig& arch, const std::vector<Layer>& layers, int64_t tl) {
  std::vector<LayerMapping> ms;
  for (const Layer& l : layers) {
    LayerMapping m;
    if (l.has_weights()) {
      m = mapping::default_mapping(arch, l);
      m.dataflow = Dataflow::output_stationary;
      m.tm = std::min<int64_t>(m.tm, arch.rows);
      m.tl = std::min<int64_t>(tl, mapping::stream_length(arch, l));
      BOOST_TEST_REQUIRE(mapping::mapping_error(arch, l, m) == "", l.name);
    }
    ms.push_back(m);
  }
  return ms;
}

/// Split-reduction OS tiles on real memory (functional, bit-exact) and on ideal memory (cycles equal
/// the closed form, no stalls).
void split_case(bool ideal, PeType pe, uint64_t seed) {
  BOOST_TEST_MESSAGE("seed " << seed);
  const int bits = pe == PeType::binary ? 1 : 4;
  std::vector<Layer> ls = pe == PeType::binary
                              ? std::vector<Layer>{layer("conv_a", LayerOp::conv, 2, 16, 6, 12, 3, 1, 1, 1, 1, 1),
                                                   layer("fc", LayerOp::fc, 2, 200, 1, 9, 1, 1, 0, 1, 1, 1)}
                              : mixed_layers(bits);
  const Trace trace = synthetic_trace(ls, seed, "split");
  ArchConfig arch = small_arch(Dataflow::output_stationary, 4, 5, ideal);
  if (pe == PeType::binary) {
    const ArchConfig b = ArchConfig::builtin_default(1, 1);
    arch.pe_type = b.pe_type;
    arch.pe_wbits = b.pe_wbits;
    arch.pe_abits = b.pe_abits;
  }
  SimOptions opt;
  opt.mappings = split_mappings(arch, workload_from_trace(trace, "").layers, pe == PeType::binary ? 1 : 7);
  const SimResult r = simulate(arch, workload_from_trace(trace, "in-memory"), opt);
  BOOST_TEST(r.mismatches == 0u, "first mismatch: " << r.first_mismatch);
  BOOST_TEST(r.outputs_checked == expected_checks(trace));
  check_accounting(r);
  const std::vector<LayerPlan> plans =
      plan_layers(arch, workload_from_trace(trace, "").layers, true, "x", &opt.mappings);
  bool any_split = false;
  for (size_t i = 0; i < plans.size(); ++i) {
    any_split = any_split || plans[i].split_reduction;
    if (ideal) {
      BOOST_TEST_CONTEXT("layer " << r.layers[i].name) {
        BOOST_TEST(r.layers[i].cycles == closed_form_ideal_cycles(arch, plans[i]));
        BOOST_TEST(r.layers[i].stalls.total() == 0u);
      }
    }
  }
  BOOST_TEST(any_split);
}

/// The DMA of docs/sim-model.md stepped cycle by cycle, written independently of sim/dma.cpp: a
/// transfer is accepted when fewer than max_outstanding are in flight, may move bytes from
/// acceptance + latency on, and the bus moves `bandwidth` bytes a cycle to the oldest unfinished
/// transfer(s), leftovers of a cycle going to the next one if it is ready. Returns completion cycles.
std::vector<uint64_t> reference_dma(const DramConfig& d, const std::vector<DmaTransferRun>& ts) {
  const size_t n = ts.size();
  std::vector<uint64_t> done(n, 0), ready(n, 0);
  std::vector<double> left(n);
  std::vector<bool> finished(n, false);
  auto rounded = [&](uint64_t b) {
    return (b + static_cast<uint64_t>(d.burst_bytes) - 1) / d.burst_bytes * d.burst_bytes;
  };
  for (size_t i = 0; i < n; ++i) left[i] = static_cast<double>(rounded(ts[i].bytes));
  size_t accepted = 0, oldest = 0;  // transfers [oldest, accepted) are in flight
  for (uint64_t c = 0; oldest < n; ++c) {
    while (accepted < n && ts[accepted].issue_cycle <= c &&
           accepted - oldest < static_cast<size_t>(d.max_outstanding)) {
      ready[accepted] = c + static_cast<uint64_t>(d.latency_cycles);
      ++accepted;
    }
    double budget = d.bandwidth_bytes_per_cycle;
    for (size_t i = oldest; i < accepted && budget > 0 && ready[i] <= c; ++i) {
      if (finished[i]) continue;
      const double moved = std::min(budget, left[i]);
      left[i] -= moved;
      budget -= moved;
      if (left[i] == 0) {
        finished[i] = true;
        done[i] = c + 1;
      }
    }
    while (oldest < accepted && finished[oldest] && done[oldest] <= c + 1) ++oldest;
  }
  return done;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(systemc)

BOOST_AUTO_TEST_CASE(mac_array_tiles_with_backpressure) {
  const uint64_t seed = 4242;
  BOOST_TEST_MESSAGE("seed " << seed);
  Rng rng(seed);
  std::vector<TileRun> tiles;
  for (int i = 0; i < 60; ++i) {
    TileRun t;
    t.dataflow = i % 3 == 0   ? Dataflow::output_stationary
                 : i % 3 == 1 ? Dataflow::weight_stationary
                              : Dataflow::input_stationary;
    t.rows = static_cast<int>(rng.uniform_int(1, 16));
    t.cols = static_cast<int>(rng.uniform_int(1, 16));
    t.stream = rng.uniform_int(1, 40);
    const bool os = t.dataflow == Dataflow::output_stationary, is = t.dataflow == Dataflow::input_stationary;
    t.a.resize(static_cast<size_t>(is ? t.cols * t.rows : t.rows * t.stream));
    t.b.resize(static_cast<size_t>(os ? t.stream * t.cols : (is ? t.stream * t.rows : t.rows * t.cols)));
    for (auto& v : t.a) v = static_cast<int32_t>(rng.uniform_int(0, 15));
    for (auto& v : t.b) v = static_cast<int32_t>(rng.uniform_int(-7, 7));
    tiles.push_back(t);
  }
  const std::vector<TileRunResult> got = run_mac_array_tiles_systemc(tiles, seed);
  BOOST_TEST_REQUIRE(got.size() == tiles.size());
  for (size_t i = 0; i < tiles.size(); ++i) {
    const TileRun& t = tiles[i];
    const bool os = t.dataflow == Dataflow::output_stationary;
    BOOST_TEST_CONTEXT("tile " << i << " " << to_string(t.dataflow)) {
      BOOST_TEST(got[i].cycles == static_cast<uint64_t>(2 * t.rows + t.cols - 2 + t.stream));
      BOOST_TEST(!got[i].overflow);
      const int64_t outs = os ? t.rows : t.stream, red = os ? t.stream : t.rows;
      if (t.dataflow == Dataflow::input_stationary) {  // acc: pixel column j x streamed channel n
        for (int64_t j = 0; j < t.cols; ++j)
          for (int64_t n = 0; n < t.stream; ++n) {
            std::vector<int32_t> qa, qw;
            for (int64_t x = 0; x < t.rows; ++x) {
              qa.push_back(t.a[static_cast<size_t>(j * t.rows + x)]);
              qw.push_back(t.b[static_cast<size_t>(n * t.rows + x)]);
            }
            BOOST_TEST(got[i].acc[static_cast<size_t>(j * t.stream + n)] ==
                       dot_reference(qa.data(), qw.data(), red, 0, 32, OverflowMode::error).acc);
          }
        continue;
      }
      for (int64_t o = 0; o < outs; ++o)
        for (int64_t j = 0; j < t.cols; ++j) {
          std::vector<int32_t> qa, qw;
          for (int64_t x = 0; x < red; ++x) {
            qa.push_back(t.a[static_cast<size_t>(o * red + x)]);
            qw.push_back(t.b[static_cast<size_t>(x * t.cols + j)]);
          }
          BOOST_TEST(got[i].acc[static_cast<size_t>(o * t.cols + j)] ==
                     dot_reference(qa.data(), qw.data(), red, 0, 32, OverflowMode::error).acc);
        }
    }
  }
}

BOOST_AUTO_TEST_CASE(functional_os_trace_files) { functional_case(Dataflow::output_stationary, 4, 11, true); }
BOOST_AUTO_TEST_CASE(functional_ws_w3) { functional_case(Dataflow::weight_stationary, 3, 12, false); }
BOOST_AUTO_TEST_CASE(functional_is_w4) { functional_case(Dataflow::input_stationary, 4, 13, false); }
/// PE types other than int: binary (XNOR-popcount lanes; fan-ins above and below 64 lanes) and
/// ternary (2-bit weights, 4-bit activations in one pass on a 2x4 PE).
void pe_type_case(int wbits, int abits, Dataflow df, uint64_t seed) {
  BOOST_TEST_MESSAGE("seed " << seed);
  std::vector<Layer> ls = {layer("conv_a", LayerOp::conv, 2, 16, 6, 12, 3, 1, 1, 1, abits, abits),
                           layer("conv_b", LayerOp::conv, 2, 3, 5, 7, 3, 2, 0, 1, abits, abits),
                           layer("fc", LayerOp::fc, 2, 200, 1, 9, 1, 1, 0, 1, abits, abits)};
  for (Layer& l : ls) l.wbits = wbits;
  const Trace trace = synthetic_trace(ls, seed, "pe");
  ArchConfig arch = small_arch(df, 4, 4, false);
  const ArchConfig pe = ArchConfig::builtin_default(wbits, abits);
  arch.pe_type = pe.pe_type;
  arch.pe_wbits = pe.pe_wbits;
  arch.pe_abits = pe.pe_abits;
  const SimResult r = simulate(arch, workload_from_trace(trace, "in-memory"));
  BOOST_TEST(r.mismatches == 0u, "first mismatch: " << r.first_mismatch);
  BOOST_TEST(r.outputs_checked == expected_checks(trace));
  check_accounting(r);
}

BOOST_AUTO_TEST_CASE(functional_binary_os) { pe_type_case(1, 1, Dataflow::output_stationary, 41); }
BOOST_AUTO_TEST_CASE(functional_binary_ws) { pe_type_case(1, 1, Dataflow::weight_stationary, 42); }
BOOST_AUTO_TEST_CASE(functional_ternary_ws) { pe_type_case(2, 4, Dataflow::weight_stationary, 43); }
BOOST_AUTO_TEST_CASE(functional_binary_is) { pe_type_case(1, 1, Dataflow::input_stationary, 44); }
BOOST_AUTO_TEST_CASE(functional_ternary_is) { pe_type_case(2, 4, Dataflow::input_stationary, 45); }

BOOST_AUTO_TEST_CASE(ideal_os_16x16) { ideal_case(Dataflow::output_stationary, 16, 16, 21); }
BOOST_AUTO_TEST_CASE(ideal_os_3x7) { ideal_case(Dataflow::output_stationary, 3, 7, 22); }
BOOST_AUTO_TEST_CASE(ideal_ws_16x16) { ideal_case(Dataflow::weight_stationary, 16, 16, 23); }
BOOST_AUTO_TEST_CASE(ideal_ws_5x2) { ideal_case(Dataflow::weight_stationary, 5, 2, 24); }
BOOST_AUTO_TEST_CASE(ideal_is_16x16) { ideal_case(Dataflow::input_stationary, 16, 16, 25); }
BOOST_AUTO_TEST_CASE(ideal_is_3x7) { ideal_case(Dataflow::input_stationary, 3, 7, 26); }
BOOST_AUTO_TEST_CASE(functional_os_split_reduction) { split_case(false, PeType::int_k, 51); }
BOOST_AUTO_TEST_CASE(ideal_os_split_reduction) { split_case(true, PeType::int_k, 52); }
BOOST_AUTO_TEST_CASE(functional_binary_os_split_reduction) { split_case(false, PeType::binary, 53); }

BOOST_AUTO_TEST_CASE(bandwidth_stalls_timing_only) {
  // lenet and alexnet-shaped layers, timing only, on a starved DRAM: stalls appear, are attributed,
  // never negative (unsigned, and compute + stalls == cycles per layer), and compute equals the
  // ideal-memory closed form.
  Network net = apply_precision(builtin_network("lenet"), PrecisionPolicy::uniform(4, 4));
  net = with_batch(net, 4);
  ArchConfig arch = small_arch(Dataflow::output_stationary, 8, 8, false);
  arch.dram.bandwidth_bytes_per_cycle = 0.5;
  const SimResult r = simulate(arch, workload_from_network(net, "lenet"));
  BOOST_TEST(!r.functional);
  check_accounting(r);
  BOOST_TEST(r.stalls.dram_weights + r.stalls.dram_inputs > 0u);
  const std::vector<LayerPlan> plans = plan_layers(arch, net.layers, false, "lenet");
  uint64_t weight_bytes = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    BOOST_TEST(r.layers[i].compute_cycles + 0 >= closed_form_ideal_cycles(arch, plans[i]));
    BOOST_TEST(r.layers[i].compute_cycles == closed_form_ideal_cycles(arch, plans[i]));
    weight_bytes += static_cast<uint64_t>(net.layers[i].weight_bits_total() / 8);
  }
  BOOST_TEST(r.total.dram_read_bytes >= weight_bytes);
  // Starved DRAM: total time is at least the bytes moved at 0.5 B/cycle.
  BOOST_TEST(static_cast<double>(r.cycles) >=
             static_cast<double>(r.total.dram_read_bytes + r.total.dram_write_bytes) / 0.5);
}

BOOST_AUTO_TEST_CASE(mismatch_is_reported_with_its_element) {
  Trace trace = synthetic_trace(mixed_layers(4), 31, "mixed");
  trace.layers[2].expected_output[5] += 1;  // conv_1x1, flat index 5
  const SimResult r = simulate(small_arch(Dataflow::output_stationary, 4, 4, false), workload_from_trace(trace, "x"));
  BOOST_TEST(r.mismatches == 1u);
  BOOST_TEST(r.first_mismatch.find("layer \"conv_1x1\"") != std::string::npos, r.first_mismatch);
  BOOST_TEST(r.first_mismatch.find("flat index 5") != std::string::npos, r.first_mismatch);
}

BOOST_AUTO_TEST_CASE(accumulator_overflow_stops_with_sim010) {
  // 9-bit accumulators pass the planning check (one 4x4 product fits) in functional mode, where the
  // data decide; a same-signed fan-in of 90 overflows, and the run stops naming layer and element.
  std::vector<Layer> ls = {layer("conv_ovf", LayerOp::conv, 1, 10, 5, 4, 3, 1, 1, 1, 4, 4)};
  Trace trace = synthetic_trace(ls, 5, "ovf");
  for (int32_t& v : trace.layers[0].weights) v = 7;
  for (int32_t& v : trace.layers[0].input) v = 15;
  ArchConfig arch = small_arch(Dataflow::output_stationary, 4, 4, false);
  arch.acc_bits = 9;
  std::string msg;
  try {
    simulate(arch, workload_from_trace(trace, "x"));
  } catch (const DiagnosticError& e) {
    msg = e.what();
  }
  BOOST_TEST(msg.rfind("error[SIM010]", 0) == 0, msg);
  BOOST_TEST(msg.find("layer \"conv_ovf\" output (n=0") != std::string::npos, msg);
}

namespace {

DramConfig dram(double bandwidth, int64_t latency, int64_t burst, int64_t max_outstanding) {
  DramConfig d;
  d.bandwidth_bytes_per_cycle = bandwidth;
  d.latency_cycles = latency;
  d.burst_bytes = burst;
  d.max_outstanding = max_outstanding;
  return d;
}

std::vector<DmaTransferRun> stream(size_t n, uint64_t bytes) {
  return std::vector<DmaTransferRun>(n, {0, bytes, true});
}

uint64_t ceil_div(uint64_t a, double b) { return static_cast<uint64_t>(std::ceil(static_cast<double>(a) / b)); }

/// Invariants every DMA schedule must satisfy, whatever the model's details.
void check_dma_invariants(const DramConfig& d, const std::vector<DmaTransferRun>& ts,
                          const std::vector<uint64_t>& done) {
  const uint64_t L = static_cast<uint64_t>(d.latency_cycles);
  const size_t slots = static_cast<size_t>(d.max_outstanding);
  std::vector<uint64_t> bytes;
  for (const auto& t : ts) bytes.push_back((t.bytes + d.burst_bytes - 1) / d.burst_bytes * d.burst_bytes);
  for (size_t k = 0; k < ts.size(); ++k) {
    BOOST_TEST_CONTEXT("transfer " << k) {
      BOOST_TEST(done[k] >= ts[k].issue_cycle + L + ceil_div(bytes[k], d.bandwidth_bytes_per_cycle));
      if (k > 0) BOOST_TEST(done[k] >= done[k - 1]);  // completions in request order
      // At most max_outstanding in flight: transfer k starts no earlier than transfer k - slots ended.
      if (k >= slots) BOOST_TEST(done[k] >= done[k - slots] + L + ceil_div(bytes[k], d.bandwidth_bytes_per_cycle));
      // One bus: transfers i..k cannot move their bytes faster than the bandwidth after i may start.
      uint64_t sum = 0;
      for (size_t i = k + 1; i-- > 0;) {
        sum += bytes[i];
        BOOST_TEST_REQUIRE(done[k] >= ts[i].issue_cycle + L + ceil_div(sum, d.bandwidth_bytes_per_cycle));
      }
    }
  }
}

/// A fully connected layer at batch 1 whose weight tiles (8 columns x 256 8-bit weights = 2 KiB)
/// take longer on the bus than on the array (4 B/cycle: 512 cycles, against 264 tile cycles), with a
/// 200-cycle DRAM latency and a weight buffer holding four tiles: a pure weight stream.
std::pair<ArchConfig, Network> streaming_fc(int64_t max_outstanding) {
  ArchConfig a = ArchConfig::builtin_default(8, 8);
  a.name = "stream";
  a.rows = 2;
  a.cols = 8;
  a.buffers[0].capacity_kib = 8;  // two slots of 4 KiB: the ring holds four 2 KiB tiles
  a.buffers[1].capacity_kib = 8;
  a.buffers[2].capacity_kib = 2;
  a.dram = dram(4, 200, 64, max_outstanding);
  Network net;
  net.name = "fc_stream";
  net.layers = {layer("fc", LayerOp::fc, 1, 256, 1, 128, 1, 1, 0, 1, 8, 8)};
  return {a, net};
}

}  // namespace

BOOST_AUTO_TEST_CASE(dma_streams_overlap_latency) {
  // N transfers of B bytes requested together: with enough transfers in flight the bus never idles
  // after the first latency, so transfer k completes at latency + ceil((k+1) * B / bandwidth); with
  // one in flight each pays latency + ceil(B / bandwidth) after the previous one.
  std::vector<DmaRun> runs = {
      {dram(32, 100, 64, 16), stream(32, 512)},  // 16 x 512 B in flight >= 32 B/cycle x 100 cycles
      {dram(24, 50, 64, 64), stream(40, 100)},   // 100 B rounded to two 64 B bursts; 24 B/cycle
      {dram(32, 100, 64, 1), stream(32, 512)},   // blocking: 116 cycles each
      {dram(24, 50, 64, 1), stream(40, 100)},    // blocking: 50 + ceil(128 / 24) = 56 each
      {dram(2.5, 0, 1, 4), stream(10, 7)},       // no latency: the bus alone, fractional bandwidth
  };
  DramConfig ideal = dram(1, 100, 64, 2);
  ideal.ideal = true;
  runs.push_back({ideal, {{0, 512, true}, {3, 64, false}, {3, 1000, true}}});
  const auto done = run_dma_transfers_systemc(runs);
  BOOST_TEST_REQUIRE(done.size() == runs.size());
  for (size_t k = 0; k < 32; ++k) {
    BOOST_TEST(done[0][k] == 100 + 16 * (k + 1));
    BOOST_TEST(done[2][k] == 116 * (k + 1));
  }
  for (size_t k = 0; k < 40; ++k) {
    BOOST_TEST(done[1][k] == 50 + ceil_div(128 * (k + 1), 24));
    BOOST_TEST(done[3][k] == 56 * (k + 1));
  }
  BOOST_TEST(done[0].back() == 100 + 32 * 512 / 32);  // latency + N*B/bandwidth
  BOOST_TEST(done[1].back() == 50u + 214u);           // ceil(40 * 128 / 24) = 214
  BOOST_TEST(done[4].back() == ceil_div(70, 2.5));    // 28
  BOOST_TEST(done[5] == (std::vector<uint64_t>{0, 3, 3}), "ideal memory takes no time");
  for (size_t r = 0; r + 1 < runs.size(); ++r) {
    BOOST_TEST_CONTEXT("run " << r) {
      check_dma_invariants(runs[r].dram, runs[r].transfers, done[r]);
      BOOST_TEST(done[r] == reference_dma(runs[r].dram, runs[r].transfers));
    }
  }
}

BOOST_AUTO_TEST_CASE(dma_random_backpressure) {
  // Random requesters (bursts of requests and gaps, mixed loads and stores, sizes off the burst
  // grid) against random DRAMs; the slots fill up and requests wait for them. Every schedule must
  // equal the cycle-stepped reference and satisfy the invariants.
  const uint64_t seed = 777;
  BOOST_TEST_MESSAGE("seed " << seed);
  Rng rng(seed);
  const double bandwidths[] = {0.75, 1, 2.5, 8, 32};
  const int64_t latencies[] = {0, 1, 17, 100};
  const int64_t bursts[] = {1, 16, 64};
  const int64_t outstanding[] = {1, 2, 3, 8, 64};
  std::vector<DmaRun> runs;
  for (int r = 0; r < 40; ++r) {
    DmaRun run;
    run.dram = dram(bandwidths[rng.uniform_int(0, 4)], latencies[rng.uniform_int(0, 3)], bursts[rng.uniform_int(0, 2)],
                    outstanding[rng.uniform_int(0, 4)]);
    uint64_t at = 0;
    const int64_t n = rng.uniform_int(1, 60);
    for (int64_t i = 0; i < n; ++i) {
      if (rng.uniform_int(0, 2) == 0) at += static_cast<uint64_t>(rng.uniform_int(0, 400));
      run.transfers.push_back({at, static_cast<uint64_t>(rng.uniform_int(1, 1500)), rng.uniform_int(0, 3) != 0});
    }
    runs.push_back(run);
  }
  const auto done = run_dma_transfers_systemc(runs);
  BOOST_TEST_REQUIRE(done.size() == runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    const DramConfig& d = runs[r].dram;
    BOOST_TEST_CONTEXT("run " << r << ": " << d.bandwidth_bytes_per_cycle << " B/cycle, latency " << d.latency_cycles
                              << ", burst " << d.burst_bytes << ", max_outstanding " << d.max_outstanding) {
      BOOST_TEST_REQUIRE(done[r].size() == runs[r].transfers.size());
      check_dma_invariants(d, runs[r].transfers, done[r]);
      BOOST_TEST(done[r] == reference_dma(d, runs[r].transfers));
      if (d.max_outstanding == 1) {  // the blocking DMA: one transfer after the other
        uint64_t t = 0;
        for (size_t k = 0; k < runs[r].transfers.size(); ++k) {
          const DmaTransferRun& x = runs[r].transfers[k];
          t = std::max(t, x.issue_cycle) + static_cast<uint64_t>(d.latency_cycles) +
              ceil_div((x.bytes + d.burst_bytes - 1) / d.burst_bytes * d.burst_bytes, d.bandwidth_bytes_per_cycle);
          BOOST_TEST(done[r][k] == t);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(stream_fc_blocking_dma) {
  // One transfer at a time: every 2 KiB weight tile pays the full latency, 200 + 512 cycles.
  const auto [arch, net] = streaming_fc(1);
  const SimResult r = simulate(arch, workload_from_network(net, "fc_stream"));
  check_accounting(r);
  const std::vector<LayerPlan> plans = plan_layers(arch, net.layers, false, "fc_stream");
  BOOST_TEST_REQUIRE(plans[0].tn == 8);
  const uint64_t tiles = plans[0].steps.size();
  BOOST_TEST(tiles == 16u);
  BOOST_TEST(r.layers[0].cycles >= tiles * (200 + 2048 / 4));
  BOOST_TEST_MESSAGE(r.layers[0].cycles << " cycles, "
                                        << static_cast<double>(r.total.dram_read_bytes + r.total.dram_write_bytes) /
                                               static_cast<double>(r.layers[0].cycles)
                                        << " DRAM bytes/cycle of 4");
  BOOST_TEST(r.layers[0].compute_cycles == closed_form_ideal_cycles(arch, plans[0]));
  BOOST_TEST(r.stalls.dram_weights > 0u);
}

BOOST_AUTO_TEST_CASE(stream_fc_outstanding_dma) {
  // 16 transfers in flight allowed: the controller runs three tiles ahead (the buffer holds four)
  // and the bus never idles after the first latency. The layer takes the first latency, every byte
  // at 4 B/cycle, then at most the last two tiles' compute (the output stores queue behind the loads
  // run ahead, and the output buffer has two slots) and the last store's latency.
  const auto [arch, net] = streaming_fc(16);
  const SimResult r = simulate(arch, workload_from_network(net, "fc_stream"));
  check_accounting(r);
  const std::vector<LayerPlan> plans = plan_layers(arch, net.layers, false, "fc_stream");
  const uint64_t bytes = r.total.dram_read_bytes + r.total.dram_write_bytes;
  BOOST_TEST(r.total.dram_read_bytes == 16u * 2048u + 256u);  // every weight once, the input once
  const uint64_t bus = ceil_div(bytes, 4);
  BOOST_TEST_MESSAGE(r.layers[0].cycles << " cycles, "
                                        << static_cast<double>(bytes) / static_cast<double>(r.layers[0].cycles)
                                        << " DRAM bytes/cycle of 4");
  BOOST_TEST(r.layers[0].cycles >= bus + 200);
  BOOST_TEST(r.layers[0].cycles <= bus + 2 * 200 + 2 * plans[0].steps.back().compute_cycles);
  BOOST_TEST(r.layers[0].compute_cycles == closed_form_ideal_cycles(arch, plans[0]));
  // Bandwidth-bound: at least 90 % of the nominal 4 B/cycle over the whole layer (the blocking DMA
  // reaches 56 %: every weight tile and every output store pays the full latency in turn).
  BOOST_TEST(static_cast<double>(bytes) / static_cast<double>(r.layers[0].cycles) >= 0.9 * 4);
}

void functional_outstanding_case(Dataflow df, int64_t max_outstanding, uint64_t seed) {
  // Several transfers in flight change only timing: outputs stay bit-exact, compute equals the
  // closed form, every cycle is attributed, DRAM bytes equal those of the blocking DMA's plan.
  BOOST_TEST_MESSAGE("seed " << seed << ", max_outstanding " << max_outstanding);
  const Trace trace = synthetic_trace(mixed_layers(4), seed, "mixed");
  ArchConfig arch = small_arch(df, 4, 5, false);
  arch.dram.max_outstanding = max_outstanding;
  const SimResult r = simulate(arch, workload_from_trace(trace, "in-memory"));
  BOOST_TEST(r.mismatches == 0u, "first mismatch: " << r.first_mismatch);
  BOOST_TEST(r.outputs_checked == expected_checks(trace));
  check_accounting(r);
  const std::vector<LayerPlan> plans = plan_layers(arch, workload_from_trace(trace, "").layers, true, "x");
  for (size_t i = 0; i < plans.size(); ++i) {
    BOOST_TEST_CONTEXT("layer " << r.layers[i].name) {
      BOOST_TEST(r.layers[i].compute_cycles == closed_form_ideal_cycles(arch, plans[i]));
      uint64_t words = 0;
      for (const Step& s : plans[i].steps) words += s.weight_load_words + s.input_load_words;
      BOOST_TEST(r.layers[i].counts.buffers[0].write_words + r.layers[i].counts.buffers[1].write_words == words);
    }
  }
}

BOOST_AUTO_TEST_CASE(functional_os_outstanding_dma) { functional_outstanding_case(Dataflow::output_stationary, 3, 51); }
BOOST_AUTO_TEST_CASE(functional_ws_outstanding_dma) { functional_outstanding_case(Dataflow::weight_stationary, 8, 52); }
BOOST_AUTO_TEST_CASE(functional_is_outstanding_dma) { functional_outstanding_case(Dataflow::input_stationary, 4, 53); }

BOOST_AUTO_TEST_SUITE_END()
