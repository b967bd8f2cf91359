#!/usr/bin/env bash
# Builds the libFuzzer target (Fuzz/EDMFuzz over the EDMSession library target and the targets
# below it) with `swiftc -sanitize=fuzzer` and runs it for SECONDS seconds on one core. Exits non-zero when
# the fuzzer finds a crash (a broken invariant is a `precondition`, so a crash); the input that
# caused it is saved under .build-fuzz/artifacts/, and can be replayed with
#   .build-fuzz/edm-fuzz .build-fuzz/artifacts/crash-...
#
#   Fuzz/fuzz.sh 600                          # ten minutes
#   Fuzz/fuzz.sh 60 -only_ascii=1             # extra arguments go to libFuzzer
#   FUZZ_SANITIZERS=address Fuzz/fuzz.sh 60   # add AddressSanitizer (slower)
#
# The corpus is kept in .build-fuzz/corpus (git-ignored) and grows across runs; it is seeded
# from Fuzz/seeds.hex each run.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: Fuzz/fuzz.sh SECONDS [libFuzzer options]}
shift
work=.build-fuzz
mkdir -p "$work/corpus" "$work/artifacts"

# The fuzz target links the library target it fuzzes and the targets below it, read from
# Package.swift in dependency order; each is compiled as its own module with the sanitizers.
fuzzed=${FUZZ_TARGET:-EDMSession}
modules=$(swift package describe --type json | python3 -c '
import json, sys
targets = {t["name"]: t.get("target_dependencies", []) for t in json.load(sys.stdin)["targets"]}
order = []
def visit(name):
    for dep in targets[name]:
        visit(dep)
    if name not in order:
        order.append(name)
visit(sys.argv[1])
print(" ".join(order))' "$fuzzed")

sanitizers=fuzzer${FUZZ_SANITIZERS:+,$FUZZ_SANITIZERS}
build_fuzzer() { # OPTIMIZATION OUTPUT
    local mods="$work/modules$1" objects=()
    mkdir -p "$mods"
    for module in $modules; do
        swiftc -module-name "$module" -package-name EDMToolkit -parse-as-library "$1" -sanitize="$sanitizers" -wmo \
            -emit-module -emit-module-path "$mods/$module.swiftmodule" -I "$mods" \
            -c Sources/"$module"/*.swift -o "$mods/$module.o"
        objects+=("$mods/$module.o")
    done
    swiftc -module-name EDMFuzz -package-name EDMToolkit -parse-as-library "$1" -sanitize="$sanitizers" -I "$mods" \
        Fuzz/EDMFuzz/*.swift "${objects[@]}" -o "$2"
}
echo "fuzz.sh: building $work/edm-fuzz (-sanitize=$sanitizers; modules: $modules)"
build_fuzzer -O "$work/edm-fuzz"

# Seeds: each line of Fuzz/seeds.hex (hex bytes, # comments) becomes one corpus file.
n=0
while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    hex=$(printf '%s' "$line" | tr -d '[:space:]')
    [ -z "$hex" ] && continue
    n=$((n + 1))
    printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" > "$work/corpus/seed-$n"
done < Fuzz/seeds.hex

log="$work/fuzz.log"
echo "fuzz.sh: running for ${seconds}s ($n seeds, corpus $work/corpus, log $log)"
status=0
# -max_len above one whole frame (4099 bytes) plus a full garbage run (4099), so both limits
# can be reached; -timeout catches a decoder that stops making progress.
# SWIFT_BACKTRACE=enable=no: otherwise the Swift runtime's crash handler takes the trap of a
# failed precondition first and kills the process (SIGILL, exit 132) before libFuzzer can save
# the crashing input.
SWIFT_BACKTRACE=enable=no "$work/edm-fuzz" -max_total_time="$seconds" -max_len=10000 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" > "$log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
corpus=$(find "$work/corpus" -type f | wc -l)
cov=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1 | sed -E 's/.* (cov: [0-9]+ ft: [0-9]+).*/\1/' || true)
echo "fuzz.sh: ${execs:-?} inputs run, ${rate:-?} execs/s, ${cov:-cov: ?}, corpus $corpus files, exit status $status"
if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: FAILED. Details in $log; inputs in $work/artifacts/:" >&2
    ls -1t "$work/artifacts" >&2 || true
    grep -m 5 -E 'ERROR: libFuzzer|deadly signal|SUMMARY' "$log" >&2 || true
    # An -O build traps on a failed precondition without its message: replay the newest
    # artifact on an -Onone build to show which invariant broke.
    newest=$(ls -1t "$work/artifacts" | head -n 1)
    if [ -n "$newest" ]; then
        echo "fuzz.sh: replaying $newest on a debug build to name the broken invariant:" >&2
        build_fuzzer -Onone "$work/edm-fuzz-debug" \
            && SWIFT_BACKTRACE=enable=no "$work/edm-fuzz-debug" "$work/artifacts/$newest" 2>&1 \
            | grep -m 3 -E 'Fatal error|failed|ERROR' >&2 || true
    fi
fi
exit "$status"
