#!/usr/bin/env bash
# What `edm-replay serve` adds to the recorded latencies, through a real pty: azure-dps (the
# recording's own configuration, so that every answer but the model's own is played from the
# recording) provisions against serve of CAPTURE at --speed 1 and records its session; the time
# from the host's last unit to each module unit in that recording, minus the same in CAPTURE,
# is what serving (and the pty, and azure-dps's read) added. Only units after requests serve
# reports as played count. Prints the median and p99 over RUNS runs (target: both under 1 ms).
#
#   Benchmarks/serve-latency.sh [CAPTURE] [RUNS]     (default captures/scenarios/assigned-fast.pcapng, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
capture=${1:-captures/scenarios/assigned-fast.pcapng}
runs=${2:-3}
swift build -c release --product edm-replay >/dev/null
swift build -c release --product azure-dps >/dev/null
swift build -c release --product edm-decode >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The simulator's test credentials, as the scenario recordings used them.
python3 - "$work" <<'PY'
import re, sys
src = open("Sources/azure-dps/SimulatorCredentials.swift").read()
blocks = src.split('"""')[1::2]
for name, block in zip(["ca.pem", "cert.pem", "key.pem"], blocks):
    lines = [l.strip() for l in block.splitlines() if l.strip()]
    open(f"{sys.argv[1]}/{name}", "w").write("\n".join(lines) + "\n")
PY
"$bin/edm-decode" "$capture" --format json > "$work/recorded.jsonl"
for i in $(seq "$runs"); do
  "$bin/edm-replay" serve "$capture" --link "$work/module" --speed 1 --duration 120 2> "$work/serve-$i.txt" &
  server=$!
  for _ in $(seq 100); do [ -e "$work/module" ] && break; sleep 0.05; done
  AZURE_DPS_WIFI_PASSPHRASE="simulator passphrase" "$bin/azure-dps" --port "$work/module" --id-scope 0ne00SIMUL8 \
    --ssid simulated-lab --ca "$work/ca.pem" --cert "$work/cert.pem" --key "$work/key.pem" --no-flow-control \
    --record "$work/served-$i.pcapng" --overwrite --json >/dev/null 2>&1 || true
  kill -INT "$server"; wait "$server" || true
  "$bin/edm-decode" "$work/served-$i.pcapng" --format json > "$work/served-$i.jsonl"
done
python3 - "$work" "$runs" <<'PY'
import json, sys
work, runs = sys.argv[1], int(sys.argv[2])
def replies(path):
    # Each module unit with the time since the host's last unit before it: what the module
    # took to answer, whatever the host did earlier (its own pauses are not serve's).
    units = [u for u in (json.loads(l) for l in open(path)) if "index" in u]
    out, last = [], None
    for u in units:
        if u["from"] == "host":
            last = u
            continue
        if last is None or u["type"] in ("echo", "noise", "garbage"):
            continue
        request = ("EDM " if last["layer"] == "edm" else "") + last.get("text", last["type"])
        out.append((request, u["type"] + ":" + u.get("text", ""), u["time"] - last["time"]))
    return out
recorded = replies(f"{work}/recorded.jsonl")
extra = []
for i in range(1, runs + 1):
    played = set()
    for line in open(f"{work}/serve-{i}.txt"):
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1] == "played":
            text = parts[2].strip()
            # Uploads and DPS publishes are reported by what they are; the host unit is its type.
            played.add("payload" if text.startswith("credential bytes") else "EDM data_command" if text.startswith("DPS ") else text)
    pool = list(recorded)
    for request, kind, latency in replies(f"{work}/served-{i}.jsonl"):
        if request not in played:
            continue
        for j, (r, k, l) in enumerate(pool):
            if r == request and k == kind:
                extra.append(((latency - l) * 1000, request, kind))
                del pool[j]
                break
# A unit that came after another host unit in one session than in the other (a URC that
# overtook a request) pairs with the wrong start: counted apart, not in the figures.
mispaired = [e for e in extra if abs(e[0]) > 100]
extra = sorted(e for e in extra if abs(e[0]) <= 100)
print(f"left out as mispaired (more than 100 ms apart): {len(mispaired)}")
worst = extra[-3:]
extra = [e[0] for e in extra]
if not extra:
    sys.exit("no played replies to compare")
def pct(p): return extra[min(len(extra) - 1, int(round(p / 100 * (len(extra) - 1))))]
print(f"replies compared: {len(extra)} over {runs} run(s)")
print(f"added to the recorded latency: median {pct(50):.3f} ms, p99 {pct(99):.3f} ms, min {extra[0]:.3f} ms, max {extra[-1]:.3f} ms (target: median and p99 < 1 ms)")
print("largest: " + "; ".join(f"{e:.3f} ms ({k} to {r[:40]})" for e, r, k in reversed(worst)))
PY
