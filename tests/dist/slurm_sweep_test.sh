#!/usr/bin/env bash
# Integration test (label dist): one small sweep (tests/dist/alexnet-dist.json, 7 points: 6 WRPN
# points and the FP32 baseline; a point the PE cannot run is recorded failed with its reason) run
# with the local backend and on a real single-node Slurm.
#   1. slurm backend, 2 points per array task: results.csv and pareto.csv equal the local run's
#      byte for byte (the CSVs hold no wall-time column: elapsed_s stays in points/<id>.json).
#   2. fault: 4 points per task; array task 0 is scancel'ed and the worker of task 1 is killed with
#      SIGKILL (a node failure: it records nothing), each once it has finished some but not all of
#      its points. Their finished points stay, its unfinished ones are reported `interrupted` with the
#      Slurm state, every point file is whole JSON, and a re-submit runs exactly the lost points; the
#      final CSVs equal the local run's.
# Usage: slurm_sweep_test.sh WRPN_BINARY SOURCE_DIR
set -euo pipefail
wrpn=$1
src=$2
cfg=$src/tests/dist/alexnet-dist.json

fail() { echo "FAIL: $*" >&2; exit 1; }
if [[ $(id -u) -ne 0 ]] && ! WRPN_SLURM_DIR=${WRPN_SLURM_DIR:-/tmp/wrpn-slurm} "$src/scripts/slurm-local.sh" status >/dev/null 2>&1; then
  echo "SKIP: starting the local Slurm needs root (scripts/slurm-local.sh start)"
  exit 77
fi
# Slurm started here is stopped at the end; one that was already running is left running.
started_here=1
"$src/scripts/slurm-local.sh" status >/dev/null 2>&1 && started_here=0
"$src/scripts/slurm-local.sh" start
eval "$("$src/scripts/slurm-local.sh" env)"

work=$(mktemp -d /tmp/wrpn-dist.XXXXXX)
jobs_of() { cat "$1"/slurm/submission-*.job 2>/dev/null | tr '\n' ' '; }
cleanup() {
  for d in "$work"/slurm "$work"/fault; do
    for j in $(jobs_of "$d"); do scancel "$j" 2>/dev/null || true; done
  done
  rm -rf "$work"
  ((started_here)) && "$src/scripts/slurm-local.sh" stop || true
}
trap cleanup EXIT
start=$(date +%s)

echo "== local backend"
# A sweep exits 1 exactly when some point failed.
rc=0
"$wrpn" sweep "$cfg" --out "$work/local" --workers 2 >/dev/null || rc=$?
python3 - "$work/local/results.csv" "$rc" <<'PY' || fail "local results.csv: a failed point without its reason, no ok point, or exit $rc"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 7 and any(r["status"] == "ok" for r in rows)
assert all(r["reason"] for r in rows if r["status"] == "failed")
assert int(sys.argv[2]) == (1 if any(r["status"] == "failed" for r in rows) else 0)
PY
echo "local: $(($(date +%s) - start)) s"

echo "== slurm backend"
t0=$(date +%s)
"$wrpn" sweep "$cfg" --out "$work/slurm" --backend slurm --chunk-size 2 --max-parallel 2 --time 10 \
  --sbatch=--job-name=wrpn-dist-test
"$wrpn" sweep status "$work/slurm" --wait --poll 1 --timeout 300 || fail "slurm sweep still running after 300 s"
"$wrpn" sweep collect "$work/slurm"
cmp "$work/local/results.csv" "$work/slurm/results.csv" || {
  diff "$work/local/results.csv" "$work/slurm/results.csv" >&2 || true
  fail "slurm results.csv differs from the local backend's"
}
cmp "$work/local/pareto.csv" "$work/slurm/pareto.csv" || fail "slurm pareto.csv differs from the local backend's"
squeue -h -t all -j "$(jobs_of "$work/slurm")" -o '%j' | grep -q wrpn-dist-test ||
  fail "the pass-through sbatch option did not reach sbatch"
echo "slurm: equal to local ($(($(date +%s) - t0)) s)"

echo "== fault: scancel one array task mid-way, then re-submit"
t0=$(date +%s)
"$wrpn" sweep "$cfg" --out "$work/fault" --backend slurm --chunk-size 4
job=$(jobs_of "$work/fault" | tr -d ' ')
# Task 0 is cancelled (scancel) and task 1's worker is killed with SIGKILL (as a node dying would:
# it records nothing), each once its first point is written and its last is not.
chunk_ids() {
  python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["chunks"][int(sys.argv[2])]))' \
    "$work/fault/slurm/submission-0.json" "$1"
}
mapfile -t chunk0 < <(chunk_ids 0)
mapfile -t chunk1 < <(chunk_ids 1)
count_done() {
  local n=0 id
  for id in "$@"; do [[ -f $work/fault/points/$id.json ]] && n=$((n + 1)); done
  echo $n
}
cancelled=0
killed=0
for _ in $(seq 1 1200); do
  d0=$(count_done "${chunk0[@]}")
  d1=$(count_done "${chunk1[@]}")
  if ((!cancelled && d0 >= 1 && d0 < ${#chunk0[@]})); then
    scancel "${job}_0"
    cancelled=1
    echo "cancelled ${job}_0 after $d0 of ${#chunk0[@]} points"
  fi
  if ((!killed && d1 >= 1 && d1 < ${#chunk1[@]})); then
    pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$work/fault/slurm/tasks/0-1.json")
    # The recorded worker may exit between reading its pid and the kill: then try again on the
    # next poll (the task is still mid-way while d1 < its point count).
    if kill -9 "$pid" 2>/dev/null; then
      killed=1
      echo "killed the worker of ${job}_1 (pid $pid) with SIGKILL after $d1 of ${#chunk1[@]} points"
    fi
  fi
  ((cancelled && killed)) && break
  ((d0 == ${#chunk0[@]} || d1 == ${#chunk1[@]})) && break
  sleep 0.1
done
((cancelled && killed)) || fail "array task 0 or 1 of job $job finished before it could be stopped mid-way"
"$wrpn" sweep status "$work/fault" --wait --poll 1 --timeout 300 >"$work/status.txt" || fail "fault sweep still running"
cat "$work/status.txt"
grep -q ' interrupted  .*array task '"${job}"'_0 CANCELLED; worker on .* terminated by signal 15' "$work/status.txt" ||
  fail "the cancelled task's points are not reported interrupted with the Slurm state and the worker's signal"
grep -q ' interrupted  .*array task '"${job}"'_1 [A-Z_]*; worker on .* running (never finished: node or task failure)' \
  "$work/status.txt" || fail "the killed task's points are not reported interrupted as a task failure"
lost=$(grep -c '^  interrupted  ' "$work/status.txt")
((lost >= 1)) || fail "no interrupted point reported"
# No half-written result: every point file is complete JSON with a status.
for f in "$work"/fault/points/*; do
  python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["status"] in ("ok","failed")' "$f" ||
    fail "half-written or invalid result file $f"
done
out=$("$wrpn" sweep "$cfg" --out "$work/fault" --backend slurm --chunk-size 4)
echo "$out"
grep -q "submitted job [0-9]*: $lost points" <<<"$out" || fail "re-submit did not run exactly the $lost lost points"
"$wrpn" sweep status "$work/fault" --wait --poll 1 --timeout 300 || fail "re-submitted sweep still running"
"$wrpn" sweep collect "$work/fault"
cmp "$work/local/results.csv" "$work/fault/results.csv" || {
  diff "$work/local/results.csv" "$work/fault/results.csv" >&2 || true
  fail "results.csv after cancel + re-submit differs from the local backend's"
}
cmp "$work/local/pareto.csv" "$work/fault/pareto.csv" || fail "pareto.csv after re-submit differs"
out=$("$wrpn" sweep "$cfg" --out "$work/fault" --backend slurm)
grep -q "nothing to submit" <<<"$out" || fail "a finished sweep was submitted again: $out"
echo "fault: equal to local after re-submit ($(($(date +%s) - t0)) s)"
echo "PASS dist_slurm_sweep in $(($(date +%s) - start)) s"
