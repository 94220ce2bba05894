#include "sim/mac_array.h"

#include "common/diagnostics.h"

namespace wrpn::sim {

MacArray::MacArray(sc_core::sc_module_name name, SimContext& ctx)
    : sc_module(name), job_i("job_i"), result_o("result_o"), busy_o("busy_o"), ctx_(ctx) {
  SC_HAS_PROCESS(MacArray);
  SC_THREAD(compute_thread);
}

std::string describe_element(const LayerPlan& plan, int64_t pixel, int64_t channel_in_group, int64_t group,
                             int64_t term) {
  const Layer& l = plan.layer;
  const int64_t per_image = l.out_h() * l.out_w();
  const int64_t n = pixel / per_image, oh = (pixel % per_image) / l.out_w(), ow = pixel % l.out_w();
  return "layer \"" + l.name + "\" output (n=" + std::to_string(n) +
         ", k=" + std::to_string(group * plan.k_per_group + channel_in_group) + ", oh=" + std::to_string(oh) +
         ", ow=" + std::to_string(ow) + ")" + (term >= 0 ? ", term " + std::to_string(term) : std::string());
}

void MacArray::compute_thread() {
  for (;;) {
    ArrayJob job = job_i.read();
    busy_o.write(true);
    const Step& s = *job.step;
    const LayerPlan& p = *job.plan;
    if (job.ops) {
      TileOperands& o = *job.ops;
      const OverflowMode mode = ctx_.arch.overflow;
      if (ctx_.arch.pe_type == PeType::binary)
        o.stats =
            step_tile(s.tile, BinaryTile{o.a_bits.data(), o.b_bits.data(), o.acc->data()}, ctx_.arch.acc_bits, mode);
      else
        o.stats = step_tile(s.tile, IntTile{o.a.data(), o.b.data(), o.acc->data()}, ctx_.arch.acc_bits, mode);
      if (o.stats.cycles != tile_cycles(s.tile) || o.stats.pe_ops != s.pe_ops) {
        ctx_.internal_error(name(), "stepped tile of layer \"" + p.layer.name + "\" took " +
                                        std::to_string(o.stats.cycles) + " cycles and " +
                                        std::to_string(o.stats.pe_ops) + " PE operations; the plan expects " +
                                        std::to_string(tile_cycles(s.tile)) + " and " + std::to_string(s.pe_ops));
        return;
      }
      if (o.stats.overflow && mode == OverflowMode::error) {
        // Which PE coordinate and stream index is the pixel, the channel and the reduction term.
        int64_t pixel = 0, channel = 0, term = 0;
        switch (s.tile.dataflow) {
          case Dataflow::output_stationary:
            pixel = o.stats.overflow_row;
            channel = o.stats.overflow_col;
            term = o.stats.overflow_term;
            break;
          case Dataflow::weight_stationary:
            pixel = o.stats.overflow_term;
            channel = o.stats.overflow_col;
            term = s.l0 + o.stats.overflow_row;
            break;
          case Dataflow::input_stationary:
            pixel = o.stats.overflow_col;
            channel = o.stats.overflow_term;
            term = s.l0 + o.stats.overflow_row;
            break;
        }
        try {
          fail("SIM010", ctx_.arch.source, "/pe/acc_bits",
               "accumulator overflow (" + std::to_string(ctx_.arch.acc_bits) + " bits) in " +
                   describe_element(p, s.m0 + pixel, s.n0 + channel, s.group, term) + " at cycle " +
                   std::to_string(ctx_.now_cycles() + o.stats.overflow_cycle),
               "raise acc_bits, or set \"overflow\": \"saturate\" to clamp explicitly");
        } catch (...) {
          ctx_.raise(std::current_exception());
          return;
        }
      }
    }
    const uint64_t cycles = s.compute_cycles + s.port_stall_cycles;
    if (job.ops) job.ops->start_cycle = ctx_.now_cycles();
    ctx_.wait_cycles(cycles);
    if (job.ops) job.ops->end_cycle = ctx_.now_cycles();
    busy_cycles_ += cycles;
    busy_o.write(false);
    result_o.write(job);
  }
}

}  // namespace wrpn::sim
