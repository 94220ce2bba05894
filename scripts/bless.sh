#!/usr/bin/env bash
# Rewrites golden references on purpose: runs each case of tests/golden/cases.txt (or only the cases
# named as arguments) with the built `wrpn` and copies the CSVs it writes to
# results/reference/golden/<case>/. Review `git diff results/reference/golden` before committing:
# every changed number there is a changed result the README or docs may state.
#   scripts/bless.sh                 # every case
#   scripts/bless.sh paper_tables    # one case
# Uses build/apps/wrpn (or $WRPN_BUILD_DIR/apps/wrpn); build first with scripts/build.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wrpn=${WRPN_BUILD_DIR:-$root/build}/apps/wrpn
[[ -x $wrpn ]] || { echo "bless: $wrpn not found; run scripts/build.sh first" >&2; exit 2; }
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
wanted=("$@")
found=0
while IFS='|' read -r name files _rtol _ignore args; do
  name=$(echo "$name" | xargs)
  [[ -z $name || $name == \#* ]] && continue
  if [[ ${#wanted[@]} -gt 0 && ! " ${wanted[*]} " =~ " $name " ]]; then continue; fi
  found=$((found + 1))
  echo "== $name: wrpn $(echo "$args" | xargs)"
  # shellcheck disable=SC2086
  (cd "$root" && "$wrpn" $args --out "$scratch/$name" >"$scratch/$name.log" 2>&1) || {
    echo "bless: case $name failed; its output:" >&2
    cat "$scratch/$name.log" >&2
    exit 1
  }
  mkdir -p "$root/results/reference/golden/$name"
  for f in $files; do
    mkdir -p "$(dirname "$root/results/reference/golden/$name/$f")"
    cp "$scratch/$name/$f" "$root/results/reference/golden/$name/$f"
    echo "   results/reference/golden/$name/$f"
  done
done <"$root/tests/golden/cases.txt"
[[ $found -gt 0 ]] || { echo "bless: no case named ${wanted[*]} in tests/golden/cases.txt" >&2; exit 2; }
echo "bless: $found case(s) written; review with: git diff --stat results/reference/golden"
