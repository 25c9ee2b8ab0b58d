"""NumPy peer: seed 001's MLP written by hand (forward, backward, Adam).

Same math as the seed article (dense -> ReLU ..., softmax + categorical
cross-entropy or sigmoid + binary cross-entropy, gradients averaged over the
batch, Adam with bias correction), in float32. One deliberate difference: the
seed propagates the error through the layer's weights *after* updating them;
here the error is propagated with the pre-update weights (true backprop),
as PyTorch/JAX/Keras do. Threads: OPENBLAS_NUM_THREADS etc. are exported by
common.parse_args before numpy loads, and threadpoolctl limits them again.
"""
import os
import sys

# This file's folder must not shadow the real packages (numpy.py, jax.py,
# keras.py live here), so drop it from sys.path and load common.py by path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
import importlib.util  # noqa: E402
_spec = importlib.util.spec_from_file_location("bench_common", os.path.join(_HERE, "common.py"))
C = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(C)

args = C.parse_args("numpy")

import numpy as np  # noqa: E402

try:
    from threadpoolctl import threadpool_limits, threadpool_info
    _limiter = threadpool_limits(limits=args.threads)
    _blas = [(i.get("internal_api"), i.get("num_threads")) for i in threadpool_info()]
except ImportError:  # env vars alone still apply
    _blas = "threadpoolctl missing"

F32 = np.float32


class MLP:
    def __init__(self, sizes, rng, out="softmax"):
        self.W, self.b = [], []
        for a, b in zip(sizes[:-1], sizes[1:]):
            lim = C.glorot_limit(a, b)
            self.W.append(rng.uniform(-lim, lim, size=(a, b)).astype(F32))
            self.b.append(np.zeros((1, b), dtype=F32))
        self.out = out
        self.m = [np.zeros_like(p) for p in self.W + self.b]
        self.v = [np.zeros_like(p) for p in self.W + self.b]
        self.t = 0

    def forward(self, x, keep=False):
        acts = [x]
        h = x
        last = len(self.W) - 1
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            z = h @ W
            z += b
            if i < last:
                np.maximum(z, 0, out=z)
            h = z
            acts.append(h)
        if self.out == "softmax":
            h = h - h.max(axis=1, keepdims=True)
            np.exp(h, out=h)
            h /= h.sum(axis=1, keepdims=True)
        else:
            h = 1.0 / (1.0 + np.exp(-h))
        if keep:
            self.acts = acts
        return h

    def step(self, x, y_target, lr, b1=C.ADAM_BETAS[0], b2=C.ADAM_BETAS[1], eps=C.ADAM_EPS):
        """One Adam step. y_target: one-hot (softmax) or 0/1 column (sigmoid)."""
        p = self.forward(x, keep=True)
        n = x.shape[0]
        # softmax+CE and sigmoid+BCE share dL/dz = (p - y) / n
        delta = (p - y_target) * F32(1.0 / n)
        grads_W, grads_b = [None] * len(self.W), [None] * len(self.W)
        for i in range(len(self.W) - 1, -1, -1):
            grads_W[i] = self.acts[i].T @ delta
            grads_b[i] = delta.sum(axis=0, keepdims=True)
            if i > 0:
                delta = delta @ self.W[i].T
                delta *= (self.acts[i] > 0)
        self.t += 1
        c1 = 1.0 - b1 ** self.t
        c2 = 1.0 - b2 ** self.t
        step = F32(lr / c1)
        for k, (param, g) in enumerate(zip(self.W + self.b, grads_W + grads_b)):
            m, v = self.m[k], self.v[k]
            m *= F32(b1); m += F32(1 - b1) * g
            v *= F32(b2); v += F32(1 - b2) * (g * g)
            denom = np.sqrt(v * F32(1.0 / c2)); denom += F32(eps)
            param -= step * m / denom
        return p


def train(net, x, y_target, cfg, seed):
    perms = C.epoch_permutations(len(x), cfg["epochs"], seed)
    slices = C.batch_slices(len(x), cfg["batch"])
    t0 = C.now()
    for perm in perms:
        for s, e in slices:
            idx = perm[s:e]
            net.step(x[idx], y_target[idx], cfg["lr"])
    return C.now() - t0


rng = np.random.default_rng(args.seed)
extra = {"numpy": np.__version__, "blas": _blas}

if args.workload in (1, 2, 3):
    t_load = C.now()
    xtr, ytr, xte, yte = C.load_mnist(args.data_dir, args.limit)
    onehot = np.eye(10, dtype=F32)[ytr]
    extra["load_seconds"] = round(C.now() - t_load, 4)
    net = MLP(C.MNIST_LAYERS, rng, "softmax")
    if args.workload in (1, 2):
        secs = train(net, xtr, onehot, args.cfg, args.seed)
        acc = float((net.forward(xte).argmax(1) == yte).mean())
        extra["steps"] = args.cfg["epochs"] * len(C.batch_slices(len(xtr), args.cfg["batch"]))
        C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
    else:
        for _ in range(2):
            net.forward(xte)
        bt = []
        for _ in range(args.batch_reps):
            t0 = C.now(); out = net.forward(xte); bt.append(C.now() - t0)
        acc = float((out.argmax(1) == yte).mean())
        one = [np.ascontiguousarray(xte[i:i + 1]) for i in range(args.single_reps)]
        for i in range(50):
            net.forward(one[i])
        st = []
        for xi in one:
            t0 = C.now(); net.forward(xi).argmax(1); st.append(C.now() - t0)
        C.emit(args, seconds=None, test_accuracy=acc,
               batch_ms=round(C.median(bt) * 1e3, 4),
               single_us=round(C.median(st) * 1e6, 3),
               extra=dict(extra, batch_reps=args.batch_reps, single_reps=args.single_reps,
                          batch_min_ms=round(min(bt) * 1e3, 4),
                          single_min_us=round(min(st) * 1e6, 3),
                          weights="fresh Glorot init (accuracy is chance level)"))
else:
    xtr, ytr, xte, yte = C.load_titanic(args.titanic_csv, args.seed)
    net = MLP(C.TITANIC_LAYERS, rng, "sigmoid")
    secs = train(net, xtr, ytr, args.cfg, args.seed)
    acc = float(((net.forward(xte) > 0.5) == (yte > 0.5)).mean())
    extra["n_train"], extra["n_test"] = len(xtr), len(xte)
    C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
