#!/usr/bin/env bash
# Accuracy, file size and inference time against sparsity for pruned MNIST models (issue 11).
#
#   bench/prune/run.sh [--stage all|prepare|time] [--data-dir ../shared/data/mnist]
#                      [--scratch-path .build] [--work .build/bench/prune] [--epochs 5] [--fine-tune 2] [--reps 7]
#                      [--threads 1] [--sparsities 0.5,0.8,0.9,0.95]
#
# prepare: PerceptronPruneBenchmark (release) trains the dense 784-256-128-10 model and prunes
#   it at each sparsity (global one-shot; global with --fine-tune epochs at Zhu & Gupta's
#   schedule, masks held; the same then neuron removal; unit-wise structured pruning then
#   --fine-tune epochs), and trains the dense file --fine-tune epochs more (the controlled
#   dense row), with the library calls `perceptron
#   prune` makes; then measures accuracy, widths, sparsity and sizes, which do not depend on
#   the machine's load: bench/results/pruning-mnist.jsonl and .md without timings, and the
#   accuracy-against-sparsity curve bench/results/pruning-mnist.svg (PerceptronPruneBenchmark plot).
# time: the same measurement with the 10,000-image inference timed (interleaved rounds,
#   medians, ratio to the dense model) and `uptime` before and after; the same files again.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=.build; STAGE=all; DATA=../shared/data/mnist; WORK=.build/bench/prune; EPOCHS=5; FINE_TUNE=2; REPS=7; THREADS=1
SPARSITIES=0.5,0.8,0.9,0.95
while [ $# -gt 0 ]; do
    case "$1" in
        --stage) STAGE=$2; shift 2 ;;
        --data-dir) DATA=$2; shift 2 ;;
        --scratch-path) SCRATCH=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --epochs) EPOCHS=$2; shift 2 ;;
        --fine-tune) FINE_TUNE=$2; shift 2 ;;
        --reps) REPS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --sparsities) SPARSITIES=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -f "$DATA/train-images-idx3-ubyte.gz" ] || [ -f "$DATA/train-images-idx3-ubyte" ] \
    || { echo "prune bench: skipped: no MNIST under $DATA"; exit 0; }
mkdir -p "$WORK" bench/results
[ "$STAGE" = time ] || swift build -c release --scratch-path "$SCRATCH" --product PerceptronPruneBenchmark >/dev/null
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/PerceptronPruneBenchmark"

if [ "$STAGE" != time ]; then
    echo "{\"epochs\": $EPOCHS, \"fine_tune\": $FINE_TUNE, \"sparsities\": \"$SPARSITIES\"}" > "$WORK/settings.json"
    nice -n 19 "$BIN" prepare --data-dir "$DATA" --out "$WORK" --epochs "$EPOCHS" --fine-tune "$FINE_TUNE" \
        --sparsities "$SPARSITIES" --threads "$THREADS" 2> "$WORK/prepare.log"
    nice -n 19 "$BIN" measure --data-dir "$DATA" --out "$WORK" --reps 0 --threads "$THREADS" > "$WORK/accuracy.jsonl"
    RESULTS="$WORK/accuracy.jsonl"; UPTIME_BEFORE=""; UPTIME_AFTER=""
fi
if [ "$STAGE" != prepare ]; then
    UPTIME_BEFORE=$(uptime)
    "$BIN" measure --data-dir "$DATA" --out "$WORK" --reps "$REPS" --threads "$THREADS" > "$WORK/timed.jsonl"
    UPTIME_AFTER=$(uptime)
    RESULTS="$WORK/timed.jsonl"
fi
while read -r m; do printf '%s %s\n' "$m" "$(gzip -9 -c "$WORK/$m" | wc -c)"; done < "$WORK/models.txt" > "$WORK/gzip.txt"
python3 bench/prune/render.py "$RESULTS" "$WORK/gzip.txt" "$WORK/settings.json" bench/results/pruning-mnist \
    --threads "$THREADS" --cpu "$(python3 bench/tools/cpu_name.py)" --cpus "$(nproc)" \
    --uptime-before "$UPTIME_BEFORE" --uptime-after "$UPTIME_AFTER"
"$BIN" plot --results bench/results/pruning-mnist.jsonl --output bench/results/pruning-mnist.svg
