#include "energy/synth_results.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/diagnostics.h"

namespace wrpn::energy {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCode = "EN006";
constexpr const char* kHint = "point at the cached `wrpn synth` results, e.g. results/synth";

[[noreturn]] void bad_result(const std::string& file, const std::string& pointer, const std::string& what) {
  fail(kCode, file, pointer, "not a usable \"wrpn-synth\" result: " + what,
       "regenerate it with `wrpn synth --force`, or remove it from the directory");
}

int get_int_field(const nlohmann::json& j, const std::string& file, const std::string& prefix, const char* key, int lo,
                  int hi) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer())
    bad_result(file, prefix + "/" + key, std::string("missing or non-integer \"") + key + "\"");
  const auto v = it->get<int64_t>();
  if (v < lo || v > hi)
    bad_result(file, prefix + "/" + key,
               std::string("\"") + key + "\" = " + std::to_string(v) + " outside [" + std::to_string(lo) + ", " +
                   std::to_string(hi) + "]");
  return static_cast<int>(v);
}

double get_number_field(const nlohmann::json& j, const std::string& file, const std::string& prefix, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number() || !(it->get<double>() > 0))
    bad_result(file, prefix + "/" + key, std::string("missing or non-positive \"") + key + "\"");
  return it->get<double>();
}

std::string get_string_field(const nlohmann::json& j, const std::string& file, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    bad_result(file, std::string("/") + key, std::string("missing or non-string \"") + key + "\"");
  return it->get<std::string>();
}

const nlohmann::json& get_object(const nlohmann::json& j, const std::string& file, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_object())
    bad_result(file, std::string("/") + key, std::string("missing \"") + key + "\" object");
  return *it;
}

std::string describe(const std::string& top, PeType type, int wbits, int abits, int acc_bits, int lanes) {
  std::string s = top + " " + to_string(type);
  if (type != PeType::fp32) {
    s += " w" + std::to_string(wbits) + " a" + std::to_string(abits) + " acc" + std::to_string(acc_bits);
    if (lanes != 1) s += " lanes " + std::to_string(lanes);
  }
  return s;
}

}  // namespace

std::vector<SynthResult> read_synth_results(const std::string& synth_dir) {
  std::error_code ec;
  if (!fs::is_directory(synth_dir, ec))
    fail(kCode, synth_dir, "", "synthesis results directory not found (or not a directory)", kHint);
  std::vector<fs::path> files;
  for (fs::directory_iterator it(synth_dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") files.push_back(it->path());
  if (ec) fail(kCode, synth_dir, "", "cannot list the synthesis results directory: " + ec.message(), kHint);
  std::sort(files.begin(), files.end());

  std::vector<SynthResult> out;
  for (const auto& path : files) {
    const std::string file = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(kCode, file, "", "cannot read the synthesis result", kHint);
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) bad_result(file, "", "not a JSON object");
    if (!j.contains("format") || j["format"] != "wrpn-synth")
      bad_result(file, "/format", "expected \"format\": \"wrpn-synth\"");
    SynthResult r;
    r.file = file;
    r.top = get_string_field(j, file, "top");
    const std::string kind = get_string_field(j, file, "kind");
    if (!parse_pe_type(kind, &r.type))
      bad_result(file, "/kind", "\"kind\" = \"" + kind + "\" is not int, ternary, binary or fp32");
    if (r.top == "mac_unit" && r.type != PeType::int_k)
      bad_result(file, "/kind", "a mac_unit result must be kind \"int\"");
    r.variant = get_string_field(j, file, "variant");
    r.wbits = get_int_field(j, file, "", "width_w", 1, 32);
    r.abits = get_int_field(j, file, "", "width_a", 1, 32);
    r.acc_bits = get_int_field(j, file, "", "acc_width", 2, kMaxAccBits);
    const nlohmann::json& cells = get_object(j, file, "cells");
    r.logic_cells = get_int_field(cells, file, "/cells", "logic", 1, 1000000000);
    r.flip_flops = get_int_field(cells, file, "/cells", "flip_flops", 0, 1000000000);
    r.total_cells = get_int_field(cells, file, "/cells", "total", 1, 1000000000);
    if (r.total_cells != r.logic_cells + r.flip_flops)
      bad_result(file, "/cells/total", "\"total\" is not logic + flip_flops");
    r.lanes = get_int_field(j, file, "", "lanes", 1, 64);
    r.area_um2 = get_number_field(get_object(j, file, "area_um2"), file, "/area_um2", "total");
    if (const auto flow = j.find("flow"); flow != j.end() && flow->is_object()) {
      if (flow->contains("yosys") && (*flow)["yosys"].is_string()) r.yosys = (*flow)["yosys"].get<std::string>();
      if (flow->contains("abc") && (*flow)["abc"].is_string()) r.abc = (*flow)["abc"].get<std::string>();
    }
    for (const auto& prev : out)
      if (prev.top == r.top && prev.type == r.type && prev.wbits == r.wbits && prev.abits == r.abits &&
          prev.acc_bits == r.acc_bits && prev.lanes == r.lanes)
        fail(kCode, file, "",
             "two results for " + describe(r.top, r.type, r.wbits, r.abits, r.acc_bits, r.lanes) +
                 " (the other: " + prev.file + ")",
             "keep one result per parameter set");
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const SynthResult& a, const SynthResult& b) {
    return std::tie(a.top, a.type, a.wbits, a.abits, a.acc_bits, a.lanes) <
           std::tie(b.top, b.type, b.wbits, b.abits, b.acc_bits, b.lanes);
  });
  return out;
}

const SynthResult* find_synth_result(const std::vector<SynthResult>& results, const std::string& top, PeType type,
                                     int wbits, int abits, int acc_bits, int lanes) {
  for (const auto& r : results) {
    if (r.top != top || r.type != type) continue;
    if (type == PeType::fp32) return &r;
    if (r.wbits == wbits && r.abits == abits && r.acc_bits == acc_bits && r.lanes == lanes) return &r;
  }
  return nullptr;
}

const SynthResult& require_synth_result(const std::vector<SynthResult>& results, const std::string& synth_dir,
                                        const std::string& top, PeType type, int wbits, int abits, int acc_bits,
                                        int lanes) {
  if (const SynthResult* r = find_synth_result(results, top, type, wbits, abits, acc_bits, lanes)) return *r;
  fail(kCode, synth_dir, "",
       "no synthesis result for " + describe(top, type, wbits, abits, acc_bits, lanes) +
           " (the equal-area sizing and per-operation tables need every PE they compare synthesized)",
       "synthesize it with `wrpn synth` (rtl/README.md lists the variants), or choose a PE that is");
}

}  // namespace wrpn::energy
