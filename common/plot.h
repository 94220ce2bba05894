// Plots for reports: runs Debian's gnuplot on a script, producing PNG files next to the CSVs they
// are drawn from. A missing gnuplot is reported, never fatal: the CSVs are the results, plots are views.
#pragma once

#include <string>

namespace wrpn {

/// Runs `gnuplot` with `script` (fed on stdin) in directory `workdir`. Returns true on success;
/// otherwise false with a one-line reason in *error (gnuplot missing, script error...).
bool run_gnuplot(const std::string& script, const std::string& workdir, std::string* error);

/// Quotes a string for use inside a gnuplot double-quoted literal.
std::string gnuplot_quote(const std::string& text);

}  // namespace wrpn
