#!/usr/bin/env bash
# Checks the layout rules of docs/architecture.md ("Files and lines") on Sources/: no Swift
# file over 300 lines, no line over 120 columns. Tests are exempt: their data (reference log
# lines, AT command URLs) reads better unbroken. `make test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(find Sources -name '*.swift' | sort)
long_files=$(wc -l $files | awk '$2 != "total" && $1 > 300 { print $2 ": " $1 " lines" }')
long_lines=$(awk 'length > 120 { print FILENAME ":" FNR ": " length " columns" }' $files)
if [ -n "$long_files$long_lines" ]; then
    echo "check-layout: over the limits of docs/architecture.md (300 lines a file, 120 columns a line):" >&2
    [ -z "$long_files" ] || echo "$long_files" >&2
    [ -z "$long_lines" ] || echo "$long_lines" >&2
    exit 1
fi
echo "check-layout: $(echo "$files" | wc -l) files in Sources, none over 300 lines, no line over 120 columns"
