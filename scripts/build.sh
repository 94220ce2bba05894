#!/usr/bin/env bash
# Configures and builds the project into build/ (or $WRPN_BUILD_DIR). Extra args go to CMake.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WRPN_BUILD_DIR:-$root/build}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
