#!/usr/bin/env bash
# What edm-decode tap adds: both directions at once through a tap on ptys, at the byte rate
# of BAUD, every chunk's forwarding latency (target: median < 1 ms, p99 < 5 ms), every byte
# checked for loss, duplication and order, the capture compared with what was sent, and the
# tap's memory at the start and the end (Benchmarks/tap_latency.py does the measuring).
#
#   Benchmarks/tap-latency.sh [SECONDS] [BAUD]      (default 600 s, 921600)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
baud=${2:-921600}
swift build -c release --product edm-decode >/dev/null
exec python3 Benchmarks/tap_latency.py "$(swift build -c release --show-bin-path)/edm-decode" "$seconds" "$baud"
