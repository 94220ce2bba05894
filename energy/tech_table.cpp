#include "energy/tech_table.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/diagnostics.h"

#ifndef WRPN_ENERGY_SOURCE_DIR
#define WRPN_ENERGY_SOURCE_DIR "."
#endif

namespace wrpn::energy {

namespace fs = std::filesystem;

namespace {
constexpr DramType kDramTypes[] = {DramType::ddr3, DramType::lpddr4, DramType::hbm2};
}  // namespace

// ---------------------------------------------------------------- scaling rules

double TechTable::int_add_pj(int bits) const {
  return int_add.energy_pj * static_cast<double>(bits) / int_add.ref_wbits;
}

double TechTable::int_mult_pj(int wbits, int abits) const {
  return int_mult.energy_pj * static_cast<double>(wbits) * abits /
         (static_cast<double>(int_mult.ref_wbits) * int_mult.ref_abits);
}

double TechTable::register_pj(int bits) const { return register_bit.energy_pj * bits; }

double TechTable::int_add_area_um2(int bits) const {
  return int_add.area_um2 * static_cast<double>(bits) / int_add.ref_wbits;
}

double TechTable::int_mult_area_um2(int wbits, int abits) const {
  return int_mult.area_um2 * static_cast<double>(wbits) * abits /
         (static_cast<double>(int_mult.ref_wbits) * int_mult.ref_abits);
}

double TechTable::register_area_um2(int bits) const { return register_bit.area_um2 * bits; }

double TechTable::sram_read_pj(double capacity_kib, int word_bits) const {
  // Log-log interpolation of the 64-bit access energy between capacity anchors; outside the
  // anchors, the nearest segment's slope is extended (a single anchor means E ∝ sqrt(capacity)).
  double e64 = sram.front().read_energy_pj;
  if (sram.size() == 1) {
    e64 = sram.front().read_energy_pj * std::sqrt(capacity_kib / sram.front().capacity_kib);
  } else {
    size_t i = 0;
    while (i + 2 < sram.size() && capacity_kib > sram[i + 1].capacity_kib) ++i;
    const auto& a = sram[i];
    const auto& b = sram[i + 1];
    const double slope = std::log(b.read_energy_pj / a.read_energy_pj) / std::log(b.capacity_kib / a.capacity_kib);
    e64 = a.read_energy_pj * std::pow(capacity_kib / a.capacity_kib, slope);
  }
  return e64 * static_cast<double>(word_bits) / 64.0;
}

double TechTable::sram_write_pj(double capacity_kib, int word_bits) const {
  return sram_read_pj(capacity_kib, word_bits) * sram_write_to_read;
}

double TechTable::sram_access_pj(double capacity_kib, int word_bits, int banks, int ports, bool write) const {
  const double bank_kib = sram_per_bank ? capacity_kib / std::max(1, banks) : capacity_kib;
  const double e = write ? sram_write_pj(bank_kib, word_bits) : sram_read_pj(bank_kib, word_bits);
  return ports <= 1 ? e : e * std::pow(static_cast<double>(ports), sram_port_energy_exponent);
}

double TechTable::sram_port_area_factor(int ports) const {
  return ports <= 1 ? 1.0 : std::pow(static_cast<double>(ports), sram_port_area_exponent);
}

int TechTable::pe_register_bits(PeType type, int wbits, int abits, int acc_bits) {
  return type == PeType::fp32 ? 32 * 3 : wbits + abits + acc_bits;
}

const MacCalibration* TechTable::find_calibration(int wbits, int abits, int acc_bits) const {
  const MacCalibration* best = nullptr;
  for (const auto& c : calibration) {
    if (c.wbits != wbits || c.abits != abits) continue;
    if (best == nullptr || std::abs(c.acc_bits - acc_bits) < std::abs(best->acc_bits - acc_bits) ||
        (std::abs(c.acc_bits - acc_bits) == std::abs(best->acc_bits - acc_bits) && c.acc_bits < best->acc_bits))
      best = &c;
  }
  return best;
}

double TechTable::mac_pj(PeType type, int wbits, int abits, int acc_bits) const {
  switch (type) {
    case PeType::fp32:
      return fp32_mult.energy_pj + fp32_add.energy_pj;
    case PeType::int_k:
      // Yosys gives the datapath at its synthesized accumulator; only the accumulator difference is
      // priced by the adder rule (zero on an exact match).
      if (const auto* c = find_calibration(wbits, abits, acc_bits))
        return c->gates * calibration_energy_pj_per_gate + int_add_pj(acc_bits) - int_add_pj(c->acc_bits);
      return int_mult_pj(wbits, abits) + int_add_pj(acc_bits);
    case PeType::ternary:
      // Weight in {-1, 0, +1}: select x, -x or 0 (two gate levels per activation bit), then add.
      return 2.0 * abits * gate_pj() + int_add_pj(acc_bits);
    case PeType::binary:
      if (abits == 1) return gate_pj() + 0.5 * int_add_pj(acc_bits);         // XNOR + popcount increment
      return static_cast<double>(abits) * gate_pj() + int_add_pj(acc_bits);  // conditional negate + add
  }
  return 0.0;
}

double TechTable::pe_area_um2(PeType type, int wbits, int abits, int acc_bits) const {
  double datapath = 0;
  const int reg_bits = pe_register_bits(type, wbits, abits, acc_bits);
  switch (type) {
    case PeType::fp32:
      datapath = fp32_mult.area_um2 + fp32_add.area_um2;
      break;
    case PeType::int_k:
      if (const auto* c = find_calibration(wbits, abits, acc_bits)) {
        datapath =
            c->gates * calibration_area_um2_per_gate + int_add_area_um2(acc_bits) - int_add_area_um2(c->acc_bits);
      } else {
        datapath = int_mult_area_um2(wbits, abits) + int_add_area_um2(acc_bits);
      }
      break;
    case PeType::ternary:
      datapath = 2.0 * abits * gate.area_um2 + int_add_area_um2(acc_bits);
      break;
    case PeType::binary:
      datapath = abits == 1 ? gate.area_um2 + 0.5 * int_add_area_um2(acc_bits)
                            : static_cast<double>(abits) * gate.area_um2 + int_add_area_um2(acc_bits);
      break;
  }
  return datapath + register_area_um2(reg_bits);
}

double TechTable::pe_leakage_mw(PeType type, int wbits, int abits, int acc_bits) const {
  return pe_area_um2(type, wbits, abits, acc_bits) * 1e-6 * logic_leakage_mw_per_mm2;
}

double node_energy_factor(double from_nm, double from_v, double to_nm, double to_v) {
  return (to_nm / from_nm) * (to_v / from_v) * (to_v / from_v);
}

double node_area_factor(double from_nm, double to_nm) { return (to_nm / from_nm) * (to_nm / from_nm); }

// ---------------------------------------------------------------- JSON

static nlohmann::json primitive_json(const Primitive& p, bool is_mult, bool has_bits) {
  nlohmann::json j{{"energy_pj", p.energy_pj}, {"area_um2", p.area_um2}, {"source", p.source}};
  if (is_mult) {
    j["ref_wbits"] = p.ref_wbits;
    j["ref_abits"] = p.ref_abits;
  } else if (has_bits) {
    j["ref_bits"] = p.ref_wbits;
  }
  return j;
}

nlohmann::json TechTable::to_json() const {
  nlohmann::json dram_j = nlohmann::json::object();
  for (DramType d : kDramTypes)
    dram_j[to_string(d)] = {{"energy_pj_per_bit", dram_energy_pj_per_bit[static_cast<int>(d)]},
                            {"source", dram_sources[static_cast<int>(d)]}};
  nlohmann::json anchors_j = nlohmann::json::array();
  for (const auto& a : sram)
    anchors_j.push_back({{"capacity_kib", a.capacity_kib}, {"read_energy_pj_per_64_bits", a.read_energy_pj}});
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& a : anchors) {
    nlohmann::json x{{"what", a.what}, {"energy_pj", a.energy_pj}, {"source", a.source}};
    if (a.what == "sram")
      x["capacity_kib"] = a.capacity_kib;
    else
      x["bits"] = a.bits;
    checks.push_back(x);
  }
  nlohmann::json j{{"kind", "tech"},
                   {"version", kConfigVersion},
                   {"name", name},
                   {"description", description},
                   {"node_nm", node_nm},
                   {"voltage_v", voltage_v},
                   {"int_add", primitive_json(int_add, false, true)},
                   {"int_mult", primitive_json(int_mult, true, true)},
                   {"fp32_add", primitive_json(fp32_add, false, false)},
                   {"fp32_mult", primitive_json(fp32_mult, false, false)},
                   {"gate", primitive_json(gate, false, false)},
                   {"register_bit", primitive_json(register_bit, false, false)},
                   {"clock", {{"energy_pj_per_bit", clock_energy_pj_per_bit}, {"source", clock_source}}},
                   {"sram",
                    {{"anchors", anchors_j},
                     {"write_to_read_ratio", sram_write_to_read},
                     {"area_um2_per_kib", sram_area_um2_per_kib},
                     {"source", sram_source},
                     {"per_bank", sram_per_bank},
                     {"ports",
                      {{"energy_exponent", sram_port_energy_exponent},
                       {"area_exponent", sram_port_area_exponent},
                       {"source", sram_ports_source}}}}},
                   {"dram", dram_j},
                   {"leakage",
                    {{"logic_mw_per_mm2", logic_leakage_mw_per_mm2},
                     {"sram_mw_per_mm2", sram_leakage_mw_per_mm2},
                     {"source", leakage_source}}},
                   {"anchors", checks}};
  if (!calibration.empty()) {
    nlohmann::json macs = nlohmann::json::array();
    for (const auto& c : calibration)
      macs.push_back(
          {{"wbits", c.wbits}, {"abits", c.abits}, {"acc_bits", c.acc_bits}, {"gates", c.gates}, {"source", c.source}});
    j["calibration"] = {{"energy_pj_per_gate", calibration_energy_pj_per_gate},
                        {"area_um2_per_gate", calibration_area_um2_per_gate},
                        {"macs", macs}};
    if (!calibration_source.empty()) j["calibration"]["source"] = calibration_source;
  }
  return j;
}

namespace {

constexpr double kMaxPj = 1e7;
constexpr double kMaxArea = 1e9;

Primitive read_primitive(const ConfigObject& o, bool is_mult, bool has_bits) {
  Primitive p;
  if (is_mult) {
    p.ref_wbits = static_cast<int>(o.get_int("ref_wbits", 1, 64));
    p.ref_abits = static_cast<int>(o.get_int("ref_abits", 1, 64));
  } else if (has_bits) {
    p.ref_wbits = static_cast<int>(o.get_int("ref_bits", 1, 128));
  }
  p.energy_pj = o.get_number("energy_pj", 0.0, kMaxPj);
  if (p.energy_pj <= 0) o.error("energy_pj", "CFG002", "expected a positive energy, got 0");
  p.area_um2 = o.get_number("area_um2", 0.0, kMaxArea);
  p.source = o.get_string("source");
  o.finish();
  return p;
}

void read_leakage(const ConfigObject& l, TechTable& t) {
  t.logic_leakage_mw_per_mm2 = l.get_number("logic_mw_per_mm2", 0.0, 1e5);
  t.sram_leakage_mw_per_mm2 = l.get_number("sram_mw_per_mm2", 0.0, 1e5);
  t.leakage_source = l.get_string("source");
  l.finish();
}

TechTable parse_full(const ConfigObject& root, TechTable t) {
  t.node_nm = root.get_number("node_nm", 1.0, 1000.0);
  t.voltage_v = root.get_number("voltage_v", 0.1, 5.0);
  t.int_add = read_primitive(root.get_object("int_add"), false, true);
  t.int_mult = read_primitive(root.get_object("int_mult"), true, true);
  t.fp32_add = read_primitive(root.get_object("fp32_add"), false, false);
  t.fp32_mult = read_primitive(root.get_object("fp32_mult"), false, false);
  t.gate = read_primitive(root.get_object("gate"), false, false);
  t.register_bit = read_primitive(root.get_object("register_bit"), false, false);

  const ConfigObject s = root.get_object("sram");
  const auto anchors = s.get_object_array("anchors", 1);
  for (const auto& a : anchors) {
    SramAnchor x;
    x.capacity_kib = a.get_number("capacity_kib", 1.0 / 64, 1e7);
    x.read_energy_pj = a.get_number("read_energy_pj_per_64_bits", 1e-6, kMaxPj);
    a.finish();
    if (!t.sram.empty() && x.capacity_kib <= t.sram.back().capacity_kib)
      a.error("capacity_kib", "EN001", "SRAM anchors must be sorted by strictly increasing capacity_kib",
              "list the anchors from the smallest SRAM to the largest");
    if (!t.sram.empty() && x.read_energy_pj < t.sram.back().read_energy_pj)
      a.error("read_energy_pj_per_64_bits", "EN001", "a larger SRAM cannot cost less per access than a smaller one",
              "SRAM access energy grows with capacity (longer bit and word lines)");
    t.sram.push_back(x);
  }
  t.sram_write_to_read = s.get_number("write_to_read_ratio", 0.1, 10.0, 1.0);
  t.sram_area_um2_per_kib = s.get_number("area_um2_per_kib", 0.0, kMaxArea);
  t.sram_source = s.get_string("source");
  t.sram_per_bank = s.get_bool("per_bank", true);
  if (s.has("ports")) {
    const ConfigObject p = s.get_object("ports");
    t.sram_port_energy_exponent = p.get_number("energy_exponent", 0.0, 4.0);
    t.sram_port_area_exponent = p.get_number("area_exponent", 0.0, 4.0);
    t.sram_ports_source = p.get_string("source");
    p.finish();
  } else {
    t.sram_ports_source = "default rule: energy ∝ ports, area ∝ ports^2 (docs/energy-model.md)";
  }
  s.finish();

  // One per-bit access energy per DRAM type the arch can name ("dram": {"type"}); all are required so
  // every arch can be priced on every table.
  const ConfigObject d = root.get_object("dram");
  for (DramType type : kDramTypes) {
    const ConfigObject e = d.get_object(to_string(type));
    t.dram_energy_pj_per_bit[static_cast<int>(type)] = e.get_number("energy_pj_per_bit", 1e-3, 1e5);
    t.dram_sources[static_cast<int>(type)] = e.get_string("source");
    e.finish();
  }
  d.finish();

  const ConfigObject clk = root.get_object("clock");
  t.clock_energy_pj_per_bit = clk.get_number("energy_pj_per_bit", 0.0, 1.0);
  t.clock_source = clk.get_string("source");
  clk.finish();

  read_leakage(root.get_object("leakage"), t);

  if (root.has("anchors")) {
    for (const auto& a : root.get_object_array("anchors", 0)) {
      Anchor x;
      x.what = a.get_enum("what", {"int_add", "int_mult", "sram"});
      if (x.what == "sram") {
        x.capacity_kib = a.get_number("capacity_kib", 1.0 / 64, 1e7);
      } else {
        x.bits = static_cast<int>(a.get_int("bits", 1, 64));
      }
      x.energy_pj = a.get_number("energy_pj", 1e-9, kMaxPj);
      x.source = a.get_string("source");
      a.finish();
      t.anchors.push_back(x);
    }
  }

  if (root.has("calibration")) {
    const ConfigObject c = root.get_object("calibration");
    t.calibration_energy_pj_per_gate = c.get_number("energy_pj_per_gate", 1e-9, 1.0);
    t.calibration_area_um2_per_gate = c.get_number("area_um2_per_gate", 1e-6, 1e3);
    t.calibration_source = c.get_string("source", "");
    for (const auto& m : c.get_object_array("macs", 0)) {
      MacCalibration x;
      x.wbits = static_cast<int>(m.get_int("wbits", 1, 16));
      x.abits = static_cast<int>(m.get_int("abits", 1, 16));
      x.acc_bits = static_cast<int>(m.get_int("acc_bits", 2, kMaxAccBits));
      x.gates = m.get_number("gates", 1.0, 1e9);
      x.source = m.get_string("source");
      m.finish();
      for (const auto& prev : t.calibration)
        if (prev.wbits == x.wbits && prev.abits == x.abits && prev.acc_bits == x.acc_bits)
          m.error("wbits", "EN001", "two calibration entries for the same (wbits, abits, acc_bits)",
                  "keep one gate count per MAC configuration");
      t.calibration.push_back(x);
    }
    c.finish();
  }
  return t;
}

}  // namespace

TechTable TechTable::from_json(const ConfigObject& root) {
  TechTable t;
  t.source_file = root.file();
  t.name = root.get_string("name");
  t.description = root.get_string("description", "");

  if (!root.has("scaled_from")) {
    t = parse_full(root, t);
    root.finish();
    return t;
  }

  // A derived table: the base table scaled to another node by the documented rule.
  const ConfigObject s = root.get_object("scaled_from");
  const std::string base_rel = s.get_string("table");
  const double to_nm = s.get_number("node_nm", 1.0, 1000.0);
  const double to_v = s.get_number("voltage_v", 0.1, 5.0);
  const std::string rule_source = s.get_string("source");
  s.finish();
  fs::path base_path = fs::path(base_rel);
  if (base_path.is_relative()) base_path = fs::path(root.file()).parent_path() / base_path;
  if (!fs::is_regular_file(base_path))
    s.error("table", "EN002", "base table \"" + base_path.string() + "\" not found",
            "the path is relative to this file's directory, e.g. \"horowitz45.json\"");
  if (fs::weakly_canonical(base_path) == fs::weakly_canonical(fs::path(root.file())))
    s.error("table", "EN002", "a tech table cannot be scaled from itself",
            "name the 45 nm base table, e.g. \"horowitz45.json\"");
  {
    const ConfigDocument base_doc = ConfigDocument::load(base_path.string(), "tech");
    if (base_doc.json().contains("scaled_from"))
      s.error("table", "EN002", "\"" + base_rel + "\" is itself a scaled table; chains of scaling are not allowed",
              "scale from a table with measured numbers (horowitz45.json)");
  }
  const TechTable base = TechTable::load(base_path.string());
  const double fe = node_energy_factor(base.node_nm, base.voltage_v, to_nm, to_v);
  const double fa = node_area_factor(base.node_nm, to_nm);
  if (fe > 1.0)
    s.error(
        "node_nm", "EN002",
        "scaling to a larger node or higher voltage is not supported (energy factor " + std::to_string(fe) + " > 1)",
        "scale_from is for smaller nodes; write a full table for older ones");

  TechTable x = base;
  x.name = t.name;
  x.description = t.description;
  x.source_file = t.source_file;
  x.node_nm = to_nm;
  x.voltage_v = to_v;
  const std::string note = " [scaled from " + base.name + " to " + std::to_string(static_cast<int>(to_nm)) +
                           " nm: energy x" + std::to_string(fe) + ", area x" + std::to_string(fa) + "; " + rule_source +
                           "]";
  for (Primitive* p : {&x.int_add, &x.int_mult, &x.fp32_add, &x.fp32_mult, &x.gate, &x.register_bit}) {
    p->energy_pj *= fe;
    p->area_um2 *= fa;
    p->source += note;
  }
  for (auto& a : x.sram) a.read_energy_pj *= fe;
  x.sram_area_um2_per_kib *= fa;
  x.sram_source += note;
  // The clock drives on-chip flip-flops and wires: it scales like the logic.
  x.clock_energy_pj_per_bit *= fe;
  x.clock_source += note;
  x.calibration_energy_pj_per_gate *= fe;
  x.calibration_area_um2_per_gate *= fa;
  // DRAM energy is the DRAM device and its I/O, not our logic node: unchanged.
  for (std::string& src : x.dram_sources) src += " [off-chip: not scaled with the logic node]";
  // Published anchors were measured at the base node; they no longer apply.
  x.anchors.clear();
  if (root.has("leakage")) read_leakage(root.get_object("leakage"), x);
  root.finish();
  return x;
}

TechTable TechTable::load(const std::string& path) {
  const ConfigDocument doc = ConfigDocument::load(path, "tech");
  return from_json(doc.root());
}

std::string default_tech_path() {
  const fs::path rel = fs::path("configs") / "tech" / "horowitz45.json";
  if (fs::exists(rel)) return rel.string();
  const fs::path src = fs::path(WRPN_ENERGY_SOURCE_DIR) / rel;
  if (fs::exists(src)) return src.string();
  fail("EN004", rel.string(), "",
       "default tech table not found (looked in the working directory and in " + std::string(WRPN_ENERGY_SOURCE_DIR) +
           ")",
       "pass --tech FILE or run from the repository root");
}

TechTable TechTable::load_default() { return load(default_tech_path()); }

}  // namespace wrpn::energy
