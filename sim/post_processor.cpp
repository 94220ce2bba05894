#include "sim/post_processor.h"

#include <algorithm>

namespace wrpn::sim {

PostProcessor::PostProcessor(sc_core::sc_module_name name, SimContext& ctx)
    : sc_module(name), result_i("result_i"), job_i("job_i"), done_o("done_o"), busy_o("busy_o"), ctx_(ctx) {
  SC_HAS_PROCESS(PostProcessor);
  SC_THREAD(process_thread);
}

void PostProcessor::compare(const LayerPlan& p, const char* what, int64_t index, int64_t expected, int64_t got,
                            int64_t pixel, int64_t channel_in_group, int64_t group) {
  LayerResult& r = ctx_.results[static_cast<size_t>(p.index)];
  ++r.outputs_checked;
  if (expected == got) return;
  ++r.mismatches;
  ++ctx_.mismatches;
  if (ctx_.first_mismatch.empty())
    ctx_.first_mismatch = std::string(what) + " of " + describe_element(p, pixel, channel_in_group, group, -1) +
                          " (flat index " + std::to_string(index) + "): trace expects " + std::to_string(expected) +
                          ", simulator computed " + std::to_string(got);
}

void PostProcessor::finish_tile(const ArrayJob& job) {
  const Step& s = *job.step;
  if (!job.ops || !s.last_l) return;
  const LayerPlan& p = *job.plan;
  const TraceLayer& t = ctx_.trace->layers[static_cast<size_t>(p.index)];
  const Layer& l = p.layer;
  const int64_t per_image = l.out_h() * l.out_w();
  const std::vector<int64_t>& acc = *job.ops->acc;
  for (int64_t i = 0; i < s.m_len; ++i) {
    const int64_t m = s.m0 + i, n = m / per_image, pix = m % per_image;
    for (int64_t j = 0; j < s.n_len; ++j) {
      const int64_t k = s.group * p.k_per_group + s.n0 + j;
      const int64_t idx = (n * l.k + k) * per_image + pix;
      const int64_t a = acc[static_cast<size_t>(i * s.n_len + j)];
      if (!t.expected_acc.empty())
        compare(p, "accumulator", idx, t.expected_acc[static_cast<size_t>(idx)], a, m, s.n0 + j, s.group);
      const RequantParams& rq = t.requant[static_cast<size_t>(k)];
      const int64_t out = l.abits_out == kFp32Bits ? requantize_logit(a, rq) : requantize(a, rq, l.abits_out);
      compare(p, "output", idx, t.expected_output[static_cast<size_t>(idx)], out, m, s.n0 + j, s.group);
    }
  }
}

void PostProcessor::run_chunk(const ArrayJob& job) {
  const Step& s = *job.step;
  const LayerPlan& p = *job.plan;
  if (job.ops) {
    const TraceLayer& t = ctx_.trace->layers[static_cast<size_t>(p.index)];
    const Layer& l = p.layer;
    const int64_t oh_n = l.out_h(), ow_n = l.out_w(), per_image = oh_n * ow_n;
    for (int64_t plane = s.n0; plane < s.n0 + s.n_len; ++plane) {
      const int64_t n = plane / l.c, c = plane % l.c;
      const int32_t* in = t.input.data() + plane * l.h * l.w;
      for (int64_t oh = 0; oh < oh_n; ++oh) {
        for (int64_t ow = 0; ow < ow_n; ++ow) {
          int64_t out = 0;
          if (l.op == LayerOp::add) {
            const int64_t i = oh * l.w + ow;
            out = add_codes(in[i], t.input_b[static_cast<size_t>(plane * l.h * l.w + i)], l.abits_out);
          } else {
            int64_t sum = 0, mx = 0;
            for (int64_t r = 0; r < l.r; ++r) {
              for (int64_t q = 0; q < l.s; ++q) {
                const int64_t ih = oh * l.stride - l.pad + r, iw = ow * l.stride - l.pad + q;
                if (ih < 0 || iw < 0 || ih >= l.h || iw >= l.w) continue;  // padding: 0 for avg, ignored for max
                const int32_t v = in[ih * l.w + iw];
                sum += v;
                mx = std::max<int64_t>(mx, v);
              }
            }
            out = l.op == LayerOp::maxpool ? mx : avgpool_code(sum, l.r * l.s);
          }
          const int64_t idx = (n * l.k + c) * per_image + oh * ow_n + ow;
          compare(p, "output", idx, t.expected_output[static_cast<size_t>(idx)], out, n * per_image + oh * ow_n + ow, c,
                  0);
        }
      }
    }
  }
  ctx_.wait_cycles(s.compute_cycles);
}

void PostProcessor::process_thread() {
  for (;;) {
    if (result_i.num_available() == 0 && job_i.num_available() == 0)
      sc_core::wait(result_i.data_written_event() | job_i.data_written_event());
    ArrayJob job;
    busy_o.write(true);
    if (result_i.nb_read(job))
      finish_tile(job);
    else if (job_i.nb_read(job))
      run_chunk(job);
    else
      continue;
    busy_o.write(false);
    done_o.write(job);
  }
}

}  // namespace wrpn::sim
