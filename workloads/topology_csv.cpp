// Topology CSV import (docs/workloads.md): our own columns, or SCALE-Sim's topology CSV. The dialect
// is chosen from the header line. Every defect is one diagnostic naming file, line and column:
//   NET004 file unreadable, empty, or a header that matches neither dialect
//   NET005 a cell that is not a valid value for its column
//   NET006 a row with the wrong number of cells, or an unterminated quote
//   NET002 rows that are fine alone but whose shapes do not chain (with the row's line)
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/atomic_file.h"
#include "common/config.h"
#include "common/diagnostics.h"
#include "workloads/network.h"

namespace wrpn {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

/// Lower case with runs of white space collapsed to one space: "IFMAP  Height" -> "ifmap height".
std::string normalize(const std::string& s) {
  std::string out;
  for (char ch : trim(s)) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  return out;
}

struct Row {
  int line = 0;  ///< 1-based line number in the file
  std::vector<std::string> cells;
};

/// Splits one CSV line (RFC 4180 quotes, "" inside quotes) and trims each cell.
std::vector<std::string> split_line(const std::string& text, const std::string& path, int line) {
  std::vector<std::string> cells;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      cells.push_back(trim(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (quoted) fail("NET006", path, std::to_string(line), "unterminated quote");
  cells.push_back(trim(cur));
  return cells;
}

/// Non-blank lines that are not '#' comments, split into cells.
std::vector<Row> read_rows(const std::string& path) {
  // Regular files only, size checked first (a FIFO or /dev/zero must not hang the reader).
  std::string bytes, why;
  if (!try_read_file(path, &bytes, &why, kMaxConfigBytes))
    fail("NET004", path, "",
         why.rfind("cannot open", 0) == 0 ? std::string("cannot open the topology CSV") : "the topology CSV " + why,
         "check the path; NET is a built-in name or a .csv file");
  std::istringstream in(bytes);
  std::vector<Row> rows;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (line == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte-order mark
    const std::string t = trim(text);
    if (t.empty() || t[0] == '#') continue;
    rows.push_back({line, split_line(text, path, line)});
  }
  if (in.bad()) fail("NET004", path, "", "error while reading the topology CSV");
  if (rows.empty())
    fail("NET004", path, "", "the topology CSV has no header line", "see docs/workloads.md for the columns");
  return rows;
}

/// Drops trailing cells that are empty (SCALE-Sim ends rows with a comma) or '#' comments, but keeps
/// at least `keep` cells: a data row keeps one cell per header column, so an empty last column
/// (e.g. "inputs" left blank) is still a cell of its own and not a missing one.
void drop_trailing(std::vector<std::string>& cells, size_t keep = 1) {
  while (cells.size() > keep && (cells.back().empty() || cells.back()[0] == '#')) cells.pop_back();
}

int64_t parse_int(const Row& row, size_t idx, const std::string& column, int64_t lo, int64_t hi,
                  const std::string& path) {
  const std::string& text = row.cells[idx];
  int64_t v = 0;
  bool ok = !text.empty() && text.size() <= 12;
  for (size_t i = 0; ok && i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      ok = false;
    else
      v = v * 10 + (text[i] - '0');
  }
  if (!ok || v < lo || v > hi)
    fail("NET005", path, std::to_string(row.line),
         "column \"" + column + "\": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
             "], got \"" + text + "\"");
  return v;
}

std::string stem_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

void check_cell_count(const Row& row, size_t want, const std::string& path, const std::string& dialect) {
  if (row.cells.size() != want)
    fail("NET006", path, std::to_string(row.line),
         "row has " + std::to_string(row.cells.size()) + " cells, the " + dialect + " header has " +
             std::to_string(want),
         "one cell per header column; quote cells that contain commas");
}

// Size limits, the same as the trace reader's.
constexpr int64_t kMaxChannels = int64_t{1} << 24, kMaxSpatial = int64_t{1} << 16, kMaxKernel = int64_t{1} << 10;

// ------------------------------------------------------------------------------------ our dialect
const char* const kOurColumns[] = {"name", "op", "c", "h", "w", "k", "r", "s", "stride", "pad", "groups", "inputs"};

Network import_ours(const std::string& path, const std::vector<Row>& rows) {
  Row header = rows.front();
  drop_trailing(header.cells);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.cells.size(); ++i) {
    const std::string name = normalize(header.cells[i]);
    if (std::find(std::begin(kOurColumns), std::end(kOurColumns), name) == std::end(kOurColumns))
      fail("NET004", path, std::to_string(header.line), "unknown column \"" + header.cells[i] + "\"",
           "columns: name, op, c, h, w, k, r, s, stride, pad, groups and optionally inputs");
    if (col.count(name)) fail("NET004", path, std::to_string(header.line), "column \"" + name + "\" appears twice");
    col[name] = i;
  }
  for (const char* required : kOurColumns)
    if (std::string(required) != "inputs" && !col.count(required))
      fail("NET004", path, std::to_string(header.line), "missing column \"" + std::string(required) + "\"",
           "columns: name, op, c, h, w, k, r, s, stride, pad, groups and optionally inputs");

  Network net;
  net.name = stem_of(path);
  std::vector<std::string> locations;
  for (size_t ri = 1; ri < rows.size(); ++ri) {
    Row row = rows[ri];
    drop_trailing(row.cells, header.cells.size());
    check_cell_count(row, header.cells.size(), path, "topology");
    auto cell = [&](const char* c) -> const std::string& { return row.cells[col.at(c)]; };
    auto num = [&](const char* c, int64_t lo, int64_t hi, int64_t dflt, bool optional) {
      if (optional && cell(c).empty()) return dflt;
      return parse_int(row, col.at(c), c, lo, hi, path);
    };
    Layer l;
    l.name = cell("name");
    if (l.name.empty() || l.name == "input")
      fail("NET005", path, std::to_string(row.line), "column \"name\": a layer needs a name other than \"input\"");
    if (!parse_layer_op(cell("op"), &l.op))
      fail("NET005", path, std::to_string(row.line),
           "column \"op\": expected conv, fc, maxpool, avgpool, add or concat, got \"" + cell("op") + "\"");
    l.c = num("c", 1, kMaxChannels, 0, false);
    l.h = num("h", 1, kMaxSpatial, 0, false);
    l.w = num("w", 1, kMaxSpatial, 0, false);
    l.k = num("k", 1, kMaxChannels, l.c, !l.has_weights());  // weightless layers: k = c if empty
    l.r = num("r", 1, kMaxKernel, 1, true);
    l.s = num("s", 1, kMaxKernel, 1, true);
    l.stride = num("stride", 1, kMaxKernel, 1, true);
    l.pad = num("pad", 0, kMaxKernel, 0, true);
    l.groups = num("groups", 1, kMaxChannels, 1, true);
    if (col.count("inputs")) {
      std::stringstream ss(cell("inputs"));
      std::string part;
      while (std::getline(ss, part, ';'))
        if (!trim(part).empty()) l.inputs.push_back(trim(part));
    }
    net.layers.push_back(l);
    locations.push_back(std::to_string(row.line));
  }
  if (net.layers.empty()) fail("NET004", path, "", "the topology CSV has a header but no layers");
  const Layer& first = net.layers.front();
  net.input_c = first.c;
  net.input_h = first.h;
  net.input_w = first.w;
  net.num_classes = net.layers.back().k;
  for (const auto& l : net.layers)
    if (l.has_weights()) net.num_classes = l.k;
  net.check_consistency(path, locations);
  return net;
}

// -------------------------------------------------------------------------------- SCALE-Sim
// SCALE-Sim (v1/v2) conv topology: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter
// Width, Channels, Num Filter, Strides," (v2 may split the stride into "Stride height, Stride width").
const char* const kScaleSimColumns[] = {"layer name",   "ifmap height", "ifmap width", "filter height",
                                        "filter width", "channels",     "num filter"};

Network import_scalesim(const std::string& path, const std::vector<Row>& rows) {
  Row header = rows.front();
  drop_trailing(header.cells);
  const std::string hint =
      "SCALE-Sim header: Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,";
  const size_t n_fixed = std::size(kScaleSimColumns);
  for (size_t i = 0; i < n_fixed; ++i)
    if (i >= header.cells.size() || normalize(header.cells[i]) != kScaleSimColumns[i])
      fail("NET004", path, std::to_string(header.line),
           "SCALE-Sim column " + std::to_string(i + 1) + " must be \"" + kScaleSimColumns[i] + "\", got \"" +
               (i < header.cells.size() ? header.cells[i] : std::string()) + "\"",
           hint);
  bool split_stride = false;
  if (header.cells.size() == n_fixed + 1 && normalize(header.cells[n_fixed]) == "strides") {
  } else if (header.cells.size() == n_fixed + 2 && normalize(header.cells[n_fixed]) == "stride height" &&
             normalize(header.cells[n_fixed + 1]) == "stride width") {
    split_stride = true;
  } else {
    fail("NET004", path, std::to_string(header.line),
         "SCALE-Sim header must end with \"Strides\" (or \"Stride height, Stride width\")", hint);
  }

  Network net;
  net.name = stem_of(path);
  net.chained = false;  // SCALE-Sim lists layers independently: pooling omitted, padding in IFMAP sizes
  std::vector<std::string> locations;
  for (size_t ri = 1; ri < rows.size(); ++ri) {
    Row row = rows[ri];
    drop_trailing(row.cells, header.cells.size());
    check_cell_count(row, header.cells.size(), path, "SCALE-Sim");
    auto num = [&](size_t i, int64_t lo, int64_t hi) { return parse_int(row, i, header.cells[i], lo, hi, path); };
    Layer l;
    l.op = LayerOp::conv;
    l.name = row.cells[0];
    if (l.name.empty() || l.name == "input")
      fail("NET005", path, std::to_string(row.line),
           "column \"Layer name\": a layer needs a name other than \"input\"");
    l.h = num(1, 1, kMaxSpatial);
    l.w = num(2, 1, kMaxSpatial);
    l.r = num(3, 1, kMaxKernel);
    l.s = num(4, 1, kMaxKernel);
    const int64_t channels = num(5, 1, kMaxChannels);
    const int64_t filters = num(6, 1, kMaxChannels);
    l.stride = num(7, 1, kMaxKernel);
    if (split_stride && num(8, 1, kMaxKernel) != l.stride)
      fail("NET005", path, std::to_string(row.line),
           "column \"" + header.cells[8] + "\": differs from the stride height; only square strides are modelled");
    if (l.r > l.h)
      fail("NET005", path, std::to_string(row.line),
           "column \"" + header.cells[3] + "\": filter taller than the IFMAP");
    if (l.s > l.w)
      fail("NET005", path, std::to_string(row.line), "column \"" + header.cells[4] + "\": filter wider than the IFMAP");
    // SCALE-Sim treats a layer whose name contains "DP" as depthwise: one single-channel
    // convolution with `Num Filter` filters per input channel, i.e. groups = channels.
    if (l.name.find("DP") != std::string::npos) {
      l.c = l.groups = channels;
      l.k = channels * filters;
    } else {
      l.c = channels;
      l.k = filters;
    }
    // IFMAP sizes already include padding (pad = 0), but SCALE-Sim rounds the output size up:
    // ofmap = ceil((ifmap - filter + stride) / stride). When the stride does not tile the IFMAP,
    // the smallest symmetric pad reproducing that size (and so SCALE-Sim's MAC count) is used.
    auto pad_for = [&](int64_t in, int64_t kern) {
      const int64_t want = (in - kern + l.stride - 1) / l.stride + 1;  // SCALE-Sim's ceil
      int64_t p = 0;
      while ((in + 2 * p - kern) / l.stride + 1 < want) ++p;
      return p;
    };
    l.pad = std::max(pad_for(l.h, l.r), pad_for(l.w, l.s));
    net.layers.push_back(l);
    locations.push_back(std::to_string(row.line));
  }
  if (net.layers.empty()) fail("NET004", path, "", "the topology CSV has a header but no layers");
  net.input_c = net.layers.front().c;
  net.input_h = net.layers.front().h;
  net.input_w = net.layers.front().w;
  net.num_classes = net.layers.back().k;
  net.check_consistency(path, locations);
  return net;
}

}  // namespace

Network import_topology_csv(const std::string& path) {
  const std::vector<Row> rows = read_rows(path);
  const std::string first = normalize(rows.front().cells.front());
  if (first == "layer name") return import_scalesim(path, rows);
  for (const auto& c : rows.front().cells)
    if (normalize(c) == "op") return import_ours(path, rows);
  fail("NET004", path, std::to_string(rows.front().line),
       "header matches neither topology dialect (got \"" + rows.front().cells.front() + ", ...\")",
       "our header: name,op,c,h,w,k,r,s,stride,pad,groups[,inputs]; SCALE-Sim's: Layer name, IFMAP Height, "
       "IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,");
}

}  // namespace wrpn
