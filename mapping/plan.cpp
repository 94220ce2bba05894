#include "mapping/plan.h"

#include <algorithm>

#include "common/diagnostics.h"
#include "mapping/detail.h"

namespace wrpn::mapping {

namespace {

using namespace detail;

std::string buffer_pointer(const ArchConfig& arch, BufferRole role) {
  for (size_t i = 0; i < arch.buffers.size(); ++i)
    if (arch.buffers[i].holds == role) return "/buffers/" + std::to_string(i) + "/capacity_kib";
  return "/buffers";
}

[[noreturn]] void too_small(const ArchConfig& arch, BufferRole role, const Layer& l, const std::string& what,
                            uint64_t need, int64_t have) {
  const BufferConfig& b = arch.buffer(role);
  fail("SIM002", arch.source, buffer_pointer(arch, role),
       b.name + " is too small for one tile of layer \"" + l.name + "\": " + what + " needs " + std::to_string(need) +
           " words of " + std::to_string(b.word_bits) + " bits, a " +
           (b.double_buffered ? "double-buffer half" : "buffer") + " holds " + std::to_string(have),
       "raise capacity_kib (or set double_buffered to false to use the whole buffer)");
}

void check_pe(const ArchConfig& arch, const Layer& l, bool functional, const std::string& src) {
  if (!l.has_weights()) return;
  const std::string why = pe_cannot_run(arch, l);
  if (!why.empty())
    fail("SIM001", arch.source, "/pe/type",
         std::string("PE type ") + to_string(arch.pe_type) + " cannot run layer \"" + l.name + "\" of " + src + " (W" +
             std::to_string(l.wbits) + "A" + std::to_string(l.abits_in) + "): " + why,
         "pick a PE type that matches the workload's bit widths (int runs any quantized layer)");
  if (arch.pe_type == PeType::fp32) return;
  const int need = min_acc_bits_for_product(l.abits_in, l.wbits);
  if (arch.acc_bits < need)
    fail("SIM003", arch.source, "/pe/acc_bits",
         "accumulator of " + std::to_string(arch.acc_bits) + " bits cannot hold one product of layer \"" + l.name +
             "\" (W" + std::to_string(l.wbits) + "A" + std::to_string(l.abits_in) + " needs " + std::to_string(need) +
             ")",
         "raise acc_bits");
  const int worst = acc_bits_for_fan_in(l.abits_in, l.wbits, l.fan_in());
  if (!functional && arch.overflow == OverflowMode::error && arch.acc_bits < worst)
    fail("SIM003", arch.source, "/pe/acc_bits",
         "accumulator of " + std::to_string(arch.acc_bits) + " bits may overflow in layer \"" + l.name + "\" (fan-in " +
             std::to_string(l.fan_in()) + " at W" + std::to_string(l.wbits) + "A" + std::to_string(l.abits_in) +
             " needs " + std::to_string(worst) + " bits in the worst case)",
         "raise acc_bits, set \"overflow\": \"saturate\", or simulate a trace (functional runs check the real sums)");
}

/// The array layer's unified step builder: both dataflows run the loops g > (n, m in `order`) > l.
void build_array_steps(const ArchConfig& arch, LayerPlan& p) {
  const Layer& l = p.layer;
  const LayerMapping& mp = p.mapping;
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs),
                     &ob = arch.buffer(BufferRole::outputs);
  const int64_t L = p.fan_in, T = p.stream_len, M = p.pixels, Kg = p.k_per_group, lane = lane_of(arch);
  const int64_t tm = mp.tm, tn = mp.tn, tl = mp.tl;
  const bool n_outer = mp.order == LoopOrder::n_outer;
  const int64_t nM = ceil_div(M, tm), nN = ceil_div(Kg, tn), nL = ceil_div(T, tl);
  p.tm = tm;
  p.tn = tn;
  p.tl = tl;
  p.loop_order = n_outer ? "g>n>m>l" : "g>m>n>l";
  p.weights_resident = mp.weights_resident;
  p.inputs_resident = mp.inputs_resident;
  p.split_reduction = nL > 1;
  const uint64_t w_all = words(l.k * L, wb, l.wbits), i_all = words(l.input_count(), ib, l.abits_in);
  const int acc_bits = acc_store_bits(arch);
  const uint64_t passes = static_cast<uint64_t>(p.passes);
  const bool ideal = arch.dram.ideal;
  bool first = true;
  p.steps.reserve(static_cast<size_t>(l.groups * nM * nN * nL));
  for (int64_t grp = 0; grp < l.groups; ++grp) {
    for (int64_t outer = 0; outer < (n_outer ? nN : nM); ++outer) {
      for (int64_t inner = 0; inner < (n_outer ? nM : nN); ++inner) {
        const int64_t ni = n_outer ? outer : inner, mi = n_outer ? inner : outer;
        for (int64_t li = 0; li < nL; ++li) {
          Step s;
          s.group = grp;
          s.m0 = mi * tm;
          s.m_len = std::min(tm, M - s.m0);
          s.n0 = ni * tn;
          s.n_len = std::min(tn, Kg - s.n0);
          s.l0 = li * tl;
          s.l_len = std::min(tl, T - s.l0);
          s.first_l = li == 0;
          s.last_l = li == nL - 1;
          const int64_t rcodes = reduction_codes(L, lane, s.l0, s.l_len);
          const uint64_t wtile = words(rcodes * s.n_len, wb, l.wbits);
          // Weights: once for a resident layer; a channel tile's whole fan-in stays across the pixel
          // tiles when the reduction is not split and channels are the outer loop; else per step.
          if (mp.weights_resident)
            s.weight_load_words = first ? w_all : 0;
          else
            s.weight_load_words = (nL == 1 && n_outer && inner > 0) ? 0 : wtile;
          // Inputs: once for a resident layer; otherwise the input rows of the pixel tile (all the
          // group's channels) arrive with its first reduction step and stay for the rest of it, and
          // across channel tiles when pixels are the outer loop.
          if (mp.inputs_resident)
            s.input_load_words = first ? i_all : 0;
          else
            s.input_load_words =
                (s.first_l && (n_outer || inner == 0)) ? words(band_codes(l, s.m0, s.m_len), ib, l.abits_in) : 0;
          first = false;
          const uint64_t out_words = words(s.m_len * s.n_len, ob, p.out_bits);
          const uint64_t psum = words(s.m_len * s.n_len, ob, acc_bits);
          // Partial sums: written after every reduction tile but the last, read back by every one
          // but the first; the last tile's sums go through the post-processing unit as outputs.
          s.obuf_read_words = s.first_l ? 0 : psum;
          s.obuf_write_words = s.last_l ? out_words : psum;
          s.output_store_words = s.last_l ? out_words : 0;
          const uint64_t iread = words(s.m_len * rcodes, ib, l.abits_in);
          s.wbuf_read_words = wtile * passes;
          s.ibuf_read_words = iread * passes;
          s.pe_ops = static_cast<uint64_t>(s.m_len * s.n_len * s.l_len);
          // Port stalls of a step: the cycles by which the busiest buffer's words exceed what its
          // ports deliver while the tile runs, each buffer over the cycles its operand moves in.
          auto port_stalls = [&](int64_t weight_cycles, int64_t input_cycles, uint64_t output_words,
                                 int64_t output_cycles) {
            if (ideal) return uint64_t{0};
            return std::max({port_excess(wtile, weight_cycles, wb), port_excess(iread, input_cycles, ib),
                             port_excess(output_words, output_cycles, ob)}) *
                   passes;
          };
          const uint64_t obuf_rw = s.obuf_read_words + s.obuf_write_words;
          switch (mp.dataflow) {
            case Dataflow::output_stationary:
              // Weights and inputs stream over the reduction; partial sums of a split reduction are
              // read and written back (the last tile's outputs drain after the array is done).
              s.tile = {Dataflow::output_stationary, static_cast<int>(s.m_len), static_cast<int>(s.n_len), s.l_len};
              s.port_stall_cycles = port_stalls(
                  s.l_len, s.l_len, nL > 1 ? s.obuf_read_words + (s.last_l ? 0 : s.obuf_write_words) : 0, s.l_len);
              break;
            case Dataflow::weight_stationary:
              s.tile = {Dataflow::weight_stationary, static_cast<int>(s.l_len), static_cast<int>(s.n_len), s.m_len};
              s.port_stall_cycles = port_stalls(s.l_len, s.m_len, obuf_rw, s.m_len);
              break;
            case Dataflow::input_stationary:
              // The stationary inputs shift in over l_len cycles; weights, partial sums and outputs
              // move with the n_len streamed channels.
              s.tile = {Dataflow::input_stationary, static_cast<int>(s.l_len), static_cast<int>(s.m_len), s.n_len};
              s.port_stall_cycles = port_stalls(s.n_len, s.l_len, obuf_rw, s.n_len);
              break;
          }
          s.compute_cycles = tile_cycles(s.tile) * passes;
          p.steps.push_back(s);
        }
      }
    }
  }
}

/// DRAM words the step builder would load for `m` (weights + inputs), without building steps.
uint64_t load_words(const ArchConfig& arch, const Layer& l, const LayerMapping& m) {
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs);
  const int64_t L = l.fan_in(), T = stream_length(arch, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
  const int64_t lane = lane_of(arch);
  const int64_t nM = ceil_div(M, m.tm), nN = ceil_div(Kg, m.tn), nL = ceil_div(T, m.tl);
  const bool n_outer = m.order == LoopOrder::n_outer;
  const uint64_t g = static_cast<uint64_t>(l.groups);
  uint64_t w = 0, in = 0;
  if (m.weights_resident) {
    w = words(l.k * L, wb, l.wbits);
  } else {
    uint64_t per_pass = 0;  // all (channel tile, reduction tile) chunks once
    for (int64_t n0 = 0; n0 < Kg; n0 += m.tn)
      for (int64_t l0 = 0; l0 < T; l0 += m.tl)
        per_pass += words(reduction_codes(L, lane, l0, std::min(m.tl, T - l0)) * std::min(m.tn, Kg - n0), wb, l.wbits);
    w = g * per_pass * static_cast<uint64_t>((nL == 1 && n_outer) ? 1 : nM);
  }
  if (m.inputs_resident) {
    in = words(l.input_count(), ib, l.abits_in);
  } else {
    uint64_t bands = 0;
    for (int64_t m0 = 0; m0 < M; m0 += m.tm) bands += words(band_codes(l, m0, std::min(m.tm, M - m0)), ib, l.abits_in);
    in = g * bands * static_cast<uint64_t>(n_outer ? nN : 1);
  }
  return w + in;
}

void plan_post_processing(const ArchConfig& arch, LayerPlan& p) {
  const Layer& l = p.layer;
  const BufferConfig &ib = arch.buffer(BufferRole::inputs), &ob = arch.buffer(BufferRole::outputs);
  const int64_t is = slot_words(ib), os = slot_words(ob);
  const int64_t planes = l.n * l.c, in_plane = l.h * l.w * (l.op == LayerOp::add ? 2 : 1);
  const int64_t out_plane = l.out_h() * l.out_w();
  if (words(in_plane, ib, l.abits_in) > static_cast<uint64_t>(is))
    too_small(arch, BufferRole::inputs, l, "one channel plane", words(in_plane, ib, l.abits_in), is);
  if (words(out_plane, ob, p.out_bits) > static_cast<uint64_t>(os))
    too_small(arch, BufferRole::outputs, l, "one output channel plane", words(out_plane, ob, p.out_bits), os);
  int64_t pp = planes;
  while (pp > 1 && (words(pp * in_plane, ib, l.abits_in) > static_cast<uint64_t>(is) ||
                    words(pp * out_plane, ob, p.out_bits) > static_cast<uint64_t>(os)))
    pp = std::max<int64_t>(1, std::min(pp - 1, pp / 2 + 1));
  p.tm = pp;
  p.tn = 1;
  p.tl = l.op == LayerOp::add ? 1 : l.r * l.s;
  p.loop_order = "planes";
  p.inputs_resident = pp == planes;
  const int64_t window = l.op == LayerOp::add ? 1 : l.r * l.s;
  for (int64_t c0 = 0; c0 < planes; c0 += pp) {
    Step s;
    s.n0 = c0;
    s.n_len = std::min(pp, planes - c0);
    s.m_len = s.n_len * out_plane;
    s.input_load_words = words(s.n_len * in_plane, ib, l.abits_in);
    s.ibuf_read_words = s.input_load_words;
    s.obuf_write_words = words(s.m_len, ob, p.out_bits);
    s.output_store_words = s.obuf_write_words;
    s.compute_cycles = static_cast<uint64_t>(ceil_div(s.m_len, arch.cols) * window);
    p.steps.push_back(s);
  }
}

}  // namespace

std::string pe_cannot_run(const ArchConfig& arch, const Layer& l) {
  if (!l.has_weights()) return "";
  const bool fp_layer = l.wbits == kFp32Bits || l.abits_in == kFp32Bits;
  switch (arch.pe_type) {
    case PeType::fp32:
      if (!fp_layer || l.wbits != kFp32Bits || l.abits_in != kFp32Bits) return "an fp32 PE runs FP32 layers only";
      break;
    case PeType::int_k:
      if (fp_layer) return "an integer PE cannot run an FP32 layer";
      break;
    case PeType::ternary:
      if (fp_layer || l.wbits > 2) return "a ternary PE takes weights of at most 2 bits";
      break;
    case PeType::binary:
      if (l.wbits != 1 || l.abits_in != 1)
        return "a binary (XNOR-popcount) PE takes 1-bit weights and 1-bit activations";
      break;
  }
  return "";
}

int passes_for(const ArchConfig& arch, const Layer& l) {
  if (!l.has_weights()) return 1;
  auto slices = [](int bits, int pe_bits) { return bits > pe_bits ? (bits + pe_bits - 1) / pe_bits : 1; };
  switch (arch.pe_type) {
    case PeType::int_k:
      return slices(l.wbits, arch.pe_wbits) * slices(l.abits_in, arch.pe_abits);
    case PeType::ternary:
      return slices(l.abits_in, arch.pe_abits);
    default:
      return 1;
  }
}

std::string describe(const LayerMapping& m) {
  return std::string(short_name(m.dataflow)) + " " + to_string(m.order) + " tm=" + std::to_string(m.tm) +
         " tn=" + std::to_string(m.tn) + " tl=" + std::to_string(m.tl) + (m.weights_resident ? " +W" : "") +
         (m.inputs_resident ? " +I" : "");
}

const char* to_string(LoopOrder o) { return o == LoopOrder::n_outer ? "g>n>m>l" : "g>m>n>l"; }

int64_t stream_length(const ArchConfig& arch, const Layer& l) { return ceil_div(l.fan_in(), lane_of(arch)); }

std::string mapping_error(const ArchConfig& arch, const Layer& l, const LayerMapping& m) {
  if (!l.has_weights()) return "";
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs),
                     &ob = arch.buffer(BufferRole::outputs);
  const int64_t L = l.fan_in(), T = stream_length(arch, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
  auto range = [](const char* what, int64_t v, int64_t hi) {
    return (v < 1 || v > hi)
               ? std::string(what) + " = " + std::to_string(v) + " is outside [1, " + std::to_string(hi) + "]"
               : std::string();
  };
  const TileLimits lim = tile_limits(arch, m.dataflow, M, Kg, T);
  std::string e = range("tm", m.tm, lim.tm);
  if (e.empty()) e = range("tn", m.tn, lim.tn);
  if (e.empty()) e = range("tl", m.tl, lim.tl);
  if (!e.empty()) return e;
  const uint64_t ws = static_cast<uint64_t>(slot_words(wb)), is = static_cast<uint64_t>(slot_words(ib)),
                 osw = static_cast<uint64_t>(slot_words(ob));
  const uint64_t wtile = words(reduction_codes(L, lane_of(arch), 0, m.tl) * m.tn, wb, l.wbits);
  if (m.weights_resident ? words(l.k * L, wb, l.wbits) > ws : wtile > ws)
    return wb.name + ": " + (m.weights_resident ? "the layer's weights" : "a weight tile") + " need " +
           std::to_string(m.weights_resident ? words(l.k * L, wb, l.wbits) : wtile) + " words, a slot holds " +
           std::to_string(ws);
  if (m.inputs_resident) {
    if (words(l.input_count(), ib, l.abits_in) > is)
      return ib.name + ": the layer's inputs need " + std::to_string(words(l.input_count(), ib, l.abits_in)) +
             " words, a slot holds " + std::to_string(is);
  } else if (max_band_words(l, M, m.tm, ib) > is) {
    return ib.name + ": the input rows of a pixel tile need " + std::to_string(max_band_words(l, M, m.tm, ib)) +
           " words, a slot holds " + std::to_string(is);
  }
  const bool split = ceil_div(T, m.tl) > 1;
  const int bits = split ? std::max(acc_store_bits(arch), l.abits_out) : l.abits_out;
  if (words(m.tm * m.tn, ob, bits) > osw)
    return ob.name + ": the " + (split ? "partial sums" : "outputs") + " of a tile need " +
           std::to_string(words(m.tm * m.tn, ob, bits)) + " words, a slot holds " + std::to_string(osw);
  return "";
}

LayerMapping default_mapping(const ArchConfig& arch, const Layer& l) {
  LayerMapping m;
  m.dataflow = arch.dataflow;
  if (!l.has_weights()) return m;
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs),
                     &ob = arch.buffer(BufferRole::outputs);
  const uint64_t ws = static_cast<uint64_t>(slot_words(wb)), is = static_cast<uint64_t>(slot_words(ib)),
                 osw = static_cast<uint64_t>(slot_words(ob));
  const int64_t L = l.fan_in(), T = stream_length(arch, l), M = l.n * l.out_h() * l.out_w(), Kg = l.k / l.groups;
  const int64_t lane = lane_of(arch);
  const int acc = std::max(acc_store_bits(arch), l.abits_out);
  auto wfits = [&](int64_t tl, int64_t tn) { return words(reduction_codes(L, lane, 0, tl) * tn, wb, l.wbits) <= ws; };
  // The smallest tile of any mapping: one weight, one pixel's input rows, one output.
  if (!wfits(1, 1)) too_small(arch, BufferRole::weights, l, "one weight", words(1, wb, l.wbits), slot_words(wb));
  if (max_band_words(l, M, 1, ib) > is)
    too_small(arch, BufferRole::inputs, l, "the input rows of one output pixel", max_band_words(l, M, 1, ib),
              slot_words(ib));
  if (words(1, ob, acc) > osw)
    too_small(arch, BufferRole::outputs, l, "one partial sum", words(1, ob, acc), slot_words(ob));
  int64_t tn = std::min<int64_t>(arch.cols, Kg);
  if (m.dataflow == Dataflow::output_stationary) {
    // Whole fan-in per tile when one column of it fits, with as many columns as fit; otherwise a
    // split reduction over all the columns, each reduction tile as long as fits.
    int64_t tl = T;
    if (wfits(T, 1)) {
      while (tn > 1 && !wfits(T, tn)) --tn;
    } else {
      int64_t lo = 1, hi = T;
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo + 1) / 2;
        if (wfits(mid, tn))
          lo = mid;
        else
          hi = mid - 1;
      }
      tl = lo;
      while (tn > 1 && !wfits(tl, tn)) --tn;
    }
    const int bits = tl < T ? acc : l.abits_out;
    int64_t tm = std::min<int64_t>(arch.rows, M);
    while (tm > 1 && (max_band_words(l, M, tm, ib) > is || words(tm * tn, ob, bits) > osw)) --tm;
    while (tn > 1 && words(tm * tn, ob, bits) > osw) --tn;
    m.tm = tm;
    m.tn = tn;
    m.tl = tl;
  } else if (m.dataflow == Dataflow::input_stationary) {
    // As many reduction rows and pixel columns as fit, then the longest channel stream that fits.
    int64_t tl = std::min<int64_t>(arch.rows, T);
    while (tl > 1 && !wfits(tl, 1)) --tl;
    int64_t tm = std::min<int64_t>(arch.cols, M);
    while (tm > 1 && (max_band_words(l, M, tm, ib) > is || words(tm, ob, acc) > osw)) --tm;
    auto fits = [&](int64_t n) { return wfits(tl, n) && words(tm * n, ob, acc) <= osw; };
    int64_t lo = 1, hi = Kg;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo + 1) / 2;
      if (fits(mid))
        lo = mid;
      else
        hi = mid - 1;
    }
    m.tm = tm;
    m.tn = lo;
    m.tl = tl;
  } else {
    int64_t tl = std::min<int64_t>(arch.rows, T);
    while (!wfits(tl, tn)) {
      if (tn > 1)
        --tn;
      else
        --tl;
    }
    while (tn > 1 && words(tn, ob, acc) > osw) --tn;
    auto fits = [&](int64_t tm) { return words(tm * tn, ob, acc) <= osw && max_band_words(l, M, tm, ib) <= is; };
    int64_t lo = 1, hi = M;  // largest tm that fits (both footprints grow with tm)
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo + 1) / 2;
      if (fits(mid))
        lo = mid;
      else
        hi = mid - 1;
    }
    m.tm = lo;
    m.tn = tn;
    m.tl = tl;
  }
  m.weights_resident = words(l.k * L, wb, l.wbits) <= ws;
  m.inputs_resident = words(l.input_count(), ib, l.abits_in) <= is;
  // The loop order that moves fewer DRAM words (ties: channels outer).
  LayerMapping other = m;
  other.order = LoopOrder::m_outer;
  if (load_words(arch, l, other) < load_words(arch, l, m)) m = other;
  return m;
}

void check_layer(const ArchConfig& arch, const Layer& l, bool functional, const std::string& src) {
  check_pe(arch, l, functional, src);
}

LayerPlan build_plan(const ArchConfig& arch, const Layer& layer, int index, const LayerMapping& m) {
  LayerPlan p;
  p.index = index;
  p.layer = layer;
  const Layer& l = p.layer;
  p.on_array = l.has_weights();
  p.pixels = l.n * l.out_h() * l.out_w();
  p.out_bits = l.abits_out;
  if (p.on_array) {
    p.fan_in = l.fan_in();
    p.stream_len = stream_length(arch, l);
    p.k_per_group = l.k / l.groups;
    p.passes = passes_for(arch, l);
    p.mapping = m;
    build_array_steps(arch, p);
  } else {
    plan_post_processing(arch, p);
  }
  return p;
}

std::vector<LayerPlan> plan_layers(const ArchConfig& arch, const std::vector<Layer>& layers, bool functional,
                                   const std::string& src, const std::vector<LayerMapping>* mappings) {
  std::vector<LayerPlan> plans;
  for (const Layer& l : layers) check_pe(arch, l, functional, src);
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    LayerMapping m;
    if (l.has_weights()) {
      if (mappings && i < mappings->size()) {
        m = (*mappings)[i];
        const std::string why = mapping_error(arch, l, m);
        if (!why.empty())
          fail("SIM002", arch.source, "/buffers",
               "the mapping of layer \"" + l.name + "\" of " + src + " does not fit the arch: " + why,
               "pick smaller tiles, or let `wrpn map` choose a mapping");
      } else {
        m = default_mapping(arch, l);
      }
    }
    plans.push_back(build_plan(arch, l, static_cast<int>(i), m));
  }
  return plans;
}

uint64_t closed_form_ideal_cycles(const ArchConfig& arch, const LayerPlan& p) {
  const Layer& l = p.layer;
  if (!p.on_array) {
    // Post-processing unit: `cols` lanes, one window element per lane per cycle, chunks of tm planes.
    const int64_t planes = l.n * l.c, out_plane = l.out_h() * l.out_w(), window = p.tl;
    const int64_t full = planes / p.tm, rest = planes % p.tm;
    int64_t c = full * ceil_div(p.tm * out_plane, arch.cols) * window;
    if (rest) c += ceil_div(rest * out_plane, arch.cols) * window;
    return static_cast<uint64_t>(c);
  }
  const int64_t M = p.pixels, Kg = p.k_per_group, T = p.stream_len, g = l.groups;
  // Sum over pixel tiles, channel tiles and reduction tiles of the tile cycles (detail.h).
  const int64_t per_group =
      group_tile_cycles(p.mapping.dataflow, M, Kg, T, ceil_div(M, p.tm), ceil_div(Kg, p.tn), ceil_div(T, p.tl));
  return static_cast<uint64_t>(per_group * g) * static_cast<uint64_t>(p.passes);
}

}  // namespace wrpn::mapping
