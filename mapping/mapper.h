// The mapper: per layer, searches the legal mappings of a documented space (docs/mapping.md) and
// picks the best for an objective. Candidates are costed exactly (the same totals the analytic
// evaluator gets by walking the step list, computed per class of equal steps), so the choice is
// the true optimum of the space under the analytic evaluator; a safe lower bound skips candidates
// that cannot win. Deterministic: ties go to fewer cycles, then fewer DRAM bytes, then the first
// candidate in enumeration order.
//
// Energy without energy/: the caller gives a pricing function of ActionCounts (apps/ and dse/ pass
// energy::price over the tech table); the mapper probes it once per arch for the per-action
// energies (pricing is linear in the counts) and prices candidates from those weights.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/action_counts.h"
#include "common/arch_config.h"
#include "mapping/plan.h"
#include "workloads/network.h"

namespace wrpn::mapping {

enum class Objective { energy, cycles, edp, dram };
const char* to_string(Objective o);
/// Parses "energy", "cycles", "edp" or "dram"; false for anything else.
bool parse_objective(const std::string& s, Objective* out);
/// The objective every command uses unless told otherwise.
inline constexpr Objective kDefaultObjective = Objective::edp;

/// Energy per action (pJ), probed from a pricing function. Buffers in role order
/// (weights, inputs, outputs).
struct EnergyWeights {
  double pe_op_pj = 0, register_write_pj = 0, accumulator_update_pj = 0, requant_pj = 0;
  double pe_idle_cycle_pj = 0, cycle_pj = 0, dram_read_byte_pj = 0, dram_write_byte_pj = 0;
  double buffer_read_pj[3] = {0, 0, 0}, buffer_write_pj[3] = {0, 0, 0};
  bool valid = false;
};
using PriceFn = std::function<double(const ActionCounts&)>;
/// Probes `price` with one action at a time (in large counts) on `arch`'s PE and buffers.
EnergyWeights probe_energy_weights(const ArchConfig& arch, const PriceFn& price);

/// Exact totals of one mapping of one layer (equal to evaluate_plan on build_plan's steps).
struct MappingCost {
  uint64_t cycles = 0, compute_cycles = 0, port_stall_cycles = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t buffer_read_words[3] = {0, 0, 0}, buffer_write_words[3] = {0, 0, 0};
  uint64_t pe_ops = 0, register_writes = 0;
  double energy_pj = 0;  ///< 0 when no energy weights were given
  uint64_t dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
};

/// Per-layer tables the costing reuses across candidates (input bands per pixel-tile size).
class LayerCoster {
 public:
  LayerCoster(const ArchConfig& arch, const Layer& layer, const EnergyWeights* weights = nullptr);
  /// "" when legal, else why not (same rules as mapping_error).
  std::string error(const LayerMapping& m);
  bool legal(const LayerMapping& m);
  MappingCost cost(const LayerMapping& m);
  /// Whether the input rows of every pixel tile of `tm` fit an input slot (non-resident inputs).
  bool inputs_fit(int64_t tm);
  /// DRAM bytes of loading every pixel tile's input rows once (one group).
  uint64_t band_bytes(int64_t tm);
  /// Value of `m`'s cost for an objective (smaller is better).
  double objective_value(const MappingCost& c, Objective o) const;

 private:
  struct Bands {
    uint64_t sum_words = 0, sum_bytes = 0, max_words = 0;
  };
  const Bands& bands(int64_t tm);
  const ArchConfig& arch_;
  Layer layer_;
  const EnergyWeights* weights_;
  std::vector<Bands> band_cache_;
  std::vector<bool> band_known_;
};

/// One layer's choice and what the mapper reports about it.
struct MappedLayer {
  std::string layer;
  bool on_array = false;
  LayerMapping mapping;
  MappingCost cost;
  uint64_t candidates = 0, legal = 0, costed = 0;  ///< enumerated, legal, fully costed (not pruned)
};

/// The candidate list of the documented space, in enumeration order (legal or not).
std::vector<LayerMapping> candidate_space(const ArchConfig& arch, const Layer& layer);

/// Best legal mapping of one layer for `objective`. Energy needs `weights` (valid); otherwise
/// the energy and edp objectives raise MAP001.
MappedLayer map_layer(const ArchConfig& arch, const Layer& layer, Objective objective,
                      const EnergyWeights* weights = nullptr);

/// Maps every layer (layers off the array get an unused default entry).
std::vector<MappedLayer> map_network(const ArchConfig& arch, const std::vector<Layer>& layers, Objective objective,
                                     const EnergyWeights* weights = nullptr);

/// The mappings of every layer for `objective` (what `wrpn sim`, `wrpn energy` and sweeps run):
/// probes `price` for the energy weights when the objective needs them (an empty `price` with the
/// energy or edp objective is MAP001).
std::vector<LayerMapping> choose_mappings(const ArchConfig& arch, const std::vector<Layer>& layers, Objective objective,
                                          const PriceFn& price);

/// What every command runs for an objective name: "rule" gives the fixed default rule
/// (default_mapping) of every layer, "energy", "cycles", "edp" or "dram" the mapper's choice
/// (choose_mappings); anything else is MAP003 naming `where` (a flag or a config pointer).
std::vector<LayerMapping> mappings_for_objective(const ArchConfig& arch, const std::vector<Layer>& layers,
                                                 const std::string& objective, const PriceFn& price,
                                                 const std::string& where = "--objective");

/// The dataflows the mapper may use on `arch` (the arch's list, or its one dataflow).
std::vector<Dataflow> arch_dataflows(const ArchConfig& arch);

}  // namespace wrpn::mapping
