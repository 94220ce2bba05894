#include "mapping/mapping_file.h"

#include <set>

#include "common/diagnostics.h"

namespace wrpn::mapping {

MappingFile mapping_file_from_json(const ConfigObject& root) {
  MappingFile f;
  f.source = root.file();
  f.network = root.get_string("network", "");
  f.arch = root.get_string("arch", "");
  f.objective = root.get_string("objective", "");
  std::set<std::string> seen;
  const std::vector<ConfigObject> layers = root.get_object_array("layers", 1);
  for (size_t i = 0; i < layers.size(); ++i) {
    const ConfigObject& o = layers[i];
    const std::string name = o.get_string("layer");
    if (!seen.insert(name).second) o.error("layer", "CFG002", "layer \"" + name + "\" is mapped twice");
    LayerMapping m;
    parse_dataflow(o.get_enum("dataflow", dataflow_names()), &m.dataflow);
    m.order = o.get_enum("loop_order", {"g>n>m>l", "g>m>n>l"}) == "g>n>m>l" ? LoopOrder::n_outer : LoopOrder::m_outer;
    m.tm = o.get_int("tm", 1, int64_t{1} << 40);
    m.tn = o.get_int("tn", 1, int64_t{1} << 40);
    m.tl = o.get_int("tl", 1, int64_t{1} << 40);
    m.weights_resident = o.get_bool("weights_resident", false);
    m.inputs_resident = o.get_bool("inputs_resident", false);
    o.finish();
    f.layer_names.push_back(name);
    f.mappings.push_back(m);
  }
  root.finish();
  return f;
}

MappingFile load_mapping_file(const std::string& path) {
  const ConfigDocument doc = ConfigDocument::load(path, "mapping");
  return mapping_file_from_json(doc.root());
}

std::vector<LayerMapping> mappings_for(const MappingFile& f, const std::vector<Layer>& layers) {
  std::vector<LayerMapping> out(layers.size());
  std::vector<bool> used(f.layer_names.size(), false);
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i].has_weights()) continue;
    size_t j = 0;
    while (j < f.layer_names.size() && f.layer_names[j] != layers[i].name) ++j;
    if (j == f.layer_names.size())
      fail("MAP002", f.source, "/layers",
           "no mapping for layer \"" + layers[i].name + "\" of the workload" +
               (f.network.empty() ? std::string() : " (the file was written for \"" + f.network + "\")"),
           "map the same network (`wrpn map`), or add an entry for the layer");
    out[i] = f.mappings[j];
    used[j] = true;
  }
  for (size_t j = 0; j < used.size(); ++j)
    if (!used[j])
      fail("MAP002", f.source, "/layers/" + std::to_string(j) + "/layer",
           "layer \"" + f.layer_names[j] + "\" is not a conv/fc layer of the workload",
           "map the same network (`wrpn map`), or remove the entry");
  return out;
}

nlohmann::json mapping_file_json(const std::string& network, const std::string& arch, const std::string& objective,
                                 const std::vector<Layer>& layers, const std::vector<LayerMapping>& mappings) {
  nlohmann::json ls = nlohmann::json::array();
  for (size_t i = 0; i < layers.size() && i < mappings.size(); ++i) {
    if (!layers[i].has_weights()) continue;
    const LayerMapping& m = mappings[i];
    ls.push_back({{"layer", layers[i].name},
                  {"dataflow", to_string(m.dataflow)},
                  {"loop_order", to_string(m.order)},
                  {"tm", m.tm},
                  {"tn", m.tn},
                  {"tl", m.tl},
                  {"weights_resident", m.weights_resident},
                  {"inputs_resident", m.inputs_resident}});
  }
  return {{"kind", "mapping"}, {"version", kConfigVersion}, {"network", network},
          {"arch", arch},      {"objective", objective},    {"layers", ls}};
}

}  // namespace wrpn::mapping
