#include "sim/report.h"

#include <filesystem>

#include <cstdarg>
#include <cstdio>

#include "common/atomic_file.h"
#include "common/plot.h"

namespace wrpn::sim {

namespace {

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

unsigned long long u(uint64_t v) { return static_cast<unsigned long long>(v); }

}  // namespace

std::string run_title(const SimResult& r, const std::string& workload) {
  return fmt("%s, arch %s (%dx%d %s, PE W%dA%d)", (workload.empty() ? r.workload : workload).c_str(),
             r.arch.name.c_str(), r.arch.rows, r.arch.cols, to_string(r.arch.dataflow), r.arch.pe_wbits,
             r.arch.pe_abits);
}

std::string format_table(const SimResult& r) {
  std::string s =
      fmt("%s on arch \"%s\" (%dx%d %s, PE %s W%dA%d, acc %d bits), %s mode\n", r.workload.c_str(), r.arch.name.c_str(),
          r.arch.rows, r.arch.cols, to_string(r.arch.dataflow), to_string(r.arch.pe_type), r.arch.pe_wbits,
          r.arch.pe_abits, r.arch.acc_bits, r.functional ? "functional" : "timing-only");
  s += fmt("%-22s %-7s %14s %14s %12s %12s %12s %12s %6s %14s %12s %12s  %s\n", "layer", "op", "cycles", "compute",
           "stall_dramW", "stall_dramI", "stall_dramO", "stall_ports", "util", "macs", "dram_rd_B", "dram_wr_B",
           "tile m/n/l order");
  auto line = [&](const std::string& name, const std::string& op, uint64_t cycles, uint64_t compute,
                  const StallCycles& st, double util, uint64_t macs, uint64_t rd, uint64_t wr,
                  const std::string& tiling) {
    s += fmt("%-22s %-7s %14llu %14llu %12llu %12llu %12llu %12llu %5.1f%% %14llu %12llu %12llu  %s\n", name.c_str(),
             op.c_str(), u(cycles), u(compute), u(st.dram_weights), u(st.dram_inputs), u(st.dram_outputs),
             u(st.buffer_ports), 100.0 * util, u(macs), u(rd), u(wr), tiling.c_str());
  };
  for (const LayerResult& l : r.layers)
    line(l.name, l.op, l.cycles, l.compute_cycles, l.stalls, l.utilization, l.counts.macs, l.counts.dram_read_bytes,
         l.counts.dram_write_bytes,
         fmt("%lld/%lld/%lld %s%s", static_cast<long long>(l.tm), static_cast<long long>(l.tn),
             static_cast<long long>(l.tl), l.loop_order.c_str(),
             l.passes > 1 ? fmt(" x%d passes", l.passes).c_str() : ""));
  const double pes = static_cast<double>(r.arch.rows) * r.arch.cols;
  line("total", "", r.cycles, r.compute_cycles, r.stalls,
       r.cycles ? static_cast<double>(r.total.pe_active_cycles) / (pes * static_cast<double>(r.cycles)) : 0.0,
       r.total.macs, r.total.dram_read_bytes, r.total.dram_write_bytes, "");
  s += fmt("time at %.0f MHz: %.6f ms; stalls %.1f%% of cycles\n", r.arch.clock_mhz, r.total.time_s() * 1e3,
           r.cycles ? 100.0 * static_cast<double>(r.stalls.total()) / static_cast<double>(r.cycles) : 0.0);
  if (r.functional) {
    if (r.mismatches == 0)
      s += fmt("functional check: all %llu outputs match the trace bit-exactly\n", u(r.outputs_checked));
    else
      s += fmt("functional check: %llu of %llu values DIFFER; first: %s\n", u(r.mismatches), u(r.outputs_checked),
               r.first_mismatch.c_str());
  }
  s += fmt("host: %.3f s wall / %.3f s CPU in the SystemC kernel, %.3g simulated cycles/s, %.3g MACs/s (per CPU s)\n",
           r.wall_seconds, r.cpu_seconds, r.cpu_seconds > 0 ? static_cast<double>(r.cycles) / r.cpu_seconds : 0.0,
           r.cpu_seconds > 0 ? static_cast<double>(r.total.macs) / r.cpu_seconds : 0.0);
  return s;
}

std::vector<std::string> write_report_md(const SimResult& r, const std::string& dir, const std::string& extra_markdown,
                                         const std::string& workload) {
  namespace fs = std::filesystem;
  const bool has_energy = fs::exists(fs::path(dir) / "energy_components.csv");
  // Plots from common/plots/ templates; the title names the run so a copied PNG is not anonymous.
  const std::string run = run_title(r, workload);
  std::vector<PlotSpec> specs{{"sim_cycles_per_layer",
                               {{"TITLE", "Cycles per layer by cause\n" + run},
                                {"XLABEL", "layer"},
                                {"YLABEL", "cycles per run (log scale)"}}}};
  if (has_energy)
    specs.push_back({"sim_energy_breakdown",
                     {{"TITLE", "Energy by component\n" + run},
                      {"XLABEL", "component"},
                      {"YLABEL", "energy per run (µJ, log scale)"}}});
  std::string error;
  std::vector<std::string> plots;
  std::string md = "# wrpn sim\n\n```\n" + format_table(r) + "```\n\n" + extra_markdown +
                   "Data: layers.csv (per layer and total), summary.json (with each layer's action counts)" +
                   (has_energy ? std::string(", energy.json, energy_components.csv") : std::string()) +
                   ". Model: docs/sim-model.md.\n\n";
  if (draw_plots(specs, dir, &error)) {
    plots.push_back("cycles_per_layer.png");
    md += "![cycles per layer](cycles_per_layer.png)\n\n";
    if (has_energy) {
      plots.push_back("energy_breakdown.png");
      md += "![energy by component](energy_breakdown.png)\n";
    }
  } else {
    md += "Plots not drawn: " + error + "\n";
  }
  write_file_atomic((fs::path(dir) / "report.md").string(), md);
  return plots;
}

}  // namespace wrpn::sim
