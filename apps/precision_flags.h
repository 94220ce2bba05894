// The precision flags every command that builds a quantized network takes (`wrpn sim`, `energy`,
// `map`, `workload`, `footprint`): one registration, so their names, defaults and help agree. `wrpn
// train` registers the same first/last names for the widths the trainer trains (apps/cmd_trainer.cpp).
// A sweep config takes the same fields ("axes": wbits/abits, "precision": first/last; dse/).
// check_precision_flags is the command line's one bits rule (NET007), `train` included (docs/cli.md).
#pragma once

#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "common/diagnostics.h"
#include "common/numerics.h"
#include "workloads/network.h"

namespace wrpn {

struct PrecisionFlags {
  int wbits = 4, abits = 4;                                              ///< the body (hidden layers)
  int first_wbits = 0, first_abits = 0, last_wbits = 0, last_abits = 0;  ///< 0 = the policy default

  /// PrecisionPolicy::uniform(wbits, abits) with the first/last flags that were given.
  PrecisionPolicy policy() const {
    PrecisionPolicy p = PrecisionPolicy::uniform(wbits, abits);
    if (first_wbits) p.first_wbits = first_wbits;
    if (first_abits) p.first_abits = first_abits;
    if (last_wbits) p.last_wbits = last_wbits;
    if (last_abits) p.last_abits = last_abits;
    return p;
  }
};

/// The command line's one bits rule (docs/cli.md): a bit width given on the command line is 1..16 or 32
/// (FP32), else NET007 naming the flag, the same diagnostic apply_precision gives, on every command
/// (sim, energy, map, workload, footprint and train). 0 is no value of its own: the first/last flags
/// take it as "the policy default" and are not checked here.
inline void check_bits_flag(const char* flag, int bits) { check_precision_bits(flag, bits); }

/// check_bits_flag on every precision flag of `p` (the first/last ones when given, i.e. not 0).
inline void check_precision_flags(const PrecisionFlags& p) {
  check_bits_flag("--wbits", p.wbits);
  check_bits_flag("--abits", p.abits);
  const std::pair<const char*, int> optional[] = {{"--first-wbits", p.first_wbits},
                                                  {"--first-abits", p.first_abits},
                                                  {"--last-wbits", p.last_wbits},
                                                  {"--last-abits", p.last_abits}};
  for (const auto& [flag, bits] : optional)
    if (bits != 0) check_bits_flag(flag, bits);
}

/// Registers --wbits, --abits, --first-wbits, --first-abits, --last-wbits, --last-abits on `cmd`.
inline void add_precision_flags(CLI::App* cmd, PrecisionFlags& p) {
  cmd->add_option("--wbits", p.wbits,
                  "weight bits of the body (hidden layers): 1 binary, 2 ternary, 3..16 integer, 32 = FP32 (the "
                  "whole network FP32)")
      ->capture_default_str();
  cmd->add_option("--abits", p.abits, "activation bits of the body: 1..16, or 32 = FP32")->capture_default_str();
  cmd->add_option("--first-wbits", p.first_wbits,
                  "weight bits of the first weighted layer (default: 8 when quantized, else 32)");
  cmd->add_option("--first-abits", p.first_abits,
                  "input code bits of the first weighted layer, i.e. the pixels (default: 8 when quantized, else 32)");
  cmd->add_option("--last-wbits", p.last_wbits,
                  "weight bits of the last weighted layer (default: 8 when quantized, else 32)");
  cmd->add_option("--last-abits", p.last_abits, "input activation bits of the last weighted layer (default: --abits)");
}

}  // namespace wrpn
