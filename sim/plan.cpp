#include "sim/plan.h"

#include <algorithm>

#include "common/diagnostics.h"

namespace wrpn::sim {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t slot_words(const BufferConfig& b) { return b.capacity_bits() / b.word_bits / (b.double_buffered ? 2 : 1); }

uint64_t words(int64_t codes, const BufferConfig& b, int bits) {
  return static_cast<uint64_t>(words_for_codes(codes, b.word_bits, bits));
}

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

/// Input codes of one group (c/groups channels) that the output pixels [m0, m0+len) read: the
/// band of input rows their receptive fields cover, whole rows wide, per image.
int64_t band_codes(const Layer& l, int64_t m0, int64_t len) {
  const int64_t oh = l.out_h(), ow = l.out_w(), per_image = oh * ow, cg = l.c / l.groups;
  int64_t codes = 0;
  for (int64_t n = m0 / per_image; n * per_image < m0 + len && n < l.n; ++n) {
    const int64_t p_lo = std::max(m0, n * per_image) - n * per_image;
    const int64_t p_hi = std::min(m0 + len, (n + 1) * per_image) - 1 - n * per_image;
    const int64_t row_lo = std::max<int64_t>(0, (p_lo / ow) * l.stride - l.pad);
    const int64_t row_hi = std::min<int64_t>(l.h - 1, (p_hi / ow) * l.stride - l.pad + l.r - 1);
    if (row_hi >= row_lo) codes += cg * (row_hi - row_lo + 1) * l.w;
  }
  return codes;
}

/// Largest band over all pixel tiles of size tm.
uint64_t max_band_words(const Layer& l, int64_t pixels, int64_t tm, const BufferConfig& b) {
  uint64_t worst = 0;
  for (int64_t m0 = 0; m0 < pixels; m0 += tm)
    worst = std::max(worst, words(band_codes(l, m0, std::min(tm, pixels - m0)), b, l.abits_in));
  return worst;
}

uint64_t port_excess(uint64_t words_needed, int64_t cycles_available, const BufferConfig& b) {
  const uint64_t per_cycle = static_cast<uint64_t>(b.banks) * static_cast<uint64_t>(b.ports);
  const uint64_t need = (words_needed + per_cycle - 1) / per_cycle;
  return need > static_cast<uint64_t>(cycles_available) ? need - static_cast<uint64_t>(cycles_available) : 0;
}

void check_pe(const ArchConfig& arch, const Layer& l, bool functional, const std::string& src) {
  if (!l.has_weights()) return;
  const bool fp_layer = l.wbits == kFp32Bits || l.abits_in == kFp32Bits;
  std::string why;
  switch (arch.pe_type) {
    case PeType::fp32:
      if (!fp_layer || l.wbits != kFp32Bits || l.abits_in != kFp32Bits) why = "an fp32 PE runs FP32 layers only";
      break;
    case PeType::int_k:
      if (fp_layer) why = "an integer PE cannot run an FP32 layer";
      break;
    case PeType::ternary:
      if (fp_layer || l.wbits > 2) why = "a ternary PE takes weights of at most 2 bits";
      break;
    case PeType::binary:
      if (l.wbits != 1 || l.abits_in != 1)
        why = "a binary (XNOR-popcount) PE takes 1-bit weights and 1-bit activations";
      break;
  }
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

void plan_output_stationary(const ArchConfig& arch, LayerPlan& p) {
  const Layer& l = p.layer;
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs),
                     &ob = arch.buffer(BufferRole::outputs);
  const int64_t ws = slot_words(wb), is = slot_words(ib), os = slot_words(ob);
  const int64_t L = p.fan_in, T = p.stream_len, M = p.pixels, Kg = p.k_per_group;
  if (words(L, wb, l.wbits) > static_cast<uint64_t>(ws))
    too_small(arch, BufferRole::weights, l, "one column's weights (" + std::to_string(L) + " codes)",
              words(L, wb, l.wbits), ws);
  int64_t tn = std::min<int64_t>(arch.cols, Kg);
  while (tn > 1 && words(L * tn, wb, l.wbits) > static_cast<uint64_t>(ws)) --tn;
  if (max_band_words(l, M, 1, ib) > static_cast<uint64_t>(is))
    too_small(arch, BufferRole::inputs, l, "the input rows of one output pixel", max_band_words(l, M, 1, ib), is);
  if (words(1, ob, p.out_bits) > static_cast<uint64_t>(os))
    too_small(arch, BufferRole::outputs, l, "one output", words(1, ob, p.out_bits), os);
  int64_t tm = std::min<int64_t>(arch.rows, M);
  while (tm > 1 && (max_band_words(l, M, tm, ib) > static_cast<uint64_t>(is) ||
                    words(tm * tn, ob, p.out_bits) > static_cast<uint64_t>(os)))
    --tm;
  while (tn > 1 && words(tm * tn, ob, p.out_bits) > static_cast<uint64_t>(os)) --tn;
  p.tm = tm;
  p.tn = tn;
  p.tl = L;
  p.weights_resident = words(l.k * L, wb, l.wbits) <= static_cast<uint64_t>(ws);
  p.inputs_resident = words(l.input_count(), ib, l.abits_in) <= static_cast<uint64_t>(is);
  const int64_t nM = ceil_div(M, tm), nN = ceil_div(Kg, tn);

  // DRAM words of the two loop orders; the controller takes the cheaper one (ties: weights outer).
  uint64_t band_sum = 0;
  for (int64_t m0 = 0; m0 < M; m0 += tm) band_sum += words(band_codes(l, m0, std::min(tm, M - m0)), ib, l.abits_in);
  const uint64_t w_all = words(l.k * L, wb, l.wbits), i_all = words(l.input_count(), ib, l.abits_in);
  uint64_t w_chunks = 0;
  for (int64_t n0 = 0; n0 < Kg; n0 += tn) w_chunks += words(L * std::min(tn, Kg - n0), wb, l.wbits);
  const uint64_t g = static_cast<uint64_t>(l.groups);
  const uint64_t cost_n_outer = (p.weights_resident ? w_all : g * w_chunks) +
                                (p.inputs_resident ? i_all : g * static_cast<uint64_t>(nN) * band_sum);
  const uint64_t cost_m_outer = (p.weights_resident ? w_all : g * static_cast<uint64_t>(nM) * w_chunks) +
                                (p.inputs_resident ? i_all : g * band_sum);
  const bool n_outer = cost_n_outer <= cost_m_outer;
  p.loop_order = n_outer ? "g>n>m" : "g>m>n";

  const bool ideal = arch.dram.ideal;
  bool first = true;
  for (int64_t grp = 0; grp < l.groups; ++grp) {
    for (int64_t outer = 0; outer < (n_outer ? nN : nM); ++outer) {
      for (int64_t inner = 0; inner < (n_outer ? nM : nN); ++inner) {
        const int64_t ni = n_outer ? outer : inner, mi = n_outer ? inner : outer;
        Step s;
        s.group = grp;
        s.m0 = mi * tm;
        s.m_len = std::min(tm, M - s.m0);
        s.n0 = ni * tn;
        s.n_len = std::min(tn, Kg - s.n0);
        s.l0 = 0;
        s.l_len = L;
        const uint64_t wchunk = words(L * s.n_len, wb, l.wbits);
        const uint64_t band = words(band_codes(l, s.m0, s.m_len), ib, l.abits_in);
        if (p.weights_resident)
          s.weight_load_words = first ? w_all : 0;
        else
          s.weight_load_words = (!n_outer || inner == 0) ? wchunk : 0;
        if (p.inputs_resident)
          s.input_load_words = first ? i_all : 0;
        else
          s.input_load_words = (n_outer || inner == 0) ? band : 0;
        first = false;
        s.tile = {Dataflow::output_stationary, static_cast<int>(s.m_len), static_cast<int>(s.n_len), T};
        s.compute_cycles = tile_cycles(s.tile) * static_cast<uint64_t>(p.passes);
        s.pe_ops = static_cast<uint64_t>(s.m_len * s.n_len * T);
        const uint64_t wread = wchunk, iread = words(s.m_len * L, ib, l.abits_in);
        s.wbuf_read_words = wread * static_cast<uint64_t>(p.passes);
        s.ibuf_read_words = iread * static_cast<uint64_t>(p.passes);
        s.obuf_write_words = words(s.m_len * s.n_len, ob, p.out_bits);
        s.output_store_words = s.obuf_write_words;
        if (!ideal)
          s.port_stall_cycles =
              std::max(port_excess(wread, T, wb), port_excess(iread, T, ib)) * static_cast<uint64_t>(p.passes);
        p.steps.push_back(s);
      }
    }
  }
}

void plan_weight_stationary(const ArchConfig& arch, LayerPlan& p, bool binary) {
  const Layer& l = p.layer;
  const BufferConfig &wb = arch.buffer(BufferRole::weights), &ib = arch.buffer(BufferRole::inputs),
                     &ob = arch.buffer(BufferRole::outputs);
  const int64_t ws = slot_words(wb), is = slot_words(ib), os = slot_words(ob);
  const int64_t L = p.fan_in, Tred = p.stream_len, M = p.pixels, Kg = p.k_per_group;
  const int64_t lane = binary ? kBinaryLanes : 1;
  auto red_codes = [&](int64_t l0, int64_t len) { return std::min(L, (l0 + len) * lane) - l0 * lane; };
  int64_t tl = std::min<int64_t>(arch.rows, Tred), tn = std::min<int64_t>(arch.cols, Kg);
  if (words(red_codes(0, 1), wb, l.wbits) > static_cast<uint64_t>(ws))
    too_small(arch, BufferRole::weights, l, "one stationary weight", words(red_codes(0, 1), wb, l.wbits), ws);
  while (words(red_codes(0, tl) * tn, wb, l.wbits) > static_cast<uint64_t>(ws)) {
    if (tn > 1)
      --tn;
    else
      --tl;
  }
  if (max_band_words(l, M, 1, ib) > static_cast<uint64_t>(is))
    too_small(arch, BufferRole::inputs, l, "the input rows of one output pixel", max_band_words(l, M, 1, ib), is);
  if (words(1, ob, arch.acc_bits) > static_cast<uint64_t>(os))
    too_small(arch, BufferRole::outputs, l, "one partial sum", words(1, ob, arch.acc_bits), os);
  while (tn > 1 && words(tn, ob, arch.acc_bits) > static_cast<uint64_t>(os)) --tn;
  auto fits = [&](int64_t tm) {
    return words(tm * tn, ob, std::max(arch.acc_bits, p.out_bits)) <= static_cast<uint64_t>(os) &&
           max_band_words(l, M, tm, ib) <= static_cast<uint64_t>(is);
  };
  int64_t lo = 1, hi = M;  // largest tm that fits (both footprints grow with tm)
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (fits(mid))
      lo = mid;
    else
      hi = mid - 1;
  }
  const int64_t tm = lo;
  p.tm = tm;
  p.tn = tn;
  p.tl = tl;
  p.loop_order = "g>n>m>l";
  p.weights_resident = words(l.k * L, wb, l.wbits) <= static_cast<uint64_t>(ws);
  p.inputs_resident = words(l.input_count(), ib, l.abits_in) <= static_cast<uint64_t>(is);
  const uint64_t w_all = words(l.k * L, wb, l.wbits), i_all = words(l.input_count(), ib, l.abits_in);
  const int acc_bits = arch.pe_type == PeType::fp32 ? 32 : arch.acc_bits;
  const bool ideal = arch.dram.ideal;
  bool first = true;
  for (int64_t grp = 0; grp < l.groups; ++grp) {
    for (int64_t n0 = 0; n0 < Kg; n0 += tn) {
      for (int64_t m0 = 0; m0 < M; m0 += tm) {
        for (int64_t l0 = 0; l0 < Tred; l0 += tl) {
          Step s;
          s.group = grp;
          s.m0 = m0;
          s.m_len = std::min(tm, M - m0);
          s.n0 = n0;
          s.n_len = std::min(tn, Kg - n0);
          s.l0 = l0;
          s.l_len = std::min(tl, Tred - l0);
          s.first_l = l0 == 0;
          s.last_l = l0 + s.l_len >= Tred;
          const uint64_t wtile = words(red_codes(l0, s.l_len) * s.n_len, wb, l.wbits);
          if (p.weights_resident)
            s.weight_load_words = first ? w_all : 0;
          else
            s.weight_load_words = wtile;
          if (p.inputs_resident)
            s.input_load_words = first ? i_all : 0;
          else
            s.input_load_words = s.first_l ? words(band_codes(l, m0, s.m_len), ib, l.abits_in) : 0;
          first = false;
          s.tile = {Dataflow::weight_stationary, static_cast<int>(s.l_len), static_cast<int>(s.n_len), s.m_len};
          s.compute_cycles = tile_cycles(s.tile) * static_cast<uint64_t>(p.passes);
          s.pe_ops = static_cast<uint64_t>(s.l_len * s.n_len * s.m_len);
          const uint64_t iread = words(s.m_len * red_codes(l0, s.l_len), ib, l.abits_in);
          const uint64_t psum = words(s.m_len * s.n_len, ob, acc_bits);
          s.wbuf_read_words = wtile * static_cast<uint64_t>(p.passes);
          s.ibuf_read_words = iread * static_cast<uint64_t>(p.passes);
          // Partial sums: written after every reduction tile but the last, read back by every one but
          // the first; the last tile's sums go straight to the post-processing unit.
          s.obuf_read_words = s.first_l ? 0 : psum;
          s.obuf_write_words = s.last_l ? words(s.m_len * s.n_len, ob, p.out_bits) : psum;
          s.output_store_words = s.last_l ? words(s.m_len * s.n_len, ob, p.out_bits) : 0;
          if (!ideal)
            s.port_stall_cycles = std::max({port_excess(wtile, s.l_len, wb), port_excess(iread, s.m_len, ib),
                                            port_excess(s.obuf_read_words + s.obuf_write_words, s.m_len, ob)}) *
                                  static_cast<uint64_t>(p.passes);
          p.steps.push_back(s);
        }
      }
    }
  }
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

std::vector<LayerPlan> plan_layers(const ArchConfig& arch, const std::vector<Layer>& layers, bool functional,
                                   const std::string& src) {
  std::vector<LayerPlan> plans;
  for (const Layer& l : layers) check_pe(arch, l, functional, src);
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerPlan p;
    p.index = static_cast<int>(i);
    p.layer = layers[i];
    const Layer& l = p.layer;
    p.on_array = l.has_weights();
    p.pixels = l.n * l.out_h() * l.out_w();
    p.out_bits = l.abits_out;
    if (p.on_array) {
      const bool binary = arch.pe_type == PeType::binary;
      p.fan_in = l.fan_in();
      p.stream_len = binary ? ceil_div(p.fan_in, kBinaryLanes) : p.fan_in;
      p.k_per_group = l.k / l.groups;
      p.passes = passes_for(arch, l);
      if (arch.dataflow == Dataflow::output_stationary)
        plan_output_stationary(arch, p);
      else
        plan_weight_stationary(arch, p, binary);
    } else {
      plan_post_processing(arch, p);
    }
    plans.push_back(std::move(p));
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
  int64_t per_group = 0;
  if (arch.dataflow == Dataflow::output_stationary) {
    // sum over pixel tiles i and channel tiles j of (2 r_i + c_j + T - 2), with sum r_i = M, sum c_j = Kg.
    const int64_t nM = ceil_div(M, p.tm), nN = ceil_div(Kg, p.tn);
    per_group = 2 * M * nN + Kg * nM + (T - 2) * nM * nN;
  } else {
    // sum over pixel chunks i, channel tiles j, reduction tiles k of (2 l_k + c_j + m_i - 2).
    const int64_t nMc = ceil_div(M, p.tm), nN = ceil_div(Kg, p.tn), nR = ceil_div(T, p.tl);
    per_group = 2 * T * nN * nMc + Kg * nR * nMc + M * nR * nN - 2 * nR * nN * nMc;
  }
  return static_cast<uint64_t>(per_group * g) * static_cast<uint64_t>(p.passes);
}

}  // namespace wrpn::sim
