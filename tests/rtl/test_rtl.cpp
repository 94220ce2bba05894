// RTL cross-checks and synthesis (label rtl). Seeds are pinned and printed on failure by the
// harness's first-mismatch text.
#define BOOST_TEST_MODULE rtl
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/numerics.h"
#include "common/rng.h"
#include "rtl/harness/models.h"
#include "rtl/harness/synth.h"
#include "rtl/harness/verify.h"
#include "workloads/trace.h"

// libsystemc.so refers to sc_main. These tests never run a SystemC simulation (the harness steps
// the sim's tile engine directly), so nothing pulls in wrpn::sim's weak one.
extern "C" int sc_main(int, char**) { return 0; }

namespace utf = boost::unit_test;
using namespace wrpn;
using namespace wrpn::rtl;

namespace {

constexpr uint64_t kSeed = 20261124;

VerifyReport verify(std::vector<std::string> units, int64_t vectors = 20000, int64_t tiles = 100) {
  VerifyOptions o;
  o.seed = kSeed;
  o.units = std::move(units);
  o.random_vectors = vectors;
  o.array_tiles = tiles;
  return run_verify(o);
}

void expect_clean(const VerifyReport& rep) {
  BOOST_REQUIRE(!rep.rows.empty());
  for (const CheckRow& r : rep.rows) {
    BOOST_TEST_MESSAGE(format_verify_row(r));
    BOOST_TEST(r.mismatches == 0u, r.unit << ": " << r.first_mismatch);
    BOOST_TEST(r.vectors > 0u);
    BOOST_TEST(r.cycles >= r.vectors);
  }
}

const CheckRow& row_of(const VerifyReport& rep, const std::string& unit) {
  for (const CheckRow& r : rep.rows)
    if (r.unit == unit) return r;
  BOOST_FAIL("no row for " + unit);
  return rep.rows.front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(int_units_exhaustive_up_to_8_bits) {
  const VerifyReport rep = verify({"mac_unit_a2w2", "mac_unit_a4w4", "mac_unit_a4w8", "mac_unit_a8w8"});
  expect_clean(rep);
  // Exhaustive: every activation code times every valid weight code, three passes (product,
  // running sums in error and in saturate mode) plus the forced-overflow sequences.
  const CheckRow& r = row_of(rep, "mac_unit_a8w8");
  BOOST_TEST(r.method == "exhaustive");
  BOOST_TEST(r.vectors >= 3u * 256u * 255u);
  BOOST_TEST(row_of(rep, "mac_unit_a4w4").vectors >= 3u * 16u * 15u);
}

BOOST_AUTO_TEST_CASE(ternary_and_binary_exhaustive) {
  const VerifyReport rep = verify({"mac_ternary_a4", "mac_ternary_a8", "mac_binary_a1l8"});
  expect_clean(rep);
  BOOST_TEST(row_of(rep, "mac_binary_a1l8").method == "exhaustive");
  BOOST_TEST(row_of(rep, "mac_binary_a1l8").vectors >= 3u * 65536u);
  BOOST_TEST(row_of(rep, "mac_ternary_a8").vectors >= 3u * 256u * 4u);  // codes -1, 0, +1 and 2'b10
}

BOOST_AUTO_TEST_CASE(wide_units_random_with_edges) {
  const VerifyReport rep = verify({"mac_unit_a16w16", "mac_binary_a1l64", "mac_fp32"});
  expect_clean(rep);
  BOOST_TEST(row_of(rep, "mac_unit_a16w16").method == "random+edges");
  BOOST_TEST(row_of(rep, "mac_fp32").vectors == 40000u);
}

BOOST_AUTO_TEST_CASE(arrays_match_sim_accumulators_and_cycles) {
  const VerifyReport rep = verify({"mac_array"}, 1000, 100);
  expect_clean(rep);
  BOOST_TEST(row_of(rep, "mac_array_16x16_a8w8").vectors >= 100u);
  // Every (dataflow x PE kind) the simulator runs has an array model that was checked.
  for (Dataflow df : {Dataflow::output_stationary, Dataflow::weight_stationary, Dataflow::input_stationary})
    for (MacKind kind : {MacKind::int_k, MacKind::ternary, MacKind::binary, MacKind::fp32}) {
      bool found = false;
      for (const ArrayModelInfo& a : array_models())
        if (a.dataflow == df && a.kind == kind) found = found || row_of(rep, a.name).vectors >= 100u;
      BOOST_TEST(found, to_string(df) << " x " << to_string(kind));
    }
}

namespace {

const ArrayModelInfo& array_named(const std::string& name) {
  for (const auto& a : array_models())
    if (a.name == name) return a;
  BOOST_FAIL("no array model " + name);
  return array_models().front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(os_tile_starts_from_preloaded_partial_sums) {
  // By hand, independent of the references: a 3x5 tile with K = 7 on the 16x16 array whose PEs
  // start from init[r][c] = 1000*r - 10*c (a split reduction's partial sums).
  auto m = array_named("mac_array_16x16_a8w8").build();
  const int R = 3, C = 5, K = 7;
  std::vector<uint64_t> init(16 * 16, 0), a(16, 0), w(16, 0);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) init[static_cast<size_t>(r * 16 + c)] = static_cast<uint64_t>(1000 * r - 10 * c);
  m->set_init(init);
  std::vector<int> per_col(16, 0);
  int results = 0;
  for (int cycle = 0; cycle < 100; ++cycle) {
    const bool valid = cycle < K;
    for (int r = 0; r < R; ++r) a[static_cast<size_t>(r)] = valid ? static_cast<uint64_t>(r + 1) : 0;
    for (int c = 0; c < C; ++c) w[static_cast<size_t>(c)] = valid ? static_cast<uint64_t>(c - 2) : 0;
    m->drive_os(valid, cycle == 0, cycle == K - 1, a.data(), (1u << R) - 1, w.data(), (1u << C) - 1, false);
    m->settle();
    for (int c = 0; c < 16; ++c)
      if (m->res_valid(c)) {
        const int r = per_col[static_cast<size_t>(c)]++;
        BOOST_TEST(m->res(c) == static_cast<int64_t>(1000 * r - 10 * c + K * (r + 1) * (c - 2)));
        ++results;
      }
    m->tick();
  }
  BOOST_TEST(results == R * C);
}

BOOST_AUTO_TEST_CASE(ws_tile_cycle_count_is_2r_plus_c_plus_m_minus_2) {
  // By hand: a 3x5 weight-stationary tile (3 reduction rows, 5 output columns) streaming M = 7
  // pixels through the 16x16 WS array, with partial sums in. Cycles from the first weight row in to
  // the last result out, inclusive.
  auto m = array_named("mac_array_ws_16x16_a8w8").build();
  const int R = 3, C = 5, M = 7;
  auto x = [](int px, int r) { return (px + 2 * r) % 5; };
  auto wt = [](int r, int c) { return c - 2 + r; };
  auto init = [](int px, int c) { return 100 * px - c; };
  std::vector<uint64_t> a(16, 0), w(16, 0), psum(16, 0);
  std::vector<int> per_col(16, 0);
  int results = 0;
  int last = -1;
  for (int cycle = 0; cycle < 100; ++cycle) {
    const bool load = cycle < R;
    const int px = cycle - R;
    const bool valid = !load && px < M;
    for (int c = 0; c < C; ++c) w[static_cast<size_t>(c)] = load ? static_cast<uint64_t>(wt(R - 1 - cycle, c)) : 0;
    for (int r = 0; r < R; ++r) a[static_cast<size_t>(r)] = valid ? static_cast<uint64_t>(x(px, r)) : 0;
    for (int c = 0; c < C; ++c) psum[static_cast<size_t>(c)] = valid ? static_cast<uint64_t>(init(px, c)) : 0;
    m->drive_ws(load, w.data(), valid, a.data(), psum.data(), (1u << R) - 1, (1u << C) - 1, false);
    m->settle();
    for (int c = 0; c < 16; ++c)
      if (m->res_valid(c)) {
        BOOST_TEST(c < C);
        const int p = per_col[static_cast<size_t>(c)]++;
        int64_t expect = init(p, c);
        for (int r = 0; r < R; ++r) expect += x(p, r) * wt(r, c);
        BOOST_TEST(m->res(c) == expect);
        BOOST_TEST(cycle == 2 * R - 1 + p + c);  // pixel p of column c: cycle 2R - 1 + p + c
        ++results;
        last = cycle;
      }
    m->tick();
  }
  BOOST_TEST(results == M * C);
  BOOST_TEST(last + 1 == 2 * R + C + M - 2);
}

BOOST_AUTO_TEST_CASE(is_tile_cycle_count_is_2r_plus_c_plus_n_minus_2) {
  // By hand: a 3x5 input-stationary tile (3 reduction rows, 5 output pixels on the columns)
  // streaming N = 7 output channels through the 16x16 IS array, with partial sums in. Cycles from
  // the first input row in to the last result out, inclusive.
  auto m = array_named("mac_array_is_16x16_a8w8").build();
  const int R = 3, C = 5, N = 7;
  auto x = [](int px, int r) { return (px + 2 * r) % 5; };
  auto wt = [](int n, int r) { return n - 3 + r; };
  auto init = [](int px, int n) { return 100 * px - n; };
  std::vector<uint64_t> xs(16, 0), w(16, 0), psum(16, 0);
  std::vector<int> per_col(16, 0);
  int results = 0;
  int last = -1;
  for (int cycle = 0; cycle < 100; ++cycle) {
    const bool load = cycle < R;
    const int ch = cycle - R;
    const bool valid = !load && ch < N;
    for (int c = 0; c < C; ++c) xs[static_cast<size_t>(c)] = load ? static_cast<uint64_t>(x(c, R - 1 - cycle)) : 0;
    for (int r = 0; r < R; ++r) w[static_cast<size_t>(r)] = valid ? static_cast<uint64_t>(wt(ch, r)) : 0;
    for (int c = 0; c < C; ++c) psum[static_cast<size_t>(c)] = valid ? static_cast<uint64_t>(init(c, ch)) : 0;
    m->drive_is(load, xs.data(), valid, w.data(), psum.data(), (1u << R) - 1, (1u << C) - 1, false);
    m->settle();
    for (int c = 0; c < 16; ++c)
      if (m->res_valid(c)) {
        BOOST_TEST(c < C);
        const int n = per_col[static_cast<size_t>(c)]++;
        int64_t expect = init(c, n);
        for (int r = 0; r < R; ++r) expect += x(c, r) * wt(n, r);
        BOOST_TEST(m->res(c) == expect);
        BOOST_TEST(cycle == 2 * R - 1 + n + c);  // channel n of pixel column c: cycle 2R - 1 + n + c
        ++results;
        last = cycle;
      }
    m->tick();
  }
  BOOST_TEST(results == N * C);
  BOOST_TEST(last + 1 == 2 * R + C + N - 2);
}

BOOST_AUTO_TEST_CASE(array_tile_cycle_count_is_2r_plus_c_plus_k_minus_2) {
  // Independent of the reference: drive one 3x5 tile with K = 7 on the 16x16 array by hand and
  // count cycles from the first operand in to the last result out, inclusive.
  const ArrayModelInfo* info = nullptr;
  for (const auto& a : array_models())
    if (a.name == "mac_array_16x16_a8w8") info = &a;
  BOOST_REQUIRE(info);
  auto m = info->build();
  const int R = 3, C = 5, K = 7;
  std::vector<uint64_t> a(16, 0), w(16, 0);
  m->set_init(std::vector<uint64_t>(16 * 16, 0));
  int results = 0;
  uint64_t last = 0;
  std::vector<int> per_col(16, 0);
  for (uint64_t cycle = 0; cycle < 100; ++cycle) {
    const bool valid = cycle < static_cast<uint64_t>(K);
    for (int r = 0; r < R; ++r) a[static_cast<size_t>(r)] = valid ? static_cast<uint64_t>(r + 1) : 0;
    for (int c = 0; c < C; ++c) w[static_cast<size_t>(c)] = valid ? static_cast<uint64_t>(c - 2) : 0;
    m->drive_os(valid, cycle == 0, cycle == static_cast<uint64_t>(K - 1), a.data(), (1u << R) - 1, w.data(),
                (1u << C) - 1, false);
    m->settle();
    for (int c = 0; c < 16; ++c)
      if (m->res_valid(c)) {
        BOOST_TEST(c < C);
        // Rows of one column leave top row first; column c, row r holds K*(r+1)*(c-2).
        const int r = per_col[static_cast<size_t>(c)]++;
        BOOST_TEST(m->res(c) == static_cast<int64_t>(K * (r + 1) * (c - 2)));
        ++results;
        last = cycle;
      }
    m->tick();
  }
  BOOST_TEST(results == R * C);
  BOOST_TEST(last + 1 == static_cast<uint64_t>(2 * R + C + K - 2));
}

namespace {

/// A one-layer trace (3x3 conv, pad 1, stride 1, 4-bit codes) with accumulators computed here.
Trace small_conv_trace() {
  Trace t;
  t.network = "rtl_test";
  t.dataset = "synthetic";
  t.images = 2;
  TraceLayer L;
  Layer& s = L.shape;
  s.name = "conv_t";
  s.op = LayerOp::conv;
  s.n = 2;
  s.c = 3;
  s.h = s.w = 6;
  s.k = 20;  // more output channels than the 16x16 array has columns: two column folds
  s.r = s.s = 3;
  s.pad = 1;
  s.wbits = 4;
  s.abits_in = 4;
  s.abits_out = 4;
  Rng rng(7);
  L.weights.resize(static_cast<size_t>(s.weight_count()));
  for (auto& w : L.weights) w = static_cast<int32_t>(rng.uniform_int(-7, 7));
  L.input.resize(static_cast<size_t>(s.input_count()));
  for (auto& a : L.input) a = static_cast<int32_t>(rng.uniform_int(0, 15));
  L.requant.assign(static_cast<size_t>(s.k), RequantParams{1, 0, 4});
  const int64_t OH = s.out_h(), OW = s.out_w();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t k = 0; k < s.k; ++k)
      for (int64_t y = 0; y < OH; ++y)
        for (int64_t x = 0; x < OW; ++x) {
          int64_t acc = 0;
          for (int64_t c = 0; c < s.c; ++c)
            for (int64_t r = 0; r < s.r; ++r)
              for (int64_t q = 0; q < s.s; ++q) {
                const int64_t iy = y - s.pad + r, ix = x - s.pad + q;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                acc += static_cast<int64_t>(L.input[static_cast<size_t>(((n * s.c + c) * s.h + iy) * s.w + ix)]) *
                       L.weights[static_cast<size_t>(((k * s.c + c) * s.r + r) * s.s + q)];
              }
          L.expected_acc.push_back(acc);
          L.expected_output.push_back(requantize(acc, L.requant[static_cast<size_t>(k)], s.abits_out));
        }
  t.layers.push_back(L);
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(trace_replay_through_the_16x16_array) {
  const std::string dir = std::string(WRPN_BINARY_DIR) + "/rtl-test-trace";
  Trace t = small_conv_trace();
  write_trace(dir, t, true);
  VerifyOptions o;
  o.seed = kSeed;
  o.units = {"mac_array_16x16"};
  o.array_tiles = 0;
  o.trace_dir = dir;
  o.trace_rows = 0;  // all 2 x 36 output pixels
  const VerifyReport rep = run_verify(o);
  expect_clean(rep);
  BOOST_TEST(rep.rows.back().method == "trace:conv_t");
  BOOST_TEST(rep.rows.back().vectors == 5u * 2u);  // ceil(72/16) row blocks x 2 column blocks

  // A trace whose accumulator disagrees with the RTL is reported, naming the element.
  t.layers[0].expected_acc[5] += 1;
  write_trace(dir, t, true);
  const VerifyReport bad = run_verify(o);
  BOOST_TEST(!bad.ok());
  BOOST_TEST(bad.rows.back().mismatches == 1u);
  BOOST_TEST(bad.rows.back().first_mismatch.find("pixel 5") != std::string::npos, bad.rows.back().first_mismatch);
}

BOOST_AUTO_TEST_CASE(trace_replay_through_the_16x16_is_array) {
  const std::string dir = std::string(WRPN_BINARY_DIR) + "/rtl-test-trace-is";
  const Trace t = small_conv_trace();
  write_trace(dir, t, true);
  VerifyOptions o;
  o.seed = kSeed;
  o.units = {"mac_array_is_16x16"};
  o.array_tiles = 0;
  o.trace_dir = dir;
  o.trace_rows = 0;
  const VerifyReport rep = run_verify(o);
  expect_clean(rep);
  BOOST_TEST(rep.rows.back().unit == "mac_array_is_16x16_a8w8");
  BOOST_TEST(rep.rows.back().method == "trace:conv_t");
  BOOST_TEST(rep.rows.back().vectors > 0u);
}

BOOST_AUTO_TEST_CASE(unknown_unit_is_a_diagnostic) {
  VerifyOptions o;
  o.units = {"mac_nonexistent"};
  BOOST_CHECK_THROW(run_verify(o), std::exception);
}

BOOST_AUTO_TEST_CASE(synth_4bit_mac) {
  // Fresh synthesis into a scratch directory (tests never write tracked files), compared with the
  // committed cache entry when that is current.
  SynthVariant v;
  for (const auto& s : synth_variants())
    if (s.id.rfind("mac_unit_a4w4_", 0) == 0) v = s;
  BOOST_REQUIRE(!v.id.empty());
  const std::string dir = std::string(WRPN_BINARY_DIR) + "/synth-test";
  std::filesystem::remove_all(dir);
  SynthOptions o;
  o.out_dir = dir;
  o.force = true;
  bool cached = true;
  const nlohmann::json j = synthesize(v, o, &cached);
  BOOST_TEST(!cached);
  BOOST_TEST(j.at("format") == "wrpn-synth");
  BOOST_TEST(j.at("acc_width").get<int>() == synth_acc_width(4, 4));
  // Flip-flops: the accumulator and the sticky overflow flag, nothing else.
  BOOST_TEST(j.at("cells").at("flip_flops").get<int>() == v.acc_width + 1);
  BOOST_TEST(j.at("cells").at("logic").get<int>() > 6 * 4 * 4);  // at least the multiplier's partial products
  BOOST_TEST(j.at("area_um2").at("total").get<double>() > 0.0);
  BOOST_TEST(j.at("transistors").at("total").get<int64_t>() > j.at("transistors").at("flip_flops").get<int64_t>());
  // A second call is served from the cache.
  o.force = false;
  const nlohmann::json again = synthesize(v, o, &cached);
  BOOST_TEST(cached);
  BOOST_TEST(again.at("cells").at("total") == j.at("cells").at("total"));
  const std::string committed = default_synth_dir() + "/" + v.id + ".json";
  if (std::filesystem::exists(committed)) {
    const nlohmann::json c = nlohmann::json::parse(read_file(committed));
    if (c.at("rtl_sha256") == j.at("rtl_sha256")) {
      BOOST_TEST(c.at("cells").at("total") == j.at("cells").at("total"));
    } else {
      BOOST_TEST_MESSAGE("committed " << committed << " is stale: rerun `wrpn synth`");
    }
  }
}

BOOST_AUTO_TEST_CASE(committed_synth_cache_holds_every_variant) {
  // results/synth/ holds a result of every variant (`wrpn synth --all` refreshes it) at the
  // width sweep's accumulator (synth_acc_width: a 4096-term dot product), with its flow recorded.
  for (const auto& v : synth_variants()) {
    BOOST_TEST_CONTEXT(v.id) {
      const std::string f = default_synth_dir() + "/" + v.id + ".json";
      BOOST_REQUIRE(std::filesystem::exists(f));
      const nlohmann::json j = nlohmann::json::parse(read_file(f));
      BOOST_TEST(j.at("acc_width").get<int>() == v.acc_width);
      BOOST_TEST(j.at("flow").at("abc").get<std::string>() == (v.fast_abc ? "fast" : "full"));
      BOOST_TEST(j.at("flow").at("script").get<std::string>() == "rtl/synth/" + v.flow);
      if (j.at("rtl_sha256").get<std::string>() != synth_key(v))
        BOOST_TEST_MESSAGE(f << " is stale (the RTL or flow changed): run `wrpn synth --all`");
    }
  }
}

BOOST_AUTO_TEST_CASE(synth_wide_variants, *utf::label("slow") * utf::disabled()) {
  // The wide variants (16-bit, 64-lane binary, FP32; FP32 over a minute of wall time): only with `ctest -L slow`
  // (test_rtl_slow).
  const std::string dir = std::string(WRPN_BINARY_DIR) + "/synth-test-slow";
  SynthOptions o;
  o.out_dir = dir;
  for (const auto& v : synth_variants()) {
    if (!v.slow) continue;
    const nlohmann::json j = synthesize(v, o);
    BOOST_TEST_MESSAGE(format_synth_row(j, false));
    BOOST_TEST(j.at("cells").at("flip_flops").get<int>() >= v.acc_width);
  }
}
