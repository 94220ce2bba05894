// Equal-area sizing of the paper tables (studies/equal_area.h) on the committed results/synth: every
// design point's array, and every synthesized PE, lands within ±3 % of the FP32 array's PE area by
// the stated rounding rule; a target the rule cannot meet is DSE009, never a silent array; the one
// strict reader of results/synth (energy/synth_results.h) rejects an incomplete PE result.
#define BOOST_TEST_MODULE studies
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "energy/synth_results.h"
#include "studies/equal_area.h"
#include "studies/paper.h"
#include "tests/support/diagnostics.h"

using namespace wrpn;
using wrpn::test::first_diagnostic_line;
namespace fs = std::filesystem;
namespace tt = boost::test_tools;

namespace {

const std::string kSynth = std::string(WRPN_SOURCE_DIR) + "/results/synth";

/// FP32 PE-array area of the paper tables' baseline: its rows x cols of the synthesized FP32 PE.
double fp32_array_um2(const std::vector<energy::SynthResult>& synth) {
  const ArchConfig fp32 = paper_design_point("alexnet", 1.0, 32, 32).arch;
  const auto& pe = energy::require_synth_result(synth, kSynth, "pe", PeType::fp32, 32, 32, 32);
  return static_cast<double>(fp32.rows * fp32.cols) * pe.area_um2;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(equal_area)

BOOST_AUTO_TEST_CASE(every_design_point_of_the_paper_tables_is_within_3_percent) {
  const auto synth = energy::read_synth_results(kSynth);
  const double target = fp32_array_um2(synth);
  BOOST_TEST(target > 1e6);  // 256 FP32 PEs of ~13,000 um^2
  for (const auto& [wb, ab] : paper_precisions()) {
    if (wb == 32) continue;
    // The equal-area table's design points: AlexNet 2x, each PE synthesized at its accumulator.
    const ArchConfig arch = paper_design_point("alexnet", 2.0, wb, ab).arch;
    const auto& pe =
        energy::require_synth_result(synth, kSynth, "pe", arch.pe_type, arch.pe_wbits, arch.pe_abits, arch.acc_bits);
    const EqualAreaArray a = size_equal_area(target, pe.area_um2, pe.variant);
    BOOST_TEST_CONTEXT("W" << wb << "A" << ab << " on " << pe.variant << ": " << a.rows << "x" << a.cols) {
      BOOST_TEST(a.area_ratio >= 0.97);
      BOOST_TEST(a.area_ratio <= 1.03);
      BOOST_TEST(a.area_um2 == a.rows * a.cols * pe.area_um2, tt::tolerance(1e-12));
      // The stated rule, recomputed here.
      const double n = target / pe.area_um2;
      BOOST_TEST(a.rows == static_cast<int>(std::floor(std::sqrt(n))));
      BOOST_TEST(a.cols == static_cast<int>(std::floor(n / a.rows + 0.5)));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_synthesized_pe_can_be_sized) {
  const auto synth = energy::read_synth_results(kSynth);
  const double target = fp32_array_um2(synth);
  int pes = 0;
  for (const auto& r : synth) {
    if (r.top != "pe") continue;
    ++pes;
    const EqualAreaArray a = size_equal_area(target, r.area_um2, r.variant);
    BOOST_TEST(std::abs(a.area_ratio - 1.0) <= kEqualAreaTolerance, r.variant << ": " << a.area_ratio);
  }
  BOOST_TEST(pes >= 15);  // int 8/8 ... 16/16, ternary, binary (1 and 64 lanes), FP32
}

BOOST_AUTO_TEST_CASE(the_rounding_rule) {
  const EqualAreaArray square = size_equal_area(100.0 * 100.0, 1.0, "square");
  BOOST_TEST(square.rows == 100);
  BOOST_TEST(square.cols == 100);
  BOOST_TEST(square.area_ratio == 1.0);
  // N = 2860.76: rows = 53, cols = round(53.98) = 54.
  const EqualAreaArray r = size_equal_area(2860.76, 1.0, "rect");
  BOOST_TEST(r.rows == 53);
  BOOST_TEST(r.cols == 54);
  BOOST_TEST(r.target_pes == 2860.76, tt::tolerance(1e-12));
  // A half column rounds up: N = 10.5 -> 3 x round(3.5) = 3 x 4.
  const EqualAreaArray h = size_equal_area(10.5, 1.0, "half", /*tolerance=*/0.2);
  BOOST_TEST(h.rows == 3);
  BOOST_TEST(h.cols == 4);
}

BOOST_AUTO_TEST_CASE(a_target_the_rule_cannot_meet_is_an_error) {
  // 1.5 PEs: 1 x 2 is 133 % of the target.
  BOOST_TEST(first_diagnostic_line([] { size_equal_area(1.5, 1.0, "tiny"); }).rfind("error[DSE009] tiny: ", 0) == 0);
  // Less than one PE.
  BOOST_TEST(first_diagnostic_line([] { size_equal_area(0.5, 1.0, "none"); }).rfind("error[DSE009] none: ", 0) == 0);
  // 30.6 PEs: 5 x 6 = 30 is 98.0 %, inside 3 % but not inside 1 %.
  BOOST_TEST(first_diagnostic_line([] { size_equal_area(30.6, 1.0, "t3"); }) == test::kNoDiagnostic);
  BOOST_TEST(first_diagnostic_line([] { size_equal_area(30.6, 1.0, "t1", 0.01); }).rfind("error[DSE009] t1: ", 0) == 0);
  // An edge beyond the arch limit.
  BOOST_TEST(first_diagnostic_line([] { size_equal_area(2e6, 1.0, "huge"); }).rfind("error[DSE009] huge: ", 0) == 0);
  BOOST_TEST(first_diagnostic_line([] { size_equal_area(100.0, 0.0, "zero"); }).rfind("error[DSE009] zero: ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(the_synth_reader_is_strict) {
  const fs::path dir = fs::temp_directory_path() / ("wrpn_test_equal_area_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kSynth + "/pe_fp32.json", dir / "pe_fp32.json");
  // A PE result without its area cannot size anything: EN006 naming the file and field.
  std::ofstream(dir / "pe_int_a4w4_acc20.json")
      << R"({"format": "wrpn-synth", "top": "pe", "kind": "int", "variant": "pe_int_a4w4_acc20", "width_w": 4,
             "width_a": 4, "acc_width": 20, "lanes": 1, "cells": {"logic": 331, "flip_flops": 56, "total": 387}})";
  BOOST_TEST(first_diagnostic_line([&] { energy::read_synth_results(dir.string()); }) ==
             "error[EN006] " + (dir / "pe_int_a4w4_acc20.json").string() +
                 ":/area_um2: not a usable \"wrpn-synth\" result: missing \"area_um2\" object");
  fs::remove(dir / "pe_int_a4w4_acc20.json");
  // A unit the tables need but nobody synthesized: EN006 naming the directory and the unit.
  const auto synth = energy::read_synth_results(dir.string());
  BOOST_TEST(first_diagnostic_line([&] {
               energy::require_synth_result(synth, dir.string(), "pe", PeType::int_k, 4, 4, 20);
             }).rfind("error[EN006] " + dir.string() + ": no synthesis result for pe int w4 a4 acc20", 0) == 0);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
