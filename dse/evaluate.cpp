#include "dse/evaluate.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "common/sha256.h"
#include "common/subprocess.h"
#include "dse/child_steps.h"
#include "energy/fp32_baseline.h"
#include "energy/pricing.h"
#include "energy/synth_calibration.h"
#include "energy/tech_table.h"
#include "mapping/evaluate.h"
#include "mapping/mapper.h"
#include "sim/simulator.h"
#include "trainer/model.h"
#include "trainer/train.h"
#include "workloads/network.h"
#include "workloads/trace.h"

namespace wrpn {

void check_point_inputs(const SweepConfig& config) {
  // A diagnostic of the input itself (its own file and line) moves to the sweep config's field that
  // named it, so the user sees both.
  auto at = [&](const std::string& pointer, const std::function<void()>& load) {
    try {
      load();
    } catch (const DiagnosticError& e) {
      const Diagnostic& d = e.diagnostic();
      const std::string where = d.file.empty() ? "" : d.file + (d.pointer.empty() ? "" : ":" + d.pointer) + ": ";
      fail(d.code, config.source, pointer, where + d.message, d.hint);
    }
  };
  at("/network", [&] { load_network(config.network); });
  for (size_t i = 0; i < config.techs.size(); ++i)
    if (!config.techs[i].empty())
      at("/axes/tech/" + std::to_string(i), [&] { energy::TechTable::load(config.techs[i]); });
  // Trained points need a network the trainer has, at every point's width and precision.
  if (config.accuracy == AccuracyMode::train)
    for (const auto& p : config.points()) {
      trainer::ModelSpec spec;
      spec.model = config.network;
      spec.width = p.width;
      spec.wbits = p.wbits;
      spec.abits = p.abits;
      at("/network", [&] { trainer::spec_network(spec); });
    }
  if (!config.synth_calibration.empty())
    at("/run/synth_calibration",
       [&] { energy::with_synth_calibration(energy::TechTable::load_default(), config.synth_calibration); });
}

TrainedAccuracy trained_accuracy(const SweepConfig& config, const DesignPoint& point) {
  const nlohmann::json key{
      {"model", config.network}, {"width", point.width},          {"wbits", point.wbits},
      {"abits", point.abits},    {"epochs", config.train_epochs}, {"train_images", config.train_images},
      {"seed", config.seed}};
  const std::string hash = sha256_hex(key.dump()).substr(0, 16);
  namespace fs = std::filesystem;
  const fs::path cache(config.train_cache);
  fs::create_directories(cache);
  const std::string model = fs::path(config.network).stem().string();
  const fs::path dir = cache / (model + "-w" + std::to_string(point.wbits) + "a" + std::to_string(point.abits) + "-x" +
                                format_number(point.width) + "-" + hash);
  TrainedAccuracy r;
  r.run_dir = dir.string();
  FileLock lock(cache / (hash + ".lock"));
  steps::Train train;
  train.model = config.network;
  train.width = point.width;
  train.wbits = point.wbits;
  train.abits = point.abits;
  train.epochs = config.train_epochs;
  train.seed = config.seed;
  train.threads = 1;
  train.quiet = true;
  train.train_images = config.train_images;
  train.out_dir = dir.string();
  steps::Step step = steps::step(train);
  // A finished run is reused; a killed one continues from its checkpoint (steps::prepare_step).
  r.cached = steps::prepare_step(step);
  if (!r.cached) {
    const ProcessResult p = steps::run_step(step, /*capture=*/true);
    if (p.exit_code != 0)
      fail("DSE006", dir.string(), "",
           "training failed (exit " + std::to_string(p.exit_code) + "): " + steps::first_line(p.output));
    write_file_atomic((dir / "key.json").string(), key.dump(2) + "\n");
  }
  const std::vector<trainer::LogRow> log = trainer::read_log((dir / "log.csv").string());
  if (log.empty()) fail("DSE006", (dir / "log.csv").string(), "", "training finished without a readable log");
  r.accuracy_pct = log.back().test_acc_pct;
  return r;
}

namespace {

/// The trace of a trained run (`wrpn trace` in a child process) with `images` test images, exported
/// once into the run's cache directory and reused by every hardware point of that network.
std::string trace_of_trained_run(const std::string& run_dir, int64_t images) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(run_dir) / ("trace-" + std::to_string(images) + "img");
  FileLock lock(fs::path(run_dir) / "trace.lock");
  steps::Trace trace;
  trace.checkpoint = (fs::path(run_dir) / "checkpoint.bin").string();
  trace.images = images;
  trace.out_dir = dir.string();
  steps::Step step = steps::step(trace);
  if (steps::prepare_step(step)) return dir.string();
  const ProcessResult p = steps::run_step(step, /*capture=*/true);
  if (p.exit_code != 0)
    fail("DSE008", run_dir, "",
         "trace export failed (exit " + std::to_string(p.exit_code) + "): " + steps::first_line(p.output));
  return dir.string();
}

/// The point's per-layer action counts (no total): a functional SystemC run of its trained network's
/// trace (FP32 networks have none: timing only), a timing-only SystemC run, or the analytic model,
/// each at the mapper's choice for the sweep's objective on the point's arch. Records how they were
/// counted in `r`.
std::vector<ActionCounts> point_counts(const SweepConfig& config, const DesignPoint& point, const Network& net,
                                       const ArchConfig& arch, const energy::TechTable& tech,
                                       const std::string& train_run, nlohmann::json& r) {
  std::vector<ActionCounts> counts;
  // Every point runs the mapper's choice for the sweep's objective on its own arch.
  sim::SimOptions so;
  auto choose = [&](const std::vector<Layer>& layers) {
    return mapping::mappings_for_objective(
        arch, layers, config.objective, [&](const ActionCounts& c) { return energy::price({c}, tech).total_pj; },
        config.source + ":/run/objective");
  };
  // FP32 networks have no integer trace: their points are simulated timing-only.
  const bool functional = config.sim == SimMode::functional && point.wbits != 32 && point.abits != 32;
  if (functional) {
    const std::string trace_dir = trace_of_trained_run(train_run, config.batch);
    const Trace trace = read_trace(trace_dir);
    const sim::Workload wl = sim::workload_from_trace(trace, trace_dir);
    so.mappings = choose(wl.layers);
    const sim::SimResult s = sim::simulate(arch, wl, so);
    if (s.mismatches > 0)
      fail("DSE008", trace_dir, "",
           std::to_string(s.mismatches) + " simulated outputs differ from the trace; first: " + s.first_mismatch);
    counts = sim::layer_counts(s);
    if (!counts.empty() && counts.back().layer == "total") counts.pop_back();
    r["counts_source"] = "systemc-functional";
    r["trace"] = trace_dir;
    r["bit_exact_outputs"] = s.outputs_checked;
  } else if (config.sim != SimMode::analytic) {
    so.mappings = choose(net.layers);
    const sim::SimResult s = sim::simulate(arch, sim::workload_from_network(net, config.network), so);
    counts = sim::layer_counts(s);
    // layer_counts appends the total; pricing wants layers only.
    if (!counts.empty() && counts.back().layer == "total") counts.pop_back();
    r["counts_source"] = "systemc";
  } else {
    const std::vector<mapping::LayerMapping> ms = choose(net.layers);
    counts = mapping::analytic_counts(arch, net.layers, &ms);
    r["counts_source"] = "analytic";
  }
  return counts;
}

}  // namespace

nlohmann::json evaluate_point(const SweepConfig& config, const DesignPoint& point) {
  const auto start = std::chrono::steady_clock::now();
  nlohmann::json r{{"id", point.id()}, {"point", point.to_json()}};
  try {
    const Network net = config.network_for(point);
    const mapping::ResolvedArch design = config.design_for(point, net.layers);
    const ArchConfig& arch = design.arch;
    r["design_point"] = design.to_json();
    energy::TechTable tech =
        point.tech.empty() ? energy::TechTable::load_default() : energy::TechTable::load(point.tech);
    if (!config.synth_calibration.empty()) tech = energy::with_synth_calibration(tech, config.synth_calibration);

    std::optional<TrainedAccuracy> trained;
    if (config.accuracy == AccuracyMode::train) trained = trained_accuracy(config, point);

    const std::vector<ActionCounts> counts =
        point_counts(config, point, net, arch, tech, trained ? trained->run_dir : std::string(), r);
    r["objective"] = config.objective;
    const ActionCounts total = sum_counts(counts);
    const energy::EnergyBreakdown e = energy::price(counts, tech);
    nlohmann::json ej{{"total", e.total_pj}};
    for (size_t i = 0; i < e.components.size(); ++i) ej[e.components[i]] = e.total_by_component_pj[i];
    if (trained) {
      r["accuracy_pct"] = trained->accuracy_pct;
      r["train_run"] = trained->run_dir;
      r["train_cached"] = trained->cached;
    }
    r["status"] = "ok";
    r["macs"] = total.macs;
    r["cycles"] = total.cycles;
    r["latency_ms"] = static_cast<double>(total.cycles) / (arch.clock_mhz * 1e3);
    r["energy_pj"] = ej;
    r["tech"] = tech.name;
    if (config.area) {
      const energy::AreaBreakdown a = energy::area(arch, tech);
      r["area_mm2"] = a.total_mm2;
      r["pe_area_um2"] = a.pe_um2;
      r["array_area_mm2"] = a.array_mm2;
      r["area_source"] = config.synth_calibration.empty() ? "tech table" : "tech table, Yosys-calibrated MACs";
    }
  } catch (const DiagnosticError& err) {
    r["status"] = "failed";
    r["reason"] = err.diagnostic().format();
  }
  r["elapsed_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace wrpn
