#!/usr/bin/env python3
"""Compares the weights of model files (safetensors) against a reference and a bound.

    compare_weights.py REFERENCE BOUND CANDIDATE [CANDIDATE ...]

Every tensor `layers.<i>.<name>` of each CANDIDATE must satisfy, element by element,
|candidate - reference| <= bound (BOUND is a model file whose weights are the bound, written
by `perceptron train --summation-bound FILE`; see SummationErrorBound). Prints the largest
|difference| and the largest difference/bound per candidate; exits 1 on any excess.
Standard library only (struct + array), so CI needs no pip install for it.
"""
import array
import json
import struct
import sys


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = blob[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or not name.startswith("layers.") or info["dtype"] != "F32":
            continue
        begin, end = info["data_offsets"]
        values = array.array("f")
        values.frombytes(data[begin:end])
        if sys.byteorder != "little":
            values.byteswap()
        tensors[name] = values
    return tensors


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    reference, bound = read(sys.argv[1]), read(sys.argv[2])
    failed = False
    for path in sys.argv[3:]:
        candidate = read(path)
        if sorted(candidate) != sorted(reference):
            print(f"{path}: tensors {sorted(candidate)} differ from the reference's {sorted(reference)}")
            failed = True
            continue
        largest, worst, excess = 0.0, 0.0, None
        for name, values in candidate.items():
            for j, (c, r, b) in enumerate(zip(values, reference[name], bound[name])):
                d = abs(c - r)
                largest = max(largest, d)
                if b > 0:
                    worst = max(worst, d / b)
                if d > b and excess is None:
                    excess = f"{name}[{j}]: |{c} - {r}| = {d:.3g} > bound {b:.3g}"
        bound_max = max(max(v) for v in bound.values())
        print(f"{path}: largest |Δw| {largest:.3g}, largest |Δw|/bound {worst:.3g} (largest bound {bound_max:.3g})"
              + (f"; EXCEEDS: {excess}" if excess else ""))
        failed = failed or excess is not None
    sys.exit(1 if failed else 0)


main()
