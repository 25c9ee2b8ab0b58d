"""Shared helpers for the peer benchmark scripts.

Every peer script prints exactly one JSON line on the real stdout. Anything a
framework prints on stdout while it runs is sent to stderr instead (see
`claim_stdout`), so the runner can always parse the last line.

Import this module BEFORE the framework: `parse_args()` exports the thread
environment variables (OMP/OpenBLAS/MKL/TF/XLA) that frameworks only read at
import time.
"""

import argparse
import csv
import gzip
import json
import os
import resource
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# ../shared beside the repository (bench/peers/ -> repository root -> ..).
_SHARED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared")
DEFAULT_MNIST = os.path.join(_SHARED, "data", "mnist")
DEFAULT_TITANIC = os.path.join(_SHARED, "data", "titanic", "train.csv")

# Workload settings (seed 001's network).
MNIST_LAYERS = [784, 512, 128, 64, 10]
TITANIC_LAYERS = [7, 15, 1]
SETTINGS = {
    1: dict(batch=1000, epochs=10, lr=1e-3),
    2: dict(batch=32, epochs=1, lr=1e-3),
    4: dict(batch=100, epochs=1000, lr=0.02),
}
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8  # PyTorch default

_real_stdout_fd = None


def claim_stdout():
    """Keep the real stdout for the one JSON line; route fd 1 to stderr."""
    global _real_stdout_fd
    if _real_stdout_fd is None:
        sys.stdout.flush()
        _real_stdout_fd = os.dup(1)
        os.dup2(2, 1)


def export_thread_env(threads):
    t = str(threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ.setdefault(var, t)
    if threads == 1:
        os.environ.setdefault(
            "XLA_FLAGS",
            "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def parse_args(impl, argv=None):
    p = argparse.ArgumentParser(description=f"{impl} peer benchmark")
    p.add_argument("--workload", type=int, required=True, choices=[1, 2, 3, 4])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-dir", default=DEFAULT_MNIST)
    p.add_argument("--titanic-csv", default=DEFAULT_TITANIC)
    p.add_argument("--seed", type=int, default=1)
    # Debug / smoke-test knobs (defaults = the real workload).
    p.add_argument("--epochs", type=int, default=None,
                   help="override the workload's epoch count (debug)")
    p.add_argument("--limit", type=int, default=None,
                   help="use only the first N training images (debug)")
    p.add_argument("--single-reps", type=int, default=1000,
                   help="workload 3: one-image predictions to time")
    p.add_argument("--batch-reps", type=int, default=7,
                   help="workload 3: full-test-set predictions to time")
    args = p.parse_args(argv)
    claim_stdout()
    export_thread_env(args.threads)
    args.impl = impl
    if args.workload in SETTINGS:
        s = dict(SETTINGS[args.workload])
        if args.epochs is not None:
            s["epochs"] = args.epochs
        args.cfg = s
    else:
        args.cfg = {}
    return args


# ---------------------------------------------------------------- data

def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">II", raw[:8])
    import numpy as np
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    if magic == 2049:
        return np.frombuffer(raw, dtype=np.uint8, offset=8)
    raise ValueError(f"{path}: bad IDX magic {magic}")


def load_mnist(data_dir=DEFAULT_MNIST, limit=None):
    """Returns float32 x in [0,1] (n,784) and int64 labels, train and test."""
    import numpy as np
    j = os.path.join
    xtr = _read_idx(j(data_dir, "train-images-idx3-ubyte.gz"))
    ytr = _read_idx(j(data_dir, "train-labels-idx1-ubyte.gz"))
    xte = _read_idx(j(data_dir, "t10k-images-idx3-ubyte.gz"))
    yte = _read_idx(j(data_dir, "t10k-labels-idx1-ubyte.gz"))
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    f = lambda x: (x.astype(np.float32) / np.float32(255.0))
    return f(xtr), ytr.astype(np.int64), f(xte), yte.astype(np.int64)


def load_titanic(path=DEFAULT_TITANIC, seed=1):
    """Seed 001's 7 Titanic features, standardized, seeded 80/20 split.

    Features: Pclass, Sex (male 0 / female 1), Age (missing -> median of all
    rows), SibSp, Parch, Fare, Embarked (S 0 / C 1 / Q 2, missing -> mode).
    Split: numpy default_rng(seed).permutation(891); first 80% (712) train,
    rest (179) test. Standardized with the train split's mean and population
    std. Returns float32 x_train, y_train (n,1), x_test, y_test.
    """
    import numpy as np
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    ages = sorted(float(r["Age"]) for r in rows if r["Age"] != "")
    n = len(ages)
    median_age = ages[n // 2] if n % 2 else 0.5 * (ages[n // 2 - 1] + ages[n // 2])
    emb_codes = {"S": 0.0, "C": 1.0, "Q": 2.0}
    counts = {}
    for r in rows:
        if r["Embarked"]:
            counts[r["Embarked"]] = counts.get(r["Embarked"], 0) + 1
    mode_emb = max(counts, key=counts.get)
    x, y = [], []
    for r in rows:
        x.append([
            float(r["Pclass"]),
            1.0 if r["Sex"] == "female" else 0.0,
            float(r["Age"]) if r["Age"] != "" else median_age,
            float(r["SibSp"]),
            float(r["Parch"]),
            float(r["Fare"]),
            emb_codes[r["Embarked"] or mode_emb],
        ])
        y.append(float(r["Survived"]))
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float32).reshape(-1, 1)
    perm = np.random.default_rng(seed).permutation(len(x))
    n_train = int(round(0.8 * len(x)))
    tr, te = perm[:n_train], perm[n_train:]
    mu = x[tr].mean(axis=0)
    sd = x[tr].std(axis=0)
    sd[sd == 0] = 1.0
    xs = ((x - mu) / sd).astype(np.float32)
    return xs[tr], y[tr], xs[te], y[te]


def epoch_permutations(n, epochs, seed):
    """The per-epoch shuffles, drawn with numpy so every peer sees the same order."""
    import numpy as np
    rng = np.random.default_rng(seed + 1000)
    return [rng.permutation(n) for _ in range(epochs)]


def batch_slices(n, batch):
    return [(s, min(s + batch, n)) for s in range(0, n, batch)]


# ---------------------------------------------------------------- timing / output

def now():
    return time.perf_counter()


def median(xs):
    s = sorted(xs)
    k = len(s)
    return s[k // 2] if k % 2 else 0.5 * (s[k // 2 - 1] + s[k // 2])


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def emit(args, seconds=None, test_accuracy=None, **kw):
    extra = kw.pop("extra", {})
    extra.setdefault("cpu_affinity", sorted(os.sched_getaffinity(0)))
    if args.epochs is not None:
        extra["debug_epochs"] = args.epochs
    if args.limit is not None:
        extra["debug_limit"] = args.limit
    rec = {
        "impl": args.impl,
        "workload": args.workload,
        "threads": args.threads,
        "seconds": seconds,
        "test_accuracy": test_accuracy,
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    rec.update(kw)
    rec["extra"] = extra
    line = json.dumps(rec) + "\n"
    fd = _real_stdout_fd if _real_stdout_fd is not None else 1
    sys.stdout.flush()
    os.write(fd, line.encode())


def glorot_limit(fan_in, fan_out):
    return (6.0 / (fan_in + fan_out)) ** 0.5
