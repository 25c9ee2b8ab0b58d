"""Writes metrics.json: scikit-learn's numbers on fixed inputs, for MetricsTests.swift.

Run from this folder with scikit-learn 1.5.2 and numpy 2.x:
    python3 -m venv .venv-metrics && .venv-metrics/bin/pip install scikit-learn==1.5.2
    .venv-metrics/bin/python make_metrics.py
Probabilities are passed as float32, as Perceptron's models produce them, so
log_loss clips at float32's epsilon as Perceptron does.
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M

assert sklearn.__version__ == "1.5.2", sklearn.__version__
# zero_division=0 cases are deliberate; the warnings say so and nothing more.
warnings.simplefilter("ignore", M._classification.UndefinedMetricWarning)


def classification_case(name, y_true, y_pred, labels, target_names, digits=2, proba=None, scores=None):
    p, r, f, s = M.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    case = {
        "name": name,
        "actual": y_true,
        "predicted": y_pred,
        "class_count": len(labels),
        "class_names": target_names,
        "digits": digits,
        "accuracy": M.accuracy_score(y_true, y_pred),
        "confusion": M.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
        "report": M.classification_report(y_true, y_pred, labels=labels, target_names=target_names, digits=digits),
    }
    for avg in ("macro", "weighted", "micro"):
        case[f"precision_{avg}"] = M.precision_score(y_true, y_pred, labels=labels, average=avg, zero_division=0)
        case[f"recall_{avg}"] = M.recall_score(y_true, y_pred, labels=labels, average=avg, zero_division=0)
        case[f"f1_{avg}"] = M.f1_score(y_true, y_pred, labels=labels, average=avg, zero_division=0)
    if len(labels) == 2:
        case["precision_binary"] = M.precision_score(y_true, y_pred, zero_division=0)
        case["recall_binary"] = M.recall_score(y_true, y_pred, zero_division=0)
        case["f1_binary"] = M.f1_score(y_true, y_pred, zero_division=0)
    if proba is not None:
        proba32 = np.asarray(proba, dtype=np.float32)
        case["probabilities"] = proba32.astype(float).tolist()
        case["log_loss"] = M.log_loss(y_true, proba32, labels=labels)
    if scores is not None:
        case["scores"] = scores
        case["roc_auc"] = M.roc_auc_score(y_true, scores)
    return case


binary_true = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0]
binary_pred = [0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0]
# Scores with ties (0.7 three times across both classes, 0.4 twice) and the exact 0 and 1
# that log_loss must clip.
binary_scores = [0.1, 0.9, 0.4, 0.2, 0.7, 0.7, 0.3, 0.8, 1.0, 0.4,
                 0.0, 0.7, 0.6, 0.2, 0.95, 0.85, 0.1, 0.3, 0.45, 0.05]
binary_proba = [[s] for s in binary_scores]

multi_true = [0, 0, 1, 2, 2, 2, 1, 0, 2, 1, 0, 2, 1, 1, 0]
multi_pred = [0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0]  # class 2 never predicted
rng = np.random.default_rng(3)
raw = rng.random((15, 3)) + 0.05
multi_proba = raw / raw.sum(axis=1, keepdims=True)
multi_proba[4] = [1.0, 0.0, 0.0]  # true class 2 gets probability 0 → clipped

cases = [
    classification_case("binary", binary_true, binary_pred, [0, 1], ["0", "1"],
                        proba=binary_proba, scores=binary_scores),
    classification_case("multiclass", multi_true, multi_pred, [0, 1, 2], ["cat", "dog", "bird"],
                        proba=multi_proba.tolist()),
    classification_case("long_names_3_digits", multi_true, multi_pred, [0, 1, 2],
                        ["Iris-setosa-long-name", "Iris-versicolor", "Iris-virginica"], digits=3),
    # A class absent from both actual and predicted: support 0, every score 0.
    classification_case("absent_class", [0, 1, 0, 1], [0, 1, 1, 1], [0, 1, 2], ["a", "b", "c"]),
]

y = [3.0, -0.5, 2.0, 7.0, 4.2, 1.1, 0.0, -2.3]
yhat = [2.5, 0.0, 2.0, 8.0, 3.9, 1.5, -0.4, -1.0]
regression = [
    {"name": "regression", "actual": y, "predicted": yhat,
     "mse": M.mean_squared_error(y, yhat), "mae": M.mean_absolute_error(y, yhat),
     "rmse": float(np.sqrt(M.mean_squared_error(y, yhat))), "r2": M.r2_score(y, yhat)},
    {"name": "constant_exact", "actual": [2.0, 2.0, 2.0], "predicted": [2.0, 2.0, 2.0],
     "mse": 0.0, "mae": 0.0, "rmse": 0.0, "r2": M.r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.0])},
    {"name": "constant_off", "actual": [2.0, 2.0, 2.0], "predicted": [2.0, 1.0, 2.0],
     "mse": M.mean_squared_error([2.0] * 3, [2.0, 1.0, 2.0]), "mae": M.mean_absolute_error([2.0] * 3, [2.0, 1.0, 2.0]),
     "rmse": float(np.sqrt(M.mean_squared_error([2.0] * 3, [2.0, 1.0, 2.0]))),
     "r2": M.r2_score([2.0, 2.0, 2.0], [2.0, 1.0, 2.0])},
]

with open("metrics.json", "w") as f:
    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__,
               "classification": cases, "regression": regression}, f, indent=1)
    f.write("\n")
print("wrote metrics.json:", len(cases), "classification and", len(regression), "regression cases")
