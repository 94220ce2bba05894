// Strict JSON config reading with compiler-style diagnostics (docs/architecture.md section 5).
//
// Every config file has "kind" and "version"; unknown keys are errors; every getter names the
// file and JSON pointer of what it reads. A config struct's from_json() is the one place its
// defaults live. Diagnostic codes raised here:
//   CFG001 malformed JSON            CFG002 wrong type or out of range
//   CFG003 unknown key               CFG004 missing required key
//   CFG005 wrong kind or version     CFG006 file cannot be read (or is not a regular file)
//   CFG007 duplicate key in one object
// Numbers that overflow a double (1e400) are CFG002 with their pointer.
// Checks across several values belong to each config kind (e.g. ARCH001 in arch_config.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/diagnostics.h"

namespace wrpn {

/// A view over one JSON object inside a config file. Tracks which keys were read so that
/// finish() can reject unknown ones.
class ConfigObject {
 public:
  ConfigObject(const nlohmann::json* node, std::string file, std::string pointer);

  bool has(const std::string& key) const;
  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }
  std::string pointer_of(const std::string& key) const;

  int64_t get_int(const std::string& key, int64_t lo, int64_t hi) const;
  int64_t get_int(const std::string& key, int64_t lo, int64_t hi, int64_t default_value) const;
  /// Unsigned 64-bit integers (seeds): every value in [lo, hi] round-trips exactly.
  uint64_t get_uint(const std::string& key, uint64_t lo, uint64_t hi) const;
  uint64_t get_uint(const std::string& key, uint64_t lo, uint64_t hi, uint64_t default_value) const;
  double get_number(const std::string& key, double lo, double hi) const;
  double get_number(const std::string& key, double lo, double hi, double default_value) const;
  bool get_bool(const std::string& key) const;
  bool get_bool(const std::string& key, bool default_value) const;
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& default_value) const;
  /// A string that must be one of `allowed` (CFG002 lists them otherwise).
  std::string get_enum(const std::string& key, const std::vector<std::string>& allowed) const;
  std::string get_enum(const std::string& key, const std::vector<std::string>& allowed,
                       const std::string& default_value) const;
  std::vector<int64_t> get_int_array(const std::string& key, int64_t lo, int64_t hi, size_t min_size = 1) const;
  std::vector<double> get_number_array(const std::string& key, double lo, double hi, size_t min_size = 1) const;
  std::vector<std::string> get_string_array(const std::string& key, size_t min_size = 1) const;
  ConfigObject get_object(const std::string& key) const;
  std::vector<ConfigObject> get_object_array(const std::string& key, size_t min_size = 1) const;
  /// Raw access for values of free shape; marks the key as read.
  const nlohmann::json& get_raw(const std::string& key) const;

  /// CFG003 on the first key that no getter read.
  void finish() const;

  [[noreturn]] void error(const std::string& key, const std::string& code, const std::string& message,
                          const std::string& hint = {}) const;
  /// Error about element `index` of the array under `key` (pointer ".../key/index").
  [[noreturn]] void error_at(const std::string& key, size_t index, const std::string& code, const std::string& message,
                             const std::string& hint = {}) const;

 private:
  const nlohmann::json& require(const std::string& key) const;
  const nlohmann::json* node_;
  std::string file_;
  std::string pointer_;
  mutable std::set<std::string> read_;
};

/// A parsed config file: owns the JSON and checks "kind"/"version" on load.
class ConfigDocument {
 public:
  /// Reads and parses `path` (CFG006, CFG001). If expected_kind is non-empty, "kind" must equal it
  /// and "version" must be 1 (CFG005).
  static ConfigDocument load(const std::string& path, const std::string& expected_kind = {});
  static ConfigDocument parse(const std::string& text, const std::string& path_for_messages,
                              const std::string& expected_kind = {});
  ConfigObject root() const;
  std::string kind() const;
  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return *json_; }

 private:
  std::shared_ptr<nlohmann::json> json_;
  std::string path_;
};

inline constexpr int kConfigVersion = 1;
/// Largest config file (and trace.json) load() reads: far above any real config.
inline constexpr uint64_t kMaxConfigBytes = uint64_t{64} << 20;

/// Short description of a JSON value for messages: `"64"`, `3.5`, `an object`...
std::string describe_json(const nlohmann::json& v);
/// `text` in double quotes for a one-line message: control characters replaced by '?', and cut
/// after `max_chars` characters with "..." (a 10,000-character value is not echoed whole).
std::string quote_for_message(const std::string& text, size_t max_chars = 40);

}  // namespace wrpn
