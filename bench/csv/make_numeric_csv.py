"""Writes the CSV-loading benchmark file: ROWS rows x 10 numeric columns (9 features,
normal(0, 1) with 7 decimals, and a 0/1 target `y`), about 100 bytes a row, as in issue 8
(2 M rows, 200 MB). Seeded, so every run reads the same bytes. With --repr the features are
written as Python (and pandas' to_csv) writes a float64: shortest round-trip digits, mostly 16-17
significant (-0.34558419206478603), about 180 bytes a row.

    python3 make_numeric_csv.py OUT.csv [ROWS] [--repr]
"""
import random
import sys

arguments = [a for a in sys.argv[1:] if a != "--repr"]
as_repr = "--repr" in sys.argv[1:]
out = arguments[0]
rows = int(arguments[1]) if len(arguments) > 1 else 2_000_000
rng = random.Random(8)
with open(out, "w", newline="") as f:
    f.write(",".join([f"x{i}" for i in range(9)] + ["y"]) + "\n")
    chunk = []
    for r in range(rows):
        xs = [rng.gauss(0.0, 1.0) for _ in range(9)]
        chunk.append(",".join(repr(x) if as_repr else f"{x:.7f}" for x in xs) + ("," + ("1" if xs[0] + xs[1] > 0 else "0")) + "\n")
        if len(chunk) == 10_000:
            f.write("".join(chunk))
            chunk = []
    f.write("".join(chunk))
