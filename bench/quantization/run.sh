#!/usr/bin/env bash
# Int8 quantization benchmark (issue 11): Perceptron's float model, its int8 forms (dynamic and
# calibrated) and PyTorch's quantize_dynamic of the same float weights, in one run.
#
#   bench/quantization/run.sh [--stage all|prepare|time] [--data-dir ../shared/data/mnist]
#                             [--scratch-path .build] [--work .build/bench/quantization] [--threads 1] [--reps 5]
#                             [--epochs 5] [--python PATH]
#
# prepare: builds PerceptronQuantizationBenchmark (release), trains and quantizes (MNIST and
#   Titanic), then PyTorch evaluates the same weights, float and quantize_dynamic: accuracies
#   and file sizes, which do not depend on the machine's load.
# time: alternating processes, --reps rounds: ours (float, int8, int8-static interleaved
#   inside), then PyTorch (float, int8 interleaved inside): 10,000 test images in one batch
#   and one image at a time.
# Writes bench/results/quantization.json (every record, uptime before and after the timing,
# the CPU) and bench/results/quantization.md (the table). PyTorch comes from .venv-quant
# (created with `pip install torch numpy` when missing) or --python; without it the PyTorch
# rows are skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=.build; STAGE=all; DATA=../shared/data/mnist; WORK=.build/bench/quantization; THREADS=1; REPS=5; EPOCHS=5; PY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --stage) STAGE=$2; shift 2 ;;
        --data-dir) DATA=$2; shift 2 ;;
        --scratch-path) SCRATCH=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --reps) REPS=$2; shift 2 ;;
        --epochs) EPOCHS=$2; shift 2 ;;
        --python) PY=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -d "$DATA" ] || { echo "quantization bench: skipped: no MNIST folder at $DATA"; exit 0; }
if [ -z "$PY" ]; then
    PY=.venv-quant/bin/python
    if ! "$PY" -c "import torch, numpy" 2>/dev/null; then
        { python3 -m venv .venv-quant && .venv-quant/bin/pip install --quiet torch numpy; } \
            || { echo "quantization bench: PyTorch not installed; its rows are skipped"; PY=""; }
    fi
fi
mkdir -p "$WORK" bench/results
[ "$STAGE" = time ] || swift build -c release --scratch-path "$SCRATCH" --product PerceptronQuantizationBenchmark >/dev/null
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/PerceptronQuantizationBenchmark"
CPU="$(python3 bench/tools/cpu_name.py)"

if [ "$STAGE" != time ]; then
    echo "{\"cpu\": \"$CPU\", \"cpus\": $(nproc), \"threads\": $THREADS}" > "$WORK/prepare.jsonl"
    nice -n 19 "$BIN" prepare --data-dir "$DATA" --out "$WORK" --epochs "$EPOCHS" --threads "$THREADS" >> "$WORK/prepare.jsonl"
    if [ -n "$PY" ]; then
        nice -n 19 "$PY" bench/quantization/pytorch_int8.py prepare "$DATA" "$WORK" --threads "$THREADS" >> "$WORK/prepare.jsonl"
    fi
    rm -f "$WORK/time.jsonl"
fi
if [ "$STAGE" != prepare ]; then
    echo "{\"uptime_before\": \"$(uptime)\"}" > "$WORK/time.jsonl"
    for _ in $(seq "$REPS"); do
        "$BIN" time --data-dir "$DATA" --out "$WORK" --threads "$THREADS" --reps 1 >> "$WORK/time.jsonl"
        if [ -n "$PY" ]; then
            "$PY" bench/quantization/pytorch_int8.py time "$DATA" "$WORK" --threads "$THREADS" --reps 1 >> "$WORK/time.jsonl"
        fi
    done
    echo "{\"uptime_after\": \"$(uptime)\"}" >> "$WORK/time.jsonl"
fi
cat "$WORK/prepare.jsonl" $( [ -f "$WORK/time.jsonl" ] && echo "$WORK/time.jsonl" ) > "$WORK/raw.jsonl"
python3 bench/quantization/render.py "$WORK/raw.jsonl" bench/results/quantization.json bench/results/quantization.md
