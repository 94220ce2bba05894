#include "studies/equal_area.h"

#include <cmath>
#include <cstdio>

#include "common/diagnostics.h"

namespace wrpn {

namespace {

std::string num(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

EqualAreaArray size_equal_area(double target_area_um2, double pe_area_um2, const std::string& what, double tolerance,
                               int max_edge) {
  const char* hint = "the equal-area tables need PE-array areas within the tolerance of the FP32 array's";
  if (!(target_area_um2 > 0) || !(pe_area_um2 > 0))
    fail("DSE009", what, "",
         "equal-area sizing needs positive areas (target " + num("%g", target_area_um2) + " um^2, PE " +
             num("%g", pe_area_um2) + " um^2)",
         hint);
  EqualAreaArray a;
  a.target_pes = target_area_um2 / pe_area_um2;
  const double rows = std::floor(std::sqrt(a.target_pes));
  const double cols = rows >= 1 ? std::floor(a.target_pes / rows + 0.5) : 0;
  if (rows < 1 || cols < 1 || rows > max_edge || cols > max_edge)
    fail("DSE009", what, "",
         "equal-area sizing of " + num("%.1f", a.target_pes) + " PEs gives a " + num("%.0f", rows) + "x" +
             num("%.0f", cols) + " array, outside 1.." + std::to_string(max_edge) + " per edge",
         hint);
  a.rows = static_cast<int>(rows);
  a.cols = static_cast<int>(cols);
  a.area_um2 = rows * cols * pe_area_um2;
  a.area_ratio = a.area_um2 / target_area_um2;
  if (std::abs(a.area_ratio - 1.0) > tolerance)
    fail("DSE009", what, "",
         "equal-area sizing (" + std::string(kEqualAreaRule) + ") gives " + std::to_string(a.rows) + "x" +
             std::to_string(a.cols) + " PEs of " + num("%.1f", pe_area_um2) +
             " um^2 = " + num("%.1f", 100 * a.area_ratio) + " % of the target " + num("%.0f", target_area_um2) +
             " um^2, outside ±" + num("%.0f", 100 * tolerance) + " %",
         hint);
  return a;
}

}  // namespace wrpn
