#!/usr/bin/env bash
# Installs the dissector (ucx_edm.lua) and the live-capture interface (ucx-edm, an extcap
# wrapper that runs `edm-decode extcap`) into the user's personal Wireshark folders.
#
#   wireshark/install-wireshark.sh EDM_DECODE
#
# EDM_DECODE  the edm-decode binary the wrapper runs (its absolute path is written into it)
#
# The folders come from `tshark -G folders`: "Personal Lua Plugins", and "Personal Extcap
# path" where this Wireshark reports one (4.2 and later), else "Personal configuration"/extcap,
# where Wireshark 3.x and 4.0 look. Environment: TSHARK (default tshark).
set -euo pipefail
[ $# -eq 1 ] || { sed -n '5,7p' "$0" >&2; exit 2; }
[ -x "$1" ] || { echo "install-wireshark: $1 is not an executable edm-decode" >&2; exit 1; }
bin=$(realpath "$1")
folders=$("${TSHARK:-tshark}" -G folders 2>/dev/null) || { echo "install-wireshark: tshark -G folders failed: is tshark installed?" >&2; exit 1; }
field() { sed -n "s/^$1:[[:space:]]*//p" <<<"$folders" | head -1; }
lua=$(field "Personal Lua Plugins")
extcap=$(field "Personal Extcap path")
[ -n "$extcap" ] || { conf=$(field "Personal configuration"); [ -n "$conf" ] && extcap="$conf/extcap"; }
[ -n "$lua" ] && [ -n "$extcap" ] || { echo "install-wireshark: tshark -G folders names no personal folders" >&2; exit 1; }
here=$(dirname "$0")
install -d "$lua" "$extcap"
install -m 644 "$here/ucx_edm.lua" "$lua/ucx_edm.lua"
echo "Installed $lua/ucx_edm.lua"
wrapper="$extcap/ucx-edm-extcap"
printf '#!/bin/sh\n# The ucx-edm capture interface: edm-decode extcap --help says what it does.\nexec %q extcap "$@"\n' "$bin" >"$wrapper.tmp"
chmod 755 "$wrapper.tmp" && mv "$wrapper.tmp" "$wrapper"
echo "Installed $wrapper (runs $bin extcap; tshark -D lists ucx-edm)"
