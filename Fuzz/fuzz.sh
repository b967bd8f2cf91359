#!/usr/bin/env bash
# Builds the libFuzzer target (Fuzz/EDMFuzz over the EDMRender library target and the targets
# below it: the ones above import swift-crypto) with `swiftc -sanitize=fuzzer`, then runs each
# of its checks (Fuzz/EDMFuzz/FuzzEntry.swift: the stream and session decoders, UpperPDU and
# the pcapng block, the JSON scanner, the AT line parser, every text importer, the pcapng
# stream reader) for SECONDS seconds on one core, each with its own corpus. Exits non-zero when the fuzzer finds a crash (a broken
# invariant is a `precondition`, so a crash); the input that caused it is saved under
# .build-fuzz/artifacts/CHECK/, and can be replayed with
#   EDM_FUZZ_CHECK=CHECK .build-fuzz/edm-fuzz .build-fuzz/artifacts/CHECK/crash-...
#
#   Fuzz/fuzz.sh 600                          # ten minutes each
#   FUZZ_CHECKS="json fault-spec" Fuzz/fuzz.sh 60   # only these checks
#   Fuzz/fuzz.sh 60 -only_ascii=1             # extra arguments go to libFuzzer
#   FUZZ_SANITIZERS=address Fuzz/fuzz.sh 60   # add AddressSanitizer (slower)
#
# The corpora are kept in .build-fuzz/corpus/CHECK (git-ignored) and grow across runs; each is
# seeded from Fuzz/seeds.hex each run (the importers' also from the azure_dps.py log). The
# binary is rebuilt only when a source is newer.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: Fuzz/fuzz.sh SECONDS [libFuzzer options]}
shift
work=.build-fuzz
mkdir -p "$work/corpus" "$work/artifacts"

# The fuzz target links the library target it fuzzes and the targets below it, read from
# Package.swift in dependency order; each is compiled as its own module with the sanitizers.
fuzzed=${FUZZ_TARGET:-EDMRender}
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
    local mods="$work/modules$1-$sanitizers" objects=()
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
sanitized=$work/edm-fuzz${FUZZ_SANITIZERS:+-$FUZZ_SANITIZERS}
if [ -x "$sanitized" ] && [ -z "$(find Sources Fuzz -newer "$sanitized" -name '*.swift' | head -n 1)" ]; then
    echo "fuzz.sh: $sanitized is up to date"
else
    echo "fuzz.sh: building $sanitized (-sanitize=$sanitizers; modules: $modules)"
    build_fuzzer -O "$sanitized"
fi

checks=${FUZZ_CHECKS:-$(EDM_FUZZ_LIST=1 "$sanitized")}

# Seeds: each line of Fuzz/seeds.hex (hex bytes, # comments) becomes one corpus file.
seed_corpus() { # DIR CHECK
    local n=0 line hex
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        hex=$(printf '%s' "$line" | tr -d '[:space:]')
        [ -z "$hex" ] && continue
        n=$((n + 1))
        printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" > "$1/seed-$n"
    done < Fuzz/seeds.hex
    case $2 in
    import-*) head -c 4000 captures/azure-dps-example-session.log > "$1/seed-log" ;;
    pcapng-stream) head -c 4000 captures/scenarios/assigned.pcapng > "$1/seed-pcapng" ;;
    esac
}

status=0
summary=""
for check in $checks; do
    corpus=$work/corpus/$check artifacts=$work/artifacts/$check log=$work/fuzz-$check.log
    mkdir -p "$corpus" "$artifacts"
    seed_corpus "$corpus" "$check"
    # -max_len above one whole frame (4099 bytes) plus a full garbage run (4099), so both
    # limits can be reached; -timeout catches a parser that stops making progress.
    # SWIFT_BACKTRACE=enable=no: otherwise the Swift runtime's crash handler takes the trap of
    # a failed precondition first and kills the process (SIGILL, exit 132) before libFuzzer can
    # save the crashing input.
    one=0
    EDM_FUZZ_CHECK=$check SWIFT_BACKTRACE=enable=no "$sanitized" -max_total_time="$seconds" -max_len=10000 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$corpus" > "$log" 2>&1 || one=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1 | sed -E 's/.* (cov: [0-9]+ ft: [0-9]+).*/\1/' || true)
    line=$(printf '%-22s %10s inputs %8s/s  %-20s corpus %5s  exit %s' "$check" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$(find "$corpus" -type f | wc -l)" "$one")
    echo "fuzz.sh: $line"
    summary+="$line"$'\n'
    if [ "$one" -ne 0 ]; then
        status=$one
        echo "fuzz.sh: $check FAILED. Details in $log; inputs in $artifacts/:" >&2
        ls -1t "$artifacts" >&2 || true
        grep -m 5 -E 'ERROR: libFuzzer|deadly signal|SUMMARY' "$log" >&2 || true
        # An -O build traps on a failed precondition without its message: replay the newest
        # artifact on an -Onone build to show which invariant broke.
        newest=$(ls -1t "$artifacts" | head -n 1)
        if [ -n "$newest" ]; then
            echo "fuzz.sh: replaying $newest on a debug build to name the broken invariant:" >&2
            build_fuzzer -Onone "$work/edm-fuzz-debug" \
                && EDM_FUZZ_CHECK=$check SWIFT_BACKTRACE=enable=no "$work/edm-fuzz-debug" "$artifacts/$newest" 2>&1 \
                | grep -m 3 -E 'Fatal error|failed|ERROR' >&2 || true
        fi
    fi
done
printf '%s' "$summary" > "$work/summary${FUZZ_SANITIZERS:+-$FUZZ_SANITIZERS}.txt"
exit "$status"
