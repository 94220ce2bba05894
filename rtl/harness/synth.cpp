#include "rtl/harness/synth.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <utility>

#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "common/numerics.h"
#include "common/sha256.h"

namespace wrpn::rtl {

namespace fs = std::filesystem;

namespace {

/// rtl/src files in dependency order: WRPN_RTL_SOURCE_NAMES of rtl/CMakeLists.txt.
std::vector<std::string> sources() {
  std::vector<std::string> v;
  std::istringstream in(WRPN_RTL_SOURCE_FILES);
  for (std::string f; in >> f;) v.push_back(f);
  return v;
}
const char* const kGates = "AND,NAND,OR,NOR,XOR,XNOR,MUX";

std::string rtl_dir() { return WRPN_RTL_DIR; }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

std::string shell_quote(const std::string& s) { return "'" + replace_all(s, "'", "'\\''") + "'"; }

/// Why a variant uses `abc -fast` (recorded in its result): the full flow does not fit 10 minutes here.
const char* fast_abc_reason(const SynthVariant& v) {
  if (v.kind == "fp32")
    return "FP32: full synth grew past 14 GB and was killed after 16 min (Yosys 0.23); light flow with abc -fast";
  if (v.lanes > 8) return "64-lane popcount: full ABC ran over 15 minutes on this 2-core machine";
  return "";
}

PeType pe_type_of(const std::string& kind) {
  return kind == "int"       ? PeType::int_k
         : kind == "ternary" ? PeType::ternary
         : kind == "binary"  ? PeType::binary
                             : PeType::fp32;
}

/// wrpn_pkg::pe_kind_e of a kind name: the enum lists the PE types in PeType's order.
int pe_kind_number(const std::string& kind) {
  static_assert(static_cast<int>(PeType::int_k) == 0 && static_cast<int>(PeType::ternary) == 1 &&
                    static_cast<int>(PeType::binary) == 2 && static_cast<int>(PeType::fp32) == 3,
                "PeType follows wrpn_pkg::pe_kind_e (PeInt, PeTernary, PeBinary, PeFp32)");
  return static_cast<int>(pe_type_of(kind));
}

std::string chparam_line(const SynthVariant& v) {
  std::ostringstream s;
  if (v.top == "mac_fp32") return "";
  s << "chparam";
  if (v.top == "pe") s << " -set PeKind " << pe_kind_number(v.kind);
  if (v.kind == "fp32") return s.str() + " " + v.top;  // the FP32 PE has no width parameters
  s << " -set WidthA " << v.width_a;
  if (v.top == "mac_unit" || v.top == "pe") s << " -set WidthW " << v.width_w;
  if (v.top == "mac_binary" || (v.top == "pe" && v.kind == "binary")) s << " -set Lanes " << v.lanes;
  s << " -set AccWidth " << v.acc_width << " " << v.top;
  return s.str();
}

nlohmann::json cell_table() { return nlohmann::json::parse(read_file(rtl_dir() + "/synth/cell_area.json")); }

/// The width sweep compares MACs across bit widths at one common reduction length
/// (reference_acc_bits, common/numerics.h); a design point's PE is synthesized at the accumulator
/// that design point uses instead (--acc-width; the design-point policy, mapping/design_point.h,
/// picks it from the workload).
int sweep_acc_width(PeType type, int wbits, int abits) { return reference_acc_bits(type, wbits, abits); }

std::string variant_id(const SynthVariant& v) {
  std::ostringstream id;
  id << v.top;
  if (v.top == "pe") id << "_" << v.kind;
  if (v.kind != "fp32") {
    id << "_a" << v.width_a;
    if (v.kind == "int") id << "w" << v.width_w;
    if (v.kind == "binary") id << "l" << v.lanes;
    id << "_acc" << v.acc_width;
  }
  return id.str();
}

SynthVariant make(std::string top, std::string kind, int wa, int ww, int lanes, int width) {
  SynthVariant v;
  v.top = std::move(top);
  v.kind = std::move(kind);
  v.width_a = wa;
  v.width_w = ww;
  v.lanes = lanes;
  v.width = width;
  v.acc_width = sweep_acc_width(pe_type_of(v.kind), ww, wa);
  v.acc_rule = v.kind == "fp32"
                   ? "FP32 word"
                   : "width sweep: worst case of a " + std::to_string(kReferenceAccFanIn) + "-term dot product";
  v.id = variant_id(v);
  // abc -fast only where the full flow does not fit in 10 minutes on this 2-core machine: full ABC ran
  // over 15 minutes (wall) on the 64-lane popcount, and FP32 needs the light flow (the full `synth`
  // grew past 14 GB), and full ABC on a bare 32x32 multiplier took 14-28 minutes here (docs/architecture.md section
  // 10). The 16-bit variants fit with full ABC (minutes) and keep it.
  v.fast_abc = lanes > 8 || v.kind == "fp32";
  if (v.kind == "fp32") v.flow = "flow_light.ys.in";
  v.slow = width >= 16 || lanes > 8 || v.kind == "fp32";
  return v;
}

}  // namespace

int synth_acc_width(int width_a, int width_w) { return sweep_acc_width(PeType::int_k, width_w, width_a); }

SynthVariant at_acc_width(SynthVariant v, int acc_width) {
  if (v.kind == "fp32") return v;  // the FP32 units accumulate in the FP32 word
  v.acc_width = acc_width;
  v.acc_rule = "given (--acc-width): the accumulator of a design point (mapping/design_point.h)";
  v.id = variant_id(v);
  return v;
}

std::vector<SynthVariant> synth_variants() {
  std::vector<SynthVariant> v;
  // MAC datapaths (mac_unit feeds the energy model's calibration, energy/synth_calibration.cpp).
  v.push_back(make("mac_binary", "binary", 1, 1, 1, 1));
  v.push_back(make("mac_binary", "binary", 1, 1, 64, 1));
  for (int k : {2, 4, 8, 16}) {
    v.push_back(make("mac_unit", "int", k, k, 1, k));
    v.push_back(make("mac_ternary", "ternary", k, 2, 1, k));
  }
  // Asymmetric (w, a) of the paper tables and the default sweep: (activation, weight) bits. {1, 2}
  // is the W1A1 design point's PE (binary weights run as 2-bit codes on an int PE, docs/design-points.md).
  for (const auto& [a, w] : std::vector<std::pair<int, int>>{{8, 4}, {4, 8}, {4, 2}, {2, 4}, {2, 8}, {1, 2}})
    v.push_back(make("mac_unit", "int", a, w, 1, std::max(a, w)));
  v.push_back(make("mac_fp32", "fp32", 32, 32, 1, 32));
  // Processing elements (pe: MAC, operand registers, drain chain) of every PE the simulator times:
  // int (w, a) pairs, ternary and binary (1 lane and the sim's 64-lane word) and FP32.
  for (const auto& [a, w] : std::vector<std::pair<int, int>>{
           {2, 2}, {4, 4}, {8, 8}, {8, 4}, {4, 8}, {4, 2}, {2, 4}, {2, 8}, {1, 2}, {16, 16}})
    v.push_back(make("pe", "int", a, w, 1, std::max(a, w)));
  for (int a : {2, 4, 8}) v.push_back(make("pe", "ternary", a, 2, 1, a));
  v.push_back(make("pe", "binary", 1, 1, 1, 1));
  v.push_back(make("pe", "binary", 1, 1, 64, 1));
  v.push_back(make("pe", "fp32", 32, 32, 1, 32));
  return v;
}

std::string default_synth_dir() { return (fs::path(rtl_dir()).parent_path() / "results" / "synth").string(); }

std::string synth_key(const SynthVariant& v) {
  std::string all;
  for (const std::string& f : sources()) all += read_file(rtl_dir() + "/src/" + f);
  all += read_file(rtl_dir() + "/synth/flow.ys.in");
  if (v.flow != "flow.ys.in") all += read_file(rtl_dir() + "/synth/" + v.flow);
  all += read_file(rtl_dir() + "/synth/cell_area.json");
  all += std::string("yosys ") + WRPN_YOSYS_VERSION + "\n";
  all += chparam_line(v) + (v.fast_abc ? " abc-fast" : " abc-full") + "\n";
  return sha256_hex(all);
}

nlohmann::json synthesize(const SynthVariant& v, const SynthOptions& o, bool* from_cache) {
  const std::string out_dir = o.out_dir.empty() ? default_synth_dir() : o.out_dir;
  const fs::path out = fs::path(out_dir) / (v.id + ".json");
  const std::string key = synth_key(v);
  if (from_cache) *from_cache = false;
  if (!o.force && fs::exists(out)) {
    try {
      nlohmann::json j = nlohmann::json::parse(read_file(out));
      if (j.value("rtl_sha256", "") == key) {
        if (from_cache) *from_cache = true;
        return j;
      }
    } catch (const std::exception&) {
      // Unreadable cache entry: resynthesize and overwrite it.
    }
  }

  // Scratch directory for the script, stats and log.
  fs::path work = o.work_dir.empty() ? fs::temp_directory_path() / ("wrpn-synth-" + std::to_string(::getpid()))
                                     : fs::path(o.work_dir);
  fs::create_directories(work);
  const fs::path script = work / (v.id + ".ys"), stat_json = work / (v.id + ".stat.json"),
                 cmos = work / (v.id + ".cmos.txt"), log = work / (v.id + ".log");
  std::string source_list;
  for (const std::string& f : rtl::sources()) source_list += " " + rtl_dir() + "/src/" + f;
  std::string ys = read_file(rtl_dir() + "/synth/" + v.flow);
  ys = replace_all(ys, "@SOURCES@", source_list);
  ys = replace_all(ys, "@CHPARAM@", chparam_line(v));
  ys = replace_all(ys, "@TOP@", v.top);
  ys = replace_all(ys, "@ABC@", v.fast_abc ? "-fast" : "");
  ys = replace_all(ys, "@STAT_JSON@", stat_json.string());
  ys = replace_all(ys, "@CMOS_LOG@", cmos.string());
  write_file_atomic(script, ys);

  const auto t0 = std::chrono::steady_clock::now();
  const std::string cmd = shell_quote(WRPN_YOSYS) + " -q -l " + shell_quote(log.string()) + " -s " +
                          shell_quote(script.string()) + " > /dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rc != 0) {
    std::string tail;
    if (fs::exists(log)) {
      const std::string text = read_file(log);
      tail = text.size() > 1500 ? text.substr(text.size() - 1500) : text;
    }
    fail("RTL002", script.string(), "", "Yosys failed on variant " + v.id + " (exit status " + std::to_string(rc) + ")",
         tail.empty() ? std::string("is yosys installed? scripts/install-deps.sh installs it") : "log tail:\n" + tail);
  }

  const nlohmann::json stat = nlohmann::json::parse(read_file(stat_json));
  const nlohmann::json& by_type = stat.at("design").at("num_cells_by_type");
  const nlohmann::json table = cell_table();
  const nlohmann::json& areas = table.at("cells");
  int64_t total = 0, ffs = 0;
  double area_logic = 0, area_ff = 0;
  for (auto it = by_type.begin(); it != by_type.end(); ++it) {
    const int64_t n = it.value().get<int64_t>();
    if (!areas.contains(it.key()))
      fail("RTL003", rtl_dir() + "/synth/cell_area.json", "/cells",
           "no area for cell type " + it.key() + " (variant " + v.id + ")", "add it to the table with its source");
    const double a = areas.at(it.key()).get<double>() * static_cast<double>(n);
    total += n;
    if (it.key().rfind("$_DFF", 0) == 0) {
      ffs += n;
      area_ff += a;
    } else {
      area_logic += a;
    }
  }
  // "Estimated number of transistors: 1808+" ('+': cells Yosys cannot price, the flip-flops).
  int64_t comb_transistors = -1;
  {
    const std::string text = read_file(cmos);
    const std::regex re("Estimated number of transistors:\\s*([0-9]+)");
    std::smatch m;
    if (std::regex_search(text, m, re)) comb_transistors = std::stoll(m[1].str());
  }
  const int64_t ff_t = table.at("ff_transistors").get<int64_t>();

  nlohmann::json params = nlohmann::json::object();
  if (v.top == "pe") params["PeKind"] = pe_kind_number(v.kind);
  if (v.kind != "fp32") {
    params["WidthA"] = v.width_a;
    if (v.top == "mac_unit" || v.top == "pe") params["WidthW"] = v.width_w;
    if (v.top == "mac_binary" || (v.top == "pe" && v.kind == "binary")) params["Lanes"] = v.lanes;
    params["AccWidth"] = v.acc_width;
  }
  nlohmann::json j = {{"format", "wrpn-synth"},
                      {"version", 1},
                      {"variant", v.id},
                      {"top", v.top},
                      {"kind", v.kind},
                      {"width", v.width},
                      {"width_a", v.width_a},
                      {"width_w", v.width_w},
                      {"lanes", v.lanes},
                      {"acc_width", v.acc_width},
                      {"acc_rule", v.acc_rule},
                      {"params", params},
                      {"flow",
                       {{"script", "rtl/synth/" + v.flow},
                        {"abc", v.fast_abc ? "fast" : "full"},
                        {"abc_why", v.fast_abc ? std::string(fast_abc_reason(v)) : std::string()},
                        {"gates", kGates},
                        {"yosys", WRPN_YOSYS_VERSION}}},
                      {"cells", {{"total", total}, {"logic", total - ffs}, {"flip_flops", ffs}, {"by_type", by_type}}},
                      {"area_um2", {{"total", area_logic + area_ff}, {"logic", area_logic}, {"flip_flops", area_ff}}},
                      {"area_nand2_eq", (area_logic + area_ff) / table.at("nand2_um2").get<double>()},
                      {"transistors",
                       {{"combinational_yosys_cmos", comb_transistors},
                        {"flip_flops", ffs * ff_t},
                        {"total", comb_transistors < 0 ? -1 : comb_transistors + ffs * ff_t}}},
                      {"cell_area_table", "rtl/synth/cell_area.json"},
                      {"rtl_sha256", key},
                      {"synth_seconds", std::round(secs * 100) / 100}};
  fs::create_directories(out_dir);
  write_file_atomic(out, j.dump(2) + "\n");
  std::error_code ec;
  if (o.work_dir.empty()) fs::remove_all(work, ec);
  return j;
}

std::string synth_table_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-30s %5s %7s %5s %10s %10s %11s %8s %s", "variant", "width", "cells", "ffs",
                "area_um2", "nand2_eq", "transistors", "seconds", "source");
  return buf;
}

std::string format_synth_row(const nlohmann::json& j, bool cached) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-30s %5d %7lld %5lld %10.1f %10.1f %11lld %8.1f %s",
                j.at("variant").get<std::string>().c_str(), j.at("width").get<int>(),
                static_cast<long long>(j.at("cells").at("total").get<int64_t>()),
                static_cast<long long>(j.at("cells").at("flip_flops").get<int64_t>()),
                j.at("area_um2").at("total").get<double>(), j.at("area_nand2_eq").get<double>(),
                static_cast<long long>(j.at("transistors").at("total").get<int64_t>()),
                j.at("synth_seconds").get<double>(), cached ? "cache" : "yosys");
  return buf;
}

}  // namespace wrpn::rtl
