"""Interop check: a model file written by Perceptron, read by the reference safetensors
library, recomputed in numpy, must match Perceptron's own predictions.

usage: check_forward.py MODEL.safetensors INPUT.csv PREDICTIONS.csv

Reads the architecture and the preprocessing from the file's __metadata__ JSON, replays
the preprocessing on INPUT.csv (numeric: (x or median − shift) / scale; categorical:
one-hot over the training categories), runs the forward pass a = f(x·W + b) layer by
layer in float64 from the stored float32 weights (W is in × out), and compares the class
probabilities (or values) with the prob_* (or predicted) columns Perceptron wrote.
Exit status 1 when any differs by more than 1e-5.
"""
import csv
import json
import math
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

TOLERANCE = 1e-5


def activation(name, z):
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
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    if name == "gelu":
        return 0.5 * z * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))
    if name == "softplus":
        return np.logaddexp(0.0, z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise SystemExit(f"interop: unknown activation {name}")


def features(preprocessing, rows, header):
    """The feature matrix, replaying the saved preprocessing."""
    index = {name: i for i, name in enumerate(header)}
    columns = []
    for column in preprocessing["columns"]:
        role = column["role"]
        if role == "ignored":
            continue
        values = [row[index[column["name"]]].strip() for row in rows]
        if role == "numeric":
            x = np.array([float(v) if v else column["fillValue"] for v in values])
            columns.append(((x - column["shift"]) / column["scale"])[:, None])
        elif role == "categorical":
            cats = column["categories"]
            onehot = np.zeros((len(values), len(cats)))
            for r, v in enumerate(values):
                v = v or column["mostFrequent"]
                if v in cats:
                    onehot[r, cats.index(v)] = 1.0
            columns.append(onehot)
        else:
            raise SystemExit(f"interop: unknown column role {role}")
    # Perceptron computes the features in float32.
    return np.hstack(columns).astype(np.float32).astype(np.float64)


def main(model_path, input_path, predictions_path):
    with safe_open(model_path, framework="numpy") as f:
        metadata = f.metadata()
    tensors = load_file(model_path)
    # Format 1, or a newer file that says a version-2 reader can read it.
    reader_version = int(metadata.get("format_min_reader_version", metadata.get("format_version", "0")))
    if not 1 <= reader_version <= 2:
        raise SystemExit(f"interop: unexpected format_version {metadata.get('format_version')}")
    architecture = json.loads(metadata["architecture"])

    with open(input_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for row in reader if row]
    if "preprocessing" in metadata:
        a = features(json.loads(metadata["preprocessing"]), rows, header)
    else:
        a = np.array([[float(v) for v in row] for row in rows])
    if a.shape[1] != architecture["inputSize"]:
        raise SystemExit(f"interop: {a.shape[1]} features, the model takes {architecture['inputSize']}")

    for i, layer in enumerate(architecture["layers"]):
        if "dropout" in layer:
            continue  # identity at inference
        if "batchNormalization" in layer:  # running statistics at inference
            eps = layer["batchNormalization"]["epsilon"]
            t = {k: tensors[f"layers.{i}.{k}"].astype(np.float64) for k in ("gamma", "beta", "moving_mean", "moving_variance")}
            a = (a - t["moving_mean"]) / np.sqrt(t["moving_variance"] + eps) * t["gamma"] + t["beta"]
            continue
        if "layerNormalization" in layer:  # each row over its features
            eps = layer["layerNormalization"]["epsilon"]
            mean = a.mean(axis=1, keepdims=True)
            var = ((a - mean) ** 2).mean(axis=1, keepdims=True)
            a = (a - mean) / np.sqrt(var + eps) * tensors[f"layers.{i}.gamma"] + tensors[f"layers.{i}.beta"]
            continue
        if "dense" not in layer:
            raise SystemExit(f"interop: layer {i} is {list(layer)[0]}, which this check does not know")
        dense = layer["dense"]
        w = tensors[f"layers.{i}.weight"].astype(np.float64)
        assert tensors[f"layers.{i}.weight"].dtype == np.float32
        z = a @ w
        if dense.get("useBias", True):
            z = z + tensors[f"layers.{i}.bias"].astype(np.float64)[None, :]
        a = activation(dense["activation"], z)
    if architecture.get("loss") == "binaryCrossEntropyFromLogits":
        a = activation("sigmoid", a)

    with open(predictions_path, newline="") as f:
        reader = csv.reader(f)
        out_header = next(reader)
        out_rows = [row for row in reader if row]
    prob_columns = [j for j, name in enumerate(out_header) if name.startswith("prob_")]
    if prob_columns:
        theirs = np.array([[float(row[j]) for j in prob_columns] for row in out_rows])
        ours = np.hstack([1.0 - a, a]) if a.shape[1] == 1 else a
    else:
        theirs = np.array([[float(row[out_header.index("predicted")])] for row in out_rows])
        ours = a  # (a regression target standardized at training would need its inverse here)
    if theirs.shape != ours.shape:
        raise SystemExit(f"interop: shapes differ: Perceptron {theirs.shape}, numpy {ours.shape}")
    worst = float(np.max(np.abs(theirs - ours)))
    tensor_names = ", ".join(sorted(tensors))
    print(f"interop: {model_path}: {len(rows)} rows, tensors [{tensor_names}], max |Δ| = {worst:.2e}")
    if not worst <= TOLERANCE:
        print(f"interop: MISMATCH: max |Δ| = {worst} > {TOLERANCE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
