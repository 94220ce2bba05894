// Adapters from the generated Verilated classes to MacModel / ArrayModel. Each parameter set of
// rtl/CMakeLists.txt appears once in the tables at the bottom.
#include "rtl/harness/models.h"

#include <type_traits>

#include <verilated.h>
#include <verilated_vcd_c.h>

#include "Vmac_array_16x16_a8w8.h"
#include "Vmac_array_4x4_a4w4.h"
#include "Vmac_array_4x4_t4.h"
#include "Vmac_binary_a1l64.h"
#include "Vmac_binary_a1l8.h"
#include "Vmac_fp32.h"
#include "Vmac_ternary_a4.h"
#include "Vmac_ternary_a8.h"
#include "Vmac_unit_a16w16.h"
#include "Vmac_unit_a2w2.h"
#include "Vmac_unit_a4w4.h"
#include "Vmac_unit_a4w8.h"
#include "Vmac_unit_a8w8.h"

namespace wrpn::rtl {

const char* to_string(MacKind kind) {
  switch (kind) {
    case MacKind::int_k:
      return "int";
    case MacKind::ternary:
      return "ternary";
    case MacKind::binary:
      return "binary";
    case MacKind::fp32:
      return "fp32";
  }
  return "?";
}

namespace {

uint64_t low_mask(int width) { return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }

int64_t sign_extend(uint64_t v, int width) {
  if (width >= 64) return static_cast<int64_t>(v);
  const uint64_t m = uint64_t{1} << (width - 1);
  v &= low_mask(width);
  return static_cast<int64_t>((v ^ m) - m);
}

// Port access: Verilator maps ports up to 64 bits to integers and wider ones to VlWide<N> words.
template <class T>
void set_field(T& port, int lsb, int width, uint64_t value) {
  static_assert(std::is_integral_v<T>);
  const uint64_t m = low_mask(width) << lsb;
  port = static_cast<T>((static_cast<uint64_t>(port) & ~m) | ((value << lsb) & m));
}
template <std::size_t N>
void set_field(VlWide<N>& port, int lsb, int width, uint64_t value) {
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    const uint32_t m = uint32_t{1} << (bit % 32);
    if ((value >> b) & 1u)
      port[static_cast<std::size_t>(bit / 32)] |= m;
    else
      port[static_cast<std::size_t>(bit / 32)] &= ~m;
  }
}
template <class T>
uint64_t get_field(const T& port, int lsb, int width) {
  static_assert(std::is_integral_v<T>);
  return (static_cast<uint64_t>(port) >> lsb) & low_mask(width);
}
template <std::size_t N>
uint64_t get_field(const VlWide<N>& port, int lsb, int width) {
  uint64_t v = 0;
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    v |= static_cast<uint64_t>((port[static_cast<std::size_t>(bit / 32)] >> (bit % 32)) & 1u) << b;
  }
  return v;
}

/// Owns a context, the model and an optional VCD writer; advances time by one unit per eval.
template <class V>
struct Sim {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<V> top;
  std::unique_ptr<VerilatedVcdC> vcd;
  uint64_t edges = 0;

  Sim() : ctx(std::make_unique<VerilatedContext>()) {
    ctx->traceEverOn(true);  // lets open_vcd() attach a tracer at any time
    top = std::make_unique<V>(ctx.get(), "top");
    top->clk_i = 0;
    top->rst_ni = 1;
    top->eval();
  }
  ~Sim() {
    close_vcd();
    top->final();
  }
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;
  void dump() {
    if (vcd) vcd->dump(ctx->time());
    ctx->timeInc(1);
  }
  void eval() {
    top->eval();
    dump();
  }
  // Rising edge, then the clock is lowered without an eval: the next settle() evaluates the falling
  // edge together with the next cycle's inputs (two evals per cycle instead of three).
  void edge() {
    top->clk_i = 1;
    eval();
    top->clk_i = 0;
    ++edges;
  }
  void reset() {
    top->rst_ni = 0;
    eval();
    top->rst_ni = 1;
    eval();
  }
  void open_vcd(const std::string& path) {
    close_vcd();
    vcd = std::make_unique<VerilatedVcdC>();
    top->trace(vcd.get(), 99);
    vcd->open(path.c_str());
  }
  void close_vcd() {
    if (vcd) {
      vcd->close();
      vcd.reset();
    }
  }
};

template <class V>
class MacModelImpl final : public MacModel {
 public:
  MacModelImpl(int width_a_bits, int width_w_bits, int acc_width, bool fp32)
      : a_bits_(width_a_bits), w_bits_(width_w_bits), acc_width_(acc_width), fp32_(fp32) {
    reset();
  }
  void reset() override { sim_.reset(); }
  void step(const MacIn& in) override {
    V& t = *sim_.top;
    t.clear_i = in.clear;
    t.en_i = in.en;
    set_sat_impl(t, in.sat, 0);
    set_field(t.a_i, 0, a_bits_, in.a);
    set_field(t.w_i, 0, w_bits_, in.w);
    sim_.eval();
    sim_.edge();
  }
  int64_t acc() const override {
    const uint64_t raw = get_field(sim_.top->acc_o, 0, acc_width_);
    return fp32_ ? static_cast<int64_t>(raw) : sign_extend(raw, acc_width_);
  }
  bool ovf() const override { return sim_.top->ovf_o != 0; }
  void open_vcd(const std::string& path) override { sim_.open_vcd(path); }
  void close_vcd() override { sim_.close_vcd(); }
  uint64_t cycles() const override { return sim_.edges; }

 private:
  // mac_fp32 has no saturate input (IEEE overflow goes to infinity): pick the overload by port.
  template <class T>
  static auto set_sat_impl(T& t, bool sat, int) -> decltype(t.sat_i = 0, void()) {
    t.sat_i = sat;
  }
  template <class T>
  static void set_sat_impl(T&, bool, long) {}

  Sim<V> sim_;
  int a_bits_, w_bits_, acc_width_;
  bool fp32_;
};

template <class V>
class ArrayModelImpl final : public ArrayModel {
 public:
  ArrayModelImpl(int rows, int cols, int width_a, int width_w, int acc_width)
      : rows_(rows), cols_(cols), wa_(width_a), ww_(width_w), acc_(acc_width) {
    reset();
  }
  void reset() override { sim_.reset(); }
  void drive(bool valid, bool first, bool last, const int32_t* a, uint64_t row_mask, const int32_t* w,
             uint64_t col_mask, bool sat) override {
    V& t = *sim_.top;
    t.in_valid_i = valid;
    t.first_i = first;
    t.last_i = last;
    t.sat_i = sat;
    for (int r = 0; r < rows_; ++r)
      set_field(t.a_i, r * wa_, wa_, a ? static_cast<uint64_t>(static_cast<int64_t>(a[r])) : 0);
    for (int c = 0; c < cols_; ++c)
      set_field(t.w_i, c * ww_, ww_, w ? static_cast<uint64_t>(static_cast<int64_t>(w[c])) : 0);
    set_field(t.a_row_valid_i, 0, rows_, row_mask);
    set_field(t.w_col_valid_i, 0, cols_, col_mask);
  }
  void settle() override { sim_.eval(); }
  bool res_valid(int col) const override { return get_field(sim_.top->res_valid_o, col, 1) != 0; }
  int64_t res(int col) const override { return sign_extend(get_field(sim_.top->res_o, col * acc_, acc_), acc_); }
  bool res_ovf(int col) const override { return get_field(sim_.top->res_ovf_o, col, 1) != 0; }
  void tick() override { sim_.edge(); }
  void open_vcd(const std::string& path) override { sim_.open_vcd(path); }
  void close_vcd() override { sim_.close_vcd(); }

 private:
  Sim<V> sim_;
  int rows_, cols_, wa_, ww_, acc_;
};

}  // namespace

// Keep in step with WRPN_RTL_MODELS in rtl/CMakeLists.txt.
#define WRPN_MAC(V, kind, wa, ww, lanes, acc, a_port_bits, w_port_bits)                                 \
  MacModelInfo {                                                                                        \
#V + 1, kind, wa, ww, lanes, acc,                                                                   \
        []() -> std::unique_ptr < MacModel>                                                             \
    { return std::make_unique<MacModelImpl<V>>(a_port_bits, w_port_bits, acc, kind == MacKind::fp32); } \
  }
#define WRPN_ARRAY(V, rows, cols, kind, wa, ww, acc)                                                                   \
  ArrayModelInfo {                                                                                                     \
#V + 1, rows, cols, kind, wa, ww, acc,                                                                             \
        []() -> std::unique_ptr < ArrayModel> { return std::make_unique<ArrayModelImpl<V>>(rows, cols, wa, ww, acc); } \
  }

const std::vector<MacModelInfo>& mac_models() {
  static const std::vector<MacModelInfo> models = {
      WRPN_MAC(Vmac_unit_a2w2, MacKind::int_k, 2, 2, 1, 6, 2, 2),
      WRPN_MAC(Vmac_unit_a4w4, MacKind::int_k, 4, 4, 1, 10, 4, 4),
      WRPN_MAC(Vmac_unit_a4w8, MacKind::int_k, 4, 8, 1, 14, 4, 8),
      WRPN_MAC(Vmac_unit_a8w8, MacKind::int_k, 8, 8, 1, 20, 8, 8),
      WRPN_MAC(Vmac_unit_a16w16, MacKind::int_k, 16, 16, 1, 36, 16, 16),
      WRPN_MAC(Vmac_ternary_a4, MacKind::ternary, 4, 2, 1, 8, 4, 2),
      WRPN_MAC(Vmac_ternary_a8, MacKind::ternary, 8, 2, 1, 12, 8, 2),
      WRPN_MAC(Vmac_binary_a1l8, MacKind::binary, 1, 1, 8, 8, 8, 8),
      WRPN_MAC(Vmac_binary_a1l64, MacKind::binary, 1, 1, 64, 16, 64, 64),
      WRPN_MAC(Vmac_fp32, MacKind::fp32, 32, 32, 1, 32, 32, 32),
  };
  return models;
}

const std::vector<ArrayModelInfo>& array_models() {
  static const std::vector<ArrayModelInfo> models = {
      WRPN_ARRAY(Vmac_array_4x4_a4w4, 4, 4, 0, 4, 4, 12),
      WRPN_ARRAY(Vmac_array_4x4_t4, 4, 4, 1, 4, 2, 12),
      WRPN_ARRAY(Vmac_array_16x16_a8w8, 16, 16, 0, 8, 8, 32),
  };
  return models;
}

}  // namespace wrpn::rtl
