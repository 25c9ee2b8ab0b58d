"""PyTorch peer: plain eager training loop (no torch.compile).

With BENCH_TORCH_AUTOCAST=bf16 (set by pytorch_bf16.py) the forward pass and loss run
under `torch.autocast("cpu", dtype=torch.bfloat16)`: PyTorch's CPU mixed precision
(bf16 matmuls, fp32 parameters, Adam state and gradients), reported as pytorch_bf16."""
import os
import sys

# This file's folder must not shadow the real packages (numpy.py, jax.py,
# keras.py live here), so drop it from sys.path and load common.py by path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
import importlib.util  # noqa: E402
_spec = importlib.util.spec_from_file_location("bench_common", os.path.join(_HERE, "common.py"))
C = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(C)  # sets thread env vars before torch loads

AUTOCAST_BF16 = os.environ.get("BENCH_TORCH_AUTOCAST") == "bf16"
args = C.parse_args("pytorch_bf16" if AUTOCAST_BF16 else "pytorch")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)
try:
    torch.set_num_interop_threads(args.threads)
except RuntimeError:
    pass
torch.manual_seed(args.seed)


def build(sizes, sigmoid_out=False):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(a, b)
        nn.init.xavier_uniform_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    # Output activation is folded into the loss (softmax+CE / sigmoid+BCE).
    return nn.Sequential(*layers)


def train(model, x, y, loss_fn, cfg, seed):
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    perms = [torch.from_numpy(p) for p in C.epoch_permutations(len(x), cfg["epochs"], seed)]
    slices = C.batch_slices(len(x), cfg["batch"])
    model.train()
    t0 = C.now()
    for perm in perms:
        for s, e in slices:
            idx = perm[s:e]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=AUTOCAST_BF16):
                loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
    return C.now() - t0, float(loss.detach())


extra = {"torch": torch.__version__, "num_threads": torch.get_num_threads(),
         "autocast": "bf16" if AUTOCAST_BF16 else None}

if args.workload in (1, 2, 3):
    t_load = C.now()
    xtr, ytr, xte, yte = C.load_mnist(args.data_dir, args.limit)
    xtr, ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)
    xte, yte = torch.from_numpy(xte), torch.from_numpy(yte)
    extra["load_seconds"] = round(C.now() - t_load, 4)
    model = build(C.MNIST_LAYERS)
    if args.workload in (1, 2):
        secs, last_loss = train(model, xtr, ytr, nn.CrossEntropyLoss(), args.cfg, args.seed)
        with torch.inference_mode():
            model.eval()
            acc = float((model(xte).argmax(1) == yte).float().mean())
        extra["final_batch_loss"] = last_loss
        extra["steps"] = args.cfg["epochs"] * len(C.batch_slices(len(xtr), args.cfg["batch"]))
        C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
    else:
        model.eval()
        with torch.inference_mode():
            for _ in range(2):
                model(xte)
            bt = []
            for _ in range(args.batch_reps):
                t0 = C.now(); out = model(xte); bt.append(C.now() - t0)
            acc = float((out.argmax(1) == yte).float().mean())
            one = [xte[i:i + 1].clone() for i in range(args.single_reps)]
            for i in range(50):
                model(one[i])
            st = []
            for xi in one:
                t0 = C.now(); model(xi).argmax(1); st.append(C.now() - t0)
        C.emit(args, seconds=None, test_accuracy=acc,
               batch_ms=round(C.median(bt) * 1e3, 4),
               single_us=round(C.median(st) * 1e6, 3),
               extra=dict(extra, batch_reps=args.batch_reps, single_reps=args.single_reps,
                          batch_min_ms=round(min(bt) * 1e3, 4),
                          single_min_us=round(min(st) * 1e6, 3),
                          weights="fresh Glorot init (accuracy is chance level)"))
else:
    xtr, ytr, xte, yte = C.load_titanic(args.titanic_csv, args.seed)
    xtr, ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)
    xte, yte = torch.from_numpy(xte), torch.from_numpy(yte)
    model = build(C.TITANIC_LAYERS)
    secs, last_loss = train(model, xtr, ytr, nn.BCEWithLogitsLoss(), args.cfg, args.seed)
    with torch.inference_mode():
        acc = float(((model(xte) > 0).float() == yte).float().mean())
    extra["final_batch_loss"] = last_loss
    extra["n_train"], extra["n_test"] = len(xtr), len(xte)
    C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
