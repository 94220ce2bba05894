#!/usr/bin/env bash
# Longer fuzzing runs: builds the clang libFuzzer build (build-fuzz/, or $WRPN_FUZZ_BUILD_DIR) and runs
# every tests/fuzz target for SECONDS each (default 300), one after another, then prints a table of
# executions, coverage (cov = edges, ft = features) and findings per target. Exits non-zero if any
# target crashed, leaked, timed out or ran out of memory; the inputs are kept under
# BUILD/tests/fuzz/work/<name>/artifacts/.
# Usage: scripts/fuzz.sh [SECONDS] [NAME...]   (NAME: arch, tech, ..., default all)
# Environment: WRPN_FUZZ_JOBS=N runs N targets at a time (default 1); WRPN_FUZZ_KEEP_GOING=1 uses
# libFuzzer's fork mode, which records every finding and keeps fuzzing instead of stopping at the first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
shift || true
build=${WRPN_FUZZ_BUILD_DIR:-$root/build-fuzz}
WRPN_BUILD_DIR="$build" "$root/scripts/build.sh" -DWRPN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DWRPN_WERROR=OFF -DWRPN_FUZZ_SECONDS="$seconds"
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  for f in "$root"/tests/fuzz/fuzz_*.cpp; do n=$(basename "$f" .cpp); names+=("${n#fuzz_}"); done
fi
regex=$(IFS='|'; echo "^fuzz_(${names[*]})\$")
status=0
ctest --test-dir "$build" -L fuzz -R "$regex" -j "${WRPN_FUZZ_JOBS:-1}" --output-on-failure \
  --timeout $((seconds + 120)) || status=$?
echo "== fuzz summary (${seconds} s per target)"
for n in "${names[@]}"; do
  cat "$build/tests/fuzz/work/$n/summary" 2>/dev/null || echo "fuzz $n: no result"
done
exit $status
