// golden_diff: compares a CSV a `wrpn` command just wrote with its reference in results/reference/.
//
//   golden_diff --reference REF.csv --actual NEW.csv [--rtol R] [--atol A] [--ignore NAME,NAME...]
//
// --ignore names columns (by header) or rows (by the value of their first cell, which must still be
// equal) left out of the comparison: figures that legitimately vary between machines, such as an
// accuracy from a training run, while the rest of the file stays pinned.
//
// Both files must have the same columns and the same number of rows. Cells that parse as numbers
// in both files match when |new - ref| <= atol + rtol * |ref|; every other cell must be equal. On a
// mismatch every differing cell is listed, then each changed row is printed whole as it is now
// (ready to paste into the reference after review; scripts/bless.sh does it for a whole case).
// Exit codes: 0 equal within tolerance, 1 a number or cell changed, 2 bad usage or unreadable file.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/csv.h"

namespace {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> lines;  ///< each row's text, for printing the new row
};

bool read_table(const std::string& path, Table& t) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (first) {
      t.header = wrpn::split_csv_line(line);
      first = false;
    } else {
      t.rows.push_back(wrpn::split_csv_line(line));
      t.lines.push_back(line);
    }
  }
  return !first;
}

bool parse_number(const std::string& s, double& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

int usage(const std::string& why) {
  std::cerr << "golden_diff: " << why
            << "\nusage: golden_diff --reference REF.csv --actual NEW.csv [--rtol R] [--atol A] [--ignore NAME,...]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string ref_path, act_path;
  double rtol = 1e-9, atol = 0.0;
  std::set<std::string> ignored;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--reference") {
      ref_path = value;
    } else if (arg == "--actual") {
      act_path = value;
    } else if (arg == "--rtol" || arg == "--atol") {
      double v = 0;
      if (!parse_number(value, v) || !(v >= 0)) return usage(arg + " must be a number >= 0, got '" + value + "'");
      (arg == "--rtol" ? rtol : atol) = v;
    } else if (arg == "--ignore") {
      for (const auto& c : split_list(value)) ignored.insert(c);
    } else {
      return usage("unknown argument " + arg);
    }
  }
  if (ref_path.empty() || act_path.empty()) return usage("--reference and --actual are required");

  Table ref, act;
  if (!read_table(ref_path, ref)) {
    std::cerr << "golden_diff: cannot read reference " << ref_path
              << " (a new golden case is created with scripts/bless.sh)\n";
    return 2;
  }
  if (!read_table(act_path, act)) {
    std::cerr << "golden_diff: cannot read " << act_path << "\n";
    return 2;
  }
  if (ref.header != act.header) {
    std::cerr << "golden_diff: " << act_path << ": columns differ from " << ref_path << "\n  reference: ";
    for (const auto& c : ref.header) std::cerr << c << ' ';
    std::cerr << "\n  now:       ";
    for (const auto& c : act.header) std::cerr << c << ' ';
    std::cerr << "\n";
    return 1;
  }
  if (ref.rows.size() != act.rows.size()) {
    std::cerr << "golden_diff: " << act_path << " has " << act.rows.size() << " rows, the reference " << ref.rows.size()
              << "\n";
    return 1;
  }

  size_t cells = 0, differing = 0;
  std::vector<size_t> changed_rows;
  for (size_t r = 0; r < ref.rows.size(); ++r) {
    const auto& a = act.rows[r];
    const auto& b = ref.rows[r];
    if (a.size() != ref.header.size() || b.size() != ref.header.size()) {
      std::cerr << "golden_diff: row " << r + 1 << " has the wrong number of cells\n";
      return 1;
    }
    bool row_changed = false;
    const bool row_ignored = ignored.count(b[0]) > 0;
    if (row_ignored && a[0] != b[0]) {
      std::cerr << "golden_diff: row " << r + 1 << " is " << a[0] << ", the reference has " << b[0] << "\n";
      return 1;
    }
    for (size_t c = 0; c < ref.header.size() && !row_ignored; ++c) {
      if (ignored.count(ref.header[c])) continue;
      ++cells;
      double x = 0, y = 0;
      bool same = false;
      if (parse_number(b[c], y) && parse_number(a[c], x))
        same = (std::isnan(x) && std::isnan(y)) || std::fabs(x - y) <= atol + rtol * std::fabs(y);
      else
        same = a[c] == b[c];
      if (!same) {
        ++differing;
        row_changed = true;
        std::cerr << "row " << r + 1 << " (" << ref.header[0] << " = " << b[0] << "), " << ref.header[c]
                  << ": reference " << b[c] << ", now " << a[c] << "\n";
      }
    }
    if (row_changed) changed_rows.push_back(r);
  }
  if (differing == 0) {
    std::cout << "golden_diff: " << act_path << " matches " << ref_path << " (" << cells << " cells, rtol " << rtol
              << ", atol " << atol << ")\n";
    return 0;
  }
  std::cerr << differing << " of " << cells << " cells differ (rtol " << rtol << ", atol " << atol
            << "). The changed rows as they are now:\n";
  for (const size_t r : changed_rows) std::cerr << act.lines[r] << "\n";
  std::cerr << "If the change is intended, update the reference with scripts/bless.sh and review the diff.\n";
  return 1;
}
