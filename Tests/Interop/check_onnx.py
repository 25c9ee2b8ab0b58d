"""ONNX check: onnx.checker accepts Perceptron's exported models, onnxruntime runs them on
raw rows and gives Perceptron's own predictions; and models imported from ONNX predict in
Perceptron what onnxruntime gives.

usage:
  check_onnx.py exported MODEL.onnx INPUT.csv PREDICTIONS.csv [--no-header]
      Feeds INPUT.csv's raw columns to the graph's inputs by name (numeric → float32 [N, 1]
      with NaN for a missing field; categorical → text [N, 1] for the OneHotEncoder, or the
      caller's one-hot [N, k] built from the categories in metadata_props; a model without
      preprocessing → every column as float32 [N, F]) and compares `probabilities` (or
      `prediction`) with the prob_* (or predicted) columns Perceptron's `predict` wrote, and
      class_index with the predicted class.
  check_onnx.py imported MODEL.onnx INPUT.csv PREDICTIONS.csv
      Runs MODEL.onnx on INPUT.csv's numbers (reshaped to the graph's input shape) and
      compares with what Perceptron predicted after `perceptron import`.

Tolerance 1e-5 (absolute on probabilities; relative to the largest |prediction| for a
regression target in its units, see compare()): both sides compute in
float32 from the same float32 weights, and differ only in summation order (GEMM blocking,
vectorized exp/erf), a few ulps per product and activation, far below 1e-5 for these layer
widths. A wrong weight, bias, layout or preprocessing constant shows up as 1e-2 or more.
Int8 models (MatMulInteger) are held to the same 1e-5: onnxruntime's (Dynamic)QuantizeLinear
computes the same scale, zero point and bytes (x / scale rounded half to even), MatMulInteger
the same exact int32 sums, and the Cast, Mul and Add after it the same float roundings as
Perceptron's kernel; one byte rounded the other way would move a probability by about one
quantization step (1e-3 or more) and fail the check.
Int8 models are also run by ONNX's own reference evaluator (onnx.reference, numpy: the
operators' definitions, exact integer sums), held to the same 1e-5. On a CPU without VNNI
(no avx512_vnni / avx_vnni flag: AMD Zen 3, Intel before Cascade Lake) onnxruntime's u8×s8
MatMulInteger kernels sum pairs of products in saturating int16 (vpmaddubsw: 255·127·2 >
32767), so its results there are not MatMulInteger's exact sums (MNIST: probabilities off
by 0.1); there the reference evaluator decides, and onnxruntime's deviation is printed.
Exit status 1 on any mismatch.
"""
import csv
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx.reference import ReferenceEvaluator

TOLERANCE = 1e-5
# pandas' default missing markers, which Perceptron's CSV reader also reads as missing.
NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
      "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}


def cpu_has_vnni():
    """Whether this CPU has u8×s8 dot products into int32 (AVX512_VNNI or AVX_VNNI), with
    which onnxruntime's MatMulInteger sums exactly (Linux: /proc/cpuinfo; elsewhere assumed)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return True
    return "avx512_vnni" in flags or "avx_vnni" in flags


def read_csv(path, has_header=True):
    with open(path, newline="") as f:
        rows = [row for row in csv.reader(f) if row]
    if has_header:
        return rows[0], rows[1:]
    return [str(i + 1) for i in range(len(rows[0]))], rows


def session_for(model_path):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    props = {p.key: p.value for p in model.metadata_props}
    return model, opsets, props, ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])


def perceptron_outputs(predictions_path):
    header, rows = read_csv(predictions_path)
    probs = [j for j, name in enumerate(header) if name.startswith("prob_")]
    if probs:
        values = np.array([[float(r[j]) for j in probs] for r in rows])
        labels = [r[header.index("predicted")] for r in rows]
        return values, labels
    return np.array([[float(r[header.index("predicted")])] for r in rows]), None


def compare(label, ours, theirs, relative=False):
    """max |Δ| ≤ 1e-5 (probabilities), or ≤ 1e-5·max(1, max |y|) for a regression
    prediction y in the target's units: y = z·scale + shift in float32 carries an absolute
    error of a few ulps of its largest terms (diabetes: shift ≈ 152, ulp ≈ 1.5e-5), so the
    bound is relative to the predictions' magnitude, as assertClose does in the Swift tests."""
    if ours.shape != theirs.shape:
        raise SystemExit(f"onnx: {label}: shapes differ: onnxruntime {ours.shape}, Perceptron {theirs.shape}")
    delta = np.abs(ours.astype(np.float64) - theirs)
    if relative:
        delta = delta / max(1.0, float(np.max(np.abs(theirs))))
    worst = float(np.max(delta))
    print(f"onnx: {label}: {ours.shape[0]} rows, max {'relative ' if relative else ''}|Δ| = {worst:.2e}")
    return worst <= TOLERANCE


def exported(model_path, input_path, predictions_path, has_header):
    model, opsets, props, session = session_for(model_path)
    header, rows = read_csv(input_path, has_header)
    index = {name: i for i, name in enumerate(header)}
    preprocessing = json.loads(props["perceptron.preprocessing"]) if "perceptron.preprocessing" in props else None
    columns = {c["name"]: c for c in preprocessing["columns"]} if preprocessing else {}
    feeds = {}
    for value in session.get_inputs():
        if value.name == "input" and value.name not in index:
            feeds["input"] = np.array([[float(v) for v in r] for r in rows], dtype=np.float32)
            continue
        texts = [r[index[value.name]].strip() for r in rows]
        if value.type == "tensor(string)":
            feeds[value.name] = np.array([["" if t in NA else t] for t in texts], dtype=object)
        elif value.shape[1] == 1:
            feeds[value.name] = np.array([[np.nan if t in NA else float(t)] for t in texts], dtype=np.float32)
        else:  # the caller's one-hot
            column = columns[value.name]
            cats = column["categories"]
            onehot = np.zeros((len(texts), len(cats)), dtype=np.float32)
            for r, t in enumerate(texts):
                t = column["mostFrequent"] if t in NA else t
                if t in cats:
                    onehot[r, cats.index(t)] = 1
            feeds[value.name] = onehot
    names = [o.name for o in session.get_outputs()]
    results = dict(zip(names, session.run(None, feeds)))
    theirs, labels = perceptron_outputs(predictions_path)
    ops = sorted({n.op_type for n in model.graph.node})
    print(f"onnx: {model_path}: opsets {opsets}, inputs {len(feeds)}, ops {', '.join(ops)}")
    if "MatMulInteger" in ops:
        reference = dict(zip(names, ReferenceEvaluator(model).run(None, feeds)))
        output = "probabilities" if "probabilities" in reference else "prediction"
        if cpu_has_vnni():
            ok = compare(f"onnx.reference {output}", reference[output], theirs, relative=output == "prediction")
        else:
            ok = compare(f"onnx.reference {output} (decides: no VNNI)", reference[output], theirs,
                         relative=output == "prediction")
            deviation = float(np.max(np.abs(results[output].astype(np.float64) - theirs)))
            print(f"onnx: onnxruntime {output}: max |Δ| = {deviation:.2e} (not checked: without VNNI its u8×s8 "
                  f"MatMulInteger saturates int16 pair sums)")
            results = reference
        if not ok:
            return False
    if "probabilities" in results:
        ok = compare("probabilities", results["probabilities"], theirs)
        class_names = json.loads(props["class_names"])
        predicted = [class_names[i] for i in results["class_index"]]
        disagree = sum(a != b for a, b in zip(predicted, labels))
        # A near-tie (|Δp| ≤ 1e-5) could flip the arg-max; report it, fail only beyond that.
        top2 = np.sort(results["probabilities"], axis=1)[:, -2:]
        ties = int(np.sum(top2[:, 1] - top2[:, 0] <= TOLERANCE))
        print(f"onnx: class_index: {disagree} of {len(labels)} rows differ from Perceptron's predicted class (near-ties: {ties})")
        ok = ok and disagree <= ties
    else:
        ok = compare("prediction", results["prediction"], theirs, relative=True)
    return ok


def imported(model_path, input_path, predictions_path):
    model, opsets, props, session = session_for(model_path)
    header, rows = read_csv(input_path)
    x = np.array([[float(v) for v in r] for r in rows], dtype=np.float32)
    value = session.get_inputs()[0]
    shape = [len(rows)] + [d if isinstance(d, int) else -1 for d in value.shape[1:]]
    y = session.run(None, {value.name: x.reshape(shape)})[0]
    theirs, _ = perceptron_outputs(predictions_path)
    if y.shape[1] == 1 and theirs.shape[1] == 2:
        theirs = theirs[:, 1:]  # Perceptron writes 1 − p and p for one sigmoid unit
    print(f"onnx: {model_path} ({model.producer_name} {model.producer_version}, opsets {opsets}) imported by Perceptron")
    return compare("onnxruntime vs Perceptron", y, theirs)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 4 or args[0] not in ("exported", "imported"):
        raise SystemExit(__doc__)
    if args[0] == "exported":
        ok = exported(args[1], args[2], args[3], "--no-header" not in sys.argv)
    else:
        ok = imported(args[1], args[2], args[3])
    if not ok:
        print("onnx: MISMATCH", file=sys.stderr)
    sys.exit(0 if ok else 1)
