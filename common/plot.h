// Plots for reports: gnuplot scripts rendered from the templates in common/plots/ (docs/architecture.md,
// "Reports"), run by Debian's gnuplot to produce PNG files next to the CSVs they are drawn from. A
// missing gnuplot is reported, never fatal: the CSVs are the results, plots are views.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace wrpn {

/// Runs `gnuplot` with `script` (fed on stdin) in directory `workdir`. Returns true on success;
/// otherwise false with a one-line reason in *error (gnuplot missing, script error...).
bool run_gnuplot(const std::string& script, const std::string& workdir, std::string* error);

/// Quotes a string for use inside a gnuplot double-quoted literal (a newline becomes \n, a line break).
std::string gnuplot_quote(const std::string& text);

/// Values of a plot template's placeholders, by name (without the @ signs).
using PlotVars = std::map<std::string, std::string>;

/// The folder of the plot templates: common/plots under the working directory when it exists (a run
/// from the repository root), else common/plots under the source tree wrpn was built from.
std::string plot_template_dir();

/// The names of every template in plot_template_dir() (file names without ".gp"), sorted.
std::vector<std::string> plot_template_names();

/// `text` with every `@KEY@` replaced by vars[KEY]. A key ending in TITLE or LABEL is text and is
/// inserted as a gnuplot string literal (gnuplot_quote); any other key is inserted verbatim (a file
/// name, a column expression). Throws std::invalid_argument naming `name` when a placeholder has no
/// value or a value has no placeholder.
std::string render_plot_text(const std::string& name, const std::string& text, const PlotVars& vars);

/// render_plot_text of the template file `name` ("sim_cycles_per_layer" is
/// plot_template_dir()/sim_cycles_per_layer.gp). Throws std::runtime_error naming the file when the
/// template cannot be read.
std::string render_plot(const std::string& name, const PlotVars& vars);

/// One plot: a template name and its placeholder values.
struct PlotSpec {
  std::string name;
  PlotVars vars;
};

/// Renders `plots` and draws them with one gnuplot run in `workdir`. Like run_gnuplot, never fatal:
/// false with a one-line reason in *error when a template is missing or gnuplot fails.
bool draw_plots(const std::vector<PlotSpec>& plots, const std::string& workdir, std::string* error);

}  // namespace wrpn
