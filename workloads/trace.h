// Layer traces (spec in docs/trace-format.md): a directory with trace.json
// plus one .npy per tensor. write_trace() produces it atomically; read_trace() verifies format,
// version, the checksum of trace.json's own content, the layer chain, shapes, code ranges and the
// SHA-256 of every tensor before anything uses it.
//
// Versions: write_trace() writes version 2. Version 2 adds to version 1
//   "content_sha256": SHA-256 of trace.json's canonical text without this key (nlohmann's compact
//                     dump: keys sorted, no spaces), so an edited requant multiplier, alpha, shape
//                     or tensor checksum fails read_trace() (TRC007), and
//   "checkpoint_sha256" (optional): SHA-256 of the checkpoint file the trace was exported from, so
//                     `wrpn infer --checkpoint` can tell a wrong checkpoint (TRN006), and
//   "chained" (optional, default true): false for independent layers (see Trace::chained).
// Version 1 traces are still read with every other check; their trace.json numbers carry no
// checksum (only their tensors do), and they name no checkpoint.
//
// Layer ops in a trace: conv, fc, maxpool, avgpool, add (what the integer reference and the
// simulator execute). A concat, or any op they do not execute, is refused (TRC008).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/numerics.h"
#include "workloads/network.h"

namespace wrpn {

struct TraceLayer {
  Layer shape;                           ///< shape.n = images in the trace
  float weight_scale = 1.0f;             ///< alpha of docs/architecture.md section 3
  std::vector<RequantParams> requant;    ///< one per output channel for conv/fc; empty otherwise
  std::vector<int32_t> weights;          ///< K x C/groups x R x S weight codes (conv/fc)
  std::vector<int32_t> input;            ///< N x C x H x W input codes
  std::vector<int32_t> input_b;          ///< second operand of an add layer, same shape as input
  std::vector<int64_t> expected_acc;     ///< N x K x OH x OW accumulators (optional; empty if absent)
  std::vector<int64_t> expected_output;  ///< N x K x OH x OW output codes (logits if abits_out == 32)
};

struct Trace {
  std::string network;
  double width = 1.0;
  std::string dataset;
  int64_t images = 0;
  std::vector<int32_t> labels;  ///< optional ground-truth class per image
  std::vector<TraceLayer> layers;
  std::string checkpoint_sha256;  ///< SHA-256 (hex) of the source checkpoint file; "" if none
  /// False for a set of independent layers, each on its own input (synthetic traces of the sim
  /// tests and benchmarks): the layer-chain check (TRC009) then only requires unique names, and
  /// such a trace is no network to classify with.
  bool chained = true;
  int version = 0;  ///< the version read_trace() found (write_trace() writes kTraceVersion)
};

inline constexpr int kTraceVersion = 2;
inline constexpr int kTraceOldestVersion = 1;

/// SHA-256 of trace.json's canonical content: the compact dump of `trace_json` without its
/// "content_sha256" key (version 2 stores it under that key).
std::string trace_content_sha256(const nlohmann::json& trace_json);

/// Writes `trace` to directory `dir` (staged, renamed into place; refuses to overwrite unless
/// `replace`). Throws DiagnosticError on a shape/code inconsistency (TRC003/TRC005) or I/O error.
void write_trace(const std::string& dir, const Trace& trace, bool replace = false);

/// Reads and fully verifies a trace directory. Diagnostic codes:
///   TRC001 trace.json missing or unreadable   TRC002 not a wrpn-trace, or another version
///   TRC003 tensor shape differs from layer     TRC004 SHA-256 mismatch (tampered/corrupt tensor)
///   TRC005 code outside its bit width's range  TRC006 tensor file missing
///   TRC007 trace.json content differs from its content_sha256 (edited after export)
///   TRC008 a layer op the executors do not run  TRC009 layers do not chain (names, shapes, codes)
/// plus CFG00x for malformed trace.json fields, NPY00x for malformed .npy files and IO002 for a
/// tensor that is not a regular file.
Trace read_trace(const std::string& dir);

/// Checks one layer's tensors against its shape and bit widths (TRC003/TRC005); `where` names it.
void check_trace_layer(const TraceLayer& layer, const std::string& where);

}  // namespace wrpn
