// The `sweep` config (configs/sweep/*.json): a network, the axes of a design-space exploration, and
// what to run per point. Defaults live here only (SweepConfig::from_json).
//
//   { "kind": "sweep", "version": 1, "name": "alexnet-bits",
//     "network": "alexnet", "batch": 1, "arch": "configs/arch/paper.json",
//     "axes": { "wbits": [2, 4, 8], "abits": [4, 8], "width": [1, 2], "array": [[16, 16], [32, 32]],
//               "dataflow": ["output_stationary"], "buffer_scale": [1.0], "tech": ["configs/tech/..."] },
//     "run": { "accuracy": "none", "sim": "timing", "area": true, "objective": "edp",
//              "train_epochs": 3, "train_images": 0, "train_cache": "results/cache/train" } }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/arch_config.h"
#include "common/config.h"
#include "mapping/design_point.h"
#include "workloads/network.h"

namespace wrpn {

/// One design point: a precision/width choice on one hardware configuration.
struct DesignPoint {
  int wbits = 32, abits = 32;
  double width = 1.0;
  int rows = 16, cols = 16;
  Dataflow dataflow = Dataflow::output_stationary;
  double buffer_scale = 1.0;  ///< multiplies every buffer's capacity_kib of the base arch
  std::string tech;           ///< tech table path ("" = built-in default)
  bool baseline = false;      ///< the FP32 width-1 reference for this hardware configuration

  /// Readable, unique, filesystem-safe id, e.g. "w4a4-x2-32x32-os-b1-horowitz45".
  std::string id() const;
  /// Id of the FP32 width-1 baseline point on the same hardware.
  std::string baseline_id() const;
  nlohmann::json to_json() const;
  static DesignPoint from_json(const nlohmann::json& j);
};

enum class AccuracyMode { none, train };
/// timing: SystemC timing-only run of the network shape; analytic: energy/'s closed-form counts;
/// functional: the trained network's trace (needs accuracy = train) simulated bit-exactly.
enum class SimMode { timing, analytic, functional };

struct SweepConfig {
  std::string name;
  std::string source;   ///< file it was read from
  std::string network;  ///< built-in name or topology CSV path
  int64_t batch = 1;
  std::string arch_path;  ///< base arch ("" = built-in default)
  std::vector<int> wbits, abits;
  /// First/last weighted layers' bits ("precision": {"first_wbits", ...}; 0 = the policy default:
  /// 8 when quantized), the same fields as the commands' --first-wbits/... flags.
  int first_wbits = 0, first_abits = 0, last_wbits = 0, last_abits = 0;
  std::vector<double> width;
  std::vector<std::pair<int, int>> arrays;
  std::vector<Dataflow> dataflows;
  std::vector<double> buffer_scales;
  std::vector<std::string> techs;
  AccuracyMode accuracy = AccuracyMode::none;
  SimMode sim = SimMode::timing;
  bool area = true;
  int64_t train_epochs = 3;  ///< used when accuracy = "train"
  int64_t train_images = 0;  ///< train on the first N images (0 = all), when accuracy = "train"
  /// Trained runs are cached here by a hash of their full training configuration, so every sweep
  /// (and every hardware point of one sweep) reuses them.
  std::string train_cache = "results/cache/train";
  /// Cached Yosys results (`wrpn synth`): when set, integer MAC energy and PE area take their
  /// bit-width scaling from the synthesized MACs (energy::with_synth_calibration).
  std::string synth_calibration;
  /// Mapping objective of every point (docs/mapping.md): energy, cycles, edp (default), dram, or
  /// rule (the fixed pre-mapper tiling).
  std::string objective = "edp";
  uint64_t seed = 1;

  static SweepConfig from_json(const ConfigObject& root);
  static SweepConfig load(const std::string& path);
  /// Effective config with defaults filled in: hashed to recognise a sweep directory.
  nlohmann::json to_json() const;
  /// Every point of the cross product, then one FP32 width-1 baseline per hardware configuration.
  std::vector<DesignPoint> points() const;
  /// The precision policy of a point: its body bits with the config's first/last fields.
  PrecisionPolicy precision_for(const DesignPoint& p) const;
  /// The point's network: loaded, widened, quantized (precision_for) and batched.
  Network network_for(const DesignPoint& p) const;
  /// The base arch with a point's array, dataflow and buffer scale applied, its PE and accumulator
  /// from the design-point policy (mapping/design_point.h) on `layers`; the FP32 baseline is the
  /// base design with FP32 PEs (energy::fp32_version).
  mapping::ResolvedArch design_for(const DesignPoint& p, const std::vector<Layer>& layers) const;
  ArchConfig arch_for(const DesignPoint& p) const { return design_for(p, network_for(p).layers).arch; }
};

}  // namespace wrpn
