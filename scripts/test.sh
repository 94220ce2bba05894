#!/usr/bin/env bash
# The README's test command: installs missing packages, builds, runs every default test, then
# rebuilds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit tests under it.
# Then builds the clang libFuzzer targets (build-fuzz/) and runs each for WRPN_FUZZ_SECONDS (default 20)
# over its seed corpus (ctest label `fuzz`; tests/fuzz/README.md). WRPN_TEST_FUZZ=0 skips that step.
# Tests labelled `slow` are excluded by default; WRPN_TEST_SLOW=1 includes them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
jobs=$(nproc)
exclude=(-LE slow)
[[ ${WRPN_TEST_SLOW:-0} == 1 ]] && exclude=()

echo "== build (Release)"
WRPN_BUILD_DIR="$root/build" "$root/scripts/build.sh"
echo "== tests (Release)"
ctest --test-dir "$root/build" --output-on-failure -j "$jobs" "${exclude[@]}"

echo "== build (ASan+UBSan)"
# Verilated models are left out of this build: they are generated code, slow to compile with
# instrumentation, and their tests (label rtl) already ran above.
WRPN_BUILD_DIR="$root/build-asan" "$root/scripts/build.sh" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWRPN_SANITIZE=ON \
  -DWRPN_BUILD_RTL=OFF
echo "== unit tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" -L unit

if [[ ${WRPN_TEST_FUZZ:-1} == 1 ]]; then
  echo "== build (clang libFuzzer + ASan + UBSan, readers only)"
  WRPN_BUILD_DIR="$root/build-fuzz" "$root/scripts/build.sh" -DWRPN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DWRPN_WERROR=OFF \
    -DWRPN_FUZZ_SECONDS="${WRPN_FUZZ_SECONDS:-20}"
  echo "== fuzz targets (${WRPN_FUZZ_SECONDS:-20} s each)"
  status=0
  ctest --test-dir "$root/build-fuzz" --output-on-failure -j "$jobs" -L fuzz || status=$?
  cat "$root"/build-fuzz/tests/fuzz/work/*/summary 2>/dev/null || true
  exit $status
fi
