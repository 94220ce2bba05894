// wrpn sweep CONFIG: design-space exploration (and the hidden worker `wrpn sweep-point DIR ID`).
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "apps/commands.h"
#include "common/atomic_file.h"
#include "common/config.h"
#include "common/diagnostics.h"
#include "common/subprocess.h"
#include "dse/evaluate.h"
#include "dse/slurm_backend.h"
#include "dse/sweep_config.h"
#include "dse/sweep_report.h"
#include "dse/sweep_runner.h"

namespace wrpn {

namespace {

/// The config a sweep directory was made for (its effective JSON, stored in sweep.json).
SweepConfig config_of_directory(const std::string& dir) {
  const std::string path = dir + "/sweep.json";
  if (!std::filesystem::is_regular_file(path))
    fail("DSE002", dir, "", "not a sweep directory (no sweep.json)", "give the --out directory of a `wrpn sweep` run");
  const ConfigDocument doc = ConfigDocument::load(path);
  if (!doc.json().is_object() || !doc.json().contains("config"))
    fail("DSE002", path, "/config", "not a sweep directory's sweep.json (no effective config)");
  // The stored effective config is itself a complete `sweep` config (kind, version, every key).
  const ConfigDocument cfg = ConfigDocument::parse(doc.json().at("config").dump(), path, "sweep");
  return SweepConfig::from_json(cfg.root());
}

/// Polls sweep_status until no point is queued or running (or the timeout, 0 = none, passes).
SweepStatus wait_for_sweep(const SweepConfig& config, const SweepPaths& paths, double poll_s, double timeout_s) {
  const auto start = std::chrono::steady_clock::now();
  size_t last_done = SIZE_MAX;
  for (;;) {
    SweepStatus st = sweep_status(config, paths);
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!st.active() || (timeout_s > 0 && t >= timeout_s)) return st;
    if (st.ok + st.failed != last_done) {
      last_done = st.ok + st.failed;
      std::fprintf(stderr, "[%5.0f s] %zu/%zu done (%zu failed), %zu running, %zu queued\n", t, st.ok + st.failed,
                   st.total, st.failed, st.running, st.queued);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(poll_s));
  }
}

std::string validate_sweep(const std::string& path) {
  const SweepConfig c = SweepConfig::load(path);
  check_point_inputs(c);
  return "sweep \"" + c.name + "\" over " + c.network + ": " + std::to_string(c.points().size()) +
         " points (baselines included)";
}

struct SweepOpts {
  std::string config, out, backend = "local";
  int workers = 0;
  bool collect_only = false, wait = false, retry_failed = false;
  SlurmSubmitOptions slurm;
  double poll_s = 5, timeout_s = 0;
};

void add_sweep_options(CLI::App* sweep, SweepOpts& o) {
  // No CLI::ExistingFile check: a missing config gets the same CFG006 diagnostic (exit 3) as in
  // every other command.
  sweep->add_option("CONFIG", o.config, "sweep config (configs/sweep/*.json)");
  sweep->add_option("--out", o.out, "sweep directory (default results/sweeps/<config name>)");
  sweep->add_option("--backend", o.backend, "where points run: local worker processes, or a Slurm job array")
      ->check(CLI::IsMember({"local", "slurm"}))
      ->capture_default_str();
  sweep->add_option("--workers", o.workers, "local backend: worker processes (default: number of cores)")
      ->check(CLI::Range(1, 256));
  sweep->add_flag("--collect-only", o.collect_only, "do not run pending points; only rewrite the results and report");
  sweep->add_flag("--retry-failed", o.retry_failed,
                  "run points whose cached result is \"failed\" again (after fixing the cause); by default a\n"
                  "finished point, failed or not, is never recomputed");
}

void add_slurm_options(CLI::App* sweep, SweepOpts& o) {
  const std::string sl = "Slurm";
  sweep->add_option("--partition", o.slurm.partition, "slurm backend: sbatch --partition")->group(sl);
  sweep->add_option("--time", o.slurm.time_limit, "slurm backend: time limit per array task (sbatch --time)")
      ->group(sl);
  sweep
      ->add_option("--cpus-per-task", o.slurm.cpus_per_task,
                   "slurm backend: CPUs per array task; a task runs that many points at once")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str()
      ->group(sl);
  sweep
      ->add_option("--max-parallel", o.slurm.max_parallel,
                   "slurm backend: array tasks running at once (--array=...%N; default no limit)")
      ->check(CLI::Range(1, 100000))
      ->group(sl);
  sweep
      ->add_option("--chunk-size", o.slurm.chunk_size,
                   "slurm backend: points per array task (default 1, more when there are over 1000 points)")
      ->check(CLI::Range(1, 1000000))
      ->group(sl);
  sweep
      ->add_option("--sbatch", o.slurm.sbatch_args,
                   "slurm backend: extra sbatch option, passed through (repeatable), e.g. --sbatch=--mem=2G")
      ->allow_extra_args(false)
      ->group(sl);
  sweep->add_flag("--wait", o.wait, "slurm backend: wait until no task is queued or running, then collect")->group(sl);
}

/// `wrpn sweep --backend slurm`: submits the pending points, and with --wait follows and collects them.
void run_slurm_sweep(const SweepConfig& config, const SweepPaths& paths, SweepOpts& o, CommandGroups& g) {
  o.slurm.executable = self_executable();
  o.slurm.retry_failed = o.retry_failed;
  const SlurmSubmission s = submit_sweep_slurm(config, paths, o.slurm);
  if (s.index < 0)
    std::printf("%s: nothing to submit (%zu points: %zu done, %zu in queued or running tasks)\n", paths.dir.c_str(),
                s.total, s.done, s.active);
  else
    std::printf(
        "%s: submitted job %s: %zu points in %zu array tasks (%zu already done, %zu in earlier tasks "
        "still queued or running)\n  follow:  wrpn sweep status %s\n  collect: wrpn sweep collect %s\n",
        paths.dir.c_str(), s.job_id.c_str(), s.submitted, s.tasks, s.done, s.active, paths.dir.c_str(),
        paths.dir.c_str());
  std::fflush(stdout);
  if (!o.wait) return;
  const SweepStatus st = wait_for_sweep(config, paths, o.poll_s, o.timeout_s);
  std::printf("%s", format_sweep_status(st, paths.dir, false).c_str());
  std::fflush(stdout);  // collect_sweep forks gnuplot: nothing may sit in our stdio buffer
  const SweepCollection c = collect_sweep(config, paths);
  std::printf("%s: %zu ok, %zu failed, %zu pending, %zu on the Pareto front\n  results: %s/results.csv\n",
              paths.dir.c_str(), c.ok, c.failed, c.pending, c.pareto, paths.dir.c_str());
  if (st.active() || c.failed > 0) g.exit_code = kExitCheckFailed;
  if (c.failed > 0)
    std::fprintf(stderr, "error: %zu of %zu points failed (reasons in %s/report.md)\n", c.failed,
                 config.points().size(), paths.dir.c_str());
}

/// `wrpn sweep` on local worker processes (or --collect-only), then the results and report.
void run_local_sweep(const SweepConfig& config, const SweepPaths& paths, const SweepOpts& o, CommandGroups& g) {
  SweepRunSummary s;
  if (!o.collect_only) {
    SweepRunOptions ro;
    ro.workers = o.workers > 0 ? o.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    ro.executable = self_executable();
    ro.retry_failed = o.retry_failed;
    std::fprintf(stderr, "sweep %s: %zu points, %zu already done, %d workers -> %s\n", config.name.c_str(),
                 config.points().size(), config.points().size() - pending_points(config, paths, ro.retry_failed).size(),
                 ro.workers, paths.dir.c_str());
    s = run_sweep_points(config, paths, ro);
  }
  const SweepCollection c = collect_sweep(config, paths);
  std::printf("%s: %zu ok, %zu failed, %zu pending, %zu on the Pareto front", paths.dir.c_str(), c.ok, c.failed,
              c.pending, c.pareto);
  if (!o.collect_only && s.ran > 0)
    std::printf("; ran %zu points in %.1f s (%.1f points/min)", s.ran, s.elapsed_s,
                60.0 * static_cast<double>(s.ran) / std::max(s.elapsed_s, 1e-9));
  std::printf("\n  results: %s/results.csv\n  report:  %s/report.md\n", paths.dir.c_str(), paths.dir.c_str());
  for (const auto& w : c.plot_warnings) std::fprintf(stderr, "warning: plots not drawn: %s\n", w.c_str());
  if (s.interrupted) {
    std::fprintf(stderr, "interrupted: finished points are kept; run the same command again to resume\n");
    g.exit_code = kExitInterrupted;
    return;
  }
  if (c.failed > 0) {
    // A sweep with failed points is not a success, even when every other point is fine.
    std::fprintf(stderr,
                 "error: %zu of %zu points failed (reasons in %s/report.md); after fixing the cause, run again "
                 "with --retry-failed\n",
                 c.failed, config.points().size(), paths.dir.c_str());
    g.exit_code = kExitCheckFailed;
  }
}

void run_sweep_command(SweepOpts& o, CommandGroups& g) {
  if (o.config.empty())
    fail("DSE022", "wrpn sweep", "", "a sweep config is required",
         "wrpn sweep CONFIG [--out DIR], or wrpn sweep status|collect DIR");
  const SweepConfig config = SweepConfig::load(o.config);
  check_point_inputs(config);
  const SweepPaths paths{o.out.empty() ? "results/sweeps/" + config.name : o.out};
  const FileLock lock = lock_sweep_directory(paths);
  prepare_sweep_directory(config, paths);
  if (o.backend == "slurm" && !o.collect_only)
    run_slurm_sweep(config, paths, o, g);
  else
    run_local_sweep(config, paths, o, g);
}

/// `wrpn sweep status DIR` and `wrpn sweep collect DIR`.
void register_sweep_directory_commands(CLI::App* sweep, CommandGroups& g) {
  struct DirOpts {
    std::string dir;
    bool all = false, wait = false;
    double poll_s = 5, timeout_s = 0;
  };
  static DirOpts so, co;
  CLI::App* status = sweep->add_subcommand(
      "status",
      "Points done, failed, running, queued, interrupted and pending in a sweep directory: the result files, and\n"
      "for Slurm submissions the array tasks' states (squeue, else sacct) and each worker's own record. An\n"
      "interrupted point's task ended without its result (cancelled, timed out, node failure): the reason is\n"
      "shown and re-submitting the sweep runs it. Exit status 0 when nothing is queued or running, 1 otherwise.");
  status->add_option("DIR", so.dir, "sweep directory")->required();
  status->add_flag("--all", so.all, "list every point, not only those that are not done");
  status->add_flag("--wait", so.wait, "poll until nothing is queued or running");
  status->add_option("--poll", so.poll_s, "seconds between polls with --wait")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  status->add_option("--timeout", so.timeout_s, "give up waiting after this many seconds (0 = never)")
      ->capture_default_str();
  status->footer("Example: wrpn sweep status results/sweeps/alexnet-48 --all (after the `wrpn sweep` example)");
  status->callback([&g] {
    const SweepConfig config = config_of_directory(so.dir);
    const SweepPaths paths{so.dir};
    const SweepStatus st =
        so.wait ? wait_for_sweep(config, paths, so.poll_s, so.timeout_s) : sweep_status(config, paths);
    std::printf("%s", format_sweep_status(st, so.dir, so.all).c_str());
    g.exit_code = st.active() ? 1 : 0;
  });
  CLI::App* collect = sweep->add_subcommand(
      "collect",
      "Merge a sweep directory's point results into results.csv, pareto.csv, plots and report.md, exactly as a\n"
      "local `wrpn sweep` does at its end (points not finished yet are listed as pending).");
  collect->add_option("DIR", co.dir, "sweep directory")->required();
  collect->footer("Example: wrpn sweep collect results/sweeps/alexnet-48 (after the `wrpn sweep` example)");
  collect->callback([] {
    const SweepConfig config = config_of_directory(co.dir);
    const SweepCollection c = collect_sweep(config, SweepPaths{co.dir});
    std::printf(
        "%s: %zu ok, %zu failed, %zu pending, %zu on the Pareto front\n  results: %s/results.csv\n  "
        "report:  %s/report.md\n",
        co.dir.c_str(), c.ok, c.failed, c.pending, c.pareto, co.dir.c_str(), co.dir.c_str());
    for (const auto& w : c.plot_warnings) std::fprintf(stderr, "warning: plots not drawn: %s\n", w.c_str());
  });
}

/// The hidden worker commands: `wrpn sweep-point DIR ID` (local) and `wrpn sweep-chunk DIR` (Slurm).
void register_sweep_workers(CommandGroups& g) {
  static std::string point_dir, point_id;
  CLI::App* point =
      g.root.add_subcommand("sweep-point", "Evaluate one point of a sweep directory (used by `wrpn sweep`)");
  point->group("");  // hidden: an internal worker command
  point->add_option("DIR", point_dir, "sweep directory")->required();
  point->add_option("ID", point_id, "point id")->required();
  point->footer(
      "Example: wrpn sweep-point results/sweeps/alexnet-48 fp32-x1-16x16-os-b1-default (a point of the `wrpn sweep` "
      "example; `wrpn sweep` runs it)");
  point->callback([] {
    const SweepConfig config = config_of_directory(point_dir);
    for (const auto& p : config.points()) {
      if (p.id() != point_id) continue;
      write_point_result(SweepPaths{point_dir}, point_id, evaluate_point(config, p));
      return;
    }
    fail("DSE001", point_dir + "/sweep.json", "/points", "no point with id \"" + point_id + "\"");
  });

  struct ChunkOpts {
    std::string dir;
    int submission = 0, task = -1, parallel = 0;
  };
  static ChunkOpts ch;
  CLI::App* chunk = g.root.add_subcommand(
      "sweep-chunk", "Evaluate one Slurm array task's chunk of points (used by `wrpn sweep --backend slurm`)");
  chunk->group("");  // hidden: the batch script of a Slurm submission runs it
  chunk->add_option("DIR", ch.dir, "sweep directory")->required();
  chunk->add_option("--submission", ch.submission, "submission number (DIR/slurm/submission-<k>.json)")->required();
  chunk->add_option("--task", ch.task, "array task (default: $SLURM_ARRAY_TASK_ID)");
  chunk->add_option("--parallel", ch.parallel, "points at once (default: $SLURM_CPUS_PER_TASK, else 1)");
  chunk->footer(
      "Example: wrpn sweep-chunk DIR --submission 1 --task 0 (the batch script of `wrpn sweep --backend "
      "slurm` runs it)");
  chunk->callback([&g] {
    int task = ch.task, parallel = ch.parallel;
    if (task < 0) {
      const char* t = std::getenv("SLURM_ARRAY_TASK_ID");
      if (!t) fail("DSE021", "wrpn sweep-chunk", "", "no --task and no SLURM_ARRAY_TASK_ID");
      task = std::atoi(t);
    }
    if (parallel <= 0) {
      const char* c = std::getenv("SLURM_CPUS_PER_TASK");
      parallel = c ? std::max(1, std::atoi(c)) : 1;
    }
    g.exit_code = run_sweep_chunk(SweepPaths{ch.dir}, ch.submission, task, self_executable(), parallel);
  });
}

}  // namespace

void register_dse_commands(CommandGroups& g) {
  register_validator("sweep", validate_sweep);
  static SweepOpts o;
  CLI::App* sweep = g.root.add_subcommand(
      "sweep",
      "Design-space exploration: run every point of a sweep config (weight/activation bits x width x array x\n"
      "buffers x dataflow x tech) in parallel worker processes, then write results.csv, pareto.csv, plots and\n"
      "report.md. Each finished point is saved at once (DIR/points/<id>.json), so an interrupted sweep resumes\n"
      "where it stopped when run again with the same --out. A directory made for another config is refused.\n"
      "Exit status: 0 every point ok, 1 some points failed (reasons in report.md; --retry-failed runs them\n"
      "again), 3 bad input (the network, topology CSV and tech tables are checked before any point runs),\n"
      "130 interrupted by Ctrl-C or SIGTERM (workers are stopped; run again to resume). One sweep at a time\n"
      "per directory (a lock; DSE023).\n"
      "--backend slurm submits the pending points as one Slurm job array instead (see docs/cluster.md); then\n"
      "`wrpn sweep status DIR` follows it and `wrpn sweep collect DIR` writes the results and report.");
  add_sweep_options(sweep, o);
  add_slurm_options(sweep, o);
  sweep->footer("Example: wrpn sweep configs/sweep/alexnet-48.json --out results/sweeps/alexnet-48");
  sweep->callback([sweep, &g] {
    if (!sweep->get_subcommands().empty()) return;  // `wrpn sweep status|collect DIR`
    run_sweep_command(o, g);
  });
  register_sweep_directory_commands(sweep, g);
  register_sweep_workers(g);
}

}  // namespace wrpn
