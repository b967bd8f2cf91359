#!/usr/bin/env bash
# The live client's own overhead: a real run of `azure-dps --simulate SCENARIO` (through a
# pty, at the reference session's timing) against the same run in simulated time
# (`--offline`, where only the module's latencies and the machine's deliberate waits count).
# The difference is what the client itself adds: I/O, scheduling, decoding, recording.
#
#   Benchmarks/live-timing.sh [SCENARIO] [RUNS]      (default assigned-fast, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-assigned-fast}
runs=${2:-3}
swift build -c release --product azure-dps >/dev/null
bin=$(swift build -c release --show-bin-path)/azure-dps
ms() { sed -E 's/.*"durationMs":([0-9]+).*/\1/'; }
offline=$("$bin" --simulate "$scenario" --offline --json 2>/dev/null | ms)
echo "simulated time of the run (module latencies + deliberate waits): $offline ms"
for i in $(seq "$runs"); do
  live=$("$bin" --simulate "$scenario" --json --record /tmp/live-timing.pcapng --overwrite 2>/dev/null | ms)
  echo "live run $i: $live ms wall time, overhead $((live - offline)) ms (target < 100 ms)"
done
echo "(the reference azure_dps.py run took 27500 ms, with fixed sleeps of several seconds)"
