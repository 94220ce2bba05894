// Layer traces, format v1 (DESIGN.md section 4, spec in docs/trace-format.md): a directory with
// trace.json plus one .npy per tensor. write_trace() produces it atomically; read_trace() verifies
// format, version, shapes, code ranges and SHA-256 checksums before anything uses it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/numerics.h"
#include "workloads/network.h"

namespace wrpn {

struct TraceLayer {
  Layer shape;                           ///< shape.n = images in the trace
  float weight_scale = 1.0f;             ///< alpha of DESIGN.md 3
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
};

inline constexpr int kTraceVersion = 1;

/// Writes `trace` to directory `dir` (staged, renamed into place; refuses to overwrite unless
/// `replace`). Throws DiagnosticError on a shape/code inconsistency (TRC003/TRC005) or I/O error.
void write_trace(const std::string& dir, const Trace& trace, bool replace = false);

/// Reads and fully verifies a trace directory. Diagnostic codes:
///   TRC001 trace.json missing or unreadable   TRC002 not a wrpn-trace, or another version
///   TRC003 tensor shape differs from layer     TRC004 SHA-256 mismatch (tampered/corrupt tensor)
///   TRC005 code outside its bit width's range  TRC006 tensor file missing
/// plus CFG00x for malformed trace.json fields and NPY00x for malformed .npy files.
Trace read_trace(const std::string& dir);

/// Checks one layer's tensors against its shape and bit widths (TRC003/TRC005); `where` names it.
void check_trace_layer(const TraceLayer& layer, const std::string& where);

}  // namespace wrpn
