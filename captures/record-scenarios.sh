#!/usr/bin/env bash
# Records one session per simulator scenario with azure-dps itself (--simulate, real time,
# through a real pty), into captures/scenarios/<scenario>.pcapng. All run at once; the
# slowest (dps-silent, which waits out the register deadline) takes about 90 s.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product azure-dps >/dev/null
bin=$(swift build --show-bin-path)/azure-dps
mkdir -p captures/scenarios
pids=()
for scenario in $("$bin" scenarios | awk '{print $1}'); do
  "$bin" --simulate "$scenario" --record "captures/scenarios/$scenario.pcapng" --overwrite --json \
    > "/tmp/azure-dps-$scenario.result.json" 2>/dev/null &
  pids+=($!)
done

for pid in "${pids[@]}"; do wait "$pid" || true; done
for f in /tmp/azure-dps-*.result.json; do
  printf "%-30s %s\n" "$(basename "$f" .result.json)" "$(cat "$f")"
done
