"""Whole-process PyTorch peer for the command-line comparison.

One self-contained script, timed from outside as a whole process: imports,
reading MNIST from the .gz IDX files, training workload 1 (784-512-128-64-10,
ReLU, softmax + cross-entropy, Glorot-uniform, Adam lr 0.001, batch 1000,
10 epochs, shuffled each epoch), test accuracy. Prints one JSON line.

    python bench/peers/pytorch_cli.py [--threads T] [--data-dir DIR] [--epochs E]
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

# bench/peers/ holds numpy.py etc.; keep it from shadowing the real packages.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

t_start = time.perf_counter()
p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
p.add_argument("--data-dir", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(_HERE))), "shared", "data", "mnist"))
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--batch-size", type=int, default=1000)
p.add_argument("--lr", type=float, default=1e-3)
a = p.parse_args()
for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(v, str(a.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(1)


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n = struct.unpack(">II", raw[:8])
    if magic == 2051:
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784)
    return np.frombuffer(raw, np.uint8, offset=8)


d = a.data_dir
x_train = torch.from_numpy(idx(f"{d}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
y_train = torch.from_numpy(idx(f"{d}/train-labels-idx1-ubyte.gz").astype(np.int64))
x_test = torch.from_numpy(idx(f"{d}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
y_test = torch.from_numpy(idx(f"{d}/t10k-labels-idx1-ubyte.gz").astype(np.int64))

layers = []
sizes = [784, 512, 128, 64, 10]
for i in range(4):
    lin = nn.Linear(sizes[i], sizes[i + 1])
    nn.init.xavier_uniform_(lin.weight)
    nn.init.zeros_(lin.bias)
    layers += [lin, nn.ReLU()] if i < 3 else [lin]
model = nn.Sequential(*layers)
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
loss_fn = nn.CrossEntropyLoss()

t_train = time.perf_counter()
n = len(x_train)
for epoch in range(a.epochs):
    perm = torch.randperm(n)
    total = 0.0
    for s in range(0, n, a.batch_size):
        i = perm[s:s + a.batch_size]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_train[i]), y_train[i])
        loss.backward()
        opt.step()
        total += float(loss) * len(i)
train_s = time.perf_counter() - t_train

with torch.inference_mode():
    acc = float((model(x_test).argmax(1) == y_test).float().mean())
print(json.dumps({"impl": "pytorch_cli", "epochs": a.epochs, "final_epoch_loss": total / n,
                  "test_accuracy": acc, "train_seconds": round(train_s, 4),
                  "in_process_seconds": round(time.perf_counter() - t_start, 4),
                  "threads": a.threads}))
