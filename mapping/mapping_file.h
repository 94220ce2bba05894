// Mapping files (kind "mapping", version 1): the per-layer mappings `wrpn map` writes and
// `wrpn sim --mapping FILE` / `wrpn energy --mapping FILE` replay, so a user can pin, edit and
// compare mappings by hand (docs/mapping.md, "Mapping files").
//
//   { "kind": "mapping", "version": 1, "network": "alexnet", "arch": "paper", "objective": "edp",
//     "layers": [ { "layer": "conv1", "dataflow": "output_stationary", "loop_order": "g>n>m>l",
//                   "tm": 32, "tn": 32, "tl": 363, "weights_resident": true, "inputs_resident": false },
//                 ... one entry per conv/fc layer, by name ] }
//
// Diagnostics: CFG00x (strict reading), MAP002 (the file does not match the workload's layers).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config.h"
#include "mapping/plan.h"
#include "workloads/network.h"

namespace wrpn::mapping {

struct MappingFile {
  std::string source;  ///< path, for messages
  std::string network, arch, objective;
  std::vector<std::string> layer_names;
  std::vector<LayerMapping> mappings;  ///< parallel to layer_names
};

/// Strict parse (CFG001-CFG006): every key known, values in range.
MappingFile load_mapping_file(const std::string& path);
MappingFile mapping_file_from_json(const ConfigObject& root);

/// One mapping per workload layer (defaults for layers off the array). MAP002 names the first
/// array layer the file lacks, or the first file entry that names no array layer of the workload.
std::vector<LayerMapping> mappings_for(const MappingFile& f, const std::vector<Layer>& layers);

/// The file's JSON for the given layers and mappings (layers off the array are skipped).
nlohmann::json mapping_file_json(const std::string& network, const std::string& arch, const std::string& objective,
                                 const std::vector<Layer>& layers, const std::vector<LayerMapping>& mappings);

}  // namespace wrpn::mapping
