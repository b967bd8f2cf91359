#!/usr/bin/env bash
# Builds and runs the EDM frame-decoding benchmarks (ordo-one/benchmark, release mode), then
# prints a short summary: Swift and C throughput (median and best of the iterations), the
# C/Swift ratio, and mallocs per frame.
#
#   Benchmarks/bench.sh                    # 32 MiB realistic mix
#   EDM_BENCH_MB=64 Benchmarks/bench.sh    # another size (16-64 intended)
#   Benchmarks/bench.sh --filter Swift     # extra options go to `swift package benchmark run`
#
# The benchmark package is only declared when EDM_BENCH is set (see Package.swift), and builds
# in its own scratch folder so `swift build` / `swift test` in .build are left alone.
# The first build takes several minutes (the benchmark package and its dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."

export EDM_BENCH=1
scratch=.build-bench
mkdir -p "$scratch"
report="$scratch/bench-report.txt"

swift package --scratch-path "$scratch" benchmark run --target EDMBenchmarks --no-progress "$@" | tee "$report"

# The text report has one table per benchmark: a title line, then rows such as
#   │ MB/s                      │      2016 │      1673 │      1240 │ ...
# with the columns p0 p25 p50 p75 p90 p99 p100 Samples. For MB/s (larger is better) p0 is the
# best iteration; for times p0 is the fastest. p50 is the median either way.
awk '
    function num(s) { gsub(/[ ,]/, "", s); return s + 0 }
    /^(Swift EDMStreamDecoder|Swift SessionDecoder \(edm-decode path\)|C frame walker|Replay one session \(strict\)|Side by side \(ratios per round\))$/ { bench = $0; next }
    bench != "" && /│/ {
        n = split($0, cell, "│")
        label = cell[2]; gsub(/^ +| +$/, "", label)
        if (label ~ /^MB\/s/)            { median[bench] = num(cell[5]); best[bench] = num(cell[3]) }
        else if (label ~ /^Malloc/)      { mallocs[bench] = num(cell[5]); mallocsMax[bench] = num(cell[9]) }
        else if (label ~ /^frames/)      { frames[bench] = num(cell[5]) }
        else if (label ~ /^input bytes/) { bytes[bench] = num(cell[5]) }
        else if (label ~ /^CPU ns per replay/) { cpu[bench] = num(cell[5]) }
        else if (label ~ /^Throughput/)  { rate[bench] = num(cell[5]) }
        else if (label ~ /^C\/stream/)   { sideStream = num(cell[5]); sideStreamBest = num(cell[3]) }
        else if (label ~ /^C\/session/)  { sideSession = num(cell[5]); sideSessionBest = num(cell[3]) }
    }
    END {
        s = "Swift EDMStreamDecoder"; c = "C frame walker"
        if (!(s in median) || !(c in median)) { print "bench.sh: could not read both results from the report" > "/dev/stderr"; exit 1 }
        printf "\n==== EDM frame decoding summary ====\n"
        printf "input: %.1f MB realistic mix, %d frames (%.0f bytes per frame on average)\n", bytes[s] / 1e6, frames[s], bytes[s] / frames[s]
        p = "Swift SessionDecoder (edm-decode path)"
        printf "C frame walker:         %6.2f GB/s median, %6.2f GB/s best\n", median[c] / 1000, best[c] / 1000
        line("Swift EDMStreamDecoder", s)
        if (p in median) line("SessionDecoder (edm-decode)", p)
        if (sideStream) {
            printf "side by side, all three timed in every round (C before and after): C/Swift per round, median (best):\n"
            printf "  EDMStreamDecoder %.2f (%.2f); SessionDecoder (edm-decode) %.2f (%.2f)\n", \
                sideStream / 100, sideStreamBest / 100, sideSession / 100, sideSessionBest / 100
        }
    }
    function line(label, b) {
        printf "%-28s %6.2f GB/s median, %6.2f GB/s best; C/Swift %.2f (median), %.2f (best); mallocs per decode of the whole buffer %d (max) -> %.6f per frame\n", \
            label ":", median[b] / 1000, best[b] / 1000, median[c] / median[b], best[c] / best[b], mallocsMax[b], mallocsMax[b] / frames[b]
        printf "%-28s targets (docs/performance.md): >= 1 GB/s: %s; within 2x of C: %s; zero allocations per frame: %s\n", "", \
            (median[b] >= 1000 ? "met" : "NOT met"), (median[c] <= 2 * median[b] ? "met" : "NOT met"), (mallocsMax[b] == 0 ? "met" : "NOT met")
    }
    END {
        r = "Replay one session (strict)"
        if (r in cpu) {
            printf "\n==== Replay ====\n"
            printf "one full session (assigned after 2 polls) replayed strictly: %.3f ms of CPU per replay (median; target < 1 ms); %d replays/s\n", cpu[r] / 1e6, rate[r]
        }
    }
' "$report"
