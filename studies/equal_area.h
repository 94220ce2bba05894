// Equal-silicon sizing of a PE array (the paper tables' iso-area comparison): as many PEs of one
// synthesized area as cover a target PE-array area, arranged rows x cols by one stated rounding rule,
// and never silently off: a result outside the tolerance is an error.
#pragma once

#include <cstdint>
#include <string>

namespace wrpn {

/// Every equal-area array's PE area is within ±3 % of the target (the FP32 array's).
inline constexpr double kEqualAreaTolerance = 0.03;

/// The rounding rule, as printed beside the tables.
inline constexpr const char* kEqualAreaRule =
    "N = target area / PE area; rows = floor(sqrt(N)); cols = round(N / rows)";

struct EqualAreaArray {
  double target_pes = 0;  ///< N = target_area_um2 / pe_area_um2 (not an integer in general)
  int rows = 0, cols = 0;
  double area_um2 = 0;    ///< rows x cols x pe_area_um2
  double area_ratio = 0;  ///< area_um2 / target_area_um2
};

/// Sizes an array of PEs of `pe_area_um2` to cover `target_area_um2` by kEqualAreaRule (halves of a
/// column round up). The error of the rule is at most rows / (2N), about 1 / (2 sqrt(N)): within 3 %
/// from N = 278 PEs on. DSE009 naming `what` when either area is not positive, an edge would exceed
/// `max_edge` (the arch limit, 1024), or the array's area is outside 1 ± `tolerance` of the target.
EqualAreaArray size_equal_area(double target_area_um2, double pe_area_um2, const std::string& what,
                               double tolerance = kEqualAreaTolerance, int max_edge = 1024);

}  // namespace wrpn
