#!/usr/bin/env bash
# Every fuzz check for FUZZ_MINUTES minutes (default 10) with AddressSanitizer, one after the
# other, then the counts of each (inputs run, execs/s, coverage, corpus): `make bench` runs it.
# About 2 h 30 min for the 15 checks at the default.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${FUZZ_MINUTES:-10}
status=0
FUZZ_SANITIZERS=address Fuzz/fuzz.sh $((minutes * 60)) "$@" || status=$?
echo
echo "Fuzzing with AddressSanitizer, ${minutes} min per check:"
cat .build-fuzz/summary-address.txt
exit "$status"
