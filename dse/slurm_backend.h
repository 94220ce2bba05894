// Running a sweep on Slurm: one job array per submission, one array task per chunk of pending
// points. The sweep directory (on a file system every node shares) holds, besides sweep.json and
// points/<id>.json (the same files a local run writes):
//
//   slurm/submission-<k>.json   the chunks (point ids per array task), written before sbatch runs
//   slurm/submission-<k>.job    the Slurm job id, written once sbatch accepted the array
//   slurm/submission-<k>.sh     the batch script (exec wrpn sweep-chunk DIR --submission k)
//   slurm/tasks/<k>-<task>.json what each array task's worker reported (host, start, end or signal)
//   slurm/logs/<job>_<task>.out the task's stdout/stderr
//
// Each task runs its points as `wrpn sweep-point` child processes (SystemC allows one simulation per
// process), so each point's result is written atomically by exactly the code a local run uses. A task
// cancelled or killed mid-way loses only its unfinished points: they have no result file, and the next
// submission of the same sweep runs exactly those (and nothing still queued or running).
#pragma once

#include <string>
#include <vector>

#include "dse/sweep_config.h"
#include "dse/sweep_runner.h"

namespace wrpn {

struct SlurmSubmitOptions {
  std::string executable;                ///< the `wrpn` binary, at the same path on every node
  std::string partition;                 ///< sbatch --partition ("" = the cluster's default)
  std::string time_limit;                ///< sbatch --time per array task ("" = the partition's default)
  int cpus_per_task = 1;                 ///< sbatch --cpus-per-task: a task runs this many points at once
  int max_parallel = 0;                  ///< array throttle (--array=...%N); 0 = no limit
  int chunk_size = 0;                    ///< points per array task; 0 = one point per task, up to 1000 tasks
  std::vector<std::string> sbatch_args;  ///< passed to sbatch unchanged (e.g. --account=x, --mem=2G)
  bool retry_failed = false;             ///< submit points with a failed result again (old result removed)
};

struct SlurmSubmission {
  int index = -1;                          ///< k of slurm/submission-<k>.*; -1 when nothing was submitted
  std::string job_id;                      ///< Slurm's array job id
  size_t total = 0, done = 0, active = 0;  ///< points in the sweep, with results, in live tasks
  size_t submitted = 0, tasks = 0;         ///< points and array tasks of this submission
};

/// Submits every point that has no result and is not in a queued or running task of an earlier
/// submission, as one `sbatch --array` job. Returns without submitting when there is nothing to run.
SlurmSubmission submit_sweep_slurm(const SweepConfig& config, const SweepPaths& paths,
                                   const SlurmSubmitOptions& options);

/// The worker of one array task (`wrpn sweep-chunk`): runs the chunk's points that have no result
/// yet, up to `parallel` at once, each in a `executable sweep-point DIR ID` child. A point whose
/// child fails without writing a result gets a failed result naming the exit code or signal, the host
/// and the task; a child ended by SIGTERM/SIGKILL (scancel, time limit, node shutdown) leaves its point
/// pending for the next submission. Returns the process exit code (0, or 128 + signal when terminated).
int run_sweep_chunk(const SweepPaths& paths, int submission, int task, const std::string& executable, int parallel);

/// Where one point stands.
struct PointStatus {
  std::string id;
  std::string state;   ///< ok, failed, running, queued, interrupted, pending
  std::string detail;  ///< failure reason, Slurm task and state, or why a task is queued
};

struct SweepStatus {
  size_t total = 0, ok = 0, failed = 0, running = 0, queued = 0, interrupted = 0, pending = 0;
  std::vector<PointStatus> points;       ///< in the config's point order
  std::vector<std::string> submissions;  ///< "k: job J, N tasks" lines
  std::vector<std::string> warnings;     ///< e.g. Slurm not reachable
  bool active() const { return running + queued > 0; }
};

/// Points done, failed, running, queued, interrupted (their task ended without a result: reason from
/// Slurm's task state and the worker's own record) and pending (never submitted), from the result
/// files, squeue (sacct when squeue no longer knows the job) and slurm/tasks/.
SweepStatus sweep_status(const SweepConfig& config, const SweepPaths& paths);

/// A human-readable summary (one line of counts, then every point that is not ok with its detail).
std::string format_sweep_status(const SweepStatus& status, const std::string& dir, bool all_points);

}  // namespace wrpn
