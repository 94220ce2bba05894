// A one-line terminal progress display for long jobs (training, sweeps, verification):
//   [=========>        ] 45% 27000/60000 loss 0.412 acc 86.1% 2710 img/s ETA 0:12
// Redraws in place on a TTY (at most 10 times a second); on a pipe or in CI prints a plain line at
// most every `plain_interval_s` seconds so logs stay short.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wrpn {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::string unit, double plain_interval_s = 10.0);
  /// Sets the completed count and an extra text (e.g. "loss 0.41 acc 86%"). Cheap to call often.
  void update(int64_t done, const std::string& extra = {});
  /// Final line with elapsed time, counting the job complete; further updates are ignored.
  void finish(const std::string& extra = {});
  /// Final line for a job that ends early (interrupted): shows the count actually done, not 100%.
  void stop(const std::string& extra = {});
  double elapsed_s() const;

 private:
  void draw(bool final_line);
  std::string label_, unit_, extra_;
  int64_t total_, done_ = 0;
  bool tty_, finished_ = false;
  double plain_interval_s_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

/// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace wrpn
