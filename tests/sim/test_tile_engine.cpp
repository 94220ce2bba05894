// The PE-grid engine (mapping/tile_engine.h) against common/numerics.h's dot_reference: random tiles of
// all three dataflows, int and binary PEs, error and saturate overflow modes. Seeds are fixed and printed.
#include <boost/test/unit_test.hpp>

#include <vector>

#include "common/numerics.h"
#include "common/rng.h"
#include "mapping/tile_engine.h"
#include "sim/simulator.h"

using namespace wrpn;
using namespace wrpn::sim;
using namespace wrpn::mapping;

namespace {

struct RandomTile {
  TileShape shape;
  std::vector<int32_t> a, b;  // engine orientation (tile_engine.h)
  int64_t outputs() const {
    return (shape.dataflow == Dataflow::output_stationary ? shape.rows_used : shape.stream) * shape.cols_used;
  }  // OS rows x cols, WS stream x cols, IS cols x stream
};

RandomTile random_tile(Rng& rng, Dataflow df, int abits, int wbits) {
  RandomTile t;
  t.shape = {df, static_cast<int>(rng.uniform_int(1, 9)), static_cast<int>(rng.uniform_int(1, 9)),
             rng.uniform_int(1, 48)};
  const int64_t R = t.shape.rows_used, C = t.shape.cols_used, T = t.shape.stream;
  const bool os = df == Dataflow::output_stationary, is = df == Dataflow::input_stationary;
  t.a.resize(static_cast<size_t>(is ? C * R : (os ? R * T : T * R)));
  t.b.resize(static_cast<size_t>(os ? T * C : (is ? T * R : R * C)));
  for (auto& v : t.a) v = static_cast<int32_t>(rng.uniform_int(0, act_code_max(abits)));
  for (auto& v : t.b) {
    if (wbits == 1)
      v = rng.uniform_int(0, 1) ? 1 : -1;
    else
      v = static_cast<int32_t>(rng.uniform_int(-weight_code_max(wbits), weight_code_max(wbits)));
  }
  return t;
}

/// The operands of the dot product of accumulator f of the tile (its flat index in the engine's acc
/// layout), in reduction order.
void operands_of(const RandomTile& t, int64_t f, std::vector<int32_t>& qa, std::vector<int32_t>& qw) {
  const int64_t R = t.shape.rows_used, C = t.shape.cols_used, T = t.shape.stream;
  qa.clear();
  qw.clear();
  if (t.shape.dataflow == Dataflow::input_stationary) {  // f = pixel column j x channel n
    const int64_t j = f / T, n = f % T;
    for (int64_t i = 0; i < R; ++i) {
      qa.push_back(t.a[static_cast<size_t>(j * R + i)]);
      qw.push_back(t.b[static_cast<size_t>(n * R + i)]);
    }
    return;
  }
  const int64_t o = f / C, j = f % C;
  if (t.shape.dataflow == Dataflow::output_stationary) {
    for (int64_t k = 0; k < T; ++k) {
      qa.push_back(t.a[static_cast<size_t>(o * T + k)]);
      qw.push_back(t.b[static_cast<size_t>(k * C + j)]);
    }
  } else {  // o = pixel m; reduction over the R stationary rows
    for (int64_t i = 0; i < R; ++i) {
      qa.push_back(t.a[static_cast<size_t>(o * R + i)]);
      qw.push_back(t.b[static_cast<size_t>(i * C + j)]);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tile_engine)

BOOST_AUTO_TEST_CASE(int_tiles_match_dot_reference_and_cycle_formula) {
  const uint64_t seed = 1234;
  BOOST_TEST_MESSAGE("seed " << seed);
  Rng rng(seed);
  for (Dataflow df : {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary}) {
    for (int trial = 0; trial < 60; ++trial) {
      const int bits = static_cast<int>(rng.uniform_int(2, 8));
      const RandomTile t = random_tile(rng, df, bits, bits);
      std::vector<int64_t> acc(static_cast<size_t>(t.outputs()), 0);
      const TileStats st = step_tile(t.shape, IntTile{t.a.data(), t.b.data(), acc.data()}, 32, OverflowMode::error);
      BOOST_TEST_CONTEXT("dataflow " << to_string(df) << " trial " << trial << " " << t.shape.rows_used << "x"
                                     << t.shape.cols_used << " stream " << t.shape.stream) {
        BOOST_TEST(!st.overflow);
        BOOST_TEST(st.cycles == tile_cycles(t.shape));
        BOOST_TEST(st.cycles == static_cast<uint64_t>(2 * t.shape.rows_used + t.shape.cols_used - 2 + t.shape.stream));
        BOOST_TEST(st.pe_ops == static_cast<uint64_t>(t.shape.rows_used * t.shape.cols_used * t.shape.stream));
        std::vector<int32_t> qa, qw;
        for (int64_t f = 0; f < t.outputs(); ++f) {
          operands_of(t, f, qa, qw);
          const MacResult ref =
              dot_reference(qa.data(), qw.data(), static_cast<int64_t>(qa.size()), 0, 32, OverflowMode::error);
          BOOST_TEST(acc[static_cast<size_t>(f)] == ref.acc);
        }
        // The RTL cross-check entry point runs the same engine.
        TileRun run;
        run.dataflow = df;
        run.rows = t.shape.rows_used;
        run.cols = t.shape.cols_used;
        run.stream = t.shape.stream;
        run.a = t.a;
        run.b = t.b;
        const TileRunResult rr = run_mac_array_tile(run);
        BOOST_TEST(rr.cycles == st.cycles);
        BOOST_TEST(rr.acc == acc);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(binary_tiles_match_dot_reference) {
  const uint64_t seed = 77;
  BOOST_TEST_MESSAGE("seed " << seed);
  Rng rng(seed);
  for (Dataflow df : {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary}) {
    for (int trial = 0; trial < 30; ++trial) {
      const RandomTile t = random_tile(rng, df, 1, 1);
      // Pack each code into one lane word (lane 0 used): activation bit, weight bit 1 = +1.
      std::vector<uint64_t> a(t.a.size()), b(t.b.size());
      for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint64_t>(t.a[i]);
      for (size_t i = 0; i < b.size(); ++i) b[i] = t.b[i] > 0 ? 1u : 0u;
      std::vector<int64_t> acc(static_cast<size_t>(t.outputs()), 0);
      const TileStats st = step_tile(t.shape, BinaryTile{a.data(), b.data(), acc.data()}, 32, OverflowMode::error);
      BOOST_TEST(st.cycles == tile_cycles(t.shape));
      std::vector<int32_t> qa, qw;
      for (int64_t f = 0; f < t.outputs(); ++f) {
        operands_of(t, f, qa, qw);
        const MacResult ref =
            dot_reference(qa.data(), qw.data(), static_cast<int64_t>(qa.size()), 0, 32, OverflowMode::error);
        BOOST_TEST(acc[static_cast<size_t>(f)] == ref.acc);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(overflow_error_names_a_real_overflow_and_saturate_matches_reference) {
  const uint64_t seed = 99;
  BOOST_TEST_MESSAGE("seed " << seed);
  Rng rng(seed);
  int overflows = 0;
  for (int trial = 0; trial < 40; ++trial) {
    // 4x4-bit products up to 105 in a 9-bit accumulator ([-256, 255]): long streams overflow.
    RandomTile t = random_tile(rng, Dataflow::output_stationary, 4, 4);
    for (auto& v : t.b) v = std::abs(v);  // same sign: sums grow
    std::vector<int64_t> acc(static_cast<size_t>(t.outputs()), 0);
    const TileStats st = step_tile(t.shape, IntTile{t.a.data(), t.b.data(), acc.data()}, 9, OverflowMode::error);
    std::vector<int32_t> qa, qw;
    bool any = false;
    for (int64_t f = 0; f < t.outputs(); ++f) {
      operands_of(t, f, qa, qw);
      any = any || dot_reference(qa.data(), qw.data(), t.shape.stream, 0, 9, OverflowMode::error).overflowed;
    }
    BOOST_TEST(st.overflow == any);
    if (st.overflow) {
      ++overflows;
      operands_of(t, st.overflow_row * t.shape.cols_used + st.overflow_col, qa, qw);
      int64_t at = -1;
      const MacResult ref = dot_reference(qa.data(), qw.data(), t.shape.stream, 0, 9, OverflowMode::error, &at);
      BOOST_TEST(ref.overflowed);
      BOOST_TEST(at == st.overflow_term);
    }
    std::vector<int64_t> sat(static_cast<size_t>(t.outputs()), 0);
    step_tile(t.shape, IntTile{t.a.data(), t.b.data(), sat.data()}, 9, OverflowMode::saturate);
    for (int64_t f = 0; f < t.outputs(); ++f) {
      operands_of(t, f, qa, qw);
      BOOST_TEST(sat[static_cast<size_t>(f)] ==
                 dot_reference(qa.data(), qw.data(), t.shape.stream, 0, 9, OverflowMode::saturate).acc);
    }
  }
  BOOST_TEST(overflows > 5);  // the case exercises overflow at all
}

BOOST_AUTO_TEST_SUITE_END()
