#include "energy/analytic_counts.h"

#include <algorithm>
#include <cmath>

#include "common/diagnostics.h"

namespace wrpn::energy {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Bytes a tensor of `count` codes of `bits` occupies when packed into words of `word_bits`.
uint64_t packed_bytes(int64_t count, int word_bits, int bits) {
  return static_cast<uint64_t>(words_for_codes(count, word_bits, bits)) * static_cast<uint64_t>(word_bits) / 8;
}

BufferActionCounts buffer_entry(const BufferConfig& b) {
  BufferActionCounts x;
  x.name = b.name;
  x.capacity_kib = b.capacity_kib;
  x.word_bits = b.word_bits;
  return x;
}

double usable_bits(const BufferConfig& b) {
  return static_cast<double>(b.capacity_bits()) * (b.double_buffered ? 0.5 : 1.0);
}

bool all_double_buffered(const ArchConfig& a) {
  for (const auto& b : a.buffers)
    if (!b.double_buffered) return false;
  return true;
}

/// Cycles once compute and DRAM traffic are known: with double buffering the transfers overlap the
/// compute and one DRAM latency is exposed; without it they serialize.
uint64_t total_cycles(const ArchConfig& arch, uint64_t compute, uint64_t dram_bytes, uint64_t* dram_cycles) {
  if (arch.dram.ideal) {
    *dram_cycles = 0;
    return compute;
  }
  *dram_cycles =
      static_cast<uint64_t>(std::ceil(static_cast<double>(dram_bytes) / arch.dram.bandwidth_bytes_per_cycle));
  const uint64_t latency = static_cast<uint64_t>(arch.dram.latency_cycles);
  if (all_double_buffered(arch)) return std::max(compute, *dram_cycles) + latency;
  return compute + *dram_cycles + latency;
}

}  // namespace

ArchConfig fp32_version(const ArchConfig& arch) {
  ArchConfig a = arch;
  a.name = arch.name + "-fp32";
  a.pe_type = PeType::fp32;
  a.pe_wbits = a.pe_abits = 32;
  a.acc_bits = 32;
  // A balanced baseline: each buffer access delivers as many operands to the FP32 array as it did
  // to the source design's PEs, so the FP32 array is not starved by buffer ports sized for narrow
  // codes. Wider words cost more energy per access (the SRAM scaling rule), and capacity stays the
  // same, so the FP32 design still pays for its 32-bit operands in buffer energy and DRAM traffic.
  for (auto& b : a.buffers) {
    const int held_bits = b.holds == BufferRole::weights ? arch.pe_wbits : arch.pe_abits;
    const int factor = held_bits >= 32 ? 1 : (32 + held_bits - 1) / std::max(1, held_bits);
    b.word_bits = std::min(4096, b.word_bits * factor);
  }
  return a;
}

ActionCounts analytic_layer_counts(const Layer& l, const ArchConfig& arch, LayerMapping* mapping) {
  ActionCounts c;
  c.layer = l.name;
  c.source = "analytic";
  c.pe_type = arch.pe_type;
  c.wbits = arch.pe_wbits;
  c.abits = arch.pe_abits;
  c.acc_bits = arch.acc_bits;
  c.clock_mhz = arch.clock_mhz;

  const BufferConfig& wb = arch.buffer(BufferRole::weights);
  const BufferConfig& ib = arch.buffer(BufferRole::inputs);
  const BufferConfig& ob = arch.buffer(BufferRole::outputs);
  BufferActionCounts wcount = buffer_entry(wb), icount = buffer_entry(ib), ocount = buffer_entry(ob);

  const int64_t rows = arch.rows, cols = arch.cols;
  const uint64_t num_pes = static_cast<uint64_t>(rows * cols);
  LayerMapping m;
  m.layer = l.name;

  // Storage widths: FP32 values are 32-bit words of their own.
  const int in_bits = l.abits_in;
  const int out_bits = l.abits_out;
  const int64_t inputs = l.input_count() * (l.op == LayerOp::add ? 2 : 1);
  const int64_t outputs = l.output_count();
  const uint64_t in_bytes = packed_bytes(inputs, ib.word_bits, in_bits);
  const uint64_t out_bytes = packed_bytes(outputs, ob.word_bits, out_bits);
  const uint64_t in_words = static_cast<uint64_t>(words_for_codes(inputs, ib.word_bits, in_bits));
  const uint64_t out_words = static_cast<uint64_t>(words_for_codes(outputs, ob.word_bits, out_bits));

  uint64_t compute = 0;
  uint64_t dram_read = 0;
  const uint64_t dram_write = out_bytes;

  if (l.has_weights()) {
    if (arch.pe_type != PeType::fp32 && (l.wbits == kFp32Bits || l.abits_in == kFp32Bits))
      fail("EN003", arch.source.empty() ? arch.name : arch.source, "/pe/type",
           "layer \"" + l.name + "\" has FP32 operands but the array's PEs are " + to_string(arch.pe_type),
           "use an fp32 arch for FP32 layers, or quantize the layer");
    const int64_t passes =
        arch.pe_type == PeType::fp32 ? 1 : ceil_div(l.wbits, arch.pe_wbits) * ceil_div(l.abits_in, arch.pe_abits);
    const int64_t groups = l.groups;
    const int64_t kg = l.k / groups;
    const int64_t fan_in = l.fan_in();
    const int64_t positions = l.n * l.out_h() * l.out_w();
    const int64_t tiles_m = ceil_div(positions, rows);
    const int64_t tiles_kg = ceil_div(kg, cols);
    const int64_t tiles_k = groups * tiles_kg;
    m.passes = passes;
    m.tiles_m = tiles_m;
    m.tiles_k = tiles_k;
    m.fan_in = fan_in;
    // Output stationary: each tile streams fan_in operand pairs (per pass) through the array, plus
    // R + C - 2 cycles of fill and drain; accumulators never leave the PEs.
    compute = static_cast<uint64_t>(tiles_m * tiles_k * (fan_in * passes + rows + cols - 2));

    const uint64_t macs = static_cast<uint64_t>(l.macs());
    c.macs = macs;
    c.pe_active_cycles = macs * static_cast<uint64_t>(passes);
    c.operand_register_writes = 2 * c.pe_active_cycles;  // activation and weight latched (and forwarded)
    c.accumulator_updates = c.pe_active_cycles;
    c.requant_ops = static_cast<uint64_t>(outputs);

    // Buffer reads: every tile streams, per used row, fan_in activations and, per used column,
    // fan_in weights, packed floor(word_bits / bits) codes per word.
    const uint64_t a_words_per_row = static_cast<uint64_t>(words_for_codes(fan_in, ib.word_bits, in_bits));
    const uint64_t w_words_per_col = static_cast<uint64_t>(words_for_codes(fan_in, wb.word_bits, l.wbits));
    icount.read_words = static_cast<uint64_t>(tiles_k) * static_cast<uint64_t>(positions) * a_words_per_row;
    wcount.read_words = static_cast<uint64_t>(tiles_m) * static_cast<uint64_t>(l.k) * w_words_per_col;

    // DRAM traffic: choose the cheaper of two loop orders given what fits in the usable (half, when
    // double-buffered) buffer capacity.
    const uint64_t w_bytes = packed_bytes(l.weight_count(), wb.word_bits, l.wbits);
    const double ktile_bits =
        static_cast<double>(words_for_codes(std::min(kg, cols) * fan_in, wb.word_bits, l.wbits)) * wb.word_bits;
    const double mtile_bits =
        static_cast<double>(words_for_codes(std::min(rows * fan_in, l.input_count() / groups), ib.word_bits, in_bits)) *
        ib.word_bits;
    const bool w_all_fit = static_cast<double>(w_bytes) * 8 <= usable_bits(wb);
    const bool i_all_fit = static_cast<double>(in_bytes) * 8 <= usable_bits(ib);
    // k_outer: a tile of C filters stays while all positions stream past; inputs are re-read per
    // channel tile unless the whole input fits.
    const uint64_t ko_w = ktile_bits <= usable_bits(wb) ? w_bytes : w_bytes * static_cast<uint64_t>(tiles_m);
    const uint64_t ko_i = i_all_fit ? in_bytes : in_bytes * static_cast<uint64_t>(tiles_kg);
    // m_outer: a patch of R positions stays while all filters stream past; weights are re-read per
    // position tile unless they all fit.
    const uint64_t mo_i = mtile_bits <= usable_bits(ib) ? in_bytes : in_bytes * static_cast<uint64_t>(tiles_kg);
    const uint64_t mo_w = w_all_fit ? w_bytes : w_bytes * static_cast<uint64_t>(tiles_m);
    if (ko_w + ko_i <= mo_w + mo_i) {
      m.loop_order = "k_outer";
      dram_read = ko_w + ko_i;
      wcount.write_words = ko_w * 8 / static_cast<uint64_t>(wb.word_bits);
      icount.write_words = ko_i * 8 / static_cast<uint64_t>(ib.word_bits);
    } else {
      m.loop_order = "m_outer";
      dram_read = mo_w + mo_i;
      wcount.write_words = mo_w * 8 / static_cast<uint64_t>(wb.word_bits);
      icount.write_words = mo_i * 8 / static_cast<uint64_t>(ib.word_bits);
    }
    m.compulsory_dram_bytes = w_bytes + in_bytes + out_bytes;
  } else {
    // Pooling and residual add run in the post-processing unit, `cols` lanes wide; the PEs idle.
    const uint64_t ops =
        l.op == LayerOp::add ? static_cast<uint64_t>(outputs) : static_cast<uint64_t>(outputs * l.r * l.s);
    if (l.op == LayerOp::add)
      c.add_ops = ops;
    else
      c.pool_ops = ops;
    compute = static_cast<uint64_t>(ceil_div(static_cast<int64_t>(ops), cols));
    dram_read = in_bytes;
    icount.write_words = in_words;
    icount.read_words = in_words;
    m.loop_order = "stream";
    m.compulsory_dram_bytes = in_bytes + out_bytes;
  }
  ocount.write_words = out_words;  // drained from the PEs / post-processing unit
  ocount.read_words = out_words;   // written back to DRAM

  c.dram_read_bytes = dram_read;
  c.dram_write_bytes = dram_write;
  m.compute_cycles = compute;
  c.cycles = total_cycles(arch, compute, dram_read + dram_write, &m.dram_cycles);
  c.pe_idle_cycles = num_pes * c.cycles - c.pe_active_cycles;
  c.buffers = {wcount, icount, ocount};
  if (mapping) *mapping = m;
  return c;
}

std::vector<ActionCounts> analytic_counts(const Network& net, const ArchConfig& arch,
                                          std::vector<LayerMapping>* mappings) {
  std::vector<ActionCounts> out;
  out.reserve(net.layers.size());
  if (mappings) mappings->clear();
  for (const auto& l : net.layers) {
    LayerMapping m;
    out.push_back(analytic_layer_counts(l, arch, &m));
    if (mappings) mappings->push_back(m);
  }
  return out;
}

}  // namespace wrpn::energy
