#!/usr/bin/env bash
# Two (or more) edm-decode builds side by side on one capture: alternating runs, so the shared
# machine's noise falls on all of them alike. Prints the median and best wall time and the
# median CPU time (user + system) of each; the outputs go to a temporary file, or with
# OUT=/dev/null to nowhere (as decode-bench.sh's JSON runs: writing tens of MB of JSON into the
# page cache costs the kernel time that is the same for both builds and blurs the difference).
#
#   Benchmarks/compare-builds.sh RUNS CAPTURE FORMAT EDM-DECODE...
#   Benchmarks/compare-builds.sh 9 big.pcapng pcapng old/edm-decode .build/release/edm-decode
#   OUT=/dev/null Benchmarks/compare-builds.sh 21 slice.pcapng json old/edm-decode new/edm-decode
#
# (Generate a capture with Benchmarks/make_session_capture.py, see decode-bench.sh.)
set -euo pipefail
[ $# -ge 4 ] || { sed -n 2,12p "$0" >&2; exit 64; }
runs=$1 capture=$2 format=$3; shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for _ in $(seq "$runs"); do
    for i in $(seq $#); do
        bin=${!i}
        # (Wall time from bash's microsecond clock: /usr/bin/time's 10 ms steps are too coarse
        # for runs of a tenth of a second.)
        t0=$EPOCHREALTIME
        /usr/bin/time -o "$tmp/time" -f '%U %S' "$bin" "$capture" -f "$format" -o "${OUT:-$tmp/out}" 2> /dev/null
        t1=$EPOCHREALTIME
        read -r user sys < "$tmp/time"
        awk -v a="$t0" -v b="$t1" -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f %.2f\n", b - a, u + s }' >> "$tmp/times.$i"
    done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for i in $(seq $#); do
    echo "${!i}: wall median $(cut -d' ' -f1 "$tmp/times.$i" | median) s, best $(cut -d' ' -f1 "$tmp/times.$i" | sort -n | head -1) s; CPU median $(cut -d' ' -f2 "$tmp/times.$i" | median) s ($runs runs, -f $format)"
done
