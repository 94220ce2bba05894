#include "common/config.h"

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

namespace wrpn {

std::string describe_json(const nlohmann::json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_null()) return "null";
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

static std::string range_text(double lo, double hi) {
  std::ostringstream os;
  os << "[" << lo << ", " << hi << "]";
  return os.str();
}

ConfigObject::ConfigObject(const nlohmann::json* node, std::string file, std::string pointer)
    : node_(node), file_(std::move(file)), pointer_(std::move(pointer)) {}

bool ConfigObject::has(const std::string& key) const { return node_->contains(key); }

std::string ConfigObject::pointer_of(const std::string& key) const { return pointer_ + "/" + json_pointer_token(key); }

void ConfigObject::error(const std::string& key, const std::string& code, const std::string& message,
                         const std::string& hint) const {
  fail(code, file_, key.empty() ? (pointer_.empty() ? "/" : pointer_) : pointer_of(key), message, hint);
}

void ConfigObject::error_at(const std::string& key, size_t index, const std::string& code, const std::string& message,
                            const std::string& hint) const {
  fail(code, file_, pointer_of(key) + "/" + std::to_string(index), message, hint);
}

const nlohmann::json& ConfigObject::require(const std::string& key) const {
  read_.insert(key);
  auto it = node_->find(key);
  if (it == node_->end()) error(key, "CFG004", "missing required key \"" + key + "\"");
  return *it;
}

const nlohmann::json& ConfigObject::get_raw(const std::string& key) const { return require(key); }

int64_t ConfigObject::get_int(const std::string& key, int64_t lo, int64_t hi) const {
  const auto& v = require(key);
  const std::string expect = "expected integer in " + range_text(static_cast<double>(lo), static_cast<double>(hi));
  if (!v.is_number_integer()) {
    error(key, "CFG002", expect + ", got " + describe_json(v),
          v.is_string() ? "sizes and counts are plain integers; the unit is in the key name" : "");
  }
  const int64_t x =
      v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : v.get<int64_t>();
  if (x < lo || x > hi) error(key, "CFG002", expect + ", got " + describe_json(v));
  return x;
}

int64_t ConfigObject::get_int(const std::string& key, int64_t lo, int64_t hi, int64_t default_value) const {
  read_.insert(key);
  return has(key) ? get_int(key, lo, hi) : default_value;
}

double ConfigObject::get_number(const std::string& key, double lo, double hi) const {
  const auto& v = require(key);
  const std::string expect = "expected number in " + range_text(lo, hi);
  if (!v.is_number()) error(key, "CFG002", expect + ", got " + describe_json(v));
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) error(key, "CFG002", expect + ", got " + describe_json(v));
  return x;
}

double ConfigObject::get_number(const std::string& key, double lo, double hi, double default_value) const {
  read_.insert(key);
  return has(key) ? get_number(key, lo, hi) : default_value;
}

bool ConfigObject::get_bool(const std::string& key) const {
  const auto& v = require(key);
  if (!v.is_boolean()) error(key, "CFG002", "expected true or false, got " + describe_json(v));
  return v.get<bool>();
}

bool ConfigObject::get_bool(const std::string& key, bool default_value) const {
  read_.insert(key);
  return has(key) ? get_bool(key) : default_value;
}

std::string ConfigObject::get_string(const std::string& key) const {
  const auto& v = require(key);
  if (!v.is_string()) error(key, "CFG002", "expected string, got " + describe_json(v));
  return v.get<std::string>();
}

std::string ConfigObject::get_string(const std::string& key, const std::string& default_value) const {
  read_.insert(key);
  return has(key) ? get_string(key) : default_value;
}

std::string ConfigObject::get_enum(const std::string& key, const std::vector<std::string>& allowed) const {
  const std::string s = get_string(key);
  for (const auto& a : allowed)
    if (a == s) return s;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
  error(key, "CFG002", "expected one of " + list + ", got \"" + s + "\"");
}

std::string ConfigObject::get_enum(const std::string& key, const std::vector<std::string>& allowed,
                                   const std::string& default_value) const {
  read_.insert(key);
  return has(key) ? get_enum(key, allowed) : default_value;
}

template <typename T, typename Check>
static std::vector<T> read_array(const ConfigObject& obj, const nlohmann::json& v, const std::string& key,
                                 size_t min_size, const std::string& what, Check check) {
  if (!v.is_array()) obj.error(key, "CFG002", "expected array of " + what + ", got " + describe_json(v));
  if (v.size() < min_size)
    obj.error(key, "CFG002",
              "expected at least " + std::to_string(min_size) + " element(s), got " + std::to_string(v.size()));
  std::vector<T> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(check(v[i], i));
  return out;
}

std::vector<int64_t> ConfigObject::get_int_array(const std::string& key, int64_t lo, int64_t hi,
                                                 size_t min_size) const {
  const auto& v = require(key);
  return read_array<int64_t>(*this, v, key, min_size, "integers", [&](const nlohmann::json& e, size_t i) {
    if (!e.is_number_integer() || e.get<int64_t>() < lo || e.get<int64_t>() > hi)
      error_at(key, i, "CFG002",
               "expected integer in " + range_text(static_cast<double>(lo), static_cast<double>(hi)) + ", got " +
                   describe_json(e));
    return e.get<int64_t>();
  });
}

std::vector<double> ConfigObject::get_number_array(const std::string& key, double lo, double hi,
                                                   size_t min_size) const {
  const auto& v = require(key);
  return read_array<double>(*this, v, key, min_size, "numbers", [&](const nlohmann::json& e, size_t i) {
    if (!e.is_number() || e.get<double>() < lo || e.get<double>() > hi)
      error_at(key, i, "CFG002", "expected number in " + range_text(lo, hi) + ", got " + describe_json(e));
    return e.get<double>();
  });
}

std::vector<std::string> ConfigObject::get_string_array(const std::string& key, size_t min_size) const {
  const auto& v = require(key);
  return read_array<std::string>(*this, v, key, min_size, "strings", [&](const nlohmann::json& e, size_t i) {
    if (!e.is_string()) error_at(key, i, "CFG002", "expected string, got " + describe_json(e));
    return e.get<std::string>();
  });
}

ConfigObject ConfigObject::get_object(const std::string& key) const {
  const auto& v = require(key);
  if (!v.is_object()) error(key, "CFG002", "expected object, got " + describe_json(v));
  return ConfigObject(&v, file_, pointer_of(key));
}

std::vector<ConfigObject> ConfigObject::get_object_array(const std::string& key, size_t min_size) const {
  const auto& v = require(key);
  if (!v.is_array()) error(key, "CFG002", "expected array of objects, got " + describe_json(v));
  if (v.size() < min_size)
    error(key, "CFG002",
          "expected at least " + std::to_string(min_size) + " element(s), got " + std::to_string(v.size()));
  std::vector<ConfigObject> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_object()) error_at(key, i, "CFG002", "expected object, got " + describe_json(v[i]));
    out.emplace_back(&v[i], file_, pointer_of(key) + "/" + std::to_string(i));
  }
  return out;
}

void ConfigObject::finish() const {
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    if (!read_.count(it.key())) {
      std::string known;
      for (const auto& k : read_) known += (known.empty() ? "" : ", ") + k;
      error(it.key(), "CFG003", "unknown key \"" + it.key() + "\"",
            known.empty() ? std::string() : "known keys here: " + known);
    }
  }
}

ConfigDocument ConfigDocument::load(const std::string& path, const std::string& expected_kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("CFG006", path, "", "cannot open file for reading", "check the path and its permissions");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail("CFG006", path, "", "error while reading file");
  return parse(ss.str(), path, expected_kind);
}

ConfigDocument ConfigDocument::parse(const std::string& text, const std::string& path,
                                     const std::string& expected_kind) {
  ConfigDocument doc;
  doc.path_ = path;
  try {
    doc.json_ = std::make_shared<nlohmann::json>(nlohmann::json::parse(text));
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line L, column C: ...".
    std::string what = e.what();
    const auto pos = what.find("at line");
    fail("CFG001", path, "", "malformed JSON " + (pos == std::string::npos ? what : what.substr(pos)),
         "check for a missing comma, quote or brace near that position");
  }
  if (!doc.json_->is_object()) fail("CFG002", path, "/", "expected a JSON object at the top level");
  if (!expected_kind.empty()) {
    const ConfigObject root = doc.root();
    const std::string kind = root.get_string("kind");
    if (kind != expected_kind)
      root.error("kind", "CFG005", "expected kind \"" + expected_kind + "\", got \"" + kind + "\"",
                 "this command reads " + expected_kind + " configs; see configs/" + expected_kind + "/");
    const int64_t version = root.get_int("version", 0, INT32_MAX);
    if (version != kConfigVersion)
      root.error(
          "version", "CFG005",
          "unsupported version " + std::to_string(version) + ", this build reads " + std::to_string(kConfigVersion));
  }
  return doc;
}

ConfigObject ConfigDocument::root() const {
  ConfigObject obj(json_.get(), path_, "");
  // "kind" and "version" were checked by parse(); they are known keys in every config.
  if (obj.has("kind")) obj.get_raw("kind");
  if (obj.has("version")) obj.get_raw("version");
  return obj;
}

std::string ConfigDocument::kind() const {
  auto it = json_->find("kind");
  return it != json_->end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace wrpn
