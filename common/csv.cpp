#include "common/csv.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "common/atomic_file.h"
#include "common/diagnostics.h"

namespace wrpn {

CsvTable::CsvTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}

CsvTable& CsvTable::row() {
  cells_.emplace_back();
  numbers_.emplace_back();
  return *this;
}

CsvTable& CsvTable::add(const std::string& v) {
  if (cells_.empty()) throw std::logic_error("CsvTable::add before row()");
  cells_.back().push_back(v);
  numbers_.back().push_back(std::nan(""));
  return *this;
}

namespace {

/// RFC 4180: a cell holding a comma, quote or newline is quoted, with its quotes doubled.
std::string csv_cell(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string markdown_cell(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else if (c != '\r')
      out += c;
  }
  return out;
}

void check_row(const std::vector<std::string>& r, size_t columns) {
  if (r.size() != columns)
    throw std::logic_error("CSV row has " + std::to_string(r.size()) + " cells, expected " + std::to_string(columns));
}

}  // namespace

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int prec = 6; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

CsvTable& CsvTable::add(double v) {
  add(format_number(v));
  numbers_.back().back() = v;
  return *this;
}
CsvTable& CsvTable::add(int64_t v) { return add(std::to_string(v)); }
CsvTable& CsvTable::add(uint64_t v) { return add(std::to_string(v)); }

std::string CsvTable::str() const {
  std::string out;
  for (size_t i = 0; i < columns_.size(); ++i) out += (i ? "," : "") + columns_[i];
  out += "\n";
  for (const auto& r : cells_) {
    check_row(r, columns_.size());
    for (size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + csv_cell(r[i]);
    out += "\n";
  }
  return out;
}

std::string CsvTable::markdown(int digits) const {
  std::string out = "|", rule = "|";
  for (const auto& c : columns_) {
    out += " " + markdown_cell(c) + " |";
    rule += " --- |";
  }
  out += "\n" + rule + "\n";
  for (const auto& r : cells_) {
    check_row(r, columns_.size());
    const std::vector<double>& nums = numbers_[static_cast<size_t>(&r - cells_.data())];
    out += "|";
    for (size_t i = 0; i < r.size(); ++i) {
      std::string v = r[i];
      if (digits > 0 && !std::isnan(nums[i])) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.*g", digits, nums[i]);
        v = buf;
      }
      out += " " + markdown_cell(v) + " |";
    }
    out += "\n";
  }
  return out;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

int CsvFile::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

double CsvFile::number(size_t row, const std::string& name) const {
  const int c = column(name);
  if (c < 0) fail("CFG004", path, "header", "no column \"" + name + "\"");
  const std::string& field = rows.at(row)[static_cast<size_t>(c)];
  char* end = nullptr;
  const double v = std::strtod(field.c_str(), &end);
  if (field.empty() || end != field.c_str() + field.size())
    fail("CFG002", path, "line " + std::to_string(lines.at(row)) + ", column " + name,
         "expected a number, got \"" + field + "\"");
  return v;
}

CsvFile read_csv(const std::string& path) {
  CsvFile csv;
  csv.path = path;
  std::istringstream in(read_file(path));
  std::string line;
  if (!std::getline(in, line) || line.empty() || line == "\r") fail("CFG004", path, "header", "no header line");
  csv.header = split_csv_line(line);
  for (size_t n = 2; std::getline(in, line); ++n) {
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> fields = split_csv_line(line);
    if (fields.size() != csv.header.size())
      fail("CFG002", path, "line " + std::to_string(n),
           std::to_string(fields.size()) + " fields, the header has " + std::to_string(csv.header.size()));
    csv.rows.push_back(std::move(fields));
    csv.lines.push_back(n);
  }
  return csv;
}

}  // namespace wrpn
