"""Writes the first COUNT MNIST test images as CSV rows of pixel/255 (float32, written so
that they read back as the same float32), without a header: what a model trained on
MNIST's IDX files takes.

usage: mnist_rows.py MNIST_DIR COUNT OUT.csv
"""
import gzip
import os
import sys

import numpy as np


def images(folder):
    for name in ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"):
        for suffix in ("", ".gz"):
            path = os.path.join(folder, name + suffix)
            if os.path.exists(path):
                opener = gzip.open if suffix else open
                with opener(path, "rb") as f:
                    data = f.read()
                count, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
                return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    raise SystemExit(f"mnist_rows: no t10k images in {folder}")


if __name__ == "__main__":
    folder, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    x = images(folder)[:count].astype(np.float32) / np.float32(255)
    with open(out, "w") as f:
        for row in x:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
