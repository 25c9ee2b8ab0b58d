#!/usr/bin/env bash
# Serving load test entry point: builds the shipped binary, prepares .venv-serve, runs run.py.
#   bench/serve/run.sh [--quick] [run.py options: --duration S --connections 1,16,64
#                      --servers ours,flask,fastapi --workloads titanic,mnist1,mnist32
#                      --soak S | --no-soak | --soak-only --out NAME]
# --quick: 5 s per point, 1 s warm-up, a 30 s soak (a trial, not a result).
# The data (Titanic CSV, MNIST IDX) comes from ../shared/data beside the repository, or
# $SERVE_DATA_DIR. Not part of the test command; CI never calls it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VENV="${SERVE_VENV:-$ROOT/.venv-serve}"
REQ="$ROOT/bench/serve/requirements.txt"
DATA="${SERVE_DATA_DIR:-$(dirname "$ROOT")/shared/data}"

args=()
for a in "$@"; do
    case "$a" in
        --quick) args+=(--duration 5 --warmup 1 --soak 30) ;;
        --no-soak) args+=(--soak 0) ;;
        *) args+=("$a") ;;
    esac
done

# A fresh machine's package lists may be empty: on a failed install, update them and retry.
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } \
    || { echo "bench/serve: wrk is not installed and apt-get could not install it" >&2; exit 1; }
[[ -f "$DATA/titanic/train.csv" && -d "$DATA/mnist" ]] \
    || { echo "bench/serve: no data at $DATA (titanic/train.csv, mnist/); set SERVE_DATA_DIR" >&2; exit 1; }

# The static link needs libcurl's development files (Foundation's URLSession links libcurl,
# as scripts/ship-debian.sh says): a fresh machine has only libcurl4.
if ! ldconfig -p | grep -q 'libcurl\.so '; then
    apt-get install -y -qq libcurl4-openssl-dev >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libcurl4-openssl-dev >/dev/null 2>&1; } \
        || { echo "bench/serve: libcurl4-openssl-dev is not installed and apt-get could not install it (the static build needs it)" >&2; exit 1; }
fi
# The binary that scripts/ship-debian.sh ships: release, Swift runtime linked statically. Its
# own scratch folder (as ship-debian.sh's): in .build, a static and a plain release build
# would rebuild everything each time the other one ran.
swift build -c release --static-swift-stdlib --scratch-path "$ROOT/.build-static" --product perceptron >&2
BIN="$(swift build -c release --static-swift-stdlib --scratch-path "$ROOT/.build-static" --show-bin-path)/perceptron"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
if [[ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$want" ]]; then
    echo "[serve-bench] installing $REQ into $VENV" >&2
    "$VENV/bin/pip" install -q -r "$REQ" >&2
    echo "$want" > "$VENV/.requirements.sha256"
fi
exec "$VENV/bin/python" "$ROOT/bench/serve/run.py" --binary "$BIN" --data-dir "$DATA" \
    --command "bench/serve/run.sh $*" "${args[@]}"
