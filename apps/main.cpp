// `wrpn`: the command-line front end. Parses, dispatches, and maps errors to exit codes:
//   0 ok, 1 a check failed (mismatch), 2 bad command line, 3 bad input file or value,
//   4 internal inconsistency, 130 interrupted (finished work is kept).
#include <cstdio>
#include <exception>

#include "apps/commands.h"
#include "common/diagnostics.h"
#include "common/run_manifest.h"

int main(int argc, char** argv) {
  wrpn::set_command_line(argc, argv);
  CLI::App app{
      "wrpn: what does a wide, reduced-precision network cost on an ASIC, against its FP32 original?\n"
      "Trains WRPN networks on Fashion-MNIST, simulates them on a cycle-level SystemC accelerator,\n"
      "cross-checks against Verilated RTL and prices energy and area.\n\n"
      "Exit codes: 0 ok, 1 a check or comparison failed, 2 bad command line, 3 bad input\n"
      "(config, trace, dataset, value), 4 internal inconsistency, 130 interrupted.",
      "wrpn"};
  app.require_subcommand(1);
  app.fallthrough();
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks that print throughput figures");
  bench->require_subcommand(1);
  app.footer("Example: wrpn workload --network lenet --width 2 (conventions: docs/cli.md)");
  bench->footer("Example: wrpn bench map");
  wrpn::CommandGroups groups{app, *bench};
  wrpn::register_core_commands(groups);
  wrpn::register_workload_commands(groups);
  wrpn::register_energy_commands(groups);
  wrpn::register_trainer_commands(groups);
  wrpn::register_sim_commands(groups);
  wrpn::register_rtl_commands(groups);
  wrpn::register_dse_commands(groups);
  wrpn::register_studies_commands(groups);
  wrpn::register_map_commands(groups);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : wrpn::kExitUsage;
  } catch (const wrpn::DiagnosticError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return wrpn::kExitInputError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return wrpn::kExitInternal;
  }
  return groups.exit_code;
}
