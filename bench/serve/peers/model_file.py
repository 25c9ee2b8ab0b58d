"""A Perceptron model file read from Python, for the serving peers.

The weights come from the safetensors file through the `safetensors` package; the
architecture, the preprocessing and the class names come from its `__metadata__` (see
Sources/Perceptron/Serialization/ModelFileMetadata.swift). The preprocessing is replayed as
Preprocessor.transformFeatures does it:

    numeric      x' = (x, or the fill value when missing, - shift) / scale   (in float64, then float32)
    categorical  one-hot over the training categories, in their order; a missing value takes the
                 most frequent category; a category not seen in training encodes as all zeros
    ignored / target columns are skipped

A request row is a dict of raw column values (`{"instances": [...]}`), or already numeric
feature rows (`{"inputs": [[...]]}`), as `perceptron serve` takes them.
"""
import hashlib
import json

import numpy as np
from safetensors import safe_open

# Missing-value markers (pandas' defaults, as Perceptron's MissingValues.pandasDefaults).
MISSING_TEXT = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}


class RequestError(ValueError):
    """A request the peers answer with 400 (as the Swift server does)."""


class ModelFile:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.version = hashlib.sha256(f.read()).hexdigest()[:12]
        with safe_open(path, framework="numpy") as f:
            meta = f.metadata()
            tensors = {name: f.get_tensor(name) for name in f.keys()}
        arch = json.loads(meta["architecture"])
        self.input_size = arch["inputSize"]
        # [(weight [in, out], bias [out] or None, activation)]
        self.layers = []
        for index, layer in enumerate(arch["layers"]):
            (kind, config), = layer.items()
            if kind == "dropout":
                continue
            if kind != "dense":
                raise SystemExit(f"{path}: layer {index} is {kind}; the serving peers replay Dense layers only")
            weight = tensors[f"layers.{index}.weight"].astype(np.float32)
            bias = tensors.get(f"layers.{index}.bias")
            self.layers.append((weight, None if bias is None else bias.astype(np.float32), config["activation"]))
        self.preprocessing = json.loads(meta["preprocessing"]) if "preprocessing" in meta else None
        target = (self.preprocessing or {}).get("target") or {}
        out = self.layers[-1][0].shape[1]
        if target.get("task") == "regression":
            self.class_names = None
            self.target_shift, self.target_scale = target.get("shift", 0.0), target.get("scale", 1.0)
        else:
            # A model trained without a table (MNIST) names its classes by index.
            self.class_names = target.get("classNames") or [str(k) for k in range(max(out, 2))]
        self.columns = [c for c in (self.preprocessing or {}).get("columns", [])
                        if c["role"] in ("numeric", "categorical")]
        for c in self.columns:
            c["position"] = {name: k for k, name in enumerate(c["categories"])}
        self.width = sum(1 if c["role"] == "numeric" else len(c["categories"]) for c in self.columns)

    # ---- request rows to the feature matrix -------------------------------------------------
    def features(self, body):
        """The float32 feature matrix for a parsed JSON request body."""
        if not isinstance(body, dict):
            raise RequestError("the body must be a JSON object")
        if "instances" in body:
            if self.preprocessing is None:
                raise RequestError("this model has no saved preprocessing: send \"inputs\"")
            rows = body["instances"]
            if not isinstance(rows, list) or not rows:
                raise RequestError("\"instances\" must be a non-empty list")
            return self.transform(rows)
        if "inputs" in body:
            rows = body["inputs"]
            if not isinstance(rows, list) or not rows:
                raise RequestError("\"inputs\" must be a non-empty list")
            try:
                x = np.asarray(rows, dtype=np.float32)
            except (TypeError, ValueError) as error:
                raise RequestError(f"\"inputs\" must be rows of numbers: {error}")
            if x.ndim != 2 or x.shape[1] != self.input_size:
                raise RequestError(f"\"inputs\" must be rows of {self.input_size} numbers")
            if not np.isfinite(x).all():
                raise RequestError("\"inputs\" holds a non-finite value")
            return x
        raise RequestError("expected \"instances\" or \"inputs\"")

    def transform(self, rows):
        x = np.zeros((len(rows), self.width), dtype=np.float32)
        for r, row in enumerate(rows):
            if not isinstance(row, dict):
                raise RequestError(f"row {r}: an instance must be an object of column values")
            offset = 0
            for c in self.columns:
                value = row.get(c["name"])
                if c["role"] == "numeric":
                    if value is None or (isinstance(value, str) and value.strip(" \t") in MISSING_TEXT):
                        number = c["fillValue"]
                    else:
                        try:
                            number = float(value)
                        except (TypeError, ValueError):
                            raise RequestError(f"row {r}, column \"{c['name']}\": not a number")
                        if not np.isfinite(number):
                            raise RequestError(f"row {r}, column \"{c['name']}\": not finite")
                    x[r, offset] = (number - c["shift"]) / c["scale"]
                    offset += 1
                else:
                    text = "" if value is None else str(value)
                    key = c["mostFrequent"] if text.strip(" \t") == "" else text.strip(" ")
                    k = c["position"].get(key)
                    if k is not None:
                        x[r, offset + k] = 1.0
                    offset += len(c["categories"])
        return x

    # ---- outputs to the reply -----------------------------------------------------------------
    def reply(self, name, outputs):
        """The JSON-ready reply for the network's outputs (rows of activations of the last layer),
        shaped as `perceptron serve`'s: {"model", "version", "predictions": [{"class", "probabilities"}]}."""
        predictions = []
        names = self.class_names
        if names is None:
            for row in outputs.tolist():
                predictions.append({"value": row[0] * self.target_scale + self.target_shift})
        elif outputs.shape[1] == 1:  # one sigmoid unit: P(class 1)
            for (p,) in outputs.tolist():
                predictions.append({"class": names[1 if p >= 0.5 else 0],
                                    "probabilities": {names[0]: 1.0 - p, names[1]: p}})
        else:
            for row in outputs.tolist():
                best = max(range(len(row)), key=row.__getitem__)
                predictions.append({"class": names[best], "probabilities": dict(zip(names, row))})
        return {"model": name, "version": self.version, "predictions": predictions}
