// Commands of the workload component: `wrpn workload` (per-layer shapes, MACs and sizes) and
// `wrpn footprint` (weight vs activation memory per batch size, with the crossover batch).
// Parsing and printing only; the work is in workloads/ (network.h, footprint.h).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/precision_flags.h"
#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/diagnostics.h"
#include "workloads/footprint.h"
#include "workloads/network.h"
#include "workloads/onnx_import.h"

namespace wrpn {

namespace {

using PrecisionOptions = PrecisionFlags;

/// load_network, then width, precision and batch, in that order.
Network prepare(const std::string& name, double width, const PrecisionOptions& prec, int64_t batch) {
  return with_batch(apply_precision(apply_width(load_network(name), width), prec.policy()), batch);
}

std::string fmt_mib(int64_t bits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", bits_to_mib(bits));
  return buf;
}

std::string describe_precision(const Network& net) {
  int first = -1, last = -1;
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (net.layers[i].has_weights()) {
      if (first < 0) first = static_cast<int>(i);
      last = static_cast<int>(i);
    }
  if (first < 0) return "no weighted layers";
  const Layer& f = net.layers[static_cast<size_t>(first)];
  const Layer& l = net.layers[static_cast<size_t>(last)];
  char buf[256];
  std::snprintf(buf, sizeof buf, "first layer %s: w%d a%d; last layer %s: w%d a%d -> logits a%d", f.name.c_str(),
                f.wbits, f.abits_in, l.name.c_str(), l.wbits, l.abits_in, l.abits_out);
  return buf;
}

struct WorkloadOptions {
  std::string network;
  double width = 1.0;
  PrecisionOptions prec;
  int64_t batch = 1;
  std::string csv;
};

void run_workload(const WorkloadOptions& o) {
  const Network net = prepare(o.network, o.width, o.prec, o.batch);
  const auto rows = summarize_layers(net);
  CsvTable csv({"layer", "op", "input_nchw", "output_nkpq", "macs", "weights", "wbits", "abits_in", "abits_out",
                "weight_bits", "input_bits", "output_bits"});
  std::printf("%s, width %g, batch %lld%s\n", net.name.c_str(), net.width, static_cast<long long>(o.batch),
              net.chained ? "" : " (independent layers: shapes do not chain)");
  std::printf("precision: hidden w%d a%d; %s\n", o.prec.wbits, o.prec.abits, describe_precision(net).c_str());
  std::printf("%-28s %-7s %-18s %-18s %15s %12s %5s %5s %5s %14s %14s\n", "layer", "op", "input NxCxHxW",
              "output NxKxPxQ", "MACs", "weights", "wb", "ab_in", "ab_out", "weight bits", "output bits");
  int64_t macs = 0, weights = 0, wbits = 0, obits = 0;
  for (const auto& r : rows) {
    std::printf("%-28s %-7s %-18s %-18s %15lld %12lld %5s %5d %5d %14lld %14lld\n", r.name.c_str(), r.op.c_str(),
                r.input_shape.c_str(), r.output_shape.c_str(), static_cast<long long>(r.macs),
                static_cast<long long>(r.weights), r.wbits ? std::to_string(r.wbits).c_str() : "-", r.abits_in,
                r.abits_out, static_cast<long long>(r.weight_bits), static_cast<long long>(r.output_bits));
    csv.row()
        .add(r.name)
        .add(r.op)
        .add(r.input_shape)
        .add(r.output_shape)
        .add(r.macs)
        .add(r.weights)
        .add(r.wbits)
        .add(r.abits_in)
        .add(r.abits_out)
        .add(r.weight_bits)
        .add(r.input_bits)
        .add(r.output_bits);
    macs += r.macs;
    weights += r.weights;
    wbits += r.weight_bits;
    obits += r.output_bits;
  }
  std::printf("total: %zu layers, %lld MACs (%.4f G), %lld weights (%.3f M)\n", rows.size(),
              static_cast<long long>(macs), static_cast<double>(macs) / 1e9, static_cast<long long>(weights),
              static_cast<double>(weights) / 1e6);
  std::printf("weight memory: %lld bits (%s MiB)\n", static_cast<long long>(wbits), fmt_mib(wbits).c_str());
  std::printf(
      "activation memory: %lld bits (%s MiB) for all layer outputs plus the input (training), "
      "%lld bits (%s MiB) peak live set (inference)\n",
      static_cast<long long>(training_activation_bits(net)), fmt_mib(training_activation_bits(net)).c_str(),
      static_cast<long long>(peak_activation_bits(net)), fmt_mib(peak_activation_bits(net)).c_str());
  (void)obits;
  if (!o.csv.empty()) {
    write_file_atomic(o.csv, csv.str());
    std::printf("wrote %s\n", o.csv.c_str());
  }
}

struct FootprintOptions {
  std::string network;
  double width = 1.0;
  PrecisionOptions prec;
  std::vector<int64_t> batches{1, 8, 32, 128, 256};
  std::string csv;
};

void run_footprint(const FootprintOptions& o) {
  const Network net = prepare(o.network, o.width, o.prec, 1);
  const Footprint f = compute_footprint(net, o.batches);
  std::printf("%s, width %g, hidden w%d a%d; %s\n", net.name.c_str(), net.width, o.prec.wbits, o.prec.abits,
              describe_precision(net).c_str());
  std::printf("weights: every weight at its layer's bit width (batch-independent)\n");
  std::printf("activations, training: the network input plus every layer's output, all kept for the backward pass\n");
  std::printf(
      "activations, inference: the peak live set when layers run in order (a tensor lives until its last reader)\n");
  std::printf("%7s %14s %12s %16s %14s %16s %14s %12s\n", "batch", "weight bits", "weight MiB", "act train bits",
              "act train MiB", "act peak bits", "act peak MiB", "train/weight");
  CsvTable csv({"batch", "weight_bits", "weight_mib", "activation_training_bits", "activation_training_mib",
                "activation_peak_bits", "activation_peak_mib", "training_over_weights"});
  for (const auto& r : f.rows) {
    const double ratio =
        r.weight_bits ? static_cast<double>(r.training_activation_bits) / static_cast<double>(r.weight_bits) : 0.0;
    std::printf("%7lld %14lld %12s %16lld %14s %16lld %14s %12.3f\n", static_cast<long long>(r.batch),
                static_cast<long long>(r.weight_bits), fmt_mib(r.weight_bits).c_str(),
                static_cast<long long>(r.training_activation_bits), fmt_mib(r.training_activation_bits).c_str(),
                static_cast<long long>(r.peak_activation_bits), fmt_mib(r.peak_activation_bits).c_str(), ratio);
    csv.row()
        .add(r.batch)
        .add(r.weight_bits)
        .add(bits_to_mib(r.weight_bits))
        .add(r.training_activation_bits)
        .add(bits_to_mib(r.training_activation_bits))
        .add(r.peak_activation_bits)
        .add(bits_to_mib(r.peak_activation_bits))
        .add(ratio);
  }
  auto first_listed = [&](bool training) -> std::string {
    for (const auto& r : f.rows)
      if ((training ? r.training_activation_bits : r.peak_activation_bits) > r.weight_bits)
        return "first listed batch above: " + std::to_string(r.batch);
    return "no listed batch is above";
  };
  std::printf("crossover (training): activation memory exceeds weight memory from batch %lld on (%s)\n",
              static_cast<long long>(f.training_crossover_batch), first_listed(true).c_str());
  std::printf("crossover (inference, peak live set): from batch %lld on (%s)\n",
              static_cast<long long>(f.inference_crossover_batch), first_listed(false).c_str());
  if (!o.csv.empty()) {
    write_file_atomic(o.csv, csv.str());
    std::printf("wrote %s\n", o.csv.c_str());
  }
}

struct BenchOnnxOptions {
  std::string model;
  int repeat = 10;
};

/// Imports the model `repeat` times and prints each phase's median and minimum in milliseconds.
void run_bench_onnx(const BenchOnnxOptions& o) {
  if (o.repeat < 1) fail("NET003", "", "--repeat", "expected at least 1 repetition, got " + std::to_string(o.repeat));
  std::vector<OnnxImportTimes> runs;
  Network net;
  for (int i = 0; i < o.repeat; ++i) {
    OnnxImportTimes t;
    net = import_onnx(o.model, &t);
    runs.push_back(t);
  }
  std::printf("bench onnx: %s, %.1f MB, %zu layers, %.3f GMACs, %.2f M weights; %d imports\n", o.model.c_str(),
              static_cast<double>(std::filesystem::file_size(o.model)) / 1e6, net.layers.size(),
              static_cast<double>(net.total_macs()) / 1e9, static_cast<double>(net.total_weights()) / 1e6, o.repeat);
  std::printf("%-34s %12s %12s\n", "phase", "median_ms", "min_ms");
  const std::pair<const char*, double OnnxImportTimes::*> phases[] = {
      {"read file", &OnnxImportTimes::read_ms},
      {"parse protobuf (ParseProtoFromBytes)", &OnnxImportTimes::parse_ms},
      {"onnx::checker::check_model", &OnnxImportTimes::check_ms},
      {"onnx::shape_inference::InferShapes", &OnnxImportTimes::infer_ms},
      {"map onto layers", &OnnxImportTimes::map_ms}};
  auto stats = [&](auto get) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(get(r));
    std::sort(v.begin(), v.end());
    return std::make_pair(v[v.size() / 2], v.front());
  };
  for (const auto& [label, field] : phases) {
    const auto [median, min] = stats([f = field](const OnnxImportTimes& r) { return r.*f; });
    std::printf("%-34s %12.2f %12.2f\n", label, median, min);
  }
  const auto [median, min] = stats([](const OnnxImportTimes& r) { return r.total_ms(); });
  std::printf("%-34s %12.2f %12.2f\n", "total import", median, min);
}

/// The network of `workload` and `footprint`: `--network NAME` as on every other command, or the
/// positional NET these two commands have always taken (an alias; not both).
void add_network_options(CLI::App* cmd, std::string& network) {
  CLI::Option* flag = cmd->add_option("--network", network, network_argument_help());
  cmd->add_option("NET", network, "the same as --network (positional alias)")->excludes(flag);
}

void require_network(const std::string& network) {
  if (network.empty()) throw CLI::RequiredError("--network");
}

}  // namespace

void register_workload_commands(CommandGroups& g) {
  static WorkloadOptions wo;
  CLI::App* workload = g.root.add_subcommand(
      "workload",
      "Per-layer shapes, MACs, weights and sizes in bits of a network after the width multiplier and precision "
      "policy (first/last weighted layers 8-bit when quantized, unless overridden)");
  add_network_options(workload, wo.network);
  workload
      ->add_option("--width", wo.width,
                   "width multiplier in [1, 64]: hidden channels x W; the input channels and "
                   "the classes stay fixed")
      ->capture_default_str();
  add_precision_flags(workload, wo.prec);
  workload->add_option("--batch", wo.batch, "images per batch (N)")->capture_default_str();
  workload->add_option("--csv", wo.csv, "also write the per-layer table to this CSV file");
  workload->footer("Example: wrpn workload --network alexnet --width 2 --wbits 4 --abits 4");
  workload->callback([] {
    require_network(wo.network);
    check_precision_flags(wo.prec);
    run_workload(wo);
  });

  static FootprintOptions fo;
  CLI::App* footprint = g.root.add_subcommand(
      "footprint",
      "Weight memory vs activation memory per batch size, and the batch at which activations overtake weights "
      "(the WRPN paper's first observation). Training counts every layer output plus the input; inference counts "
      "the peak live set");
  add_network_options(footprint, fo.network);
  footprint->add_option("--width", fo.width, "width multiplier in [1, 64]")->capture_default_str();
  add_precision_flags(footprint, fo.prec);
  footprint->add_option("--batch", fo.batches, "comma-separated batch sizes")->delimiter(',')->capture_default_str();
  footprint->add_option("--csv", fo.csv, "also write the table to this CSV file");
  footprint->footer("Example: wrpn footprint --network alexnet --wbits 4 --abits 4 --batch 1,8,32,128,256");
  footprint->callback([] {
    require_network(fo.network);
    check_precision_flags(fo.prec);
    run_footprint(fo);
  });

  static BenchOnnxOptions bo;
  CLI::App* bench = g.bench.add_subcommand(
      "onnx",
      "Time of importing an ONNX model (read, parse, ONNX checker, ONNX shape inference, mapping onto layers), "
      "median and minimum over --repeat imports. A ResNet-50-sized graph: `scripts/make_onnx_models.py "
      "--out DIR --set bench` writes DIR/resnet50.onnx");
  bench->add_option("MODEL", bo.model, "the .onnx file to import")->required();
  bench->add_option("--repeat", bo.repeat, "imports timed")->capture_default_str();
  bench->footer("Example: wrpn bench onnx tests/fixtures/onnx/dw_block.onnx --repeat 3");
  bench->callback([] { run_bench_onnx(bo); });
}

}  // namespace wrpn
