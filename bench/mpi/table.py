#!/usr/bin/env python3
"""bench/mpi/run.sh's table: one row per run (the mean over the repeats, with their range),
Perceptron's runs against PyTorch DDP's in the same configuration.

    python3 table.py RAW.jsonl --header TEXT --cpu TEXT --versions TEXT > RAW.md

Columns: seconds per epoch (training time / epochs, the first epoch's start-up included);
"× 1 process": the run's time per epoch over the same framework's single process (2 ranks
on 2 vCPU do the same arithmetic on 1 thread each, so 1.0 means no communication cost);
the communication share (Perceptron: seconds inside DataParallel's pack, sum and unpack,
waiting for the other rank included, over the training time; PyTorch: 1 − t(no_sync)/t(sync)
from alternating epochs); Perceptron's part of it after the backward pass ("exposed");
"Perceptron ÷ PyTorch": the time per epoch over PyTorch's in the matching configuration.
"""
import argparse
import json
from collections import OrderedDict

# Perceptron's run → PyTorch's run in the same configuration.
PEERS = {
    "Perceptron, 1 process": "PyTorch DDP, 1 process",
    "Perceptron, mpirun -np 1": "PyTorch DDP, 1 process",
    "Perceptron, mpirun -np 2": "PyTorch DDP, 2 processes",
    "Perceptron, mpirun -np 2, PERCEPTRON_DP_OVERLAP=0": "PyTorch DDP, 2 processes",
    "Perceptron, mpirun -np 2, two namespaces": "PyTorch DDP, 2 processes, two namespaces",
}
SINGLE = {"perceptron": "Perceptron, 1 process", "pytorch-ddp-gloo": "PyTorch DDP, 1 process"}


def mean(values):
    return sum(values) / len(values)


def spread(values, digits=3):
    text = f"{mean(values):.{digits}f}"
    if len(values) > 1 and max(values) - min(values) > 0:
        text += f" ({min(values):.{digits}f}–{max(values):.{digits}f})"
    return text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("raw")
    p.add_argument("--header", default="")
    p.add_argument("--cpu", default="")
    p.add_argument("--versions", default="")
    a = p.parse_args()
    runs = OrderedDict()
    for line in open(a.raw):
        if line.strip():
            r = json.loads(line)
            runs.setdefault(r["run"], []).append(r)
    epoch = {name: mean([r["seconds_per_epoch"] for r in rs]) for name, rs in runs.items()}

    print(f"# Data-parallel training: Perceptron over Open MPI vs PyTorch DDP (gloo)\n")
    print(f"{a.header}; CPU: {a.cpu}; {a.versions}.\n")
    print("MNIST 784-512-128-64-10 (ReLU, softmax cross-entropy), SGD lr 0.1, global batch 1000 "
          "(each of N ranks trains 1000/N rows of it), 60,000 rows per epoch; 2 ranks get 1 thread each.\n")
    print("| run | transport | ranks × threads | s / epoch | × 1 process | communication share | after backward | Perceptron ÷ PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rs in runs.items():
        r0 = rs[0]
        single = epoch.get(SINGLE.get(r0["peer"], ""))
        scale = f"{epoch[name] / single:.2f}" if single else ""
        # One PyTorch process has nothing to reduce: its no_sync difference is noise.
        share = ("" if r0["peer"] != "perceptron" and r0["ranks"] == 1
                 else spread([100 * r["communication_share"] for r in rs], 1) + " %")
        exposed = (spread([100 * r["exposed_communication_share"] for r in rs], 1) + " %"
                   if "exposed_communication_share" in r0 and r0["ranks"] > 1 else "")
        peer = PEERS.get(name)
        ratio = f"**{epoch[name] / epoch[peer]:.2f}**" if peer in epoch else ""
        print(f"| {name} | {r0['transport']} | {r0['ranks']} × {r0['threads_per_rank']} | "
              f"{spread([r['seconds_per_epoch'] for r in rs])} | {scale} | {share} | {exposed} | {ratio} |")
    print(f"\n{len(next(iter(runs.values())))} repeat(s): the mean, and the range in parentheses. "
          "Raw lines: the .jsonl file beside this one.")


main()
