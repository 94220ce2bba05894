#include "trainer/checkpoint.h"

#include <cstring>
#include <map>

#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "common/sha256.h"

namespace wrpn::trainer {

namespace {
const std::string kMagic = "WRPN-CHECKPOINT 1\n";
}

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  std::string payload;
  nlohmann::json index = nlohmann::json::array();
  for (const auto& [name, v] : c.tensors) {
    index.push_back({{"name", name}, {"count", v.size()}});
    if (!v.empty()) payload.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  }
  nlohmann::json h{{"config", c.config}, {"epochs_done", c.epochs_done},    {"steps", c.steps},
                   {"tensors", index},   {"payload_bytes", payload.size()}, {"payload_sha256", sha256_hex(payload)}};
  write_file_atomic(path, kMagic + h.dump() + "\n" + payload);
}

Checkpoint load_checkpoint(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const DiagnosticError&) {
    fail("TRN005", path, "", "cannot read checkpoint", "give the checkpoint.bin of a `wrpn train` run directory");
  }
  if (bytes.compare(0, kMagic.size(), kMagic) != 0)
    fail("TRN005", path, "", "not a wrpn checkpoint (bad magic)",
         "give the checkpoint.bin of a `wrpn train` run directory");
  const size_t eol = bytes.find('\n', kMagic.size());
  if (eol == std::string::npos) fail("TRN005", path, "", "checkpoint header is truncated");
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(bytes.substr(kMagic.size(), eol - kMagic.size()));
  } catch (const std::exception&) {
    fail("TRN005", path, "", "checkpoint header is not valid JSON");
  }
  const std::string payload = bytes.substr(eol + 1);
  Checkpoint c;
  try {
    if (payload.size() != h.at("payload_bytes").get<size_t>())
      fail("TRN005", path, "",
           "checkpoint is truncated: payload has " + std::to_string(payload.size()) + " bytes, header says " +
               std::to_string(h.at("payload_bytes").get<size_t>()));
    if (sha256_hex(payload) != h.at("payload_sha256").get<std::string>())
      fail("TRN005", path, "", "checkpoint payload does not match its SHA-256 (corrupted or modified)");
    c.config = h.at("config");
    c.epochs_done = h.at("epochs_done").get<int64_t>();
    c.steps = h.at("steps").get<int64_t>();
    size_t off = 0;
    for (const auto& t : h.at("tensors")) {
      const size_t count = t.at("count").get<size_t>();
      // Checked before allocating, and without count * 4 (which a forged count can wrap).
      if (count > (payload.size() - off) / sizeof(float)) fail("TRN005", path, "", "tensor index exceeds payload");
      std::vector<float> v(count);
      if (count > 0) std::memcpy(v.data(), payload.data() + off, count * sizeof(float));
      off += count * sizeof(float);
      c.tensors.emplace_back(t.at("name").get<std::string>(), std::move(v));
    }
  } catch (const nlohmann::json::exception& e) {
    fail("TRN005", path, "", std::string("checkpoint header is malformed: ") + e.what());
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
