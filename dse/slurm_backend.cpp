#include "dse/slurm_backend.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "common/diagnostics.h"
#include "common/subprocess.h"

namespace fs = std::filesystem;

namespace wrpn {

namespace {

std::string slurm_dir(const SweepPaths& p) { return p.dir + "/slurm"; }
std::string submission_json(const SweepPaths& p, int k) {
  return slurm_dir(p) + "/submission-" + std::to_string(k) + ".json";
}
std::string submission_job(const SweepPaths& p, int k) {
  return slurm_dir(p) + "/submission-" + std::to_string(k) + ".job";
}
std::string task_record(const SweepPaths& p, int k, int task) {
  return slurm_dir(p) + "/tasks/" + std::to_string(k) + "-" + std::to_string(task) + ".json";
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

struct Submission {
  int index = 0;
  std::string job_id;  // "" when sbatch never accepted it
  std::vector<std::vector<std::string>> chunks;
};

std::vector<Submission> load_submissions(const SweepPaths& paths) {
  std::vector<Submission> out;
  for (int k = 0; fs::exists(submission_json(paths, k)); ++k) {
    Submission s;
    s.index = k;
    try {
      const auto j = nlohmann::json::parse(read_file(submission_json(paths, k)));
      s.chunks = j.at("chunks").get<std::vector<std::vector<std::string>>>();
    } catch (const nlohmann::json::exception& e) {
      fail("DSE003", submission_json(paths, k), "", std::string("corrupt Slurm submission record: ") + e.what());
    }
    if (fs::exists(submission_job(paths, k))) s.job_id = trim(read_file(submission_job(paths, k)));
    out.push_back(std::move(s));
  }
  return out;
}

/// Slurm's view of one array task: its state (PENDING, RUNNING, COMPLETED, CANCELLED, ...) and reason.
struct TaskState {
  std::string state, reason;
};

/// "J_N" -> state for every task of the given jobs that squeue (or, failing that, sacct) still knows.
std::map<std::string, TaskState> query_tasks(const std::vector<std::string>& jobs, std::vector<std::string>& warnings) {
  std::map<std::string, TaskState> out;
  if (jobs.empty()) return out;
  std::string list;
  for (const auto& j : jobs) list += (list.empty() ? "" : ",") + j;
  ProcessResult r;
  try {
    r = run_process({"squeue", "-r", "-h", "-t", "all", "-j", list, "-o", "%i|%T|%r"}, true);
  } catch (const DiagnosticError&) {
    warnings.push_back("squeue not found: Slurm task states unknown");
    return out;
  }
  // squeue refuses the whole list when one job is no longer known; it is asked job by job then.
  if (r.exit_code != 0 && jobs.size() > 1) {
    for (const auto& j : jobs) {
      auto one = query_tasks({j}, warnings);
      out.insert(one.begin(), one.end());
    }
    return out;
  }
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    const auto a = line.find('|'), b = line.find('|', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out[line.substr(0, a)] = {line.substr(a + 1, b - a - 1), line.substr(b + 1)};
  }
  if (r.exit_code != 0 || out.empty()) {
    // Purged from slurmctld's memory (MinJobAge): ask the accounting database, when there is one.
    try {
      const auto s = run_process({"sacct", "-n", "-P", "-X", "-j", list, "-o", "JobID,State"}, true);
      if (s.exit_code == 0) {
        std::istringstream sin(s.output);
        while (std::getline(sin, line)) {
          const auto a = line.find('|');
          if (a != std::string::npos) out[line.substr(0, a)] = {line.substr(a + 1), ""};
        }
      }
    } catch (const DiagnosticError&) {
    }
  }
  return out;
}

bool is_active(const std::string& state) {
  static const std::set<std::string> active{"PENDING",   "RUNNING",      "CONFIGURING", "COMPLETING",
                                            "SUSPENDED", "REQUEUED",     "RESIZING",    "SIGNALING",
                                            "STAGE_OUT", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"};
  return active.count(state) > 0;
}

std::atomic<int> g_term_signal{0};
void on_term(int sig) { g_term_signal = sig; }

void write_task_record(const SweepPaths& paths, int k, int task, const nlohmann::json& j) {
  fs::create_directories(slurm_dir(paths) + "/tasks");
  write_file_atomic(task_record(paths, k, task), j.dump(1) + "\n");
}

/// Job ids of the submissions that reached Slurm.
std::vector<std::string> job_ids(const std::vector<Submission>& subs) {
  std::vector<std::string> jobs;
  for (const auto& s : subs)
    if (!s.job_id.empty()) jobs.push_back(s.job_id);
  return jobs;
}

/// Points still owned by a queued or running task of an earlier submission.
std::set<std::string> points_in_flight(const std::vector<Submission>& subs) {
  std::vector<std::string> warnings;
  const auto states = query_tasks(job_ids(subs), warnings);
  std::set<std::string> in_flight;
  for (const auto& s : subs) {
    if (s.job_id.empty()) continue;
    for (size_t t = 0; t < s.chunks.size(); ++t) {
      auto it = states.find(s.job_id + "_" + std::to_string(t));
      if (it != states.end() && is_active(it->second.state)) in_flight.insert(s.chunks[t].begin(), s.chunks[t].end());
    }
  }
  return in_flight;
}

/// The batch script of submission k: each array task runs `wrpn sweep-chunk` on its chunk.
std::string write_batch_script(const SweepConfig& config, const SweepPaths& paths, int k, const std::string& dir,
                               const std::string& executable) {
  const std::string script = slurm_dir(paths) + "/submission-" + std::to_string(k) + ".sh";
  write_file_atomic(script, "#!/bin/sh\n# wrpn sweep " + config.name + ", submission " + std::to_string(k) +
                                ": one array task per chunk of slurm/submission-" + std::to_string(k) +
                                ".json\nexport SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1\nexec " + shell_quote(executable) +
                                " sweep-chunk " + shell_quote(dir) + " --submission " + std::to_string(k) + "\n");
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                  fs::perm_options::replace);
  return script;
}

std::vector<std::string> sbatch_argv(const SweepConfig& config, const SlurmSubmitOptions& opt, size_t tasks,
                                     const std::string& dir, const std::string& script) {
  std::string array = "0-" + std::to_string(tasks - 1);
  if (opt.max_parallel > 0) array += "%" + std::to_string(opt.max_parallel);
  std::vector<std::string> argv{"sbatch",
                                "--parsable",
                                "--array=" + array,
                                "--job-name=wrpn-" + config.name,
                                "--output=" + dir + "/slurm/logs/%A_%a.out",
                                "--chdir=" + fs::current_path().string(),
                                "--cpus-per-task=" + std::to_string(std::max(1, opt.cpus_per_task))};
  if (!opt.partition.empty()) argv.push_back("--partition=" + opt.partition);
  if (!opt.time_limit.empty()) argv.push_back("--time=" + opt.time_limit);
  for (const auto& a : opt.sbatch_args) argv.push_back(a);
  argv.push_back(script);
  return argv;
}

/// Runs sbatch and returns the job id; DSE020 (and submission k's chunk list removed) when it fails.
std::string run_sbatch(const std::vector<std::string>& argv, const SweepPaths& paths, int k) {
  ProcessResult r;
  try {
    r = run_process(argv, true);
  } catch (const DiagnosticError&) {
    fs::remove(submission_json(paths, k));
    fail("DSE020", "sbatch", "", "cannot run sbatch: is Slurm installed and in PATH on this host?",
         "run on a Slurm login node, or use --backend local");
  }
  const std::string job = trim(r.output.substr(0, r.output.find_first_of(";\n")));
  if (r.exit_code != 0 || job.empty() || job.find_first_not_of("0123456789") != std::string::npos) {
    fs::remove(submission_json(paths, k));
    fail("DSE020", "sbatch", "", "sbatch refused the job array: " + trim(r.output),
         "check --partition, --time and the pass-through sbatch options");
  }
  return job;
}

nlohmann::json chunk_list(const std::vector<std::string>& todo, size_t chunk) {
  nlohmann::json chunks = nlohmann::json::array();
  for (size_t i = 0; i < todo.size(); i += chunk)
    chunks.push_back(
        std::vector<std::string>(todo.begin() + static_cast<std::ptrdiff_t>(i),
                                 todo.begin() + static_cast<std::ptrdiff_t>(std::min(todo.size(), i + chunk))));
  return chunks;
}

/// Starts `wrpn sweep-point DIR ID`; returns its pid, or -errno when it cannot be started. fork +
/// exec rather than posix_spawn: the child asks to be killed when this worker dies (a SIGKILLed task
/// must not leave orphan points running after `status` called them interrupted).
pid_t start_point(const std::string& executable, const SweepPaths& paths, const std::string& id) {
  std::vector<std::string> args{executable, "sweep-point", paths.dir, id};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(137);
    execv(executable.c_str(), argv.data());
    _exit(127);
  }
  return pid < 0 ? -errno : pid;
}

/// Why a point's worker ended without a result (not by SIGTERM or SIGKILL).
std::string worker_failure(int status, const std::string& where) {
  return WIFSIGNALED(status) ? "worker killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                   strsignal(WTERMSIG(status)) + ") in " + where
                             : "worker exited with code " + std::to_string(WEXITSTATUS(status)) +
                                   " without writing a result, in " + where;
}

/// The points of one array task, `parallel` at a time, until done or SIGTERM/SIGINT.
class ChunkRun {
 public:
  ChunkRun(const SweepPaths& paths, const std::vector<std::string>& ids, std::string executable, std::string where,
           int parallel)
      : paths_(paths), ids_(ids), executable_(std::move(executable)), where_(std::move(where)), parallel_(parallel) {}

  void run() {
    while ((next_ < ids_.size() && !g_term_signal) || !running_.empty()) {
      fill();
      if (running_.empty() || !reap()) break;
    }
    for (size_t i = next_; i < ids_.size(); ++i)
      if (!fs::exists(paths_.point_json(ids_[i]))) interrupted.push_back(ids_[i]);
  }

  nlohmann::json interrupted = nlohmann::json::array();
  size_t evaluated = 0, failed = 0;

 private:
  void fail_point(const std::string& id, const std::string& reason) {
    write_point_result(paths_, id, {{"id", id}, {"status", "failed"}, {"reason", reason}});
    ++failed;
  }
  /// Starts points until `parallel` run (or none is left, or a termination arrived).
  void fill() {
    while (!g_term_signal && next_ < ids_.size() && static_cast<int>(running_.size()) < std::max(1, parallel_)) {
      const std::string& id = ids_[next_++];
      if (fs::exists(paths_.point_json(id))) continue;  // finished by an earlier task
      const pid_t pid = start_point(executable_, paths_, id);
      if (pid < 0)
        fail_point(id, "cannot start worker " + executable_ + " on " + hostname() + ": " + std::strerror(-pid));
      else
        running_[pid] = id;
    }
  }
  /// Reaps one worker; false when there is nothing left to wait for.
  bool reap() {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno != EINTR) return false;
      // Pass a termination on to the points in progress; they leave no result file behind.
      if (g_term_signal)
        for (const auto& [p, id] : running_) kill(p, SIGTERM);
      return true;
    }
    auto it = running_.find(pid);
    if (it == running_.end()) return true;
    const std::string id = it->second;
    running_.erase(it);
    if (fs::exists(paths_.point_json(id))) {
      ++evaluated;
      return true;
    }
    const bool killed = WIFSIGNALED(status) && (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGKILL);
    if (killed || g_term_signal) {
      // Cancelled, timed out or shut down: the point stays pending and a re-submit runs it.
      interrupted.push_back(id);
      return true;
    }
    ++evaluated;
    fail_point(id, worker_failure(status, where_));
    return true;
  }

  const SweepPaths& paths_;
  const std::vector<std::string>& ids_;
  const std::string executable_, where_;
  const int parallel_;
  std::map<pid_t, std::string> running_;
  size_t next_ = 0;
};

}  // namespace

SlurmSubmission submit_sweep_slurm(const SweepConfig& config, const SweepPaths& paths, const SlurmSubmitOptions& opt) {
  SlurmSubmission out;
  out.total = config.points().size();
  const auto subs = load_submissions(paths);
  // Points still owned by a queued or running task of an earlier submission are not submitted again.
  const std::set<std::string> in_flight = points_in_flight(subs);
  std::vector<std::string> todo;
  for (const auto& id : pending_points(config, paths, opt.retry_failed)) {
    if (in_flight.count(id))
      ++out.active;
    else
      todo.push_back(id);
  }
  out.done = out.total - todo.size() - out.active;
  if (todo.empty()) return out;

  size_t chunk = opt.chunk_size > 0 ? static_cast<size_t>(opt.chunk_size) : (todo.size() + 999) / 1000;
  chunk = std::max<size_t>(1, chunk);
  const nlohmann::json chunks = chunk_list(todo, chunk);
  const int k = static_cast<int>(subs.size());
  const std::string dir = fs::absolute(paths.dir).lexically_normal().string();
  fs::create_directories(slurm_dir(paths) + "/logs");
  fs::create_directories(slurm_dir(paths) + "/tasks");
  // A failed result being retried goes before any task can start: the task skips points with results.
  for (const auto& id : todo)
    if (fs::exists(paths.point_json(id))) fs::remove(paths.point_json(id));
  // The chunk list exists before any task can start.
  write_file_atomic(
      submission_json(paths, k),
      nlohmann::json{{"submitted_at", now_utc()}, {"chunk_size", chunk}, {"chunks", chunks}}.dump(1) + "\n");
  const std::string script = write_batch_script(config, paths, k, dir, opt.executable);
  const std::string job = run_sbatch(sbatch_argv(config, opt, chunks.size(), dir, script), paths, k);
  write_file_atomic(submission_job(paths, k), job + "\n");
  out.index = k;
  out.job_id = job;
  out.submitted = todo.size();
  out.tasks = chunks.size();
  return out;
}

int run_sweep_chunk(const SweepPaths& paths, int k, int task, const std::string& executable, int parallel) {
  const auto subs = load_submissions(paths);
  if (k < 0 || static_cast<size_t>(k) >= subs.size())
    fail("DSE021", submission_json(paths, k), "", "no Slurm submission " + std::to_string(k) + " in this sweep");
  const auto& chunks = subs[static_cast<size_t>(k)].chunks;
  if (task < 0 || static_cast<size_t>(task) >= chunks.size())
    fail("DSE021", submission_json(paths, k), "/chunks",
         "array task " + std::to_string(task) + " out of range (" + std::to_string(chunks.size()) + " chunks)");
  const auto& ids = chunks[static_cast<size_t>(task)];
  const char* job_env = std::getenv("SLURM_ARRAY_JOB_ID");
  const std::string where =
      "array task " + std::string(job_env ? job_env : "?") + "_" + std::to_string(task) + " on " + hostname();

  struct sigaction sa {
  }, old_term{}, old_int{};
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGINT, &sa, &old_int);
  g_term_signal = 0;

  nlohmann::json rec{{"task", task},
                     {"host", hostname()},
                     {"pid", static_cast<long>(getpid())},
                     {"job", job_env ? job_env : ""},
                     {"started", now_utc()},
                     {"state", "running"},
                     {"points", ids}};
  write_task_record(paths, k, task, rec);

  ChunkRun run(paths, ids, executable, where, parallel);
  run.run();
  rec["ended"] = now_utc();
  rec["evaluated"] = run.evaluated;
  rec["failed"] = run.failed;
  rec["unfinished"] = run.interrupted;
  const int sig = g_term_signal;
  rec["state"] = sig ? "terminated" : "finished";
  if (sig) rec["signal"] = "signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  write_task_record(paths, k, task, rec);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGINT, &old_int, nullptr);
  return sig ? 128 + sig : 0;
}

namespace {

/// The latest submission that holds a point, and its array task.
struct Owner {
  const Submission* sub;
  int task;
};

/// Why a point whose task ended has no result: Slurm's state and the worker's own record.
std::string interrupted_detail(const SweepPaths& paths, const Owner& o, const std::string& task,
                               const std::string& slurm_state) {
  std::string detail = "array task " + task + " " + (slurm_state.empty() ? "unknown to squeue/sacct" : slurm_state);
  const std::string rec = task_record(paths, o.sub->index, o.task);
  if (fs::exists(rec)) {
    try {
      const auto r = nlohmann::json::parse(read_file(rec));
      detail += "; worker on " + r.value("host", "?") + " " + r.value("state", "?");
      if (r.contains("signal")) detail += " by " + r["signal"].get<std::string>();
      if (r.value("state", "") == "running") detail += " (never finished: node or task failure)";
    } catch (const nlohmann::json::exception&) {
    }
  } else {
    detail += "; the worker never started";
  }
  return detail + "; re-submit to run it";
}

/// A point's state: its result file, else the Slurm state of the task that owns it.
PointStatus point_status(const SweepPaths& paths, const std::string& id, const std::map<std::string, Owner>& owner,
                         const std::map<std::string, TaskState>& states) {
  PointStatus ps{id, "pending", "never submitted"};
  const std::string f = paths.point_json(id);
  if (fs::exists(f)) {
    try {
      const auto r = nlohmann::json::parse(read_file(f));
      const bool ok = r.value("status", "") == "ok";
      ps.state = ok ? "ok" : "failed";
      ps.detail = ok ? "" : r.value("reason", "no reason recorded");
    } catch (const nlohmann::json::exception& e) {
      ps.state = "failed";
      ps.detail = std::string("corrupt result file: ") + e.what();
    }
    return ps;
  }
  auto o = owner.find(id);
  if (o == owner.end()) return ps;
  const std::string task = o->second.sub->job_id + "_" + std::to_string(o->second.task);
  auto s = states.find(task);
  const std::string slurm_state = s == states.end() ? "" : s->second.state;
  if (slurm_state == "PENDING") {
    ps.state = "queued";
    ps.detail = "array task " + task + " pending (" + s->second.reason + ")";
  } else if (is_active(slurm_state)) {
    ps.state = "running";
    ps.detail = "array task " + task + " " + slurm_state;
  } else {
    // The task ended without this point's result: say why, from Slurm and the worker's record.
    ps.state = "interrupted";
    ps.detail = interrupted_detail(paths, o->second, task, slurm_state);
  }
  return ps;
}

void count(SweepStatus& st, const std::string& state) {
  if (state == "ok")
    ++st.ok;
  else if (state == "failed")
    ++st.failed;
  else if (state == "running")
    ++st.running;
  else if (state == "queued")
    ++st.queued;
  else if (state == "interrupted")
    ++st.interrupted;
  else
    ++st.pending;
}

}  // namespace

SweepStatus sweep_status(const SweepConfig& config, const SweepPaths& paths) {
  SweepStatus st;
  const auto points = config.points();
  st.total = points.size();
  const auto subs = load_submissions(paths);
  const auto states = query_tasks(job_ids(subs), st.warnings);
  // The latest submission that holds each point decides its Slurm state.
  std::map<std::string, Owner> owner;
  for (const auto& s : subs) {
    if (s.job_id.empty()) continue;
    size_t active = 0;
    for (size_t t = 0; t < s.chunks.size(); ++t) {
      for (const auto& id : s.chunks[t]) owner[id] = {&s, static_cast<int>(t)};
      auto it = states.find(s.job_id + "_" + std::to_string(t));
      if (it != states.end() && is_active(it->second.state)) ++active;
    }
    st.submissions.push_back(std::to_string(s.index) + ": job " + s.job_id + ", " + std::to_string(s.chunks.size()) +
                             " array tasks, " + std::to_string(active) + " queued or running");
  }
  for (const auto& p : points) {
    PointStatus ps = point_status(paths, p.id(), owner, states);
    count(st, ps.state);
    st.points.push_back(std::move(ps));
  }
  return st;
}

std::string format_sweep_status(const SweepStatus& st, const std::string& dir, bool all_points) {
  std::ostringstream o;
  o << dir << ": " << st.total << " points: " << st.ok << " done, " << st.failed << " failed, " << st.running
    << " running, " << st.queued << " queued, " << st.interrupted << " interrupted, " << st.pending << " pending\n";
  for (const auto& s : st.submissions) o << "  submission " << s << "\n";
  for (auto p : st.points) {
    // Multi-line reasons (a diagnostic and its hint) stay under their point.
    for (size_t i = p.detail.find('\n'); i != std::string::npos; i = p.detail.find('\n', i + 1))
      p.detail.insert(i + 1, "      ");
    if (all_points || p.state != "ok")
      o << "  " << p.state << "  " << p.id << (p.detail.empty() ? "" : "  " + p.detail) << "\n";
  }
  for (const auto& w : st.warnings) o << "  warning: " << w << "\n";
  return o.str();
}

}  // namespace wrpn
