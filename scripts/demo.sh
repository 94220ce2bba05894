#!/usr/bin/env bash
# The README's first command: installs missing packages, builds, and runs the main job
# (`wrpn demo`) on built-in defaults. Extra arguments are passed to `wrpn demo`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
echo "== build"
WRPN_BUILD_DIR="$root/build" "$root/scripts/build.sh"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
cd "$root"
exec "$root/build/apps/wrpn" demo "$@"
