// ONNX import (docs/workloads.md, "ONNX graphs"): a ModelProto, parsed, checked and shape-inferred
// by Debian's ONNX library (libonnx 1.12), becomes a Network of conv / fc / pool / add / concat
// layers. Weighted layers keep their node names; batch norms, activations and pass-through operators
// fold into their producers. Every defect is one diagnostic naming the file and node:
//   ONNX001 unreadable, or not a ModelProto (truncated, not ONNX)
//   ONNX002 rejected by the ONNX checker (cyclic or unsorted graph, a missing initializer, ...)
//   ONNX003 shape inference fails, or leaves a shape the importer needs unknown
//   ONNX004 an operator outside the supported set (node, op type and the supported set named)
//   ONNX005 a supported operator in a form the layer model does not express (dilation, non-square
//           stride, a padding no symmetric pad reproduces, a broadcast add, ...)
//   ONNX006 graph inputs: no or several data inputs, a rank other than 2 or 4, a symbolic non-batch
//           dimension, a weight that is a graph input instead of an initializer, no weighted layer
// The header names no ONNX or protobuf type, so only workloads/onnx_import.cpp sees the library.
#pragma once

#include <string>

#include "workloads/network.h"

namespace wrpn {

/// True for a path ending in ".onnx" (any case): load_network then imports it as ONNX.
bool is_onnx_path(const std::string& path);

/// Milliseconds spent in each import phase (`wrpn bench onnx`).
struct OnnxImportTimes {
  double read_ms = 0, parse_ms = 0, check_ms = 0, infer_ms = 0, map_ms = 0;
  double total_ms() const { return read_ms + parse_ms + check_ms + infer_ms + map_ms; }
};

/// The network of an .onnx file at width 1, FP32, batch 1 (the graph's batch dimension, fixed or
/// symbolic, is not a shape of the network: every command sets it with --batch). The network is
/// named after the file's stem. `times`, when given, receives the phase timings.
Network import_onnx(const std::string& path, OnnxImportTimes* times = nullptr);

/// The same from serialized bytes; `source` names them in diagnostics, `name` names the network.
Network import_onnx_bytes(const std::string& bytes, const std::string& source, const std::string& name,
                          OnnxImportTimes* times = nullptr);

}  // namespace wrpn
