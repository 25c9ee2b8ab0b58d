#!/usr/bin/env bash
# Issue 14's measurement: time per epoch and the communication share of data-parallel
# training, Perceptron over Open MPI against PyTorch DistributedDataParallel (gloo), on the
# same workload in the same run: MNIST 784-512-128-64-10 (ReLU, softmax cross-entropy),
# SGD lr 0.1, global batch 1000, 60,000 training rows.
#
#   bench/mpi/run.sh [--epochs 5] [--repeats 2] [--mnist DIR] [--ddp-steps N] [--out NAME]
#                    [--skip-build]
#
#   --epochs    epochs per run (a run's time per epoch is its training time / epochs)
#   --repeats   times the whole sequence is run, one after the other (the table gives each
#               run's mean and range)
#   --ddp-steps time only N batches of each PyTorch epoch and scale (smoke tests)
#   --out       bench/results/NAME.jsonl and NAME.md (default mpi-CPU, e.g. mpi-amd-epyc-zen4)
#   --skip-build  use .build-mpi/release/perceptron (or MPI_BENCH_BINARY) as it is
#
# Each repeat runs, in this order: perceptron alone; mpirun -np 1; mpirun -np 2 (shared
# memory); the same with PERCEPTRON_DP_OVERLAP=0 (every bucket summed after the backward
# pass); mpirun -np 2 across two network namespaces (TCP over a veth pair, shared memory
# off: .ci/mpi-netns); then PyTorch DDP (bench/mpi/ddp.py) with 1 process, 2 processes over
# loopback and 2 processes across two namespaces (gloo over a veth pair). With 2 ranks every
# rank gets 1 thread (2 vCPU here), a single process 2. The namespaced runs need root and
# iproute2 (skipped with a message otherwise); the PyTorch runs need the CPU wheel of
# bench/mpi/requirements.txt, installed into .venv-mpi-bench (or MPI_BENCH_PYTHON=python
# that imports torch and numpy): skipped with a message when it cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS=5 REPEATS=2 STEPS=0 MNIST=../shared/data/mnist NAME="mpi-$(python3 bench/tools/cpu_name.py --slug)" BUILD=1
while [ $# -gt 0 ]; do
    case $1 in
        --epochs) EPOCHS=$2; shift 2;;
        --repeats) REPEATS=$2; shift 2;;
        --ddp-steps) STEPS=$2; shift 2;;
        --mnist) MNIST=$2; shift 2;;
        --out) NAME=$2; shift 2;;
        --skip-build) BUILD=0; shift;;
        *) echo "unknown option $1 (see the header of $0)"; exit 2;;
    esac
done
if ! command -v mpirun >/dev/null || ! pkg-config --exists ompi-c 2>/dev/null; then
    echo "skipped: Open MPI is not installed (apt-get install libopenmpi-dev openmpi-bin)"; exit 0
fi
[ -f "$MNIST/train-images-idx3-ubyte.gz" ] || [ -f "$MNIST/train-images-idx3-ubyte" ] || {
    echo "skipped: no MNIST IDX files in $MNIST (--mnist DIR)"; exit 0; }

BIN=${MPI_BENCH_BINARY:-$PWD/.build-mpi/release/perceptron}
if [ "$BUILD" = 1 ]; then
    echo "building: swift build -c release --traits MPI --scratch-path .build-mpi --product perceptron"
    swift build -c release --traits MPI --scratch-path .build-mpi --product perceptron >/dev/null
fi
[ -x "$BIN" ] || { echo "no $BIN (build it, or drop --skip-build)"; exit 1; }

# The PyTorch peer: its own venv from the pinned CPU wheel, rebuilt when the pins change.
PY=${MPI_BENCH_PYTHON:-}
if [ -z "$PY" ]; then
    VENV=.venv-mpi-bench STAMP=.venv-mpi-bench/requirements.txt
    if ! cmp -s bench/mpi/requirements.txt "$STAMP"; then
        echo "installing the PyTorch peer into $VENV (bench/mpi/requirements.txt)"
        rm -rf "$VENV"
        if python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r bench/mpi/requirements.txt; then
            cp bench/mpi/requirements.txt "$STAMP"
        else
            echo "the PyTorch peer could not be installed (is the CPU wheel torch==2.13.0+cpu reachable by pip?)"
        fi
    fi
    [ -f "$STAMP" ] && PY=$VENV/bin/python
fi
if [ -n "$PY" ] && ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
    echo "$PY cannot import torch and numpy"; PY=""
fi
[ -n "$PY" ] || echo "skipped: PyTorch DDP (no Python with torch and numpy); measuring Perceptron alone"

RAW=bench/results/$NAME.jsonl
mkdir -p bench/results
: > "$RAW"
W=$(mktemp -d)
NAMESPACES=()
cleanup() {
    for ns in "${NAMESPACES[@]+"${NAMESPACES[@]}"}"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT

export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN=(mpirun --oversubscribe --bind-to none); [ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
WORKLOAD=(--dataset mnist --data-dir "$MNIST" --layers 512,128,64 --activation relu --lr 0.1
          --batch-size 1000 --epochs "$EPOCHS")
TRAIN=("${WORKLOAD[@]}" --optimizer sgd --json)

record() {  # label, transport, threads per rank, json file of `perceptron train --json`
    python3 - "$@" >> "$RAW" <<'PY'
import json, sys
label, transport, threads, path = sys.argv[1:5]
d = json.load(open(path))
dist = d.get("distributed", {})
print(json.dumps({"run": label, "peer": "perceptron", "transport": transport, "ranks": dist.get("ranks", 1),
                  "threads_per_rank": int(threads), "epochs": d["epochs"],
                  "seconds_per_epoch": round(d["seconds"] / d["epochs"], 4),
                  "communication_share": round(dist.get("communication_share", 0.0), 4),
                  "exposed_communication_share": round(dist.get("exposed_communication_seconds", 0.0) / d["seconds"], 4),
                  "overlaps_backward": dist.get("overlaps_backward"), "ranks_agree": dist.get("ranks_agree"),
                  "final_loss": round(d["history"]["loss"][-1], 4)}))
PY
    tail -1 "$RAW"
}

run_train() {  # output file, command…: a run of `perceptron train`, its messages shown when it fails
    local out=$1; shift
    "$@" > "$out" 2> "$out.err" || { echo "failed: $*"; tail -20 "$out.err"; exit 1; }
}

ddp() {  # label, transport, world, [ddp.py options]
    local label=$1 transport=$2 world=$3; shift 3
    "$PY" bench/mpi/ddp.py --mnist "$MNIST" --epochs "$EPOCHS" --steps "$STEPS" --world "$world" \
        --run "$label" --transport "$transport" "$@"
}

# PyTorch's two ranks in two namespaces joined by a veth pair (as .ci/mpi-netns does for MPI).
ddp_two_namespaces() {
    local a=ddp-a-$$ b=ddp-b-$$
    command -v ip >/dev/null && ip netns add "$a" 2>/dev/null || {
        echo "skipped: PyTorch DDP across namespaces (ip netns add needs root and iproute2)"; return 0; }
    NAMESPACES+=("$a" "$b")
    ip netns add "$b"
    ip link add "da$$" type veth peer name "db$$"
    ip link set "da$$" netns "$a"; ip link set "db$$" netns "$b"
    ip -n "$a" link set "da$$" name ddp0; ip -n "$b" link set "db$$" name ddp0
    ip -n "$a" addr add 10.215.0.1/24 dev ddp0; ip -n "$b" addr add 10.215.0.2/24 dev ddp0
    for ns in "$a" "$b"; do ip -n "$ns" link set lo up; ip -n "$ns" link set ddp0 up; done
    local run=(env GLOO_SOCKET_IFNAME=ddp0 "$PY" bench/mpi/ddp.py --mnist "$MNIST" --epochs "$EPOCHS" --steps "$STEPS"
               --world 2 --master 10.215.0.1 --port 29613 --run "PyTorch DDP, 2 processes, two namespaces"
               --transport "TCP (gloo) over veth")
    ip netns exec "$b" "${run[@]}" --rank 1 > /dev/null &
    local other=$!
    ip netns exec "$a" "${run[@]}" --rank 0 >> "$RAW"
    wait "$other"
    ip netns del "$a"; ip netns del "$b"
    tail -1 "$RAW"
}

echo "# bench/mpi/run.sh --epochs $EPOCHS --repeats $REPEATS; load before: $(uptime | sed 's/.*load average/load average/')"
for repeat in $(seq 1 "$REPEATS"); do
    echo "== repeat $repeat of $REPEATS"
    run_train "$W/p1.json" "$BIN" train "${TRAIN[@]}"
    record "Perceptron, 1 process" "none" "$(nproc)" "$W/p1.json"
    run_train "$W/m1.json" "${MPIRUN[@]}" -np 1 "$BIN" train "${TRAIN[@]}"
    record "Perceptron, mpirun -np 1" "none" "$(nproc)" "$W/m1.json"
    run_train "$W/m2.json" "${MPIRUN[@]}" -np 2 "$BIN" train "${TRAIN[@]}"
    record "Perceptron, mpirun -np 2" "shared memory (vader)" 1 "$W/m2.json"
    run_train "$W/m2-no-overlap.json" env PERCEPTRON_DP_OVERLAP=0 "${MPIRUN[@]}" -np 2 "$BIN" train "${TRAIN[@]}"
    record "Perceptron, mpirun -np 2, PERCEPTRON_DP_OVERLAP=0" "shared memory (vader)" 1 "$W/m2-no-overlap.json"
    # Its weight comparison may report a ReLU kink (docs/distributed.md); the timing stands.
    rm -f "$W/netns-2.json"
    MPI_NETNS_ARGS="${WORKLOAD[*]} --threads 1" .ci/mpi-netns "$BIN" "$W" > "$W/netns.log" 2>&1 || true
    if [ -s "$W/netns-2.json" ]; then
        record "Perceptron, mpirun -np 2, two namespaces" "TCP over veth (btl tcp, no shared memory)" 1 "$W/netns-2.json"
    else
        grep -m1 "skipped" "$W/netns.log" || { echo "the two-namespace run failed:"; tail -20 "$W/netns.log"; }
    fi
    if [ -n "$PY" ]; then
        GLOO_SOCKET_IFNAME=lo ddp "PyTorch DDP, 1 process" "none" 1 --rank 0 --port 29611 >> "$RAW"; tail -1 "$RAW"
        GLOO_SOCKET_IFNAME=lo ddp "PyTorch DDP, 2 processes" "TCP (gloo) over loopback" 2 --rank 1 --port 29612 > /dev/null &
        GLOO_SOCKET_IFNAME=lo ddp "PyTorch DDP, 2 processes" "TCP (gloo) over loopback" 2 --rank 0 --port 29612 >> "$RAW"
        wait; tail -1 "$RAW"
        ddp_two_namespaces
    fi
done
echo "# load after: $(uptime | sed 's/.*load average/load average/')"

python3 bench/mpi/table.py "$RAW" \
    --header "\`bench/mpi/run.sh --epochs $EPOCHS --repeats $REPEATS\`, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)" \
    --cpu "$(python3 bench/tools/cpu_name.py), $(nproc) vCPU" \
    --versions "perceptron built $(date -u -r "$BIN" +%FT%TZ), Open MPI $(mpirun --version 2>&1 | head -1 | awk '{print $NF}'), $(swift --version 2>&1 | head -1 | sed 's/ (.*//')${PY:+, torch $("$PY" -c 'import torch; print(torch.__version__)')}" \
    > "bench/results/$NAME.md"
cat "bench/results/$NAME.md"
