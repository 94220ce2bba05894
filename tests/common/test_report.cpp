// The report path: CsvTable's CSV and Markdown from the same rows, and the gnuplot templates of
// common/plots/ rendered with sample values.
#include <boost/test/unit_test.hpp>

#include <set>
#include <stdexcept>

#include "common/atomic_file.h"
#include "common/csv.h"
#include "common/plot.h"

using namespace wrpn;

BOOST_AUTO_TEST_SUITE(report)

BOOST_AUTO_TEST_CASE(csv_and_markdown_from_the_same_rows) {
  CsvTable t({"layer", "note", "energy_pj", "macs"});
  t.row().add("conv1").add("plain").add(1.5).add(int64_t{1200});
  t.row().add("fc, last").add("say \"hi\"").add(0.1).add(uint64_t{7});
  t.row().add("a|b").add("two\nlines").add(-2.0).add(0);
  BOOST_TEST(t.str() ==
             "layer,note,energy_pj,macs\n"
             "conv1,plain,1.5,1200\n"
             "\"fc, last\",\"say \"\"hi\"\"\",0.1,7\n"
             "a|b,\"two\nlines\",-2,0\n");
  BOOST_TEST(t.markdown() ==
             "| layer | note | energy_pj | macs |\n"
             "| --- | --- | --- | --- |\n"
             "| conv1 | plain | 1.5 | 1200 |\n"
             "| fc, last | say \"hi\" | 0.1 | 7 |\n"
             "| a\\|b | two<br>lines | -2 | 0 |\n");
  // Rounded for reading; text and integers as they are.
  CsvTable r({"layer", "energy_pj", "macs"});
  r.row().add("conv1").add(123.456789).add(int64_t{123456789});
  BOOST_TEST(r.markdown(4) == "| layer | energy_pj | macs |\n| --- | --- | --- |\n| conv1 | 123.5 | 123456789 |\n");
  BOOST_TEST(r.str() == "layer,energy_pj,macs\nconv1,123.456789,123456789\n");
}

BOOST_AUTO_TEST_CASE(markdown_checks_row_length_like_csv) {
  CsvTable t({"a", "b"});
  t.row().add("only one");
  BOOST_CHECK_THROW(t.str(), std::logic_error);
  BOOST_CHECK_THROW(t.markdown(), std::logic_error);
  CsvTable empty({"a"});
  BOOST_TEST(empty.markdown() == "| a |\n| --- |\n");
}

BOOST_AUTO_TEST_CASE(render_quotes_text_and_inserts_the_rest_verbatim) {
  const std::string out = render_plot_text("t", "set title @TITLE@\nplot '@DATA@' using @COL@ # mail@host\n",
                                           {{"TITLE", "lenet \"w2\""}, {"DATA", "a.csv"}, {"COL", "($2*1e-6)"}});
  BOOST_TEST(out == "set title \"lenet \\\"w2\\\"\"\nplot 'a.csv' using ($2*1e-6) # mail@host\n");
  BOOST_CHECK_THROW(render_plot_text("t", "set title @TITLE@\n", {}), std::invalid_argument);
  BOOST_CHECK_THROW(render_plot_text("t", "set title 'x'\n", {{"TITLE", "x"}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_missing_template_is_a_reason_not_a_failure) {
  std::string error;
  BOOST_TEST(!draw_plots({{"no_such_plot", {}}}, ".", &error));
  BOOST_TEST(error.find("no_such_plot.gp") != std::string::npos, error);
}

// Every template is rendered with a sample value for each of its placeholders: nothing is left
// unfilled, and every plot sets a title, an x label and a y label from a placeholder.
namespace {

/// The @KEY@ placeholders of a template (KEY of A-Z, 0-9 and _), in order. Written without
/// std::regex, which GCC 12 warns about (maybe-uninitialized) under the sanitizers.
std::vector<std::string> placeholders(const std::string& text) {
  auto key_char = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  std::vector<std::string> keys;
  for (size_t at = text.find('@'); at != std::string::npos; at = text.find('@', at + 1)) {
    size_t end = at + 1;
    while (end < text.size() && key_char(text[end])) ++end;
    if (end > at + 1 && end < text.size() && text[end] == '@') {
      keys.push_back(text.substr(at + 1, end - at - 1));
      at = end;
    }
  }
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_plot_template_fills_title_and_axis_labels) {
  const std::vector<std::string> names = plot_template_names();
  BOOST_TEST_REQUIRE(names.size() >= 6u);
  for (const std::string& name : names) {
    BOOST_TEST_CONTEXT(name) {
      const std::string text = read_file(plot_template_dir() + "/" + name + ".gp");
      PlotVars vars;
      for (const std::string& key : placeholders(text)) vars[key] = "sample " + key;
      for (const char* key : {"TITLE", "XLABEL", "YLABEL"}) BOOST_TEST(vars.count(key) == 1u);
      const std::string out = render_plot(name, vars);
      BOOST_TEST(placeholders(out).empty());
      BOOST_TEST(out.find("set title \"sample TITLE\"") != std::string::npos);
      BOOST_TEST(out.find("set xlabel \"sample XLABEL\"") != std::string::npos);
      BOOST_TEST(out.find("set ylabel \"sample YLABEL\"") != std::string::npos);
      BOOST_TEST(out.find("set output '") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
