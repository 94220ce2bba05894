// Result tables: one set of rows rendered as CSV (unit-suffixed column names such as energy_pj, RFC 4180
// quoting, numbers printed with enough digits to round-trip) and as a Markdown table for report.md, so
// a report's table and its CSV cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wrpn {

class CsvTable {
 public:
  explicit CsvTable(std::vector<std::string> columns);
  /// Starts a new row; then call add() once per column, in order.
  CsvTable& row();
  CsvTable& add(const std::string& v);
  CsvTable& add(const char* v) { return add(std::string(v)); }
  CsvTable& add(double v);
  CsvTable& add(int64_t v);
  CsvTable& add(uint64_t v);
  CsvTable& add(int v) { return add(static_cast<int64_t>(v)); }
  /// The whole table as CSV; throws std::logic_error if a row has the wrong number of cells.
  std::string str() const;
  /// The same rows as a GitHub-flavoured Markdown table: the header row, a rule, one line per row.
  /// A `|` in a cell is escaped as `\|`, a newline becomes `<br>`. With `digits` > 0, cells added as
  /// a double are shown with that many significant digits ("%.*g"; the CSV keeps every digit).
  /// Throws like str().
  std::string markdown(int digits = 0) const;
  size_t rows() const { return cells_.size(); }
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> cells_;
  /// Per cell: its value when it was added as a double (for markdown's rounding), else NaN.
  std::vector<std::vector<double>> numbers_;
};

/// The fields of one CSV line as CsvTable writes it (RFC 4180: a quoted field may hold commas and
/// doubled quotes). Lines are read one at a time, so a field must not span lines.
std::vector<std::string> split_csv_line(const std::string& line);

/// A CSV file read back: its header and its rows, every row with as many fields as the header.
struct CsvFile {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  ///< empty lines are skipped
  std::vector<size_t> lines;                   ///< the 1-based line of each row, for diagnostics
  /// Index of the column `name` in the header; -1 when there is none.
  int column(const std::string& name) const;
  /// The field of `column` in row `row` as a number: CFG004 when the header has no such column,
  /// CFG002 naming line and column when the field is not a number.
  double number(size_t row, const std::string& column) const;
};

/// Reads a CSV file as CsvTable writes it (split_csv_line per line), strictly: IO002 when it cannot
/// be read, CFG004 when it has no header, CFG002 naming the line when a row's field count differs
/// from the header's.
CsvFile read_csv(const std::string& path);

/// Shortest decimal that round-trips a double ("%.17g" trimmed to the needed digits).
std::string format_number(double v);

}  // namespace wrpn
