#!/usr/bin/env python3
"""Generate normalization.json: BatchNormalization and LayerNormalization references.

PyTorch (float64, CPU) computes, for 4 -> Dense(5, tanh) -> <norm> -> Dense(3, softmax) with
categorical cross-entropy on a batch of 6, in Perceptron's layout (W is in x out):
the output, the loss, every parameter's gradient, and for BatchNormalization the running
statistics after the step, in training mode (batch statistics) and in inference mode
(given running statistics). torch's BatchNorm1d(momentum=0.01, eps=1e-3) is Keras's
momentum 0.99; its running variance uses the unbiased batch variance, Keras and Perceptron
the biased one, so the expected moving variance is converted (x (n-1)/n on the update term)
and checked against a numpy computation. Everything is re-derived in numpy (forward pass,
central finite differences) and asserted before writing. Kept apart from reference.json so
that file's numbers stay untouched.

Run by hand from the repository root (see README.md):
    .venv-ref/bin/python Tests/PerceptronTests/Fixtures/reference/make_normalization_reference.py
"""

import datetime
import json
import os
import platform
import sys

import numpy as np
import torch

SEED = 20261202
BATCH, INPUTS, HIDDEN, OUTPUTS = 6, 4, 5, 3
MOMENTUM, EPS = 0.99, 1e-3
HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT_PATH = os.path.join(HERE, "normalization.json")
COMMAND = ".venv-ref/bin/python Tests/PerceptronTests/Fixtures/reference/make_normalization_reference.py"
torch.set_default_dtype(torch.float64)


def matrix(a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    return {"rows": int(a.shape[0]), "columns": int(a.shape[1]), "data": [float(v) for v in a.reshape(-1)]}


def np_forward(kind, p, x, y, training, running):
    """numpy forward: returns (loss, output)."""
    h = np.tanh(x @ p["w1"] + p["b1"])
    if kind == "layerNormalization":
        mu = h.mean(axis=1, keepdims=True)
        var = ((h - mu) ** 2).mean(axis=1, keepdims=True)
    elif training:
        mu = h.mean(axis=0, keepdims=True)
        var = ((h - mu) ** 2).mean(axis=0, keepdims=True)
    else:
        mu, var = running
    n = (h - mu) / np.sqrt(var + EPS) * p["gamma"] + p["beta"]
    z = n @ p["w2"] + p["b2"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out = e / e.sum(axis=1, keepdims=True)
    return -(y * np.log(out)).sum() / x.shape[0], out


def make_case(kind, training, rng):
    p = {"w1": rng.normal(0, 0.8, (INPUTS, HIDDEN)), "b1": rng.normal(0, 0.3, (1, HIDDEN)),
         "gamma": rng.normal(1, 0.3, (1, HIDDEN)), "beta": rng.normal(0, 0.3, (1, HIDDEN)),
         "w2": rng.normal(0, 0.5, (HIDDEN, OUTPUTS)), "b2": rng.normal(0, 0.3, (1, OUTPUTS))}
    x = rng.normal(0, 1, (BATCH, INPUTS))
    y = np.eye(OUTPUTS)[rng.integers(0, OUTPUTS, BATCH)]
    running = (rng.normal(0, 0.2, (1, HIDDEN)), rng.uniform(0.5, 1.5, (1, HIDDEN)))

    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    if kind == "batchNormalization":
        norm = torch.nn.BatchNorm1d(HIDDEN, eps=EPS, momentum=1 - MOMENTUM, dtype=torch.float64)
        norm.running_mean.copy_(torch.tensor(running[0][0]))
        norm.running_var.copy_(torch.tensor(running[1][0]))
        norm.train(training)
    else:
        norm = torch.nn.LayerNorm(HIDDEN, eps=EPS, dtype=torch.float64)
    with torch.no_grad():
        norm.weight.copy_(t["gamma"][0])
        norm.bias.copy_(t["beta"][0])
    h = torch.tanh(torch.tensor(x) @ t["w1"] + t["b1"])
    # The norm's own gamma/beta are the graph's leaves for their gradients.
    z = norm(h) @ t["w2"] + t["b2"]
    out = torch.softmax(z, dim=1)
    loss = -(torch.tensor(y) * torch.log(out)).sum() / BATCH
    loss.backward()
    grads = {k: t[k].grad.numpy() for k in ("w1", "b1", "w2", "b2")}
    grads["gamma"] = norm.weight.grad.numpy()[None, :]
    grads["beta"] = norm.bias.grad.numpy()[None, :]

    # Independent checks in numpy.
    np_loss, np_out = np_forward(kind, p, x, y, training, running)
    assert np.allclose(np_loss, loss.item(), rtol=1e-12), (np_loss, loss.item())
    assert np.allclose(np_out, out.detach().numpy(), rtol=1e-12)
    h_step = 1e-6
    for k, value in p.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            for sign in (1, -1):
                q = {kk: vv.copy() for kk, vv in p.items()}
                q[k][index] += sign * h_step
                numeric[index] += sign * np_forward(kind, q, x, y, training, running)[0] / (2 * h_step)
        assert np.allclose(numeric, grads[k], rtol=1e-6, atol=1e-8), (kind, training, k, numeric, grads[k])

    case = {"name": f"{kind}_{'training' if training else 'inference'}", "layer": kind, "training": training,
            "momentum": MOMENTUM, "epsilon": EPS, "x": matrix(x), "y": matrix(y),
            "parameters": {k: matrix(v) for k, v in p.items()},
            "output": matrix(out.detach().numpy()), "lossValue": loss.item(),
            "gradients": {k: matrix(v) for k, v in grads.items()}}
    if kind == "batchNormalization":
        case["movingMeanBefore"] = matrix(running[0])
        case["movingVarianceBefore"] = matrix(running[1])
        if training:
            hn = np.tanh(x @ p["w1"] + p["b1"])
            mean, biased = hn.mean(axis=0), hn.var(axis=0)
            unbiased = biased * BATCH / (BATCH - 1)
            assert np.allclose(norm.running_mean.numpy(), MOMENTUM * running[0][0] + (1 - MOMENTUM) * mean, rtol=1e-12)
            assert np.allclose(norm.running_var.numpy(), MOMENTUM * running[1][0] + (1 - MOMENTUM) * unbiased, rtol=1e-12)
            # Keras's (and Perceptron's) update uses the biased variance.
            keras_var = norm.running_var.numpy() - (1 - MOMENTUM) * (unbiased - biased)
            case["movingMeanAfter"] = matrix(norm.running_mean.numpy())
            case["movingVarianceAfter"] = matrix(keras_var)
    return case


def main():
    rng = np.random.default_rng(SEED)
    cases = [make_case(kind, training, rng) for kind in ("batchNormalization", "layerNormalization")
             for training in (True, False)]
    fixture = {"meta": {"torchVersion": torch.__version__, "numpyVersion": np.__version__,
                        "pythonVersion": platform.python_version(), "date": datetime.date.today().isoformat(),
                        "command": COMMAND, "seed": SEED, "dtype": "float64",
                        "network": "4 -> Dense(5, tanh) -> norm -> Dense(3, softmax), categoricalCrossEntropy, batch 6"},
               "cases": cases}
    with open(OUTPUT_PATH, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"wrote {OUTPUT_PATH}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
