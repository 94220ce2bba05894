#include "common/action_counts.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace wrpn {

void ActionCounts::accumulate(const ActionCounts& o) {
  passes = std::max(passes, o.passes);
  macs += o.macs;
  pe_active_cycles += o.pe_active_cycles;
  pe_idle_cycles += o.pe_idle_cycles;
  operand_register_writes += o.operand_register_writes;
  accumulator_updates += o.accumulator_updates;
  requant_ops += o.requant_ops;
  pool_ops += o.pool_ops;
  add_ops += o.add_ops;
  dram_read_bytes += o.dram_read_bytes;
  dram_write_bytes += o.dram_write_bytes;
  cycles += o.cycles;
  for (const auto& b : o.buffers) {
    bool found = false;
    for (auto& mine : buffers) {
      if (mine.name == b.name) {
        mine.read_words += b.read_words;
        mine.write_words += b.write_words;
        found = true;
        break;
      }
    }
    if (!found) buffers.push_back(b);
  }
}

const BufferActionCounts* ActionCounts::buffer(const std::string& name) const {
  for (const auto& b : buffers)
    if (b.name == name) return &b;
  return nullptr;
}

void to_json(nlohmann::json& j, const ActionCounts& c) {
  j = nlohmann::json{{"layer", c.layer},
                     {"source", c.source},
                     {"pe_type", to_string(c.pe_type)},
                     {"pe_wbits", c.pe_wbits},
                     {"pe_abits", c.pe_abits},
                     {"layer_wbits", c.layer_wbits},
                     {"layer_abits", c.layer_abits},
                     {"passes", c.passes},
                     {"acc_bits", c.acc_bits},
                     {"macs", c.macs},
                     {"pe_active_cycles", c.pe_active_cycles},
                     {"pe_idle_cycles", c.pe_idle_cycles},
                     {"operand_register_writes", c.operand_register_writes},
                     {"accumulator_updates", c.accumulator_updates},
                     {"requant_ops", c.requant_ops},
                     {"pool_ops", c.pool_ops},
                     {"add_ops", c.add_ops},
                     {"dram_read_bytes", c.dram_read_bytes},
                     {"dram_write_bytes", c.dram_write_bytes},
                     {"cycles", c.cycles},
                     {"clock_mhz", c.clock_mhz},
                     {"clock_gating", c.clock_gating},
                     {"dram_type", to_string(c.dram_type)}};
  auto& bufs = j["buffers"] = nlohmann::json::array();
  for (const auto& b : c.buffers)
    bufs.push_back({{"name", b.name},
                    {"capacity_kib", b.capacity_kib},
                    {"word_bits", b.word_bits},
                    {"banks", b.banks},
                    {"ports", b.ports},
                    {"read_words", b.read_words},
                    {"write_words", b.write_words}});
}

void from_json(const nlohmann::json& j, ActionCounts& c) {
  c.layer = j.at("layer").get<std::string>();
  c.source = j.at("source").get<std::string>();
  if (!parse_pe_type(j.at("pe_type").get<std::string>(), &c.pe_type))
    throw nlohmann::json::other_error::create(501, "unknown pe_type", &j);
  j.at("pe_wbits").get_to(c.pe_wbits);
  j.at("pe_abits").get_to(c.pe_abits);
  j.at("layer_wbits").get_to(c.layer_wbits);
  j.at("layer_abits").get_to(c.layer_abits);
  j.at("passes").get_to(c.passes);
  j.at("acc_bits").get_to(c.acc_bits);
  j.at("macs").get_to(c.macs);
  j.at("pe_active_cycles").get_to(c.pe_active_cycles);
  j.at("pe_idle_cycles").get_to(c.pe_idle_cycles);
  j.at("operand_register_writes").get_to(c.operand_register_writes);
  j.at("accumulator_updates").get_to(c.accumulator_updates);
  j.at("requant_ops").get_to(c.requant_ops);
  j.at("pool_ops").get_to(c.pool_ops);
  j.at("add_ops").get_to(c.add_ops);
  j.at("dram_read_bytes").get_to(c.dram_read_bytes);
  j.at("dram_write_bytes").get_to(c.dram_write_bytes);
  j.at("cycles").get_to(c.cycles);
  j.at("clock_mhz").get_to(c.clock_mhz);
  // Records written before these fields existed: gated clocks, DDR3, monolithic single-port buffers.
  c.clock_gating = j.value("clock_gating", true);
  const std::string dram = j.value("dram_type", std::string("ddr3"));
  c.dram_type = dram == "lpddr4" ? DramType::lpddr4 : (dram == "hbm2" ? DramType::hbm2 : DramType::ddr3);
  c.buffers.clear();
  for (const auto& b : j.at("buffers")) {
    BufferActionCounts x;
    b.at("name").get_to(x.name);
    b.at("capacity_kib").get_to(x.capacity_kib);
    b.at("word_bits").get_to(x.word_bits);
    x.banks = b.value("banks", 1);
    x.ports = b.value("ports", 1);
    b.at("read_words").get_to(x.read_words);
    b.at("write_words").get_to(x.write_words);
    c.buffers.push_back(x);
  }
}

ActionCounts sum_counts(const std::vector<ActionCounts>& layers) {
  ActionCounts total;
  total.layer = "total";
  if (!layers.empty()) {
    total.source = layers.front().source;
    total.pe_type = layers.front().pe_type;
    total.pe_wbits = layers.front().pe_wbits;
    total.pe_abits = layers.front().pe_abits;
    total.layer_wbits = layers.front().layer_wbits;
    total.layer_abits = layers.front().layer_abits;
    total.acc_bits = layers.front().acc_bits;
    total.clock_mhz = layers.front().clock_mhz;
    total.clock_gating = layers.front().clock_gating;
    total.dram_type = layers.front().dram_type;
  }
  for (const auto& l : layers) total.accumulate(l);
  return total;
}

}  // namespace wrpn
