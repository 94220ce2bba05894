// Type-erased access to the Verilated models of rtl/src, one per parameter set listed in
// rtl/CMakeLists.txt. Nothing here includes Verilator headers, so verify.cpp stays plain C++.
//
// Clocking convention of every model: inputs are applied while the clock is low, the model is
// evaluated (combinational outputs settle and are sampled), then one rising edge is applied.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wrpn::rtl {

enum class MacKind { int_k, ternary, binary, fp32 };
const char* to_string(MacKind kind);

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

/// One Verilated mac_array tile.
class ArrayModel {
 public:
  virtual ~ArrayModel() = default;
  virtual void reset() = 0;
  /// Drives the inputs of the current cycle. a[r] (r < rows) and w[c] (c < cols) are codes.
  virtual void drive(bool valid, bool first, bool last, const int32_t* a, uint64_t row_mask, const int32_t* w,
                     uint64_t col_mask, bool sat) = 0;
  /// Settles combinational logic for the driven inputs; outputs of this cycle can then be read.
  virtual void settle() = 0;
  virtual bool res_valid(int col) const = 0;
  virtual int64_t res(int col) const = 0;  ///< sign-extended
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
  std::unique_ptr<MacModel> (*make)();
};
struct ArrayModelInfo {
  std::string name;  ///< e.g. "mac_array_16x16_a8w8"
  int rows, cols;
  int pe_kind;  ///< 0 int, 1 ternary
  int width_a, width_w, acc_width;
  std::unique_ptr<ArrayModel> (*make)();
};

const std::vector<MacModelInfo>& mac_models();
const std::vector<ArrayModelInfo>& array_models();

}  // namespace wrpn::rtl
