// Registration of the `wrpn` subcommands. apps/ only parses and dispatches: every command's work
// lives in its component's library. Each component owns one cmd_<component>.cpp here.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace wrpn {

/// Parent commands shared by several components.
struct CommandGroups {
  CLI::App& root;
  CLI::App& bench;    ///< `wrpn bench <what>`: benchmarks that print figures
  int exit_code = 0;  ///< a command that ends with a non-zero status (no exception) sets it here
};

void register_core_commands(CommandGroups& g);      // cmd_core.cpp: version, validate
void register_workload_commands(CommandGroups& g);  // cmd_workloads.cpp: workload, footprint
void register_energy_commands(CommandGroups& g);    // cmd_energy.cpp: energy
void register_trainer_commands(CommandGroups& g);   // cmd_trainer.cpp: train, trace, infer, bench train
void register_sim_commands(CommandGroups& g);       // cmd_sim.cpp: sim, bench sim
void register_rtl_commands(CommandGroups& g);       // cmd_rtl.cpp: verify, synth
void register_dse_commands(CommandGroups& g);       // cmd_dse.cpp: sweep (and its workers)
void register_studies_commands(CommandGroups& g);   // cmd_studies.cpp: paper, demo
void register_map_commands(CommandGroups& g);       // cmd_map.cpp: map, bench map

/// `wrpn validate FILE` dispatch: validators by config "kind" (and "trace" for trace dirs).
/// Each returns a one-line summary of what was checked, or throws DiagnosticError.
using Validator = std::string (*)(const std::string& path);
void register_validator(const std::string& kind, Validator v);

}  // namespace wrpn
