#!/usr/bin/env bash
# Instructions an edm-decode build executes on a capture, counted by valgrind's callgrind:
# unlike time on this shared machine, the count is the same from run to run, so a change of
# a few percent shows. Prints one line per build; the profiles stay in a temporary directory
# unless KEEP=1 (then read one with callgrind_annotate, --inclusive=yes for totals per function).
#
#   Benchmarks/count-instructions.sh CAPTURE FORMAT EDM-DECODE...
#   Benchmarks/count-instructions.sh slice.pcapng pcapng old/edm-decode .build/release/edm-decode
#
# Needs valgrind (apt-get install valgrind). A few MB of capture is enough (valgrind runs the
# program about 50 times slower); a run's fixed start-up is about 36 M instructions.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,11p "$0" >&2; exit 64; }
command -v valgrind > /dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 69; }
capture=$1 format=$2; shift 2
tmp=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] && echo "profiles in $tmp" || trap 'rm -rf "$tmp"' EXIT
for bin in "$@"; do
    name=$(echo "$bin" | tr '/' '_')
    # valgrind 3.19 cannot read the DWARF 5 debug info Swift writes: count a copy without it.
    objcopy --strip-debug "$bin" "$tmp/$name"
    valgrind --tool=callgrind --callgrind-out-file="$tmp/$name.callgrind" "$tmp/$name" "$capture" -f "$format" -o "$tmp/out" \
        2> "$tmp/$name.log" || { cat "$tmp/$name.log" >&2; exit 1; }
    echo "$bin: $(grep -o 'refs: *[0-9,]*' "$tmp/$name.log" | tr -s ' ' | cut -d' ' -f2) instructions (-f $format, $(stat -c %s "$capture") bytes in)"
done
