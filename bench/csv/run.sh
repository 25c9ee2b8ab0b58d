#!/usr/bin/env bash
# CSV loading benchmark: builds perceptron-csv-bench (release), prepares a virtualenv with
# pandas and polars, then runs bench/csv/run.py (one core, /usr/bin/time -v for peak RSS).
#   bench/csv/run.sh [--rows N] [--reps N] [--core N] [--file CSV]
# Not part of the tests; CI never calls it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VENV="${CSV_BENCH_VENV:-$ROOT/.venv-csvbench}"
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c "import pandas" 2>/dev/null || "$VENV/bin/pip" install -q "$(grep '^pandas' bench/csv/requirements.txt)"
"$VENV/bin/python" -c "import polars" 2>/dev/null || "$VENV/bin/pip" install -q "$(grep '^polars' bench/csv/requirements.txt)" \
    || echo "[csv-bench] polars did not install; its rows are left out" >&2
command -v /usr/bin/time >/dev/null || { echo "[csv-bench] needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
swift build -c release --product perceptron-csv-bench >&2
exec "$VENV/bin/python" bench/csv/run.py "$@"
