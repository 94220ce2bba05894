#include "sim/controller.h"

#include <deque>

#include "sim/dma.h"

namespace wrpn::sim {

Controller::Controller(sc_core::sc_module_name name, SimContext& ctx, Buffer& weights, Buffer& inputs, Buffer& outputs,
                       const Dma& dma)
    : sc_module(name),
      array_job_o("array_job_o"),
      ppu_job_o("ppu_job_o"),
      done_i("done_i"),
      dma_req_o("dma_req_o"),
      layer_o("layer_o"),
      ctx_(ctx),
      wbuf_(weights),
      ibuf_(inputs),
      obuf_(outputs),
      dma_(dma) {
  SC_HAS_PROCESS(Controller);
  SC_THREAD(control_thread);
}

void Controller::control_thread() {
  for (const LayerPlan& p : ctx_.plans) {
    layer_o.write(p.index);
    if (!run_layer(p)) return;
  }
  sc_core::sc_stop();
}

void Controller::gather_operands(const LayerPlan& p, const Step& s) {
  const TraceLayer& t = ctx_.trace->layers[static_cast<size_t>(p.index)];
  const Layer& l = p.layer;
  const int64_t L = p.fan_in, RS = l.r * l.s, cg = l.c / l.groups, per_image = l.out_h() * l.out_w();
  const bool os = s.tile.dataflow == Dataflow::output_stationary;
  const bool binary = ctx_.arch.pe_type == PeType::binary;
  // Input code of output pixel m at reduction index x (im2col without materializing it).
  auto input_code = [&](int64_t m, int64_t x) -> int32_t {
    const int64_t n = m / per_image, oh = (m % per_image) / l.out_w(), ow = m % l.out_w();
    const int64_t c = x / RS, r = (x % RS) / l.s, q = x % l.s;
    const int64_t ih = oh * l.stride - l.pad + r, iw = ow * l.stride - l.pad + q;
    if (ih < 0 || iw < 0 || ih >= l.h || iw >= l.w) return 0;
    return t.input[static_cast<size_t>(((n * l.c + s.group * cg + c) * l.h + ih) * l.w + iw)];
  };
  auto weight_code = [&](int64_t j, int64_t x) {
    return t.weights[static_cast<size_t>((s.group * p.k_per_group + s.n0 + j) * L + x)];
  };
  // Binary lane word w (reduction indices [64w, 64w+64)) of a pixel's inputs / a column's weights.
  auto act_word = [&](int64_t m, int64_t w) {
    uint64_t bits = 0;
    for (int64_t b = 0; b < kBinaryLanes && w * kBinaryLanes + b < L; ++b)
      if (input_code(m, w * kBinaryLanes + b) != 0) bits |= uint64_t{1} << b;
    return bits;
  };
  auto weight_word = [&](int64_t j, int64_t w) {
    uint64_t bits = 0;
    for (int64_t b = 0; b < kBinaryLanes && w * kBinaryLanes + b < L; ++b)
      if (weight_code(j, w * kBinaryLanes + b) > 0) bits |= uint64_t{1} << b;
    return bits;
  };
  const int64_t rows = s.tile.rows_used, cols = s.tile.cols_used, T = s.tile.stream;
  if (!binary) {
    gather_int(p, s, t);
    return;
  }
  // Binary PEs from here on: 64-lane words of activation and weight signs.
  const bool is = s.tile.dataflow == Dataflow::input_stationary;
  ops_.a_bits.resize(static_cast<size_t>(is ? cols * rows : (os ? rows * T : T * rows)));
  ops_.b_bits.resize(static_cast<size_t>(os ? T * cols : (is ? T * rows : rows * cols)));
  if (os) {
    // Reduction tile [l0, l0+T) in stream units; a split reduction resumes from the partial sums of
    // the previous reduction tile (they wait in the output buffer).
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t x = 0; x < T; ++x) ops_.a_bits[static_cast<size_t>(i * T + x)] = act_word(s.m0 + i, s.l0 + x);
    for (int64_t x = 0; x < T; ++x)
      for (int64_t j = 0; j < cols; ++j) ops_.b_bits[static_cast<size_t>(x * cols + j)] = weight_word(j, s.l0 + x);
    if (s.first_l) acc_.assign(static_cast<size_t>(rows * cols), 0);
  } else if (is) {
    // Stationary inputs: pixel j of the column, reduction row i; streamed weights of channel n.
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t i = 0; i < rows; ++i) ops_.a_bits[static_cast<size_t>(j * rows + i)] = act_word(s.m0 + j, s.l0 + i);
    for (int64_t n = 0; n < T; ++n)
      for (int64_t i = 0; i < rows; ++i) ops_.b_bits[static_cast<size_t>(n * rows + i)] = weight_word(n, s.l0 + i);
    // Partial sums live in the output buffer between reduction tiles of the same tile.
    if (s.first_l) acc_.assign(static_cast<size_t>(cols * T), 0);
  } else {
    for (int64_t m = 0; m < T; ++m)
      for (int64_t i = 0; i < rows; ++i) ops_.a_bits[static_cast<size_t>(m * rows + i)] = act_word(s.m0 + m, s.l0 + i);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) ops_.b_bits[static_cast<size_t>(i * cols + j)] = weight_word(j, s.l0 + i);
    // Partial sums live in the output buffer between reduction tiles of the same pixel chunk.
    if (s.first_l) acc_.assign(static_cast<size_t>(T * cols), 0);
  }
  ops_.acc = &acc_;
}

void Controller::gather_int(const LayerPlan& p, const Step& s, const TraceLayer& t) {
  const Layer& l = p.layer;
  const int64_t L = p.fan_in, cg = l.c / l.groups, per_image = l.out_h() * l.out_w();
  const bool os = s.tile.dataflow == Dataflow::output_stationary;
  const int64_t rows = s.tile.rows_used, cols = s.tile.cols_used, T = s.tile.stream;
  // Reduction slice [x0, x0+xlen) of the im2col row of pixel m, written to dst[0..xlen) with stride 1.
  // Walks (c, r, q) incrementally: no division per element.
  auto input_row = [&](int64_t m, int64_t x0, int64_t xlen, int32_t* dst, int64_t dst_stride) {
    const int64_t n = m / per_image, oh = (m % per_image) / l.out_w(), ow = m % l.out_w();
    const int64_t RS = l.r * l.s;
    int64_t c = x0 / RS, r = (x0 % RS) / l.s, q = x0 % l.s;
    const int32_t* plane0 = t.input.data() + (n * l.c + s.group * cg) * l.h * l.w;
    const int64_t ih0 = oh * l.stride - l.pad, iw0 = ow * l.stride - l.pad;
    for (int64_t x = 0; x < xlen; ++x) {
      const int64_t ih = ih0 + r, iw = iw0 + q;
      dst[x * dst_stride] = (ih < 0 || iw < 0 || ih >= l.h || iw >= l.w) ? 0 : plane0[(c * l.h + ih) * l.w + iw];
      if (++q == l.s) {
        q = 0;
        if (++r == l.r) {
          r = 0;
          ++c;
        }
      }
    }
  };
  const bool is = s.tile.dataflow == Dataflow::input_stationary;
  const size_t na = static_cast<size_t>(is ? cols * rows : rows * T),
               nb = static_cast<size_t>(os ? T * cols : (is ? T * rows : rows * cols));
  ops_.a.resize(na);
  ops_.b.resize(nb);
  const int32_t* wbase = t.weights.data() + (s.group * p.k_per_group + s.n0) * L;
  if (is) {
    // Stationary inputs (pixel-major: the im2col slice of each column's pixel), streamed weights
    // (channel-major: a channel's reduction slice is contiguous in the trace).
    for (int64_t j = 0; j < cols; ++j) input_row(s.m0 + j, s.l0, rows, ops_.a.data() + j * rows, 1);
    for (int64_t n = 0; n < T; ++n)
      std::copy(wbase + n * L + s.l0, wbase + n * L + s.l0 + rows, ops_.b.data() + n * rows);
    gathered_plan_ = nullptr;
    // Partial sums live in the output buffer between reduction tiles of the same tile.
    if (s.first_l) acc_.assign(static_cast<size_t>(cols * T), 0);
  } else if (os) {
    for (int64_t i = 0; i < rows; ++i) input_row(s.m0 + i, s.l0, T, ops_.a.data() + i * T, 1);
    // The weights of a channel tile stay the same across its pixel tiles (loop order g>n>m>l with an
    // unsplit reduction): gather them only when the tile changes.
    const bool same = gathered_plan_ == &p && gathered_group_ == s.group && gathered_n0_ == s.n0 &&
                      gathered_cols_ == cols && gathered_l0_ == s.l0 && gathered_len_ == T;
    if (!same) {
      for (int64_t j = 0; j < cols; ++j)
        for (int64_t x = 0; x < T; ++x) ops_.b[static_cast<size_t>(x * cols + j)] = wbase[j * L + s.l0 + x];
      gathered_plan_ = &p;
      gathered_group_ = s.group;
      gathered_n0_ = s.n0;
      gathered_cols_ = cols;
      gathered_l0_ = s.l0;
      gathered_len_ = T;
    }
    // A split reduction resumes from the partial sums of the previous reduction tile (they wait in
    // the output buffer between the two steps).
    if (s.first_l) acc_.assign(static_cast<size_t>(rows * cols), 0);
  } else {
    for (int64_t m = 0; m < T; ++m) input_row(s.m0 + m, s.l0, rows, ops_.a.data() + m * rows, 1);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) ops_.b[static_cast<size_t>(i * cols + j)] = wbase[j * L + s.l0 + i];
    gathered_plan_ = nullptr;
    // Partial sums live in the output buffer between reduction tiles of the same pixel chunk.
    if (s.first_l) acc_.assign(static_cast<size_t>(T * cols), 0);
  }
  ops_.acc = &acc_;
}

bool Controller::run_layer(const LayerPlan& p) {
  LayerResult& r = ctx_.results[static_cast<size_t>(p.index)];
  const ArchConfig& arch = ctx_.arch;
  const uint64_t t0 = ctx_.now_cycles();
  const uint64_t w_r0 = wbuf_.read_words(), w_w0 = wbuf_.write_words(), i_r0 = ibuf_.read_words(),
                 i_w0 = ibuf_.write_words(), o_r0 = obuf_.read_words(), o_w0 = obuf_.write_words();
  const uint64_t d_r0 = dma_.read_bytes(), d_w0 = dma_.write_bytes();

  // Members, not locals: a run stopped mid-layer (an error) never unwinds this thread's stack.
  std::deque<DmaRequest>& requests = requests_;  // stable addresses while the DMA holds pointers
  requests.clear();                              // every transfer of the previous layer has completed
  const size_t S = p.steps.size();
  std::vector<DmaRequest*>&wreq = wreq_, &ireq = ireq_;
  wreq.assign(S, nullptr);
  ireq.assign(S, nullptr);
  bool ok = true;
  auto issue = [&](size_t s, Buffer& b, uint64_t words, std::vector<DmaRequest*>& v) {
    if (s >= S || words == 0 || v[s]) return;
    if (!b.check_fits(words, "load")) {
      ok = false;
      return;
    }
    requests.push_back(DmaRequest{true, &b, words, false});
    v[s] = &requests.back();
    dma_req_o.write(v[s]);
  };
  const bool wdb = wbuf_.config().double_buffered, idb = ibuf_.config().double_buffered;
  // Double-buffered buffers are filled as rings of their whole capacity: while step `in_use`
  // computes, the loads of the steps up to `last` are issued in step order (weights, then inputs of
  // a step) as long as each fits beside the tile in use (the last load at or before `in_use`) and
  // those already on their way. With max_outstanding 1 the window is the next step: its tile goes
  // into the other half, as in a plain double buffer.
  const size_t ahead = static_cast<size_t>(arch.dram.max_outstanding);
  size_t next_ahead = 1;
  Ring &wring = wring_, &iring = iring_;
  wring = Ring{};
  iring = Ring{};
  auto hold = [](Ring& ring, size_t step, uint64_t words) {
    if (words == 0) return;
    ring.tiles.emplace_back(step, words);
    ring.words += words;
  };
  auto run_ahead = [&](size_t in_use, size_t last) {
    for (Ring* g : {&wring, &iring})
      while (g->tiles.size() > 1 && g->tiles[1].first <= in_use) {
        g->words -= g->tiles.front().second;
        g->tiles.pop_front();
      }
    for (; next_ahead < S && next_ahead <= last && ok; ++next_ahead) {
      const Step& k = p.steps[next_ahead];
      const uint64_t w = wdb ? k.weight_load_words : 0, i = idb ? k.input_load_words : 0;
      // The next step's tile always fits beside the one in use (each fits a slot; issue() checks).
      if (next_ahead > in_use + 1 &&
          (wring.words + w > 2 * wbuf_.slot_words() || iring.words + i > 2 * ibuf_.slot_words()))
        break;
      issue(next_ahead, wbuf_, w, wreq);
      issue(next_ahead, ibuf_, i, ireq);
      hold(wring, next_ahead, w);
      hold(iring, next_ahead, i);
    }
  };
  const size_t out_slots = obuf_.config().double_buffered ? 2 : 1;
  std::vector<DmaRequest*>& out_store = out_store_;
  out_store.assign(out_slots, nullptr);
  size_t out_seq = 0;
  uint64_t compute = 0, pe_ops = 0, reg_writes = 0, engine_pe_ops = 0, engine_reg_writes = 0;
  StallCycles st;
  issue(0, wbuf_, S ? p.steps[0].weight_load_words : 0, wreq);
  issue(0, ibuf_, S ? p.steps[0].input_load_words : 0, ireq);
  if (S && wdb) hold(wring, 0, p.steps[0].weight_load_words);
  if (S && idb) hold(iring, 0, p.steps[0].input_load_words);
  run_ahead(0, ahead - 1);
  for (size_t s = 0; s < S && ok; ++s) {
    const Step& step = p.steps[s];
    uint64_t t = ctx_.now_cycles();
    if (wreq[s]) wbuf_.wait_done(*wreq[s]);
    st.dram_weights += ctx_.now_cycles() - t;
    t = ctx_.now_cycles();
    if (ireq[s]) ibuf_.wait_done(*ireq[s]);
    st.dram_inputs += ctx_.now_cycles() - t;
    const size_t oslot = out_seq % out_slots;
    if (step.first_l && out_store[oslot]) {
      t = ctx_.now_cycles();
      obuf_.wait_done(*out_store[oslot]);
      st.dram_outputs += ctx_.now_cycles() - t;
      out_store[oslot] = nullptr;
    }
    // Double-buffered buffers take later steps' data while this one computes.
    run_ahead(s, s + ahead);
    if (!ok) break;
    ArrayJob job{&p, &step, nullptr};
    if (ctx_.functional()) {
      if (p.on_array) {
        gather_operands(p, step);
        job.ops = &ops_;
      } else {
        job.ops = &ops_;  // marks functional; the post-processing unit reads the trace directly
      }
    }
    wbuf_.count_read(step.wbuf_read_words);
    ibuf_.count_read(step.ibuf_read_words);
    obuf_.count_read(step.obuf_read_words);
    obuf_.count_write(step.obuf_write_words);
    t = ctx_.now_cycles();
    if (p.on_array)
      array_job_o.write(job);
    else
      ppu_job_o.write(job);
    done_i.read();
    if (ctx_.error) return false;
    const uint64_t busy = ctx_.now_cycles() - t;
    if (busy != step.compute_cycles + step.port_stall_cycles) {
      ctx_.internal_error(name(), "step " + std::to_string(s) + " of layer \"" + p.layer.name +
                                      "\" kept the datapath busy " + std::to_string(busy) + " cycles, expected " +
                                      std::to_string(step.compute_cycles + step.port_stall_cycles));
      return false;
    }
    compute += step.compute_cycles;
    st.buffer_ports += step.port_stall_cycles;
    if (p.on_array) {
      const uint64_t passes = static_cast<uint64_t>(p.passes);
      pe_ops += step.pe_ops * passes;
      reg_writes += step_register_writes(step) * passes;
      if (job.ops) {
        engine_pe_ops += ops_.stats.pe_ops * passes;
        engine_reg_writes += ops_.stats.operand_register_writes * passes;
      }
    }
    if (step.last_l && step.output_store_words > 0) {
      if (!obuf_.check_fits(step.output_store_words, "output tile")) return false;
      requests.push_back(DmaRequest{false, &obuf_, step.output_store_words, false});
      out_store[oslot] = &requests.back();
      dma_req_o.write(out_store[oslot]);
      ++out_seq;
    }
    if (s + 1 < S) {
      if (!wdb) issue(s + 1, wbuf_, p.steps[s + 1].weight_load_words, wreq);
      if (!idb) issue(s + 1, ibuf_, p.steps[s + 1].input_load_words, ireq);
    }
  }
  if (!ok || ctx_.error) return false;
  uint64_t t = ctx_.now_cycles();
  for (DmaRequest* q : out_store)
    if (q) obuf_.wait_done(*q);
  st.dram_outputs += ctx_.now_cycles() - t;

  r.cycles = ctx_.now_cycles() - t0;
  r.compute_cycles = compute;
  r.stalls = st;
  if (compute + st.total() != r.cycles) {
    ctx_.internal_error(name(), "layer \"" + p.layer.name + "\" took " + std::to_string(r.cycles) +
                                    " cycles but compute " + std::to_string(compute) + " + stalls " +
                                    std::to_string(st.total()) + " differ");
    return false;
  }
  if (ctx_.functional() && p.on_array && (engine_pe_ops != pe_ops || engine_reg_writes != reg_writes)) {
    ctx_.internal_error(name(), "layer \"" + p.layer.name + "\": the array stepped " + std::to_string(engine_pe_ops) +
                                    " PE operations, the plan expects " + std::to_string(pe_ops));
    return false;
  }
  const Layer& l = p.layer;
  ActionCounts& c = r.counts;
  c.layer = l.name;
  c.source = "systemc";
  c.pe_type = arch.pe_type;
  c.pe_wbits = arch.pe_wbits;
  c.pe_abits = arch.pe_abits;
  c.layer_wbits = l.has_weights() ? l.wbits : 0;
  c.layer_abits = l.abits_in;
  c.passes = p.passes;
  c.acc_bits = arch.pe_type == PeType::fp32 ? 32 : arch.acc_bits;
  c.macs = static_cast<uint64_t>(l.macs());
  const uint64_t pes = static_cast<uint64_t>(arch.rows) * static_cast<uint64_t>(arch.cols);
  c.pe_active_cycles = pe_ops;
  c.pe_idle_cycles = pes * r.cycles - pe_ops;
  c.operand_register_writes = reg_writes;
  c.accumulator_updates = pe_ops;
  const uint64_t outputs = static_cast<uint64_t>(l.output_count());
  c.requant_ops = p.on_array ? outputs : 0;
  c.pool_ops = (l.op == LayerOp::maxpool || l.op == LayerOp::avgpool) ? outputs * static_cast<uint64_t>(l.r * l.s) : 0;
  c.add_ops = l.op == LayerOp::add ? outputs : 0;
  auto buf = [](const Buffer& b, uint64_t r0, uint64_t w0) {
    BufferActionCounts a;
    a.name = b.config().name;
    a.capacity_kib = b.config().capacity_kib;
    a.word_bits = b.config().word_bits;
    a.banks = b.config().banks;
    a.ports = b.config().ports;
    a.read_words = b.read_words() - r0;
    a.write_words = b.write_words() - w0;
    return a;
  };
  c.buffers = {buf(wbuf_, w_r0, w_w0), buf(ibuf_, i_r0, i_w0), buf(obuf_, o_r0, o_w0)};
  c.dram_read_bytes = dma_.read_bytes() - d_r0;
  c.dram_write_bytes = dma_.write_bytes() - d_w0;
  c.cycles = r.cycles;
  c.clock_mhz = arch.clock_mhz;
  c.clock_gating = arch.clock_gating;
  c.dram_type = arch.dram.type;
  r.utilization = r.cycles ? static_cast<double>(pe_ops) / static_cast<double>(pes * r.cycles) : 0.0;
  r.steps = S;
  return true;
}

}  // namespace wrpn::sim
