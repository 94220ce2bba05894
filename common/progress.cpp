#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace wrpn {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit, double plain_interval_s)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      tty_(::isatty(STDERR_FILENO) == 1),
      plain_interval_s_(plain_interval_s),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(int64_t done, const std::string& extra) {
  if (finished_) return;
  done_ = done;
  extra_ = extra;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since >= (tty_ ? 0.1 : plain_interval_s_)) {
    last_draw_ = now;
    draw(false);
  }
}

void ProgressBar::finish(const std::string& extra) {
  if (finished_) return;
  if (!extra.empty()) extra_ = extra;
  done_ = total_;
  draw(true);
  finished_ = true;
}

void ProgressBar::stop(const std::string& extra) {
  if (finished_) return;
  if (!extra.empty()) extra_ = extra;
  draw(true);
  finished_ = true;
}

void ProgressBar::draw(bool final_line) {
  const double el = elapsed_s();
  const double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const double rate = el > 0 ? static_cast<double>(done_) / el : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : -1;
  char line[512];
  const int width = 24;
  std::string bar(width, ' ');
  const int filled = static_cast<int>(frac * width);
  for (int i = 0; i < filled && i < width; ++i) bar[static_cast<size_t>(i)] = '=';
  if (filled < width) bar[static_cast<size_t>(filled)] = '>';
  std::snprintf(line, sizeof line, "%s [%s] %3.0f%% %lld/%lld %s %.0f %s/s %s %s", label_.c_str(), bar.c_str(),
                100.0 * frac, static_cast<long long>(done_), static_cast<long long>(total_), extra_.c_str(), rate,
                unit_.c_str(), final_line ? "in" : "ETA", format_duration(final_line ? el : eta).c_str());
  if (tty_)
    std::fprintf(stderr, "\r\033[K%s%s", line, final_line ? "\n" : "");
  else
    std::fprintf(stderr, "%s\n", line);
  std::fflush(stderr);
}

}  // namespace wrpn
