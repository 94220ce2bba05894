#include "rtl/harness/verify.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <sstream>

#include "common/diagnostics.h"
#include "common/numerics.h"
#include "common/rng.h"
#include "rtl/harness/models.h"
#include "workloads/trace.h"

#ifdef WRPN_RTL_HAVE_SIM
#include "sim/simulator.h"
#endif

namespace wrpn::rtl {

bool VerifyReport::ok() const {
  return std::all_of(rows.begin(), rows.end(), [](const CheckRow& r) { return r.mismatches == 0; });
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Per-unit stream: the run seed mixed with the unit name, so selecting units does not change
/// the vectors any one unit sees.
uint64_t unit_seed(uint64_t seed, const std::string& name) {
  uint64_t h = 1469598103934665603ULL;
  for (char ch : name) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
  return seed ^ h;
}

int64_t wrap_to(int64_t v, int bits) {
  const uint64_t m = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t s = uint64_t{1} << (bits - 1);
  const uint64_t u = static_cast<uint64_t>(v) & m;
  return static_cast<int64_t>((u ^ s) - s);
}

bool selected(const VerifyOptions& o, const std::string& name) {
  if (o.units.empty()) return true;
  for (const std::string& u : o.units)
    if (name.compare(0, u.size(), u) == 0) return true;
  return false;
}

std::string vcd_for(const VerifyOptions& o, const std::string& unit, size_t selected_count) {
  if (o.vcd_path.empty()) return "";
  if (selected_count <= 1) return o.vcd_path;
  const size_t dot = o.vcd_path.rfind('.');
  const size_t slash = o.vcd_path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return o.vcd_path + "-" + unit;
  return o.vcd_path.substr(0, dot) + "-" + unit + o.vcd_path.substr(dot);
}

// ------------------------------------------------------------------------------ MAC units

/// Reference of one MAC step for every integer kind: `term` is qa*qw (int, ternary) or the
/// XNOR-popcount dot of the lanes (binary), added with common mac_step semantics.
struct IntRef {
  int64_t acc = 0;
  bool sticky = false;
  void step(bool clear, bool en, int64_t term, int acc_bits, OverflowMode mode) {
    if (clear) {
      acc = 0;
      sticky = false;
    }
    if (!en) return;
    const MacResult r = mac_step(acc, static_cast<int32_t>(term), 1, acc_bits, mode);
    acc = r.acc;
    sticky = sticky || r.overflowed;
  }
};

/// One operand pair of an integer-kind unit, as codes, plus its port bits.
struct IntVec {
  int64_t qa = 0, qw = 0;  // codes (binary: packed lane bits in qa/qw)
};

class IntMacCheck {
 public:
  IntMacCheck(const MacModelInfo& info, const VerifyOptions& o, CheckRow& row)
      : info_(info), opts_(o), row_(row), model_(info.make(info)), rng_(unit_seed(o.seed, info.name)) {}

  MacModel& model() { return *model_; }

  /// The dot term the reference adds for these operands.
  int64_t term(const IntVec& v) const {
    switch (info_.kind) {
      case MacKind::binary: {
        const uint64_t mask = info_.lanes >= 64 ? ~uint64_t{0} : (uint64_t{1} << info_.lanes) - 1;
        return xnor_popcount_dot(static_cast<uint64_t>(v.qa), static_cast<uint64_t>(v.qw), mask);
      }
      case MacKind::ternary:
        // Code 2'b10 is not a ternary code; the RTL documents it as "skip" (weight 0).
        return v.qw == -2 ? 0 : v.qa * v.qw;
      default:
        return v.qa * v.qw;
    }
  }

  /// Applies one step to model and reference and compares. Returns false on a mismatch.
  bool step(const IntVec& v, bool clear, bool en, OverflowMode mode, const char* pass) {
    const int64_t before = ref_.acc;
    ref_.step(clear, en, term(v), info_.acc_width, mode);
    MacIn in;
    in.clear = clear;
    in.en = en;
    in.sat = mode == OverflowMode::saturate;
    in.a = static_cast<uint64_t>(v.qa);
    in.w = static_cast<uint64_t>(v.qw);
    model_->step(in);
    ++row_.vectors;
    // Error mode: the register keeps the low acc bits of the exact sum; the flag is the contract.
    const int64_t expect = mode == OverflowMode::saturate ? ref_.acc : wrap_to(ref_.acc, info_.acc_width);
    const int64_t got = model_->acc();
    const bool got_ovf = model_->ovf();
    if (got == expect && got_ovf == ref_.sticky) return true;
    ++row_.mismatches;
    if (row_.first_mismatch.empty()) {
      std::ostringstream s;
      s << row_.unit << " (" << pass << ", " << to_string(mode) << " mode, vector " << row_.vectors << ", seed "
        << opts_.seed << "): inputs clear=" << clear << " en=" << en << " a=" << v.qa << " w=" << v.qw
        << " with acc before=" << wrap_to(before, info_.acc_width) << "; expected acc=" << expect
        << " ovf=" << ref_.sticky << "; got acc=" << got << " ovf=" << got_ovf;
      row_.first_mismatch = s.str();
    }
    // Resynchronise so one bug is not reported a million times.
    model_->step(MacIn{true, false, false, 0, 0});
    ref_ = IntRef{};
    return false;
  }

  void clear_both() {
    model_->step(MacIn{true, false, false, 0, 0});
    ref_ = IntRef{};
  }

  /// All operand pairs (exhaustive) or a seeded random set with edge cases mixed in.
  std::vector<IntVec> operand_set(bool* exhaustive) {
    std::vector<IntVec> v;
    if (info_.kind == MacKind::binary) {
      *exhaustive = info_.lanes <= 8;
      if (*exhaustive) {
        for (int64_t a = 0; a < (int64_t{1} << info_.lanes); ++a)
          for (int64_t w = 0; w < (int64_t{1} << info_.lanes); ++w) v.push_back({a, w});
      } else {
        const uint64_t ones = info_.lanes >= 64 ? ~uint64_t{0} : (uint64_t{1} << info_.lanes) - 1;
        const uint64_t edges[] = {
            0, ones, 0x5555555555555555ULL & ones, 0xaaaaaaaaaaaaaaaaULL & ones, 1, uint64_t{1} << (info_.lanes - 1)};
        for (uint64_t a : edges)
          for (uint64_t w : edges) v.push_back({static_cast<int64_t>(a), static_cast<int64_t>(w)});
        for (int64_t i = 0; i < opts_.random_vectors; ++i)
          v.push_back({static_cast<int64_t>(rng_.next_u64() & ones), static_cast<int64_t>(rng_.next_u64() & ones)});
      }
      return v;
    }
    const int64_t amax = act_code_max(info_.width_a);
    std::vector<int64_t> wcodes;
    const int64_t wmax = info_.kind == MacKind::ternary ? 1 : weight_code_max(info_.width_w);
    *exhaustive = info_.width_a <= 8 && info_.width_w <= 8;
    if (*exhaustive) {
      for (int64_t w = -wmax; w <= wmax; ++w) wcodes.push_back(w);
      if (info_.kind == MacKind::ternary) wcodes.push_back(-2);  // 2'b10, documented as skip
      for (int64_t a = 0; a <= amax; ++a)
        for (int64_t w : wcodes) v.push_back({a, w});
      return v;
    }
    const int64_t aedge[] = {0, 1, amax - 1, amax, amax / 2};
    const int64_t wedge[] = {0, 1, -1, wmax, -wmax, wmax - 1, -wmax + 1};
    for (int64_t a : aedge)
      for (int64_t w : wedge) v.push_back({a, w});
    for (int64_t i = 0; i < opts_.random_vectors; ++i)
      v.push_back({rng_.uniform_int(0, amax), rng_.uniform_int(-wmax, wmax)});
    return v;
  }

  void run() {
    bool exhaustive = false;
    std::vector<IntVec> set = operand_set(&exhaustive);
    row_.method = exhaustive ? "exhaustive" : "random+edges";
    // Pass 1: every pair as a fresh product (clear with enable): acc must equal qa*qw exactly.
    for (const IntVec& v : set) step(v, true, true, OverflowMode::error, "product");
    // Pass 2/3: running sums over a shuffled order with random clears and idle cycles, in both
    // accumulator modes.
    for (int i = static_cast<int>(set.size()) - 1; i > 0; --i)
      std::swap(set[static_cast<size_t>(i)], set[static_cast<size_t>(rng_.uniform_int(0, i))]);
    for (OverflowMode mode : {OverflowMode::error, OverflowMode::saturate}) {
      clear_both();
      for (const IntVec& v : set) {
        const bool clear = rng_.uniform_int(0, 63) == 0;
        const bool en = rng_.uniform_int(0, 7) != 0;
        step(v, clear, en, mode, "running sum");
      }
    }
    // Pass 4: forced overflow in both directions and both modes, held past the boundary so the
    // flag must stay set and a saturated value must stay clamped.
    IntVec up, down;
    if (info_.kind == MacKind::binary) {
      const uint64_t ones = info_.lanes >= 64 ? ~uint64_t{0} : (uint64_t{1} << info_.lanes) - 1;
      up = {static_cast<int64_t>(ones), static_cast<int64_t>(ones)};
      down = {static_cast<int64_t>(ones), 0};
    } else {
      const int64_t wmax = info_.kind == MacKind::ternary ? 1 : weight_code_max(info_.width_w);
      up = {act_code_max(info_.width_a), wmax};
      down = {act_code_max(info_.width_a), -wmax};
    }
    const int64_t per = std::max<int64_t>(1, std::llabs(term(up)));
    const int64_t steps = acc_max(info_.acc_width) / per + 4;
    for (OverflowMode mode : {OverflowMode::error, OverflowMode::saturate})
      for (const IntVec& v : {up, down}) {
        clear_both();
        for (int64_t i = 0; i < steps; ++i) step(v, false, true, mode, "forced overflow");
        // One idle and one counter-step after the boundary: still flagged until clear.
        step(v, false, false, mode, "forced overflow");
        step(v.qw == up.qw ? down : up, false, true, mode, "forced overflow");
        step(v, true, false, mode, "forced overflow");
      }
    row_.cycles = model_->cycles();
  }

 private:
  const MacModelInfo& info_;
  const VerifyOptions& opts_;
  CheckRow& row_;
  std::unique_ptr<MacModel> model_;
  Rng rng_;
  IntRef ref_;
};

// ------------------------------------------------------------------------------ FP32

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

float random_fp32(Rng& rng) {
  static const uint32_t edges[] = {0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001,
                                   0x00000001, 0x80000001, 0x007fffff, 0x00800000, 0x80800000, 0x7f7fffff,
                                   0xff7fffff, 0x3f800000, 0xbf800000, 0x3f800001, 0x33800000, 0x34000000,
                                   0x4b800000, 0x3effffff, 0x1f800000, 0x5f800000, 0x20000000, 0x1fffffff};
  switch (rng.uniform_int(0, 3)) {
    case 0:  // any bit pattern: every class, extreme exponents
      return float_of(static_cast<uint32_t>(rng.next_u64()));
    case 1:  // edge values
      return float_of(edges[rng.uniform_int(0, static_cast<int64_t>(std::size(edges)) - 1)]);
    case 2: {  // moderate magnitudes of both signs: long sums with cancellation and rounding
      const uint32_t exp = static_cast<uint32_t>(rng.uniform_int(100, 154));
      return float_of((static_cast<uint32_t>(rng.next_u64()) & 0x807fffffu) | (exp << 23));
    }
    default: {  // near the subnormal / overflow boundaries
      const bool low = rng.uniform_int(0, 1) == 0;
      const uint32_t exp = static_cast<uint32_t>(low ? rng.uniform_int(0, 70) : rng.uniform_int(190, 254));
      return float_of((static_cast<uint32_t>(rng.next_u64()) & 0x807fffffu) | (exp << 23));
    }
  }
}

class Fp32Check {
 public:
  Fp32Check(const MacModelInfo& info, const VerifyOptions& o, CheckRow& row)
      : info_(info), opts_(o), row_(row), model_(info.make(info)), rng_(unit_seed(o.seed, info.name)) {}
  MacModel& model() { return *model_; }

  float random_operand() { return random_fp32(rng_); }

  bool same(uint32_t expect, uint32_t got) {
    const float e = float_of(expect), g = float_of(got);
    // NaN results are compared by class: the RTL returns the canonical quiet NaN (documented).
    if (std::isnan(e)) return got == 0x7fc00000u;
    (void)g;
    return expect == got;
  }

  void step(float a, float w, bool clear, bool en, const char* pass) {
    const float before = acc_;
    if (clear) {
      acc_ = 0.0f;
      sticky_ = false;
    }
    if (en) {
      volatile float product = a * w;
      const float p = product;
      const float sum = fp32_mac(acc_, a, w);
      const bool ovf = (std::isfinite(a) && std::isfinite(w) && std::isinf(p)) ||
                       (std::isfinite(acc_) && std::isfinite(p) && std::isinf(sum));
      sticky_ = sticky_ || ovf;
      acc_ = sum;
    }
    MacIn in;
    in.clear = clear;
    in.en = en;
    in.a = bits_of(a);
    in.w = bits_of(w);
    model_->step(in);
    ++row_.vectors;
    const uint32_t got = static_cast<uint32_t>(model_->acc());
    if (same(bits_of(acc_), got) && model_->ovf() == sticky_) return;
    ++row_.mismatches;
    if (row_.first_mismatch.empty()) {
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "%s (%s, vector %llu, seed %llu): inputs clear=%d en=%d a=%a (0x%08x) w=%a (0x%08x) with acc "
                    "before=%a (0x%08x); expected acc=%a (0x%08x) ovf=%d; got acc=%a (0x%08x) ovf=%d",
                    row_.unit.c_str(), pass, static_cast<unsigned long long>(row_.vectors),
                    static_cast<unsigned long long>(opts_.seed), clear, en, static_cast<double>(a), bits_of(a),
                    static_cast<double>(w), bits_of(w), static_cast<double>(before), bits_of(before),
                    static_cast<double>(acc_), bits_of(acc_), static_cast<int>(sticky_),
                    static_cast<double>(float_of(got)), got, static_cast<int>(model_->ovf()));
      row_.first_mismatch = buf;
    }
    model_->step(MacIn{true, false, false, 0, 0});
    acc_ = 0.0f;
    sticky_ = false;
  }

  void run() {
    row_.method = "random+edges";
    model_->step(MacIn{true, false, false, 0, 0});
    // Products alone (clear + enable), then running sums with random clears and idle cycles.
    for (int64_t i = 0; i < opts_.random_vectors; ++i) step(random_operand(), random_operand(), true, true, "product");
    for (int64_t i = 0; i < opts_.random_vectors; ++i) {
      const bool clear = rng_.uniform_int(0, 15) == 0;
      const bool en = rng_.uniform_int(0, 7) != 0;
      step(random_operand(), random_operand(), clear, en, "running sum");
    }
    row_.cycles = model_->cycles();
  }

 private:
  const MacModelInfo& info_;
  const VerifyOptions& opts_;
  CheckRow& row_;
  std::unique_ptr<MacModel> model_;
  Rng rng_;
  float acc_ = 0.0f;
  bool sticky_ = false;
};

// ------------------------------------------------------------------------------ arrays

/// One array tile (mapping/tile_engine.h shapes). Operands and accumulators are raw: integer codes,
/// packed binary lane words (as int64 bit patterns) or IEEE-754 bits (FP32).
///  OS: a = rows x stream, b = stream x cols, init = rows x cols (the partial sum each output starts from)
///  WS: a = stream x rows (pixel-major), b = rows x cols (stationary weights), init = stream x cols
///  IS: a = cols x rows (pixel-major stationary inputs), b = stream x rows (streamed weights of each
///      channel), init = cols x stream
struct Tile {
  Dataflow dataflow = Dataflow::output_stationary;
  int rows = 1, cols = 1;
  int64_t stream = 1;
  std::vector<int64_t> a, b, init;
  OverflowMode mode = OverflowMode::saturate;
  size_t outputs() const {
    return static_cast<size_t>((dataflow == Dataflow::output_stationary ? rows : stream) * cols);
  }
};

struct TileOutcome {
  std::vector<int64_t> acc;  ///< as Tile::init
  uint64_t cycles = 0;       ///< first operand in .. last result out, inclusive
  bool overflow = false;
};

/// Reference 1, always: each output's terms added in reduction order with common/numerics.h
/// (mac_step; xnor_popcount_dot for binary lanes; fp32_mac), from its initial value, and the cycle
/// count the sim documents for every dataflow, 2R + C + stream - 2 (mapping/tile_engine.h tile_cycles).
TileOutcome common_reference(const Tile& t, MacKind kind, int acc_bits) {
  TileOutcome out;
  out.acc = t.init;
  const bool os = t.dataflow == Dataflow::output_stationary, is = t.dataflow == Dataflow::input_stationary;
  // Accumulator (i, j) in the tile's layout: OS pixel row x channel column, WS pixel x channel
  // column, IS pixel column x channel.
  const int64_t outer = os ? t.rows : (is ? t.cols : t.stream), inner = is ? t.stream : t.cols;
  const int64_t red = os ? t.stream : t.rows;
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t j = 0; j < inner; ++j) {
      int64_t& acc = out.acc[static_cast<size_t>(i * inner + j)];
      for (int64_t k = 0; k < red; ++k) {
        const int64_t x = t.a[static_cast<size_t>(os ? i * t.stream + k : i * t.rows + k)];
        const int64_t w = t.b[static_cast<size_t>(is ? j * t.rows + k : k * t.cols + j)];
        if (kind == MacKind::fp32) {
          acc = bits_of(fp32_mac(float_of(static_cast<uint32_t>(acc)), float_of(static_cast<uint32_t>(x)),
                                 float_of(static_cast<uint32_t>(w))));
          continue;
        }
        const int64_t term = kind == MacKind::binary
                                 ? xnor_popcount_dot(static_cast<uint64_t>(x), static_cast<uint64_t>(w), ~uint64_t{0})
                                 : x * w;
        const MacResult r = mac_step(acc, static_cast<int32_t>(term), 1, acc_bits, t.mode);
        acc = r.acc;
        if (r.overflowed) {
          out.overflow = true;
          if (t.mode == OverflowMode::error) break;  // the value is undefined from here on
        }
      }
    }
  out.cycles = static_cast<uint64_t>(2 * t.rows + t.cols - 2) + static_cast<uint64_t>(t.stream);
  return out;
}

#ifdef WRPN_RTL_HAVE_SIM
/// Reference 2, when wrpn::sim is built: the cycle-stepped tile engine of the SystemC MacArray
/// (mapping/tile_engine.h step_tile), with the tile's initial accumulators.
TileOutcome sim_reference(const Tile& t, MacKind kind, int acc_bits) {
  const mapping::TileShape shape{t.dataflow, t.rows, t.cols, t.stream};
  TileOutcome out;
  mapping::TileStats st;
  if (kind == MacKind::fp32) {
    std::vector<float> a, b, acc;
    for (int64_t x : t.a) a.push_back(float_of(static_cast<uint32_t>(x)));
    for (int64_t x : t.b) b.push_back(float_of(static_cast<uint32_t>(x)));
    for (int64_t x : t.init) acc.push_back(float_of(static_cast<uint32_t>(x)));
    st = mapping::step_tile(shape, mapping::Fp32Tile{a.data(), b.data(), acc.data()});
    for (float f : acc) out.acc.push_back(bits_of(f));
  } else if (kind == MacKind::binary) {
    std::vector<uint64_t> a(t.a.begin(), t.a.end()), b(t.b.begin(), t.b.end());
    out.acc = t.init;
    st = mapping::step_tile(shape, mapping::BinaryTile{a.data(), b.data(), out.acc.data()}, acc_bits, t.mode);
  } else {
    std::vector<int32_t> a(t.a.begin(), t.a.end()), b(t.b.begin(), t.b.end());
    out.acc = t.init;
    st = mapping::step_tile(shape, mapping::IntTile{a.data(), b.data(), out.acc.data()}, acc_bits, t.mode);
  }
  out.cycles = st.cycles;
  out.overflow = st.overflow;
  return out;
}
#endif

/// Drives one tile through the Verilated array and collects its results (timing contracts in
/// rtl/README.md: mac_array, mac_array_ws and mac_array_is).
TileOutcome run_rtl_tile(ArrayModel& m, const ArrayModelInfo& info, const Tile& t, uint64_t* total_cycles) {
  const bool os = t.dataflow == Dataflow::output_stationary, is = t.dataflow == Dataflow::input_stationary;
  TileOutcome out;
  out.acc.assign(t.outputs(), 0);
  std::vector<int64_t> got(static_cast<size_t>(t.cols), 0);
  const uint64_t row_mask = t.rows >= 64 ? ~uint64_t{0} : (uint64_t{1} << t.rows) - 1;
  const uint64_t col_mask = t.cols >= 64 ? ~uint64_t{0} : (uint64_t{1} << t.cols) - 1;
  std::vector<uint64_t> a(static_cast<size_t>(info.rows), 0), w(static_cast<size_t>(info.cols), 0),
      psum(static_cast<size_t>(info.cols), 0);
  std::vector<uint64_t> x(static_cast<size_t>(info.cols), 0), wrow(static_cast<size_t>(info.rows), 0);
  const bool sat = t.mode == OverflowMode::saturate;
  const int64_t per_col = os ? t.rows : t.stream;
  int64_t remaining = per_col * t.cols;
  if (os) {
    // Initial values of the used PEs (the others start from 0; they produce no result).
    std::vector<uint64_t> init(static_cast<size_t>(info.rows * info.cols), 0);
    for (int r = 0; r < t.rows; ++r)
      for (int c = 0; c < t.cols; ++c)
        init[static_cast<size_t>(r * info.cols + c)] =
            static_cast<uint64_t>(t.init[static_cast<size_t>(r * t.cols + c)]);
    m.set_init(init);
  }
  // Generous bound: a correct array finishes in 2R + C + stream - 2 cycles.
  const uint64_t limit = static_cast<uint64_t>(t.stream) + 4 * static_cast<uint64_t>(info.rows + info.cols) + 8;
  uint64_t cycle = 0;
  for (; cycle < limit && remaining > 0; ++cycle) {
    const int64_t cyc = static_cast<int64_t>(cycle);
    if (os) {
      const bool valid = cyc < t.stream;
      if (valid) {
        for (int r = 0; r < t.rows; ++r)
          a[static_cast<size_t>(r)] = static_cast<uint64_t>(t.a[static_cast<size_t>(r * t.stream + cyc)]);
        for (int c = 0; c < t.cols; ++c)
          w[static_cast<size_t>(c)] = static_cast<uint64_t>(t.b[static_cast<size_t>(cyc * t.cols + c)]);
      }
      m.drive_os(valid, valid && cyc == 0, valid && cyc == t.stream - 1, a.data(), row_mask, w.data(), col_mask, sat);
    } else if (is) {
      // Input rows first, the last used row first; then one channel per cycle with its partial sums.
      const bool load = cyc < t.rows;
      const int64_t ch = cyc - t.rows;
      const bool valid = !load && ch < t.stream;
      if (load)
        for (int c = 0; c < t.cols; ++c)
          x[static_cast<size_t>(c)] = static_cast<uint64_t>(t.a[static_cast<size_t>(c * t.rows + (t.rows - 1 - cyc))]);
      if (valid) {
        for (int r = 0; r < t.rows; ++r)
          wrow[static_cast<size_t>(r)] = static_cast<uint64_t>(t.b[static_cast<size_t>(ch * t.rows + r)]);
        for (int c = 0; c < t.cols; ++c)
          psum[static_cast<size_t>(c)] = static_cast<uint64_t>(t.init[static_cast<size_t>(c * t.stream + ch)]);
      }
      m.drive_is(load, x.data(), valid, wrow.data(), psum.data(), row_mask, col_mask, sat);
    } else {
      // Weight rows first, the last used row first; then one pixel per cycle with its partial sums.
      const bool load = cyc < t.rows;
      const int64_t px = cyc - t.rows;
      const bool valid = !load && px < t.stream;
      if (load)
        for (int c = 0; c < t.cols; ++c)
          w[static_cast<size_t>(c)] = static_cast<uint64_t>(t.b[static_cast<size_t>((t.rows - 1 - cyc) * t.cols + c)]);
      if (valid) {
        for (int r = 0; r < t.rows; ++r)
          a[static_cast<size_t>(r)] = static_cast<uint64_t>(t.a[static_cast<size_t>(px * t.rows + r)]);
        for (int c = 0; c < t.cols; ++c)
          psum[static_cast<size_t>(c)] = static_cast<uint64_t>(t.init[static_cast<size_t>(px * t.cols + c)]);
      }
      m.drive_ws(load, w.data(), valid, a.data(), psum.data(), row_mask, col_mask, sat);
    }
    m.settle();
    for (int c = 0; c < info.cols; ++c) {
      if (!m.res_valid(c)) continue;
      if (c >= t.cols || got[static_cast<size_t>(c)] >= per_col) {
        out.cycles = 0;  // a result from an unused PE or an extra one: reported as a cycle mismatch
        remaining = -1;
        break;
      }
      const int64_t i = got[static_cast<size_t>(c)]++;
      out.acc[static_cast<size_t>(is ? c * t.stream + i : i * t.cols + c)] = m.res(c);
      out.overflow = out.overflow || m.res_ovf(c);
      --remaining;
      out.cycles = cycle + 1;
    }
    m.tick();
  }
  *total_cycles += cycle;
  if (remaining != 0) out.cycles = 0;
  return out;
}

std::string describe_tile(const Tile& t) {
  std::ostringstream s;
  s << to_string(t.dataflow) << " " << t.rows << "x" << t.cols << " PEs, stream " << t.stream << ", "
    << to_string(t.mode) << " mode";
  return s.str();
}

std::string matrix_excerpt(const std::vector<int64_t>& v, size_t n) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < std::min(n, v.size()); ++i) s << (i ? " " : "") << v[i];
  if (v.size() > n) s << " ...";
  s << "]";
  return s.str();
}

class ArrayCheck {
 public:
  ArrayCheck(const ArrayModelInfo& info, const VerifyOptions& o, CheckRow& row)
      : info_(info), opts_(o), row_(row), model_(info.build()), rng_(unit_seed(o.seed, info.name)) {}
  ArrayModel& model() { return *model_; }

  bool os() const { return info_.dataflow == Dataflow::output_stationary; }
  bool is() const { return info_.dataflow == Dataflow::input_stationary; }
  int32_t wmax() const {
    return info_.kind == MacKind::ternary ? 1 : static_cast<int32_t>(weight_code_max(info_.width_w));
  }

  /// A random activation operand: a code, a word of 1-bit codes over a random number of the lanes
  /// (unused lanes 0, as the sim packs them), or an FP32 value.
  int64_t random_a() {
    switch (info_.kind) {
      case MacKind::binary: {
        const int used = static_cast<int>(rng_.uniform_int(1, info_.lanes));
        const uint64_t mask = used >= 64 ? ~uint64_t{0} : (uint64_t{1} << used) - 1;
        return static_cast<int64_t>(rng_.next_u64() & mask);
      }
      case MacKind::fp32:
        return bits_of(random_fp32(rng_));
      default:
        return rng_.uniform_int(0, act_code_max(info_.width_a));
    }
  }
  int64_t random_w() {
    switch (info_.kind) {
      case MacKind::binary:
        return static_cast<int64_t>(rng_.next_u64() &
                                    (info_.lanes >= 64 ? ~uint64_t{0} : (uint64_t{1} << info_.lanes) - 1));
      case MacKind::fp32:
        return bits_of(random_fp32(rng_));
      default:
        return rng_.uniform_int(-wmax(), wmax());
    }
  }
  /// A partial sum carried in from an earlier reduction tile (a quarter of the range for integers).
  int64_t random_init() {
    if (info_.kind == MacKind::fp32) return bits_of(random_fp32(rng_));
    return rng_.uniform_int(acc_min(info_.acc_width) / 4, acc_max(info_.acc_width) / 4);
  }

  /// rows x cols PEs with a stream of `stream`; `psum` draws initial values, `extreme` the largest
  /// codes (integer kinds: forces accumulator overflow).
  Tile random_tile(int rows, int cols, int64_t stream, OverflowMode mode, bool psum, bool extreme = false) {
    Tile t;
    t.dataflow = info_.dataflow;
    t.rows = rows;
    t.cols = cols;
    t.stream = stream;
    t.mode = mode;
    t.a.resize(static_cast<size_t>(is() ? cols * rows : rows * stream));
    t.b.resize(static_cast<size_t>(is() ? stream * rows : (os() ? stream : rows) * cols));
    for (auto& x : t.a)
      x = extreme && info_.kind != MacKind::fp32 && info_.kind != MacKind::binary ? act_code_max(info_.width_a)
                                                                                  : random_a();
    for (auto& x : t.b)
      x = extreme && info_.kind != MacKind::fp32 && info_.kind != MacKind::binary
              ? (rng_.uniform_int(0, 3) ? wmax() : -wmax())
              : random_w();
    if (extreme && info_.kind == MacKind::binary) {
      for (auto& x : t.a) x = -1;  // all lanes 1
      for (auto& x : t.b) x = rng_.uniform_int(0, 3) ? -1 : 0;
    }
    t.init.assign(t.outputs(), 0);
    if (psum)
      for (auto& x : t.init) x = random_init();
    return t;
  }

  bool same_value(int64_t expect, int64_t got) const {
    if (expect == got) return true;
    // FP32 NaN results are compared by class (the RTL returns the canonical quiet NaN).
    return info_.kind == MacKind::fp32 && std::isnan(float_of(static_cast<uint32_t>(expect))) &&
           std::isnan(float_of(static_cast<uint32_t>(got)));
  }

  /// Appends the first difference between the RTL and one reference to `why`.
  void compare(const Tile& t, const TileOutcome& rtl, const TileOutcome& ref, const char* ref_name,
               std::ostringstream& why) const {
    if (rtl.cycles != ref.cycles) {
      why << "cycles vs " << ref_name << ": expected " << ref.cycles
          << " (first operand in to last result out, inclusive), got "
          << (rtl.cycles ? std::to_string(rtl.cycles) : std::string("incomplete/extra results"));
      return;
    }
    // FP32: the sim reports no overflow (IEEE infinities); the RTL's flag is checked per unit.
    if (info_.kind != MacKind::fp32 && rtl.overflow != ref.overflow) {
      why << "overflow flag vs " << ref_name << ": expected " << ref.overflow << ", got " << rtl.overflow;
      return;
    }
    // Error mode: after an overflow only the flag is defined (the RTL keeps the low bits).
    if (t.mode == OverflowMode::error && ref.overflow) return;
    for (size_t i = 0; i < ref.acc.size(); ++i) {
      if (same_value(ref.acc[i], rtl.acc[i])) continue;
      why << "acc[" << i / static_cast<size_t>(t.cols) << "][" << i % static_cast<size_t>(t.cols) << "] vs " << ref_name
          << ": expected " << ref.acc[i] << ", got " << rtl.acc[i];
      return;
    }
  }

  /// Compares one tile; `what` names it in the first-mismatch text. Returns the RTL's outcome.
  TileOutcome check(const Tile& t, const std::string& what) {
    const TileOutcome rtl = run_rtl_tile(*model_, info_, t, &row_.cycles);
    ++row_.vectors;
    std::ostringstream why;
    compare(t, rtl, common_reference(t, info_.kind, info_.acc_width), "common/ reference", why);
#ifdef WRPN_RTL_HAVE_SIM
    if (why.str().empty()) compare(t, rtl, sim_reference(t, info_.kind, info_.acc_width), "sim step_tile", why);
#endif
    if (why.str().empty()) return rtl;
    ++row_.mismatches;
    if (row_.first_mismatch.empty()) {
      std::ostringstream s;
      s << row_.unit << " (" << what << ", tile " << row_.vectors << ", seed " << opts_.seed
        << "): " << describe_tile(t) << ", A=" << matrix_excerpt(t.a, 12) << " B=" << matrix_excerpt(t.b, 12)
        << " init=" << matrix_excerpt(t.init, 6) << "; " << why.str();
      row_.first_mismatch = s.str();
    }
    // Start clean after a failure (a stuck result would poison every later tile).
    model_->reset();
    return rtl;
  }

  /// C (m x n) = A (m x k) * B (k x n) folded onto the array with a split reduction: the reduction
  /// runs in chunks (OS: `k_chunk` steps; WS, IS: one array height of rows) and each chunk's tile starts
  /// from the accumulators the RTL produced for the previous one (preload / partial-sum input).
  /// Returns the RTL's C (row-major, m x n); `a_at`/`b_at` give the operands.
  template <class AAt, class BAt>
  std::vector<int64_t> run_gemm(int64_t m, int64_t k, int64_t n, int64_t k_chunk, OverflowMode mode, AAt a_at, BAt b_at,
                                const std::string& what) {
    std::vector<int64_t> C(static_cast<size_t>(m * n), 0);
    const int64_t kc = os() ? std::max<int64_t>(1, k_chunk) : info_.rows;
    // OS: rows = pixels (blocks of the array height), stream = reduction chunk.
    // WS: rows = reduction chunk, stream = pixels (blocks of at most 64).
    // IS: rows = reduction chunk, columns = pixels (blocks of the array width), stream = channels
    //     (blocks of at most 64).
    const int64_t m_block = os() ? info_.rows : (is() ? info_.cols : 64);
    const int64_t n_block = is() ? 64 : info_.cols;
    for (int64_t i0 = 0; i0 < m; i0 += m_block)
      for (int64_t j0 = 0; j0 < n; j0 += n_block)
        for (int64_t k0 = 0; k0 < k; k0 += kc) {
          const int64_t mb = std::min(m_block, m - i0), nb = std::min<int64_t>(n_block, n - j0),
                        kb = std::min(kc, k - k0);
          Tile t;
          t.dataflow = info_.dataflow;
          t.mode = mode;
          t.cols = static_cast<int>(is() ? mb : nb);
          t.rows = static_cast<int>(os() ? mb : kb);
          t.stream = os() ? kb : (is() ? nb : mb);
          // Pixel-major in every dataflow (OS: rows x stream; WS: stream x rows; IS: cols x rows).
          for (int64_t i = 0; i < mb; ++i)
            for (int64_t kk = 0; kk < kb; ++kk) t.a.push_back(a_at(i0 + i, k0 + kk));
          if (is()) {  // channel-major: each streamed channel's reduction slice
            for (int64_t j = 0; j < nb; ++j)
              for (int64_t kk = 0; kk < kb; ++kk) t.b.push_back(b_at(k0 + kk, j0 + j));
          } else {
            for (int64_t kk = 0; kk < kb; ++kk)
              for (int64_t j = 0; j < nb; ++j) t.b.push_back(b_at(k0 + kk, j0 + j));
          }
          for (int64_t i = 0; i < mb; ++i)
            for (int64_t j = 0; j < nb; ++j) t.init.push_back(C[static_cast<size_t>((i0 + i) * n + j0 + j)]);
          const TileOutcome r = check(t, what);
          for (int64_t i = 0; i < mb; ++i)
            for (int64_t j = 0; j < nb; ++j)
              C[static_cast<size_t>((i0 + i) * n + j0 + j)] = r.acc[static_cast<size_t>(i * nb + j)];
        }
    return C;
  }

  void check_gemm(int64_t m, int64_t k, int64_t n, int64_t k_chunk, OverflowMode mode, const std::string& what) {
    std::vector<int64_t> A(static_cast<size_t>(m * k)), B(static_cast<size_t>(k * n));
    for (auto& x : A) x = random_a();
    for (auto& x : B) x = random_w();
    run_gemm(
        m, k, n, k_chunk, mode, [&](int64_t i, int64_t kk) { return A[static_cast<size_t>(i * k + kk)]; },
        [&](int64_t kk, int64_t j) { return B[static_cast<size_t>(kk * n + j)]; }, what);
  }

  void run() {
    row_.method = "tiles";
    const int R = info_.rows, C = info_.cols;
    const bool integer = info_.kind != MacKind::fp32;
    const std::vector<OverflowMode> modes = integer
                                                ? std::vector<OverflowMode>{OverflowMode::saturate, OverflowMode::error}
                                                : std::vector<OverflowMode>{OverflowMode::error};
    // Shapes that do not fill the array, fill it exactly, and need several folds, with and
    // without partial sums in; then GEMMs with a split reduction (partial sums carried over).
    for (int64_t s : {1, 2, 5, 17}) {
      for (OverflowMode mode : modes) {
        for (bool psum : {false, true}) {
          check(random_tile(1, 1, s, mode, psum), "partial 1x1");
          check(random_tile(std::max(1, R / 2), std::max(1, C - 1), s, mode, psum), "partial");
          check(random_tile(R, 1, s, mode, psum), "one column");
          check(random_tile(1, C, s, mode, psum), "one row");
          check(random_tile(R, C, s, mode, psum), "full");
        }
        check_gemm(2 * R + 1, 3 * s + R, 2 * C - 1, s, mode, "split-reduction GEMM");
      }
    }
    // Accumulator overflow in both modes (the narrow arrays reach it within a few dozen terms).
    if (integer) {
      const int64_t per =
          info_.kind == MacKind::binary ? info_.lanes : static_cast<int64_t>(act_code_max(info_.width_a)) * wmax();
      const int64_t s_over = std::min<int64_t>(acc_max(info_.acc_width) / std::max<int64_t>(per, 1) + 3, 4096);
      for (OverflowMode mode : modes) {
        // OS: a long reduction; WS: the reduction is the array height, so partial sums near the
        // boundary push it over.
        Tile t = random_tile(R, C, os() ? s_over : 8, mode, !os(), true);
        if (!os())
          for (auto& x : t.init)
            x = rng_.uniform_int(0, 1) ? acc_max(info_.acc_width) - 1 : acc_min(info_.acc_width) + 1;
        check(t, "overflow");
      }
    }
    // Random tiles: half fill the array, half are partial; half start from partial sums; stream
    // lengths 1..64.
    for (int64_t i = 0; i < opts_.array_tiles; ++i) {
      const bool fill = rng_.uniform_int(0, 1) == 0;
      const int rows = fill ? R : static_cast<int>(rng_.uniform_int(1, R));
      const int cols = fill ? C : static_cast<int>(rng_.uniform_int(1, C));
      const int64_t s = rng_.uniform_int(1, 64);
      const OverflowMode mode = integer && rng_.uniform_int(0, 1) ? OverflowMode::saturate : OverflowMode::error;
      check(random_tile(rows, cols, s, mode, rng_.uniform_int(0, 1) == 1), "random");
    }
  }

  /// Replays the conv/fc layers of a trace as im2col GEMMs (first `opts_.trace_rows` output pixels)
  /// with a split reduction: OS in chunks of 64 reduction steps (preloaded accumulators), WS and IS
  /// in chunks of the array height (partial-sum input).
  void replay_layer(const TraceLayer& L, const std::string& trace_dir) {
    const Layer& s = L.shape;
    row_.method = "trace:" + s.name;
    const int64_t OH = s.out_h(), OW = s.out_w();
    const int64_t cg = s.c / s.groups, kg = s.k / s.groups, fan = s.fan_in();
    const int64_t pixels = s.n * OH * OW;
    const int64_t rows = opts_.trace_rows > 0 ? std::min(pixels, opts_.trace_rows) : pixels;
    for (int64_t g = 0; g < s.groups; ++g) {
      // A: pixel x (c, r, s) codes with zero padding; B: (c, r, s) x output channel of this group.
      std::vector<int64_t> A(static_cast<size_t>(rows * fan), 0), B(static_cast<size_t>(fan * kg));
      for (int64_t p = 0; p < rows; ++p) {
        const int64_t img = p / (OH * OW), oy = (p / OW) % OH, ox = p % OW;
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t r = 0; r < s.r; ++r)
            for (int64_t q = 0; q < s.s; ++q) {
              const int64_t y = oy * s.stride - s.pad + r, x = ox * s.stride - s.pad + q;
              if (y < 0 || y >= s.h || x < 0 || x >= s.w) continue;
              A[static_cast<size_t>(p * fan + (c * s.r + r) * s.s + q)] =
                  L.input[static_cast<size_t>(((img * s.c + g * cg + c) * s.h + y) * s.w + x)];
            }
      }
      for (int64_t o = 0; o < kg; ++o)
        for (int64_t f = 0; f < fan; ++f)
          B[static_cast<size_t>(f * kg + o)] = L.weights[static_cast<size_t>((g * kg + o) * fan + f)];
      const uint64_t before = row_.mismatches;
      const std::vector<int64_t> Cm = run_gemm(
          rows, fan, kg, 64, OverflowMode::error,
          [&](int64_t i, int64_t f) { return A[static_cast<size_t>(i * fan + f)]; },
          [&](int64_t f, int64_t j) { return B[static_cast<size_t>(f * kg + j)]; }, trace_dir + " layer " + s.name);
      if (L.expected_acc.empty() || row_.mismatches != before) continue;
      // The trainer's own accumulators in the trace must equal what the RTL produced.
      for (int64_t p = 0; p < rows; ++p)
        for (int64_t j = 0; j < kg; ++j) {
          const int64_t o = g * kg + j;
          const int64_t img = p / (OH * OW), pix = p % (OH * OW);
          const int64_t e = L.expected_acc[static_cast<size_t>((img * s.k + o) * OH * OW + pix)];
          const int64_t got = Cm[static_cast<size_t>(p * kg + j)];
          if (e == got) continue;
          ++row_.mismatches;
          if (row_.first_mismatch.empty()) {
            std::ostringstream m;
            m << row_.unit << " (trace " << trace_dir << ", layer " << s.name << ", image " << img
              << ", output channel " << o << ", pixel " << pix << "): expected trace accumulator " << e << ", got "
              << got;
            row_.first_mismatch = m.str();
          }
        }
    }
  }

 private:
  const ArrayModelInfo& info_;
  const VerifyOptions& opts_;
  CheckRow& row_;
  std::unique_ptr<ArrayModel> model_;
  Rng rng_;
};

std::string mac_widths(const MacModelInfo& m) {
  std::ostringstream s;
  switch (m.kind) {
    case MacKind::fp32:
      return "fp32";
    case MacKind::binary:
      s << "a" << m.width_a << " w1 x" << m.lanes << " acc" << m.acc_width;
      break;
    case MacKind::ternary:
      s << "a" << m.width_a << " w2(ternary) acc" << m.acc_width;
      break;
    default:
      s << "a" << m.width_a << " w" << m.width_w << " acc" << m.acc_width;
      break;
  }
  return s.str();
}

std::string array_widths(const ArrayModelInfo& a) {
  std::ostringstream s;
  s << short_name(a.dataflow) << " " << a.rows << "x" << a.cols << " ";
  switch (a.kind) {
    case MacKind::fp32:
      s << "fp32";
      break;
    case MacKind::binary:
      s << "a" << a.width_a << " w1 x" << a.lanes << " acc" << a.acc_width;
      break;
    case MacKind::ternary:
      s << "a" << a.width_a << " w2(ternary) acc" << a.acc_width;
      break;
    default:
      s << "a" << a.width_a << " w" << a.width_w << " acc" << a.acc_width;
      break;
  }
  return s.str();
}

/// The largest integer array of a dataflow: where trace layers are replayed.
const ArrayModelInfo* trace_array(Dataflow df) {
  const ArrayModelInfo* best = nullptr;
  for (const ArrayModelInfo& a : array_models())
    if (a.dataflow == df && a.kind == MacKind::int_k && (!best || a.rows * a.cols > best->rows * best->cols)) best = &a;
  return best;
}

}  // namespace

std::vector<std::string> verify_unit_names() {
  std::vector<std::string> names;
  for (const MacModelInfo& m : mac_models()) names.push_back(m.name);
  for (const ArrayModelInfo& a : array_models()) names.push_back(a.name);
  return names;
}

VerifyReport run_verify(const VerifyOptions& o, const std::function<void(const CheckRow&)>& on_row) {
  VerifyReport rep;
  rep.seed = o.seed;
#ifdef WRPN_RTL_HAVE_SIM
  rep.sim_reference = true;
#endif
  const auto names = verify_unit_names();
  for (const std::string& u : o.units) {
    const bool known =
        std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n.compare(0, u.size(), u) == 0; });
    if (!known) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      fail("RTL001", "", "--unit", "no RTL unit named or starting with \"" + u + "\"", "units: " + list);
    }
  }
  // Read the trace before anything runs, so a bad trace fails fast.
  Trace trace;
  if (!o.trace_dir.empty()) trace = read_trace(o.trace_dir);

  size_t count = 0;
  for (const auto& n : names) count += selected(o, n) ? 1 : 0;
  const auto t_all = Clock::now();
  auto finish = [&](CheckRow& row, Clock::time_point t0) {
    row.seconds = seconds_since(t0);
    rep.rows.push_back(row);
    if (on_row) on_row(row);
  };

  for (const MacModelInfo& m : mac_models()) {
    if (!selected(o, m.name)) continue;
    const auto t0 = Clock::now();
    CheckRow row;
    row.unit = m.name;
    row.widths = mac_widths(m);
    const std::string vcd = vcd_for(o, m.name, count);
    if (m.kind == MacKind::fp32) {
      Fp32Check c(m, o, row);
      if (!vcd.empty()) c.model().open_vcd(vcd);
      c.run();
      c.model().close_vcd();
    } else {
      IntMacCheck c(m, o, row);
      if (!vcd.empty()) c.model().open_vcd(vcd);
      c.run();
      c.model().close_vcd();
    }
    finish(row, t0);
  }
  for (const ArrayModelInfo& a : array_models()) {
    if (!selected(o, a.name)) continue;
    const auto t0 = Clock::now();
    CheckRow row;
    row.unit = a.name;
    row.widths = array_widths(a);
    ArrayCheck c(a, o, row);
    const std::string vcd = vcd_for(o, a.name, count);
    if (!vcd.empty()) c.model().open_vcd(vcd);
    c.run();
    c.model().close_vcd();
    finish(row, t0);
  }
  if (!o.trace_dir.empty()) {
    for (Dataflow df : {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary}) {
      const ArrayModelInfo* a = trace_array(df);
      // With --unit, replay only through the selected arrays (every array when none is named).
      if (!a || (!o.units.empty() && !selected(o, a->name))) continue;
      for (const TraceLayer& L : trace.layers) {
        const Layer& s = L.shape;
        if (!s.has_weights()) continue;
        const auto t0 = Clock::now();
        CheckRow row;
        row.unit = a->name;
        row.widths = array_widths(*a);
        row.method = "trace:" + s.name;
        const bool fits = s.abits_in <= a->width_a && s.wbits <= a->width_w && s.wbits >= 2;
        if (!fits) {
          // FP32, binary or wider than the array's ports: not this array's MACs; say so, do not fail.
          row.method += " (skipped: w" + std::to_string(s.wbits) + " a" + std::to_string(s.abits_in) + ")";
          finish(row, t0);
          continue;
        }
        ArrayCheck c(*a, o, row);
        c.replay_layer(L, o.trace_dir);
        finish(row, t0);
      }
    }
  }
  rep.seconds = seconds_since(t_all);
  return rep;
}

std::string verify_table_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-22s %-26s %-22s %10s %10s %12s %8s", "unit", "widths", "method", "vectors",
                "mismatches", "cycles", "seconds");
  return buf;
}

std::string format_verify_row(const CheckRow& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-22s %-26s %-22s %10llu %10llu %12llu %8.2f", r.unit.c_str(), r.widths.c_str(),
                r.method.c_str(), static_cast<unsigned long long>(r.vectors),
                static_cast<unsigned long long>(r.mismatches), static_cast<unsigned long long>(r.cycles), r.seconds);
  return buf;
}

}  // namespace wrpn::rtl

namespace wrpn::rtl {

ArrayRate bench_array_rate(const std::string& unit, uint64_t cycles, uint64_t seed) {
  const ArrayModelInfo* info = nullptr;
  for (const ArrayModelInfo& a : array_models())
    if (a.name == unit) info = &a;
  if (!info) fail("RTL001", "", "--unit", "no array model named \"" + unit + "\"", "wrpn verify --list shows them");
  if (info->dataflow != Dataflow::output_stationary || info->kind == MacKind::fp32 || info->kind == MacKind::binary)
    fail("RTL001", "", "--unit", "wrpn bench rtl times integer output-stationary arrays; \"" + unit + "\" is not one",
         "e.g. --unit mac_array_16x16_a8w8");
  std::unique_ptr<ArrayModel> m = info->build();
  Rng rng(seed);
  const int64_t K = 64;
  const uint64_t mask_r = info->rows >= 64 ? ~uint64_t{0} : (uint64_t{1} << info->rows) - 1;
  const uint64_t mask_c = info->cols >= 64 ? ~uint64_t{0} : (uint64_t{1} << info->cols) - 1;
  // Operands drawn up front so the timed loop is the model only.
  std::vector<uint64_t> a(static_cast<size_t>(info->rows * K)), w(static_cast<size_t>(info->cols * K));
  const int64_t wmax = info->kind == MacKind::ternary ? 1 : weight_code_max(info->width_w);
  for (auto& x : a) x = static_cast<uint64_t>(rng.uniform_int(0, act_code_max(info->width_a)));
  for (auto& x : w) x = static_cast<uint64_t>(rng.uniform_int(-wmax, wmax));
  m->set_init(std::vector<uint64_t>(static_cast<size_t>(info->rows * info->cols), 0));
  // One tile = K operand cycles plus the drain (2R + C - 2 more), then the next tile starts.
  const int64_t period = K + 2 * info->rows + info->cols - 2;
  ArrayRate r;
  r.unit = unit;
  const auto t0 = Clock::now();
  const std::clock_t c0 = std::clock();
  uint64_t sink = 0;
  while (r.cycles < cycles) {
    for (int64_t c = 0; c < period; ++c, ++r.cycles) {
      const bool valid = c < K;
      const size_t kk = static_cast<size_t>(valid ? c : 0);
      m->drive_os(valid, valid && c == 0, valid && c == K - 1, &a[kk * static_cast<size_t>(info->rows)], mask_r,
                  &w[kk * static_cast<size_t>(info->cols)], mask_c, false);
      m->settle();
      for (int col = 0; col < info->cols; ++col)
        if (m->res_valid(col)) sink += static_cast<uint64_t>(m->res(col));
      m->tick();
    }
  }
  r.seconds = seconds_since(t0);
  r.cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  if (sink == 1) r.seconds += 0.0;  // keeps the result reads from being optimised away
  return r;
}

}  // namespace wrpn::rtl
