// Run directories results/runs/<id>/ and their manifest.json (docs/architecture.md section 9).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wrpn {

/// Versions of the project and the tools it was built with, as JSON.
nlohmann::json build_versions();

/// The command line as one shell-quoted string.
std::string join_command_line(int argc, const char* const* argv);
/// Set once by main() so that every manifest records the real command line.
void set_command_line(int argc, const char* const* argv);
const std::string& command_line();

/// manifest.json contents: versions, git revision, seed, command line, and the SHA-256 of the
/// effective config (its canonical dump).
nlohmann::json make_manifest(const std::string& command, uint64_t seed, const nlohmann::json& effective_config);

/// A fresh run id "<UTC yyyymmdd-hhmmss>-<command>-<4 hex>".
std::string new_run_id(const std::string& command);

}  // namespace wrpn
