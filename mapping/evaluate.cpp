#include "mapping/evaluate.h"

#include <algorithm>
#include <cmath>

namespace wrpn::mapping {

uint64_t transfer_bytes(const ArchConfig& arch, const BufferConfig& b, uint64_t words) {
  if (words == 0) return 0;
  const uint64_t bytes = (words * static_cast<uint64_t>(b.word_bits) + 7) / 8;
  const uint64_t burst = static_cast<uint64_t>(arch.dram.burst_bytes);
  return (bytes + burst - 1) / burst * burst;
}

double LayerEvaluation::useful_mac_utilization() const {
  const double d = static_cast<double>(pes) * static_cast<double>(counts.cycles);
  return d > 0 ? static_cast<double>(counts.macs) / d : 0.0;
}

double LayerEvaluation::pe_busy_utilization() const {
  const double d = static_cast<double>(pes) * static_cast<double>(counts.cycles);
  return d > 0 ? static_cast<double>(pe_busy_cycles) / d : 0.0;
}

double LayerEvaluation::dram_ratio() const {
  return compulsory_dram_bytes ? static_cast<double>(counts.dram_read_bytes + counts.dram_write_bytes) /
                                     static_cast<double>(compulsory_dram_bytes)
                               : 0.0;
}

LayerEvaluation evaluate_plan(const ArchConfig& arch, const LayerPlan& p) {
  LayerEvaluation e;
  const Layer& l = p.layer;
  e.on_array = p.on_array;
  e.mapping = p.mapping;
  e.loop_order = p.loop_order;
  e.split_reduction = p.split_reduction;
  e.passes = p.passes;
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs),
                     &ob = arch.buffer(BufferRole::outputs);
  ActionCounts& c = e.counts;
  c.layer = l.name;
  c.source = "analytic";
  c.pe_type = arch.pe_type;
  c.pe_wbits = arch.pe_wbits;
  c.pe_abits = arch.pe_abits;
  c.layer_wbits = l.has_weights() ? l.wbits : 0;
  c.layer_abits = l.abits_in;
  c.passes = p.passes;
  c.acc_bits = arch.pe_type == PeType::fp32 ? 32 : arch.acc_bits;
  c.clock_mhz = arch.clock_mhz;
  c.clock_gating = arch.clock_gating;
  c.dram_type = arch.dram.type;
  c.macs = static_cast<uint64_t>(l.macs());
  auto entry = [](const BufferConfig& b) {
    BufferActionCounts x;
    x.name = b.name;
    x.capacity_kib = b.capacity_kib;
    x.word_bits = b.word_bits;
    x.banks = b.banks;
    x.ports = b.ports;
    return x;
  };
  BufferActionCounts w = entry(wb), in = entry(ib), out = entry(ob);
  const uint64_t passes = static_cast<uint64_t>(p.passes);
  uint64_t pe_ops = 0, reg_writes = 0;
  // The controller's accounting, step by step: datapath accesses, DMA loads (written into a
  // buffer, read from DRAM) and stores (read from the output buffer, written to DRAM).
  for (const Step& s : p.steps) {
    w.read_words += s.wbuf_read_words;
    in.read_words += s.ibuf_read_words;
    out.read_words += s.obuf_read_words;
    out.write_words += s.obuf_write_words;
    w.write_words += s.weight_load_words;
    in.write_words += s.input_load_words;
    c.dram_read_bytes += transfer_bytes(arch, wb, s.weight_load_words) + transfer_bytes(arch, ib, s.input_load_words);
    if (s.last_l) {
      out.read_words += s.output_store_words;
      c.dram_write_bytes += transfer_bytes(arch, ob, s.output_store_words);
    }
    e.compute_cycles += s.compute_cycles;
    e.port_stall_cycles += s.port_stall_cycles;
    if (p.on_array) {
      pe_ops += s.pe_ops * passes;
      reg_writes += step_register_writes(s) * passes;
    }
  }
  c.buffers = {w, in, out};
  c.pe_active_cycles = pe_ops;
  c.operand_register_writes = reg_writes;
  c.accumulator_updates = pe_ops;
  e.pe_busy_cycles = pe_ops;
  const uint64_t outputs = static_cast<uint64_t>(l.output_count());
  c.requant_ops = p.on_array ? outputs : 0;
  c.pool_ops = (l.op == LayerOp::maxpool || l.op == LayerOp::avgpool) ? outputs * static_cast<uint64_t>(l.r * l.s) : 0;
  c.add_ops = l.op == LayerOp::add ? outputs : 0;

  const uint64_t busy = e.compute_cycles + e.port_stall_cycles;
  if (arch.dram.ideal) {
    c.cycles = busy;
  } else {
    e.dram_cycles = static_cast<uint64_t>(
        std::ceil(static_cast<double>(c.dram_read_bytes + c.dram_write_bytes) / arch.dram.bandwidth_bytes_per_cycle));
    bool all_double = true;
    for (const BufferConfig& b : arch.buffers) all_double = all_double && b.double_buffered;
    const uint64_t latency = static_cast<uint64_t>(arch.dram.latency_cycles);
    c.cycles = (all_double ? std::max(busy, e.dram_cycles) : busy + e.dram_cycles) + latency;
  }
  e.pes = static_cast<uint64_t>(arch.rows) * static_cast<uint64_t>(arch.cols);
  c.pe_idle_cycles = e.pes * c.cycles - std::min(e.pes * c.cycles, pe_ops);

  // Compulsory traffic: each tensor moved once, in one transfer per tensor.
  const int64_t inputs = l.input_count() * (l.op == LayerOp::add ? 2 : 1);
  e.compulsory_dram_bytes =
      transfer_bytes(arch, ib, static_cast<uint64_t>(words_for_codes(inputs, ib.word_bits, l.abits_in))) +
      transfer_bytes(arch, ob, static_cast<uint64_t>(words_for_codes(l.output_count(), ob.word_bits, p.out_bits)));
  if (l.has_weights())
    e.compulsory_dram_bytes +=
        transfer_bytes(arch, wb, static_cast<uint64_t>(words_for_codes(l.weight_count(), wb.word_bits, l.wbits)));
  return e;
}

std::vector<LayerEvaluation> evaluate_layers(const ArchConfig& arch, const std::vector<Layer>& layers,
                                             const std::vector<LayerMapping>* mappings, const std::string& src) {
  std::vector<LayerEvaluation> out;
  const std::vector<LayerPlan> plans = plan_layers(arch, layers, false, src, mappings);
  out.reserve(plans.size());
  for (const LayerPlan& p : plans) out.push_back(evaluate_plan(arch, p));
  return out;
}

std::vector<ActionCounts> analytic_counts(const ArchConfig& arch, const std::vector<Layer>& layers,
                                          const std::vector<LayerMapping>* mappings) {
  std::vector<ActionCounts> out;
  for (const LayerEvaluation& e : evaluate_layers(arch, layers, mappings)) out.push_back(e.counts);
  return out;
}

nlohmann::json to_json(const LayerEvaluation& e) {
  nlohmann::json j{{"layer", e.counts.layer},
                   {"on_array", e.on_array},
                   {"loop_order", e.loop_order},
                   {"passes", e.passes},
                   {"cycles", e.counts.cycles},
                   {"compute_cycles", e.compute_cycles},
                   {"port_stall_cycles", e.port_stall_cycles},
                   {"dram_cycles", e.dram_cycles},
                   {"macs", e.counts.macs},
                   {"dram_bytes", e.counts.dram_read_bytes + e.counts.dram_write_bytes},
                   {"compulsory_dram_bytes", e.compulsory_dram_bytes},
                   {"dram_ratio", e.dram_ratio()},
                   {"useful_mac_utilization", e.useful_mac_utilization()},
                   {"pe_busy_utilization", e.pe_busy_utilization()}};
  if (e.on_array) {
    j["dataflow"] = to_string(e.mapping.dataflow);
    j["tm"] = e.mapping.tm;
    j["tn"] = e.mapping.tn;
    j["tl"] = e.mapping.tl;
    j["weights_resident"] = e.mapping.weights_resident;
    j["inputs_resident"] = e.mapping.inputs_resident;
    j["partial_sums"] = e.split_reduction ? "output_buffer" : "array";
  }
  return j;
}

NetworkEvaluation evaluate_network(const ArchConfig& arch, const std::vector<Layer>& layers,
                                   const std::vector<LayerMapping>* mappings, const std::string& src) {
  NetworkEvaluation n;
  n.layers = evaluate_layers(arch, layers, mappings, src);
  for (const LayerEvaluation& e : n.layers) {
    n.counts.push_back(e.counts);
    n.rows.push_back(to_json(e));
  }
  return n;
}

}  // namespace wrpn::mapping
