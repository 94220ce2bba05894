#include "common/config.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include "common/atomic_file.h"

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

static std::string range_text(int64_t lo, int64_t hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

std::string quote_for_message(const std::string& text, size_t max_chars) {
  std::string out;
  for (char ch : text) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(ch);
    out += u < 0x20 || u == 0x7f ? '?' : ch;  // keep a diagnostic on one line
  }
  return "\"" + out + "\"";
}

/// An integer JSON value as int64, or nullopt when it does not fit (unsigned above INT64_MAX).
static std::optional<int64_t> as_int64(const nlohmann::json& v) {
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return v.get<int64_t>();
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
  const std::string expect = lo == INT64_MIN && hi == INT64_MAX ? std::string("expected integer")
                                                                : "expected integer in " + range_text(lo, hi);
  if (!v.is_number_integer()) {
    error(key, "CFG002", expect + ", got " + describe_json(v),
          v.is_string() ? "sizes and counts are plain integers; the unit is in the key name" : "");
  }
  const std::optional<int64_t> x = as_int64(v);
  if (!x || *x < lo || *x > hi) error(key, "CFG002", expect + ", got " + describe_json(v));
  return *x;
}

uint64_t ConfigObject::get_uint(const std::string& key, uint64_t lo, uint64_t hi) const {
  const auto& v = require(key);
  const std::string expect = "expected integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0))
    error(key, "CFG002", expect + ", got " + describe_json(v));
  const uint64_t x = v.get<uint64_t>();
  if (x < lo || x > hi) error(key, "CFG002", expect + ", got " + describe_json(v));
  return x;
}

uint64_t ConfigObject::get_uint(const std::string& key, uint64_t lo, uint64_t hi, uint64_t default_value) const {
  read_.insert(key);
  return has(key) ? get_uint(key, lo, hi) : default_value;
}

int64_t ConfigObject::get_int(const std::string& key, int64_t lo, int64_t hi, int64_t default_value) const {
  read_.insert(key);
  return has(key) ? get_int(key, lo, hi) : default_value;
}

double ConfigObject::get_number(const std::string& key, double lo, double hi) const {
  const auto& v = require(key);
  const std::string expect = lo <= std::numeric_limits<double>::lowest() && hi >= std::numeric_limits<double>::max()
                                 ? std::string("expected a finite number")
                                 : "expected number in " + range_text(lo, hi);
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
  error(key, "CFG002", "expected one of " + list + ", got " + quote_for_message(s));
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
    const std::optional<int64_t> x = e.is_number_integer() ? as_int64(e) : std::nullopt;
    if (!x || *x < lo || *x > hi)
      error_at(key, i, "CFG002", "expected integer in " + range_text(lo, hi) + ", got " + describe_json(e));
    return *x;
  });
}

std::vector<double> ConfigObject::get_number_array(const std::string& key, double lo, double hi,
                                                   size_t min_size) const {
  const auto& v = require(key);
  return read_array<double>(*this, v, key, min_size, "numbers", [&](const nlohmann::json& e, size_t i) {
    if (!e.is_number() || !(e.get<double>() >= lo && e.get<double>() <= hi))
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
  std::string text, why;
  if (!try_read_file(path, &text, &why, kMaxConfigBytes))
    fail("CFG006", path, "", why, "give the path of a JSON config file");
  return parse(text, path, expected_kind);
}

namespace {

using json = nlohmann::json;

/// SAX handler that builds the DOM like nlohmann's own parser and, on top, knows the JSON pointer
/// of every value: a key repeated in one object is CFG007 (nlohmann would keep the last silently),
/// and a number that overflows a double (1e400) is CFG002 naming where it is (nlohmann throws an
/// out_of_range exception without a position).
class StrictSax {
 public:
  StrictSax(json& root, std::string path) : dom_(root, true), path_(std::move(path)) {}

  bool null() { return scalar(dom_.null()); }
  bool boolean(bool v) { return scalar(dom_.boolean(v)); }
  bool number_integer(json::number_integer_t v) { return scalar(dom_.number_integer(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return scalar(dom_.number_unsigned(v)); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return scalar(dom_.number_float(v, s)); }
  bool string(json::string_t& v) { return scalar(dom_.string(v)); }
  bool binary(json::binary_t& v) { return scalar(dom_.binary(v)); }
  bool start_object(std::size_t n) {
    frames_.push_back({false, 0, {}, {}});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    Frame& f = frames_.back();
    f.key = k;
    if (!f.keys.insert(k).second)
      fail("CFG007", path_, pointer(), "duplicate key " + quote_for_message(k) + " in one object",
           "JSON parsers disagree on which of two equal keys wins; keep exactly one");
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return scalar(dom_.end_object());
  }
  bool start_array(std::size_t n) {
    frames_.push_back({true, 0, {}, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return scalar(dom_.end_array());
  }
  // A template like nlohmann's own handler, so the exception is rethrown with its real type.
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    if (ex.id == 406)  // number overflow: the text is a valid JSON number no double can hold
      fail("CFG002", path_, pointer().empty() ? "/" : pointer(),
           "number " + quote_for_message(last_token) + " is out of range (larger than any double)",
           "use a number of ordinary size; units are in the key names");
    return dom_.parse_error(position, last_token, ex);
  }

 private:
  struct Frame {
    bool array;
    size_t count;  ///< values finished so far (arrays)
    std::string key;
    std::set<std::string> keys;
  };
  bool scalar(bool ok) {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().count;
    return ok;
  }
  std::string pointer() const {
    std::string p;
    for (const auto& f : frames_) p += "/" + (f.array ? std::to_string(f.count) : json_pointer_token(f.key));
    return p;
  }
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::string path_;
  std::vector<Frame> frames_;
};

}  // namespace

ConfigDocument ConfigDocument::parse(const std::string& text, const std::string& path,
                                     const std::string& expected_kind) {
  ConfigDocument doc;
  doc.path_ = path;
  doc.json_ = std::make_shared<nlohmann::json>();
  try {
    StrictSax sax(*doc.json_, path);
    json::sax_parse(text, &sax);
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
      root.error("kind", "CFG005", "expected kind \"" + expected_kind + "\", got " + quote_for_message(kind),
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
