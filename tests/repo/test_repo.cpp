// Checks of the repository itself, over the files git tracks (a clean clone is what CI builds):
//  - layering: every #include of every C++ source is allowed by the layering table of
//    docs/architecture.md (section 2), which is parsed here, so the page and the code cannot drift;
//  - doc_references: every reference to a project file in markdown, source comments and strings
//    (--help texts included) names a file that exists.
// Each failure names the file, the line and the offending include or reference.
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = WRPN_SOURCE_DIR;

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// Paths of the tracked files, relative to the repository root (`git ls-files`).
std::vector<std::string> tracked_files() {
  const std::string cmd = std::string("'") + WRPN_GIT + "' -C '" + kRoot.string() + "' ls-files -z";
  FILE* pipe = popen(cmd.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  std::string all;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) all.append(buf, n);
  BOOST_TEST_REQUIRE(pclose(pipe) == 0, "git ls-files failed in " << kRoot);
  std::vector<std::string> files;
  std::istringstream ss(all);
  for (std::string f; std::getline(ss, f, '\0');)
    if (!f.empty()) files.push_back(f);
  BOOST_TEST_REQUIRE(files.size() > 100u);
  return files;
}

std::string top_folder(const std::string& path) {
  const size_t slash = path.find('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool is_cpp_source(const std::string& path) {
  return ends_with(path, ".cpp") || ends_with(path, ".h") || ends_with(path, ".inc") || ends_with(path, ".h.in") ||
         ends_with(path, ".cpp.in");
}

/// The `backticked` words of a markdown table cell.
std::vector<std::string> backticked(const std::string& cell) {
  std::vector<std::string> out;
  for (size_t a = cell.find('`'); a != std::string::npos; a = cell.find('`', a)) {
    const size_t b = cell.find('`', a + 1);
    if (b == std::string::npos) break;
    out.push_back(cell.substr(a + 1, b - a - 1));
    a = b + 1;
  }
  return out;
}

std::vector<std::string> table_cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 1; i < row.size(); ++i) {  // row[0] is the leading '|'
    if (row[i] == '|') {
      cells.push_back(cur);
      cur.clear();
    } else {
      cur += row[i];
    }
  }
  return cells;
}

/// folder -> include prefixes it may use, from the table headed "| folder | owns | may include |".
std::map<std::string, std::vector<std::string>> layering_table() {
  const fs::path doc = kRoot / "docs" / "architecture.md";
  const std::vector<std::string> lines = lines_of(doc);
  std::map<std::string, std::vector<std::string>> table;
  size_t i = 0;
  while (i < lines.size() && !starts_with(lines[i], "| folder | owns | may include |")) ++i;
  BOOST_TEST_REQUIRE(i < lines.size(), doc.string() << ": no table headed \"| folder | owns | may include |\"");
  for (i += 2; i < lines.size() && starts_with(lines[i], "|"); ++i) {
    const std::vector<std::string> cells = table_cells(lines[i]);
    BOOST_TEST_REQUIRE(cells.size() == 3u, doc.string() << ":" << i + 1 << ": a layering row has 3 cells");
    const std::vector<std::string> folder = backticked(cells[0]);
    BOOST_TEST_REQUIRE(folder.size() == 1u, doc.string() << ":" << i + 1 << ": the folder cell names one `folder`");
    table[folder[0]] = backticked(cells[2]);
  }
  BOOST_TEST_REQUIRE(table.size() >= 8u, doc.string() << ": the layering table has " << table.size() << " rows");
  return table;
}

/// The path of an `#include "..."` or `#include <...>` line, or "" for any other line.
std::string include_path(const std::string& line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line[i] != '#') return "";
  i = line.find_first_not_of(" \t", i + 1);
  if (i == std::string::npos || line.compare(i, 7, "include") != 0) return "";
  i = line.find_first_not_of(" \t", i + 7);
  if (i == std::string::npos || (line[i] != '"' && line[i] != '<')) return "";
  const size_t end = line.find(line[i] == '"' ? '"' : '>', i + 1);
  return end == std::string::npos ? "" : line.substr(i + 1, end - i - 1);
}

// ---------------------------------------------------------------- references to files

bool exists_in_tree(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec) || fs::exists(fs::path(p.string() + ".in"), ec);  // generated from a template
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '-' || c == '<' ||
         c == '>' || c == '*' || c == '{' || c == '}' || c == '$';
}

const char* const kFileExtensions[] = {".md",  ".h",  ".cpp", ".sv",  ".sh", ".json", ".cmake",
                                       ".txt", ".py", ".ys",  ".vlt", ".in", ".csv"};

bool has_file_extension(const std::string& t) {
  for (const char* e : kFileExtensions)
    if (ends_with(t, e)) return true;
  return false;
}

/// A bare document name such as README.md or CONTRIBUTING.md (upper case, .md).
bool is_bare_doc_name(const std::string& t) {
  if (!ends_with(t, ".md") || t.size() <= 3) return false;
  for (size_t i = 0; i + 3 < t.size(); ++i)
    if (!std::isupper(static_cast<unsigned char>(t[i])) && t[i] != '_') return false;
  return true;
}

struct Reference {
  size_t line;
  std::string target;
};

/// References to project files in one file: markdown links (`](path)`, relative to the file) and
/// mentions of paths under a tracked top-level folder (relative to the root or to the file) or of a
/// bare upper-case document name. Paths with placeholders (<kind>, *, {a,b}, $VAR) and everything
/// under results/ (run outputs and generated reports) are not references to check.
std::vector<std::string> missing_references(const std::string& rel, const std::set<std::string>& tops) {
  std::vector<std::string> missing;
  const fs::path dir = (kRoot / rel).parent_path();
  const std::vector<std::string> lines = lines_of(kRoot / rel);
  const bool markdown = ends_with(rel, ".md");
  auto report = [&](size_t line, const std::string& target) {
    missing.push_back(rel + ":" + std::to_string(line + 1) + ": reference to \"" + target + "\", which does not exist");
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    if (markdown) {
      for (size_t a = line.find("]("); a != std::string::npos; a = line.find("](", a + 2)) {
        const size_t b = line.find(')', a + 2);
        if (b == std::string::npos) break;
        std::string target = line.substr(a + 2, b - a - 2);
        if (target.empty() || target[0] == '#' || target.find("://") != std::string::npos ||
            starts_with(target, "mailto:"))
          continue;
        target = target.substr(0, target.find('#'));
        if (!exists_in_tree(dir / target)) report(n, target);
      }
    }
    for (size_t i = 0; i < line.size();) {
      if (!token_char(line[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < line.size() && token_char(line[j])) ++j;
      std::string t = line.substr(i, j - i);
      i = j;
      while (!t.empty() && t.back() == '.') t.pop_back();
      if (t.find_first_of("<>*{}$") != std::string::npos || !has_file_extension(t)) continue;
      if (t.find('/') == std::string::npos) {
        if (is_bare_doc_name(t) && !exists_in_tree(dir / t) && !exists_in_tree(kRoot / t)) report(n, t);
        continue;
      }
      const std::string top = top_folder(t);
      if (!tops.count(top) || top == "results") continue;
      if (!exists_in_tree(kRoot / t) && !exists_in_tree(dir / t)) report(n, t);
    }
  }
  return missing;
}

bool scanned_for_references(const std::string& path) {
  if (starts_with(path, "results/")) return false;
  const std::string name = fs::path(path).filename().string();
  return ends_with(path, ".md") || is_cpp_source(path) || ends_with(path, ".sv") || ends_with(path, ".vlt") ||
         ends_with(path, ".ys.in") || ends_with(path, ".cmake") || name == "CMakeLists.txt" || ends_with(path, ".sh") ||
         ends_with(path, ".py") || name == "run";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(repo)

BOOST_AUTO_TEST_CASE(layering) {
  const auto table = layering_table();
  std::set<std::string> guarded;  // includes the table speaks about
  for (const auto& [folder, prefixes] : table) guarded.insert(prefixes.begin(), prefixes.end());
  size_t files = 0, checked = 0;
  for (const std::string& f : tracked_files()) {
    if (!is_cpp_source(f)) continue;
    const std::string folder = top_folder(f);
    const auto row = table.find(folder);
    if (row == table.end()) {
      BOOST_ERROR(f << ": C++ source in a folder the layering table of docs/architecture.md has no row for");
      continue;
    }
    ++files;
    const std::vector<std::string> lines = lines_of(kRoot / f);
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::string inc = include_path(lines[n]);
      if (inc.empty()) continue;
      bool spoken_of = false, allowed = false;
      for (const std::string& g : guarded) spoken_of = spoken_of || starts_with(inc, g);
      for (const std::string& p : row->second) allowed = allowed || starts_with(inc, p);
      if (!spoken_of) continue;
      ++checked;
      if (!allowed)
        BOOST_ERROR(f << ":" << n + 1 << ": forbidden include \"" << inc << "\": " << folder
                      << "/ may include only what its row of docs/architecture.md (section 2) lists");
    }
  }
  BOOST_TEST_MESSAGE(checked << " project includes in " << files << " files checked against " << table.size()
                             << " rows");
  BOOST_TEST(checked > 500u);
}

BOOST_AUTO_TEST_CASE(doc_references) {
  const std::vector<std::string> files = tracked_files();
  std::set<std::string> tops;
  for (const std::string& f : files)
    if (!top_folder(f).empty()) tops.insert(top_folder(f));
  size_t scanned = 0;
  for (const std::string& f : files) {
    if (!scanned_for_references(f)) continue;
    ++scanned;
    for (const std::string& m : missing_references(f, tops)) BOOST_ERROR(m);
  }
  BOOST_TEST_MESSAGE(scanned << " files scanned for references to project files");
  BOOST_TEST(scanned > 200u);
}

BOOST_AUTO_TEST_SUITE_END()
