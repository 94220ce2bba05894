#include "trainer/checkpoint.h"

#include <cmath>
#include <cstring>
#include <map>

#include "common/atomic_file.h"
#include "common/config.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/sha256.h"

namespace wrpn::trainer {

namespace {
// Format 2: magic line, header JSON line, a line with the SHA-256 of (header line + "\n" + payload),
// then the payload. The checksum covers the header, so an edited "wbits" or "epochs_done" is caught.
// Format 1 (magic, header with the payload's SHA-256 only, payload) is still read: its payload is
// checked, and its header values are range-checked since no checksum covers them.
const std::string kMagic1 = "WRPN-CHECKPOINT 1\n";
const std::string kMagic2 = "WRPN-CHECKPOINT 2\n";
constexpr size_t kShaHexChars = 64;

[[noreturn]] void bad(const std::string& path, const std::string& message, const std::string& hint = {}) {
  fail("TRN005", path, "", message, hint);
}
}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  std::string payload;
  nlohmann::json index = nlohmann::json::array();
  for (const auto& [name, v] : c.tensors) {
    index.push_back({{"name", name}, {"count", v.size()}});
    if (!v.empty()) payload.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  }
  nlohmann::json h{{"config", c.config}, {"epochs_done", c.epochs_done},    {"steps", c.steps},
                   {"tensors", index},   {"payload_bytes", payload.size()}, {"payload_sha256", sha256_hex(payload)}};
  const std::string header = h.dump();
  write_file_atomic(path, kMagic2 + header + "\n" + sha256_hex(header + "\n" + payload) + "\n" + payload);
}

Checkpoint load_checkpoint(const std::string& path) {
  std::string bytes, why;
  if (!try_read_file(path, &bytes, &why))
    bad(path, "cannot read checkpoint: " + why, "give the checkpoint.bin of a `wrpn train` run directory");
  const bool v2 = bytes.compare(0, kMagic2.size(), kMagic2) == 0;
  if (!v2 && bytes.compare(0, kMagic1.size(), kMagic1) != 0)
    bad(path, "not a wrpn checkpoint (bad magic)", "give the checkpoint.bin of a `wrpn train` run directory");
  const size_t start = kMagic2.size();  // both magics have the same length
  const size_t eol = bytes.find('\n', start);
  if (eol == std::string::npos) bad(path, "checkpoint header is truncated");
  const std::string header = bytes.substr(start, eol - start);
  std::string payload;
  if (v2) {
    const size_t sum_end = eol + 1 + kShaHexChars;
    if (bytes.size() < sum_end + 1 || bytes[sum_end] != '\n') bad(path, "checkpoint checksum line is truncated");
    payload = bytes.substr(sum_end + 1);
    if (bytes.compare(eol + 1, kShaHexChars, sha256_hex(header + "\n" + payload)) != 0)
      bad(path, "checkpoint does not match its SHA-256 (header or weights corrupted or modified)",
          "use an unmodified checkpoint.bin; re-train if it is damaged");
  } else {
    payload = bytes.substr(eol + 1);
  }
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(header);
  } catch (const std::exception&) {
    bad(path, "checkpoint header is not valid JSON");
  }
  Checkpoint c;
  try {
    if (payload.size() != h.at("payload_bytes").get<size_t>())
      bad(path, "checkpoint is truncated: payload has " + std::to_string(payload.size()) + " bytes, header says " +
                    std::to_string(h.at("payload_bytes").get<size_t>()));
    if (sha256_hex(payload) != h.at("payload_sha256").get<std::string>())
      bad(path, "checkpoint payload does not match its SHA-256 (corrupted or modified)");
    c.config = h.at("config");
    if (!c.config.is_object()) bad(path, "checkpoint header has no config object");
    const auto& ed = h.at("epochs_done");
    const auto& st = h.at("steps");
    if (!ed.is_number_integer() || ed.get<int64_t>() < 0 || ed.get<int64_t>() > 100000)
      bad(path, "checkpoint header: epochs_done " + describe_json(ed) + " is not in [0, 100000]");
    if (!st.is_number_integer() || st.get<int64_t>() < 0)
      bad(path, "checkpoint header: steps " + describe_json(st) + " is not a count");
    c.epochs_done = ed.get<int64_t>();
    c.steps = st.get<int64_t>();
    size_t off = 0;
    for (const auto& t : h.at("tensors")) {
      const size_t count = t.at("count").get<size_t>();
      // Checked before allocating, and without count * 4 (which a forged count can wrap).
      if (count > (payload.size() - off) / sizeof(float)) bad(path, "tensor index exceeds payload");
      std::vector<float> v(count);
      if (count > 0) std::memcpy(v.data(), payload.data() + off, count * sizeof(float));
      off += count * sizeof(float);
      const std::string name = t.at("name").get<std::string>();
      for (size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
          fail("TRN009", path, name + "[" + std::to_string(i) + "]",
               "tensor " + quote_for_message(name) + " holds a non-finite value (" + format_number(v[i]) + ")",
               "the training run diverged or the file was modified; re-train, with a lower learning rate");
      c.tensors.emplace_back(name, std::move(v));
    }
  } catch (const nlohmann::json::exception& e) {
    bad(path, std::string("checkpoint header is malformed: ") + e.what());
  }
  return c;
}

void restore_tensors(const Checkpoint& c, const std::vector<std::pair<std::string, std::vector<float>*>>& dst,
                     const std::string& path) {
  std::map<std::string, const std::vector<float>*> have;
  for (const auto& [n, v] : c.tensors) have[n] = &v;
  for (const auto& [name, v] : dst) {
    auto it = have.find(name);
    if (it == have.end())
      fail("TRN006", path, name, "checkpoint has no tensor \"" + name + "\"",
           "the checkpoint belongs to another model");
    if (it->second->size() != v->size())
      fail("TRN006", path, name,
           "tensor has " + std::to_string(it->second->size()) + " values, the model needs " + std::to_string(v->size()),
           "the checkpoint belongs to another model or width");
    *v = *it->second;
  }
}

}  // namespace wrpn::trainer
