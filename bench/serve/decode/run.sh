#!/usr/bin/env bash
# Request-decoding micro-benchmark: the serve JSON sources of BASE (default: the commit before
# the fast number path) against the working tree's, compiled with swiftc -O -wmo (as SwiftPM's release builds), run interleaved.
# Prints per body the median and minimum thread-CPU µs of 7 repetitions (on a loaded machine
# read the before/after ratio of interleaved rounds).
#   bench/serve/decode/run.sh [BASE] [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
BASE="${1:-d3da110}"
ROUNDS="${2:-3}"
# The JSON sources moved to PerceptronServeRequests in 9e87152 (before: PerceptronServe). A BASE
# with the feature-row decoder (b4349d0 on) is timed on its fast path too; an older one on the
# general path.
SRC=Sources/PerceptronServeRequests
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/before" "$WORK/after"
BASE_SRC=Sources/PerceptronServe
git -C "$ROOT" cat-file -e "$BASE:$SRC/JSONParser.swift" 2>/dev/null && BASE_SRC=$SRC
BASE_FLAGS=()
if git -C "$ROOT" cat-file -e "$BASE:$BASE_SRC/FeatureRowsDecoder.swift" 2>/dev/null; then
    BASE_FILES=(JSONParser JSONValue JSONNumber FeatureRowsDecoder); BASE_FLAGS=(-D FAST_ROWS)
else
    BASE_FILES=(JSONParser JSONValue)
fi
for f in "${BASE_FILES[@]}"; do git -C "$ROOT" show "$BASE:$BASE_SRC/$f.swift" > "$WORK/before/$f.swift"; done
cp "$ROOT/$SRC"/{JSONParser,JSONValue,JSONNumber,FeatureRowsDecoder}.swift "$WORK/after/"
# The number conversion they share with the CSV reader (PerceptronData, 9185ea6 on; absent before, so a BASE before it compiles without them), compiled
# into the same one module.
NUMBERS=Sources/PerceptronData/Numbers
for variant in before after; do
    rev="$BASE"; [[ $variant == after ]] && rev=""
    for f in DecimalToDouble PowersOfFive; do
        if [[ -z $rev ]]; then cp "$ROOT/$NUMBERS/$f.swift" "$WORK/$variant/" 2>/dev/null || true
        else git -C "$ROOT" show "$rev:$NUMBERS/$f.swift" > "$WORK/$variant/$f.swift" 2>/dev/null || rm -f "$WORK/$variant/$f.swift"; fi
    done
    sed -i '/^import PerceptronData$/d' "$WORK/$variant"/*.swift
done
# From the scratch folder: swiftc leaves its partial module files in the current one.
cd "$WORK"
swiftc -O -wmo ${BASE_FLAGS[@]+"${BASE_FLAGS[@]}"} -module-name DecodeBench -package-name DecodeBench "$WORK/before"/*.swift "$ROOT/bench/serve/decode/main.swift" -o "$WORK/before/bench"
swiftc -O -wmo -D FAST_ROWS -module-name DecodeBench -package-name DecodeBench "$WORK/after"/*.swift "$ROOT/bench/serve/decode/main.swift" -o "$WORK/after/bench"
# The load test's real bodies, where run.py has written them.
REAL=()
for f in mnist1 mnist32 mnist32py; do
    [[ -f $ROOT/bench/results/raw/serve/$f.jsonl ]] && REAL+=("$ROOT/bench/results/raw/serve/$f.jsonl")
done
echo "load: $(uptime)"
for round in $(seq "$ROUNDS"); do
    for variant in before after; do
        "$WORK/$variant/bench" "${REAL[@]+"${REAL[@]}"}" | sed "s/^/$variant round $round\t/"
    done
done
