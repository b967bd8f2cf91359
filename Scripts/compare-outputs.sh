#!/usr/bin/env bash
# Two builds' outputs, byte for byte, on every capture in captures/: edm-decode in every
# format, redacted and with --no-redact (output, standard error and exit status), the raw
# reference pair, and edm-replay check of each capture. For a change meant to leave
# behaviour alone (a refactoring, a layout change), build the commit before it in a
# worktree and compare:
#
#   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && swift build)
#   Scripts/compare-outputs.sh /tmp/before/.build/debug .build/debug
#
# Prints each output that differs and a count; exits 1 when any differs.
set -euo pipefail
[ $# -eq 2 ] || { sed -n 2,11p "$0" >&2; exit 64; }
old=$(cd "$1" && pwd) new=$(cd "$2" && pwd)
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir "$out/old" "$out/new"
runs=0 differ=0

# run NAME TOOL ARGS...: runs TOOL of both builds, keeping output, stderr and status under NAME.
run() {
    local name=$1 tool=$2; shift 2
    for side in old new; do
        local bin=$old; [ $side = new ] && bin=$new
        local status=0
        "$bin/$tool" "${@//@OUT@/$out/$side/$name}" > "$out/$side/$name.stdout" 2> "$out/$side/$name.stderr" || status=$?
        echo $status > "$out/$side/$name.status"
    done
    runs=$((runs + 1))
    for f in "$name" "$name.stdout" "$name.stderr" "$name.status"; do
        [ -e "$out/old/$f" ] || [ -e "$out/new/$f" ] || continue
        cmp -s "$out/old/$f" "$out/new/$f" 2> /dev/null || { echo "differs: $f"; differ=$((differ + 1)); }
    done
}

captures=(captures/azure-dps-example-session.log captures/azure-dps-example-session.pcapng captures/scenarios/*.pcapng)
for capture in "${captures[@]}"; do
    for format in transcript json pcap pcapng mermaid html; do
        run "$(basename "$capture")-$format" edm-decode "$capture" -f $format --color never -o @OUT@
        run "$(basename "$capture")-$format-no-redact" edm-decode "$capture" -f $format --no-redact --color never -o @OUT@
    done
    run "$(basename "$capture")-check" edm-replay check "$capture" --format json
done
run reference-pair edm-decode --host captures/reference-session-host.bin \
    --module captures/reference-session-module.bin -f json -o @OUT@
echo "compare-outputs: $runs runs of each build, $differ outputs differ"
[ $differ -eq 0 ]
