#!/usr/bin/env bash
# A batch's wall time against one module's: `azure-dps batch --simulate N` (N simulated
# modules, each on its own pty, with a thread for the module and one for its run) beside a
# single `azure-dps --simulate`, both live through ptys at the same speed, alternated so that
# load from elsewhere on the shared machine falls on both. Target: a batch of 32 within 1.5x
# of one run.
#
#   Benchmarks/batch-timing.sh [MODULES] [ROUNDS] [SPEED]      (default 32 modules, 3 rounds, speed 1)
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${1:-32}
rounds=${2:-3}
speed=${3:-1}
swift build -c release --product azure-dps >/dev/null
bin=$(swift build -c release --show-bin-path)/azure-dps
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s%N; }
single_total=0
batch_total=0
for round in $(seq "$rounds"); do
  start=$(now)
  (cd "$work" && "$bin" --simulate --simulate-speed "$speed" --no-record --json >/dev/null 2>&1)
  single=$(( ($(now) - start) / 1000000 ))
  start=$(now)
  (cd "$work" && "$bin" batch --simulate "$modules" --simulate-speed "$speed" --no-record --json \
     > "$work/batch.json" 2>/dev/null)
  batch=$(( ($(now) - start) / 1000000 ))
  assigned=$(grep -c '"outcome":"assigned"' "$work/batch.json" || true)
  if [ "$assigned" != "$modules" ]; then
    echo "round $round: only $assigned of $modules modules assigned" >&2
    exit 1
  fi
  ratio=$(awk "BEGIN{printf \"%.2f\", $batch/$single}")
  echo "round $round: one module $single ms, batch of $modules $batch ms, ratio $ratio"
  single_total=$((single_total + single))
  batch_total=$((batch_total + batch))
done
ratio=$(awk "BEGIN{printf \"%.2f\", $batch_total/$single_total}")
echo "batch of $modules / one module, wall time over $rounds rounds: $ratio (target <= 1.5)"
