#!/usr/bin/env python3
"""PyTorch DistributedDataParallel (gloo) on the workload `perceptron train` runs in bench/mpi/run.sh:
MNIST 784-512-128-64-10 (ReLU, softmax cross-entropy), SGD lr 0.1, global batch 1000 (each of
the N ranks takes 1000/N rows of every batch, the same shuffled order), standardized pixels.

    python ddp.py --mnist DIR --epochs 2 [--rank R --world N --master ADDR --port P]

Rank 0 prints one JSON line: seconds per epoch (the mean over the epochs, the first one's
start-up included, as `perceptron train` reports it), and the communication share estimated
as 1 - t(no_sync)/t(sync): every epoch is run once with DDP's allreduce and then once
inside `no_sync()` (gradients not reduced, each rank steps on its own), alternating, so both
see the same machine. --steps N times N batches per epoch and scales (for a smoke test).
"""
import argparse, gzip, json, os, struct, time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    raise SystemExit(f"no {stem} in {directory}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mnist", required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--rank", type=int, default=int(os.environ.get("RANK", 0)))
    p.add_argument("--world", type=int, default=int(os.environ.get("WORLD_SIZE", 1)))
    p.add_argument("--master", default="127.0.0.1")
    p.add_argument("--port", default="29511")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--steps", type=int, default=0, help="time only this many batches per epoch and scale to the epoch")
    p.add_argument("--run", default="", help="a label for the JSON line")
    p.add_argument("--transport", default="TCP (gloo) over loopback")
    a = p.parse_args()
    torch.set_num_threads(a.threads or max(1, (os.cpu_count() or 1) // a.world))
    os.environ.setdefault("MASTER_ADDR", a.master)
    os.environ.setdefault("MASTER_PORT", a.port)
    dist.init_process_group("gloo", rank=a.rank, world_size=a.world)

    x = idx(find(a.mnist, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32)
    y = idx(find(a.mnist, "train-labels-idx1-ubyte")).astype(np.int64)
    x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    torch.manual_seed(42)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 128), nn.ReLU(),
                          nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    ddp = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    n = x.shape[0]
    per = a.batch // a.world

    losses = []

    def epoch(seed, sync):
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        dist.barrier()
        start = time.perf_counter()
        starts = list(range(0, n, a.batch))
        for b in starts[:a.steps or len(starts)]:
            rows = order[b:b + a.batch][a.rank * per:(a.rank + 1) * per]
            opt.zero_grad(set_to_none=True)
            if sync:
                loss = loss_fn(ddp(x[rows]), y[rows])
                loss.backward()
            else:
                with ddp.no_sync():
                    loss = loss_fn(ddp(x[rows]), y[rows])
                    loss.backward()
            opt.step()
        if sync:
            losses.append(loss.item())
        dist.barrier()
        return (time.perf_counter() - start) * len(starts) / len(starts[:a.steps or len(starts)])

    synced, unsynced = [], []
    for e in range(a.epochs):
        synced.append(epoch(e + 1, True))
        unsynced.append(epoch(e + 1, False))
    if a.rank == 0:
        ts, tn = sum(synced) / len(synced), sum(unsynced) / len(unsynced)
        print(json.dumps({"run": a.run or f"PyTorch DDP (gloo), {a.world} process(es)", "peer": "pytorch-ddp-gloo",
                          "torch": torch.__version__, "transport": a.transport, "ranks": a.world,
                          "threads_per_rank": torch.get_num_threads(), "epochs": a.epochs,
                          "seconds_per_epoch": round(ts, 4), "seconds_per_epoch_without_allreduce": round(tn, 4),
                          "communication_share": round(max(0.0, 1 - tn / ts), 4),
                          "last_batch_loss_rank0": round(losses[-1], 4)}), flush=True)
    dist.destroy_process_group()


main()
