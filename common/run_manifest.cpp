#include "common/run_manifest.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <random>

#include "common/sha256.h"
#include "common/version.h"

namespace wrpn {

nlohmann::json build_versions() {
  return {{"wrpn", WRPN_VERSION},
          {"git_revision", WRPN_GIT_REVISION},
          {"systemc", WRPN_SYSTEMC_VERSION},
          {"verilator", WRPN_VERILATOR_VERSION},
          {"yosys", WRPN_YOSYS_VERSION},
          {"compiler", std::string(__VERSION__)}};
}

std::string join_command_line(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos;
    if (!plain) {
      std::string q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      a = q + "'";
    }
    out += (i ? " " : "") + a;
  }
  return out;
}

static std::string& command_line_storage() {
  static std::string s;
  return s;
}
void set_command_line(int argc, const char* const* argv) { command_line_storage() = join_command_line(argc, argv); }
const std::string& command_line() { return command_line_storage(); }

static std::string utc_stamp(const char* fmt) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

nlohmann::json make_manifest(const std::string& command, uint64_t seed, const nlohmann::json& effective_config) {
  return {
      {"command", command}, {"command_line", command_line()}, {"created_utc", utc_stamp("%Y-%m-%dT%H:%M:%SZ")},
      {"seed", seed},       {"versions", build_versions()},   {"config_sha256", sha256_hex(effective_config.dump())}};
}

std::string new_run_id(const std::string& command) {
  std::mt19937 gen(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
  char hex[8];
  std::snprintf(hex, sizeof hex, "%04x", static_cast<unsigned>(gen() & 0xffff));
  return utc_stamp("%Y%m%d-%H%M%S") + "-" + command + "-" + hex;
}

}  // namespace wrpn
