#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over a fresh copy of its seed corpus; fails on any
# crash, leak, timeout or out-of-memory, or when the target did not run at all.
# Usage: run_target.sh BINARY SECONDS WORKDIR DICT|- SEEDDIR...
# Prints one summary line (also written to WORKDIR/summary); cov (edges) and ft (features) are those
# of the final corpus, measured by one plain pass over it:
#   "fuzz NAME: RUNS runs in ELAPSED s (RATE/s), cov COV ft FT, corpus N (from S seeds), exit 0, 0 crashes/..."
set -euo pipefail
bin=$1 seconds=$2 work=$3 dict=$4
shift 4
name=$(basename "$bin")
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
# The harnesses' scratch files (fuzz_support.h) go here: fork-mode children and crashing inputs end
# without running exit handlers, and this directory is removed with the next run.
export TMPDIR="$work/tmp"
for d in "$@"; do
  [[ -d $d ]] && find "$d" -maxdepth 1 -type f -exec cp -t "$work/corpus" {} +
done
seeds=$(find "$work/corpus" -type f | wc -l)
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$work/artifacts/")
[[ $dict != - ]] && args+=(-dict="$dict")
# WRPN_FUZZ_KEEP_GOING=1 (scripts/fuzz.sh --keep-going): fork mode, which records a finding and goes
# on fuzzing instead of stopping at the first one; findings still fail the run.
[[ ${WRPN_FUZZ_KEEP_GOING:-0} == 1 ]] && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
rc=0
start=$SECONDS
"$bin" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || rc=$?
elapsed=$((SECONDS - start))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
last=$(grep -E '^#[0-9]+' "$work/log" | tail -1 || true)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
[[ -z ${runs:-} ]] && runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
findings=$(find "$work/artifacts" -type f | wc -l)
# Coverage of the final corpus measured the same way in every mode (fork mode counts differently):
# one pass over it without mutation, "INITED cov: N ft: M".
if [[ $rc -eq 0 ]]; then
  inited=$("$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 "$work/corpus" 2>&1 | grep -E 'INITED' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$inited")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$inited")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$inited")
fi
rate=$(awk -v r="${runs:-0}" -v s="${elapsed}" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')
summary="fuzz ${name#fuzz_}: ${runs:-0} runs in ${elapsed} s (${rate}/s), cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?} (from $seeds seeds), exit $rc, $findings crashes/hangs/leaks/ooms"
echo "$summary" | tee "$work/summary"
if [[ $rc -ne 0 || $findings -ne 0 || -z ${runs:-} ]]; then
  echo "--- $work/log (tail)"
  tail -n 60 "$work/log"
  for a in "$work"/artifacts/*; do [[ -f $a ]] && echo "finding: $a"; done
  exit 1
fi
