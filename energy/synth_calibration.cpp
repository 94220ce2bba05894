#include "energy/synth_calibration.h"

#include <algorithm>
#include <cstdio>
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
constexpr const char* kHint = "point --synth-calibration at the cached `wrpn synth` results, e.g. results/synth";

[[noreturn]] void bad_result(const std::string& file, const std::string& pointer, const std::string& what) {
  fail(kCode, file, pointer, "not a usable \"wrpn-synth\" result: " + what,
       "regenerate it with `wrpn synth --force`, or remove it from the directory");
}

int get_int_field(const nlohmann::json& j, const std::string& file, const char* key, int lo, int hi) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer())
    bad_result(file, std::string("/") + key, std::string("missing or non-integer \"") + key + "\"");
  const auto v = it->get<int64_t>();
  if (v < lo || v > hi)
    bad_result(file, std::string("/") + key,
               std::string("\"") + key + "\" = " + std::to_string(v) + " outside [" + std::to_string(lo) + ", " +
                   std::to_string(hi) + "]");
  return static_cast<int>(v);
}

std::string get_string_field(const nlohmann::json& j, const std::string& file, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    bad_result(file, std::string("/") + key, std::string("missing or non-string \"") + key + "\"");
  return it->get<std::string>();
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::vector<SynthMac> read_synth_macs(const std::string& synth_dir) {
  std::error_code ec;
  if (!fs::is_directory(synth_dir, ec))
    fail(kCode, synth_dir, "", "synthesis results directory not found (or not a directory)", kHint);
  std::vector<fs::path> files;
  for (fs::directory_iterator it(synth_dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") files.push_back(it->path());
  if (ec) fail(kCode, synth_dir, "", "cannot list the synthesis results directory: " + ec.message(), kHint);
  std::sort(files.begin(), files.end());

  std::vector<SynthMac> macs;
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
    if (get_string_field(j, file, "top") != "mac_unit") continue;  // ternary, binary, FP32 and PE results
    if (get_string_field(j, file, "kind") != "int") bad_result(file, "/kind", "a mac_unit result must be kind \"int\"");
    SynthMac m;
    m.file = file;
    m.variant = get_string_field(j, file, "variant");
    m.wbits = get_int_field(j, file, "width_w", 1, 16);
    m.abits = get_int_field(j, file, "width_a", 1, 16);
    m.acc_bits = get_int_field(j, file, "acc_width", 2, kMaxAccBits);
    const auto cells = j.find("cells");
    if (cells == j.end() || !cells->is_object()) bad_result(file, "/cells", "missing \"cells\" object");
    m.logic_cells = get_int_field(*cells, file, "logic", 1, 1000000000);
    m.flip_flops = get_int_field(*cells, file, "flip_flops", 0, 1000000000);
    const auto area = j.find("area_um2");
    if (area != j.end() && area->is_object() && area->contains("total") && (*area)["total"].is_number())
      m.area_um2 = (*area)["total"].get<double>();
    if (const auto flow = j.find("flow"); flow != j.end() && flow->is_object()) {
      if (flow->contains("yosys") && (*flow)["yosys"].is_string()) m.yosys = (*flow)["yosys"].get<std::string>();
      if (flow->contains("abc") && (*flow)["abc"].is_string()) m.abc = (*flow)["abc"].get<std::string>();
    }
    for (const auto& prev : macs)
      if (prev.wbits == m.wbits && prev.abits == m.abits && prev.acc_bits == m.acc_bits)
        fail(kCode, file, "",
             "two mac_unit results for w" + std::to_string(m.wbits) + " a" + std::to_string(m.abits) + " acc" +
                 std::to_string(m.acc_bits) + " (the other: " + prev.file + ")",
             "keep one result per parameter set");
    macs.push_back(m);
  }
  if (macs.empty())
    fail(kCode, synth_dir, "", "no integer MAC (top \"mac_unit\") synthesis results in the directory",
         "run `wrpn synth --variant mac_unit` (or point at results/synth)");
  std::sort(macs.begin(), macs.end(), [](const SynthMac& a, const SynthMac& b) {
    return std::tie(a.wbits, a.abits, a.acc_bits) < std::tie(b.wbits, b.abits, b.acc_bits);
  });
  return macs;
}

TechTable with_synth_calibration(const TechTable& base, const std::string& synth_dir) {
  const std::vector<SynthMac> macs = read_synth_macs(synth_dir);
  // The reference: the 8-bit MAC (the smallest synthesized accumulator if there are several).
  const auto ref =
      std::find_if(macs.begin(), macs.end(), [](const SynthMac& m) { return m.wbits == 8 && m.abits == 8; });
  if (ref == macs.end())
    fail(kCode, synth_dir, "", "no w8 a8 mac_unit result to normalize the calibration against",
         "the 8-bit MAC keeps the tech table's energy and area; run `wrpn synth --variant mac_unit --width 8`");

  TechTable t = base;
  const double ref_pj = base.int_mult_pj(8, 8) + base.int_add_pj(ref->acc_bits);
  const double ref_um2 = base.int_mult_area_um2(8, 8) + base.int_add_area_um2(ref->acc_bits);
  t.calibration_energy_pj_per_gate = ref_pj / ref->logic_cells;
  t.calibration_area_um2_per_gate = ref_um2 / ref->logic_cells;
  t.calibration.clear();  // one consistent per-gate normalization: synthesized entries replace any others
  for (const auto& m : macs) {
    MacCalibration c;
    c.wbits = m.wbits;
    c.abits = m.abits;
    c.acc_bits = m.acc_bits;
    c.gates = m.logic_cells;
    c.source = m.file + " (" + m.variant + ", Yosys " + (m.yosys.empty() ? "?" : m.yosys) + ", abc " +
               (m.abc.empty() ? "?" : m.abc) + "): " + std::to_string(m.logic_cells) + " logic cells; its " +
               std::to_string(m.flip_flops) + " flip-flops are priced by the register rule";
    t.calibration.push_back(c);
  }
  t.calibration_source = "Yosys cell counts of rtl/ mac_unit from " + synth_dir + ", normalized so that " +
                         ref->variant + " (" + std::to_string(ref->logic_cells) + " logic cells) keeps " + base.name +
                         "'s rule values int_mult(8,8) + int_add(" + std::to_string(ref->acc_bits) +
                         ") = " + fmt("%.6g", ref_pj) + " pJ and " + fmt("%.6g", ref_um2) +
                         " um2; other accumulator widths: entry of the same (wbits, abits) plus int_add(acc_bits) - "
                         "int_add(acc_synth); widths without an entry keep the table rule";
  return t;
}

std::string calibration_note(const TechTable& t) {
  if (t.calibration.empty()) return "";
  std::string widths;
  for (const auto& c : t.calibration) {
    if (!widths.empty()) widths += ", ";
    widths += "W" + std::to_string(c.wbits) + "A" + std::to_string(c.abits);
  }
  return "int MAC energy and PE datapath area: Yosys-calibrated for " + widths + " (" +
         fmt("%.4g", t.calibration_energy_pj_per_gate) + " pJ and " + fmt("%.4g", t.calibration_area_um2_per_gate) +
         " um^2 per logic cell); other integer widths use the table rule";
}

}  // namespace wrpn::energy
