// wrpn version, wrpn validate FILE.
#include <cstdio>
#include <filesystem>
#include <map>

#include "apps/commands.h"
#include "common/config.h"
#include "common/diagnostics.h"
#include "common/run_manifest.h"
#include "workloads/trace.h"

namespace wrpn {

static std::map<std::string, Validator>& validators() {
  static std::map<std::string, Validator> m;
  return m;
}

void register_validator(const std::string& kind, Validator v) { validators()[kind] = v; }

static std::string validate_trace(const std::string& path) {
  const Trace t = read_trace(path);
  return "trace v" + std::to_string(t.version) + " of " + t.network + " (" + std::to_string(t.layers.size()) +
         " layers, " + std::to_string(t.images) +
         " images): format, layer chain, shapes, code ranges and checksums ok" +
         (t.version < 2 ? " (a version-1 trace: its trace.json numbers carry no checksum; re-export for one)" : "");
}

void register_core_commands(CommandGroups& g) {
  CLI::App* version = g.root.add_subcommand("version", "Print versions of wrpn and the tools it was built with");
  version->footer("Example: wrpn version");
  version->callback([] {
    const auto v = build_versions();
    for (auto it = v.begin(); it != v.end(); ++it)
      std::printf("%-13s %s\n", it.key().c_str(), it->get<std::string>().c_str());
  });

  register_validator("trace", validate_trace);
  auto* validate = g.root.add_subcommand(
      "validate", "Check a config file (any kind: arch, tech, train, sweep) or a trace directory without running it");
  static std::string path;
  validate->add_option("FILE", path, "config JSON file or trace directory")->required();
  validate->footer("Example: wrpn validate configs/arch/edge.json");
  validate->callback([] {
    std::string kind;
    std::error_code ec;  // a symlink loop or an unreadable path is reported by the reader below
    if (std::filesystem::is_directory(path, ec)) {
      kind = "trace";
    } else {
      const ConfigDocument doc = ConfigDocument::load(path);
      kind = doc.kind();
      if (kind.empty())
        fail("CFG004", path, "/kind", "missing required key \"kind\"",
             "every config names its kind: arch, tech, train, sweep");
    }
    auto it = validators().find(kind);
    if (it == validators().end()) {
      std::string known;
      for (const auto& [k, _] : validators()) known += (known.empty() ? "" : ", ") + k;
      fail("CFG005", path, "/kind", "unknown config kind \"" + kind + "\"", "known kinds: " + known);
    }
    std::printf("%s: ok: %s\n", path.c_str(), it->second(path).c_str());
  });
}

}  // namespace wrpn
