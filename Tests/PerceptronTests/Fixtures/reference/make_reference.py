#!/usr/bin/env python3
"""Generate reference.json: forward/backward and optimizer-step references for Perceptron.

Every number is computed in float64 with PyTorch autograd and torch.optim, in the Swift
library's layout (row-major, batch-first, y = x·W + b with W of shape (in, out)).
The script then re-derives everything independently in numpy (finite-difference
gradients, hand-written optimizer updates) and asserts agreement before writing.

Run by hand from the repository root (see README.md):
    .venv-ref/bin/python Tests/PerceptronTests/Fixtures/reference/make_reference.py
"""

import datetime
import json
import math
import os
import platform
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240611
BATCH = 6
INPUTS = 4
HIDDEN = 5
HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT_PATH = os.path.join(HERE, "reference.json")
COMMAND = ".venv-ref/bin/python Tests/PerceptronTests/Fixtures/reference/make_reference.py"

torch.set_default_dtype(torch.float64)


# --------------------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------------------

def matrix(a):
    """A 2-D array as {"rows", "columns", "data"} with row-major float data."""
    a = np.asarray(a, dtype=np.float64)
    assert a.ndim == 2, a.shape
    return {"rows": int(a.shape[0]), "columns": int(a.shape[1]),
            "data": [float(v) for v in a.reshape(-1)]}


def unmatrix(m):
    return np.array(m["data"], dtype=np.float64).reshape(m["rows"], m["columns"])


# --------------------------------------------------------------------------------------
# torch definitions (the reference)
# --------------------------------------------------------------------------------------

def torch_activation(name, z):
    if name == "linear":
        return z
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return F.relu(z)
    if name == "leakyReLU":
        return F.leaky_relu(z, negative_slope=0.01)
    if name == "elu":
        return F.elu(z, alpha=1.0)
    if name == "gelu":
        return F.gelu(z, approximate="none")
    if name == "softplus":
        return F.softplus(z, beta=1.0)
    if name == "softmax":
        return torch.softmax(z, dim=1)
    raise ValueError(name)


def torch_loss(name, out, y):
    n = out.shape[0]
    if name == "meanSquaredError":
        return F.mse_loss(out, y, reduction="mean")
    if name == "meanAbsoluteError":
        return F.l1_loss(out, y, reduction="mean")
    if name == "huber":
        return F.huber_loss(out, y, reduction="mean", delta=1.0)
    if name == "binaryCrossEntropy":
        return F.binary_cross_entropy(out, y, reduction="mean")
    if name == "binaryCrossEntropyFromLogits":
        return F.binary_cross_entropy_with_logits(out, y, reduction="mean")
    if name == "categoricalCrossEntropy":
        return -(y * torch.log(out)).sum() / n
    if name == "sparseCategoricalCrossEntropy":
        idx = y[:, 0].long()
        return F.nll_loss(torch.log(out), idx, reduction="mean")
    raise ValueError(name)


def torch_total_loss(layers, params, x, y, loss):
    """params: list of (W, b) torch tensors. Returns (total loss, network output)."""
    a = x
    for spec, (w, b) in zip(layers, params):
        a = torch_activation(spec["activation"], a @ w + b)
    total = torch_loss(loss, a, y)
    for spec, (w, _) in zip(layers, params):
        if spec["l1"]:
            total = total + spec["l1"] * w.abs().sum()
        if spec["l2"]:
            total = total + spec["l2"] * (w * w).sum()
    return total, a


# --------------------------------------------------------------------------------------
# numpy definitions (independent check)
# --------------------------------------------------------------------------------------

_erf = np.vectorize(math.erf)


def np_activation(name, z):
    if name == "linear":
        return z
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leakyReLU":
        return np.where(z > 0, z, 0.01 * z)
    if name == "elu":
        return np.where(z > 0, z, np.expm1(z))
    if name == "gelu":
        return 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0)))
    if name == "softplus":
        return np.log1p(np.exp(z))
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def np_loss(name, out, y):
    n = out.shape[0]
    if name == "meanSquaredError":
        return np.mean((out - y) ** 2)
    if name == "meanAbsoluteError":
        return np.mean(np.abs(out - y))
    if name == "huber":
        r = np.abs(out - y)
        return np.mean(np.where(r < 1.0, 0.5 * r * r, r - 0.5))
    if name == "binaryCrossEntropy":
        return -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
    if name == "binaryCrossEntropyFromLogits":
        # log(1 + e^-z) for y=1, log(1 + e^z) for y=0
        return np.mean(np.log1p(np.exp(-np.abs(out))) + np.maximum(out, 0) - y * out)
    if name == "categoricalCrossEntropy":
        return -np.sum(y * np.log(out)) / n
    if name == "sparseCategoricalCrossEntropy":
        idx = y[:, 0].astype(int)
        return -np.mean(np.log(out[np.arange(n), idx]))
    raise ValueError(name)


def np_total_loss(layers, params, x, y, loss):
    a = x
    for spec, (w, b) in zip(layers, params):
        a = np_activation(spec["activation"], a @ w + b)
    total = np_loss(loss, a, y)
    for spec, (w, _) in zip(layers, params):
        total += spec["l1"] * np.abs(w).sum() + spec["l2"] * (w * w).sum()
    return total, a


def np_fd_gradients(layers, params, x, y, loss, h=1e-6):
    """Central finite differences of the total loss w.r.t. every parameter."""
    grads = []
    for li in range(len(params)):
        pair = []
        for pi in range(2):
            p = params[li][pi]
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + h
                fp, _ = np_total_loss(layers, params, x, y, loss)
                p[idx] = old - h
                fm, _ = np_total_loss(layers, params, x, y, loss)
                p[idx] = old
                g[idx] = (fp - fm) / (2 * h)
            pair.append(g)
        grads.append(tuple(pair))
    return grads


def assert_close(name, got, want, rtol=1e-6, atol=1e-8):
    got = np.asarray(got)
    want = np.asarray(want)
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        err = np.max(np.abs(got - want))
        raise AssertionError(f"{name}: max abs diff {err:g}\n got={got}\nwant={want}")


# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------

HIDDEN_ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leakyReLU", "elu", "gelu",
                      "softplus", "softmax"]

# (hidden activation, output activation, loss, outputs k, (l1, l2) layer 1, (l1, l2) layer 2)
CASE_SPECS = (
    [(act, "linear", "meanSquaredError", 3, (0.0, 0.0), (0.0, 0.0)) for act in HIDDEN_ACTIVATIONS]
    + [
        ("tanh", "linear", "meanAbsoluteError", 3, (0.0, 0.0), (0.0, 0.0)),
        ("sigmoid", "linear", "huber", 3, (0.0, 0.0), (0.0, 0.0)),
        ("tanh", "sigmoid", "binaryCrossEntropy", 2, (0.0, 0.0), (0.0, 0.0)),
        ("elu", "linear", "binaryCrossEntropyFromLogits", 2, (0.0, 0.0), (0.0, 0.0)),
        ("tanh", "softmax", "categoricalCrossEntropy", 3, (0.0, 0.0), (0.0, 0.0)),
        ("relu", "softmax", "sparseCategoricalCrossEntropy", 3, (0.0, 0.0), (0.0, 0.0)),
        # regularized: different l1/l2 per layer so a layer mix-up shows
        ("tanh", "linear", "meanSquaredError", 3, (0.01, 0.02), (0.03, 0.005)),
        ("gelu", "softmax", "categoricalCrossEntropy", 3, (0.02, 0.01), (0.005, 0.03)),
    ]
)

OPTIMIZER_CASE = "tanh_softmax_categoricalCrossEntropy"


def case_name(hidden, out_act, loss, reg1, reg2):
    name = f"{hidden}_{out_act}_{loss}"
    if any(reg1) or any(reg2):
        name += "_l1l2"
    return name


def make_targets(rng, loss, out_act, k, n=BATCH):
    if loss in ("meanSquaredError", "meanAbsoluteError"):
        return rng.normal(size=(n, k))
    if loss == "huber":
        # residuals of both branches (|r| < 1 and |r| > 1)
        return rng.normal(size=(n, k)) * 1.5
    if loss in ("binaryCrossEntropy", "binaryCrossEntropyFromLogits"):
        return rng.integers(0, 2, size=(n, k)).astype(np.float64)
    if loss == "categoricalCrossEntropy":
        return np.eye(k)[rng.integers(0, k, size=n)]
    if loss == "sparseCategoricalCrossEntropy":
        return rng.integers(0, k, size=(n, 1)).astype(np.float64)
    raise ValueError(loss)


MARGIN = 1e-2


def margins_ok(layers, params, x, y, loss):
    """Keep kinks (relu, leaky relu, |w| for l1, |r| for MAE, huber's switch) at least
    MARGIN away from the evaluation point, so that finite differences and a float32
    re-computation take the same branch. Also require both huber branches."""
    a = x
    for spec, (w, b) in zip(layers, params):
        z = a @ w + b
        if spec["activation"] in ("relu", "leakyReLU") and np.min(np.abs(z)) < MARGIN:
            return False
        if spec["l1"] and np.min(np.abs(w)) < MARGIN:
            return False
        a = np_activation(spec["activation"], z)
    if loss == "meanAbsoluteError" and np.min(np.abs(a - y)) < MARGIN:
        return False
    if loss == "huber":
        r = np.abs(a - y)
        if np.min(np.abs(r - 1.0)) < MARGIN or not ((r < 1).any() and (r > 1).any()):
            return False
    return True


def draw(index, attempt, loss, out_act, k):
    rng = np.random.default_rng([SEED, index, attempt])
    sizes = [(INPUTS, HIDDEN), (HIDDEN, k)]
    params = [(rng.normal(size=s) * 0.5, rng.normal(size=(1, s[1])) * 0.5) for s in sizes]
    x = rng.normal(size=(BATCH, INPUTS))
    y = make_targets(rng, loss, out_act, k)
    return params, x, y


def build_case(index, spec):
    hidden, out_act, loss, k, reg1, reg2 = spec
    name = case_name(hidden, out_act, loss, reg1, reg2)
    layers = [
        {"activation": hidden, "l1": reg1[0], "l2": reg1[1]},
        {"activation": out_act, "l1": reg2[0], "l2": reg2[1]},
    ]
    # Deterministic redraw (attempt 0, 1, ...) until no kink is near the evaluation point.
    for attempt in range(100):
        params, x, y = draw(index, attempt, loss, out_act, k)
        if margins_ok(layers, params, x, y, loss):
            break
    else:
        raise AssertionError(f"{name}: no draw keeps the kinks away")

    tparams = [(torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
               for w, b in params]
    total, out = torch_total_loss(layers, tparams, torch.tensor(x), torch.tensor(y), loss)
    total.backward()
    grads = [(w.grad.numpy().copy(), b.grad.numpy().copy()) for w, b in tparams]
    total_v = float(total.item())
    out_v = out.detach().numpy().copy()

    # Independent numpy check: value, output and every gradient by central differences.
    np_total, np_out = np_total_loss(layers, [(w.copy(), b.copy()) for w, b in params], x, y, loss)
    assert_close(f"{name} loss", np_total, total_v, rtol=1e-12, atol=1e-14)
    assert_close(f"{name} output", np_out, out_v, rtol=1e-12, atol=1e-14)
    fd = np_fd_gradients(layers, [(w.copy(), b.copy()) for w, b in params], x, y, loss)
    for li, ((gw, gb), (fw, fb)) in enumerate(zip(grads, fd)):
        assert_close(f"{name} layer {li} dW", gw, fw)
        assert_close(f"{name} layer {li} db", gb, fb)

    case = {
        "name": name,
        "layers": [
            {"activation": l["activation"], "weight": matrix(w), "bias": matrix(b),
             "l1": l["l1"], "l2": l["l2"]}
            for l, (w, b) in zip(layers, params)
        ],
        "x": matrix(x),
        "y": matrix(y),
        "loss": loss,
        "output": matrix(out_v),
        "lossValue": total_v,
        "gradients": [{"weight": matrix(gw), "bias": matrix(gb)} for gw, gb in grads],
    }
    return case


# --------------------------------------------------------------------------------------
# Optimizers
# --------------------------------------------------------------------------------------

def torch_optimizer(spec, params):
    n = spec["name"]
    if n == "sgd":
        return torch.optim.SGD(params, lr=spec["learningRate"], momentum=spec["momentum"],
                               nesterov=spec["nesterov"], weight_decay=spec["weightDecay"],
                               dampening=0.0, foreach=False)
    if n == "adagrad":
        return torch.optim.Adagrad(params, lr=spec["learningRate"], eps=spec["epsilon"],
                                   initial_accumulator_value=spec["initialAccumulator"],
                                   lr_decay=0.0, weight_decay=0.0, foreach=False)
    if n == "rmsprop":
        return torch.optim.RMSprop(params, lr=spec["learningRate"], alpha=spec["rho"],
                                   eps=spec["epsilon"], momentum=spec["momentum"],
                                   centered=False, weight_decay=0.0, foreach=False)
    if n in ("adam", "amsgrad"):
        return torch.optim.Adam(params, lr=spec["learningRate"],
                                betas=(spec["beta1"], spec["beta2"]), eps=spec["epsilon"],
                                weight_decay=0.0, amsgrad=(n == "amsgrad"), foreach=False)
    if n == "adamw":
        return torch.optim.AdamW(params, lr=spec["learningRate"],
                                 betas=(spec["beta1"], spec["beta2"]), eps=spec["epsilon"],
                                 weight_decay=spec["weightDecay"], amsgrad=False, foreach=False)
    raise ValueError(n)


class NumpyOptimizer:
    """Hand-written update rules (PyTorch's documented algorithms), for the cross-check."""

    def __init__(self, spec, count):
        self.s = spec
        self.t = 0
        self.state = [dict() for _ in range(count)]

    def step(self, params, grads):
        s = self.s
        self.t += 1
        t = self.t
        out = []
        for p, g, st in zip(params, grads, self.state):
            n = s["name"]
            if n == "sgd":
                g = g + s["weightDecay"] * p
                if s["momentum"]:
                    buf = g.copy() if "buf" not in st else s["momentum"] * st["buf"] + g
                    st["buf"] = buf
                    g = g + s["momentum"] * buf if s["nesterov"] else buf
                p = p - s["learningRate"] * g
            elif n == "adagrad":
                st["sum"] = st.get("sum", np.full_like(p, s["initialAccumulator"])) + g * g
                p = p - s["learningRate"] * g / (np.sqrt(st["sum"]) + s["epsilon"])
            elif n == "rmsprop":
                st["v"] = s["rho"] * st.get("v", np.zeros_like(p)) + (1 - s["rho"]) * g * g
                assert s["momentum"] == 0
                p = p - s["learningRate"] * g / (np.sqrt(st["v"]) + s["epsilon"])
            elif n in ("adam", "amsgrad", "adamw"):
                b1, b2, lr, eps = s["beta1"], s["beta2"], s["learningRate"], s["epsilon"]
                if n == "adamw":
                    p = p * (1 - lr * s["weightDecay"])
                st["m"] = b1 * st.get("m", np.zeros_like(p)) + (1 - b1) * g
                st["v"] = b2 * st.get("v", np.zeros_like(p)) + (1 - b2) * g * g
                v = st["v"]
                if n == "amsgrad":
                    st["vmax"] = np.maximum(st.get("vmax", np.zeros_like(p)), st["v"])
                    v = st["vmax"]
                mhat = st["m"] / (1 - b1 ** t)
                vhat = v / (1 - b2 ** t)
                p = p - lr * mhat / (np.sqrt(vhat) + eps)
            else:
                raise ValueError(n)
            out.append(p)
        return out


SGD = lambda lr, mom, nest, wd: {"name": "sgd", "learningRate": lr, "momentum": mom,
                                 "nesterov": nest, "weightDecay": wd}
ADAM = lambda name, lr, b2=0.999: {"name": name, "learningRate": lr, "beta1": 0.9,
                                   "beta2": b2, "epsilon": 1e-8}

# AMSGrad: with beta2 = 0.999 and one fixed batch, v never decreases in three steps, so the
# max would be a no-op. We therefore (a) use beta2 = 0.9 and (b) feed three batches whose
# inputs shrink (x, 0.01·x, 0.01·x; same targets), which shrinks dW1 ~100×, so v of the
# first layer's weights decays while v_max holds its step-1 value. "adam_amsgradBatches"
# runs plain Adam on the very same batches, so a test can see that the two differ.
AMSGRAD_SCALES = [1.0, 0.01, 0.01]

OPTIMIZER_SPECS = [
    ("sgd", SGD(0.1, 0.0, False, 0.0), None),
    ("sgd_momentum", SGD(0.1, 0.9, False, 0.0), None),
    ("sgd_nesterov", SGD(0.1, 0.9, True, 0.0), None),
    ("sgd_momentum_weightDecay", SGD(0.1, 0.9, False, 0.01), None),
    ("adagrad", {"name": "adagrad", "learningRate": 0.1, "epsilon": 1e-10,
                 "initialAccumulator": 0.0}, None),
    ("rmsprop", {"name": "rmsprop", "learningRate": 0.01, "rho": 0.99, "epsilon": 1e-8,
                 "momentum": 0.0}, None),
    ("adam", ADAM("adam", 0.01), None),
    ("amsgrad", ADAM("amsgrad", 0.01, b2=0.9), AMSGRAD_SCALES),
    ("adam_amsgradBatches", ADAM("adam", 0.01, b2=0.9), AMSGRAD_SCALES),
    ("adamw", dict(ADAM("adamw", 0.01), weightDecay=0.1), None),
]


def build_optimizer_run(name, spec, scales, case):
    layers = [{"activation": l["activation"], "l1": l["l1"], "l2": l["l2"]} for l in case["layers"]]
    params0 = [(unmatrix(l["weight"]), unmatrix(l["bias"])) for l in case["layers"]]
    x0, y0 = unmatrix(case["x"]), unmatrix(case["y"])
    batches = [(x0 * s, y0.copy()) for s in scales] if scales else [(x0, y0)] * 3

    tparams = [torch.tensor(a, requires_grad=True) for pair in params0 for a in pair]
    opt = torch_optimizer(spec, tparams)
    np_opt = NumpyOptimizer(spec, len(tparams))
    np_params = [a.copy() for pair in params0 for a in pair]

    steps = []
    for x, y in batches:
        opt.zero_grad()
        pairs = [(tparams[i], tparams[i + 1]) for i in range(0, len(tparams), 2)]
        total, _ = torch_total_loss(layers, pairs, torch.tensor(x), torch.tensor(y), case["loss"])
        total.backward()
        opt.step()
        now = [p.detach().numpy().copy() for p in tparams]
        steps.append([{"weight": matrix(now[i]), "bias": matrix(now[i + 1])}
                      for i in range(0, len(now), 2)])

        # numpy cross-check: finite-difference gradients at the numpy parameters
        fd = np_fd_gradients(layers, [(np_params[i].copy(), np_params[i + 1].copy())
                                      for i in range(0, len(np_params), 2)],
                             x, y, case["loss"])
        flat = [g for pair in fd for g in pair]
        np_params = np_opt.step(np_params, flat)
        for i, (a, b) in enumerate(zip(now, np_params)):
            assert_close(f"{name} step {len(steps)} param {i}", a, b, rtol=1e-7, atol=1e-9)

    entry = {"name": name, "optimizer": spec, "case": case["name"], "steps": steps}
    if scales:
        entry["batches"] = [{"x": matrix(x), "y": matrix(y)} for x, y in batches]
        entry["batchInputScales"] = list(scales)
    return entry


def amsgrad_effect(runs):
    """Largest parameter difference after step 3 between amsgrad and plain Adam run on
    the same batches with the same hyperparameters: shows that the max is active."""
    by = {r["name"]: r for r in runs}
    a, b = by["amsgrad"], by["adam_amsgradBatches"]
    diff = 0.0
    for la, lb in zip(a["steps"][-1], b["steps"][-1]):
        for key in ("weight", "bias"):
            diff = max(diff, float(np.max(np.abs(unmatrix(la[key]) - unmatrix(lb[key])))))
    return diff


def main():
    cases = [build_case(i, spec) for i, spec in enumerate(CASE_SPECS)]
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), names
    opt_case = next(c for c in cases if c["name"] == OPTIMIZER_CASE)
    runs = [build_optimizer_run(n, s, sc, opt_case) for n, s, sc in OPTIMIZER_SPECS]

    diff = amsgrad_effect(runs)
    assert diff > 1e-4, f"AMSGrad max has too small an effect: {diff}"

    doc = {
        "meta": {
            "torchVersion": torch.__version__,
            "numpyVersion": np.__version__,
            "pythonVersion": platform.python_version(),
            "date": datetime.date.today().isoformat(),
            "command": COMMAND,
            "seed": SEED,
            "dtype": "float64",
            "layout": "row-major, batch-first; dense layer y = x·W + b, W is (in, out), b is (1, out)",
            "amsgradMaxParameterEffect": diff,
        },
        "cases": cases,
        "optimizers": runs,
    }
    text = json.dumps(doc, indent=1)
    with open(OUTPUT_PATH, "w") as f:
        f.write(text + "\n")
    print(f"wrote {OUTPUT_PATH}: {len(text)} bytes, {len(cases)} cases, {len(runs)} optimizer runs;"
          f" amsgrad vs adam max |Δparam| after 3 steps = {diff:.3g}")


if __name__ == "__main__":
    sys.exit(main())
