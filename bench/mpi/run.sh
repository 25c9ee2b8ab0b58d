#!/usr/bin/env bash
# Issue 14's measurement: time per epoch and the communication share of data-parallel
# training, Perceptron over Open MPI against PyTorch DistributedDataParallel (gloo), on the
# same workload in the same run: MNIST 784-512-128-64-10 (ReLU, softmax cross-entropy),
# SGD lr 0.1, global batch 1000, standardized pixels.
#
#   bench/mpi/run.sh [--epochs 2] [--ddp-steps N] [--mnist DIR]   (N: time N batches per DDP epoch, scaled)     (needs Open MPI, root for the namespaces)
#
# Runs, one after the other: perceptron alone; mpirun -np 1; mpirun -np 2 (shared memory);
# mpirun -np 2 across two network namespaces (TCP over a veth pair, .ci/mpi-netns);
# PyTorch DDP with 1 and 2 processes (gloo over loopback). Writes bench/results/mpi.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS=2 STEPS=0 MNIST=../shared/data/mnist
while [ $# -gt 0 ]; do case $1 in --epochs) EPOCHS=$2; shift 2;; --ddp-steps) STEPS=$2; shift 2;; --mnist) MNIST=$2; shift 2;; *) echo "unknown $1"; exit 2;; esac; done
swift build -c release --traits MPI --scratch-path .build-mpi --product perceptron >/dev/null
BIN=$PWD/.build-mpi/release/perceptron
if [ ! -x .venv-mpi/bin/python ]; then python3 -m venv .venv-mpi && .venv-mpi/bin/pip install -q torch numpy; fi
OUT=bench/results/mpi.txt
mkdir -p bench/results
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN=(mpirun --oversubscribe --bind-to none); [ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
ARGS=(train --dataset mnist --data-dir "$MNIST" --layers 512,128,64 --activation relu --optimizer sgd --lr 0.1
      --batch-size 1000 --epochs "$EPOCHS" --json)
summarize() {  # label, json file
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[2]))
dist = d.get("distributed", {})
print(json.dumps({"run": sys.argv[1], "seconds_per_epoch": round(d["seconds"] / d["epochs"], 3),
                  "communication_share": round(dist.get("communication_share", 0.0), 3),
                  "exposed_communication_share": round(dist.get("exposed_communication_seconds", 0.0) / d["seconds"], 3),
                  "ranks_agree": dist.get("ranks_agree"), "final_loss": d["history"]["loss"][-1]}))
PY
}
{
    echo "# bench/mpi/run.sh --epochs $EPOCHS, $(date -u +%FT%TZ)"
    echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) vCPU; load before: $(uptime | sed 's/.*load average/load average/')"
    W=$(mktemp -d)
    "$BIN" "${ARGS[@]}" > "$W/p1.json" 2>/dev/null; summarize "perceptron, 1 process" "$W/p1.json"
    "${MPIRUN[@]}" -np 1 "$BIN" "${ARGS[@]}" > "$W/m1.json" 2>/dev/null; summarize "perceptron, mpirun -np 1" "$W/m1.json"
    "${MPIRUN[@]}" -np 2 "$BIN" "${ARGS[@]}" > "$W/m2.json" 2>/dev/null; summarize "perceptron, mpirun -np 2 (shared memory)" "$W/m2.json"
    # (its weight comparison may report a ReLU kink, docs/distributed.md; the timing stands)
    MPI_NETNS_ARGS="${ARGS[*]:1}" .ci/mpi-netns "$BIN" "$W" > "$W/netns.log" 2>&1 || true
    [ -f "$W/netns-2.json" ] || { cat "$W/netns.log" >&2; exit 1; }
    summarize "perceptron, mpirun -np 2 (TCP over veth, two namespaces)" "$W/netns-2.json"
    GLOO_SOCKET_IFNAME=lo .venv-mpi/bin/python bench/mpi/ddp.py --mnist "$MNIST" --epochs "$EPOCHS" --steps "$STEPS" --world 1 --rank 0 --port 29611
    GLOO_SOCKET_IFNAME=lo .venv-mpi/bin/python bench/mpi/ddp.py --mnist "$MNIST" --epochs "$EPOCHS" --steps "$STEPS" --world 2 --rank 1 --port 29612 > /dev/null &
    GLOO_SOCKET_IFNAME=lo .venv-mpi/bin/python bench/mpi/ddp.py --mnist "$MNIST" --epochs "$EPOCHS" --steps "$STEPS" --world 2 --rank 0 --port 29612
    wait
    echo "# load after: $(uptime | sed 's/.*load average/load average/')"
    rm -rf "$W"
} | tee "$OUT"
