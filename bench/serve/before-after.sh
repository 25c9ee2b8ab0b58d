#!/usr/bin/env bash
# Two builds of `perceptron serve` on the same loads, interleaved: requests/s, p99 and the server's CPU time per request of the
# load test's bodies (run bench/serve/run.sh once first: it trains the models and writes the
# bodies into bench/results/raw/serve/).
#   bench/serve/before-after.sh BEFORE_BINARY AFTER_BINARY [SECONDS=10] [ROUNDS=2] [CONNECTIONS=64] [WORKLOADS="titanic mnist1 mnist32"]
# (mnist32py, the 32 images as Python's json.dumps writes floats, is written by run.py too.)
# Server pinned to CPU 0, wrk (1 thread) to CPU 1, as run.py does. The order alternates per
# round (ABBA: before, after, after, before, ...) so that a load that drifts over the run, or a
# first-run warm-up, does not always favour the same build; use an even ROUNDS. The last lines
# are the medians over the rounds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$ROOT/bench/results/raw/serve"
BEFORE="$1"; AFTER="$2"; SECONDS_PER_POINT="${3:-10}"; ROUNDS="${4:-2}"; CONNECTIONS="${5:-64}"
WORKLOADS="${6:-titanic mnist1 mnist32}"
for f in titanic.safetensors mnist.safetensors $(for w in $WORKLOADS; do echo "$w.jsonl"; done); do
    [[ -f "$WORK/$f" ]] || { echo "no $WORK/$f: run bench/serve/run.sh first" >&2; exit 1; }
done
# The server's CPU time (user + system, all threads, clock ticks): CPU per request holds up
# better than requests/s on a machine that other work shares.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
echo "load: $(uptime)"
results="$(mktemp)"
for round in $(seq "$ROUNDS"); do
    order="before after"; (( round % 2 == 0 )) && order="after before"
    for variant in $order; do
        binary="$BEFORE"; [[ $variant == after ]] && binary="$AFTER"
        log="$(mktemp)"
        taskset -c 0 "$binary" serve --port 0 --model "titanic=$WORK/titanic.safetensors" \
            --model "mnist=$WORK/mnist.safetensors" > "$log" 2>/dev/null &
        pid=$!
        for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
        url="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)"
        for workload in $WORKLOADS; do
            model=titanic; [[ $workload == mnist* ]] && model=mnist
            target="$url/v1/models/$model:predict"
            taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d1s -s "$ROOT/bench/serve/post.lua" "$target" -- "$WORK/$workload.jsonl" > /dev/null
            cpu_before="$(cpu_ticks "$pid")"
            line="$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_POINT}s" --latency --timeout 10s \
                -s "$ROOT/bench/serve/post.lua" "$target" -- "$WORK/$workload.jsonl" | sed -n 's/^WRKJSON //p')"
            cpu_after="$(cpu_ticks "$pid")"
            python3 -c 'import json, sys; r = json.loads(sys.argv[1]); cpu = (int(sys.argv[6]) - int(sys.argv[5])) / float(sys.argv[7]) * 1e6 / max(r["requests"], 1); print("round %s\t%s\t%s\t%.0f req/s\tp99 %.2f ms\tCPU %.0f us/req\tnon-2xx %d" % (sys.argv[2], sys.argv[3], sys.argv[4], r["rps"], r["p99_us"] / 1000, cpu, r["non2xx"]))' \
                "$line" "$round" "$variant" "$workload" "$cpu_before" "$cpu_after" "$(getconf CLK_TCK)" | tee -a "$results"
        done
        kill -TERM "$pid"; wait "$pid" || true
        rm -f "$log"
    done
done
echo "load: $(uptime)"
# Medians per build and workload over the rounds.
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    key = (f[2], f[1])
    rows.setdefault(key, []).append((float(f[3].split()[0]), float(f[4].split()[1]), float(f[5].split()[1])))
for workload in sorted({w for w, _ in rows}):
    for variant in ("before", "after"):
        v = rows.get((workload, variant), [])
        if v:
            print("median\t%s\t%s\t%.0f req/s\tp99 %.2f ms\tCPU %.0f us/req\t(%d rounds)" % (variant, workload,
                statistics.median(x[0] for x in v), statistics.median(x[1] for x in v), statistics.median(x[2] for x in v), len(v)))
PY
rm -f "$results"
