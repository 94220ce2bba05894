#include "mapping/mapper.h"

#include <algorithm>
#include <cmath>

#include "common/diagnostics.h"
#include "mapping/detail.h"
#include "mapping/evaluate.h"

namespace wrpn::mapping {

using namespace detail;

namespace {

constexpr BufferRole kRoles[3] = {BufferRole::weights, BufferRole::inputs, BufferRole::outputs};

/// Distinct balanced tile sizes ceil(x / k), k = 1..x, that are <= cap, largest first.
std::vector<int64_t> balanced_sizes(int64_t x, int64_t cap) {
  std::vector<int64_t> v;
  for (int64_t k = 1; k <= x; ++k) {
    const int64_t t = ceil_div(x, k);
    if (t > cap) continue;
    if (v.empty() || v.back() != t) v.push_back(t);
    if (t == 1) break;
  }
  return v;
}

bool all_double_buffered(const ArchConfig& a) {
  for (const BufferConfig& b : a.buffers)
    if (!b.double_buffered) return false;
  return true;
}

}  // namespace

const char* to_string(Objective o) {
  switch (o) {
    case Objective::energy:
      return "energy";
    case Objective::cycles:
      return "cycles";
    case Objective::edp:
      return "edp";
    case Objective::dram:
      return "dram";
  }
  return "?";
}

bool parse_objective(const std::string& s, Objective* out) {
  for (Objective o : {Objective::energy, Objective::cycles, Objective::edp, Objective::dram})
    if (s == to_string(o)) {
      *out = o;
      return true;
    }
  return false;
}

EnergyWeights probe_energy_weights(const ArchConfig& arch, const PriceFn& price) {
  ActionCounts zero;
  zero.layer = "probe";
  zero.source = "analytic";
  zero.pe_type = arch.pe_type;
  zero.pe_wbits = zero.layer_wbits = arch.pe_wbits;
  zero.pe_abits = zero.layer_abits = arch.pe_abits;
  zero.acc_bits = acc_store_bits(arch);
  zero.clock_mhz = arch.clock_mhz;
  zero.clock_gating = arch.clock_gating;
  zero.dram_type = arch.dram.type;
  for (BufferRole r : kRoles) {
    const BufferConfig& b = arch.buffer(r);
    BufferActionCounts x;
    x.name = b.name;
    x.capacity_kib = b.capacity_kib;
    x.word_bits = b.word_bits;
    x.banks = b.banks;
    x.ports = b.ports;
    zero.buffers.push_back(x);
  }
  const double n = 1e6, base = price(zero);
  auto probe = [&](auto set) {
    ActionCounts c = zero;
    set(c);
    return (price(c) - base) / n;
  };
  const uint64_t un = static_cast<uint64_t>(n);
  EnergyWeights w;
  w.pe_op_pj = probe([&](ActionCounts& c) {
    c.macs = un;
    c.pe_active_cycles = un;
  });
  w.register_write_pj = probe([&](ActionCounts& c) { c.operand_register_writes = un; });
  w.accumulator_update_pj = probe([&](ActionCounts& c) { c.accumulator_updates = un; });
  w.requant_pj = probe([&](ActionCounts& c) { c.requant_ops = un; });
  w.pe_idle_cycle_pj = probe([&](ActionCounts& c) { c.pe_idle_cycles = un; });
  w.cycle_pj = probe([&](ActionCounts& c) { c.cycles = un; });
  w.dram_read_byte_pj = probe([&](ActionCounts& c) { c.dram_read_bytes = un; });
  w.dram_write_byte_pj = probe([&](ActionCounts& c) { c.dram_write_bytes = un; });
  for (int i = 0; i < 3; ++i) {
    w.buffer_read_pj[i] = probe([&](ActionCounts& c) { c.buffers[static_cast<size_t>(i)].read_words = un; });
    w.buffer_write_pj[i] = probe([&](ActionCounts& c) { c.buffers[static_cast<size_t>(i)].write_words = un; });
  }
  w.valid = true;
  return w;
}

std::vector<Dataflow> arch_dataflows(const ArchConfig& arch) {
  return arch.dataflows.empty() ? std::vector<Dataflow>{arch.dataflow} : arch.dataflows;
}

// ------------------------------------------------------------------------------- LayerCoster

LayerCoster::LayerCoster(const ArchConfig& arch, const Layer& layer, const EnergyWeights* weights)
    : arch_(arch), layer_(layer), weights_(weights && weights->valid ? weights : nullptr) {
  const int64_t M = layer.n * layer.out_h() * layer.out_w();
  band_cache_.resize(static_cast<size_t>(M + 1));
  band_known_.assign(static_cast<size_t>(M + 1), false);
}

const LayerCoster::Bands& LayerCoster::bands(int64_t tm) {
  Bands& b = band_cache_[static_cast<size_t>(tm)];
  if (band_known_[static_cast<size_t>(tm)]) return b;
  const Layer& l = layer_;
  const BufferConfig& ib = arch_.buffer(BufferRole::inputs);
  const int64_t M = l.n * l.out_h() * l.out_w();
  for (int64_t m0 = 0; m0 < M; m0 += tm) {
    const uint64_t w = words(band_codes(l, m0, std::min(tm, M - m0)), ib, l.abits_in);
    b.sum_words += w;
    b.sum_bytes += transfer_bytes(arch_, ib, w);
    b.max_words = std::max(b.max_words, w);
  }
  band_known_[static_cast<size_t>(tm)] = true;
  return b;
}

bool LayerCoster::inputs_fit(int64_t tm) {
  return bands(tm).max_words <= static_cast<uint64_t>(slot_words(arch_.buffer(BufferRole::inputs)));
}

uint64_t LayerCoster::band_bytes(int64_t tm) { return bands(tm).sum_bytes; }

std::string LayerCoster::error(const LayerMapping& m) {
  if (!legal(m)) return mapping_error(arch_, layer_, m);
  return "";
}

bool LayerCoster::legal(const LayerMapping& m) {
  const Layer& l = layer_;
  const BufferConfig &wb = arch_.buffer(BufferRole::weights), &ib = arch_.buffer(BufferRole::inputs),
                     &ob = arch_.buffer(BufferRole::outputs);
  const int64_t L = l.fan_in(), T = stream_length(arch_, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
  const TileLimits lim = tile_limits(arch_, m.dataflow, M, Kg, T);
  if (m.tm < 1 || m.tm > lim.tm) return false;
  if (m.tn < 1 || m.tn > lim.tn) return false;
  if (m.tl < 1 || m.tl > lim.tl) return false;
  const uint64_t ws = static_cast<uint64_t>(slot_words(wb)), is = static_cast<uint64_t>(slot_words(ib)),
                 osw = static_cast<uint64_t>(slot_words(ob));
  if (m.weights_resident ? words(l.k * L, wb, l.wbits) > ws
                         : words(reduction_codes(L, lane_of(arch_), 0, m.tl) * m.tn, wb, l.wbits) > ws)
    return false;
  if (m.inputs_resident ? words(l.input_count(), ib, l.abits_in) > is : bands(m.tm).max_words > is) return false;
  const bool split = ceil_div(T, m.tl) > 1;
  const int bits = split ? std::max(acc_store_bits(arch_), l.abits_out) : l.abits_out;
  return words(m.tm * m.tn, ob, bits) <= osw;
}

MappingCost LayerCoster::cost(const LayerMapping& m) {
  const Layer& l = layer_;
  const ArchConfig& a = arch_;
  const BufferConfig &wb = a.buffer(BufferRole::weights), &ib = a.buffer(BufferRole::inputs),
                     &ob = a.buffer(BufferRole::outputs);
  const int64_t L = l.fan_in(), T = stream_length(a, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
  const int64_t lane = lane_of(a);
  const uint64_t g = static_cast<uint64_t>(l.groups), passes = static_cast<uint64_t>(passes_for(a, l));
  const Dataflow df = m.dataflow;
  const bool n_outer = m.order == LoopOrder::n_outer;
  const int64_t tm = m.tm, tn = m.tn, tl = m.tl;
  const int64_t nM = ceil_div(M, tm), nN = ceil_div(Kg, tn), nL = ceil_div(T, tl);
  const int acc_bits = acc_store_bits(a);
  const bool ideal = a.dram.ideal;
  MappingCost c;

  // Classes of equal steps: full and last pixel tiles, full and last channel tiles, and reduction
  // tiles by position (first, middle, last; one "single" tile when the reduction is not split).
  struct Cls {
    int64_t len;
    uint64_t count;
  };
  const Cls mC[2] = {{tm, static_cast<uint64_t>(nM - 1)}, {M - tm * (nM - 1), 1}};
  const Cls nC[2] = {{tn, static_cast<uint64_t>(nN - 1)}, {Kg - tn * (nN - 1), 1}};
  struct LCls {
    int64_t len, rcodes;
    uint64_t count;
    bool first, last;
  };
  LCls lC_store[3];
  size_t n_lc = 0;
  if (nL == 1) {
    lC_store[n_lc++] = {T, L, 1, true, true};
  } else {
    lC_store[n_lc++] = {tl, tl * lane, 1, true, false};
    if (nL > 2) lC_store[n_lc++] = {tl, tl * lane, static_cast<uint64_t>(nL - 2), false, false};
    lC_store[n_lc++] = {T - tl * (nL - 1), L - (nL - 1) * tl * lane, 1, false, true};
  }
  const LCls* const lC_begin = lC_store;
  const LCls* const lC_end = lC_store + n_lc;
  struct LRange {
    const LCls *b, *e;
    const LCls* begin() const { return b; }
    const LCls* end() const { return e; }
  } const lC{lC_begin, lC_end};
  uint64_t br[3] = {0, 0, 0}, bw[3] = {0, 0, 0};
  for (const Cls& mc : mC) {
    if (mc.count == 0) continue;
    for (const Cls& nc : nC) {
      if (nc.count == 0) continue;
      const uint64_t out_words = words(mc.len * nc.len, ob, l.abits_out);
      const uint64_t psum = words(mc.len * nc.len, ob, acc_bits);
      for (const LCls& lc : lC) {
        const uint64_t k = g * mc.count * nc.count * lc.count;
        const uint64_t wtile = words(lc.rcodes * nc.len, wb, l.wbits);
        const uint64_t iread = words(mc.len * lc.rcodes, ib, l.abits_in);
        const uint64_t o_read = lc.first ? 0 : psum, o_write = lc.last ? out_words : psum;
        br[0] += wtile * passes * k;
        br[1] += iread * passes * k;
        br[2] += o_read * k;
        bw[2] += o_write * k;
        if (lc.last) {
          br[2] += out_words * k;  // the DMA store reads the outputs
          c.dram_write_bytes += transfer_bytes(a, ob, out_words) * k;
        }
        if (!ideal) {
          uint64_t stall;
          if (df == Dataflow::output_stationary) {
            const uint64_t psum_rw = nL > 1 ? o_read + (lc.last ? 0 : o_write) : 0;
            stall = std::max(
                {port_excess(wtile, lc.len, wb), port_excess(iread, lc.len, ib), port_excess(psum_rw, lc.len, ob)});
          } else if (df == Dataflow::weight_stationary) {
            stall = std::max({port_excess(wtile, lc.len, wb), port_excess(iread, mc.len, ib),
                              port_excess(o_read + o_write, mc.len, ob)});
          } else {
            stall = std::max({port_excess(iread, lc.len, ib), port_excess(wtile, nc.len, wb),
                              port_excess(o_read + o_write, nc.len, ob)});
          }
          c.port_stall_cycles += stall * passes * k;
        }
      }
    }
  }
  // DRAM loads.
  if (m.weights_resident) {
    const uint64_t w_all = words(l.k * L, wb, l.wbits);
    bw[0] += w_all;
    c.dram_read_bytes += transfer_bytes(a, wb, w_all);
  } else {
    const uint64_t reuse = (nL == 1 && n_outer) ? 1 : static_cast<uint64_t>(nM);
    for (const Cls& nc : nC) {
      if (nc.count == 0) continue;
      for (const LCls& lc : lC) {
        const uint64_t k = g * nc.count * lc.count * reuse;
        const uint64_t wtile = words(lc.rcodes * nc.len, wb, l.wbits);
        bw[0] += wtile * k;
        c.dram_read_bytes += transfer_bytes(a, wb, wtile) * k;
      }
    }
  }
  if (m.inputs_resident) {
    const uint64_t i_all = words(l.input_count(), ib, l.abits_in);
    bw[1] += i_all;
    c.dram_read_bytes += transfer_bytes(a, ib, i_all);
  } else {
    const Bands& b = bands(tm);
    const uint64_t k = g * static_cast<uint64_t>(n_outer ? nN : 1);
    bw[1] += b.sum_words * k;
    c.dram_read_bytes += b.sum_bytes * k;
  }
  for (int i = 0; i < 3; ++i) {
    c.buffer_read_words[i] = br[i];
    c.buffer_write_words[i] = bw[i];
  }
  // Array work: the closed form of every tile's cycles, PE operations and register writes.
  const int64_t per_group = group_tile_cycles(df, M, Kg, T, nM, nN, nL);
  c.compute_cycles = static_cast<uint64_t>(per_group) * g * passes;
  const uint64_t pe_ops = static_cast<uint64_t>(M * Kg * T) * g;
  c.pe_ops = pe_ops * passes;
  // step_register_writes summed: WS shifts in T x Kg weights per pixel tile, IS T x M inputs per
  // channel tile.
  const uint64_t stationary = df == Dataflow::output_stationary   ? pe_ops
                              : df == Dataflow::weight_stationary ? static_cast<uint64_t>(T * Kg * nM) * g
                                                                  : static_cast<uint64_t>(T * M * nN) * g;
  c.register_writes = (pe_ops + stationary) * passes;
  const uint64_t busy = c.compute_cycles + c.port_stall_cycles;
  if (ideal) {
    c.cycles = busy;
  } else {
    const uint64_t dram_cycles =
        static_cast<uint64_t>(std::ceil(static_cast<double>(c.dram_bytes()) / a.dram.bandwidth_bytes_per_cycle));
    c.cycles = (all_double_buffered(a) ? std::max(busy, dram_cycles) : busy + dram_cycles) +
               static_cast<uint64_t>(a.dram.latency_cycles);
  }
  if (weights_) {
    const EnergyWeights& w = *weights_;
    const double pes = static_cast<double>(a.rows) * static_cast<double>(a.cols);
    double e = static_cast<double>(c.pe_ops) * (w.pe_op_pj + w.accumulator_update_pj) +
               static_cast<double>(c.register_writes) * w.register_write_pj +
               static_cast<double>(l.output_count()) * w.requant_pj +
               (pes * static_cast<double>(c.cycles) - static_cast<double>(c.pe_ops)) * w.pe_idle_cycle_pj +
               static_cast<double>(c.cycles) * w.cycle_pj +
               static_cast<double>(c.dram_read_bytes) * w.dram_read_byte_pj +
               static_cast<double>(c.dram_write_bytes) * w.dram_write_byte_pj;
    for (int i = 0; i < 3; ++i)
      e += static_cast<double>(br[i]) * w.buffer_read_pj[i] + static_cast<double>(bw[i]) * w.buffer_write_pj[i];
    c.energy_pj = e;
  }
  return c;
}

double LayerCoster::objective_value(const MappingCost& c, Objective o) const {
  switch (o) {
    case Objective::energy:
      return c.energy_pj;
    case Objective::cycles:
      return static_cast<double>(c.cycles);
    case Objective::edp:
      return c.energy_pj * static_cast<double>(c.cycles);
    case Objective::dram:
      return static_cast<double>(c.dram_bytes());
  }
  return 0;
}

// ------------------------------------------------------------------------------- the search

std::vector<LayerMapping> candidate_space(const ArchConfig& arch, const Layer& l) {
  std::vector<LayerMapping> out;
  if (!l.has_weights()) return out;
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs);
  const int64_t T = stream_length(arch, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
  // Residency whenever it fits: loading a tensor once never moves more than loading it in tiles.
  const bool wres = words(l.weight_count(), wb, l.wbits) <= static_cast<uint64_t>(slot_words(wb));
  const bool ires = words(l.input_count(), ib, l.abits_in) <= static_cast<uint64_t>(slot_words(ib));
  for (Dataflow df : arch_dataflows(arch)) {
    const TileLimits lim = tile_limits(arch, df, M, Kg, T);
    const std::vector<int64_t> tns = balanced_sizes(Kg, lim.tn);
    const std::vector<int64_t> tms = balanced_sizes(M, lim.tm);
    const std::vector<int64_t> tls = balanced_sizes(T, lim.tl);
    for (LoopOrder order : {LoopOrder::n_outer, LoopOrder::m_outer})
      for (int64_t tn : tns)
        for (int64_t tm : tms)
          for (int64_t tl : tls) {
            LayerMapping m;
            m.dataflow = df;
            m.order = order;
            m.tm = tm;
            m.tn = tn;
            m.tl = tl;
            m.weights_resident = wres;
            m.inputs_resident = ires;
            out.push_back(m);
          }
  }
  return out;
}

MappedLayer map_layer(const ArchConfig& arch, const Layer& l, Objective objective, const EnergyWeights* weights) {
  MappedLayer r;
  r.layer = l.name;
  r.on_array = l.has_weights();
  if (!r.on_array) return r;
  if ((objective == Objective::energy || objective == Objective::edp) && !(weights && weights->valid))
    fail("MAP001", "", "objective",
         std::string("the ") + to_string(objective) + " objective needs energy per action (a tech table)",
         "give a tech table, or pick --objective cycles or dram");
  LayerCoster coster(arch, l, weights);
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs),
                     &ob = arch.buffer(BufferRole::outputs);
  const int64_t T = stream_length(arch, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
  const uint64_t g = static_cast<uint64_t>(l.groups), passes = static_cast<uint64_t>(passes_for(arch, l));
  const uint64_t pes = static_cast<uint64_t>(arch.rows) * static_cast<uint64_t>(arch.cols);
  const uint64_t pe_ops = static_cast<uint64_t>(l.macs()) * passes;
  const bool dbl = all_double_buffered(arch);
  // Every weight is loaded at least once (packed words hold at least the raw bits).
  const uint64_t raw_weight_bytes = static_cast<uint64_t>(l.weight_bits_total() / 8);
  const bool wres = words(l.weight_count(), wb, l.wbits) <= static_cast<uint64_t>(slot_words(wb));
  const bool ires = words(l.input_count(), ib, l.abits_in) <= static_cast<uint64_t>(slot_words(ib));
  double best = 0;
  uint64_t best_cycles = 0;
  bool have = false;
  // The loops of candidate_space, in its order. For fixed (dataflow, order, tn, tm) the input and
  // output traffic are exact and the weight traffic is at least the raw weights; the ideal compute
  // cycles grow with the number of reduction tiles, and tl runs from the largest (fewest tiles)
  // down, so once the lower bound (objective, then cycles) passes the best, no smaller tl can win.
  for (Dataflow df : arch_dataflows(arch)) {
    const TileLimits lim = tile_limits(arch, df, M, Kg, T);
    const std::vector<int64_t> tns = balanced_sizes(Kg, lim.tn);
    const std::vector<int64_t> tms = balanced_sizes(M, lim.tm);
    const std::vector<int64_t> tls = balanced_sizes(T, lim.tl);
    for (LoopOrder order : {LoopOrder::n_outer, LoopOrder::m_outer})
      for (int64_t tn : tns)
        for (int64_t tm : tms) {
          const int64_t nM = ceil_div(M, tm), nN = ceil_div(Kg, tn);
          LayerMapping m;
          m.dataflow = df;
          m.order = order;
          m.tm = tm;
          m.tn = tn;
          m.weights_resident = wres;
          m.inputs_resident = ires;
          // Exact input and output DRAM bytes of this (tm, tn, order).
          uint64_t io_read = 0, io_write = 0;
          if (ires) {
            io_read = transfer_bytes(arch, ib, words(l.input_count(), ib, l.abits_in));
          } else {
            if (!coster.inputs_fit(tm)) {  // no tl can make the input rows fit
              r.candidates += tls.size();
              continue;
            }
            io_read = coster.band_bytes(tm) * g * static_cast<uint64_t>(order == LoopOrder::n_outer ? nN : 1);
          }
          const int64_t mlast = M - tm * (nM - 1), nlast = Kg - tn * (nN - 1);
          const int64_t mls[2] = {tm, mlast}, nls[2] = {tn, nlast};
          const uint64_t mcs[2] = {static_cast<uint64_t>(nM - 1), 1}, ncs[2] = {static_cast<uint64_t>(nN - 1), 1};
          for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j)
              io_write += transfer_bytes(arch, ob, words(mls[i] * nls[j], ob, l.abits_out)) * mcs[i] * ncs[j] * g;
          const uint64_t lb_dram = io_read + io_write + raw_weight_bytes;
          // Buffer accesses every mapping of this (tm, tn) makes at least: each pixel tile reads
          // all the weights, each channel tile all the im2col inputs, every code packed at best.
          double lb_buffer_pj = 0;
          if (weights) {
            const EnergyWeights& w = *weights;
            const double wread = static_cast<double>(passes) * static_cast<double>(nM) *
                                 std::floor(static_cast<double>(l.weight_bits_total()) / wb.word_bits);
            const double iread = static_cast<double>(passes) * static_cast<double>(nN) *
                                 std::floor(static_cast<double>(g) * static_cast<double>(M) *
                                            static_cast<double>(l.fan_in()) * l.abits_in / ib.word_bits);
            const double owords = std::floor(static_cast<double>(l.output_bits_total()) / ob.word_bits);
            lb_buffer_pj = wread * w.buffer_read_pj[0] + iread * w.buffer_read_pj[1] +
                           owords * (w.buffer_read_pj[2] + w.buffer_write_pj[2]) +
                           std::floor(static_cast<double>(l.weight_bits_total()) / wb.word_bits) * w.buffer_write_pj[0];
          }
          for (size_t ti = 0; ti < tls.size(); ++ti) {
            ++r.candidates;
            m.tl = tls[ti];
            if (!coster.legal(m)) continue;
            ++r.legal;
            if (have) {
              const int64_t nL = ceil_div(T, m.tl);
              // Weights not resident are reloaded for every pixel tile unless the reduction is whole
              // and channels are outer: the floor grows (1, then nM times the raw weights) with nL.
              const uint64_t w_reload =
                  (wres || (nL == 1 && order == LoopOrder::n_outer)) ? 1 : static_cast<uint64_t>(nM);
              const uint64_t lb_dram_l = lb_dram + raw_weight_bytes * (w_reload - 1);
              const uint64_t lb_dram_cycles_l =
                  arch.dram.ideal ? 0
                                  : static_cast<uint64_t>(std::ceil(static_cast<double>(lb_dram_l) /
                                                                    arch.dram.bandwidth_bytes_per_cycle));
              const int64_t per_group = group_tile_cycles(df, M, Kg, T, nM, nN, nL);
              const uint64_t compute = static_cast<uint64_t>(per_group) * g * passes;
              uint64_t lb_cycles = compute;
              if (!arch.dram.ideal)
                lb_cycles = (dbl ? std::max(compute, lb_dram_cycles_l) : compute + lb_dram_cycles_l) +
                            static_cast<uint64_t>(arch.dram.latency_cycles);
              double lb = 0;
              if (objective == Objective::cycles) {
                lb = static_cast<double>(lb_cycles);
              } else if (objective == Objective::dram) {
                lb = static_cast<double>(lb_dram_l);
              } else {
                const EnergyWeights& w = *weights;
                const double e =
                    static_cast<double>(pe_ops) * (w.pe_op_pj + w.accumulator_update_pj + w.register_write_pj) +
                    static_cast<double>(l.output_count()) * w.requant_pj +
                    (static_cast<double>(pes) * static_cast<double>(lb_cycles) - static_cast<double>(pe_ops)) *
                        w.pe_idle_cycle_pj +
                    static_cast<double>(lb_cycles) * w.cycle_pj +
                    static_cast<double>(io_read + raw_weight_bytes * w_reload) * w.dram_read_byte_pj +
                    static_cast<double>(io_write) * w.dram_write_byte_pj + lb_buffer_pj;
                lb = objective == Objective::energy ? e : e * static_cast<double>(lb_cycles);
              }
              // A margin for floating-point rounding: only bounds clearly above the best skip.
              const double lbm = lb * (1.0 - 1e-9);
              if (lbm > best || (lb == best && objective != Objective::energy && objective != Objective::edp &&
                                 lb_cycles > best_cycles)) {
                // The bound only grows as tl shrinks: the rest of this tl loop cannot win either.
                r.candidates += tls.size() - ti - 1;
                break;
              }
            }
            ++r.costed;
            const MappingCost c = coster.cost(m);
            const double v = coster.objective_value(c, objective);
            const bool better = !have || v < best ||
                                (v == best && (c.cycles < r.cost.cycles ||
                                               (c.cycles == r.cost.cycles && c.dram_bytes() < r.cost.dram_bytes())));
            if (better) {
              best = v;
              best_cycles = c.cycles;
              have = true;
              r.mapping = m;
              r.cost = c;
            }
          }
        }
  }
  if (!have) {
    // No candidate fits: the default rule raises the SIM002 that names the buffer.
    r.mapping = default_mapping(arch, l);
    r.cost = coster.cost(r.mapping);
  }
  return r;
}

std::vector<MappedLayer> map_network(const ArchConfig& arch, const std::vector<Layer>& layers, Objective objective,
                                     const EnergyWeights* weights) {
  std::vector<MappedLayer> out;
  out.reserve(layers.size());
  for (const Layer& l : layers) out.push_back(map_layer(arch, l, objective, weights));
  return out;
}

std::vector<LayerMapping> choose_mappings(const ArchConfig& arch, const std::vector<Layer>& layers, Objective objective,
                                          const PriceFn& price) {
  EnergyWeights w;
  if (price && (objective == Objective::energy || objective == Objective::edp)) w = probe_energy_weights(arch, price);
  std::vector<LayerMapping> out;
  out.reserve(layers.size());
  for (const MappedLayer& m : map_network(arch, layers, objective, &w)) out.push_back(m.mapping);
  return out;
}

std::vector<LayerMapping> mappings_for_objective(const ArchConfig& arch, const std::vector<Layer>& layers,
                                                 const std::string& objective, const PriceFn& price,
                                                 const std::string& where) {
  if (objective == "rule") {
    std::vector<LayerMapping> out;
    for (const Layer& l : layers) out.push_back(l.has_weights() ? default_mapping(arch, l) : LayerMapping{});
    return out;
  }
  Objective o;
  if (!parse_objective(objective, &o))
    fail("MAP003", "", where, "expected energy, cycles, edp, dram or rule, got \"" + objective + "\"",
         "edp (energy x cycles) is the default; rule is the fixed pre-mapper tiling");
  return choose_mappings(arch, layers, o, price);
}

}  // namespace wrpn::mapping
