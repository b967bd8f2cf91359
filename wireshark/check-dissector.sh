#!/usr/bin/env bash
# Checks wireshark/ucx_edm.lua against one of our pcap/pcapng files (LINKTYPE 252).
#
#   wireshark/check-dissector.sh FILE EXPECTED_ROWS [MALFORMED_FRAMES]
#
# FILE              a .pcap or .pcapng written by our writer (or testdata/make_fixtures.py)
# EXPECTED_ROWS     the exact output of
#                   tshark -T fields -e ucx_edm.type -e ucx_edm.at -e json.value.string
#                   (one row per packet, tab-separated; empty fields for ucx_at/ucx_raw units)
# MALFORMED_FRAMES  how many ucx_edm frames carry Malformed expert info (default 0)
#
# Checks: the rows; `ucx_edm.type == 0x0031` selects as many frames as EXPECTED_ROWS has data
# event rows; both directions occur, and agree with the pcapng EPB flags where present; the
# malformed count; no Lua error or dissector exception. Exit 0 when all pass, 1 otherwise.
# Environment: TSHARK (default tshark), UCX_LUA (default: ucx_edm.lua next to this script).
set -uo pipefail
[ $# -ge 2 ] || { sed -n '4,10p' "$0" >&2; exit 2; }
file=$1 expected=$2 malformed=${3:-0}
lua=${UCX_LUA:-$(dirname "$0")/ucx_edm.lua}
failed=0 tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
ts() { "${TSHARK:-tshark}" -n -X lua_script:"$lua" -r "$file" "$@" 2>>"$tmp/stderr"; }
count() { ts -Y "$1" -T fields -e frame.number | grep -c .; }
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$2', expected '$3'"; failed=1; fi; }

rows=$(ts -T fields -e ucx_edm.type -e ucx_edm.at -e json.value.string) || { echo "FAIL tshark exited $?"; exit 1; }
if diff -u "$expected" <(printf '%s\n' "$rows") >"$tmp/diff"; then
    echo "ok   rows match $expected ($(wc -l <"$expected") packets)"
else
    echo "FAIL rows differ from $expected:"; cat "$tmp/diff"; failed=1
fi

check "data events (ucx_edm.type == 0x0031)" "$(count 'ucx_edm.type == 0x0031')" "$(cut -f1 "$expected" | grep -cx 0x0031)"

# Direction: one value per packet from whichever ucx protocol decoded it, then the EPB flags.
dirs=$(ts -T fields -E occurrence=f -e ucx_edm.dir -e ucx_at.dir -e ucx_raw.dir -e frame.packet_flags_direction)
check "directions seen" "$(cut -f1-3 <<<"$dirs" | tr -d '\t' | sort -u | tr '\n' ' ')" "0 1 "
check "EPB flags match the direction (mismatches)" "$(awk -F'\t' '$4 != "" && $1$2$3 != "" && ($1$2$3 == 0) != ($4 == "0x00000002")' <<<"$dirs" | grep -c .)" 0

# pcapng comments are expert info too (group Comment), so plain `_ws.expert && ucx_edm` over-counts.
check "malformed ucx_edm frames" "$(count 'ucx_edm && _ws.expert.group == "Malformed"')" "$malformed"
# A copy in the personal plugins folder makes `-X lua_script:` fail to load ("two protocols with
# the same description") while tshark carries on with the copy: tshark's stderr must stay clean.
check "tshark/Lua messages on stderr" "$(grep -v 'Running as user' "$tmp/stderr" | awk '!seen[$0]++')" ""
check "Lua errors or exceptions" "$(count '_ws.lua.error || _ws.malformed.expert || _ws.malformed.dissector_bug')" 0
exit $failed
