#!/usr/bin/env bash
# Benchmark runner entry point: prepares the virtualenv, then runs bench/run.py.
#   bench/run.sh [--reps N] [--workloads 1,2,3,4] [--threads 1,2] [--peers ...]
#                [--no-cli] [--update-benchmarks] [--scratch-path .build-bench] ...
# Not part of the test command; CI never calls it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${BENCH_VENV:-$ROOT/.venv-bench}"
REQ="$ROOT/bench/requirements.txt"
PY="${BENCH_PYTHON:-python3}"
STAMP="$VENV/.requirements.sha256"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "[bench] creating virtualenv $VENV" >&2
    "$PY" -m venv "$VENV"
fi
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$want" ]]; then
    echo "[bench] installing $REQ into $VENV" >&2
    "$VENV/bin/pip" install -q --upgrade pip >&2 || true
    if ! "$VENV/bin/pip" install -q -r "$REQ" >&2; then
        # One peer failing to install must not stop the others: install line by
        # line; run.py skips any peer whose framework does not import.
        echo "[bench] full install failed; installing requirement by requirement" >&2
        grep -vE '^\s*(#|$)' "$REQ" | sed 's/\s*#.*$//' | while read -r req; do
            "$VENV/bin/pip" install -q "$req" >&2 \
                || echo "[bench] WARNING: could not install $req; peers needing it will be skipped" >&2
        done
    fi
    echo "$want" > "$STAMP"
fi
export BENCH_ARGV0="bench/run.sh"
exec "$VENV/bin/python" "$ROOT/bench/run.py" "$@"
