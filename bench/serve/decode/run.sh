#!/usr/bin/env bash
# Request-decoding micro-benchmark: the serve JSON sources of BASE (default: the commit before
# the fast number path) against the working tree's, compiled with swiftc -O, run interleaved.
#   bench/serve/decode/run.sh [BASE] [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
BASE="${1:-d3da110}"
ROUNDS="${2:-3}"
# The JSON sources moved to PerceptronServeRequests after BASE (which has them in PerceptronServe).
BASE_SRC=Sources/PerceptronServe
SRC=Sources/PerceptronServeRequests
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/before" "$WORK/after"
for f in JSONParser.swift JSONValue.swift; do git -C "$ROOT" show "$BASE:$BASE_SRC/$f" > "$WORK/before/$f"; done
cp "$ROOT/$SRC"/{JSONParser,JSONValue,JSONNumber,FeatureRowsDecoder}.swift "$WORK/after/"
swiftc -O -module-name DecodeBench "$WORK/before"/*.swift "$ROOT/bench/serve/decode/main.swift" -o "$WORK/before/bench"
swiftc -O -D FAST_ROWS -module-name DecodeBench "$WORK/after"/*.swift "$ROOT/bench/serve/decode/main.swift" -o "$WORK/after/bench"
echo "load: $(uptime)"
for round in $(seq "$ROUNDS"); do
    for variant in before after; do
        "$WORK/$variant/bench" | sed "s/^/$variant round $round\t/"
    done
done
