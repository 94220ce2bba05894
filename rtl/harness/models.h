// Type-erased access to the Verilated models of rtl/src, one per parameter set of WRPN_RTL_MODELS in
// rtl/CMakeLists.txt (the tables here are generated from that list). Nothing here includes
// Verilator headers, so verify.cpp stays plain C++.
//
// Clocking convention of every model: inputs are applied while the clock is low, the model is
// evaluated (combinational outputs settle and are sampled), then one rising edge is applied.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/arch_config.h"
#include "common/numerics.h"

namespace wrpn::rtl {

/// The PE kinds of the RTL are the simulator's PE types (wrpn_pkg::pe_kind_e has the same order).
using MacKind = PeType;

/// Inputs of one MAC step (a and w are raw port bits: two's complement codes in the low bits for
/// integer kinds, packed lanes for binary, IEEE-754 bits for FP32).
struct MacIn {
  bool clear = false, en = true, sat = false;
  uint64_t a = 0, w = 0;
};

/// One Verilated MAC unit (mac_unit, mac_ternary, mac_binary or mac_fp32).
class MacModel {
 public:
  virtual ~MacModel() = default;
  virtual void reset() = 0;
  /// Applies `in` for one cycle (one rising edge); afterwards acc()/ovf() show the registers.
  virtual void step(const MacIn& in) = 0;
  virtual int64_t acc() const = 0;  ///< sign-extended accumulator (FP32: the raw 32 bits)
  virtual bool ovf() const = 0;
  virtual void open_vcd(const std::string& path) = 0;
  virtual void close_vcd() = 0;
  virtual uint64_t cycles() const = 0;  ///< rising edges since construction
};

/// One Verilated array tile: mac_array (output stationary), mac_array_ws (weight stationary) or
/// mac_array_is (input stationary).
/// Operands are raw port bits per lane: codes (two's complement in the low bits), packed binary
/// lanes, or IEEE-754 words; accumulators likewise (FP32: the raw 32 bits).
class ArrayModel {
 public:
  virtual ~ArrayModel() = default;
  virtual void reset() = 0;
  /// Output stationary: the per-PE initial values (rows x cols of the array, row-major), held.
  virtual void set_init(const std::vector<uint64_t>& init) = 0;
  /// Output stationary: one reduction step; a[r] (r < rows) and w[c] (c < cols).
  virtual void drive_os(bool valid, bool first, bool last, const uint64_t* a, uint64_t row_mask, const uint64_t* w,
                        uint64_t col_mask, bool sat) = 0;
  /// Weight stationary: a weight row (load) or a pixel with its partial sums (valid), or neither.
  virtual void drive_ws(bool load, const uint64_t* w, bool valid, const uint64_t* a, const uint64_t* psum,
                        uint64_t row_mask, uint64_t col_mask, bool sat) = 0;
  /// Input stationary: an input row (load; x[c], c < cols) or a channel's weights w[r] (r < rows)
  /// with its partial sums psum[c] (valid), or neither.
  virtual void drive_is(bool load, const uint64_t* x, bool valid, const uint64_t* w, const uint64_t* psum,
                        uint64_t row_mask, uint64_t col_mask, bool sat) = 0;
  /// Settles combinational logic for the driven inputs; outputs of this cycle can then be read.
  virtual void settle() = 0;
  virtual bool res_valid(int col) const = 0;
  virtual int64_t res(int col) const = 0;  ///< sign-extended (FP32: the raw 32 bits)
  virtual bool res_ovf(int col) const = 0;
  virtual void tick() = 0;  ///< rising edge, then clock low again
  virtual void open_vcd(const std::string& path) = 0;
  virtual void close_vcd() = 0;
};

struct MacModelInfo {
  std::string name;  ///< unit name in `wrpn verify`, e.g. "mac_unit_a4w4"
  MacKind kind;
  int width_a, width_w;  ///< code bits (binary: width_w 1; FP32: 32 and 32)
  int lanes;             ///< operand pairs per step (binary), else 1
  int acc_width;         ///< accumulator bits (FP32: 32)
  int a_port_bits, w_port_bits;
  std::unique_ptr<MacModel> (*make)(const MacModelInfo&);
};
struct ArrayModelInfo {
  std::string name;  ///< e.g. "mac_array_16x16_a8w8", "mac_array_ws_4x4_fp32", "mac_array_is_4x4_t4"
  Dataflow dataflow;
  int rows, cols;
  MacKind kind;
  int width_a, width_w, lanes, acc_width;  ///< as MacModelInfo
  int a_port_bits, w_port_bits;            ///< bits of one row / column lane (wrpn_pkg::pe_a_bits, pe_w_bits)
  std::unique_ptr<ArrayModel> (*make)(const ArrayModelInfo&);
  std::unique_ptr<ArrayModel> build() const { return make(*this); }
};

const std::vector<MacModelInfo>& mac_models();
const std::vector<ArrayModelInfo>& array_models();

}  // namespace wrpn::rtl
