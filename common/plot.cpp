#include "common/plot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "common/atomic_file.h"

#ifndef WRPN_COMMON_SOURCE_DIR
#define WRPN_COMMON_SOURCE_DIR "."
#endif

namespace wrpn {

namespace fs = std::filesystem;

std::string plot_template_dir() {
  const fs::path rel = fs::path("common") / "plots";
  if (fs::is_directory(rel)) return rel.string();
  return (fs::path(WRPN_COMMON_SOURCE_DIR) / rel).string();
}

std::vector<std::string> plot_template_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(plot_template_dir(), ec))
    if (e.path().extension() == ".gp") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

bool is_text_key(const std::string& key) {
  auto ends = [&](const std::string& s) {
    return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
  };
  return ends("TITLE") || ends("LABEL");
}

}  // namespace

std::string render_plot_text(const std::string& name, const std::string& text, const PlotVars& vars) {
  std::string out;
  std::set<std::string> used;
  size_t i = 0;
  while (i < text.size()) {
    const size_t at = text.find('@', i);
    if (at == std::string::npos) {
      out += text.substr(i);
      break;
    }
    const size_t end = text.find('@', at + 1);
    const std::string key = end == std::string::npos ? std::string() : text.substr(at + 1, end - at - 1);
    const bool placeholder = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!placeholder) {
      out += text.substr(i, at + 1 - i);
      i = at + 1;
      continue;
    }
    const auto v = vars.find(key);
    if (v == vars.end()) throw std::invalid_argument("plot template " + name + ": no value for @" + key + "@");
    out += text.substr(i, at - i) + (is_text_key(key) ? gnuplot_quote(v->second) : v->second);
    used.insert(key);
    i = end + 1;
  }
  for (const auto& kv : vars)
    if (!used.count(kv.first))
      throw std::invalid_argument("plot template " + name + ": no placeholder @" + kv.first + "@");
  return out;
}

std::string render_plot(const std::string& name, const PlotVars& vars) {
  const std::string path = (fs::path(plot_template_dir()) / (name + ".gp")).string();
  std::string text, why;
  if (!try_read_file(path, &text, &why)) throw std::runtime_error("plot template " + path + ": " + why);
  return render_plot_text(name, text, vars);
}

bool draw_plots(const std::vector<PlotSpec>& plots, const std::string& workdir, std::string* error) {
  std::string script;
  try {
    for (const PlotSpec& p : plots) script += render_plot(p.name, p.vars);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
  return run_gnuplot(script, workdir, error);
}

std::string gnuplot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";  // a line break inside the string: two-line titles
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

bool run_gnuplot(const std::string& script, const std::string& workdir, std::string* error) {
  // The script goes to a file so gnuplot's own error messages can name a line.
  const std::string script_path = workdir + "/.plot.gp";
  try {
    write_file_atomic(script_path, script);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
  // The child's freopen flushes its copy of our stdio buffers: empty them first, or pending output
  // would be printed twice.
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    if (error) *error = std::string("fork failed: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    if (chdir(workdir.c_str()) != 0) _exit(126);
    // gnuplot's warnings go nowhere; failures are reported by exit status.
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen(".plot.log", "w", stderr)) _exit(126);
    execlp("gnuplot", "gnuplot", ".plot.gp", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string log;
  try {
    log = read_file(workdir + "/.plot.log");
  } catch (const std::exception&) {
  }
  std::remove((workdir + "/.plot.log").c_str());
  std::remove(script_path.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (error) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      *error = "gnuplot not found (install gnuplot-nox)";
    else
      *error = "gnuplot failed: " + log.substr(0, log.find('\n', 200));
  }
  return false;
}

}  // namespace wrpn
