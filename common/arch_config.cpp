#include "common/arch_config.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace wrpn {

const char* to_string(Dataflow d) {
  switch (d) {
    case Dataflow::output_stationary:
      return "output_stationary";
    case Dataflow::weight_stationary:
      return "weight_stationary";
    case Dataflow::input_stationary:
      return "input_stationary";
  }
  return "?";
}

const char* short_name(Dataflow d) {
  switch (d) {
    case Dataflow::output_stationary:
      return "OS";
    case Dataflow::weight_stationary:
      return "WS";
    case Dataflow::input_stationary:
      return "IS";
  }
  return "?";
}

const std::vector<std::string>& dataflow_names() {
  static const std::vector<std::string> names{"output_stationary", "weight_stationary", "input_stationary"};
  return names;
}

bool parse_dataflow(const std::string& s, Dataflow* out) {
  for (Dataflow d : {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary})
    if (s == to_string(d)) {
      *out = d;
      return true;
    }
  return false;
}

const char* to_string(DramType t) {
  switch (t) {
    case DramType::ddr3:
      return "ddr3";
    case DramType::lpddr4:
      return "lpddr4";
    case DramType::hbm2:
      return "hbm2";
  }
  return "?";
}

const char* to_string(BufferRole r) {
  switch (r) {
    case BufferRole::weights:
      return "weights";
    case BufferRole::inputs:
      return "inputs";
    case BufferRole::outputs:
      return "outputs";
  }
  return "?";
}

const BufferConfig& ArchConfig::buffer(BufferRole role) const {
  for (const auto& b : buffers)
    if (b.holds == role) return b;
  fail("ARCH001", source, "/buffers", std::string("no buffer holds ") + to_string(role));
}

ArchConfig ArchConfig::from_json(const ConfigObject& root) {
  ArchConfig a;
  a.source = root.file();
  a.name = root.get_string("name", "unnamed");
  a.clock_mhz = root.get_number("clock_mhz", 1.0, 100000.0, 1000.0);

  const ConfigObject arr = root.get_object("array");
  a.rows = static_cast<int>(arr.get_int("rows", 1, 1024));
  a.cols = static_cast<int>(arr.get_int("cols", 1, 1024));
  parse_dataflow(arr.get_enum("dataflow", dataflow_names(), "output_stationary"), &a.dataflow);
  // Optional: the dataflows the mapper may choose per layer (a reconfigurable array); the first is
  // the default rule's. Without it the array has its one `dataflow`.
  if (arr.has("dataflows")) {
    if (arr.has("dataflow")) arr.error("dataflows", "ARCH001", "give either \"dataflow\" or \"dataflows\", not both");
    const std::vector<std::string> dfs = arr.get_string_array("dataflows", 1);
    for (size_t i = 0; i < dfs.size(); ++i) {
      Dataflow d = Dataflow::output_stationary;
      if (!parse_dataflow(dfs[i], &d))
        arr.error_at("dataflows", i, "CFG002",
                     "expected one of output_stationary, weight_stationary, input_stationary, got \"" + dfs[i] + "\"");
      if (std::find(a.dataflows.begin(), a.dataflows.end(), d) != a.dataflows.end())
        arr.error_at("dataflows", i, "ARCH001", "dataflow \"" + dfs[i] + "\" listed twice");
      a.dataflows.push_back(d);
    }
    a.dataflow = a.dataflows.front();
  }
  a.clock_gating = arr.get_bool("clock_gating", true);
  arr.finish();

  // "pe" pins the PE (and "pe.acc_bits" the accumulator); without it the design-point policy picks
  // both from the precision policy and the workload (mapping/design_point.h, docs/design-points.md).
  a.pe_pinned = root.has("pe");
  a.acc_pinned = false;
  if (a.pe_pinned) {
    const ConfigObject pe = root.get_object("pe");
    parse_pe_type(pe.get_enum("type", {"int", "ternary", "binary", "fp32"}), &a.pe_type);
    const int default_bits =
        a.pe_type == PeType::fp32 ? 32 : (a.pe_type == PeType::binary ? 1 : (a.pe_type == PeType::ternary ? 2 : 8));
    a.pe_wbits = static_cast<int>(pe.get_int("wbits", 1, 32, default_bits));
    a.pe_abits = static_cast<int>(pe.get_int("abits", 1, 32, a.pe_type == PeType::fp32 ? 32 : 8));
    auto check_bits = [&](const char* key, int bits) {
      if (!is_valid_bits(bits)) pe.error(key, "CFG002", "expected bits in [1, 16] or 32, got " + std::to_string(bits));
    };
    check_bits("wbits", a.pe_wbits);
    check_bits("abits", a.pe_abits);
    if (a.pe_type == PeType::fp32 && (a.pe_wbits != 32 || a.pe_abits != 32))
      pe.error("wbits", "ARCH001", "an fp32 PE has 32-bit operands");
    if (a.pe_type != PeType::fp32 && (a.pe_wbits == 32 || a.pe_abits == 32))
      pe.error("wbits", "ARCH001", "32-bit operands need \"type\": \"fp32\"");
    if (a.pe_type == PeType::binary && a.pe_wbits != 1) pe.error("wbits", "ARCH001", "a binary PE has 1-bit weights");
    if (a.pe_type == PeType::ternary && a.pe_wbits != 2) pe.error("wbits", "ARCH001", "a ternary PE has 2-bit weights");
    // Without "acc_bits" the accumulator comes from the workload (mapping/design_point.h); 32 stands in
    // until the design-point policy sets it.
    a.acc_pinned = pe.has("acc_bits");
    a.acc_bits = static_cast<int>(pe.get_int("acc_bits", 2, kMaxAccBits, 32));
    if (a.acc_pinned && a.pe_type != PeType::fp32 && a.acc_bits < min_acc_bits_for_product(a.pe_abits, a.pe_wbits))
      pe.error("acc_bits", "ARCH001",
               "accumulator of " + std::to_string(a.acc_bits) + " bits cannot hold one " + std::to_string(a.pe_abits) +
                   "x" + std::to_string(a.pe_wbits) + "-bit product (needs at least " +
                   std::to_string(min_acc_bits_for_product(a.pe_abits, a.pe_wbits)) + ")",
               "raise acc_bits; a full dot product usually needs acc_bits_for_fan_in more");
    a.overflow = pe.get_enum("overflow", {"error", "saturate"}, "error") == "error" ? OverflowMode::error
                                                                                    : OverflowMode::saturate;
    pe.finish();
  }

  const auto bufs = root.get_object_array("buffers", 3);
  for (const auto& b : bufs) {
    BufferConfig c;
    c.name = b.get_string("name");
    const std::string holds = b.get_enum("holds", {"weights", "inputs", "outputs"});
    c.holds = holds == "weights" ? BufferRole::weights : (holds == "inputs" ? BufferRole::inputs : BufferRole::outputs);
    c.capacity_kib = b.get_int("capacity_kib", 1, 65536);
    c.word_bits = static_cast<int>(b.get_int("word_bits", 8, 4096, 64));
    c.banks = static_cast<int>(b.get_int("banks", 1, 1024, 1));
    c.ports = static_cast<int>(b.get_int("ports", 1, 4, 1));
    c.double_buffered = b.get_bool("double_buffered", true);
    b.finish();
    for (const auto& prev : a.buffers) {
      if (prev.holds == c.holds)
        b.error("holds", "ARCH001", "two buffers hold " + holds, "give each of weights, inputs, outputs one buffer");
      if (prev.name == c.name) b.error("name", "ARCH001", "duplicate buffer name \"" + c.name + "\"");
    }
    a.buffers.push_back(c);
  }
  for (BufferRole r : {BufferRole::weights, BufferRole::inputs, BufferRole::outputs}) {
    bool found = false;
    for (const auto& b : a.buffers) found = found || b.holds == r;
    if (!found) root.error("buffers", "ARCH001", std::string("no buffer holds ") + to_string(r));
  }

  const ConfigObject dram = root.get_object("dram");
  a.dram.ideal = dram.get_bool("ideal", false);
  a.dram.bandwidth_bytes_per_cycle = dram.get_number("bandwidth_bytes_per_cycle", 1e-6, 1e6, 16.0);
  a.dram.latency_cycles = dram.get_int("latency_cycles", 0, 1000000, 100);
  a.dram.burst_bytes = dram.get_int("burst_bytes", 1, 1 << 20, 64);
  a.dram.max_outstanding = dram.get_int("max_outstanding", 1, 1024, 1);
  const std::string dram_type = dram.get_enum("type", {"ddr3", "lpddr4", "hbm2"}, "ddr3");
  a.dram.type = dram_type == "lpddr4" ? DramType::lpddr4 : (dram_type == "hbm2" ? DramType::hbm2 : DramType::ddr3);
  dram.finish();
  root.finish();
  return a;
}

ArchConfig ArchConfig::load(const std::string& path) {
  const ConfigDocument doc = ConfigDocument::load(path, "arch");
  return from_json(doc.root());
}

ArchConfig ArchConfig::builtin_template() {
  ArchConfig a = builtin_default(8, 8);
  a.name = "builtin";
  a.pe_pinned = false;
  a.acc_pinned = false;
  return a;
}

ArchConfig ArchConfig::builtin_default(int wbits, int abits) {
  ArchConfig a;
  a.name = "builtin-default";
  a.pe_type = pe_type_for_bits(wbits, abits);
  a.pe_wbits = wbits;
  a.pe_abits = abits;
  a.acc_bits = 32;
  a.buffers = {{"weight_buffer", BufferRole::weights, 128, 64, 1, 1, true},
               {"input_buffer", BufferRole::inputs, 128, 64, 1, 1, true},
               {"output_buffer", BufferRole::outputs, 64, 64, 1, 1, true}};
  return a;
}

nlohmann::json ArchConfig::to_json() const {
  nlohmann::json bufs = nlohmann::json::array();
  for (const auto& b : buffers)
    bufs.push_back({{"name", b.name},
                    {"holds", to_string(b.holds)},
                    {"capacity_kib", b.capacity_kib},
                    {"word_bits", b.word_bits},
                    {"banks", b.banks},
                    {"ports", b.ports},
                    {"double_buffered", b.double_buffered}});
  nlohmann::json array{{"rows", rows}, {"cols", cols}, {"clock_gating", clock_gating}};
  if (dataflows.empty()) {
    array["dataflow"] = to_string(dataflow);
  } else {
    array["dataflows"] = nlohmann::json::array();
    for (Dataflow d : dataflows) array["dataflows"].push_back(to_string(d));
  }
  return {{"kind", "arch"},
          {"version", kConfigVersion},
          {"name", name},
          {"clock_mhz", clock_mhz},
          {"array", array},
          {"pe",
           {{"type", to_string(pe_type)},
            {"wbits", pe_wbits},
            {"abits", pe_abits},
            {"acc_bits", acc_bits},
            {"overflow", to_string(overflow)}}},
          {"buffers", bufs},
          {"dram",
           {{"bandwidth_bytes_per_cycle", dram.bandwidth_bytes_per_cycle},
            {"latency_cycles", dram.latency_cycles},
            {"burst_bytes", dram.burst_bytes},
            {"max_outstanding", dram.max_outstanding},
            {"ideal", dram.ideal},
            {"type", to_string(dram.type)}}}};
}

}  // namespace wrpn
