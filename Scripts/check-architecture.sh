#!/usr/bin/env bash
# Checks that docs/architecture.md's table of layers is Package.swift's: every target of the
# package is a row, each row names exactly its target's dependencies, every dependency sits in
# a row above (layers depend only downwards), and no source file imports one of the package's
# modules that its target does not depend on (directly or below). `make test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package describe --type json | python3 -c '
import json, re, sys
package = json.load(sys.stdin)
targets = {t["name"]: t for t in package["targets"] if t["type"] != "test"}
rows = []
for line in open("docs/architecture.md"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
    if len(cells) >= 3 and re.fullmatch(r"`[\w-]+`", cells[1]):
        rows.append((cells[1].strip("`"), re.findall(r"`([\w-]+)`", cells[2])))
problems = []
order = [name for name, _ in rows]
for name, deps in rows:
    if name not in targets:
        problems.append(f"docs/architecture.md lists {name}, which Package.swift does not have")
        continue
    actual = targets[name].get("target_dependencies", [])
    if sorted(actual) != sorted(deps):
        problems.append(f"{name}: Package.swift depends on {sorted(actual)}, docs/architecture.md says {sorted(deps)}")
    for dep in actual:
        if dep in order and order.index(dep) > order.index(name):
            problems.append(f"{name} depends on {dep}, which is listed above it: an upward dependency")
for name in targets:
    if name not in order and targets[name]["type"] != "plugin":
        problems.append(f"{name} is a target of Package.swift but not a row of docs/architecture.md")
def below(name, seen=None):
    seen = set() if seen is None else seen
    for dep in targets.get(name, {}).get("target_dependencies", []):
        if dep not in seen:
            seen.add(dep)
            below(dep, seen)
    return seen
import os
for name, target in targets.items():
    allowed = below(name) | {name}
    for root, _, files in os.walk(target["path"]):
        for f in sorted(files):
            if not f.endswith(".swift"):
                continue
            path = os.path.join(root, f)
            for n, line in enumerate(open(path), 1):
                m = re.match(r"\s*(?:@_exported\s+|@testable\s+)?import\s+(\w+)", line)
                if m and m.group(1) in targets and m.group(1) not in allowed:
                    problems.append(f"{path}:{n}: imports {m.group(1)}, which {name} does not depend on")
if problems:
    print("check-architecture: docs/architecture.md and Package.swift disagree:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"check-architecture: {len(rows)} targets in layers, as docs/architecture.md draws them")
'
