// Adapters from the generated Verilated classes to MacModel / ArrayModel. Each parameter set of
// rtl/CMakeLists.txt appears once in the tables at the bottom.
#include "rtl/harness/models.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include <verilated.h>
#include <verilated_vcd_c.h>

#include "rtl_models.inc"  // generated: one #include per Verilated model

namespace wrpn::rtl {

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
  value &= low_mask(width);
  for (int done = 0; done < width;) {
    const int bit = lsb + done, off = bit % 32, n = std::min(32 - off, width - done);
    const uint32_t m = static_cast<uint32_t>(low_mask(n) << off);
    uint32_t& word = port[static_cast<std::size_t>(bit / 32)];
    word = (word & ~m) | (static_cast<uint32_t>((value >> done) << off) & m);
    done += n;
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
  for (int done = 0; done < width;) {
    const int bit = lsb + done, off = bit % 32, n = std::min(32 - off, width - done);
    v |= ((static_cast<uint64_t>(port[static_cast<std::size_t>(bit / 32)]) >> off) & low_mask(n)) << done;
    done += n;
  }
  return v;
}

// Which top a generated class is: mac_array (first_i), mac_array_ws (w_load_i), mac_array_is
// (x_load_i) or a MAC unit.
template <class T, class = void>
struct IsOsArray : std::false_type {};
template <class T>
struct IsOsArray<T, std::void_t<decltype(std::declval<T&>().first_i)>> : std::true_type {};
template <class T, class = void>
struct IsWsArray : std::false_type {};
template <class T>
struct IsWsArray<T, std::void_t<decltype(std::declval<T&>().w_load_i)>> : std::true_type {};
template <class T, class = void>
struct IsIsArray : std::false_type {};
template <class T>
struct IsIsArray<T, std::void_t<decltype(std::declval<T&>().x_load_i)>> : std::true_type {};
template <class T>
inline constexpr bool kIsArray = IsOsArray<T>::value || IsWsArray<T>::value || IsIsArray<T>::value;

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
  explicit MacModelImpl(const MacModelInfo& info)
      : a_bits_(info.a_port_bits),
        w_bits_(info.w_port_bits),
        acc_width_(info.acc_width),
        fp32_(info.kind == MacKind::fp32) {
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
  explicit ArrayModelImpl(const ArrayModelInfo& info)
      : rows_(info.rows),
        cols_(info.cols),
        wa_(info.a_port_bits),
        ww_(info.w_port_bits),
        acc_(info.kind == MacKind::fp32 ? 32 : info.acc_width),
        fp32_(info.kind == MacKind::fp32) {
    reset();
  }
  void reset() override { sim_.reset(); }
  void set_init(const std::vector<uint64_t>& init) override {
    if constexpr (IsOsArray<V>::value) {
      for (size_t i = 0; i < init.size() && i < static_cast<size_t>(rows_ * cols_); ++i)
        set_field(sim_.top->acc_i, static_cast<int>(i) * acc_, acc_, init[i]);
    } else {
      throw std::logic_error("set_init on an array that is not output stationary");
    }
  }
  void drive_os(bool valid, bool first, bool last, const uint64_t* a, uint64_t row_mask, const uint64_t* w,
                uint64_t col_mask, bool sat) override {
    if constexpr (IsOsArray<V>::value) {
      V& t = *sim_.top;
      t.in_valid_i = valid;
      t.first_i = first;
      t.last_i = last;
      t.sat_i = sat;
      for (int r = 0; r < rows_; ++r) set_field(t.a_i, r * wa_, wa_, a ? a[r] : 0);
      for (int c = 0; c < cols_; ++c) set_field(t.w_i, c * ww_, ww_, w ? w[c] : 0);
      set_field(t.a_row_valid_i, 0, rows_, row_mask);
      set_field(t.w_col_valid_i, 0, cols_, col_mask);
    } else {
      throw std::logic_error("drive_os on an array that is not output stationary");
    }
  }
  void drive_ws(bool load, const uint64_t* w, bool valid, const uint64_t* a, const uint64_t* psum, uint64_t row_mask,
                uint64_t col_mask, bool sat) override {
    if constexpr (IsWsArray<V>::value) {
      V& t = *sim_.top;
      t.w_load_i = load;
      t.in_valid_i = valid;
      t.sat_i = sat;
      for (int c = 0; c < cols_; ++c) set_field(t.w_i, c * ww_, ww_, w ? w[c] : 0);
      for (int r = 0; r < rows_; ++r) set_field(t.a_i, r * wa_, wa_, a ? a[r] : 0);
      for (int c = 0; c < cols_; ++c) set_field(t.psum_i, c * acc_, acc_, psum ? psum[c] : 0);
      set_field(t.a_row_valid_i, 0, rows_, row_mask);
      set_field(t.w_col_valid_i, 0, cols_, col_mask);
    } else {
      throw std::logic_error("drive_ws on an array that is not weight stationary");
    }
  }
  void drive_is(bool load, const uint64_t* x, bool valid, const uint64_t* w, const uint64_t* psum, uint64_t row_mask,
                uint64_t col_mask, bool sat) override {
    if constexpr (IsIsArray<V>::value) {
      V& t = *sim_.top;
      t.x_load_i = load;
      t.in_valid_i = valid;
      t.sat_i = sat;
      for (int c = 0; c < cols_; ++c) set_field(t.x_i, c * wa_, wa_, x ? x[c] : 0);
      for (int r = 0; r < rows_; ++r) set_field(t.w_i, r * ww_, ww_, w ? w[r] : 0);
      for (int c = 0; c < cols_; ++c) set_field(t.psum_i, c * acc_, acc_, psum ? psum[c] : 0);
      set_field(t.w_row_valid_i, 0, rows_, row_mask);
      set_field(t.x_col_valid_i, 0, cols_, col_mask);
    } else {
      throw std::logic_error("drive_is on an array that is not input stationary");
    }
  }
  void settle() override { sim_.eval(); }
  bool res_valid(int col) const override { return get_field(sim_.top->res_valid_o, col, 1) != 0; }
  int64_t res(int col) const override {
    const uint64_t raw = get_field(sim_.top->res_o, col * acc_, acc_);
    return fp32_ ? static_cast<int64_t>(raw) : sign_extend(raw, acc_);
  }
  bool res_ovf(int col) const override { return get_field(sim_.top->res_ovf_o, col, 1) != 0; }
  void tick() override { sim_.edge(); }
  void open_vcd(const std::string& path) override { sim_.open_vcd(path); }
  void close_vcd() override { sim_.close_vcd(); }

 private:
  Sim<V> sim_;
  int rows_, cols_, wa_, ww_, acc_;
  bool fp32_;
};

template <class V>
std::unique_ptr<MacModel> make_mac(const MacModelInfo& info) {
  if constexpr (kIsArray<V>) {
    (void)info;
    return nullptr;
  } else {
    return std::make_unique<MacModelImpl<V>>(info);
  }
}
template <class V>
std::unique_ptr<ArrayModel> make_array(const ArrayModelInfo& info) {
  if constexpr (kIsArray<V>) {
    return std::make_unique<ArrayModelImpl<V>>(info);
  } else {
    (void)info;
    return nullptr;
  }
}

/// One entry of WRPN_RTL_MODELS: "Vprefix", top module, "Name=value ..." parameters.
struct Entry {
  const char* prefix;
  const char* top;
  const char* params;
  std::unique_ptr<MacModel> (*make_mac)(const MacModelInfo&);
  std::unique_ptr<ArrayModel> (*make_array)(const ArrayModelInfo&);
};

#define WRPN_RTL_MODEL(V, top, params) Entry{#V, top, params, &make_mac<V>, &make_array<V>},
const Entry kEntries[] = {
#include "rtl_models.inc"
};
#undef WRPN_RTL_MODEL

std::map<std::string, int> parse_params(const Entry& e) {
  std::map<std::string, int> p;
  std::istringstream in(e.params);
  std::string item;
  while (in >> item) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw std::logic_error(std::string("rtl model ") + e.prefix + ": bad parameter " + item);
    p[item.substr(0, eq)] = std::stoi(item.substr(eq + 1));
  }
  return p;
}

int param(const std::map<std::string, int>& p, const char* name, int fallback) {
  const auto it = p.find(name);
  return it == p.end() ? fallback : it->second;
}

/// Operand and accumulator bits of a PE kind (wrpn_pkg: pe_a_bits, pe_w_bits, pe_acc_bits).
void fill_widths(MacKind kind, const std::map<std::string, int>& p, int* wa, int* ww, int* lanes, int* acc, int* a_port,
                 int* w_port) {
  *lanes = param(p, "Lanes", 1);
  switch (kind) {
    case MacKind::fp32:
      *wa = *ww = *acc = *a_port = *w_port = 32;
      return;
    case MacKind::binary:
      *wa = param(p, "WidthA", 1);
      *ww = 1;
      *a_port = *wa * *lanes;
      *w_port = *lanes;
      break;
    case MacKind::ternary:
      *wa = param(p, "WidthA", 4);
      *ww = 2;
      *a_port = *wa;
      *w_port = 2;
      break;
    case MacKind::int_k:
      *wa = param(p, "WidthA", 4);
      *ww = param(p, "WidthW", 4);
      *a_port = *wa;
      *w_port = *ww;
      break;
  }
  *acc = param(p, "AccWidth", 16);
}

/// The PeKind parameter of a model: wrpn_pkg::pe_kind_e lists the kinds in PeType's order (PeInt,
/// PeTernary, PeBinary, PeFp32; lint rejects any other value at elaboration).
MacKind kind_of_pe(int pe_kind) {
  static_assert(static_cast<int>(PeType::int_k) == 0 && static_cast<int>(PeType::fp32) == 3);
  return pe_kind >= 0 && pe_kind <= static_cast<int>(PeType::fp32) ? static_cast<MacKind>(pe_kind) : MacKind::int_k;
}

}  // namespace

const std::vector<MacModelInfo>& mac_models() {
  static const std::vector<MacModelInfo> models = [] {
    std::vector<MacModelInfo> v;
    for (const Entry& e : kEntries) {
      const std::string top = e.top;
      if (top == "mac_array" || top == "mac_array_ws" || top == "mac_array_is") continue;
      const auto p = parse_params(e);
      MacModelInfo m{};
      m.name = e.prefix + 1;
      m.kind = top == "mac_fp32"      ? MacKind::fp32
               : top == "mac_binary"  ? MacKind::binary
               : top == "mac_ternary" ? MacKind::ternary
                                      : MacKind::int_k;
      fill_widths(m.kind, p, &m.width_a, &m.width_w, &m.lanes, &m.acc_width, &m.a_port_bits, &m.w_port_bits);
      m.make = e.make_mac;
      v.push_back(m);
    }
    return v;
  }();
  return models;
}

const std::vector<ArrayModelInfo>& array_models() {
  static const std::vector<ArrayModelInfo> models = [] {
    std::vector<ArrayModelInfo> v;
    for (const Entry& e : kEntries) {
      const std::string top = e.top;
      if (top != "mac_array" && top != "mac_array_ws" && top != "mac_array_is") continue;
      const auto p = parse_params(e);
      ArrayModelInfo a{};
      a.name = e.prefix + 1;
      a.dataflow = top == "mac_array"      ? Dataflow::output_stationary
                   : top == "mac_array_ws" ? Dataflow::weight_stationary
                                           : Dataflow::input_stationary;
      a.rows = param(p, "Rows", 4);
      a.cols = param(p, "Cols", 4);
      a.kind = kind_of_pe(param(p, "PeKind", 0));
      fill_widths(a.kind, p, &a.width_a, &a.width_w, &a.lanes, &a.acc_width, &a.a_port_bits, &a.w_port_bits);
      a.make = e.make_array;
      v.push_back(a);
    }
    return v;
  }();
  return models;
}

}  // namespace wrpn::rtl
