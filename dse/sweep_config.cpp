#include "dse/sweep_config.h"

#include <cmath>
#include <filesystem>
#include <set>

#include "common/diagnostics.h"
#include "common/numerics.h"
#include "energy/fp32_baseline.h"

namespace wrpn {

namespace {

std::string trim_number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string tech_stem(const std::string& path) {
  return path.empty() ? "default" : std::filesystem::path(path).stem().string();
}

}  // namespace

std::string DesignPoint::id() const {
  std::string s = baseline ? "fp32" : ("w" + std::to_string(wbits) + "a" + std::to_string(abits));
  s += "-x" + trim_number(width) + "-" + std::to_string(rows) + "x" + std::to_string(cols) + "-" +
       (dataflow == Dataflow::output_stationary   ? "os"
        : dataflow == Dataflow::weight_stationary ? "ws"
                                                  : "is") +
       "-b" + trim_number(buffer_scale) + "-" + tech_stem(tech);
  for (auto& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) c = '_';
  return s;
}

std::string DesignPoint::baseline_id() const {
  DesignPoint b = *this;
  b.baseline = true;
  b.wbits = b.abits = kFp32Bits;
  b.width = 1.0;
  return b.id();
}

nlohmann::json DesignPoint::to_json() const {
  return {{"id", id()},
          {"wbits", wbits},
          {"abits", abits},
          {"width", width},
          {"rows", rows},
          {"cols", cols},
          {"dataflow", to_string(dataflow)},
          {"buffer_scale", buffer_scale},
          {"tech", tech},
          {"baseline", baseline}};
}

DesignPoint DesignPoint::from_json(const nlohmann::json& j) {
  DesignPoint p;
  p.wbits = j.at("wbits").get<int>();
  p.abits = j.at("abits").get<int>();
  p.width = j.at("width").get<double>();
  p.rows = j.at("rows").get<int>();
  p.cols = j.at("cols").get<int>();
  parse_dataflow(j.at("dataflow").get<std::string>(), &p.dataflow);
  p.buffer_scale = j.at("buffer_scale").get<double>();
  p.tech = j.at("tech").get<std::string>();
  p.baseline = j.at("baseline").get<bool>();
  return p;
}

namespace {

std::vector<int> bits_axis(const ConfigObject& axes, const char* key) {
  std::vector<int> out;
  const auto v = axes.get_int_array(key, 1, 32);
  for (size_t i = 0; i < v.size(); ++i) {
    if (!is_valid_bits(static_cast<int>(v[i])))
      axes.error_at(key, i, "CFG002", "expected bits in [1, 16] or 32, got " + std::to_string(v[i]));
    out.push_back(static_cast<int>(v[i]));
  }
  return out;
}

/// "precision": the first and last layers' bits (0 = the policy default).
void read_precision(const ConfigObject& root, SweepConfig& c) {
  if (!root.has("precision")) return;
  const ConfigObject prec = root.get_object("precision");
  auto bits = [&](const char* key) {
    const int b = static_cast<int>(prec.get_int(key, 0, 32, 0));
    if (b != 0 && !is_valid_bits(b))
      prec.error(key, "CFG002", "expected bits in [1, 16] or 32 (0 = the policy default), got " + std::to_string(b));
    return b;
  };
  c.first_wbits = bits("first_wbits");
  c.first_abits = bits("first_abits");
  c.last_wbits = bits("last_wbits");
  c.last_abits = bits("last_abits");
  prec.finish();
}

void read_arrays(const ConfigObject& axes, SweepConfig& c) {
  if (!axes.has("array")) return;
  const auto& arr = axes.get_raw("array");
  if (!arr.is_array() || arr.empty()) axes.error("array", "CFG002", "expected a non-empty array of [rows, cols] pairs");
  for (size_t i = 0; i < arr.size(); ++i) {
    const auto& e = arr[i];
    const bool ok = e.is_array() && e.size() == 2 && e[0].is_number_integer() && e[1].is_number_integer() &&
                    e[0].get<int64_t>() >= 1 && e[0].get<int64_t>() <= 1024 && e[1].get<int64_t>() >= 1 &&
                    e[1].get<int64_t>() <= 1024;
    if (!ok)
      axes.error_at("array", i, "CFG002", "expected [rows, cols] with integers in [1, 1024], got " + describe_json(e));
    c.arrays.emplace_back(e[0].get<int>(), e[1].get<int>());
  }
}

void read_dataflows(const ConfigObject& axes, SweepConfig& c) {
  if (!axes.has("dataflow")) return;
  for (const auto& d : axes.get_string_array("dataflow")) {
    Dataflow df = Dataflow::output_stationary;
    if (!parse_dataflow(d, &df))
      axes.error("dataflow", "CFG002",
                 "expected \"output_stationary\", \"weight_stationary\" or \"input_stationary\", got \"" + d + "\"");
    c.dataflows.push_back(df);
  }
}

/// "axes" (and "precision", read between the weight and activation bits as before).
void read_axes(const ConfigObject& root, SweepConfig& c) {
  const ConfigObject axes = root.get_object("axes");
  c.wbits = bits_axis(axes, "wbits");
  read_precision(root, c);
  c.abits = bits_axis(axes, "abits");
  c.width = axes.has("width") ? axes.get_number_array("width", 1.0, 64.0) : std::vector<double>{1.0};
  read_arrays(axes, c);
  read_dataflows(axes, c);
  c.buffer_scales =
      axes.has("buffer_scale") ? axes.get_number_array("buffer_scale", 1.0 / 64, 64.0) : std::vector<double>{1.0};
  c.techs = axes.has("tech") ? axes.get_string_array("tech") : std::vector<std::string>{""};
  axes.finish();
}

/// "run": accuracy, simulation mode, area, training schedule and cache, calibration, objective.
void read_run(const ConfigObject& root, SweepConfig& c) {
  if (!root.has("run")) return;
  const ConfigObject run = root.get_object("run");
  c.accuracy =
      run.get_enum("accuracy", {"none", "train"}, "none") == "train" ? AccuracyMode::train : AccuracyMode::none;
  const std::string sim = run.get_enum("sim", {"timing", "analytic", "functional"}, "timing");
  c.sim = sim == "timing" ? SimMode::timing : sim == "analytic" ? SimMode::analytic : SimMode::functional;
  c.area = run.get_bool("area", true);
  c.train_epochs = run.get_int("train_epochs", 1, 1000, 3);
  c.train_images = run.get_int("train_images", 0, 60000, 0);
  c.train_cache = run.get_string("train_cache", "results/cache/train");
  c.synth_calibration = run.get_string("synth_calibration", "");
  c.objective = run.get_enum("objective", {"energy", "cycles", "edp", "dram", "rule"}, "edp");
  if (c.sim == SimMode::functional && c.accuracy != AccuracyMode::train)
    run.error("sim", "CFG002", "functional simulation needs \"accuracy\": \"train\"",
              "the trace comes from the trained network: set run.accuracy to \"train\", or use \"timing\"");
  run.finish();
}

}  // namespace

SweepConfig SweepConfig::from_json(const ConfigObject& root) {
  SweepConfig c;
  c.source = root.file();
  c.name = root.get_string("name", "sweep");
  // The name becomes a directory under results/sweeps/ (and a Slurm job name): no path in it.
  if (c.name.empty() || c.name == "." || c.name == ".." ||
      c.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos)
    root.error("name", "CFG002", "expected a name of letters, digits, '.', '_' and '-', got " + describe_json(c.name),
               "the name is the directory results/sweeps/<name>; it cannot hold a path");
  c.network = root.get_string("network");
  c.batch = root.get_int("batch", 1, 4096, 1);
  c.arch_path = root.get_string("arch", "");
  c.seed = root.get_uint("seed", 0, UINT64_MAX, 1);  // every 64-bit seed, exactly
  read_axes(root, c);
  read_run(root, c);
  root.finish();

  // Defaults that depend on the base arch: its array and dataflow.
  const ArchConfig base = c.arch_path.empty() ? ArchConfig::builtin_template() : ArchConfig::load(c.arch_path);
  if (c.arrays.empty()) c.arrays.emplace_back(base.rows, base.cols);
  if (c.dataflows.empty()) c.dataflows.push_back(base.dataflow);
  return c;
}

SweepConfig SweepConfig::load(const std::string& path) {
  const ConfigDocument doc = ConfigDocument::load(path, "sweep");
  return from_json(doc.root());
}

nlohmann::json SweepConfig::to_json() const {
  nlohmann::json arrays_json = nlohmann::json::array();
  for (const auto& [r, cc] : arrays) arrays_json.push_back({r, cc});
  nlohmann::json dataflows_json = nlohmann::json::array();
  for (auto d : dataflows) dataflows_json.push_back(to_string(d));
  nlohmann::json j{{"kind", "sweep"},
                   {"version", kConfigVersion},
                   {"name", name},
                   {"network", network},
                   {"batch", batch},
                   {"arch", arch_path},
                   {"seed", seed},
                   {"axes",
                    {{"wbits", wbits},
                     {"abits", abits},
                     {"width", width},
                     {"array", arrays_json},
                     {"dataflow", dataflows_json},
                     {"buffer_scale", buffer_scales},
                     {"tech", techs}}},
                   {"run",
                    {{"accuracy", accuracy == AccuracyMode::train ? "train" : "none"},
                     {"sim", sim == SimMode::timing     ? "timing"
                             : sim == SimMode::analytic ? "analytic"
                                                        : "functional"},
                     {"area", area},
                     {"train_epochs", train_epochs},
                     {"train_images", train_images},
                     {"train_cache", train_cache}}}};
  // Only when set, so the effective config (and the hash that recognises a sweep directory) of
  // configs without it is unchanged.
  if (!synth_calibration.empty()) j["run"]["synth_calibration"] = synth_calibration;
  if (objective != "edp") j["run"]["objective"] = objective;
  if (first_wbits || first_abits || last_wbits || last_abits)
    j["precision"] = {{"first_wbits", first_wbits},
                      {"first_abits", first_abits},
                      {"last_wbits", last_wbits},
                      {"last_abits", last_abits}};
  return j;
}

std::vector<DesignPoint> SweepConfig::points() const {
  std::vector<DesignPoint> out;
  std::set<std::string> seen;
  auto push = [&](const DesignPoint& p) {
    if (seen.insert(p.id()).second) out.push_back(p);
  };
  for (const auto& tech : techs)
    for (double scale : buffer_scales)
      for (auto df : dataflows)
        for (const auto& [r, cc] : arrays)
          for (double wd : width)
            for (int wb : wbits)
              for (int ab : abits) {
                DesignPoint p;
                p.wbits = wb;
                p.abits = ab;
                p.width = wd;
                p.rows = r;
                p.cols = cc;
                p.dataflow = df;
                p.buffer_scale = scale;
                p.tech = tech;
                p.baseline = wb == kFp32Bits && ab == kFp32Bits && wd == 1.0;
                push(p);
              }
  // One FP32 width-1 baseline per hardware configuration, so every point has its reference.
  const size_t n = out.size();
  for (size_t i = 0; i < n; ++i) {
    DesignPoint b = out[i];
    b.baseline = true;
    b.wbits = b.abits = kFp32Bits;
    b.width = 1.0;
    push(b);
  }
  return out;
}

PrecisionPolicy SweepConfig::precision_for(const DesignPoint& p) const {
  PrecisionPolicy policy = PrecisionPolicy::uniform(p.wbits, p.abits);
  if (p.wbits == kFp32Bits && p.abits == kFp32Bits) return policy;  // the FP32 baseline is FP32 throughout
  if (first_wbits) policy.first_wbits = first_wbits;
  if (first_abits) policy.first_abits = first_abits;
  if (last_wbits) policy.last_wbits = last_wbits;
  if (last_abits) policy.last_abits = last_abits;
  return policy;
}

Network SweepConfig::network_for(const DesignPoint& p) const {
  return with_batch(apply_precision(apply_width(load_network(network), p.width), precision_for(p)), batch);
}

mapping::ResolvedArch SweepConfig::design_for(const DesignPoint& p, const std::vector<Layer>& layers) const {
  ArchConfig a = arch_path.empty() ? ArchConfig::builtin_template() : ArchConfig::load(arch_path);
  a.rows = p.rows;
  a.cols = p.cols;
  a.dataflow = p.dataflow;
  for (auto& b : a.buffers)
    b.capacity_kib =
        std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(b.capacity_kib) * p.buffer_scale)));
  const PrecisionPolicy policy = precision_for(p);
  if (policy.wbits == kFp32Bits || policy.abits == kFp32Bits) {
    // The FP32 baseline is the template design with FP32 PEs and buffer words widened to feed them
    // (energy::fp32_version), the same baseline `wrpn energy`, `wrpn paper` and `wrpn demo` use.
    mapping::ResolvedArch r = mapping::resolve_arch(a, policy, layers, network);
    r.arch = energy::fp32_version(a);
    return r;
  }
  return mapping::resolve_arch(a, policy, layers, network);
}

}  // namespace wrpn
