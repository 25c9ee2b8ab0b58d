"""Writes a bundled dataset as a CSV with the column names Perceptron gives it, for
`perceptron predict` and onnxruntime to read the same rows.

usage: dataset_csv.py iris|diabetes OUT.csv
"""
import gzip
import sys

DATASETS = "Sources/PerceptronData/Resources/Datasets"


def main(name, out):
    if name == "iris":
        # scikit-learn's layout: a count line, then 4 numbers and the class index per row.
        with open(f"{DATASETS}/iris.csv") as f:
            rows = [line.strip().split(",") for line in f.readlines()[1:] if line.strip()]
        header = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)", "target"]
    elif name == "diabetes":
        with gzip.open(f"{DATASETS}/diabetes_data_raw.csv.gz", "rt") as f:
            rows = [line.split() for line in f if line.strip()]
        header = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    else:
        raise SystemExit(f"dataset_csv: unknown dataset {name}")
    with open(out, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
