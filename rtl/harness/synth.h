// `wrpn synth`: synthesizes rtl/ variants with Yosys (rtl/synth/flow.ys.in) to generic 2-input
// gates and caches one JSON per variant (schema in rtl/README.md) under results/synth/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wrpn::rtl {

/// One parameter set of one top module.
struct SynthVariant {
  std::string id;    ///< file stem in results/synth/, e.g. mac_unit_a4w4_acc22
  std::string top;   ///< mac_unit, mac_ternary, mac_binary, mac_fp32, pe
  std::string kind;  ///< int, ternary, binary, fp32
  int width_a = 0, width_w = 0, lanes = 1, acc_width = 0;
  std::string acc_rule;             ///< why acc_width (recorded in the result)
  int width = 0;                    ///< the nominal bit width k of the sweep (1, 2, 4, 8, 16; 32 for FP32)
  bool fast_abc = false;            ///< use `abc -fast` (16-bit, 64-lane binary, FP32: full ABC takes minutes)
  bool slow = false;                ///< wide variants kept out of the default tests (label slow)
  std::string flow = "flow.ys.in";  ///< script in rtl/synth/ (mac_fp32: flow_light.ys.in)
};

/// Accumulator width of the width sweep's variants: no overflow for a dot product of 4096 terms
/// (common acc_bits_for_fan_in), capped at 48. A design point's PE is synthesized at its own
/// accumulator instead (at_acc_width, `wrpn synth --acc-width`).
int synth_acc_width(int width_a, int width_w);

/// The variant with accumulator `acc_width` (id suffix _acc<N>): the accumulator a design point
/// uses (mapping/design_point.h). FP32 variants are returned unchanged.
SynthVariant at_acc_width(SynthVariant v, int acc_width);

/// The variants of the width sweep 1, 2, 4, 8, 16 plus FP32 (see rtl/README.md for the list).
std::vector<SynthVariant> synth_variants();

struct SynthOptions {
  std::string out_dir;   ///< cache directory (default: <source>/results/synth)
  bool force = false;    ///< resynthesize even when the cache is current
  std::string work_dir;  ///< scratch for scripts and logs (default: a temp directory)
};

/// Cached result if `<out_dir>/<id>.json` exists and its rtl_sha256 matches the current sources,
/// flow and Yosys version; else runs Yosys, writes the JSON atomically and returns it. Throws
/// DiagnosticError (RTL002) when Yosys fails (its log is quoted) or is not installed.
nlohmann::json synthesize(const SynthVariant& v, const SynthOptions& o, bool* from_cache = nullptr);

/// Hash of everything a result depends on: the RTL sources, the flow, the cell table, the Yosys
/// version and the variant's parameters.
std::string synth_key(const SynthVariant& v);

std::string default_synth_dir();
std::string synth_table_header();
std::string format_synth_row(const nlohmann::json& result, bool cached);

}  // namespace wrpn::rtl
