// Commands of the rtl component: `wrpn verify` (Verilated RTL cross-checks) and `wrpn synth`
// (Yosys cell counts and area per variant). Parsing only; the work is in rtl/harness/.
// Built without RTL (-DWRPN_BUILD_RTL=OFF), both commands exist and say so.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "common/diagnostics.h"
#include "common/numerics.h"

#ifdef WRPN_HAVE_RTL
#include "rtl/harness/synth.h"
#include "rtl/harness/verify.h"
#endif

namespace wrpn {

namespace {

struct VerifyCli {
  uint64_t seed = 20261124;
  int64_t vectors = 200000;
  int64_t tiles = 1000;
  std::vector<std::string> units;
  std::string trace;
  int64_t trace_rows = 64;
  std::string vcd;
  bool list = false;
};

struct BenchCli {
  std::string unit = "mac_array_16x16_a8w8";
  uint64_t cycles = 200000;
  uint64_t seed = 1;
};

struct SynthCli {
  std::vector<std::string> variants;
  std::vector<int> widths;
  int acc_width = 0;  ///< 0 = each variant's width-sweep accumulator
  std::string out;
  bool force = false;
  bool list = false;
  bool skip_slow = false;
  bool all = false;
};

#ifdef WRPN_HAVE_RTL

bool matches(const std::vector<std::string>& prefixes, const std::string& id) {
  if (prefixes.empty()) return true;
  for (const auto& p : prefixes)
    if (id.compare(0, p.size(), p) == 0) return true;
  return false;
}

/// Returns the exit code: 0 when every check passed, 1 on a mismatch.
int run_verify_cmd(const VerifyCli& c) {
  if (c.list) {
    for (const auto& n : rtl::verify_unit_names()) std::printf("%s\n", n.c_str());
    return 0;
  }
  if (c.vectors < 1)
    fail("RTL001", "", "--vectors", "expected at least 1 random vector, got " + std::to_string(c.vectors));
  if (c.tiles < 0) fail("RTL001", "", "--tiles", "expected a tile count >= 0, got " + std::to_string(c.tiles));
  if (c.trace_rows < 0)
    fail("RTL001", "", "--trace-rows", "expected >= 0 (0 = all), got " + std::to_string(c.trace_rows));
  rtl::VerifyOptions o;
  o.seed = c.seed;
  o.random_vectors = c.vectors;
  o.array_tiles = c.tiles;
  o.units = c.units;
  o.trace_dir = c.trace;
  o.trace_rows = c.trace_rows;
  o.vcd_path = c.vcd;
  std::printf("wrpn verify: seed %llu (rerun with --seed %llu)\n", static_cast<unsigned long long>(c.seed),
              static_cast<unsigned long long>(c.seed));
  std::printf("%s\n", rtl::verify_table_header().c_str());
  std::fflush(stdout);
  const rtl::VerifyReport rep = rtl::run_verify(o, [](const rtl::CheckRow& r) {
    std::printf("%s\n", rtl::format_verify_row(r).c_str());
    std::fflush(stdout);
  });
  uint64_t vectors = 0, cycles = 0, bad = 0;
  for (const auto& r : rep.rows) {
    vectors += r.vectors;
    cycles += r.cycles;
    bad += r.mismatches;
  }
  std::printf(
      "total: %zu checks, %llu vectors/tiles, %llu RTL cycles, %.2f s; arrays compared against %s\n", rep.rows.size(),
      static_cast<unsigned long long>(vectors), static_cast<unsigned long long>(cycles), rep.seconds,
      rep.sim_reference ? "the common/ reference and the sim tile engine step_tile (accumulators, overflow, cycles)"
                        : "the common/ reference and the 2R+C+stream-2 cycle formula (sim not built)");
  if (!c.vcd.empty()) std::printf("waveforms: %s (one file per unit when several ran)\n", c.vcd.c_str());
  if (bad == 0) {
    std::printf("verify: PASS\n");
    return 0;
  }
  std::printf("verify: FAIL, %llu mismatches\n", static_cast<unsigned long long>(bad));
  for (const auto& r : rep.rows)
    if (!r.first_mismatch.empty()) std::printf("first mismatch: %s\n", r.first_mismatch.c_str());
  std::fflush(stdout);
  return kExitCheckFailed;
}

void run_bench_cmd(const BenchCli& c) {
  const rtl::ArrayRate r = rtl::bench_array_rate(c.unit, c.cycles, c.seed);
  std::printf(
      "%s: %llu cycles in %.3f s wall (%.3f s CPU) = %.0f cycles/s wall, %.0f cycles per CPU second "
      "(K = 64 tiles back to back, no reference in the loop)\n",
      r.unit.c_str(), static_cast<unsigned long long>(r.cycles), r.seconds, r.cpu_seconds, r.cycles_per_second(),
      r.cycles_per_cpu_second());
}

void run_synth_cmd(const SynthCli& c) {
  if (c.all && (!c.variants.empty() || !c.widths.empty() || c.skip_slow))
    fail("RTL001", "", "--all",
         "--all selects every variant; it cannot be combined with --variant, --width or --skip-slow",
         "drop --all to synthesize a selection");
  if (c.acc_width != 0 && (c.acc_width < 2 || c.acc_width > kMaxAccBits))
    fail("RTL001", "", "--acc-width", "expected an accumulator width in [2, 48], got " + std::to_string(c.acc_width),
         "the accumulator a design point uses: `wrpn energy` or `wrpn sim` prints it");
  std::vector<rtl::SynthVariant> todo;
  for (const auto& v : rtl::synth_variants()) {
    if (!matches(c.variants, v.id)) continue;
    bool width_ok = c.widths.empty();
    for (int w : c.widths) width_ok = width_ok || w == v.width;
    if (!width_ok) continue;
    if (c.skip_slow && v.slow) continue;
    todo.push_back(c.acc_width > 0 ? rtl::at_acc_width(v, c.acc_width) : v);
  }
  if (c.list) {
    for (const auto& v : todo)
      std::printf("%-30s width %2d  abc %-4s%s\n", v.id.c_str(), v.width, v.fast_abc ? "fast" : "full",
                  v.slow ? "  (slow: kept out of default tests)" : "");
    return;
  }
  if (todo.empty())
    fail("RTL001", "", "--variant", "no synthesis variant matches the selection", "wrpn synth --list shows them");
  rtl::SynthOptions o;
  o.out_dir = c.out;
  o.force = c.force;
  std::printf("wrpn synth: cache %s\n%s\n", (o.out_dir.empty() ? rtl::default_synth_dir() : o.out_dir).c_str(),
              rtl::synth_table_header().c_str());
  std::fflush(stdout);
  for (const auto& v : todo) {
    bool cached = false;
    const nlohmann::json j = rtl::synthesize(v, o, &cached);
    std::printf("%s\n", rtl::format_synth_row(j, cached).c_str());
    std::fflush(stdout);
  }
}

#else

[[noreturn]] void no_rtl(const char* what) {
  fail("RTL000", "", what,
       std::string("this wrpn was built without RTL support (-DWRPN_BUILD_RTL=OFF), so `wrpn ") + what +
           "` is not available",
       "reconfigure with -DWRPN_BUILD_RTL=ON (needs verilator and yosys: scripts/install-deps.sh)");
}
int run_verify_cmd(const VerifyCli&) { no_rtl("verify"); }
void run_synth_cmd(const SynthCli&) { no_rtl("synth"); }
void run_bench_cmd(const BenchCli&) { no_rtl("bench rtl"); }

#endif

}  // namespace

void register_rtl_commands(CommandGroups& g) {
  static VerifyCli vc;
  CLI::App* v = g.root.add_subcommand(
      "verify",
      "Cross-check the Verilated RTL (rtl/src) against the reference models: every MAC variant (k-bit integer, "
      "ternary, binary XNOR-popcount, FP32) against common/numerics.h, exhaustive over all operand pairs up to 8 "
      "bits and seeded random plus edge cases above, in both accumulator modes with forced overflow; every array "
      "tile, output stationary (mac_array) and weight stationary (mac_array_ws) for every PE type (int, ternary, "
      "64-lane binary, FP32), against common/ and the SystemC model's tile engine (identical accumulators, overflow "
      "flag and cycle counts, first operand in to last result out) on ragged, full, partial-sum and split-reduction "
      "tiles plus random tiles. "
      "Prints a table (unit, widths, vectors, mismatches, cycles) and exits 1 with the first mismatch (inputs, "
      "expected, got, seed) on any difference.");
  v->add_option("--seed", vc.seed, "Seed of every random stream (printed; pinned default)")->capture_default_str();
  v->add_option("--unit", vc.units, "Run only these units (name or prefix; repeatable, see --list)");
  v->add_option("--vectors", vc.vectors, "Random vectors per pass for units wider than 8 bits and FP32")
      ->capture_default_str();
  v->add_option("--tiles", vc.tiles, "Random tiles per array model (the 16x16 tile's speed target is 1000)")
      ->capture_default_str();
  v->add_option("--trace", vc.trace,
                "Replay the conv/fc layers of this trainer trace directory through the largest integer array of each "
                "dataflow (im2col GEMMs with a split reduction) and compare with the references and the trace's "
                "accumulators");
  v->add_option("--trace-rows", vc.trace_rows, "Output pixels replayed per trace layer (0 = all)")
      ->capture_default_str();
  v->add_option("--vcd", vc.vcd, "Write a VCD waveform (with several units: FILE-<unit>.vcd each; use --unit)");
  v->add_flag("--list", vc.list, "List the unit names and exit");
  v->footer("Example: wrpn verify --unit mac_unit_a4w4");
  v->callback([&g] { g.exit_code = run_verify_cmd(vc); });

  static BenchCli bc;
  CLI::App* b = g.bench.add_subcommand(
      "rtl",
      "Verilator simulation rate of an integer output-stationary array model: cycles per second with random full "
      "tiles driven back to back and no reference model in the loop");
  b->add_option("--unit", bc.unit, "Array model (see wrpn verify --list)")->capture_default_str();
  b->add_option("--cycles", bc.cycles, "Clock cycles to simulate (at least)")->capture_default_str();
  b->add_option("--seed", bc.seed, "Operand seed")->capture_default_str();
  b->footer("Example: wrpn bench rtl --cycles 100000");
  b->callback([] { run_bench_cmd(bc); });

  static SynthCli sc;
  CLI::App* s = g.root.add_subcommand(
      "synth",
      "Synthesize the MAC and PE variants (integer PEs at every (w, a) of the paper tables and the default sweep, "
      "ternary, binary, FP32; the width sweep's accumulators hold a 4096-term dot product, --acc-width gives a "
      "design point's) with Yosys "
      "(rtl/synth/flow.ys.in: generic 2-input gates and muxes) and report cells, flip-flops, an area estimate "
      "(rtl/synth/cell_area.json: Nangate 45 nm X1 cell areas) and a transistor estimate (Yosys stat -tech cmos plus "
      "flip-flops). Results are cached as one JSON per variant in results/synth/ (schema in rtl/README.md) and reused "
      "while the RTL, flow, cell table and Yosys version are unchanged. Only the 64-lane binary and FP32 variants use "
      "abc -fast (their full flow does not fit in 10 minutes here; each result records why); the FP32 PE takes about "
      "two minutes of wall time on a loaded machine.");
  s->add_option("--variant", sc.variants, "Only variants whose id starts with this (repeatable, see --list)");
  s->add_option("--width", sc.widths, "Only these nominal widths (1, 2, 4, 8, 16; 32 = FP32; repeatable)");
  s->add_option("--acc-width", sc.acc_width,
                "Synthesize the selected variants at this accumulator width (the one a design point uses: `wrpn "
                "energy`, `wrpn sim` and `wrpn sweep` report it; docs/design-points.md); ids end in _acc<N>");
  s->add_option("--out", sc.out, "Cache directory (default: results/synth in the source tree)");
  s->add_flag("--force", sc.force, "Resynthesize even if the cached result is current");
  s->add_flag("--skip-slow", sc.skip_slow, "Leave out the slow variants (16-bit, FP32, 64-lane binary)");
  s->add_flag("--list", sc.list, "List the selected variants and exit");
  s->add_flag("--all", sc.all,
              "Every variant, the slow ones included: refreshes the whole cache (stale results are resynthesized, "
              "current ones reused; add --force to redo them all)");
  s->footer("Example: wrpn synth --list");
  s->callback([] { run_synth_cmd(sc); });
}

}  // namespace wrpn
