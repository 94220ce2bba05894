#!/usr/bin/env bash
# The seeded accuracy table (results/reference/accuracy.csv): every row of lenet trained with the
# same short schedule for several seeds, then mean and sample standard deviation per row.
#
#   scripts/accuracy_table.sh run        # train every missing run, then write the table
#   scripts/accuracy_table.sh check      # trace + `wrpn infer` on every finished quantized run
#   scripts/accuracy_table.sh summary    # only write the table from the finished runs
#
# Resumable: a run whose log.csv has all epochs is skipped, a run with a checkpoint continues with
# `wrpn train --resume`, anything else in its directory is started again.
# Environment (defaults in brackets):
#   WRPN [build/apps/wrpn]  OUT [results/runs/accuracy-table]  CSV [results/reference/accuracy.csv]
#   JOBS [2] trainings at once, each on one thread, under `nice -n 15`, OMP_WAIT_POLICY=passive
#   EPOCHS [1]  TRAIN_IMAGES [10000] (the first N training images)  SEEDS ["1 2 3"]
#   ROWS [all] an extended regex over row names (e.g. 'fp32|w4a4-w2')
# Every run is evaluated on all 10,000 test images (--test-images 0).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
WRPN=${WRPN:-build/apps/wrpn}
OUT=${OUT:-results/runs/accuracy-table}
CSV=${CSV:-results/reference/accuracy.csv}
JOBS=${JOBS:-2}
EPOCHS=${EPOCHS:-1}
TRAIN_IMAGES=${TRAIN_IMAGES:-10000}
SEEDS=${SEEDS:-"1 2 3"}
ROWS=${ROWS:-.}

# name width wbits abits weight-scale ("-" = FP32, no quantizer)
rows() {
  cat <<'EOF'
fp32-w1 1 32 32 -
fp32-w2 2 32 32 -
w8a8-w2-layer 2 8 8 layer
w8a8-w2-paper 2 8 8 paper
w4a4-w1-layer 1 4 4 layer
w4a4-w1-paper 1 4 4 paper
w4a4-w2-layer 2 4 4 layer
w4a4-w2-paper 2 4 4 paper
w2a2-w1-layer 1 2 2 layer
w2a2-w1-paper 1 2 2 paper
w2a2-w2-layer 2 2 2 layer
w2a2-w2-paper 2 2 2 paper
w1a2-w2-layer 2 1 2 layer
w1a2-w2-paper 2 1 2 paper
EOF
}

# The order the runs are started in: the rows the comparison needs most first, so that if the
# time runs out the finished rows are whole (all seeds) rather than every row partial.
job_order() {
  echo fp32-w1 fp32-w2 w4a4-w2-layer w4a4-w2-paper w8a8-w2-layer w8a8-w2-paper w2a2-w2-layer w2a2-w2-paper \
    w1a2-w2-layer w1a2-w2-paper w4a4-w1-layer w4a4-w1-paper w2a2-w1-layer w2a2-w1-paper
}

# The exact training command of one run (SEED and DIR substituted).
command_of() {  # width wbits abits scale seed dir
  local scale_flag=""
  [ "$4" != "-" ] && scale_flag=" --weight-scale $4"
  echo "wrpn train --model lenet --width $1 --wbits $2 --abits $3$scale_flag --epochs $EPOCHS" \
    "--train-images $TRAIN_IMAGES --test-images 0 --seed $5 --threads 1 --out $6"
}

epochs_logged() {  # dir
  [ -f "$1/log.csv" ] || { echo 0; return; }
  awk 'NR > 1 && NF' "$1/log.csv" | wc -l
}

run_one() {  # name width wbits abits scale seed
  local dir="$OUT/$1-s$6"
  if [ "$(epochs_logged "$dir")" -ge "$EPOCHS" ]; then
    echo "done    $dir"
    return 0
  fi
  local cmd
  if [ -f "$dir/checkpoint.bin" ]; then
    cmd="wrpn train --out $dir --resume"
    echo "resume  $dir"
  else
    rm -rf "$dir"
    cmd=$(command_of "$2" "$3" "$4" "$5" "$6" "$dir")
    echo "start   $dir"
  fi
  mkdir -p "$OUT"
  # shellcheck disable=SC2086
  if OMP_WAIT_POLICY=passive nice -n 15 "$WRPN" ${cmd#wrpn } --quiet >"$OUT/$1-s$6.out" 2>&1; then
    echo "ok      $dir: $(tail -n 1 "$OUT/$1-s$6.out")"
  else
    echo "FAILED  $dir (see $OUT/$1-s$6.out)"
    return 1
  fi
}

# Integer-only inference on every finished quantized run: `wrpn trace` (16 test images) then
# `wrpn infer --checkpoint` on all 10,000 test images; the output is kept in DIR/infer.txt.
check_one() {  # dir
  local dir=$1
  [ -f "$dir/infer.txt" ] && grep -q "agreement" "$dir/infer.txt" && return 0
  rm -rf "$dir/trace"
  if OMP_WAIT_POLICY=passive nice -n 10 "$WRPN" trace --checkpoint "$dir/checkpoint.bin" --images 16 \
       --out "$dir/trace" >"$dir/infer.txt.tmp" 2>&1 &&
     OMP_WAIT_POLICY=passive nice -n 10 "$WRPN" infer --trace "$dir/trace" --checkpoint "$dir/checkpoint.bin" \
       --threads 2 >>"$dir/infer.txt.tmp" 2>&1; then
    mv "$dir/infer.txt.tmp" "$dir/infer.txt"
    echo "checked $dir: $(grep -o 'agreement [0-9.]*%' "$dir/infer.txt")"
  else
    echo "CHECK FAILED $dir (see $dir/infer.txt.tmp)"
    return 1
  fi
}

check() {  # seed-major order (every row's first seed first), CHECK_JOBS [2] checks at once
  local name width wb ab scale s
  for s in $SEEDS; do
    while read -r name width wb ab scale; do
      [[ "$name" =~ $ROWS ]] && [ "$scale" != - ] || continue
      local dir="$OUT/$name-s$s"
      [ "$(epochs_logged "$dir")" -ge "$EPOCHS" ] && echo "$dir"
    done < <(rows)
  done | xargs -r -P "${CHECK_JOBS:-2}" -L 1 bash -c 'check_one "$@"' _
}

summary() {
  local tmp="$CSV.tmp"
  echo "model,width,wbits,abits,weight_scale,epochs,train_images,test_images,batch,lr,threads,n_seeds,seeds,test_accuracy_pct,test_accuracy_sd_pct,test_accuracy_min_pct,test_accuracy_max_pct,seed_accuracies_pct,infer_checked_seeds,infer_agreement_min_pct,mean_wall_s,command" >"$tmp"
  local name width wb ab scale
  while read -r name width wb ab scale; do
    [[ "$name" =~ $ROWS ]] || continue
    local accs="" walls="" seeds="" n=0 timg="" s agree="" checked=0
    for s in $SEEDS; do
      local dir="$OUT/$name-s$s"
      [ "$(epochs_logged "$dir")" -ge "$EPOCHS" ] || continue
      # Last logged epoch, columns looked up by name.
      local row
      row=$(awk -F, -v e="$EPOCHS" 'NR == 1 { for (i = 1; i <= NF; ++i) c[$i] = i; next }
             $1 == e { print $c["test_acc_pct"], $c["elapsed_s"], ("test_images" in c ? $c["test_images"] : "") }' \
             "$dir/log.csv")
      set -- $row
      accs="$accs $1"
      walls="$walls $2"
      seeds="$seeds $s"
      n=$((n + 1))
      # Lowest integer-vs-trainer agreement over the checked seeds (`check`), and how many were checked.
      local a
      a=$(grep -o 'agreement [0-9.]*%' "$dir/infer.txt" 2>/dev/null | tr -dc '0-9.' || true)
      if [ -n "$a" ]; then
        checked=$((checked + 1))
        if [ -z "$agree" ] || awk -v x="$a" -v y="$agree" 'BEGIN { exit !(x < y) }'; then agree=$a; fi
      fi
      local t=${3:-}
      if [ -z "$t" ]; then  # log without the column: the config says 0 = the whole test set
        t=$(sed -n 's/.*"test_images": *\([0-9]*\).*/\1/p' "$dir/config.json")
        [ "$t" = 0 ] && t=10000
      fi
      if [ -n "$timg" ] && [ "$timg" != "$t" ]; then timg="mixed"; else timg=$t; fi
    done
    [ "$n" -gt 0 ] || continue
    local cmd
    cmd=$(command_of "$width" "$wb" "$ab" "$scale" SEED "$OUT/$name-sSEED")
    echo "$accs" "|" "$walls" | awk -v model=lenet -v w="$width" -v wb="$wb" -v ab="$ab" \
      -v sc="$([ "$scale" = - ] && echo none || echo "$scale")" -v ep="$EPOCHS" -v tr="$TRAIN_IMAGES" \
      -v ti="$timg" -v agree="$agree" -v checked="$checked" -v n="$n" -v seeds="${seeds# }" -v cmd="OMP_WAIT_POLICY=passive nice -n 15 $cmd (SEED in: ${seeds# })" '
      {
        k = 0; m = 0; wall = 0; part = 0
        for (i = 1; i <= NF; ++i) {
          if ($i == "|") { part = 1; continue }
          if (!part) { a[++k] = $i } else { wall += $i; ++m }
        }
        s = 0; for (i = 1; i <= k; ++i) s += a[i]; mean = s / k
        v = 0; for (i = 1; i <= k; ++i) v += (a[i] - mean) ^ 2
        sd = k > 1 ? sqrt(v / (k - 1)) : 0
        lo = a[1]; hi = a[1]; list = sprintf("%.2f", a[1])
        for (i = 2; i <= k; ++i) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i]; list = list sprintf(";%.2f", a[i]) }
        gsub(/ /, ";", seeds)
        printf "%s,%s,%s,%s,%s,%s,%s,%s,64,0.05,1,%d,%s,%.2f,%.2f,%.2f,%.2f,%s,%d,%s,%.0f,\"%s\"\n",
               model, w, wb, ab, sc, ep, tr, ti, n, seeds, mean, sd, lo, hi, list, checked, agree, wall / m, cmd
      }' >>"$tmp"
  done < <(rows)
  mv "$tmp" "$CSV"
  echo "wrote $CSV"
  column -s, -t < <(cut -d, -f1-5,12,14,15,18-20 "$CSV")
}

case "${1:-run}" in
  run)
    [ -x "$WRPN" ] || { echo "error: $WRPN not built (ninja -C build wrpn)" >&2; exit 2; }
    jobs_file=$(mktemp)
    for job in $(job_order); do
      while read -r name width wb ab scale; do
        [ "$name" = "$job" ] && [[ "$name" =~ $ROWS ]] || continue
        for s in $SEEDS; do echo "$name $width $wb $ab $scale $s"; done
      done < <(rows)
    done >"$jobs_file"
    export -f run_one command_of epochs_logged
    export WRPN OUT EPOCHS TRAIN_IMAGES
    status=0
    xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ <"$jobs_file" || status=$?
    rm -f "$jobs_file"
    summary
    exit "$status"
    ;;
  summary) summary ;;
  check)
    export -f check_one
    export WRPN
    status=0
    check || status=$?
    summary
    exit "$status"
    ;;
  one) shift; run_one "$@" ;;
  *) echo "usage: $0 [run|summary]" >&2; exit 2 ;;
esac
